"""The client against a server that requires API tokens, as an exposed server does."""
import os
import unittest
from unittest import mock

import trackstack
from support import Server, module_server, run_python, steps, temporary_directory
from trackstack.api import Api

ADMIN_TOKEN = "admin-token-for-the-python-tests-0123456789"

server: Server
admin: Api


def setUpModule() -> None:
    global server, admin
    server = module_server("--trackstack.auth.mode=required", f"--trackstack.auth.admin-token={ADMIN_TOKEN}")
    admin = Api(server.url, ADMIN_TOKEN)


def create_token(scope: str) -> str:
    return create_token_and_id(scope)[0]


def create_token_and_id(scope: str) -> "tuple[str, str]":
    created = admin.execute("mutation($scope: ApiTokenScope!) { createApiToken(name: \"python\", scope: $scope) "
                            "{ secret token { id } } }", scope=scope)["createApiToken"]
    return created["secret"], created["token"]["id"]


class TokenTest(unittest.TestCase):
    def setUp(self) -> None:
        self.spool_dir = temporary_directory(self)

    def test_a_token_from_the_environment_lets_a_run_log(self) -> None:
        with mock.patch.dict(os.environ, TRACKSTACK_TOKEN=create_token("WRITE")):
            run = trackstack.init(project=self.id(), model="m", url=server.url, spool_dir=self.spool_dir)
        run.log({"loss": 0.5}, step=0)
        run.finish()
        self.assertEqual([0], steps(admin, run.id, "loss"))

    def test_a_run_without_a_token_is_refused_at_init(self) -> None:
        with mock.patch.dict(os.environ, {"TRACKSTACK_TOKEN": ""}):
            with self.assertRaises(trackstack.RequestRejected) as refused:
                trackstack.init(project=self.id(), model="m", url=server.url, spool_dir=self.spool_dir)
        self.assertEqual("UNAUTHENTICATED", refused.exception.code)
        self.assertIn("API token", str(refused.exception))

    def test_a_read_only_token_cannot_start_a_run(self) -> None:
        with self.assertRaises(trackstack.RequestRejected) as refused:
            trackstack.init(project=self.id(), model="m", url=server.url, token=create_token("READ"),
                            spool_dir=self.spool_dir)
        self.assertEqual("FORBIDDEN", refused.exception.code)

    def test_points_refused_for_a_revoked_token_wait_in_the_spool_until_a_valid_token_sends_them(self) -> None:
        secret, token_id = create_token_and_id("WRITE")
        run = trackstack.init(project=self.id(), model="m", url=server.url, token=secret, spool_dir=self.spool_dir,
                              retry_budget=0.5, max_backoff=0.5, flush_interval=0.2)
        run.log({"loss": 0.0}, step=0)
        self.assertTrue(run.flush())
        admin.execute("mutation($id: ID!) { revokeApiToken(id: $id) { id } }", id=token_id)
        with self.assertLogs("trackstack", "WARNING") as logs:
            for step in range(1, 50):
                run.log({"loss": step}, step=step)
            self.assertFalse(run.flush(10))
            run.finish()
        self.assertTrue(any("server refused" in line and "revoked API token" in line for line in logs.output),
                        logs.output)
        self.assertFalse(any("dropped" in line for line in logs.output), logs.output)
        self.assertEqual([0], steps(admin, run.id, "loss"))

        result = run_python(["-m", "trackstack", "sync", "--spool-dir", str(self.spool_dir)],
                            TRACKSTACK_TOKEN=create_token("WRITE"))
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(list(range(50)), steps(admin, run.id, "loss"))
        self.assertEqual("COMPLETED", admin.execute("query($id: ID!) { run(id: $id) { status } }",
                                                    id=run.id)["run"]["status"])


if __name__ == "__main__":
    unittest.main()
