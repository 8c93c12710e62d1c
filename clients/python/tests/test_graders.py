"""The graders, each on outputs that pass and outputs that fail; the LLM judge against a stub endpoint."""
import os
import re
import time
import unittest

from support import JudgeStub
from trackstack.graders import (CODE, LLM_JUDGE, Contains, ExactMatch, JsonSchema, JsonValid, LLMJudge,
                                NumericTolerance, Regex, Score, grade)


class CodeGradersTest(unittest.TestCase):
    def test_exact_match(self) -> None:
        self.assertTrue(ExactMatch()(output="Paris", expected="Paris").boolean)
        self.assertFalse(ExactMatch()(output="paris ", expected="Paris").boolean)
        self.assertTrue(ExactMatch(ignore_case=True, ignore_whitespace=True)(
            output="  new\n york ", expected="New York").boolean)
        self.assertFalse(ExactMatch(ignore_whitespace=True)(output="new york", expected="New York").boolean)
        score = ExactMatch()(output="a", expected="b")
        self.assertEqual((False, None, CODE, "exact_match"), (score.boolean, score.value, score.source, score.name))
        self.assertTrue(ExactMatch()(output={"b": 1, "a": 2}, expected={"a": 2, "b": 1}).boolean)

    def test_contains_and_regex(self) -> None:
        self.assertTrue(Contains()(output="The capital is Paris.", expected="Paris").boolean)
        self.assertFalse(Contains()(output="The capital is paris.", expected="Paris").boolean)
        self.assertTrue(Contains(ignore_case=True)(output="The capital is paris.", expected="Paris").boolean)
        self.assertTrue(Contains("capital")(output="The capital is Rome.", expected="Paris").boolean)
        self.assertTrue(Regex(r"\b\d{4}-\d{2}-\d{2}\b")(output="on 2024-05-01 it").boolean)
        self.assertFalse(Regex(r"^\d+$")(output="12a").boolean)
        self.assertTrue(Regex(r"^yes", flags=re.IGNORECASE)(output="YES, sure").boolean)

    def test_json_valid(self) -> None:
        self.assertTrue(JsonValid()(output='{"a": [1, 2]}').boolean)
        self.assertTrue(JsonValid()(output={"a": 1}).boolean)
        failed = JsonValid()(output='{"a": ')
        self.assertFalse(failed.boolean)
        self.assertIn("not JSON", failed.explanation)
        self.assertFalse(JsonValid()(output="NaN").boolean)

    def test_json_schema(self) -> None:
        schema = {"type": "object", "required": ["name", "age"], "additionalProperties": False,
                  "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 5},
                                 "age": {"type": "integer", "minimum": 0, "maximum": 150},
                                 "tags": {"type": "array", "items": {"enum": ["a", "b"]}},
                                 "nick": {"type": ["string", "null"]}}}
        grader = JsonSchema(schema)
        self.assertTrue(grader(output='{"name": "Ann", "age": 30, "tags": ["a"], "nick": null}').boolean)
        for output, violation in [
            ('{"name": "Ann"}', "missing required property 'age'"),
            ('{"name": "Ann", "age": 30.5}', "$.age: expected integer"),
            ('{"name": "Ann", "age": -1}', "$.age: -1 < minimum 0"),
            ('{"name": "Ann", "age": 151}', "$.age: 151 > maximum 150"),
            ('{"name": "", "age": 1}', "$.name: shorter than 1"),
            ('{"name": "Annabel", "age": 1}', "$.name: longer than 5"),
            ('{"name": "Ann", "age": 1, "tags": ["a", "c"]}', "$.tags[1]: \"c\" is not one of"),
            ('{"name": "Ann", "age": 1, "extra": 1}', "property 'extra' is not allowed"),
            ('{"name": "Ann", "age": true}', "$.age: expected integer, got bool"),
            ('[1]', "$: expected object"),
            ('{"name": ', "not JSON"),
        ]:
            with self.subTest(output):
                score = grader(output=output)
                self.assertFalse(score.boolean)
                self.assertIn(violation, score.explanation)
        typed_additional = JsonSchema({"type": "object", "additionalProperties": {"type": "number"}})
        self.assertTrue(typed_additional(output={"x": 1.5}).boolean)
        self.assertFalse(typed_additional(output={"x": "1.5"}).boolean)

    def test_numeric_tolerance(self) -> None:
        self.assertTrue(NumericTolerance()(output="The answer is 42.", expected=42).boolean)
        self.assertFalse(NumericTolerance()(output="41.9", expected="42").boolean)
        self.assertTrue(NumericTolerance(abs_tol=0.1)(output="41.95", expected=42).boolean)
        self.assertTrue(NumericTolerance(rel_tol=0.01)(output=1_005, expected=1_000).boolean)
        self.assertFalse(NumericTolerance(rel_tol=0.01)(output="1,011", expected=1_000).boolean)
        self.assertIn("no number", NumericTolerance()(output="forty-two", expected=42).explanation)

    def test_grade_turns_failures_into_errors_and_answers_into_scores(self) -> None:
        def crashes(output):
            raise KeyError("boom")

        def sleeps(output):
            time.sleep(2)
            return True

        def length(output, expected):  # takes only some of the arguments
            return len(output) / len(expected)

        self.assertEqual("KeyError: 'boom'", grade(crashes, "q", "a", "b").error)
        slow = grade(sleeps, "q", "a", "b", timeout=0.2)
        self.assertEqual(("sleeps", "timed out after 0.2 s", None), (slow.name, slow.error, slow.value))
        self.assertEqual(Score("length", value=0.5), grade(length, "q", "ab", "abcd"))
        self.assertEqual(Score("is_yes", boolean=False),
                         grade(_named("is_yes", lambda output: output == "yes"), "q", "no", ""))
        self.assertEqual(Score("tone", category="polite"), grade(_named("tone", lambda: "polite"), "q", "a", "b"))
        self.assertIn("not a Score", grade(_named("bad", lambda: [1]), "q", "a", "b").error)
        self.assertIn("no number", grade(NumericTolerance(), "q", "1", "none").error)
        self.assertIn("exactly one of", grade(_named("empty", lambda: Score("empty")), "q", "a", "b").error)
        self.assertIn("not a finite number", grade(_named("nan", lambda: float("nan")), "q", "a", "b").error)


