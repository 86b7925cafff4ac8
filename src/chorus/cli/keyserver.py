"""`chorus keyserver`: run one OPRF key server as its own process (docs/operations.md)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def cmd_new_key() -> int:
    from chorus.crypto import oprf

    pair = oprf.generate_key_pair()
    print(f"CHORUS_OPRF_KEY={pair.sk.hex()}")
    print(f"public key: {pair.pk.hex()}")
    return 0


def cmd_keyserver(args: argparse.Namespace, *, django_setup: Any) -> int:
    if args.new_key:
        return cmd_new_key()
    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from chorus.crypto import oprf

    if settings.CONFIG.keyserver_token is None:
        print(
            "chorus: set CHORUS_KEYSERVER_TOKEN (at least 32 characters) to the token the app "
            "presents; without it this key server would answer nobody.",
            file=sys.stderr,
        )
        return 2
    call_command("migrate", interactive=False, verbosity=0)  # its own small database of counts
    public = oprf.public_key(settings.CONFIG.oprf_key).hex()
    print(f"chorus keyserver: public key {public} on {args.host}:{args.port}", flush=True)
    argv = [
        sys.executable, "-m", "granian", "--interface", "wsgi",
        "--host", args.host, "--port", str(args.port), "--workers", str(args.workers),
        "--blocking-threads", "1", "--no-access-log", "--log-level", "warning",
        "chorus.config.wsgi_keyserver:application",
    ]  # fmt: skip
    os.execv(sys.executable, argv)  # noqa: S606  (replaces this process with the WSGI server)
    return 0  # pragma: no cover


def register(sub: Any, *, django_setup: Any) -> None:
    """Add `chorus keyserver` to the `chorus` parser."""
    k = sub.add_parser(
        "keyserver", help="run one OPRF key server (the second operator's) as its own process"
    )
    k.add_argument("--host", default="127.0.0.1")
    k.add_argument("--port", type=int, default=8100)
    k.add_argument("--workers", type=int, default=2)
    k.add_argument(
        "--new-key",
        action="store_true",
        help="print a fresh key share and its public key",
    )
    k.set_defaults(func=lambda args: cmd_keyserver(args, django_setup=django_setup))
