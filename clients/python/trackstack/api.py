"""The GraphQL calls the client makes, and how their failures are classified."""
from __future__ import annotations

import http.client
import json
import math
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, BinaryIO, Callable, Dict, List, NamedTuple, Optional, Sequence, TypeVar

T = TypeVar("T")

# Codes that mean "this request is wrong": sending it again as it is cannot succeed. UNAUTHENTICATED and FORBIDDEN:
# the server requires an API token (`token`), or one that may do this. CONFLICT: a compare-and-set lost (a prompt
# label moved meanwhile).
# The eval codes: a result or score naming an item not in the run's dataset version, a score its config refuses,
# compared runs of different dataset versions, a training run where an eval run is needed.
EVAL_REJECTION_CODES = {"ITEM_NOT_IN_DATASET", "INVALID_SCORE", "DATASET_VERSION_MISMATCH", "NOT_EVAL_RUN"}
REJECTION_CODES = {"BAD_USER_INPUT", "LIMIT_EXCEEDED", "NOT_FOUND", "UNAUTHENTICATED", "FORBIDDEN", "CONFLICT",
                   *EVAL_REJECTION_CODES}
# Of those, the codes that blame what was sent, or say that its run is gone: such data can never be stored and is
# dropped. Any other refusal (a token revoked or missing, an HTTP status) is kept and sent again later.
DATA_REJECTION_CODES = {"BAD_USER_INPUT", "LIMIT_EXCEEDED", "NOT_FOUND", *EVAL_REJECTION_CODES}


class FileRegion(NamedTuple):
    """`length` bytes of an open file from `offset`: a request body sent with sendfile(2) where the OS has it, so
    that the bytes go from the page cache to the socket without passing through Python."""
    file: BinaryIO
    offset: int
    length: int


class TrackstackError(Exception):
    """A call to the server failed; `code` is the GraphQL `extensions.code` or an HTTP status."""

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code


class ServerUnavailable(TrackstackError):
    """The server could not be reached or could not serve the request now; worth retrying later."""


class RequestRejected(TrackstackError):
    """The server refused the request itself (bad input, a limit, an unknown id, no valid token); retrying it as it
    is will not help."""

    @property
    def blames_data(self) -> bool:
        """Whether the refusal is about what was sent (or its run is gone), so that it can never be stored."""
        return self.code in DATA_REJECTION_CODES


