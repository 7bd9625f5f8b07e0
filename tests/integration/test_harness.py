#!/usr/bin/python3
"""The harness itself, where a mistake would make other tests lie:

- a port taken between free_port() and the server's bind (another test run,
  an outgoing connection) moves the studio and nginx to another port
  instead of failing the test;
- wait_until() says what it last saw when time runs out;
- YST_TEST_ORDER reverses and shuffles (the same seed, the same order;
  the methods of a class stay together);
- a test method that names a tests/e2e script is left to that script's own
  ctest entry under YST_E2E_APART, and nothing else is.

Run alone: /usr/bin/python3 tests/integration/test_harness.py
"""

import socket
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, NginxRtmp, Studio, make_show  # noqa: E402


class PortTakenBeforeTheServerBindsIt(IntegrationTest):
    def occupy(self, port: int) -> socket.socket:
        s = socket.socket()
        s.bind((harness.LOOPBACK, port))
        s.listen()
        self.addCleanup(s.close)
        return s

    def test_studio_moves_to_another_port(self):
        studio = Studio(self.case_dir(), make_show(sources=(("host", "test://smpte"),),
                                                   archive=False, hls=False, width=320,
                                                   height=180, fps=15))
        self.addCleanup(studio.close)
        taken = studio.port
        self.occupy(taken)
        studio.start()
        self.assertNotEqual(studio.port, taken)
        self.assertIn(f"127.0.0.1:{studio.port}", studio.show_path.read_text(encoding="utf-8"))
        self.assertIn("Address already in use", studio.log_text(),
                      "the first attempt did meet the taken port")
        self.assertTrue(studio.status()["program"])

    def test_nginx_moves_to_other_ports_but_restarts_on_its_own(self):
        site = NginxRtmp(self.case_dir())
        self.addCleanup(site.stop)
        taken = site.rtmp_port
        self.occupy(taken)
        site.start()
        self.assertNotEqual(site.rtmp_port, taken)
        self.assertTrue(harness.port_open(site.rtmp_port))
        # Once it has run, a restart keeps its ports (tests bring a killed
        # partner site back where the studio expects it).
        ports = (site.rtmp_port, site.http_port)
        site.kill()
        site.start()
        self.assertEqual((site.rtmp_port, site.http_port), ports)

    def test_given_ports_are_not_moved(self):
        port = harness.free_port()
        self.occupy(port)
        studio = Studio(self.case_dir(), make_show(archive=False, hls=False) | {
            "audience": {"listen": f"127.0.0.1:{port}"}})
        self.addCleanup(studio.close)
        with self.assertRaises(AssertionError):
            studio.start(timeout=10)
        self.assertEqual(studio.port, port)


class WaitUntil(unittest.TestCase):
    def test_says_what_it_last_saw(self):
        seen = iter(range(1000))
        with self.assertRaises(AssertionError) as failure:
            harness.wait_until(lambda: next(seen), 0.3, "a number over 5000",
                               accept=lambda n: n > 5000, interval=0.01)
        message = str(failure.exception)
        self.assertIn("a number over 5000", message)
        self.assertRegex(message, r"last seen: \d+")

    def test_keeps_looking_through_errors_and_names_the_last(self):
        calls = []

        def flaky():
            calls.append(1)
            if len(calls) < 3:
                raise OSError("not yet")
            return "ready"
        self.assertEqual(harness.wait_until(flaky, 5, "ready", interval=0.01), "ready")
        with self.assertRaises(AssertionError) as failure:
            harness.wait_until(lambda: 1 / 0, 0.1, "the impossible", interval=0.01)
        self.assertIn("ZeroDivisionError", str(failure.exception))


def sample_case() -> type:
    """A test case to load, not to run (made here so that neither unittest
    nor e2e_runner.py finds it in the module)."""
    class Sample(unittest.TestCase):
        def test_a(self):
            pass

        def test_b(self):
            pass

        def test_c(self):
            pass

        def test_drives_a_browser(self):
            harness.run_e2e_script("host.test.mjs", "http://127.0.0.1:1")
    return Sample


class Order(unittest.TestCase):
    @staticmethod
    def names(loader: harness.OrderedLoader) -> list[str]:
        return [t.id().rsplit(".", 1)[1] for t in loader.loadTestsFromTestCase(sample_case())]

    def test_reverse_and_shuffle(self):
        forward = self.names(harness.OrderedLoader("", False))
        self.assertEqual(forward, sorted(forward))
        self.assertEqual(self.names(harness.OrderedLoader("reverse", False)), forward[::-1])
        shuffled = [self.names(harness.OrderedLoader(f"shuffle:{seed}", False))
                    for seed in range(20)]
        self.assertTrue(all(sorted(s) == forward for s in shuffled))
        self.assertGreater(len({tuple(s) for s in shuffled}), 5, "the seed changes the order")
        self.assertEqual(self.names(harness.OrderedLoader("shuffle:7", False)),
                         self.names(harness.OrderedLoader("shuffle:7", False)))
        with self.assertRaises(SystemExit):
            harness.OrderedLoader("backwards", False)

    def test_e2e_drivers_are_left_to_their_entries(self):
        loader = harness.OrderedLoader("", True)
        self.assertEqual(self.names(loader), ["test_a", "test_b", "test_c"])
        self.assertEqual(len(loader.left_out), 1)
        self.assertIn("e2e.host", loader.left_out[0])
        # A name that is no script in tests/e2e drives nothing.
        self.assertEqual(harness.e2e_scripts_of(lambda: "no-such.test.mjs"), set())


if __name__ == "__main__":
    harness.main()
