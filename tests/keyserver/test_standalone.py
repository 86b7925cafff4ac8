"""Two key servers: the app's own and a real `chorus keyserver` process run by a second operator."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from django.conf import settings

from chorus.cli.main import main
from chorus.crypto import oprf
from chorus.crypto.suites import GROUP_ORDER, Mode
from chorus.keyserver import selectors, services
from chorus.keyserver.models import Usage
from tests.keyserver.test_oprf import ask, blinded_inputs, outputs, signed_in_client

TOKEN = "t" * 40
SECOND_LIMIT = 4
CHORUS = [sys.executable, "-m", "chorus.cli.main"]
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Second(NamedTuple):
    url: str
    key: bytes
    public_key: bytes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Second]:
    """`chorus keyserver` on a free port, with its own key share and its own SQLite file."""
    tmp = tmp_path_factory.mktemp("keyserver")
    key = oprf.generate_key_pair()
    env = {
        **os.environ,
        "CHORUS_ENV": "test",
        "CHORUS_VAR_DIR": str(tmp),
        "CHORUS_DATABASE_URL": f"sqlite:///{tmp / 'keyserver.sqlite3'}",
        "CHORUS_SECRET_KEY": "k" * 64,
        "CHORUS_OPRF_KEY": key.sk.hex(),
        "CHORUS_KEYSERVER_TOKEN": TOKEN,
        "CHORUS_OPRF_LIMIT_ACCOUNT": str(SECOND_LIMIT),
    }
    port = _free_port()
    log = (tmp / "keyserver.log").open("wb")
    proc = subprocess.Popen(
        [*CHORUS, "keyserver", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _direct.open(f"{url}/v1/public-key", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, (tmp / "keyserver.log").read_text()
                assert time.monotonic() < deadline, "key server did not start"
                time.sleep(0.2)
        yield Second(url, key.sk, key.pk)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


@pytest.fixture
def both(second: Second, config_override: Any) -> Second:
    """The app configured with the second key server; a fresh secret, so fresh account tags."""
    config_override(
        keyserver_url=second.url,
        keyserver_public_key=second.public_key,
        keyserver_token=TOKEN,
        secret_key=secrets.token_hex(32),
    )
    return second


def direct(second: Second, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310  (a local test server)
        f"{second.url}/v1/evaluate",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with _direct.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_second_key_server_publishes_its_public_key(second: Second) -> None:
    with _direct.open(f"{second.url}/v1/public-key", timeout=5) as response:
        assert json.loads(response.read()) == {"public_key": second.public_key.hex()}


@pytest.mark.django_db
def test_both_servers_evaluate_and_the_sum_is_the_voprf_of_the_summed_key(both: Second) -> None:
    inputs, blinds = blinded_inputs(2)
    response = ask(signed_in_client(), {"blinded": [b.blinded_element.hex() for b in blinds]})
    assert response.status_code == 200, response.content
    servers = response.json()["servers"]
    assert [s["public_key"] for s in servers] == [
        pk.hex() for pk in selectors.keyserver_public_keys()
    ]
    assert servers[1]["public_key"] == both.public_key.hex()
    combined = (
        int.from_bytes(settings.CONFIG.oprf_key, "little") + int.from_bytes(both.key, "little")
    ) % GROUP_ORDER
    key = combined.to_bytes(32, "little")
    assert outputs(inputs, blinds, servers) == [
        oprf.evaluate(key, i, mode=Mode.VOPRF) for i in inputs
    ]
    # Either server alone gives something else.
    assert outputs(inputs, blinds, servers[:1]) != outputs(inputs, blinds, servers)


@pytest.mark.django_db
def test_the_second_servers_limit_refuses_and_the_first_counts_nothing(both: Second) -> None:
    client = signed_in_client()
    _inputs, blinds = blinded_inputs(2)
    body = {"blinded": [b.blinded_element.hex() for b in blinds]}
    assert ask(client, body).status_code == 200
    assert ask(client, body).status_code == 200  # 4 of the second server's 4
    before = list(Usage.objects.order_by("tag").values_list("tag", "count"))
    refused = ask(client, body)
    assert refused.status_code == 429
    assert "second key server" in refused.json()["message"]
    assert list(Usage.objects.order_by("tag").values_list("tag", "count")) == before


@pytest.mark.django_db
def test_a_wrong_token_is_refused_by_the_second_server(both: Second, config_override: Any) -> None:
    tag = services.keyserver_account_tag(account_id=1)
    status, body = direct(both, {"blinded": ["aa" * 32]}, {"Chorus-Account-Tag": tag})
    assert status == 401
    assert body["code"] == "unauthorised"
    status, _body = direct(
        both,
        {"blinded": ["aa" * 32]},
        {"Chorus-Account-Tag": tag, "Authorization": f"Bearer {'x' * 40}"},
    )
    assert status == 401
    config_override(keyserver_token="w" * 40)
    _inputs, blinds = blinded_inputs(1)
    response = ask(signed_in_client(), {"blinded": [blinds[0].blinded_element.hex()]})
    assert response.status_code == 503
    assert response.json()["code"] == "keyserver_unavailable"
    assert Usage.objects.filter(count__gt=0).count() == 0


def test_the_second_server_checks_the_tag_and_the_elements(second: Second) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, body = direct(second, {"blinded": ["aa" * 32]}, {**auth, "Chorus-Account-Tag": "x"})
    assert (status, body["code"]) == (400, "invalid_element")
    tag = {"Chorus-Account-Tag": secrets.token_hex(32)}
    status, body = direct(second, {"blinded": ["00" * 32]}, {**auth, **tag})
    assert status == 400
    assert "not a valid group element" in body["message"]
    status, body = direct(second, {"blinded": ["aa" * 32], "x": 1}, {**auth, **tag})
    assert status == 400


@pytest.mark.django_db
def test_an_unreachable_second_server_is_a_503_and_counts_nothing(
    config_override: Any, tmp_path: Path
) -> None:
    config_override(
        keyserver_url=f"http://127.0.0.1:{_free_port()}",
        keyserver_public_key=oprf.generate_key_pair().pk,
        keyserver_token=TOKEN,
    )
    _inputs, blinds = blinded_inputs(1)
    response = ask(signed_in_client(), {"blinded": [blinds[0].blinded_element.hex()]})
    assert response.status_code == 503
    assert "could not be reached" in response.json()["message"]
    assert Usage.objects.filter(count__gt=0).count() == 0


@pytest.mark.django_db
def test_a_second_server_with_another_key_than_the_pinned_one_is_refused(
    both: Second, config_override: Any
) -> None:
    config_override(keyserver_public_key=oprf.generate_key_pair().pk)
    _inputs, blinds = blinded_inputs(1)
    response = ask(signed_in_client(), {"blinded": [blinds[0].blinded_element.hex()]})
    assert response.status_code == 503
    assert Usage.objects.filter(count__gt=0).count() == 0


def test_new_key_prints_a_key_share_and_its_public_key() -> None:
    result = subprocess.run(
        [*CHORUS, "keyserver", "--new-key"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    first, second_line = result.stdout.splitlines()
    sk = bytes.fromhex(first.removeprefix("CHORUS_OPRF_KEY="))
    assert second_line == f"public key: {oprf.public_key(sk).hex()}"


def test_the_key_server_refuses_to_start_without_a_token(
    capsys: pytest.CaptureFixture[str], config_override: Any
) -> None:
    config_override(keyserver_token=None)
    assert main(["keyserver"]) == 2
    assert "set CHORUS_KEYSERVER_TOKEN" in capsys.readouterr().err
