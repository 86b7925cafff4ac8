"""What the machine is, and how busy other programs kept it while a figure was measured."""

from __future__ import annotations

import os
import platform
import resource
import sysconfig
import threading
import time
from pathlib import Path
from typing import Any

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
    return {"nproc": os.cpu_count(), "cpu_model": model, **interpreter()}


def interpreter() -> dict[str, object]:
    """The Python the server runs on, and whether it was built with profile-guided optimisation
    and link-time optimisation: a build without them (pyenv's default) costs about a fifth more
    CPU for the same Python code (docs/benchmarks.md, session 5)."""
    args = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    return {
        "python": platform.python_version(),
        "python_pgo": "--enable-optimizations" in args,
        "python_lto": "--with-lto" in args,
    }


def _cpu_ticks() -> tuple[int, int]:
    """Non-idle CPU ticks of the whole machine (all cores), and of those the ticks stolen by
    the hypervisor for other virtual machines."""
    fields = Path("/proc/stat").read_text(encoding="utf-8").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal, steal


def _busy_ticks() -> int:
    return _cpu_ticks()[0]


def _process_ticks(pgid: int) -> dict[int, tuple[str, int]]:
    """CPU ticks so far of every live process of the group ("server") or of PostgreSQL
    ("database"), by pid."""
    found: dict[int, tuple[str, int]] = {}
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
            found[int(entry.name)] = ("server", ticks)
        elif name == "postgres":
            found[int(entry.name)] = ("database", ticks)
    return found


def _children_ticks() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * TICKS


class CpuWatch:
    """CPU used during a measurement by the server, the database server (PostgreSQL's
    processes), the load generator (our waited-for children), and everything else.

    A thread samples the processes every quarter second, so that a process that exits during
    the measurement (a PostgreSQL backend whose client left) keeps the ticks last seen.
    """

    def __init__(self, server_pgid: int) -> None:
        self.server_pgid = server_pgid
        self.t0 = time.monotonic()
        self.busy0, self.steal0 = _cpu_ticks()
        self.children0 = _children_ticks()
        self.first = _process_ticks(server_pgid)
        self.last = dict(self.first)
        self.done = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self) -> None:
        while not self.done.wait(0.25):
            self.last.update(_process_ticks(self.server_pgid))

    def stop(self, active_seconds: float) -> dict[str, Any]:
        """Average cores busy: the server's, the database's and wrk's over the
        ``active_seconds`` the load lasted (call after wrk exited, while the server runs), and
        other programs' over the whole window (which includes wrk's start and grace period)."""
        self.done.set()
        self.sampler.join(timeout=5)
        self.last.update(_process_ticks(self.server_pgid))
        per = max(active_seconds, 1e-6) * TICKS
        window = max(time.monotonic() - self.t0, 1e-6) * TICKS
        busy, steal = _cpu_ticks()
        busy, steal = busy - self.busy0, steal - self.steal0
        used = {"server": 0, "database": 0}
        per_process: list[int] = []
        for pid, (owner, ticks) in self.last.items():
            delta = ticks - self.first.get(pid, (owner, 0))[1]
            used[owner] += delta
            if owner == "server":
                per_process.append(delta)
        loadgen = _children_ticks() - self.children0
        other = max(0.0, busy - used["server"] - used["database"] - loadgen)
        return {
            "server": round(used["server"] / per, 2),
            "database": round(used["database"] / per, 2),
            "loadgen": round(loadgen / per, 2),
            "other": round(other / window, 2),
            "of_which_stolen": round(steal / window, 2),  # by the hypervisor
            # the server's processes, busiest first: the two workers, then granian's master
            "server_processes": [round(t / per, 2) for t in sorted(per_process, reverse=True)],
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