def _named(name, function):
    function.__name__ = name
    return function


class LLMJudgeTest(unittest.TestCase):
    def setUp(self) -> None:
        self.stub = JudgeStub()
        self.addCleanup(self.stub.close)
        os.environ["TEST_JUDGE_KEY"] = "sk-test"
        self.addCleanup(os.environ.pop, "TEST_JUDGE_KEY")
        self.judge = LLMJudge(self.stub.url, "stub-model", api_key_env="TEST_JUDGE_KEY", backoff=0.05)

    def test_scores_with_the_key_and_explanation(self) -> None:
        score = self.judge(input="Capital of France?", output="Paris", expected="Paris")
        self.assertEqual((1.0, None, LLM_JUDGE), (score.value, score.boolean, score.source))
        self.assertEqual("'Paris' vs 'Paris'", score.explanation)
        self.assertEqual(0.0, self.judge(input="Capital of France?", output="Rome", expected="Paris").value)
        self.assertEqual(["Bearer sk-test"] * 2, self.stub.authorizations)

    def test_retries_429_and_5xx_then_scores(self) -> None:
        score = self.judge(input="q", output="flaky", expected="flaky")
        self.assertEqual(1.0, score.value)
        self.assertEqual(3, self.stub.requests)  # 503, 429, then the answer

    def test_gives_up_after_the_retries_with_an_error_on_the_row(self) -> None:
        score = grade(self.judge, "q", "broken", "x")
        self.assertEqual("llm_judge", score.name)
        self.assertIn("HTTP 500", score.error)
        self.assertIsNone(score.value)
        self.assertEqual(4, self.stub.requests)  # the first attempt and 3 retries

    def test_endpoint_down_is_an_error(self) -> None:
        self.stub.close()
        judge = LLMJudge(self.stub.url, "m", retries=1, backoff=0.01, request_timeout=1)
        self.assertIn("unreachable", grade(judge, "q", "a", "b").error)

    def test_parses_replies(self) -> None:
        self.assertEqual(Score("llm_judge", value=0.8, source=LLM_JUDGE, explanation="close"),
                         self.judge.parse('```json\n{"score": 0.8, "explanation": "close"}\n```'))
        self.assertEqual(Score("llm_judge", category="partial", source=LLM_JUDGE, explanation=None),
                         self.judge.parse('{"score": "partial"}'))
        self.assertEqual(0.3, self.judge.parse("I think... Score: 0.3 because").value)
        with self.assertRaisesRegex(ValueError, "no score"):
            self.judge.parse("I cannot grade this.")

    def test_renders_the_template(self) -> None:
        judge = LLMJudge("http://x/v1", "m", prompt="Q={{input}} E={{ expected }} O={{output}} M={{metadata}}")
        self.assertEqual('Q={"a": 1} E=b O=c M={"k": "v"}', judge.render({"a": 1}, "c", "b", {"k": "v"}))


if __name__ == "__main__":
    unittest.main()
