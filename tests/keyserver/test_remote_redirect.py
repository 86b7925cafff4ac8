"""The app never follows a redirect from the second key server: its bearer token and the account
tag would go with it to wherever the redirect points."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from chorus.crypto import oprf
from chorus.keyserver.models import Usage
from tests.keyserver.test_oprf import ask, blinded_inputs, signed_in_client

pytestmark = pytest.mark.django_db
TOKEN = "t" * 40


class _Elsewhere(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def _record(self) -> None:
        _Elsewhere.seen.append(dict(self.headers))
        self.send_response(404)
        self.end_headers()

    do_GET = do_POST = _record  # noqa: N815

    def log_message(self, *args: Any) -> None:
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[str]:
    _Elsewhere.seen = []
    yield from _serve(_Elsewhere)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_from_the_second_key_server_is_not_followed(
    status: int, elsewhere: str, config_override: Any
) -> None:
    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(status)
            self.send_header("Location", elsewhere + "/v1/evaluate")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    for url in _serve(Redirecting):
        config_override(
            keyserver_url=url,
            keyserver_public_key=oprf.generate_key_pair().pk,
            keyserver_token=TOKEN,
        )
        _inputs, blinds = blinded_inputs(1)
        response = ask(signed_in_client(), {"blinded": [blinds[0].blinded_element.hex()]})
        assert response.status_code == 503
        assert response.json()["code"] == "keyserver_unavailable"
    assert _Elsewhere.seen == []  # neither the token nor the account tag went anywhere else
    assert Usage.objects.filter(count__gt=0).count() == 0
