"""Graders: score one output of an eval against its item.

A grader is called as `grader(input=..., output=..., expected=..., metadata=...)` and answers a `Score`. The ones
here are code graders (exact match, contains, regex, JSON validity, a JSON Schema subset, numeric tolerance) and
an LLM judge that asks any OpenAI-compatible chat-completions endpoint. Any function taking those keyword
arguments (or fewer) and answering a Score, a number, a bool or a string (a category) is a grader too; see
`grade()`, which also turns a grader that raises or runs out of time into a Score with an `error`, so that one bad
row never stops an eval.
"""
from __future__ import annotations

import http.client
import inspect
import json
import math
import os
import random
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional

CODE = "CODE"
LLM_JUDGE = "LLM_JUDGE"
HUMAN = "HUMAN"


@dataclass
class Score:
    """One score of one output: exactly one of `value` (a number), `boolean` (pass/fail) and `category` (a label),
    with its source (CODE, LLM_JUDGE, HUMAN) and an explanation. `error` says why the grader gave no score (then
    all three are None). Whether a number or a category passes is the server's score config's to say."""
    name: str
    value: Optional[float] = None
    boolean: Optional[bool] = None
    category: Optional[str] = None
    source: str = CODE
    explanation: Optional[str] = None
    error: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def passed(name: str, ok: bool, explanation: Optional[str] = None, source: str = CODE) -> Score:
    """A boolean score."""
    return Score(name, boolean=bool(ok), source=source, explanation=explanation)


class Grader:
    """Base of the graders here: `name` names the score, `timeout` bounds one call in seconds (None: unbounded)."""
    name = "grader"
    timeout: Optional[float] = 60.0

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        raise NotImplementedError


