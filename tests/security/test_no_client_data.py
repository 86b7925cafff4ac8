"""Traffic with a known client address and user agent leaves neither in the database or logs."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from chorus.core import pow
from chorus.counts.selectors import voice_pending_count
from tests.conftest import solve

ADDRESS = "203.0.113.77"
AGENT = "ChorusProbe/9.9 (Unique-Agent-7731; X11)"
NEEDLES = (ADDRESS, "203.0.113.", AGENT, "Unique-Agent-7731", "ChorusProbe")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_text() -> str:
    """Every row of every table, as text."""
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def _assert_absent(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"{needle!r} found in {where}"


def _traffic(send) -> None:
    """Pages, a voice by form and by API, errors of every kind."""
    send("GET", "/", None)
    send("GET", "/numbers", None)
    send("GET", "/does-not-exist", None)
    send("POST", "/api/v1/voices", {"altcha": solve(pow.challenge_issue()), "country": "FR"})
    send("POST", "/api/v1/voices", {"altcha": "forged", "country": "FR"})
    send("POST", "/api/v1/voices", {"country": "ZZ"})
    send("GET", "/api/v1/snapshots/latest", None)


@pytest.mark.django_db
def test_in_process_requests_leave_no_address_or_agent(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_X_FORWARDED_FOR=ADDRESS)

    def send(method: str, path: str, body: object) -> None:
        if method == "GET":
            client.get(path)
        else:
            client.post(path, json.dumps(body), content_type="application/json")

    _traffic(send)
    client.post("/add", {"country": "DE", "altcha": solve(pow.challenge_issue())})
    assert voice_pending_count() == 2
    _assert_absent(caplog.text, "captured logs")
    _assert_absent(_database_text(), "the database")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The production WSGI server (`chorus serve`), logging to a file, on its own SQLite file."""
    env = {
        **os.environ,
        "CHORUS_ENV": "test",
        "CHORUS_VAR_DIR": str(tmp_path),
        "CHORUS_DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite3'}",
        "CHORUS_TRUSTED_PROXIES": "1",
        "CHORUS_SECRET_KEY": "s" * 64,
    }
    chorus = [sys.executable, "-m", "chorus.cli.main"]
    subprocess.run([*chorus, "migrate"], env=env, check=True, timeout=120)
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [*chorus, "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/help", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", tmp_path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def test_the_production_server_leaves_no_address_or_agent(
    server: tuple[str, Path], settings
) -> None:
    base, var = server
    # The bench process must sign challenges with the server's secret.
    settings.SECRET_KEY = "s" * 64
    statuses = []

    def send(method: str, path: str, body: object) -> None:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310
            base + path, data=data, method=method,
            headers={
                "User-Agent": AGENT,
                "X-Forwarded-For": ADDRESS,
                "Content-Type": "application/json",
            },
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    _traffic(send)
    assert statuses == [200, 200, 404, 201, 400, 422, 404]
    logs = (var / "server.log").read_bytes().decode(errors="replace")
    assert "Not Found: /does-not-exist" in logs  # the log is really being written
    _assert_absent(logs, "the server log")
    database = b"".join(p.read_bytes() for p in var.glob("server.sqlite3*")).decode(
        errors="replace"
    )
    assert "FR" in database  # the voice itself is there
    _assert_absent(database, "the database file")
