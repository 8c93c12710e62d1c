"""trackstack.get_prompt and friends against the real server: labels, compile, the cache and an outage."""
import time
import unittest

import trackstack
from support import FlakyProxy, Server, module_server, wait_until
from trackstack import prompt as prompt_module

server: Server


def setUpModule() -> None:
    global server
    server = module_server()


class PromptTest(unittest.TestCase):
    def setUp(self) -> None:
        self.project = f"prompts-{self.id().rsplit('.', 1)[-1]}"

    def save(self, template, **options):
        return trackstack.save_prompt("support/triage", template, project=self.project, url=server.url, **options)

    def get(self, **options):
        return trackstack.get_prompt("support/triage", project=self.project, url=server.url, **options)

    def test_a_prompt_fetched_by_label_compiles(self) -> None:
        first = self.save("Triage {{ ticket }} for {{customer}}.", config={"model": "gpt-4o", "temperature": 0.2},
                          commit_message="first")
        second = self.save("Triage {{ticket}} politely.")
        self.assertEqual((first.version, second.version), (1, 2))
        self.assertEqual(self.save("Triage {{ ticket }} for {{customer}}.",
                                   config={"temperature": 0.2, "model": "gpt-4o"}).version, 1)
        self.assertEqual(trackstack.set_prompt_label("support/triage", "production", 1, project=self.project,
                                                     url=server.url), 1)

        prompt = self.get(cache_ttl=0)
        self.assertEqual(prompt.version, 1)
        self.assertEqual(prompt.variables, ["ticket", "customer"])
        self.assertEqual(prompt.config, {"model": "gpt-4o", "temperature": 0.2})
        self.assertEqual(prompt.compile(ticket="late order", customer="Ada"), "Triage late order for Ada.")
        with self.assertRaises(KeyError) as missing:
            prompt.compile(ticket="late order")
        self.assertEqual(missing.exception.missing, ["customer"])
        self.assertIn("customer", str(missing.exception))
        self.assertEqual(self.get(label="latest", cache_ttl=0).version, 2)
        self.assertEqual(self.get(version=2, cache_ttl=0).template, "Triage {{ticket}} politely.")
        self.assertEqual(prompt.span_attributes(), {"gen_ai.prompt.name": "support/triage",
                                                    "trackstack.prompt.version": 1})

    def test_chat_prompts_compile_to_messages(self) -> None:
        self.save([{"role": "system", "content": "You are {{persona}}."}, {"role": "user", "content": "{{q}}"}])
        trackstack.set_prompt_label("support/triage", "production", 1, expected_version=None, project=self.project,
                                    url=server.url)
        self.assertEqual(self.get(cache_ttl=0).compile(persona="kind", q="Hi?"),
                         [{"role": "system", "content": "You are kind."}, {"role": "user", "content": "Hi?"}])

    def test_label_moves_are_compare_and_set(self) -> None:
        self.save("one")
        self.save("two")
        trackstack.set_prompt_label("support/triage", "staging", 1, expected_version=None, project=self.project,
                                    url=server.url)
        with self.assertRaises(trackstack.RequestRejected) as conflict:
            trackstack.set_prompt_label("support/triage", "staging", 2, expected_version=None, project=self.project,
                                        url=server.url)
        self.assertEqual(conflict.exception.code, "CONFLICT")
        with self.assertRaises(trackstack.RequestRejected) as unknown:
            self.get(label="canary", cache_ttl=0)
        self.assertEqual(unknown.exception.code, "NOT_FOUND")

    def test_the_cache_serves_a_stale_copy_while_it_refreshes(self) -> None:
        self.save("one")
        self.save("two")
        trackstack.set_prompt_label("support/triage", "production", 1, project=self.project, url=server.url)
        self.assertEqual(self.get(cache_ttl=0.5).version, 1)
        # Moved by someone else (straight through the API, so this process's cache does not know).
        server.api.execute('mutation($p: String!) { movePromptLabel(project: $p, name: "support/triage", '
                           'label: "production", version: 2, expectedVersion: 1) { version } }', p=self.project)
        self.assertEqual(self.get(cache_ttl=0.5).version, 1)  # fresh: no request
        time.sleep(0.6)
        self.assertEqual(self.get(cache_ttl=0.5).version, 1)  # stale: answered at once, refreshed behind
        wait_until(lambda: self.get(cache_ttl=0.5).version == 2)

    def test_the_cached_copy_stays_in_use_while_the_server_is_down(self) -> None:
        self.save("one")
        trackstack.set_prompt_label("support/triage", "production", 1, project=self.project, url=server.url)
        proxy = FlakyProxy(server.url)
        self.addCleanup(proxy.close)
        self.assertEqual(trackstack.get_prompt("support/triage", project=self.project, url=proxy.url,
                                               cache_ttl=0.2).version, 1)
        proxy.down = True
        time.sleep(0.3)
        for _ in range(3):
            self.assertEqual(trackstack.get_prompt("support/triage", project=self.project, url=proxy.url,
                                                   cache_ttl=0.2).version, 1)
        self.assertEqual(trackstack.get_prompt("support/triage", project=self.project, url=proxy.url,
                                               cache_ttl=0).version, 1)
        with self.assertRaises(trackstack.ServerUnavailable):
            trackstack.get_prompt("support/unknown", project=self.project, url=proxy.url)
        self.assertTrue(prompt_module._cache)


if __name__ == "__main__":
    unittest.main()
