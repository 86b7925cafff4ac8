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


def _ticks_by_owner(pgid: int) -> tuple[int, int]:
    """CPU ticks used so far by the live processes of a process group, and by PostgreSQL's."""
    group = database = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8")
        except OSError:
            continue
        name, fields = stat.split("(", 1)[1].rsplit(")", 1)[0], stat.rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime, all threads
        if int(fields[2]) == pgid:  # the process group
            group += ticks
        elif name == "postgres":
            database += ticks
    return group, database


def _children_ticks() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * TICKS


@dataclass
class CpuWatch:
    """CPU used during a measurement by the server, the database server (PostgreSQL's
    processes), the load generator, and everything else on the machine."""

    server_pgid: int

    def __post_init__(self) -> None:
        self.t0 = time.monotonic()
        self.busy0 = _busy_ticks()
        self.server0, self.database0 = _ticks_by_owner(self.server_pgid)
        self.children0 = _children_ticks()

    def stop(self, active_seconds: float) -> dict[str, float]:
        """Average cores busy: the server's, the database's and wrk's over the
        ``active_seconds`` the load lasted (call after wrk exited, while the server runs), and
        other programs' over the whole window (which includes wrk's start and grace period)."""
        per = max(active_seconds, 1e-6) * TICKS
        window = max(time.monotonic() - self.t0, 1e-6) * TICKS
        busy = _busy_ticks() - self.busy0
        server, database = _ticks_by_owner(self.server_pgid)
        server, database = server - self.server0, database - self.database0
        loadgen = _children_ticks() - self.children0
        other = max(0.0, busy - server - database - loadgen)
        return {
            "server": round(server / per, 2),
            "database": round(database / per, 2),
            "loadgen": round(loadgen / per, 2),
            "other": round(other / window, 2),
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
