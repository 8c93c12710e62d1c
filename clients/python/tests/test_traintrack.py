"""TrainTrack's README examples, as docs/traintrack.md quotes them (base URL changed), run with curl against the
packaged server, each answer checked against what TrainTrack documents; then the points read through GraphQL."""
import json
import re
import subprocess
import unittest
from pathlib import Path

from support import Server, module_server

DOC = Path(__file__).resolve().parents[3] / "docs" / "traintrack.md"
DOC_URL = "http://localhost:8080/traintrack"
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)


def setUpModule() -> None:
    global server
    server = module_server()


def examples() -> list:
    """The bash blocks of the doc's section "TrainTrack's examples", in order."""
    section = DOC.read_text().split("## TrainTrack's examples", 1)[1]
    return BLOCK.findall(section)


class TrainTrackExamplesTest(unittest.TestCase):

    def run_example(self, block: str, **ids: str) -> tuple:
        """Runs the block with bash as written, but for the base URL and the ids TrainTrack's README leaves to the
        reader; curl is told to print the status code after the body."""
        self.assertIn(DOC_URL, block)
        command = block.replace(DOC_URL, server.url + "/traintrack")
        for placeholder, value in ids.items():
            command = command.replace(f"<{placeholder}>", value)
        self.assertNotIn("<", command, "an id left unfilled")
        command = command.rstrip() + " -s -w '\\n%{http_code}'"
        out = subprocess.run(["bash", "-euo", "pipefail", "-c", command], capture_output=True, text=True,
                             timeout=60, check=True).stdout
        body, status = out.rsplit("\n", 1)
        return int(status), json.loads(body)

    def test_the_readme_examples_answer_as_traintrack_documents(self) -> None:
        model_block, run_block, loss_block, metric_block, complete_block = examples()

        status, model = self.run_example(model_block)
        self.assertEqual(200, status)
        self.assertEqual(("ResNet50", "Image Classification"), (model["name"], model["project_name"]))
        self.assertRegex(model["id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

        # "Create a new run (starts as running)"
        status, run = self.run_example(run_block, MODEL_UUID=model["id"])
        self.assertEqual(200, status)
        self.assertEqual(("running", model["id"]), (run["status"], run["model_id"]))
        self.assertEqual({"lr": 0.001, "batch_size": 32, "epochs": 50}, run["hyperparameters"])

        status, loss = self.run_example(loss_block, RUN_UUID=run["id"])
        self.assertEqual(200, status)
        self.assertEqual((run["id"], 1, "train", 2.345), (loss["run_id"], loss["step"], loss["split"], loss["value"]))

        status, metric = self.run_example(metric_block, RUN_UUID=run["id"])
        self.assertEqual(200, status)
        self.assertEqual(("accuracy", "validation", 0.87), (metric["metric_name"], metric["split"], metric["value"]))

        status, completed = self.run_example(complete_block, RUN_UUID=run["id"])
        self.assertEqual(200, status)
        self.assertEqual("completed", completed["status"])

        # TrainTrack's GET endpoints give the values back; GraphQL has them as series of the completed run.
        losses = self.get(f"/loss/?run_id={run['id']}")
        self.assertEqual([(1, "train", 2.345)], [(p["step"], p["split"], p["value"]) for p in losses])
        metrics = self.get(f"/metric/?run_id={run['id']}&metric_name=accuracy")
        self.assertEqual([(1, "validation", 0.87)], [(p["step"], p["split"], p["value"]) for p in metrics])
        key = str(int(run["id"].rsplit("-", 1)[1], 16))
        data = server.api.execute("query($id: ID!, $r: [ID!]!) { run(id: $id) { status model { name project { name } } }"
                                  " series(runIds: $r) { name split points { step value } } }", id=key, r=[key])
        self.assertEqual("COMPLETED", data["run"]["status"])
        self.assertEqual("Image Classification", data["run"]["model"]["project"]["name"])
        self.assertEqual([("accuracy", "validation", [{"step": 1, "value": 0.87}]),
                          ("loss", "train", [{"step": 1, "value": 2.345}])],
                         [(s["name"], s["split"], s["points"]) for s in data["series"]])

    def test_an_unfilled_placeholder_is_refused_as_traintrack_would(self) -> None:
        # Run verbatim, with TrainTrack's placeholder left in: FastAPI refuses a model_id that is no UUID with 422.
        run_block = examples()[1]
        command = run_block.replace(DOC_URL, server.url + "/traintrack").rstrip() + " -s -w '\\n%{http_code}'"
        out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60).stdout
        body, status = out.rsplit("\n", 1)
        self.assertEqual("422", status)
        self.assertIn("model_id must be a UUID", json.loads(body)["detail"])

    def test_the_settings_move_or_switch_off_the_api(self) -> None:
        for args, served, absent in ((["--trackstack.traintrack.prefix=/tt"], "/tt", "/traintrack"),
                                     (["--trackstack.traintrack.enabled=false"], None, "/traintrack")):
            other = Server(*args)
            self.addCleanup(other.remove)
            other.start()
            if served:
                self.assertEqual("200", self.status(other.url + served + "/models/"), args)
            self.assertEqual("404", self.status(other.url + absent + "/models/"), args)
            other.remove()

    @staticmethod
    def status(url: str) -> str:
        return subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url], capture_output=True,
                              text=True, timeout=60, check=True).stdout

    def get(self, path: str) -> list:
        out = subprocess.run(["curl", "-s", "-f", server.url + "/traintrack" + path], capture_output=True,
                             text=True, timeout=60, check=True).stdout
        return json.loads(out)


if __name__ == "__main__":
    unittest.main()
