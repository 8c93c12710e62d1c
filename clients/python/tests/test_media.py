"""Media logged by run.log() against a real server, read back with GraphQL: each kind, images compared by their
pixels after download, items the server refuses, the spool, calls cut to the server's request size."""
import io
import math
import unittest
from typing import Any, Dict, List

import numpy
from PIL import Image as PILImage

import support
import trackstack
from trackstack.spool import sync
from support import FlakyProxy, Server, module_proxy, module_server, series, temporary_directory, wait_until

server: Server
proxy: FlakyProxy

def setUpModule() -> None:
    global server, proxy
    server = module_server()
    proxy = module_proxy(server)


def media_at(run_id: str, name: str, step: int) -> List[Dict[str, Any]]:
    return support.media_at(server.api, run_id, name, step)


def media_series(run_id: str) -> List[Dict[str, Any]]:
    return support.media_series(server.api, run_id)


def pixels(url: str) -> numpy.ndarray:
    return support.pixels(server.url, url)


class MediaTest(unittest.TestCase):
    def setUp(self) -> None:
        self.spool_dir = temporary_directory(self)
        proxy.down = False

    def start(self, url: str = "", **options: Any) -> trackstack.Run:
        options = {"retry_budget": 1.0, "max_backoff": 0.5, "flush_interval": 0.2, **options}
        run = trackstack.init(project=self.id(), model="m", url=url or server.url, spool_dir=self.spool_dir,
                              **options)
        self.addCleanup(run.finish)
        return run

    def test_each_kind_logged_beside_metrics_reads_back_as_logged(self) -> None:
        generator = numpy.random.default_rng(5)
        array = generator.integers(0, 256, (24, 32, 3), dtype=numpy.uint8)
        grey = generator.random((10, 12))  # floats in 0..1
        drawn = PILImage.new("RGBA", (16, 8), (200, 10, 30, 128))
        drawn.paste((0, 90, 255, 255), (4, 2, 12, 6))
        thumbnail = trackstack.Image(generator.integers(0, 256, (4, 4, 3), dtype=numpy.uint8))
        weights = [generator.normal(size=1000) for _ in range(3)]
        run = self.start()
        for step in range(3):
            run.log({"loss": 1.0 / (step + 1), "weights/fc1": trackstack.Histogram(weights[step], bins=32)},
                    step=step)
        run.log({"samples": [trackstack.Image(array, caption="noise", boxes=[{"x": 0.25, "y": 0.5, "width": 0.5,
                                                                                "height": 0.25, "label": "box"}]),
                             trackstack.Image(grey), trackstack.Image(drawn)],
                 "preds": trackstack.Table(columns=["id", "label", "score", "input"],
                                           rows=[[1, "cat", 0.9, thumbnail], [2, None, math.nan, None]]),
                 "notes": trackstack.Text("**bold** move", format="markdown")}, step=2)
        run.finish()

        self.assertEqual([1.0, 0.5, 1.0 / 3],
                         [point["value"] for point in series(server.api, run.id, "loss")["points"]])
        self.assertEqual([{"name": "notes", "kind": "TEXT", "stepCount": 1, "firstStep": 2, "lastStep": 2,
                           "steps": [2]},
                          {"name": "preds", "kind": "TABLE", "stepCount": 1, "firstStep": 2, "lastStep": 2,
                           "steps": [2]},
                          {"name": "samples", "kind": "IMAGE", "stepCount": 1, "firstStep": 2, "lastStep": 2,
                           "steps": [2]},
                          {"name": "weights/fc1", "kind": "HISTOGRAM", "stepCount": 3, "firstStep": 0, "lastStep": 2,
                           "steps": [0, 1, 2]}], media_series(run.id))

        samples = media_at(run.id, "samples", 2)
        self.assertEqual([(0, "noise", "PNG", 32, 24), (1, None, "PNG", 12, 10), (2, None, "PNG", 16, 8)],
                         [(item["index"], item["caption"], item["image"]["format"], item["image"]["width"],
                           item["image"]["height"]) for item in samples])
        numpy.testing.assert_array_equal(array, pixels(samples[0]["image"]["url"]))
        numpy.testing.assert_array_equal(numpy.rint(grey * 255).astype(numpy.uint8),
                                         pixels(samples[1]["image"]["url"]))
        numpy.testing.assert_array_equal(numpy.asarray(drawn), pixels(samples[2]["image"]["url"]))
        self.assertEqual({"boxes": [{"x": 0.25, "y": 0.5, "width": 0.5, "height": 0.25, "label": "box"}]},
                         samples[0]["image"]["overlays"])

        histograms = server.api.execute("query($id: ID!) { histograms(runId: $id, name: \"weights/fc1\") "
                                        "{ step edges counts } }", id=run.id)["histograms"]
        for step, histogram in enumerate(histograms):
            counts, edges = numpy.histogram(weights[step], 32)
            self.assertEqual((step, edges.tolist(), counts.astype(float).tolist()),
                             (histogram["step"], histogram["edges"], histogram["counts"]))

        table = media_at(run.id, "preds", 2)[0]["table"]
        self.assertEqual([{"name": "id", "type": "NUMBER"}, {"name": "label", "type": "TEXT"},
                          {"name": "score", "type": "NUMBER"}, {"name": "input", "type": "IMAGE"}], table["columns"])
        first, second = table["rows"]
        self.assertEqual([1, "cat", 0.9], first[:3])
        self.assertEqual((4, 4), (first[3]["width"], first[3]["height"]))
        numpy.testing.assert_array_equal(numpy.asarray(PILImage.open(io.BytesIO(thumbnail.data))),
                                         pixels(first[3]["url"]))
        self.assertEqual([2, None, "NaN", None], second)

        self.assertEqual({"format": "MARKDOWN", "content": "**bold** move"},
                         media_at(run.id, "notes", 2)[0]["text"])

    def test_what_the_server_refuses_is_a_warning_and_the_rest_is_stored(self) -> None:
        run = self.start()
        good = trackstack.Image(numpy.zeros((2, 2), numpy.uint8))
        corrupt = trackstack.Image(b"\x89PNG\r\n\x1a\n" + b"not really a PNG")
        with self.assertLogs("trackstack", "WARNING") as logs:
            run.log({"a": [corrupt, good], "b": trackstack.Histogram(edges=[1, 0], counts=[2]),
                     "c": trackstack.Histogram([1.0, math.nan, math.inf]), "d": trackstack.Text("fine"),
                     "loss": 1.0}, step=4)
            self.assertTrue(run.flush(10))
        warnings = "\n".join(logs.output)
        self.assertIn("skips histogram 'c' at step 4: 2 of its values are NaN or ±Infinity", warnings)
        self.assertRegex(warnings, "refused image 'a' at step 4 of run .*BAD_USER_INPUT")
        self.assertRegex(warnings, "refused histogram 'b' at step 4 of run .*BAD_USER_INPUT")
        self.assertEqual(3, len(logs.output), warnings)  # refused for good: not retried, not spooled
        self.assertEqual([], list(self.spool_dir.glob("*.jsonl")))
        self.assertEqual([("a", "IMAGE", [4]), ("d", "TEXT", [4])],
                         [(media["name"], media["kind"], media["steps"]) for media in media_series(run.id)])
        self.assertEqual(1, len(media_at(run.id, "a", 4)))
        self.assertEqual([1.0], [point["value"] for point in series(server.api, run.id, "loss")["points"]])

    def test_media_logged_while_the_server_is_away_are_spooled_and_delivered_when_it_is_back(self) -> None:
        run = self.start(proxy.url)
        proxy.down = True
        image = numpy.full((3, 5, 3), (10, 20, 30), numpy.uint8)
        with self.assertLogs("trackstack", "WARNING"):
            run.log({"samples": trackstack.Image(image), "notes": trackstack.Text("offline")}, step=7)
            wait_until(lambda: list(self.spool_dir.glob("*.jsonl")), timeout=15)
        self.assertEqual([], media_series(run.id))
        proxy.down = False
        self.assertTrue(run.flush(30))
        numpy.testing.assert_array_equal(image, pixels(media_at(run.id, "samples", 7)[0]["image"]["url"]))
        self.assertEqual("offline", media_at(run.id, "notes", 7)[0]["text"]["content"])
        self.assertEqual([], list(self.spool_dir.glob("*.jsonl")))

    def test_media_left_in_the_spool_at_the_end_are_said_so_and_sent_by_sync(self) -> None:
        run = self.start(proxy.url)
        proxy.down = True
        with self.assertLogs("trackstack", "WARNING") as logs:
            run.log({"loss": 0.5, "notes": [trackstack.Text("one"), trackstack.Text("two")]}, step=1)
            run.finish()
        self.assertIn(f"1 points and 2 media items of run {run.id} are not on", logs.output[-1])
        proxy.down = False
        self.assertEqual((1, 0), sync(self.spool_dir))
        self.assertEqual(["one", "two"], [item["text"]["content"] for item in media_at(run.id, "notes", 1)])

    def test_calls_stay_under_the_servers_request_size(self) -> None:
        # Three images of noise, 4.4 MB each as PNG, 5.9 MB in base64: 17.7 MB together, more than the 16 MiB
        # (16.8 MB) a request may carry, so they go in two calls.
        generator = numpy.random.default_rng(9)
        arrays = [generator.integers(0, 256, (1000, 1475, 3), dtype=numpy.uint8) for _ in range(3)]
        images = [trackstack.Image(array) for array in arrays]
        proxy.log_media_bytes.clear()
        run = self.start(proxy.url, flush_interval=30)  # each log() call's images in one batch: flush() sends it
        run.log({"big": images}, step=0)
        self.assertTrue(run.flush(60))
        self.assertEqual(2, len(proxy.log_media_bytes))
        self.assertLess(max(proxy.log_media_bytes), 16 << 20)
        stored = media_at(run.id, "big", 0)
        self.assertEqual(3, len(stored))
        for array, item in zip(arrays, stored):
            numpy.testing.assert_array_equal(array, pixels(item["image"]["url"]))


if __name__ == "__main__":
    unittest.main()
