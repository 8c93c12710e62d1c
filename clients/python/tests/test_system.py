"""System metrics: parsed from recorded /proc, cgroup and nvidia-smi outputs, read live here, and stored by a run."""
import os
import time
import unittest
from pathlib import Path
from unittest import mock

import trackstack
from support import Server, module_server, run_info, series, temporary_directory, wait_until
from trackstack import system

RECORDED = Path(__file__).parent / "recorded"
server: Server


def setUpModule() -> None:
    global server
    server = module_server()


def recorded(name: str) -> str:
    return (RECORDED / name).read_text()


class FakeNvml:
    """libnvidia-ml's functions as ctypes calls them: results go through the pointers (byref) they are given."""

    def nvmlDeviceGetCount_v2(self, count) -> int:
        count._obj.value = 1
        return 0

    def nvmlDeviceGetHandleByIndex_v2(self, index, handle) -> int:
        handle._obj.value = 1000 + index
        return 0

    def nvmlDeviceGetName(self, handle, buffer, size) -> int:
        buffer.value = b"NVIDIA H100"
        return 0

    def nvmlSystemGetDriverVersion(self, buffer, size) -> int:
        buffer.value = b"550.54.15"
        return 0

    def nvmlDeviceGetUtilizationRates(self, handle, utilization) -> int:
        utilization._obj.gpu = 87
        return 0

    def nvmlDeviceGetMemoryInfo(self, handle, memory) -> int:
        memory._obj.total, memory._obj.used = 80 * 2 ** 30, 2 ** 30
        return 0

    def nvmlDeviceGetTemperature(self, handle, sensor, temperature) -> int:
        temperature._obj.value = 64
        return 0

    def nvmlDeviceGetPowerUsage(self, handle, milliwatts) -> int:
        return 3  # NVML_ERROR_NOT_SUPPORTED


class ParserTest(unittest.TestCase):
    def test_proc_stat_counts_idle_and_iowait_as_not_busy(self) -> None:
        busy, total = system.parse_proc_stat(recorded("proc_stat"))
        self.assertEqual(total, 4705 + 150 + 1120 + 16250 + 520 + 0 + 35 + 0)
        self.assertEqual(busy, total - 16250 - 520)

    def test_meminfo(self) -> None:
        self.assertEqual(system.parse_meminfo(recorded("meminfo")), (16303428 * 1024, 10217584 * 1024))

    def test_cgroup_limit_and_no_limit(self) -> None:
        current = recorded("cgroup_memory.current")
        self.assertEqual(system.parse_cgroup_memory(recorded("cgroup_memory.max"), current),
                         (4 * 1024 ** 3, 1536 * 1024 ** 2))
        self.assertEqual(system.parse_cgroup_memory(recorded("cgroup_memory.max.unlimited"), current),
                         (None, 1536 * 1024 ** 2))

    def test_diskstats_counts_whole_disks_only(self) -> None:
        read, written = system.parse_diskstats(recorded("diskstats"))
        self.assertEqual(read, (4000000 + 200000) * 512)  # nvme0n1 and sda; no partition, loop or dm device
        self.assertEqual(written, (6000000 + 100000) * 512)

    def test_net_dev_leaves_out_loopback(self) -> None:
        self.assertEqual(system.parse_net_dev(recorded("net_dev")), (734520917 + 1000, 45188231 + 2000))

    def test_nvidia_smi_leaves_out_what_a_gpu_does_not_report(self) -> None:
        first, second = system.parse_nvidia_smi(recorded("nvidia_smi"))
        self.assertEqual(first, {"index": 0, "name": "NVIDIA A100-SXM4-40GB", "driver": "535.104.05",
                                 "utilization_percent": 87.0, "memory_used_bytes": 30512 * 1024 ** 2,
                                 "memory_total_bytes": 40960 * 1024 ** 2, "temperature_celsius": 64.0,
                                 "power_watts": 312.45})
        self.assertEqual(second["name"], "Tesla T4")
        self.assertNotIn("power_watts", second)

    def test_nvml_read_through_ctypes(self) -> None:
        gpus = system.Nvml(FakeNvml()).gpus()
        self.assertEqual(gpus, [{"index": 0, "name": "NVIDIA H100", "driver": "550.54.15", "utilization_percent": 87.0,
                                 "memory_used_bytes": 2.0 ** 30, "memory_total_bytes": 80 * 2.0 ** 30,
                                 "temperature_celsius": 64.0}])  # power: not supported by this one

    def test_gpu_metrics_are_named_per_index(self) -> None:
        counters = system.Counters()
        metrics = system.sample(counters, counters, system.parse_nvidia_smi(recorded("nvidia_smi")))
        self.assertEqual(metrics["sys/gpu.0.utilization_percent"], 87.0)
        self.assertEqual(metrics["sys/gpu.1.temperature_celsius"], 38.0)
        self.assertAlmostEqual(metrics["sys/gpu.0.memory_percent"], 100 * 30512 / 40960)
        self.assertNotIn("sys/gpu.1.power_watts", metrics)

    def test_interval_setting(self) -> None:
        self.assertEqual(system.interval_setting(True), 15.0)
        self.assertIsNone(system.interval_setting(False))
        self.assertEqual(system.interval_setting(2), 2.0)
        self.assertRaises(ValueError, system.interval_setting, 0.5)
        for text, interval in (("", 15.0), ("on", 15.0), ("off", None), ("0", None), ("1", 1.0), ("30", 30.0)):
            with mock.patch.dict(os.environ, TRACKSTACK_SYSTEM_METRICS=text):
                self.assertEqual(system.interval_setting(None), interval, text)


