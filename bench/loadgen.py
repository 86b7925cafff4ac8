"""wrk, driven by ``lua/replay.lua`` over a prepared request file."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.proc import HOST, stop_group

SCRIPT = Path(__file__).resolve().parent / "lua" / "replay.lua"
GRACE_S = 3  # after the last request is sent, time for those in flight to complete
TIMEOUT_S = 10  # per request; must exceed GRACE_S (see replay.lua)
THREADS = 1  # one wrk thread: the load generator shares the server's two cores


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    duration_s: float
    responses: int
    sent: int
    ok: int
    errors: int
    statuses: dict[str, int]
    wraps: int
    connections: int

    def figures(self) -> dict[str, Any]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "duration_s": round(self.duration_s, 2),
            "ok": self.ok,
            "errors": self.errors,
            "statuses": self.statuses,
            "connections": self.connections,
        }


def forwarded_for(i: int, networks: int = 4096) -> str:
    """Request i's client address: one of ``networks`` distinct /24 networks, in turn.

    Rate limits count per /24; 4,096 networks keep every one far below the limit (60 voices
    per 10 minutes) while each request still goes through the limiter.
    """
    n = i % networks
    return f"10.{n // 256 % 256}.{n % 256}.{1 + (i // networks) % 250}"


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (.ci/run tries to)")
    return path


def run(*, port: int, requests: Path, expected: int, seconds: float, connections: int) -> Load:
    """Send the file's requests for ``seconds``; every status but ``expected`` is an error."""
    argv = [
        wrk_path(),
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{int(seconds + GRACE_S + 0.999)}s",
        "--timeout",
        f"{TIMEOUT_S}s",
        "-s",
        str(SCRIPT),
        f"http://{HOST}:{port}",
        "--",
        str(requests),
        str(expected),
        str(THREADS),
        str(seconds),
    ]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=seconds + GRACE_S + 60)
    finally:
        stop_group(proc, grace=2)
    line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err.strip()[-500:]}\n{out[-500:]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    active = raw["active_s"]
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"]
    return Load(
        rps=raw["responses"] / active if active > 0 else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        duration_s=active,
        responses=raw["responses"],
        sent=raw["sent"],
        ok=raw["ok"],
        errors=raw["bad_status"] + socket_errors + raw["timeouts"],
        statuses=raw["statuses"] or {},
        wraps=raw["wraps"],
        connections=connections,
    )