def encode_value(value: float) -> Any:
    """A metric value as the API carries it: a JSON number, or "NaN", "Infinity", "-Infinity"."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _first_error(error: Any) -> "tuple[Optional[str], Optional[str]]":
    """The message and code of the GraphQL-shaped error body the server sends with a 4xx status, if any (`error`: an
    HTTPError or an HTTPResponse)."""
    try:
        first = json.load(error)["errors"][0]
        return first["message"], (first.get("extensions") or {}).get("code")
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None, None


class Api:
    """A GraphQL endpoint of a Trackstack server."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.endpoint = self.url if self.url.endswith("/graphql") else self.url + "/graphql"
        self.token = token
        self.timeout = timeout

    @classmethod
    def of(cls, url: Optional[str], token: Optional[str]) -> "Api":
        """The server `url` (default $TRACKSTACK_URL, else http://localhost:8080) with `token` (default
        $TRACKSTACK_TOKEN), as the client's entry points take them."""
        return cls(url or os.environ.get("TRACKSTACK_URL") or "http://localhost:8080",
                   token if token is not None else os.environ.get("TRACKSTACK_TOKEN"))

    def execute(self, query: str, **variables: Any) -> Dict[str, Any]:
        """Runs one query or mutation and answers its `data`; raises ServerUnavailable or RequestRejected."""
        body = self._post(self.endpoint, {"query": query, "variables": variables})
        if not isinstance(body, dict):
            raise ServerUnavailable(f"{self.endpoint} answered something other than a GraphQL response")
        errors = body.get("errors")
        if errors:
            error = errors[0]
            code = (error.get("extensions") or {}).get("code")
            message = f"{error.get('message')} ({code})"
            if code in REJECTION_CODES:
                raise RequestRejected(message, code)
            raise ServerUnavailable(message, code)  # UNAVAILABLE, INTERNAL: the server's trouble, not the data's
        return body["data"]

    def export_spans(self, project: str, run_id: Optional[str], spans: List[Dict[str, Any]]) -> None:
        """Sends spans (OTLP JSON) of `project`, linked to the run `run_id` if given, to the OTLP endpoint."""
        resource = {"service.name": "trackstack-python", "trackstack.project": project, "trackstack.run.id": run_id}
        request = {"resourceSpans": [{
            "resource": {"attributes": [{"key": key, "value": {"stringValue": value}}
                                        for key, value in resource.items() if value is not None]},
            "scopeSpans": [{"scope": {"name": "trackstack.trace"}, "spans": spans}]}]}
        try:
            self._post(self.endpoint[:-len("/graphql")] + "/v1/traces", request)
        except RequestRejected as error:
            if error.code in ("400", "413"):  # OTLP says why in a google.rpc.Status: the spans can never be stored
                raise RequestRejected(str(error), "BAD_USER_INPUT") from None
            raise

    def _post(self, endpoint: str, request: Dict[str, Any]) -> Any:
        """POSTs `request` as JSON and answers the JSON body; raises ServerUnavailable or RequestRejected."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        http_request = urllib.request.Request(endpoint, data=json.dumps(request).encode(), headers=headers)
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            status = error.code
            if status >= 500 or status in (408, 429):
                raise ServerUnavailable(f"HTTP {status} from {endpoint}", str(status)) from None
            # The body says why, as a GraphQL error: 401 no valid API token, 413 LIMIT_EXCEEDED, 400 BAD_USER_INPUT.
            message, code = _first_error(error)
            if status == 401:
                code, message = "UNAUTHENTICATED", message or "no valid API token"
            raise RequestRejected(f"HTTP {status} from {endpoint}" + (f": {message}" if message else ""),
                                  code if code in REJECTION_CODES else str(status)) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            # OSError covers refused and reset connections and timeouts; ValueError a cut-off body.
            raise ServerUnavailable(f"{endpoint} unreachable: {error}") from None

    def transfer(self, method: str, path: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
                 accept: Sequence[int] = ()) -> http.client.HTTPResponse:
        """Sends one request of the artifact transfer API (`path` under the server's URL) and answers the response,
        unread: the caller reads it (a download, streamed) and closes it. `body` may be bytes or a FileRegion (never
        held whole); statuses in `accept` are answered like 2xx ones. Raises ServerUnavailable (no connection, a cut
        one, 5xx) or RequestRejected (any other status, with the server's code)."""
        parts = urllib.parse.urlsplit(self.url)
        connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_type(parts.netloc, timeout=self.timeout)
        headers = dict(headers or {}, Connection="close")  # one request per connection, closed with its response
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        target = parts.path.rstrip("/") + path
        try:
            if isinstance(body, FileRegion):
                connection.request(method, target, headers=dict(headers, **{"Content-Length": str(body.length)}))
                sent = connection.sock.sendfile(body.file, body.offset, body.length) if body.length else 0
                if sent < body.length:
                    raise OSError(f"{body.file.name} ended {body.length - sent} bytes before the part did")
            else:
                connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as error:
            raise ServerUnavailable(f"{method} {self.url}{path} failed: {error}") from None
        finally:
            # One request per connection. Closing the socket, not the connection (which would close the response
            # too): the response still reads its body from the socket, which really closes when the response does.
            if connection.sock is not None:
                connection.sock.close()
                connection.sock = None
        status = response.status
        if status < 300 or status in accept:
            return response
        with response:
            message, code = _first_error(response) if method != "HEAD" else (None, None)
        if status >= 500 or status in (408, 429):
            raise ServerUnavailable(f"HTTP {status} from {method} {path}" + (f": {message}" if message else ""),
                                    code or str(status))
        if status == 401:
            code, message = "UNAUTHENTICATED", message or "no valid API token"
        raise RequestRejected(f"HTTP {status} from {method} {path}" + (f": {message}" if message else ""),
                              code or str(status))

    def log_artifact(self, artifact: Dict[str, Any]) -> Dict[str, Any]:
        """Sends an artifact version's manifest (LogArtifactInput); answers {"version", "created", "missingBlobs"}."""
        data = self.execute("mutation($input: LogArtifactInput!) { logArtifact(input: $input) "
                            "{ created missingBlobs version { " + ARTIFACT_VERSION_FIELDS + " } } }", input=artifact)
        return data["logArtifact"]

    def use_artifact(self, run_id: str, project: str, name: str, version: Optional[int],
                     alias: Optional[str]) -> int:
        """Records that the run used a version (the latest when neither `version` nor `alias`); answers its number."""
        data = self.execute("mutation($runId: ID!, $project: String!, $name: String!, $version: Int, $alias: String) "
                            "{ useArtifact(runId: $runId, project: $project, name: $name, version: $version, "
                            "alias: $alias) { version } }",
                            runId=run_id, project=project, name=name, version=version, alias=alias)
        return int(data["useArtifact"]["version"])

    def artifact_version(self, project: str, name: str, version: Optional[int] = None,
                         alias: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """A version with all its files ({"path", "size", "sha256"} in "fileList"); the latest when neither
        `version` nor `alias`. None when the token does not cover the project; RequestRejected NOT_FOUND when
        there is no such artifact, version or alias."""
        found: Optional[Dict[str, Any]] = None
        files: List[Dict[str, Any]] = []
        after = None
        while True:
            data = self.execute(
                "query($project: String!, $name: String!, $version: Int, $alias: String, $after: String) "
                "{ artifactVersion(project: $project, name: $name, version: $version, alias: $alias) { "
                + ARTIFACT_VERSION_FIELDS + " files(first: 500, after: $after) { edges { node { path size sha256 } }"
                " pageInfo { hasNextPage endCursor } } } }",
                project=project, name=name, version=version, alias=alias, after=after)["artifactVersion"]
            if data is None:
                return None
            # Later pages by number: an alias could move between two pages.
            found, version, alias = found or data, data["version"], None
            files.extend(edge["node"] for edge in data["files"]["edges"])
            if not data["files"]["pageInfo"]["hasNextPage"]:
                return dict(found, fileList=files)
            after = data["files"]["pageInfo"]["endCursor"]

    def create_model(self, project: str, name: str) -> str:
        """Gets or creates the model `name` of `project`; answers its id."""
        data = self.execute("mutation($project: String!, $name: String!) "
                            "{ createModel(project: $project, name: $name) { id } }", project=project, name=name)
        return data["createModel"]["id"]

    def create_run(self, model_id: str, name: Optional[str], hyperparameters: Dict[str, Any],
                   tags: Sequence[str], notes: Optional[str]) -> str:
        """Starts a RUNNING run of the model; answers its id."""
        data = self.execute(
            "mutation($modelId: ID!, $name: String, $hyperparameters: JSON, $tags: [String!], $notes: String) "
            "{ createRun(modelId: $modelId, name: $name, hyperparameters: $hyperparameters, tags: $tags, notes: $notes)"
            " { id } }",
            modelId=model_id, name=name, hyperparameters=hyperparameters, tags=list(tags), notes=notes)
        return data["createRun"]["id"]

    def log_metrics(self, run_id: str, points: List[Dict[str, Any]], batch_id: str) -> Dict[str, int]:
        """Appends points (already encoded: name, split, step, value, time) to a run; answers {"accepted": n,
        "duplicates": m}. They travel column by column, the form the server parses without an object per point."""
        data = self.execute(
            "mutation($runId: ID!, $columns: [MetricColumnsInput!], $batchId: String) "
            "{ logMetrics(runId: $runId, columns: $columns, batchId: $batchId) { accepted duplicates } }",
            runId=run_id, columns=metric_columns(points), batchId=batch_id)
        return data["logMetrics"]

    def log_media(self, run_id: str, items: List[Dict[str, Any]], batch_id: str) -> Dict[str, Any]:
        """Stores media items (MediaItemInput); answers {"stored": n, "errors": [{"index", "code", "message"}]},
        the items refused (each alone: the others are stored)."""
        data = self.execute(
            "mutation($runId: ID!, $items: [MediaItemInput!]!, $batchId: String) "
            "{ logMedia(runId: $runId, items: $items, batchId: $batchId) { stored errors { index code message } } }",
            runId=run_id, items=items, batchId=batch_id)
        return data["logMedia"]

    def log_console(self, run_id: str, lines: List[Dict[str, Any]]) -> Dict[str, int]:
        """Stores console lines ({"line", "stream", "text", "time"}); answers {"accepted", "duplicates", "dropped"}."""
        data = self.execute(
            "mutation($runId: ID!, $lines: [ConsoleLineInput!]!) "
            "{ logConsole(runId: $runId, lines: $lines) { accepted duplicates dropped } }", runId=run_id, lines=lines)
        return data["logConsole"]

    def console_last_line(self, run_id: str) -> Optional[int]:
        """The highest console line number the run has stored; None when it has none."""
        data = self.execute("query($id: ID!) { run(id: $id) { console(first: 0) { lastLine } } }", id=run_id)
        run = data["run"]
        return None if run is None or run["console"]["lastLine"] is None else int(run["console"]["lastLine"])

    def set_run_environment(self, run_id: str, environment: Dict[str, Any]) -> None:
        """Records the run's hardware and software environment (a JSON object)."""
        self.execute("mutation($runId: ID!, $environment: JSON!) "
                     "{ setRunEnvironment(runId: $runId, environment: $environment) { id } }",
                     runId=run_id, environment=environment)

    def update_run_status(self, run_id: str, status: str, failure: Optional[Dict[str, str]] = None) -> None:
        """Sets the run's status: RUNNING, COMPLETED or FAILED; `failure` ({type, message, traceback}) says why."""
        self.execute("mutation($runId: ID!, $status: RunStatus!, $failure: RunFailureInput) "
                     "{ updateRunStatus(runId: $runId, status: $status, failure: $failure) { id } }",
                     runId=run_id, status=status, failure=failure)

    def heartbeat(self, run_id: str) -> None:
        """Tells the server the run's process is alive."""
        self.execute("mutation($runId: ID!) { heartbeat(runId: $runId) { id } }", runId=run_id)

    def rewind_run(self, run_id: str, to_step: int) -> int:
        """Removes the run's points after `to_step`; answers how many were removed."""
        data = self.execute("mutation($runId: ID!, $toStep: Long!) { rewindRun(runId: $runId, toStep: $toStep) }",
                            runId=run_id, toStep=to_step)
        return int(data["rewindRun"])

    def add_dataset_items(self, project: str, dataset: str, items: List[Dict[str, Any]],
                          description: Optional[str] = None) -> Dict[str, Any]:
        """Adds items ({"input", "expected", "metadata"}) to a dataset as a new version (none when nothing is new);
        answers {"version": {...}, "created": bool, "itemIds": [...]}."""
        data = self.execute(
            "mutation($project: String!, $dataset: String!, $items: [DatasetItemInput!]!, $description: String) "
            "{ addDatasetItems(project: $project, dataset: $dataset, items: $items, description: $description) "
            "{ created itemIds version { " + DATASET_VERSION_FIELDS + " } } }",
            project=project, dataset=dataset, items=items, description=description)
        return data["addDatasetItems"]

    def dataset_version(self, project: str, dataset: str, version: Optional[int]) -> Optional[Dict[str, Any]]:
        """A version of a dataset (None: the latest); None when there is no such dataset or version."""
        if version is None:
            data = self.execute("query($project: String!, $name: String!) { dataset(project: $project, name: $name) "
                                "{ latestVersion { " + DATASET_VERSION_FIELDS + " } } }", project=project, name=dataset)
            return data["dataset"] and data["dataset"]["latestVersion"]
        after = None
        while True:  # newest first: a version is usually near the top
            found = self.execute(
                "query($project: String!, $name: String!, $after: String) { dataset(project: $project, name: $name) "
                "{ versions(first: 100, after: $after) { edges { node { " + DATASET_VERSION_FIELDS + " } } "
                "pageInfo { hasNextPage endCursor } } } }", project=project, name=dataset, after=after)["dataset"]
            if found is None:
                return None
            for edge in found["versions"]["edges"]:
                if edge["node"]["version"] == version:
                    return edge["node"]
            if not found["versions"]["pageInfo"]["hasNextPage"]:
                return None
            after = found["versions"]["pageInfo"]["endCursor"]

    def dataset_items(self, version_id: str, page_size: int = 500) -> List[Dict[str, Any]]:
        """All items of a dataset version, in order."""
        items: List[Dict[str, Any]] = []
        after = None
        while True:
            data = self.execute(
                "query($id: ID!, $first: Int, $after: String) { datasetVersion(id: $id) { items(first: $first, "
                "after: $after) { edges { node { id input expected metadata } } pageInfo { hasNextPage endCursor } } } }",
                id=version_id, first=page_size, after=after)
            if data["datasetVersion"] is None:
                raise RequestRejected(f"no dataset version {version_id}", "NOT_FOUND")
            page = data["datasetVersion"]["items"]
            items.extend(edge["node"] for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return items
            after = page["pageInfo"]["endCursor"]

    def create_eval_run(self, model_id: str, dataset_version_id: str, name: Optional[str],
                        evaluation: Dict[str, Any], tags: Sequence[str], notes: Optional[str]) -> str:
        """Starts a RUNNING eval run of the model on a dataset version; `evaluation` holds promptName,
        promptVersion, settings and repetitions. Answers its id."""
        data = self.execute(
            "mutation($modelId: ID!, $datasetVersionId: ID!, $name: String, $promptName: String, "
            "$promptVersion: Int, $settings: JSON, $tags: [String!], $notes: String, $repetitions: Int) "
            "{ createEvalRun(modelId: $modelId, datasetVersionId: $datasetVersionId, name: $name, "
            "promptName: $promptName, promptVersion: $promptVersion, settings: $settings, tags: $tags, notes: $notes, "
            "repetitions: $repetitions) { id } }",
            modelId=model_id, datasetVersionId=dataset_version_id, name=name, tags=list(tags), notes=notes,
            promptName=evaluation.get("promptName"), promptVersion=evaluation.get("promptVersion"),
            settings=evaluation.get("settings") or {}, repetitions=evaluation.get("repetitions", 1))
        return data["createEvalRun"]["id"]

    def log_eval_results(self, run_id: str, results: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Stores results of an eval run (idempotent on item and repetition); answers {"results", "scores"}."""
        data = self.execute("mutation($runId: ID!, $results: [EvalResultInput!]!) "
                            "{ logEvalResults(runId: $runId, results: $results) { results scores } }",
                            runId=run_id, results=results)
        return data["logEvalResults"]

    def log_scores(self, run_id: str, scores: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Adds or replaces scores of an eval run's results; answers {"results", "scores"}."""
        data = self.execute("mutation($runId: ID!, $scores: [ScoreInput!]!) "
                            "{ logScores(runId: $runId, scores: $scores) { results scores } }",
                            runId=run_id, scores=scores)
        return data["logScores"]

    def set_score_config(self, project: str, config: Dict[str, Any]) -> Dict[str, Any]:
        """Sets the config of a score name in a project ({"name", "type", "min", "max", "higherIsBetter", ...})."""
        data = self.execute("mutation($project: String!, $config: ScoreConfigInput!) "
                            "{ setScoreConfig(project: $project, config: $config) { name type higherIsBetter } }",
                            project=project, config=config)
        return data["setScoreConfig"]

    def eval_aggregates(self, run_id: str) -> Optional[Dict[str, Any]]:
        """An eval run's aggregates as the server last computed them; None for no such run."""
        data = self.execute(
            "query($id: ID!) { run(id: $id) { evaluation { aggregates { items errored expected "
            "scores { name type count mean passRate categories { category count } } } } } }", id=run_id)
        run = data["run"]
        return None if run is None or run["evaluation"] is None else run["evaluation"]["aggregates"]


DATASET_VERSION_FIELDS = "id version itemCount dataset { project name }"
ARTIFACT_VERSION_FIELDS = "version digest size metadata aliases artifact { project name type }"
DEFAULT_RETRY_BUDGET = 10.0  # seconds


def with_retry(call: Callable[[], T], budget: float, give_up: Optional[threading.Event] = None) -> T:
    """Calls `call`, retrying on ServerUnavailable with exponential backoff for about `budget` seconds.

    Re-raises the last ServerUnavailable once the budget is spent or `give_up` is set.
    """
    deadline = time.monotonic() + budget
    delay = 0.2
    while True:
        try:
            return call()
        except ServerUnavailable:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (give_up is not None and give_up.is_set()):
                raise
            pause = min(delay * random.uniform(0.8, 1.2), remaining)  # jitter: clients do not retry in lockstep
            if give_up is not None:
                give_up.wait(pause)
            else:
                time.sleep(pause)
            delay = min(delay * 2, 5.0)


def metric_columns(points: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Points as logMetrics' columns: one per series, in order of first appearance, with the steps, values and times
    of its points in their order. A column's times are given for all its points or for none, so points with a time
    and points without one (the server stamps their arrival) go in two columns of the same series."""
    columns: Dict[Any, Dict[str, Any]] = {}
    for point in points:
        time = point.get("time")
        key = (point["name"], point.get("split") or None, time is None)
        column = columns.get(key)
        if column is None:
            column = columns[key] = {"name": key[0], "split": key[1], "steps": [], "values": []}
            if time is not None:
                column["times"] = []
        column["steps"].append(point["step"])
        column["values"].append(point["value"])
        if time is not None:
            column["times"].append(time)
    return list(columns.values())