class LiveTest(unittest.TestCase):
    def test_cpu_and_memory_of_this_machine(self) -> None:
        before = system.Counters()
        deadline = time.process_time() + 0.3
        while time.process_time() < deadline:  # busy: this process uses CPU between the readings
            pass
        metrics = system.sample(before, system.Counters(), [])
        self.assertGreater(metrics["sys/process_cpu_percent"], 10)
        self.assertTrue(0 < metrics["sys/cpu_percent"] <= 100)
        self.assertTrue(0 < metrics["sys/memory_used_bytes"] < metrics["sys/memory_total_bytes"])
        self.assertGreater(metrics["sys/process_memory_rss_bytes"], 1024 * 1024)
        self.assertGreaterEqual(metrics["sys/network_rx_bytes_per_s"], 0)

    def test_environment(self) -> None:
        environment = system.environment([])
        self.assertGreaterEqual(environment["cpuCount"], 1)
        self.assertGreater(environment["memoryTotalBytes"], 0)
        self.assertRegex(environment["python"], r"^3\.\d+")
        self.assertEqual(len(environment["gitCommit"]), 40)  # the tests run in the repository


class StoredTest(unittest.TestCase):
    def test_a_run_stores_sys_series_and_its_environment(self) -> None:
        run = trackstack.init(project="system", model="m", url=server.url, spool_dir=temporary_directory(self),
                              system_metrics=1, flush_interval=0.2)
        run.log({"loss": 1.0})
        wait_until(lambda: series(server.api, run.id, "sys/cpu_percent")["totalPoints"] >= 2, timeout=20)
        run.finish()

        points = series(server.api, run.id, "sys/memory_used_bytes")["points"]
        self.assertGreater(points[0]["value"], 0)
        self.assertGreater(points[0]["step"], 1_700_000_000)  # Unix seconds
        self.assertEqual(run_info(server.api, run.id)["summaries"][0]["name"], "loss")
        environment = server.api.execute("query($id: ID!) { run(id: $id) { environment } }",
                                              id=run.id)["run"]["environment"]
        self.assertEqual(environment["cpuCount"], os.cpu_count())
        self.assertIn("hostname", environment)

    def test_off_with_one_setting(self) -> None:
        run = trackstack.init(project="system", model="m", url=server.url, spool_dir=temporary_directory(self),
                              system_metrics=False)
        run.log({"loss": 1.0})
        run.finish()
        self.assertEqual([s["name"] for s in run_info(server.api, run.id)["summaries"]], ["loss"])