def _text(value: Any) -> str:
    """An output or expected value as text: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class ExactMatch(Grader):
    """Passes when the output equals the expected output, as text. ignore_case compares case-folded;
    ignore_whitespace strips both ends and collapses every run of whitespace inside to one space."""

    def __init__(self, name: str = "exact_match", ignore_case: bool = False, ignore_whitespace: bool = False) -> None:
        self.name, self.ignore_case, self.ignore_whitespace = name, ignore_case, ignore_whitespace

    def normalize(self, value: Any) -> str:
        text = _text(value)
        if self.ignore_whitespace:
            text = " ".join(text.split())
        if self.ignore_case:
            text = text.casefold()
        return text

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        ok = self.normalize(output) == self.normalize(expected)
        return passed(self.name, ok, None if ok else f"expected {_clip(_text(expected))!r}")


class Contains(Grader):
    """Passes when the output contains `substring` (default: the expected output), as text."""

    def __init__(self, substring: Optional[str] = None, name: str = "contains", ignore_case: bool = False) -> None:
        self.substring, self.name, self.ignore_case = substring, name, ignore_case

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        needle, haystack = _text(expected if self.substring is None else self.substring), _text(output)
        if self.ignore_case:
            needle, haystack = needle.casefold(), haystack.casefold()
        ok = needle in haystack
        return passed(self.name, ok, None if ok else f"{_clip(needle)!r} not found")


class Regex(Grader):
    """Passes when `pattern` (Python `re` syntax) matches somewhere in the output (re.search)."""

    def __init__(self, pattern: str, name: str = "regex", flags: int = 0) -> None:
        self.pattern, self.name = re.compile(pattern, flags), name

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        ok = self.pattern.search(_text(output)) is not None
        return passed(self.name, ok, None if ok else f"no match for /{self.pattern.pattern}/")


def _parse_json(output: Any) -> Any:
    """The output as JSON: a string is parsed (ValueError when it is not JSON), anything else taken as it is."""
    return json.loads(output) if isinstance(output, str) else output


class JsonValid(Grader):
    """Passes when the output is a string holding one JSON value (or already a JSON-able value)."""

    def __init__(self, name: str = "json_valid") -> None:
        self.name = name

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        try:
            json.dumps(_parse_json(output), allow_nan=False)
        except (ValueError, TypeError) as error:
            return passed(self.name, False, f"not JSON: {error}")
        return passed(self.name, True)


class JsonSchema(Grader):
    """Passes when the output (JSON text or a value) conforms to `schema`, a subset of JSON Schema:
    `type` (a name or a list of names: object, array, string, number, integer, boolean, null), `properties`,
    `required`, `additionalProperties` (false or a schema), `items` (one schema), `enum`, `minimum`, `maximum`,
    `minLength`, `maxLength`. Other keywords are ignored. The explanation names the first violation found."""

    TYPES: Dict[str, Callable[[Any], bool]] = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer()),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }

    def __init__(self, schema: Mapping[str, Any], name: str = "json_schema") -> None:
        self.schema, self.name = schema, name

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        try:
            value = _parse_json(output)
        except ValueError as error:
            return passed(self.name, False, f"not JSON: {error}")
        violation = self.violation(self.schema, value, "$")
        return passed(self.name, violation is None, violation)

    def violation(self, schema: Mapping[str, Any], value: Any, path: str) -> Optional[str]:
        """The first way `value` (at `path`) breaks `schema`, or None."""
        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else list(types)
            if not any(self.TYPES[name](value) for name in names):
                return f"{path}: expected {' or '.join(names)}, got {type(value).__name__}"
        if "enum" in schema and value not in schema["enum"]:
            return f"{path}: {_clip(json.dumps(value))} is not one of {_clip(_text(schema['enum']))}"
        if self.TYPES["number"](value):
            if "minimum" in schema and value < schema["minimum"]:
                return f"{path}: {value} < minimum {schema['minimum']}"
            if "maximum" in schema and value > schema["maximum"]:
                return f"{path}: {value} > maximum {schema['maximum']}"
        if isinstance(value, str):
            if "minLength" in schema and len(value) < schema["minLength"]:
                return f"{path}: shorter than {schema['minLength']} characters"
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                return f"{path}: longer than {schema['maxLength']} characters"
        if isinstance(value, dict):
            return self.object_violation(schema, value, path)
        if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
            for index, item in enumerate(value):
                found = self.violation(schema["items"], item, f"{path}[{index}]")
                if found:
                    return found
        return None

    def object_violation(self, schema: Mapping[str, Any], value: Dict[str, Any], path: str) -> Optional[str]:
        for key in schema.get("required", ()):
            if key not in value:
                return f"{path}: missing required property {key!r}"
        properties = schema.get("properties", {})
        additional = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                found = self.violation(properties[key], item, f"{path}.{key}")
            elif additional is False:
                found = f"{path}: property {key!r} is not allowed"
            elif isinstance(additional, Mapping):
                found = self.violation(additional, item, f"{path}.{key}")
            else:
                found = None
            if found:
                return found
        return None


class NumericTolerance(Grader):
    """Passes when the output, read as a number, is within tolerance of the expected number:
    |output - expected| <= max(abs_tol, rel_tol * |expected|) (as math.isclose). Text outputs are read as their
    first number ("The answer is 42." reads 42)."""

    NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")

    def __init__(self, abs_tol: float = 0.0, rel_tol: float = 0.0, name: str = "numeric") -> None:
        self.abs_tol, self.rel_tol, self.name = abs_tol, rel_tol, name

    def number(self, value: Any) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        match = self.NUMBER.search(_text(value).replace(",", ""))
        if match is None:
            raise ValueError(f"no number in {_clip(_text(value))!r}")
        return float(match.group())

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        want = self.number(expected)  # no expected number is the dataset's fault: an error, not a failure
        try:
            got = self.number(output)
        except ValueError as error:
            return passed(self.name, False, str(error))
        ok = math.isclose(got, want, rel_tol=self.rel_tol, abs_tol=self.abs_tol)
        return passed(self.name, ok, f"{got} vs {want} (difference {abs(got - want):g})")


DEFAULT_JUDGE_PROMPT = """You grade an answer against a reference.

Question:
{{input}}

Reference answer:
{{expected}}

Answer to grade:
{{output}}

Reply with only a JSON object: {"score": <a number from 0 to 1, 1 meaning fully correct>, "explanation": "<one sentence>"}"""


class JudgeUnavailable(Exception):
    """The judge's endpoint failed with something worth retrying: HTTP 429 or 5xx, a timeout, a lost connection."""


