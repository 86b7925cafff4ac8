"""Processes the benchmark starts: the production server, helper tasks and wrk.

Every process is started in its own session (process group) and stopped with its whole group
in a ``finally``; every wait has a deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # the only address the benchmark ever talks to
WORKERS = 2  # granian worker processes: one per core, as `chorus serve` defaults to here


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def base_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without any CHORUS_*/DJANGO_* setting, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CHORUS_", "DJANGO_", "GRANIAN_"))
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def stop_group(proc: subprocess.Popen[Any], *, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it is still there after ``grace``."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # Workers may outlive the master for a moment: always sweep the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def task(name: str, *args: str, env: Mapping[str, str], timeout: float) -> dict[str, Any]:
    """Run ``python -m bench.tasks NAME ARGS`` and return the JSON object it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.tasks", name, *args],
        cwd=REPO,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=None,  # progress goes straight to our stderr
        text=True,
        start_new_session=True,
    )
    try:
        out, _err = proc.communicate(timeout=timeout)
    finally:
        stop_group(proc, grace=2)
    if proc.returncode != 0:
        raise RuntimeError(f"bench task {name} failed with exit status {proc.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _answers(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


@dataclass(frozen=True)
class Server:
    port: int
    pgid: int


@contextlib.contextmanager
def server(
    *,
    env: Mapping[str, str],
    log_path: Path,
    workers: int = WORKERS,
    threads: int | None = None,
    probe: str = "/badge.svg",
    start_timeout: float = 60,
) -> Iterator[Server]:
    """Run ``chorus serve`` (granian WSGI, 2 workers) on a free port until the block ends."""
    port = free_port()
    argv = [str(BIN / "chorus"), "serve", "--host", HOST, "--port", str(port)]
    argv += ["--workers", str(workers)]
    if threads is not None:  # else `chorus serve` chooses by database, as in production
        argv += ["--threads", str(threads)]
    with log_path.open("ab") as log_file:
        proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers(port, probe):
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer in {start_timeout}s; see {log_path}")
            time.sleep(0.2)
        yield Server(port=port, pgid=proc.pid)
    finally:
        stop_group(proc)
