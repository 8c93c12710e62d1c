"""Importers of other eval tools' outputs: each becomes a dataset (its items) and eval runs (results and scores).

- lm-evaluation-harness, run with `--output_path DIR --log_samples`: `results_<time>.json` and, per task,
  `samples_<task>_<time>.jsonl`. Per task: the dataset `lm-eval/<task>` (item: input = the doc, expected = the
  target, metadata = task and doc_id) and an eval run with one result per doc (output: the arguments and filtered
  responses) scored by its per-sample metrics, named as lm-eval names them ("acc", or "exact_match,strict-match"
  for a filter other than "none"). `higher_is_better` becomes the score configs; the task's aggregate numbers
  (stderr included) are also logged as the run's metrics at step 0, split "lm-eval". A task without a samples file
  is skipped (lm-eval ran without --log_samples).
- promptfoo, `promptfoo eval -o results.json` (the results format of version 3 and later): the dataset
  `promptfoo/<description or evalId>` (item: input = the test's vars, expected = its assertions, metadata = its
  description) and one eval run per provider and prompt, with the response, latency, cost and tokens per test,
  scored "pass" (boolean), "score" (number), each assertion by its metric or type (boolean, with its reason) and
  each named score.

    python -m trackstack import lm-eval DIR --project P
    python -m trackstack import promptfoo results.json --project P
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from .evals import add_items, eval_run, set_score_config
from .graders import Score

log = logging.getLogger("trackstack")


def import_lm_eval(directory: Union[str, Path], project: str, url: Optional[str] = None,
                   token: Optional[str] = None) -> List[Dict[str, Any]]:
    """Imports every results_*.json under `directory` (searched recursively) with its samples files; answers the
    summaries of the eval runs made, one per task."""
    results_files = sorted(Path(directory).rglob("results_*.json"))
    if not results_files:
        raise ValueError(f"no results_*.json under {directory}")
    summaries = []
    for results_path in results_files:
        stamp = results_path.stem[len("results_"):]
        results = json.loads(results_path.read_text(encoding="utf-8"))
        for task, aggregates in results.get("results", {}).items():
            samples_path = results_path.with_name(f"samples_{task}_{stamp}.jsonl")
            if not samples_path.is_file():
                log.warning("Trackstack skips lm-eval task %s: no %s (run lm-eval with --log_samples)",
                            task, samples_path.name)
                continue
            summaries.append(_import_lm_eval_task(project, task, results, aggregates, samples_path, url, token))
    return summaries


def _import_lm_eval_task(project: str, task: str, results: Dict[str, Any], aggregates: Dict[str, Any],
                         samples_path: Path, url: Optional[str], token: Optional[str]) -> Dict[str, Any]:
    samples = [json.loads(line) for line in samples_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs: Dict[Any, List[Dict[str, Any]]] = {}  # doc_id: its lines, one per filter
    for sample in samples:
        docs.setdefault(sample["doc_id"], []).append(sample)
    items = [{"input": lines[0]["doc"], "expected": lines[0].get("target"),
              "metadata": {"task": task, "doc_id": doc_id}} for doc_id, lines in docs.items()]
    version = add_items(project, f"lm-eval/{task}", items, description=f"lm-evaluation-harness task {task}",
                        url=url, token=token)
    scores_of = [[Score(_lm_eval_score_name(metric, line.get("filter", "none")), value=float(line[metric]))
                  for line in lines for metric in _sample_metrics(line)] for lines in docs.values()]
    higher_is_better = (results.get("higher_is_better") or {}).get(task) or {}
    for name in sorted({score.name for scores in scores_of for score in scores}):
        metric = name.split(",")[0]
        if metric in higher_is_better:
            set_score_config(project, name, "NUMERIC", higher_is_better=bool(higher_is_better[metric]), url=url,
                             token=token)
    config = results.get("config") or {}
    model = results.get("model_name") or str(config.get("model_args") or config.get("model") or "lm-eval")
    settings = dict(config, **{"n-shot": (results.get("n-shot") or {}).get(task),
                               "version": (results.get("versions") or {}).get(task),
                               "task_hash": (results.get("task_hashes") or {}).get(task)})
    run = eval_run(version, model, f"{task} · {model}", settings=settings, tags=["lm-eval"],
                   notes=f"Imported from lm-evaluation-harness (git {results.get('git_hash')}).", url=url,
                   token=token)
    for item_id, lines, scores in zip(version.item_ids, docs.values(), scores_of):
        output = {"arguments": lines[0].get("arguments"),
                  "filtered_resps": {line.get("filter", "none"): line.get("filtered_resps") for line in lines}}
        run.log_prediction(item_id, output, scores=scores)
    run.log({key: value for key, value in aggregates.items() if isinstance(value, (int, float))
             and not isinstance(value, bool)}, step=0, split="lm-eval")
    run.finish()
    return run.summary()


def _sample_metrics(line: Dict[str, Any]) -> List[str]:
    """The per-sample metric values of a samples line: the names in its "metrics" (lm-eval 0.4.3 on) that hold
    a number; corpus-level metrics (bleu's pairs) are left to the run's metrics."""
    names = line.get("metrics") or [key for key in line if key not in _SAMPLE_FIELDS]
    return [name for name in names if isinstance(line.get(name), (int, float))]


_SAMPLE_FIELDS = {"doc_id", "doc", "target", "arguments", "resps", "filtered_resps", "filter", "metrics",
                  "doc_hash", "prompt_hash", "target_hash"}


def _lm_eval_score_name(metric: str, filter_name: str) -> str:
    return metric if filter_name == "none" else f"{metric},{filter_name}"


def import_promptfoo(path: Union[str, Path], project: str, dataset: Optional[str] = None, url: Optional[str] = None,
                     token: Optional[str] = None) -> List[Dict[str, Any]]:
    """Imports a promptfoo results.json; answers the summaries of the eval runs made, one per provider and prompt."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    body = document.get("results")
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ValueError(f"{path} is not a promptfoo results file of version 3 or later ('results.results')")
    rows = body["results"]
    if not rows:
        raise ValueError(f"{path} holds no results")
    name = dataset or "promptfoo/" + ((document.get("config") or {}).get("description")
                                      or document.get("evalId") or Path(path).stem)
    tests: Dict[int, Dict[str, Any]] = {}
    for row in rows:
        tests.setdefault(row["testIdx"], _promptfoo_item(row))
    ordered = sorted(tests)
    version = add_items(project, name, [tests[index] for index in ordered], description=f"promptfoo {path}",
                        url=url, token=token)
    item_of = dict(zip(ordered, version.item_ids))
    runs: Dict[Tuple[str, int], List[Dict[str, Any]]] = {}
    for row in rows:
        runs.setdefault((_provider_id(row), row.get("promptIdx", 0)), []).append(row)
    summaries = []
    for (provider, prompt_index), run_rows in runs.items():
        prompt = run_rows[0].get("prompt") or {}
        repeats: Dict[int, int] = {}
        for row in run_rows:
            repeats[row["testIdx"]] = repeats.get(row["testIdx"], 0) + 1
        label = prompt.get("label") or f"prompt {prompt_index}"
        run = eval_run(version, provider, f"{provider} · {label}"[:256], prompt_name=label[:256],
                       settings={"provider": run_rows[0].get("provider"), "prompt": prompt.get("raw")},
                       repetitions=max(repeats.values()), tags=["promptfoo"],
                       notes=f"Imported from promptfoo eval {document.get('evalId')}.", url=url, token=token)
        seen: Dict[int, int] = {}
        for row in run_rows:
            repetition = seen.get(row["testIdx"], 0)
            seen[row["testIdx"]] = repetition + 1
            response = row.get("response") or {}
            usage = response.get("tokenUsage") or {}
            run.log_prediction(item_of[row["testIdx"]], response.get("output"), repetition=repetition,
                               error=_promptfoo_error(row), latency_ms=row.get("latencyMs"),
                               cost=row.get("cost"), input_tokens=usage.get("prompt"),
                               output_tokens=usage.get("completion"), scores=_promptfoo_scores(row))
        run.finish()
        summaries.append(run.summary())
    return summaries


def _promptfoo_error(row: Dict[str, Any]) -> Optional[str]:
    """The provider's error; promptfoo also fills `error` with why assertions failed (failureReason 1, ASSERT),
    which is a failing score rather than an error (failureReason 2, ERROR)."""
    return (row.get("error") or None) if row.get("failureReason") == PROMPTFOO_ERROR else None


PROMPTFOO_ERROR = 2  # ResultFailureReason.ERROR


def _promptfoo_item(row: Dict[str, Any]) -> Dict[str, Any]:
    test = row.get("testCase") or {}
    item: Dict[str, Any] = {"input": test.get("vars") or row.get("vars") or {}, "expected": test.get("assert")}
    if test.get("description"):
        item["metadata"] = {"description": test["description"]}
    return item


def _provider_id(row: Dict[str, Any]) -> str:
    provider = row.get("provider")
    if isinstance(provider, dict):
        return str(provider.get("label") or provider.get("id") or "provider")
    return str(provider or "provider")


def _promptfoo_scores(row: Dict[str, Any]) -> List[Score]:
    """pass, score, one boolean per assertion (by its metric, else its type; repeated names numbered) and the
    named scores."""
    grading = row.get("gradingResult") or {}
    scores = [Score("pass", boolean=bool(row.get("success")), explanation=grading.get("reason") or None)]
    if isinstance(row.get("score"), (int, float)):
        scores.append(Score("score", value=float(row["score"])))
    names = {score.name for score in scores}
    for component in grading.get("componentResults") or []:
        assertion = component.get("assertion") or {}
        base = str(assertion.get("metric") or assertion.get("type") or "assertion")
        name, number = base, 2
        while name in names:
            name, number = f"{base} #{number}", number + 1
        names.add(name)
        scores.append(Score(name, boolean=bool(component.get("pass")), explanation=component.get("reason") or None))
    for name, value in (row.get("namedScores") or {}).items():
        if isinstance(value, (int, float)) and name not in names:
            names.add(name)
            scores.append(Score(name, value=float(value)))
    return scores


__all__ = ["import_lm_eval", "import_promptfoo"]
