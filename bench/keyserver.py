"""Key server figures for ``make bench``: OPRF evaluations per second over HTTP, as JSON lines.

Starts, each on its own temporary SQLite file: a standalone ``chorus keyserver`` and ``chorus
serve`` twice (alone, and using that key server as the second one). A survivor makes a codename
account over HTTP (with a solved proof-of-work) and asks ``POST /escrow/oprf`` in a loop; the
standalone server is also asked directly. Figures: requests and elements per second for batches
of 1 and 8, one client, one worker. Usage: ``python -m bench.keyserver [--seconds S]``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import altcha

from chorus.accounts import codename as cn
from chorus.crypto import oprf
from chorus.crypto.suites import Mode

CHORUS = [sys.executable, "-m", "chorus.cli.main"]
TOKEN = secrets.token_hex(24)
NO_LIMIT = str(10**9)


def emit(figure: str, **values: Any) -> None:
    print(json.dumps({"figure": figure, **values}), flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _process(args: list[str], env: dict[str, str], ready: str, log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            deadline = time.monotonic() + 60
            while True:
                try:
                    opener.open(ready, timeout=2).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log.read_text()) from None
                    time.sleep(0.2)
            yield
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def _env(tmp: Path, name: str, **extra: str) -> dict[str, str]:
    (tmp / name).mkdir()
    return {
        **os.environ,
        "CHORUS_ENV": "dev",
        "CHORUS_VAR_DIR": str(tmp / name),
        "CHORUS_DATABASE_URL": f"sqlite:///{tmp / name / 'db.sqlite3'}",
        "CHORUS_OPRF_LIMIT_ACCOUNT": NO_LIMIT,
        "CHORUS_OPRF_LIMIT_DEPLOYMENT": NO_LIMIT,
        **extra,
    }


def _serve(stack: ExitStack, tmp: Path, name: str, **extra: str) -> str:
    env = _env(tmp, name, **extra)
    subprocess.run([*CHORUS, "migrate"], env=env, check=True, timeout=120)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = [*CHORUS, "serve", "--port", str(port), "--workers", "1"]
    stack.enter_context(_process(args, env, f"{url}/help", tmp / f"{name}.log"))
    return url


class Survivor:
    """A cookie-keeping HTTP client that makes a codename account and stays signed in."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )
        with self.opener.open(f"{url}/account/new", timeout=10) as page:
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        if found is None:
            raise RuntimeError("no CSRF token on /account/new")
        self.csrf = found.group(1)
        with self.opener.open(f"{url}/pow/challenge", timeout=10) as response:
            challenge = altcha.Challenge.from_dict(json.loads(response.read()))
        solution = altcha.solve_challenge(challenge)
        if solution is None:
            raise RuntimeError("the proof-of-work challenge could not be solved")
        main = cn.codename_keys(cn.codename_generate())
        rescue = cn.recovery_keys(cn.recovery_generate())
        sid = cn.sid_generate()
        self.post(
            "/account/new",
            {
                "auth": main.auth.hex(),
                "recovery_auth": rescue.auth.hex(),
                "sid_wrapped": cn.sid_wrap(wrap=main.wrap, sid=sid).hex(),
                "sid_wrapped_recovery": cn.sid_wrap(wrap=rescue.wrap, sid=sid, recovery=True).hex(),
                "altcha": altcha.Payload(challenge, solution).to_base64(),
            },
        )

    def post(self, path: str, body: Any) -> Any:
        request = urllib.request.Request(  # noqa: S310  (a local server this script started)
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
        )
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read())


def _direct(url: str) -> Callable[[dict[str, Any]], Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {TOKEN}",
        "Chorus-Account-Tag": secrets.token_hex(32),
    }

    def post(body: dict[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310  (a local server this script started)
            f"{url}/v1/evaluate", data=json.dumps(body).encode(), method="POST", headers=headers
        )
        with opener.open(request, timeout=30) as response:
            return json.loads(response.read())

    return post


def _measure(figure: str, send: Callable[[dict[str, Any]], Any], seconds: float) -> None:
    for batch in (1, 8):
        body = {
            "blinded": [
                oprf.blind(secrets.token_bytes(16), mode=Mode.VOPRF).blinded_element.hex()
                for _ in range(batch)
            ]
        }
        for _ in range(5):
            send(body)  # warm up
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            send(body)
            n += 1
        elapsed = time.perf_counter() - start
        emit(
            figure,
            batch=batch,
            requests_per_second=round(n / elapsed, 1),
            elements_per_second=round(n * batch / elapsed, 1),
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    key = oprf.generate_key_pair()
    with tempfile.TemporaryDirectory(prefix="chorus-bench-ks-") as name, ExitStack() as stack:
        tmp = Path(name)
        port = _free_port()
        second = f"http://127.0.0.1:{port}"
        env = _env(tmp, "keyserver", CHORUS_OPRF_KEY=key.sk.hex(), CHORUS_KEYSERVER_TOKEN=TOKEN)
        stack.enter_context(
            _process(
                [*CHORUS, "keyserver", "--port", str(port), "--workers", "1"],
                env,
                f"{second}/v1/public-key",
                tmp / "keyserver.log",
            )
        )
        alone = _serve(stack, tmp, "app-alone")
        paired = _serve(
            stack,
            tmp,
            "app-paired",
            CHORUS_KEYSERVER_URL=second,
            CHORUS_KEYSERVER_PUBLIC_KEY=key.pk.hex(),
            CHORUS_KEYSERVER_TOKEN=TOKEN,
        )
        _measure("keyserver_standalone", _direct(second), args.seconds)
        survivor = Survivor(alone)
        _measure("app_oprf_one_server", lambda b: survivor.post("/escrow/oprf", b), args.seconds)
        survivor = Survivor(paired)
        _measure("app_oprf_two_servers", lambda b: survivor.post("/escrow/oprf", b), args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
