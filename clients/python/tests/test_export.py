"""Exports against the packaged server: Parquet read back with pyarrow and polars, CSV with csv, runs as JSON and
CSV, points as frames, and the round trip export → import_points → export with identical series."""
import csv
import importlib.util
import json
import math
import unittest
import uuid
from datetime import datetime, timedelta, timezone

import trackstack
from support import Server, module_server, temporary_directory
from trackstack.api import encode_value

server: Server

HAS_PANDAS = importlib.util.find_spec("pandas") is not None
START = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


def setUpModule() -> None:
    global server
    server = module_server()


def expected_points():
    """(run name, series name, split, step, time, value) as the export orders them: by run, name, split, step."""
    points = []
    for run in ("alpha", "beta, \"quoted\""):
        for step in range(3000):  # more than one logMetrics call and several export fetches
            points.append((run, "loss", None, step, START + timedelta(microseconds=step * 1001), 1.0 / (step + 1)))
        points.append((run, "loss", "val", 0, START, float("nan")))
        points.append((run, "loss", "val", 5, START + timedelta(seconds=5), float("inf")))
        points.append((run, "loss", "val", 9, START + timedelta(seconds=9), float("-inf")))
    return points


def same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


class ExportTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.project = f"export-{uuid.uuid4().hex[:8]}"
        api = server.api
        model = api.create_model(cls.project, "resnet")
        cls.runs = {}
        for run in ("alpha", "beta, \"quoted\""):
            cls.runs[run] = api.create_run(model, run, {"lr": 0.1, "opt": {"name": "adam"}}, ["gpu"], "a note")
        points = expected_points()
        for run, run_id in cls.runs.items():
            mine = [{"name": name, "split": split, "step": step, "time": time.isoformat(), "value": encode_value(v)}
                    for (r, name, split, step, time, v) in reversed(points) if r == run]
            for first in range(0, len(mine), 2000):
                api.log_metrics(run_id, mine[first:first + 2000], f"{run}-{first}")
        cls.expected = [(cls.runs[r], r, name, split, step, time, value)
                        for (r, name, split, step, time, value) in points]

    def assertRows(self, rows, expected=None) -> None:
        expected = self.expected if expected is None else expected
        self.assertEqual(len(rows), len(expected))
        for row, want in zip(rows, expected):
            self.assertTrue(all(same(a, b) for a, b in zip(row, want)), f"{row} != {want}")

    def test_parquet_reads_back_with_pyarrow(self) -> None:
        import pyarrow
        import pyarrow.parquet
        path = trackstack.export_points(self.project, temporary_directory(self) / "points.parquet", url=server.url)
        table = pyarrow.parquet.read_table(path)
        self.assertEqual(table.schema.names, ["run_id", "run_name", "name", "split", "step", "time", "value"])
        self.assertEqual(table.schema.field("time").type, pyarrow.timestamp("us", tz="UTC"))
        self.assertEqual(table.schema.field("value").type, pyarrow.float64())
        rows = [(str(r["run_id"]), r["run_name"], r["name"], r["split"], r["step"], r["time"], r["value"])
                for r in table.to_pylist()]
        self.assertRows(rows)

    def test_parquet_reads_back_with_polars(self) -> None:
        import polars
        path = trackstack.export_points(self.project, temporary_directory(self) / "points.parquet", url=server.url)
        frame = polars.read_parquet(path)
        self.assertEqual(frame.schema["time"], polars.Datetime("us", "UTC"))
        rows = [(str(r[0]), *r[1:]) for r in frame.iter_rows()]
        self.assertRows(rows)

    def test_csv_reads_back_with_csv(self) -> None:
        path = trackstack.export_points(self.project, temporary_directory(self) / "points.csv", format="csv",
                                        url=server.url)
        with open(path, newline="", encoding="utf-8") as file:
            rows = list(csv.reader(file))
        self.assertEqual(rows[0], ["run_id", "run_name", "name", "split", "step", "time", "value"])
        self.assertIn(["NaN", "Infinity", "-Infinity"], [[r[6] for r in rows[3001:3004]]])
        parsed = [(r[0], r[1], r[2], r[3] or None, int(r[4]), datetime.fromisoformat(r[5].replace("Z", "+00:00")),
                   float(r[6])) for r in rows[1:]]
        self.assertRows(parsed)

    def test_filters(self) -> None:
        import pyarrow.parquet
        run = self.runs["alpha"]
        path = trackstack.export_points(self.project, temporary_directory(self) / "p.parquet", runs=[run],
                                        names=["loss"], split="val", url=server.url)
        self.assertEqual(pyarrow.parquet.read_table(path).column("step").to_pylist(), [0, 5, 9])

    def test_points_frame_with_polars(self) -> None:
        frame = trackstack.points_frame(self.project, names=["loss"], library="polars", url=server.url)
        self.assertEqual(frame.height, len(self.expected))
        self.assertEqual(frame.columns, ["run_id", "run_name", "name", "split", "step", "time", "value"])

    @unittest.skipUnless(HAS_PANDAS, "pandas is not installed in this venv")
    def test_points_frame_with_pandas(self) -> None:
        frame = trackstack.points_frame(self.project, library="pandas", url=server.url)
        self.assertEqual(len(frame), len(self.expected))

    def test_runs_as_json_and_csv(self) -> None:
        directory = temporary_directory(self)
        runs = json.loads(trackstack.export_runs(self.project, directory / "runs.json", url=server.url)
                          .read_text(encoding="utf-8"))
        self.assertEqual([r["name"] for r in runs], list(self.runs))
        self.assertEqual(runs[0]["hyperparameters"], {"lr": 0.1, "opt": {"name": "adam"}})
        self.assertEqual((runs[0]["tags"], runs[0]["notes"]), (["gpu"], "a note"))
        loss = {(s["name"], s["split"]): s for s in runs[0]["summaries"]}
        self.assertEqual(loss[("loss", None)]["count"], 3000)
        self.assertEqual(loss[("loss", "val")]["last"], "-Infinity")
        with open(trackstack.export_runs(self.project, directory / "runs.csv", format="csv", url=server.url),
                  newline="", encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        self.assertEqual([r["name"] for r in rows], list(self.runs))
        self.assertEqual((rows[0]["hp.lr"], rows[0]["hp.opt.name"]), ("0.1", "adam"))
        self.assertEqual((rows[0]["loss.count"], rows[0]["loss/val.last"]), ("3000", "-Infinity"))

    def test_errors_have_codes(self) -> None:
        directory = temporary_directory(self)
        with self.assertRaises(trackstack.RequestRejected) as unknown:
            trackstack.export_points("no-such-project", directory / "p.csv", url=server.url)
        self.assertEqual(unknown.exception.code, "NOT_FOUND")
        with self.assertRaises(trackstack.RequestRejected) as bad:
            trackstack.export_points(self.project, directory / "p.xlsx", format="xlsx", url=server.url)
        self.assertEqual(bad.exception.code, "BAD_USER_INPUT")
        self.assertEqual(list(directory.iterdir()), [])  # nothing left behind
        with self.assertRaisesRegex(ValueError, "pandas' or 'polars"):
            trackstack.points_frame(self.project, library="numpy", url=server.url)

    def test_round_trip_through_csv_and_parquet(self) -> None:
        directory = temporary_directory(self)
        for format in ("csv", "parquet"):
            with self.subTest(format=format):
                source = trackstack.export_points(self.project, directory / f"a.{format}", format=format,
                                                  url=server.url)
                copy = f"{self.project}-copy-{format}"
                first = trackstack.import_points(source, copy, model="imported", url=server.url)
                again = trackstack.import_points(source, copy, model="imported", url=server.url)
                self.assertEqual(first, again)  # the same runs: nothing stored twice
                self.assertEqual(set(first), set(self.runs))
                exported = trackstack.export_points(copy, directory / f"b.{format}", format="csv", url=server.url)
                original = trackstack.export_points(self.project, directory / "a.csv", format="csv", url=server.url)
                self.assertEqual(self.without_run_ids(exported), self.without_run_ids(original))

    @staticmethod
    def without_run_ids(path):
        with open(path, newline="", encoding="utf-8") as file:
            return [row[1:] for row in csv.reader(file)]


if __name__ == "__main__":
    unittest.main()
