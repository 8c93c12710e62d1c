"""Evals end to end against the packaged server: datasets, evaluate() over 200 items with code graders and an LLM
judge (a stub endpoint that fails some calls), the imperative logger, idempotent resends, and a server outage."""
import threading
import time
import unittest
from collections import Counter

import trackstack
from support import JudgeStub, Server, module_server, run_info, temporary_directory
from trackstack.api import RequestRejected
from trackstack.graders import Contains, ExactMatch, LLMJudge, Regex, Score

server: Server
judge: JudgeStub


def setUpModule() -> None:
    global server, judge
    server = module_server()
    judge = JudgeStub()
    unittest.addModuleCleanup(judge.close)


def eval_results(run_id: str):
    """All results of an eval run with their scores, by the item's metadata "i"."""
    rows, after = {}, None
    while True:
        page = server.api.execute(
            "query($runId: ID!, $after: String) { evalResults(runId: $runId, first: 500, after: $after) { totalCount "
            "edges { node { item { id metadata } repetition output error latencyMs traceId "
            "scores { name type value boolean category source explanation } } } pageInfo { hasNextPage endCursor } } }",
            runId=run_id, after=after)["evalResults"]
        for edge in page["edges"]:
            node = edge["node"]
            rows[(node["item"]["metadata"] or {}).get("i", node["item"]["id"]), node["repetition"]] = node
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]


class DatasetTest(unittest.TestCase):
    def test_items_from_lists_and_files_make_versions_deduplicated_by_content(self) -> None:
        project = self.id()
        first = trackstack.add_items(project, "qa", [{"input": "2+2?", "expected": "4"},
                                                     {"input": {"q": "capital of France"}, "expected": "Paris",
                                                      "metadata": {"level": 1}}], url=server.url)
        self.assertEqual((1, 2, 2), (first.version, first.item_count, len(set(first.item_ids))))
        directory = temporary_directory(self)
        (directory / "more.jsonl").write_text('{"input": "2+2?", "expected": "4"}\n'
                                              '{"input": "3+3?", "expected": "6", "source": "quiz"}\n\n'
                                              '{"question": "free form"}\n')
        (directory / "more.csv").write_text("input,expected,difficulty\n5+5?,10,easy\n\"a, b\",c,hard\n")
        jsonl = trackstack.load_items(directory / "more.jsonl")
        self.assertEqual([{"input": "2+2?", "expected": "4"},
                          {"input": "3+3?", "expected": "6", "metadata": {"source": "quiz"}},
                          {"input": {"question": "free form"}}], jsonl)
        second = trackstack.add_items(project, "qa", jsonl, url=server.url)
        self.assertEqual((2, 4), (second.version, second.item_count))
        self.assertEqual(first.item_ids[0], second.item_ids[0])  # the same content is the same item
        third = trackstack.add_items(project, "qa", trackstack.load_items(directory / "more.csv"), url=server.url)
        self.assertEqual((3, 6), (third.version, third.item_count))
        self.assertEqual(("a, b", "c", {"difficulty": "hard"}),
                         (third.items()[5].input, third.items()[5].expected, third.items()[5].metadata))
        again = trackstack.add_items(project, "qa", jsonl, url=server.url)  # nothing new: no version
        self.assertEqual(3, again.version)
        self.assertEqual(2, trackstack.dataset_version(project, "qa", 2, url=server.url).version)
        self.assertEqual(6, len(trackstack.dataset_version(project, "qa", url=server.url).items()))
        with self.assertRaises(RequestRejected) as missing:
            trackstack.dataset_version(project, "qa", 9, url=server.url)
        self.assertEqual("NOT_FOUND", missing.exception.code)
        with self.assertRaisesRegex(ValueError, "needs an \"input\""):
            trackstack.add_items(project, "qa", [{"expected": "x"}], url=server.url)

    def test_more_than_a_call_holds(self) -> None:
        version = trackstack.add_items(self.id(), "big", [{"input": i} for i in range(2500)], url=server.url)
        self.assertEqual((3, 2500, 2500), (version.version, version.item_count, len(version.items())))
        self.assertEqual(version.item_ids, [item.id for item in version.items()])


ITEMS = 200


def task_output(i: int) -> str:
    """What the task under test answers for item i (see test_evaluate_...)."""
    if i % 25 == 11:
        return "broken"  # the judge endpoint fails with 500 for it every time
    if i % 10 == 3:
        return f"flaky {i}"  # the judge fails twice (503, 429), then scores it
    if i % 4 == 0:
        return f"wrong {i}"
    return f"answer {i}"


