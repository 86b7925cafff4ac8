"""`chorus record-verify`: check a printed record time stamp (docs/protocols/records.md §4)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _hex(value: str, *, name: str, length: int) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) != length:
        raise ValueError(f"{name} must be {length} bytes as {2 * length} hex digits")
    return raw


def cmd_record_verify(args: argparse.Namespace, *, django_setup: Any) -> int:
    django_setup()
    from chorus.records.errors import StampInvalidError
    from chorus.records.stamps import stamp_public_key, stamp_verify

    try:
        digest = _hex(args.fingerprint, name="the fingerprint", length=32)
        signature = _hex(args.signature, name="the signature", length=64)
        public_key = (
            _hex(args.public_key, name="the public key", length=32)
            if args.public_key
            else stamp_public_key()
        )
    except ValueError as exc:
        print(f"chorus: {exc}", file=sys.stderr)
        return 2
    try:
        stamp_verify(digest=digest, time_text=args.time, signature=signature, public_key=public_key)
    except StampInvalidError as exc:
        print(f"not valid: {exc.message}", file=sys.stderr)
        return 1
    print(f"valid: a record with fingerprint {digest.hex()} was saved at {args.time}")
    print(f"signed by the key {public_key.hex()}")
    return 0


def register(sub: Any, *, django_setup: Any) -> None:
    v = sub.add_parser(
        "record-verify",
        help="check a printed record time stamp: fingerprint, time and signature",
    )
    v.add_argument("fingerprint", help="the SHA-256 fingerprint, 64 hex digits")
    v.add_argument("time", help="the time exactly as printed, e.g. 2026-03-04T05:06:07Z")
    v.add_argument("signature", help="the Ed25519 signature, 128 hex digits")
    v.add_argument(
        "--public-key",
        default="",
        help="the public key printed with the stamp (default: this deployment's)",
    )
    v.set_defaults(func=lambda args: cmd_record_verify(args, django_setup=django_setup))
