"""System metrics and the run's environment, read from Linux's /proc and cgroup files and from NVIDIA's NVML.

Everything here is optional: a file or library that is missing (another OS, no GPU) leaves its metrics out.
The parsers take the files' text, so that they are tested with recorded outputs.
"""
from __future__ import annotations

import ctypes
import logging
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

log = logging.getLogger("trackstack")

DEFAULT_INTERVAL = 15.0  # seconds between samples
FIRST_SAMPLE_AFTER = 1.0  # seconds: CPU and rates need two readings, the first sample comes this long after start
SECTOR_BYTES = 512  # /proc/diskstats counts 512-byte sectors whatever the device's own sector size
MIB = 1024 * 1024
# Packages whose versions the environment records when they are installed.
KEY_PACKAGES = ("torch", "lightning", "pytorch-lightning", "transformers", "accelerate", "keras", "tensorflow", "jax",
                "numpy", "scikit-learn", "optuna", "omegaconf", "trackstack")
NVIDIA_SMI_FIELDS = "index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw,driver_version"

# Whole disks only: partitions and device-mapper volumes count the same bytes again, loop and RAM disks are no disk.
_NOT_A_DISK = re.compile(r"^(loop|ram|zram|sr|dm-|md)\d*|^((sd|vd|xvd|hd)[a-z]+\d+|(nvme\d+n\d+|mmcblk\d+)p\d+)$")


def parse_proc_stat(text: str) -> Tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat; idle and iowait are not busy."""
    for line in text.splitlines():
        if line.startswith("cpu "):
            values = [int(value) for value in line.split()[1:]]
            idle = values[3] + (values[4] if len(values) > 4 else 0)
            total = sum(values[:8])  # guest time is already counted in user time
            return total - idle, total
    raise ValueError("no cpu line in /proc/stat")


def parse_meminfo(text: str) -> Tuple[int, int]:
    """(total, available) bytes from /proc/meminfo."""
    fields = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts:
            fields[name] = int(parts[0]) * 1024  # kB
    return fields["MemTotal"], fields["MemAvailable"]


def parse_cgroup_memory(limit_text: str, current_text: str) -> Tuple[Optional[int], int]:
    """(limit, current) bytes from cgroup v2 memory.max and memory.current; limit None when it is "max"."""
    limit = limit_text.strip()
    return (None if limit == "max" else int(limit)), int(current_text.strip())


def parse_diskstats(text: str) -> Tuple[int, int]:
    """(read, written) bytes of the whole disks since boot, from /proc/diskstats."""
    read = written = 0
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 10 or _NOT_A_DISK.match(fields[2]):
            continue
        read += int(fields[5]) * SECTOR_BYTES
        written += int(fields[9]) * SECTOR_BYTES
    return read, written


def parse_net_dev(text: str) -> Tuple[int, int]:
    """(received, sent) bytes of all interfaces but loopback since boot, from /proc/net/dev."""
    received = sent = 0
    for line in text.splitlines()[2:]:  # two header lines
        name, _, counters = line.partition(":")
        fields = counters.split()
        if name.strip() == "lo" or len(fields) < 9:
            continue
        received += int(fields[0])
        sent += int(fields[8])
    return received, sent


def parse_nvidia_smi(text: str) -> List[Dict[str, Any]]:
    """The GPUs in `nvidia-smi --query-gpu=<NVIDIA_SMI_FIELDS> --format=csv,noheader,nounits` output; a value the
    GPU does not report ("[N/A]", "[Not Supported]") is left out."""
    gpus = []
    for line in text.strip().splitlines():
        index, name, utilization, used, total, temperature, power, driver = [f.strip() for f in line.split(",")]
        gpu: Dict[str, Any] = {"index": int(index), "name": name, "driver": driver}
        for key, value, scale in (("utilization_percent", utilization, 1), ("memory_used_bytes", used, MIB),
                                  ("memory_total_bytes", total, MIB), ("temperature_celsius", temperature, 1),
                                  ("power_watts", power, 1)):
            try:
                gpu[key] = float(value) * scale
            except ValueError:
                pass
        gpus.append(gpu)
    return gpus


class _Utilization(ctypes.Structure):
    _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]


class _Memory(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]


class Nvml:
    """NVIDIA's management library through ctypes; `Nvml.load()` answers None where it is not installed."""

    def __init__(self, library: Any) -> None:
        self._nvml = library
        count = ctypes.c_uint()
        self._check(library.nvmlDeviceGetCount_v2(ctypes.byref(count)))
        self._handles = []
        for index in range(count.value):
            handle = ctypes.c_void_p()
            self._check(library.nvmlDeviceGetHandleByIndex_v2(index, ctypes.byref(handle)))
            self._handles.append(handle)

    @staticmethod
    def load() -> Optional["Nvml"]:
        try:
            library = ctypes.CDLL("libnvidia-ml.so.1")
            Nvml._check(library.nvmlInit_v2())
            return Nvml(library)
        except (OSError, AttributeError, RuntimeError):
            return None

    @staticmethod
    def _check(status: int) -> None:
        if status != 0:
            raise RuntimeError(f"NVML error {status}")

    def gpus(self) -> List[Dict[str, Any]]:
        """The GPUs as parse_nvidia_smi answers them; a value NVML does not report is left out."""
        gpus = []
        for index, handle in enumerate(self._handles):
            name = ctypes.create_string_buffer(96)
            driver = ctypes.create_string_buffer(80)
            self._nvml.nvmlDeviceGetName(handle, name, 96)
            self._nvml.nvmlSystemGetDriverVersion(driver, 80)
            gpu: Dict[str, Any] = {"index": index, "name": name.value.decode(), "driver": driver.value.decode()}
            utilization, memory = _Utilization(), _Memory()
            temperature, milliwatts = ctypes.c_uint(), ctypes.c_uint()
            if self._nvml.nvmlDeviceGetUtilizationRates(handle, ctypes.byref(utilization)) == 0:
                gpu["utilization_percent"] = float(utilization.gpu)
            if self._nvml.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(memory)) == 0:
                gpu["memory_used_bytes"] = float(memory.used)
                gpu["memory_total_bytes"] = float(memory.total)
            if self._nvml.nvmlDeviceGetTemperature(handle, 0, ctypes.byref(temperature)) == 0:  # 0: the GPU die
                gpu["temperature_celsius"] = float(temperature.value)
            if self._nvml.nvmlDeviceGetPowerUsage(handle, ctypes.byref(milliwatts)) == 0:
                gpu["power_watts"] = milliwatts.value / 1000
            gpus.append(gpu)
        return gpus