class EvaluateTest(unittest.TestCase):
    def test_evaluate_200_items_with_code_graders_and_an_llm_judge(self) -> None:
        project = self.id()
        dataset = trackstack.add_items(project, "arithmetic", [
            {"input": {"question": f"question {i}"}, "expected": f"answer {i}", "metadata": {"i": i}}
            for i in range(ITEMS)], url=server.url)
        calls = Counter()
        lock = threading.Lock()

        def task(input):
            i = int(input["question"].split()[1])
            with lock:
                calls[i] += 1
                attempt = calls[i]
            if i % 50 == 7:
                raise RuntimeError(f"model refused {i}")  # every attempt: the row records the error
            if i % 30 == 1 and attempt == 1:
                raise TimeoutError("first attempt times out")  # the retry answers
            with trackstack.trace.span("model.call") as call:
                call.set_llm(model="echo-model", input_tokens=10, output_tokens=3)
            return trackstack.Output(task_output(i), cost=0.001, input_tokens=10, output_tokens=3)

        def slow_once(output):  # a grader that hangs on one row
            if output == "wrong 196":
                time.sleep(3)
            return len(output)

        slow_once.timeout = 1

        graders = [ExactMatch(), Contains("answer", name="says_answer"), Regex(r"\d+$", name="ends_in_number"),
                   slow_once, LLMJudge(judge.url, "stub-judge", api_key_env=None, backoff=0.05)]
        judged_before = judge.requests
        summary = trackstack.evaluate(dataset, task, graders, model="echo-model", name="first eval",
                                      max_workers=8, task_retries=2, task_backoff=0.01,
                                      settings={"temperature": 0}, url=server.url,
                                      spool_dir=temporary_directory(self))

        task_errors = [i for i in range(ITEMS) if i % 50 == 7]
        graded = [i for i in range(ITEMS) if i not in task_errors]
        judge_errors = [i for i in graded if task_output(i) == "broken"]
        errored = sorted(task_errors + judge_errors + [196])
        correct = [i for i in graded if task_output(i) == f"answer {i}"]
        self.assertEqual((ITEMS, ITEMS, len(errored)), (summary["items"], summary["expected"], summary["errored"]))
        self.assertFalse(summary["pending"])
        self.assertEqual(("BOOLEAN", len(graded)), (summary["scores"]["exact_match"]["type"],
                                                   summary["scores"]["exact_match"]["count"]))
        self.assertAlmostEqual(len(correct) / len(graded), summary["scores"]["exact_match"]["mean"])
        self.assertAlmostEqual(len(correct) / len(graded), summary["scores"]["exact_match"]["passRate"])
        judged = [i for i in graded if i not in judge_errors]
        self.assertEqual(len(judged), summary["scores"]["llm_judge"]["count"])
        self.assertAlmostEqual(len(correct) / len(judged), summary["scores"]["llm_judge"]["mean"])
        self.assertEqual(len(graded) - 1, summary["scores"]["slow_once"]["count"])  # timed out on one row
        flaky = [i for i in graded if task_output(i).startswith("flaky")]
        # one request per judged row, 2 more per flaky row, 4 per broken row (the first try and 3 retries)
        self.assertEqual(len(judged) + 2 * len(flaky) + 4 * len(judge_errors), judge.requests - judged_before)

        rows = eval_results(summary["runId"])
        self.assertEqual(ITEMS, len(rows))
        self.assertIn("RuntimeError: model refused 7", rows[7, 0]["error"])
        self.assertEqual([], rows[7, 0]["scores"])
        self.assertEqual("answer 1", rows[1, 0]["output"])  # its second attempt
        self.assertIsNone(rows[1, 0]["error"])
        self.assertIn("grader llm_judge: JudgeUnavailable: HTTP 500", rows[11, 0]["error"])
        self.assertIn("grader slow_once: timed out after 1 s", rows[196, 0]["error"])
        by_name = {score["name"]: score for score in rows[13, 0]["scores"]}
        self.assertEqual((0.0, "LLM_JUDGE", "'flaky 13' vs 'answer 13'"),
                         (by_name["llm_judge"]["value"], by_name["llm_judge"]["source"],
                          by_name["llm_judge"]["explanation"]))
        self.assertEqual((False, True, 8.0), (by_name["exact_match"]["boolean"], by_name["ends_in_number"]["boolean"],
                                              by_name["slow_once"]["value"]))
        self.assertGreater(rows[2, 0]["latencyMs"], 0)
        # Each row links to the trace of its task call, a trace of the eval run; the task's own span is inside.
        trace = server.api.execute("query($id: ID!) { trace(id: $id) { runId spans { name spanType } } }",
                                   id=rows[2, 0]["traceId"])["trace"]
        self.assertEqual((summary["runId"], [("eval.task", "CHAIN"), ("model.call", "LLM")]),
                         (trace["runId"], sorted((span["name"], span["spanType"]) for span in trace["spans"])))
        self.assertEqual(ITEMS, len({row["traceId"] for row in rows.values()}))

        run = server.api.execute("query($id: ID!) { run(id: $id) { status kind hyperparameters "
                                 "summaries { name split last } } }", id=summary["runId"])["run"]
        self.assertEqual(("COMPLETED", "EVAL", {"temperature": 0}), (run["status"], run["kind"],
                                                                     run["hyperparameters"]))
        metrics = {(row["name"], row["split"]): row["last"] for row in run["summaries"]}
        self.assertAlmostEqual(len(correct) / len(graded), metrics["score/exact_match", "mean"])
        self.assertEqual(len(errored), metrics["eval/errored", None])


class EvalRunTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dataset = trackstack.add_items(self.id(), "d", [{"input": f"q{i}", "expected": f"a{i}"} for i in range(3)],
                                            url=server.url)
        self.items = self.dataset.items()

    def test_log_predictions_and_scores_then_resend_them(self) -> None:
        run = trackstack.eval_run(self.dataset, "m", repetitions=2, url=server.url,
                                  spool_dir=temporary_directory(self), flush_interval=0.1)
        for item in self.items:
            prediction = run.log_prediction(item, f"guess {item.input}", latency_ms=5.0,
                                            scores=[Score("exact", boolean=False)])
            prediction.log_score("tone", "polite", source="HUMAN", explanation="reads well")
        run.log_prediction(self.items[0], "a0", repetition=1, scores=[Score("exact", boolean=True)])
        self.assertTrue(run.flush(30))
        # Sent again, with another output: replaced, not added.
        run.log_prediction(self.items[0], "a0 again", scores=[Score("exact", boolean=True)])
        run.log_score(self.items[1].id, "exact", True)
        summary = run.summary(30)
        run.finish()
        self.assertEqual((4, 0, 6), (summary["items"], summary["errored"], summary["expected"]))
        self.assertEqual((4, 0.75), (summary["scores"]["exact"]["count"], summary["scores"]["exact"]["mean"]))
        self.assertEqual([{"category": "polite", "count": 3}], summary["scores"]["tone"]["categories"])
        rows = eval_results(run.id)
        self.assertEqual("a0 again", rows[self.items[0].id, 0]["output"])
        self.assertEqual("COMPLETED", run_info(server.api, run.id)["status"])
        # The same batch sent twice, as a replay after a lost answer does: stored once.
        result = {"itemId": self.items[2].id, "repetition": 1, "output": "x", "scores": [{"name": "exact", "boolean": True}]}
        for _ in range(2):
            self.assertEqual(1, server.api.log_eval_results(run.id, [result])["results"])
        self.assertEqual(5, server.api.eval_aggregates(run.id)["items"])

    def test_a_result_the_server_refuses_does_not_take_its_batch_along(self) -> None:
        run = trackstack.eval_run(self.dataset, "m", url=server.url, spool_dir=temporary_directory(self),
                                  flush_interval=0.5)
        with self.assertLogs("trackstack", "WARNING") as logs:
            for item in self.items[:2]:
                run.log_prediction(item, "ok")
            run.log_prediction("0" * 64, "not an item of the dataset")
            run.log_prediction(self.items[2], "ok", repetition=5)  # beyond the run's repetitions
            run.finish()
        self.assertEqual(2, sum("rejected 1 results" in line for line in logs.output), logs.output)
        self.assertEqual(2, server.api.eval_aggregates(run.id)["items"])

    def test_results_wait_in_the_spool_while_the_server_is_down(self) -> None:
        spool_dir = temporary_directory(self)
        run = trackstack.eval_run(self.dataset, "m", url=server.url, spool_dir=spool_dir, flush_interval=0.1,
                                  retry_budget=0.5)
        run.log_prediction(self.items[0], "before", scores=[Score("exact", boolean=True)])
        self.assertTrue(run.flush(30))
        server.stop()
        try:
            with self.assertLogs("trackstack", "WARNING"):
                run.log_prediction(self.items[1], "during", scores=[Score("exact", boolean=False)])
                run.log_score(self.items[0], "judge", 0.5, source="LLM_JUDGE")
                local = run.summary(2)
                run.finish()
            self.assertEqual((True, 2), (local["pending"], local["items"]))
            self.assertEqual(1, len(list(spool_dir.glob("*.jsonl"))))
        finally:
            server.start()
        self.assertEqual((1, 0), trackstack.spool.sync(spool_dir))
        aggregates = server.api.eval_aggregates(run.id)
        self.assertEqual(2, aggregates["items"])
        self.assertEqual({"exact": 0.5, "judge": 0.5}, {score["name"]: score["mean"] for score in aggregates["scores"]})
        self.assertEqual("COMPLETED", run_info(server.api, run.id)["status"])
        self.assertEqual("during", eval_results(run.id)[self.items[1].id, 0]["output"])


if __name__ == "__main__":
    unittest.main()