class LLMJudge(Grader):
    """Asks an LLM, through any OpenAI-compatible chat-completions endpoint, to score the output.

    base_url: up to the version path, e.g. https://api.openai.com/v1 (the judge posts to base_url +
    "/chat/completions"); api_key_env: the environment variable holding the key, sent as a bearer token (none sent
    if it is unset, as local servers need none). prompt: a template where {{input}}, {{expected}}, {{output}} and
    {{metadata}} stand for the row's values (non-strings as JSON). The reply should be a JSON object with "score"
    (a number, a boolean, or a string taken as a category) and "explanation"; a reply that is not JSON is searched for
    "score: <number>". Answers of 429, 5xx and timeouts are retried `retries` times with exponential backoff
    (from `backoff` seconds, jittered); then, or on any other failure, the row's score records the error.
    """

    SCORE_IN_TEXT = re.compile(r"score\W{0,3}\s*([-+]?\d+(?:\.\d+)?)", re.IGNORECASE)

    def __init__(self, base_url: str, model: str, api_key_env: Optional[str] = "OPENAI_API_KEY",
                 prompt: str = DEFAULT_JUDGE_PROMPT, name: str = "llm_judge", temperature: float = 0.0,
                 retries: int = 3, backoff: float = 1.0, request_timeout: float = 60.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.api_key_env, self.prompt, self.name = model, api_key_env, prompt, name
        self.temperature = temperature
        self.retries, self.backoff, self.request_timeout = retries, backoff, request_timeout
        self.timeout = (retries + 1) * request_timeout + backoff * (2 ** (retries + 1))  # every attempt may time out

    def render(self, input: Any, output: Any, expected: Any, metadata: Any) -> str:
        values = {"input": input, "output": output, "expected": expected, "metadata": metadata}
        return re.sub(r"\{\{\s*(input|output|expected|metadata)\s*\}\}",
                      lambda match: _text(values[match.group(1)]), self.prompt)

    def __call__(self, *, input: Any = None, output: Any = None, expected: Any = None,
                 metadata: Optional[Mapping[str, Any]] = None) -> Score:
        request = {"model": self.model, "temperature": self.temperature,
                   "messages": [{"role": "user", "content": self.render(input, output, expected, metadata)}]}
        reply = self.with_retries(lambda: self.complete(request))
        return self.parse(reply)

    def with_retries(self, call: Callable[[], str]) -> str:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return call()
            except JudgeUnavailable:
                if attempt == self.retries:
                    raise
                time.sleep(delay * random.uniform(0.8, 1.2))
                delay *= 2
        raise AssertionError("unreachable")

    def complete(self, request: Dict[str, Any]) -> str:
        """One chat completion; answers the first choice's message text."""
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        if key:
            headers["Authorization"] = "Bearer " + key
        http_request = urllib.request.Request(self.url, data=json.dumps(request).encode(), headers=headers)
        try:
            with urllib.request.urlopen(http_request, timeout=self.request_timeout) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 429 or error.code >= 500:
                raise JudgeUnavailable(f"HTTP {error.code} from {self.url}") from None
            raise RuntimeError(f"HTTP {error.code} from {self.url}: {_clip(error.read().decode(errors='replace'))}") \
                from None
        except (OSError, http.client.HTTPException) as error:  # timeouts, refused and reset connections
            raise JudgeUnavailable(f"{self.url} unreachable: {error}") from None
        try:
            return body["choices"][0]["message"]["content"]
        except (LookupError, TypeError):
            raise ValueError(f"not a chat completion: {_clip(_text(body))}") from None

    def parse(self, reply: str) -> Score:
        """The score in the judge's reply: a JSON object (possibly in a ``` fence), else "score: N" in text."""
        found = re.search(r"\{.*\}", reply, re.DOTALL)
        parsed: Any = None
        if found:
            try:
                parsed = json.loads(found.group())
            except ValueError:
                parsed = None
        if isinstance(parsed, dict) and "score" in parsed:
            raw, explanation = parsed["score"], parsed.get("explanation")
            explanation = None if explanation is None else str(explanation)
        else:
            match = self.SCORE_IN_TEXT.search(reply)
            if match is None:
                raise ValueError(f"no score in the judge's reply: {_clip(reply)!r}")
            raw, explanation = match.group(1), reply.strip()
        if isinstance(raw, bool):
            return passed(self.name, raw, explanation, LLM_JUDGE)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            return Score(self.name, category=str(raw), source=LLM_JUDGE, explanation=explanation)
        return Score(self.name, value=value, source=LLM_JUDGE, explanation=explanation)


def grader_name(grader: Any) -> str:
    """The score name of a grader: its `name`, else its function's name."""
    return getattr(grader, "name", None) or getattr(grader, "__name__", None) or type(grader).__name__


def grade(grader: Any, input: Any, output: Any, expected: Any, metadata: Optional[Mapping[str, Any]] = None,
          timeout: Optional[float] = None) -> Score:
    """Runs one grader on one row and answers its Score; never raises.

    The grader gets the keyword arguments it accepts among input, output, expected and metadata. Its answer may
    be a Score, a bool (pass/fail), a number, a string (a category) or a dict of Score's fields. A grader that
    raises, answers something else, or runs longer than `timeout` seconds (default: its own `timeout`, else 60)
    gives a Score with `error` set. A timed-out grader's thread is left to finish in the background: Python cannot
    stop a thread.
    """
    name = grader_name(grader)
    timeout = getattr(grader, "timeout", 60.0) if timeout is None else timeout
    arguments = _arguments(grader, {"input": input, "output": output, "expected": expected, "metadata": metadata})
    outcome: List[Any] = []

    def call() -> None:
        try:
            outcome.append(("ok", grader(**arguments)))
        except BaseException as error:  # reported on the row, never raised into the eval
            outcome.append(("error", f"{type(error).__name__}: {error}"))

    if timeout is None:
        call()
    else:
        worker = threading.Thread(target=call, name=f"trackstack-grader-{name}", daemon=True)
        worker.start()
        worker.join(timeout)
        if not outcome:
            return Score(name, error=f"timed out after {timeout:g} s")
    kind, answer = outcome[0]
    if kind == "error":
        return Score(name, error=answer)
    try:
        return checked(as_score(name, answer))
    except (TypeError, ValueError) as error:
        return Score(name, error=str(error))


def checked(score: Score) -> Score:
    """`score` if it holds exactly one of value, boolean and category, and a finite value; else ValueError."""
    given = [field for field in ("value", "boolean", "category") if getattr(score, field) is not None]
    if score.error is None and len(given) != 1:
        raise ValueError(f"score {score.name!r} needs exactly one of value, boolean and category, not {given}")
    if score.value is not None and not math.isfinite(score.value):
        raise ValueError(f"score {score.name!r} is {score.value}, not a finite number")
    return score


def as_score(name: str, answer: Any) -> Score:
    """A grader's answer as a Score named `name` unless it names itself."""
    if isinstance(answer, Score):
        return answer
    if isinstance(answer, bool):
        return passed(name, answer)
    if isinstance(answer, (int, float)):
        return Score(name, value=float(answer))
    if isinstance(answer, str):
        return Score(name, category=answer)
    if isinstance(answer, Mapping):
        return Score(**dict({"name": name}, **answer))
    raise TypeError(f"grader {name!r} answered {type(answer).__name__}, not a Score, bool, number or string")


def _arguments(grader: Any, available: Dict[str, Any]) -> Dict[str, Any]:
    """The keyword arguments among `available` that `grader` accepts (all of them if it takes **kwargs)."""
    try:
        parameters = inspect.signature(grader).parameters.values()
    except (TypeError, ValueError):
        return available
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        return available
    names = {parameter.name for parameter in parameters}
    return {key: value for key, value in available.items() if key in names}


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = ["Score", "Grader", "ExactMatch", "Contains", "Regex", "JsonValid", "JsonSchema", "NumericTolerance",
           "LLMJudge", "DEFAULT_JUDGE_PROMPT", "grade", "as_score", "passed", "CODE", "LLM_JUDGE", "HUMAN"]