def nvidia_smi_gpus() -> List[Dict[str, Any]]:
    """The GPUs as nvidia-smi reports them; none where it is not installed or fails."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        output = subprocess.run(["nvidia-smi", f"--query-gpu={NVIDIA_SMI_FIELDS}", "--format=csv,noheader,nounits"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
        return parse_nvidia_smi(output)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []


def gpu_reader() -> Callable[[], List[Dict[str, Any]]]:
    """How to read the GPUs here: NVML, else nvidia-smi (which answers none where there is no NVIDIA GPU)."""
    nvml = Nvml.load()
    return nvml.gpus if nvml is not None else nvidia_smi_gpus


def _read(path: str) -> Optional[str]:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def memory() -> Optional[Tuple[int, int]]:
    """(used, total) bytes: the cgroup's (a container's) when it has a limit, else the machine's."""
    limit, current = _read("/sys/fs/cgroup/memory.max"), _read("/sys/fs/cgroup/memory.current")
    if limit is not None and current is not None:
        cgroup_limit, used = parse_cgroup_memory(limit, current)
        if cgroup_limit is not None:
            return used, cgroup_limit
    meminfo = _read("/proc/meminfo")
    if meminfo is None:
        return None
    total, available = parse_meminfo(meminfo)
    return total - available, total


class Counters:
    """The cumulative counters that metrics are rates of, read at one moment."""

    def __init__(self) -> None:
        self.wall = time.monotonic()
        times = os.times()
        self.process_cpu = times.user + times.system
        stat, disks, network = _read("/proc/stat"), _read("/proc/diskstats"), _read("/proc/net/dev")
        self.cpu = parse_proc_stat(stat) if stat else None
        self.disk = parse_diskstats(disks) if disks else None
        self.network = parse_net_dev(network) if network else None


