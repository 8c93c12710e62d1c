"""The prompt registry: versioned prompts fetched by label, cached, and compiled with their variables.

    import trackstack
    prompt = trackstack.get_prompt("support/triage")            # the version labelled production
    text = prompt.compile(ticket="My order is late")

A fetched prompt is cached for `cache_ttl` seconds (default 60). After that the cached copy is still answered at
once while a background thread fetches the label again (stale-while-revalidate), and it stays in use while the
server cannot be reached: a running application keeps its prompts through an outage.

Where: `project` (default $TRACKSTACK_PROJECT, else "default") on the server `url` (default $TRACKSTACK_URL, else
http://localhost:8080) with `token` (default $TRACKSTACK_TOKEN), as for trackstack.trace.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .api import Api, RequestRejected, ServerUnavailable

log = logging.getLogger("trackstack")

DEFAULT_CACHE_TTL = 60.0  # seconds
# As the server finds them: {{name}}, spaces allowed inside the braces.
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_FIELDS = "name type version text messages { role content } variables config commitMessage labels"
_NO_LABEL = object()


class MissingVariable(KeyError):
    """`Prompt.compile` was not given every variable of the template; `missing` names those left out."""

    def __init__(self, prompt: str, missing: Sequence[str]) -> None:
        super().__init__(f"prompt {prompt} needs the variables {', '.join(missing)}")
        self.missing = list(missing)

    def __str__(self) -> str:  # KeyError's own str would show the message in quotes
        return str(self.args[0])


class Prompt:
    """One version of a prompt, as saved: `template` is a str (TEXT) or a list of {"role", "content"} (CHAT)."""

    def __init__(self, project: str, data: Mapping[str, Any]) -> None:
        self.project = project
        self.name: str = data["name"]
        self.type: str = data["type"]
        self.version: int = data["version"]
        self.template: Union[str, List[Dict[str, str]]] = (
            data["text"] if data["type"] == "TEXT" else [dict(message) for message in data["messages"]])
        self.variables: List[str] = list(data["variables"])
        self.config: Dict[str, Any] = dict(data["config"])
        self.commit_message: Optional[str] = data.get("commitMessage")
        self.labels: List[str] = list(data.get("labels") or [])

    def compile(self, **variables: Any) -> Union[str, List[Dict[str, str]]]:
        """The template with each {{variable}} replaced by str(value): a str for TEXT, a list of messages for CHAT.

        Raises MissingVariable (a KeyError) naming every variable not given; extra ones are ignored."""
        missing = [name for name in self.variables if name not in variables]
        if missing:
            raise MissingVariable(f"{self.name} (version {self.version})", missing)

        def fill(text: str) -> str:
            return _VARIABLE.sub(lambda match: str(variables[match.group(1)]), text)

        if isinstance(self.template, str):
            return fill(self.template)
        return [{"role": message["role"], "content": fill(message["content"])} for message in self.template]

    def span_attributes(self) -> Dict[str, Any]:
        """The attributes that link a traced LLM call to this version (its usage in the dashboard)."""
        return {"gen_ai.prompt.name": self.name, "trackstack.prompt.version": self.version}

    def __repr__(self) -> str:
        return f"Prompt({self.name!r}, version={self.version}, type={self.type})"


class _Entry:
    def __init__(self, prompt: Prompt) -> None:
        self.prompt = prompt
        self.fetched = time.monotonic()
        self.refreshing = False


_cache: Dict[Tuple[Any, ...], _Entry] = {}
_cache_lock = threading.Lock()


def _project(project: Optional[str]) -> str:
    return project or os.environ.get("TRACKSTACK_PROJECT") or "default"


def _fetch(api: Api, project: str, name: str, label: Optional[str], version: Optional[int]) -> Prompt:
    data = api.execute("query($project: String!, $name: String!, $label: String, $version: Int) "
                       "{ prompt(project: $project, name: $name, label: $label, version: $version) { %s } }" % _FIELDS,
                       project=project, name=name, label=label, version=version)
    if data["prompt"] is None:  # a token limited to other projects sees nothing here
        raise RequestRejected(f"project {project} is not visible to this token", "NOT_FOUND")
    return Prompt(project, data["prompt"])


def _refresh(key: Tuple[Any, ...], entry: _Entry, api: Api) -> None:
    try:
        prompt = _fetch(api, *key[1:])
        with _cache_lock:
            _cache[key] = _Entry(prompt)
    except Exception as error:  # the cached copy stays in use; the next get after the TTL tries again
        log.debug("trackstack: refreshing prompt %s failed, keeping version %s: %s", key[2], entry.prompt.version,
                  error)
    finally:
        entry.refreshing = False


def get_prompt(name: str, label: Optional[str] = None, version: Optional[int] = None, project: Optional[str] = None,
               *, url: Optional[str] = None, token: Optional[str] = None,
               cache_ttl: Optional[float] = None) -> Prompt:
    """The prompt `name`'s version `version`, else the one `label` points at, else the one labelled production.

    cache_ttl: seconds a fetched copy is fresh (default 60; 0: always fetch). A stale copy is answered at once and
    fetched again in the background; the first fetch of a prompt raises RequestRejected (code NOT_FOUND: no such
    prompt, label or version) or ServerUnavailable."""
    ttl = DEFAULT_CACHE_TTL if cache_ttl is None else cache_ttl
    api = Api.of(url, token)
    key = (api.endpoint, _project(project), name, label, version)
    with _cache_lock:
        entry = _cache.get(key)
        if entry is not None and ttl > 0:
            if time.monotonic() - entry.fetched >= ttl and not entry.refreshing:
                entry.refreshing = True
                threading.Thread(target=_refresh, args=(key, entry, api), name="trackstack-prompt",
                                 daemon=True).start()
            return entry.prompt
    try:
        prompt = _fetch(api, *key[1:])
    except ServerUnavailable:
        if entry is None:
            raise
        return entry.prompt  # cache_ttl 0 with the server down: the last copy rather than nothing
    with _cache_lock:
        _cache[key] = _Entry(prompt)
    return prompt


def _forget(endpoint: str, project: str, name: str) -> None:
    """Drops this process's cached copies of the prompt: a save or a label move of our own shows at once."""
    with _cache_lock:
        for key in [key for key in _cache if key[:3] == (endpoint, project, name)]:
            del _cache[key]


