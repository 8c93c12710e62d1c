"""The client against a server that requires API tokens, as an exposed server does."""
import os
import unittest
from unittest import mock

import trackstack
from support import Server, steps, temporary_directory
from trackstack.api import Api

ADMIN_TOKEN = "admin-token-for-the-python-tests-0123456789"

server: Server
admin: Api


def setUpModule() -> None:
    global server, admin
    server = Server("--trackstack.auth.mode=required", f"--trackstack.auth.admin-token={ADMIN_TOKEN}")
    server.start()
    admin = Api(server.url, ADMIN_TOKEN)


def tearDownModule() -> None:
    server.remove()


def create_token(scope: str) -> str:
    return admin.execute("mutation($scope: ApiTokenScope!) { createApiToken(name: \"python\", scope: $scope) "
                         "{ secret } }", scope=scope)["createApiToken"]["secret"]


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


if __name__ == "__main__":
    unittest.main()