def sample(before: Counters, now: Counters, gpus: List[Dict[str, Any]]) -> Dict[str, float]:
    """The metrics of the time between two readings of the counters, and the current memory and GPUs."""
    seconds = max(now.wall - before.wall, 1e-6)
    metrics = {"sys/process_cpu_percent": 100 * (now.process_cpu - before.process_cpu) / seconds}
    if now.cpu and before.cpu and now.cpu[1] > before.cpu[1]:
        metrics["sys/cpu_percent"] = 100 * (now.cpu[0] - before.cpu[0]) / (now.cpu[1] - before.cpu[1])
    used_total = memory()
    if used_total is not None:
        used, total = used_total
        metrics.update({"sys/memory_used_bytes": used, "sys/memory_total_bytes": total,
                        "sys/memory_percent": 100 * used / total})
    rss = _process_rss()
    if rss is not None:
        metrics["sys/process_memory_rss_bytes"] = rss
    for name, counters in (("disk_read", "disk"), ("network_rx", "network")):
        old, new = getattr(before, counters), getattr(now, counters)
        if old and new:
            other = "disk_write" if counters == "disk" else "network_tx"
            metrics[f"sys/{name}_bytes_per_s"] = (new[0] - old[0]) / seconds
            metrics[f"sys/{other}_bytes_per_s"] = (new[1] - old[1]) / seconds
    for gpu in gpus:
        for key, value in gpu.items():
            if key not in ("index", "name", "driver"):
                metrics[f"sys/gpu.{gpu['index']}.{key}"] = value
        if "memory_used_bytes" in gpu and gpu.get("memory_total_bytes"):
            metrics[f"sys/gpu.{gpu['index']}.memory_percent"] = 100 * gpu["memory_used_bytes"] / gpu[
                "memory_total_bytes"]
    return metrics


def _process_rss() -> Optional[int]:
    statm = _read("/proc/self/statm")
    return None if statm is None else int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")


def environment(gpus: List[Dict[str, Any]]) -> Dict[str, Any]:
    """What the run runs on and what it runs: recorded once per run."""
    used_total = memory()
    env: Dict[str, Any] = {
        "hostname": socket.gethostname(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "command": shlex.join(sys.argv),
        "cwd": os.getcwd(),
        "cpuCount": os.cpu_count(),
        "memoryTotalBytes": None if used_total is None else used_total[1],
        "packages": _package_versions(),
    }
    if hasattr(os, "sched_getaffinity"):
        env["cpusUsable"] = len(os.sched_getaffinity(0))
    if gpus:
        env["gpus"] = [{"index": gpu["index"], "name": gpu["name"], "memoryTotalBytes": gpu.get("memory_total_bytes")}
                       for gpu in gpus]
        env["gpuDriver"] = gpus[0]["driver"]
    env.update(_git())
    return env


def _package_versions() -> Dict[str, str]:
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def _git() -> Dict[str, Any]:
    """The commit checked out in the working directory and whether it has changes; nothing outside a repository."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if commit.returncode != 0:
            return {}
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                                text=True, timeout=5)
        return {"gitCommit": commit.stdout.strip(), "gitDirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {}


def interval_setting(value: Any) -> Optional[float]:
    """The sampling interval in seconds that the `system_metrics` setting (or $TRACKSTACK_SYSTEM_METRICS when it is
    None) asks for, or None for off: True, "on" or unset is DEFAULT_INTERVAL; False, 0, "off" turn it off; another
    number is the interval (at least 1 s: samples are stepped by the second)."""
    if value is None:
        text = os.environ.get("TRACKSTACK_SYSTEM_METRICS", "").strip().lower()
        value = {"": True, "on": True, "true": True, "yes": True, "off": False, "false": False, "no": False}.get(text)
        if value is None:
            value = float(text)
    if value is True:
        return DEFAULT_INTERVAL
    if value is False or value == 0:
        return None
    if float(value) < 1:
        raise ValueError("system_metrics must be an interval of at least 1 second, True or False")
    return float(value)


class SystemMonitor:
    """Samples the system on a thread of its own: first after FIRST_SAMPLE_AFTER, then every `interval` seconds.

    A sample's step is its Unix time in whole seconds: system metrics have no training step, and such steps stay
    unique and ordered across the processes of a resumed run. The run's environment goes first, once.
    """

    def __init__(self, interval: float, log_metrics: Callable[[Mapping[str, float], int, datetime], None],
                 record_environment: Callable[[Dict[str, Any]], None]) -> None:
        self._interval = interval
        self._log = log_metrics
        self._record_environment = record_environment
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trackstack-system", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        try:
            before = Counters()
            read_gpus = gpu_reader()
            self._record_environment(environment(read_gpus()))
            wait = min(FIRST_SAMPLE_AFTER, self._interval)
            while not self._stopped.wait(wait):
                now = Counters()
                stamp = datetime.now(timezone.utc)
                self._log(sample(before, now, read_gpus()), int(stamp.timestamp()), stamp)
                before, wait = now, self._interval
        except Exception:  # never the training's problem
            log.exception("Trackstack system metrics stopped")