def save_prompt(name: str, template: Union[str, Sequence[Mapping[str, str]]], *,
                config: Optional[Mapping[str, Any]] = None, commit_message: Optional[str] = None,
                project: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None) -> Prompt:
    """Saves a version: `template` a str (a TEXT prompt) or a list of {"role", "content"} (CHAT). The same template
    and config as an earlier version answers that version; otherwise a new one, numbered one more."""
    api = Api.of(url, token)
    project = _project(project)
    prompt_input: Dict[str, Any] = {"project": project, "name": name, "config": dict(config or {}),
                                    "commitMessage": commit_message}
    if isinstance(template, str):
        prompt_input["text"] = template
    else:
        prompt_input["messages"] = [{"role": m["role"], "content": m["content"]} for m in template]
    data = api.execute("mutation($input: SavePromptInput!) { savePrompt(input: $input) { version { %s } } }" % _FIELDS,
                       input=prompt_input)
    _forget(api.endpoint, project, name)
    return Prompt(project, data["savePrompt"]["version"])


def set_prompt_label(name: str, label: str, version: int, *, expected_version: Any = _NO_LABEL,
                     project: Optional[str] = None, url: Optional[str] = None, token: Optional[str] = None) -> int:
    """Points `label` of the prompt at `version`, compare-and-set: `expected_version` is the version the label
    points at now (None: it must not exist yet); left out, the label's current version is read first. Raises
    RequestRejected with code CONFLICT when the label moved meanwhile, FORBIDDEN for a protected label without a
    MAINTAIN token. Answers the version it points at."""
    api = Api.of(url, token)
    project = _project(project)
    if expected_version is _NO_LABEL:
        labels = api.execute("query($project: String!, $name: String!) { prompt(project: $project, name: $name, "
                             "label: \"latest\") { prompt { labels { label version } } } }",
                             project=project, name=name)["prompt"]["prompt"]["labels"]
        expected_version = next((found["version"] for found in labels if found["label"] == label), None)
    data = api.execute("mutation($project: String!, $name: String!, $label: String!, $version: Int!, $expected: Int) "
                       "{ movePromptLabel(project: $project, name: $name, label: $label, version: $version, "
                       "expectedVersion: $expected) { version } }",
                       project=project, name=name, label=label, version=version, expected=expected_version)
    _forget(api.endpoint, project, name)
    return data["movePromptLabel"]["version"]
