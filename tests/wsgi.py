"""Calling a WSGI application directly, as a WSGI server would (no sockets)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chorus.api.lane import PATH

__all__ = ["CLIENT", "PATH", "Answer", "call"]

CLIENT = "203.0.113.77"


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    def header_set(self) -> set[tuple[str, str]]:
        return {(name.lower(), value) for name, value in self.headers}


def call(
    app: Callable[..., Iterable[bytes]],
    body: bytes,
    *,
    method: str = "POST",
    path: str = PATH,
    length: str | None = None,
    **extra: Any,
) -> Answer:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": CLIENT,
        "HTTP_HOST": "testserver",
        "HTTP_USER_AGENT": "LaneTest/1.0",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)) if length is None else length,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **extra,
    }
    if length == "":
        del environ["CONTENT_LENGTH"]
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, headers

    chunks = app(environ, start_response)
    try:
        data = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return Answer(seen["status"], seen["headers"], data)
