"""What the machine is, and how busy other programs kept it while a figure was measured."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def describe() -> dict[str, object]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": model}


def _busy_ticks() -> int:
    """Non-idle CPU ticks of the whole machine, all cores."""
    fields = Path("/proc/stat").read_text(encoding="utf-8").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def _group_ticks(pgid: int) -> int:
    """CPU ticks used so far by the live processes of a process group."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _children_ticks() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * TICKS


@dataclass
class CpuWatch:
    """CPU used during a measurement: by the server, by the load generator, by everything else."""

    server_pgid: int

    def __post_init__(self) -> None:
        self.t0 = time.monotonic()
        self.busy0 = _busy_ticks()
        self.server0 = _group_ticks(self.server_pgid)
        self.children0 = _children_ticks()

    def stop(self) -> dict[str, float]:
        """Average cores busy: call after the load generator exited, while the server lives."""
        elapsed = max(time.monotonic() - self.t0, 1e-6) * TICKS
        busy = _busy_ticks() - self.busy0
        server = _group_ticks(self.server_pgid) - self.server0
        loadgen = _children_ticks() - self.children0
        other = max(0.0, busy - server - loadgen)
        return {
            "server": round(server / elapsed, 2),
            "loadgen": round(loadgen / elapsed, 2),
            "other": round(other / elapsed, 2),
        }


def other_load(seconds: float = 1.0) -> float:
    """Cores kept busy by everything on the machine over the next ``seconds``."""
    busy0, t0 = _busy_ticks(), time.monotonic()
    time.sleep(seconds)
    return (_busy_ticks() - busy0) / ((time.monotonic() - t0) * TICKS)


def wait_quiet(*, limit: float, patience: float, log: object = None) -> float:
    """Wait (at most ``patience`` s) until other programs use under ``limit`` cores; return it."""
    deadline = time.monotonic() + patience
    load = other_load()
    while load > limit and time.monotonic() < deadline:
        if callable(log):
            log(f"the machine is busy ({load:.2f} cores used by other programs); waiting")
        time.sleep(4)
        load = other_load()
    return round(load, 2)
