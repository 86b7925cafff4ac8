"""The database side of ``bench.escrow``, imported once Django is set up."""

from __future__ import annotations

import json
import secrets
import statistics
import sys
import time
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from chorus.accounts.models import Account
from chorus.crypto import seal
from chorus.crypto.suites import PURPOSE_ESCROW_SHARE
from chorus.escrow import services
from chorus.escrow.models import AdvocateKey, Entry, Envelope

SAMPLES = 200
WARM_UP = 50
ENTRIES_SMALL = 1_000


def emit(figure: str, **values: Any) -> None:
    print(json.dumps({"figure": figure, **values}), flush=True)


def _say(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


class Store:
    """Bulk inserts of fake accounts, entries and envelopes with raw SQL (fast on both DBs)."""

    def __init__(self) -> None:
        self.entry_table = Entry._meta.db_table
        self.envelope_table = Envelope._meta.db_table
        self.accounts = [self._account(Account) for _ in range(1000)]

        user = get_user_model().objects.create_user(username="bench-advocate")
        pair = seal.generate_key_pair()
        self.sk = pair.sk
        self.key = AdvocateKey.objects.create(
            advocate=user, public_key=pair.pk, wrapped_private_key=b"\x01" * 80
        )
        self.stored = 0

    @staticmethod
    def _account(model: Any) -> int:
        return int(
            model.objects.create(
                lookup=secrets.token_bytes(32),
                recovery_lookup=secrets.token_bytes(32),
                sid_wrapped=b"\x01" * 61,
                sid_wrapped_recovery=b"\x01" * 61,
                created_day=date(2026, 1, 1),
            ).pk
        )

    def fill(self, target: int, *, chunk: int = 20_000) -> None:
        """Insert entries (pending, as survivors' would be) until `target` are stored."""

        sealed = b"\x01\x01" + secrets.token_bytes(62)
        index_column = connection.ops.quote_name("index")  # a reserved word in SQL
        while self.stored < target:
            n = min(chunk, target - self.stored)
            rows = []
            for i in range(n):
                account = self.accounts[(self.stored + i) % len(self.accounts)]
                index = secrets.token_bytes(32)
                rows.append((account, index))
                if i % 100 == 0 and len(rows) < n:  # about 1 %: a second survivor, same index
                    rows.append((self.accounts[(self.stored + i + 1) % len(self.accounts)], index))
            rows = rows[:n]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.entry_table}")  # noqa: S608
                first = int(cursor.fetchone()[0]) + 1
                cursor.executemany(
                    f"INSERT INTO {self.entry_table} (id, account_id, {index_column}, "  # noqa: S608
                    "threshold, created_day, match_id, outreach, pending) "
                    "VALUES (%s, %s, %s, 2, %s, NULL, '', %s)",
                    [
                        (first + i, account, index, date(2026, 1, 1), True)
                        for i, (account, index) in enumerate(rows)
                    ],
                )
                cursor.executemany(
                    f"INSERT INTO {self.envelope_table} (entry_id, key_id, sealed) "  # noqa: S608
                    "VALUES (%s, %s, %s)",
                    [(first + i, self.key.pk, sealed) for i in range(len(rows))],
                )
            self.stored += len(rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{self.entry_table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {self.entry_table}))"
                )
                cursor.execute(f"ANALYZE {self.entry_table}")
                cursor.execute(f"ANALYZE {self.envelope_table}")

    def new_entry_seconds(self) -> list[float]:
        """Submit one entry and run the job for it, SAMPLES times; seconds per sample.

        The first WARM_UP runs are not counted: they fill the caches that a bulk insert, a bulk
        job or a VACUUM has just emptied, as a running site's caches would be full.
        """
        sealed = b"\x01\x01" + bytes(services.sealed_minimum(1) - 2)
        survivors = [self._account(Account) for _ in range(WARM_UP + SAMPLES)]
        times = []
        for account_id in survivors:
            account = Account(pk=account_id)
            start = time.perf_counter()
            services.entry_submit(
                account=account,
                index=secrets.token_bytes(32),
                envelopes={self.key.pk: sealed},
            )
            services.matching_run()
            times.append(time.perf_counter() - start)
        self.stored += WARM_UP + SAMPLES
        return times[WARM_UP:]


def run(*, entries: int) -> None:
    """Every figure, on the database Django is set up with."""
    vendor = connection.vendor
    _say(f"escrow bench on {vendor}: {ENTRIES_SMALL:,} then {entries:,} stored entries")
    store = Store()
    store.fill(ENTRIES_SMALL)
    services.matching_run()
    small = store.new_entry_seconds()

    started = time.perf_counter()
    store.fill(entries)
    fill_s = time.perf_counter() - started
    _say(f"inserted {store.stored:,} entries in {fill_s:.0f} s; running the matching job")
    started = time.perf_counter()
    result = services.matching_run()
    job_s = time.perf_counter() - started
    emit(
        "escrow_matching_job", database=vendor, entries=result.entries_checked,
        matches=result.matches_found, seconds=round(job_s, 2),
        entries_per_s=round(result.entries_checked / job_s),
    )  # fmt: skip
    small_ms = statistics.median(small) * 1000
    emit(
        "escrow_new_entry", database=vendor, stored_entries=ENTRIES_SMALL,
        median_ms=round(small_ms, 3), samples=SAMPLES,
    )  # fmt: skip
    large_ms = statistics.median(store.new_entry_seconds()) * 1000
    if vendor == "postgresql":
        # The bulk job just turned a million rows from pending to done: until (auto)vacuum runs,
        # the partial index of pending rows still holds a million dead entries that every scan
        # steps over. Shown here, then measured again after the VACUUM that autovacuum makes
        # after such a change (a running site's job sees a few new entries at a time).
        emit(
            "escrow_new_entry", database=vendor, stored_entries=entries,
            median_ms=round(large_ms, 3), samples=SAMPLES, vacuumed=False,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {store.entry_table}")
        large_ms = statistics.median(store.new_entry_seconds()) * 1000
    emit(
        "escrow_new_entry", database=vendor, stored_entries=entries,
        median_ms=round(large_ms, 3), samples=SAMPLES, vacuumed=vendor == "postgresql",
    )  # fmt: skip
    ratio = large_ms / small_ms
    emit(
        "escrow_new_entry_ratio", database=vendor, ratio=round(ratio, 3),
        target={"max_ratio": 1.5}, **{"pass": ratio <= 1.5},
    )  # fmt: skip

    pair = seal.generate_key_pair()
    sealed = seal.seal(pair.pk, bytes(200), purpose=PURPOSE_ESCROW_SHARE, ctx=b"deployment")
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 2:
        seal.unseal(pair.sk, sealed, purpose=PURPOSE_ESCROW_SHARE, ctx=b"deployment")
        n += 1
    open_ms = (time.perf_counter() - start) / n * 1000
    for stored in (ENTRIES_SMALL, entries):
        emit(
            "escrow_trial_decryption_reference", stored_entries=stored,
            hpke_open_ms=round(open_ms, 4), check_ms=round(open_ms * stored, 1),
        )  # fmt: skip
