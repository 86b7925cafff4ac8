"""The ``chorus`` command: run, set up and operate a Chorus site.

Server commands set up Django lazily and then call the same services as the web site; they never
write through the ORM themselves.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.config.settings")
    import django

    django.setup()


class Progress:
    """Progress lines on a terminal; silent when output is redirected (cron, systemd)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()

    def __call__(self, message: str) -> None:
        if self.live:
            self.stream.write(f"… {message}\n")
            self.stream.flush()


def cmd_serve(args: argparse.Namespace) -> int:
    from chorus.config import env

    config = env.load()  # fail closed before forking workers: a missing secret stops start-up
    threads = args.threads
    if threads is None:
        # PostgreSQL: a thread waiting on the database releases the GIL, so several threads per
        # worker overlap those waits. Eight: a worker can serve every connection it is given
        # (kept-alive connections stay with the worker that accepted them, often unevenly),
        # and voices arriving together are counted together. SQLite: one; more only contend
        # for the GIL and the write lock (docs/benchmarks.md).
        threads = 8 if config.database_url.startswith(("postgres://", "postgresql://")) else 1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.config.settings")
    from django.conf import settings

    # Django's WSGI_APPLICATION, as "module:attribute" for granian: Chorus's is Django behind
    # the voice lane (chorus.config.wsgi); the benchmark's baseline names plain Django.
    module, _dot, attribute = settings.WSGI_APPLICATION.rpartition(".")
    argv = [
        sys.executable, "-m", "granian", "--interface", "wsgi",
        "--host", args.host, "--port", str(args.port), "--workers", str(args.workers),
        "--blocking-threads", str(threads), "--backpressure", str(args.backpressure),
        "--no-access-log", "--log-level", "warning",
        "--static-path-route", "/static", "--static-path-mount", str(STATIC_DIR),
        f"{module}:{attribute}",
    ]  # fmt: skip
    os.execv(sys.executable, argv)  # noqa: S606  (replaces this process with the WSGI server)
    return 0  # pragma: no cover


def cmd_migrate(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    _django()
    from chorus.counts import services

    snapshot = services.snapshot_publish(progress=Progress(sys.stderr))
    if snapshot is None:
        print("Nothing to publish: no period has closed since the last snapshot.")
    else:
        until = f"{snapshot.periods_to:%Y-%m-%d %H:%M}"
        print(f"Published snapshot {snapshot.pk}, covering voices added before {until} UTC.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    from chorus.cli import demo

    return demo.run(
        voices=args.voices, days=args.days, progress=Progress(sys.stderr), site=args.site
    )


def cmd_export(args: argparse.Namespace) -> int:
    _django()
    from chorus.counts import selectors

    snapshot = (
        selectors.snapshot_latest()
        if args.snapshot == "latest"
        else selectors.snapshot_get(snapshot_id=int(args.snapshot))
    )
    if snapshot is None:
        print(f"No snapshot {args.snapshot!r}.", file=sys.stderr)
        return 1
    if args.output == "-":
        _write(sys.stdout, snapshot, args.format)
    else:
        with Path(args.output).open("w", encoding="utf-8", newline="") as out:
            _write(out, snapshot, args.format)
    return 0


def _write(out: TextIO, snapshot: Any, fmt: str) -> None:
    """Stream a snapshot row by row: memory stays flat whatever its size."""
    from chorus.counts import export

    if fmt == "csv":
        writer = csv.writer(out)
        for row in export.csv_rows(snapshot):
            writer.writerow(row)
    else:
        for chunk in export.json_chunks(snapshot):
            out.write(chunk)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chorus", description="Run and operate a Chorus site.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the site with the production WSGI server (granian)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    s.add_argument(
        "--threads",
        type=int,
        default=None,
        help="request threads per worker (default: 8 on PostgreSQL, 1 on SQLite)",
    )
    s.add_argument("--backpressure", type=int, default=64)
    s.set_defaults(func=cmd_serve)
    m = sub.add_parser("migrate", help="create or upgrade the database tables")
    m.add_argument("--verbose", action="store_true")
    m.set_defaults(func=cmd_migrate)
    d = sub.add_parser("demo", help="seed realistic demo voices and publish a snapshot")
    d.add_argument("--voices", type=int, default=25000)
    d.add_argument("--days", type=int, default=30)
    d.add_argument(
        "--site", default="http://127.0.0.1:8000", help="the site's address, for enrolment links"
    )
    d.set_defaults(func=cmd_demo)
    pub = sub.add_parser("publish", help="release closed periods as a new snapshot (run from cron)")
    pub.set_defaults(func=cmd_publish)
    e = sub.add_parser("export", help="write a snapshot as CSV or JSON")
    e.add_argument("--snapshot", default="latest", help="a snapshot number, or 'latest'")
    e.add_argument("--format", choices=("csv", "json"), default="csv")
    e.add_argument("--output", default="-", help="a file path, or - for standard output")
    e.set_defaults(func=cmd_export)
    from chorus.cli import workspace

    workspace.register(sub, django_setup=_django)
    from chorus.cli import escrow

    escrow.register(sub, django_setup=_django)
    from chorus.cli import keyserver

    keyserver.register(sub, django_setup=_django)
    from chorus.cli import records

    records.register(sub, django_setup=_django)
    from chorus.cli import orgs

    orgs.register(sub, django_setup=_django)
    from chorus.cli import together

    together.register(sub, django_setup=_django)
    from chorus.cli import cases

    cases.register(sub, django_setup=_django)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from chorus.config.env import ConfigError

    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"chorus: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
