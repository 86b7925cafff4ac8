"""After the whole escrow, driven through the real pages in Chromium, the database and every log
hold no codename, recovery code, identifier or contact detail in any form a program could read
back without an advocate's private key: not as typed, not normalised, not hex, not base64 and
not as an unsalted hash (issue 4, "Must show").

The flows: an advocate added with `chorus advocate-add` enrols through the workspace pages
(password, TOTP code, key pair made in the browser under a passphrase); three survivors make
accounts at /account/new; two name one phone number (one with the country code, one with their
country chosen as the default region), one of them also an email address and a name with an
organisation; the third names someone else and withdraws; the matching job runs (`chorus
match`); survivor one signs in again (a wrong codename first), survivor two recovers with the
recovery code and takes a new codename; the advocate signs in again (a wrong password first)
and opens the match, reading both contacts. Then every row of every table (signed session data
decoded), the raw SQLite files (database, write-ahead log, shared memory), every log record at
DEBUG (Django's SQL statements and their parameters included), stdout and stderr, what the
commands printed, the in-process cache and the mail outbox are searched for each secret: as
typed, normalised, in each spelling, as hex and base64 of its UTF-8 bytes and as its SHA-256,
SHA-512, SHA-1 and MD5 (hex, base64 and raw); and for the keys a program could use instead
(codename and recovery `auth`/`wrap` keys, sid, the OPRF output, polynomial, entry key and
shares of each identifier), as bytes, hex and base64. On PostgreSQL the tables are searched;
there are no files to read.

Planted, because no page or command exists for it: the advocate's email address (the matching
job mails advocates, and `chorus advocate-add` takes no address), set on her user row so the
notification mail is really sent and searched.

Stored by design and so not searched for: the advocate's TOTP secret (workspace.md section 6:
the server must compute codes). It is used instead as a canary: the search must find it in the
dump, so a search that could never find anything fails.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import secrets
import string
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, connections
from django.db.models import Count
from django.test import override_settings
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from chorus.accounts import codename as cn
from chorus.accounts.models import Account
from chorus.cli import main as cli
from chorus.crypto import escrow, oprf
from chorus.escrow.identifiers import Identifier, normalise
from chorus.escrow.models import Entry, Envelope, Match
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from tests.browser.conftest import CHROMIUM_ARGS, dump
from tests.escrow.factories import CTX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SID = "() => window.sessionStorage.getItem('chorus.sid')"
SLOW = 120_000  # ms: proof-of-work and Argon2id in pure JavaScript on a loaded machine
MIN_FORM = 8  # shorter encodings could occur by chance
COMMANDS_PRINTED: list[str] = []  # what `chorus ...` printed during the test


def _token(size: int = 8) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(size))


def _word(size: int = 9) -> str:
    return _token(size).capitalize()


# --- the secrets, in every form a program could read back -------------------------------------


def _b64_forms(raw: bytes) -> list[str]:
    """Base64 (standard and URL-safe) of `raw` at each of the three alignments it can take
    inside a longer encoded value, trimmed of the groups that depend on its neighbours."""
    forms = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        core = encoded[4 if shift else 0 : -4]
        if len(core) >= MIN_FORM:
            forms += [core, core.replace("+", "-").replace("/", "_")]
    return forms


def _text_forms(text: str) -> list[str | bytes]:
    """The text itself, its UTF-8 bytes as hex and base64, and unsalted hashes of it."""
    raw = text.encode()
    forms: list[str | bytes] = [text, raw.hex(), *_b64_forms(raw)]
    forms += _digest_forms(raw)
    return forms


def _digest_forms(raw: bytes) -> list[str | bytes]:
    """Unsalted hashes, whole and truncated (cache keys take 128 bits of a SHA-256 in hex)."""
    forms: list[str | bytes] = []
    for name in ("sha256", "sha512", "sha1", "md5"):
        digest = hashlib.new(name, raw).digest()
        forms += [digest, digest.hex(), *_b64_forms(digest), digest[:10], digest.hex()[:20]]
    return forms


def _bytes_forms(raw: bytes) -> list[str | bytes]:
    """A key or id: the bytes, hex, base64 and the escaped form Python's repr gives them."""
    return [raw, raw.hex(), *_b64_forms(raw), repr(raw)[2:-1]]


@dataclass
class Secrets:
    """Each secret of the test, named, with the forms to look for."""

    forms: dict[str, list[str | bytes]] = field(default_factory=dict)

    def add(self, name: str, *forms: str | bytes) -> None:
        self.forms.setdefault(name, []).extend(f for f in forms if len(f) >= MIN_FORM)

    def text(self, name: str, text: str) -> None:
        self.add(name, *_text_forms(text))

    def identifier(self, name: str, ident: Identifier, *typed: str) -> None:
        self.text(f"{name} canonical", ident.canonical)
        self.add(f"{name} OPRF input", *_digest_forms(ident.oprf_input()))
        for i, form in enumerate(typed):
            self.text(f"{name} typed {i}", form)

    def derivation(self, name: str, ident: Identifier, *sids: str) -> bytes:
        """What the browser derives from the identifier (escrow.md section 4, this deployment's
        OPRF key): the OPRF output, the polynomial, the entry key and each survivor's share
        would let a program open entries or test guesses; none may reach the server. Returns
        the index, which is stored by design."""
        output = oprf.evaluate(settings.CONFIG.oprf_key, ident.oprf_input(), mode=1)
        derived = escrow.derive(output, ctx=CTX, t=settings.CONFIG.escrow_threshold)
        self.add(f"{name} OPRF output", *_bytes_forms(output))
        for j, coefficient in enumerate(derived.coefficients):
            self.add(f"{name} coefficient a{j}", *_bytes_forms(coefficient))
        self.add(f"{name} entry key", *_bytes_forms(derived.entry_key))
        for sid in sids:
            point = escrow.share(derived, sid=bytes.fromhex(sid))
            self.add(f"{name} share of sid {sid[:8]}", *_bytes_forms(point.u + point.s))
            self.add(f"{name} share value of sid {sid[:8]}", *_bytes_forms(point.s))
        return derived.index

    def codename(self, name: str, codename: str) -> None:
        words = cn.codename_normalise(codename).split(" ")
        for sep in (" ", "-", "", "_", "."):
            self.text(f"{name} joined by {sep!r}", sep.join(words))
        # Every run of three or more consecutive words: single EFF words and pairs are common
        # English ("another exception" occurs in tracebacks); three are distinctive (2^38).
        for size in range(3, len(words)):
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                self.add(f"{name} words {start}-{start + size}", *(s.join(run) for s in " -"))
        keys = cn.codename_keys(codename)
        self.add(f"{name} auth key", *_bytes_forms(keys.auth))
        self.add(f"{name} wrap key", *_bytes_forms(keys.wrap))

    def recovery(self, name: str, code: str) -> None:
        bare = cn.recovery_normalise(code)
        groups = [bare[i : i + 4] for i in range(0, len(bare), 4)]
        for sep in (" ", "-", "", "_"):
            self.text(f"{name} joined by {sep!r}", sep.join(groups))
        self.add(f"{name} halves", bare[:13], bare[13:])
        keys = cn.recovery_keys(code)
        self.add(f"{name} auth key", *_bytes_forms(keys.auth))
        self.add(f"{name} wrap key", *_bytes_forms(keys.wrap))


# --- where to look -------------------------------------------------------------------------


class Recorder(logging.Handler):
    """Every record at DEBUG, formatted with its exception and every extra attribute (a
    handler elsewhere, such as an error tracker, could read those)."""

    STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg!r} % {record.args!r}"
        extra = {k: v for k, v in vars(record).items() if k not in self.STANDARD}
        text = f"{record.levelname} {record.name}: {message} args={record.args!r} extra={extra!r}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """Attached to the root logger and to every logger that does not pass records up (Django
    and Chorus among them), all at DEBUG, for the test; the live server runs in this process."""
    handler = Recorder()
    root = logging.getLogger()
    loggers = [root, logging.getLogger("django"), logging.getLogger("chorus")]
    loggers += [lg for lg in root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    levels = {lg: lg.level for lg in loggers}
    attached = [lg for lg in set(loggers) if lg is root or not lg.propagate]
    for lg in levels:
        if lg is root or lg.level != logging.NOTSET or lg.name in ("django", "chorus"):
            lg.setLevel(logging.DEBUG)
    for lg in attached:
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg in attached:
            lg.removeHandler(handler)
        for lg, level in levels.items():
            lg.setLevel(level)


def _signed_payload(text: str) -> str:
    """What django.core.signing wraps (sessions): the base64 (maybe zlib) part, decoded."""
    head = text.split(":", 1)[0]
    compressed = head.startswith(".")
    try:
        raw = base64.urlsafe_b64decode(head.lstrip(".") + "=" * (-len(head) % 4))
        return (zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace")
    except (ValueError, zlib.error):
        return ""


def _database_cells() -> list[tuple[str, bytes]]:
    """Every column of every row of every table, as (where, bytes): text as UTF-8 plus any
    signed payload decoded, binary as itself plus its hex and base64 (a dump tool's forms)."""
    cells: list[tuple[str, bytes]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = [row[0] for row in cursor.fetchall()]
        else:
            tables = connection.introspection.table_names(cursor)
        assert "escrow_entry" in tables
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for n, row in enumerate(cursor.fetchall()):
                for column, value in zip(columns, row, strict=True):
                    where = f"{table}.{column} (row {n})"
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        encoded = f"{raw.hex()} {base64.b64encode(raw).decode()}".encode()
                        cells.append((where, raw + b"\n" + encoded))
                    elif value is not None:
                        text = str(value)
                        cells.append((where, f"{text}\n{_signed_payload(text)}".encode()))
    return cells


def _database_files() -> list[tuple[str, bytes]]:
    """The raw bytes of the SQLite database and its write-ahead log and journals."""
    if connection.vendor != "sqlite":
        return []
    name = Path(connection.settings_dict["NAME"])
    files = [name.with_name(name.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    found = [(f"file {p}", p.read_bytes()) for p in files if p.exists()]
    assert found, "the database file was not found"
    assert found[0][0] == f"file {name}", "the database file was not found"
    return found


def _cache_entries() -> list[tuple[str, bytes]]:
    """The in-process cache (rate-limit counters live there): every key and value."""
    found = []
    for alias in settings.CACHES:
        backend = caches[alias]
        assert isinstance(backend, LocMemCache), "the test settings use the in-memory cache"
        store = backend._cache  # type: ignore[attr-defined]
        found += [
            (f"cache {key}", f"{key} ".encode() + value) for key, value in list(store.items())
        ]
    return found


def _mail_texts() -> list[tuple[str, bytes]]:
    return [
        (f"mail {n} to {m.to}", m.message().as_bytes() + f"\n{m.subject}\n{m.body}".encode())
        for n, m in enumerate(mail.outbox)
    ]


def _hits(secrets_: Secrets, places: list[tuple[str, bytes]]) -> list[str]:
    """Every (secret, form, place) where a form occurs, compared without regard to case."""
    lowered = [(where, data.lower()) for where, data in places]
    everything = b"\x00".join(data for _, data in lowered)
    found = []
    for name, forms in secrets_.forms.items():
        for form in set(forms):
            needle = (form.encode() if isinstance(form, str) else form).lower()
            if needle not in everything:
                continue
            for where, data in lowered:
                if needle in data:
                    at = data.index(needle)
                    context = data[max(0, at - 60) : at + len(needle) + 60]
                    found.append(f"{name} as {form!r} in {where}: …{context!r}…")
    return found


# --- driving the pages ---------------------------------------------------------------------


@dataclass
class Survivor:
    context: BrowserContext
    page: Page
    codename: str = ""
    recovery: str = ""
    sid: str = ""
    errors: list[str] = field(default_factory=list)


def _account_new(browser: Browser, url: str) -> Survivor:
    """A survivor makes an account at /account/new, as a person would."""
    context = browser.new_context()
    page = context.new_page()
    survivor = Survivor(context=context, page=page)
    page.on("pageerror", lambda e: survivor.errors.append(str(e)))
    page.goto(url + "/account/new")
    shown = page.locator("[data-codename]")
    expect(shown).to_have_text(re.compile(r"^[a-z-]+( [a-z-]+){6}$"))
    survivor.codename = shown.inner_text()
    page.get_by_role("button", name="I have written it down").click()
    page.get_by_label("Type your seven words").fill(survivor.codename)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="Your recovery code")).to_be_visible()
    survivor.recovery = page.locator("[data-recovery]").inner_text()
    assert re.fullmatch(r"([0-9A-Z]{4} ){6}[0-9A-Z]{2}", survivor.recovery)
    page.get_by_role("button", name="Make my account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible(timeout=SLOW)
    survivor.sid = page.evaluate(SID)
    assert re.fullmatch(r"[0-9a-f]{64}", survivor.sid)
    return survivor


def _name(survivor: Survivor, url: str, *, contact: str, **fields: str) -> None:
    """Name a person at /escrow/new with the given identifier fields."""
    page = survivor.page
    page.goto(url + "/escrow/new")
    expect(page.get_by_role("heading", name="Name the person who harassed you")).to_be_visible()
    labels = {
        "email": "Their email address",
        "phone": "Their phone number",
        "name": "Their full name",
        "organisation": "The organisation you know them from (employer, school…)",
    }
    for key, value in fields.items():
        if key == "region":
            page.get_by_label("Your country (for numbers without a + country code)").select_option(
                value
            )
        else:
            page.get_by_label(labels[key]).fill(value)
    page.get_by_label("How may an advocate reach you").fill(contact)
    page.get_by_role("button", name="Lock and send").click()
    expect(page.get_by_role("heading", name="The people you named")).to_be_visible(timeout=SLOW)


def _chorus(*argv: str) -> str:
    """Run a `chorus` command in this process (the live server's database is this test's) and
    return what it printed. Django is already set up: the command's own setup would reconfigure
    logging and detach the recorder, so it is skipped."""
    out = io.StringIO()
    with redirect_stdout(out), pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "_django", lambda: None)
        assert cli.main(list(argv)) == 0
    return out.getvalue()


def _advocate_enrol(page: Page, url: str, *, password: str, passphrase: str) -> str:
    """The operator adds "alice"; she follows the link, sets a password, confirms a TOTP code
    (computed here as her phone would) and makes her key in the browser. Returns the secret."""
    printed = _chorus("advocate-add", "alice", "--site", url)
    COMMANDS_PRINTED.append(printed)
    link = re.search(r"http://\S+/workspace/enrol/\S+", printed)
    assert link, printed
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Welcome, alice")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("The same password again").fill(password)
    page.get_by_role("button", name="Continue").click()
    # Django's real password hasher (PBKDF2), slow on a loaded machine.
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible(
        timeout=SLOW
    )
    totp_secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Six-digit code the app shows now").fill(pyotp.TOTP(totp_secret).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your key")).to_be_visible(timeout=SLOW)
    page.get_by_label("Passphrase (at least 12 characters)").fill(passphrase)
    page.get_by_label("The same passphrase again").fill(passphrase)
    page.get_by_role("button", name="Make my key").click()
    expect(page.get_by_role("heading", name="Matches")).to_be_visible(timeout=SLOW)
    return totp_secret


def _with_a_browser_of_its_own(flows: Callable[[Browser], None]) -> None:
    """Run `flows` with a Chromium of its own, in a thread of its own.

    The Chromium fixture of tests/browser/ does not reach this directory, and when the whole
    suite runs its sync Playwright is live in the main thread, where Playwright allows only one.
    The thread's database connections are closed when it ends; the live server, the log
    recorder, the captured output and the mail outbox are the process's, shared."""

    def run() -> None:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            try:
                flows(chromium)
            finally:
                chromium.close()
                # Here, while Playwright's loop counts as running: Django keeps this thread's
                # connections apart (asgiref's Local) when a loop runs, and after it stops.
                connections.close_all()
        connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


# --- the test ------------------------------------------------------------------------------


@override_settings(DEBUG=True)  # so Django also logs every SQL statement and its parameters
def test_after_the_escrow_flows_no_secret_is_readable_in_the_database_or_logs(
    live_server: Any,
    recorder: Recorder,
    capfd: pytest.CaptureFixture[str],
) -> None:
    url = live_server.url
    COMMANDS_PRINTED.clear()
    # Random words make every secret unique to this run, so nothing left by another test
    # (or an earlier run in the same database file) can be mistaken for a leak.
    randoms = [_token() for _ in range(6)] + [_word() for _ in range(4)]
    phone_tail = f"{secrets.randbelow(1000):03d}"
    person = {
        "phone_national": f"020 7946 0{phone_tail}",
        "phone_international": f"+44 (0)20 7946-0{phone_tail}",
        "email": f"Harold.Quill.{randoms[0]}@Northwind-{randoms[1]}.example",
        "name": f"Harold {randoms[6]}",
        "organisation": f"Northwind {randoms[7]} Logistics",
    }
    other = {"email": f"Someone.Else.{randoms[2]}@Elsewhere-{randoms[3]}.example"}
    contacts = [
        f"Signal +44 7700 900{secrets.randbelow(1000):03d}, evenings, ask for Robin {randoms[8]}",
        f"robin.{randoms[4]}@survivor-{randoms[5]}.example, weekdays after six",
        f"Call the landline, say it is {randoms[9]} from the library",
    ]
    password = f"advocate password {_token(10)}"
    passphrase = f"advocate passphrase {_token(10)}"
    wrong_password = f"not the password {_token(10)}"

    survivors: list[Survivor] = []
    seen: dict[str, Any] = {}

    def flows(browser: Browser) -> None:
        advocate_context = browser.new_context()
        advocate = advocate_context.new_page()
        advocate_errors: list[str] = []
        advocate.on("pageerror", lambda e: advocate_errors.append(str(e)))
        try:
            seen["totp_secret"] = totp_secret = _advocate_enrol(
                advocate, url, password=password, passphrase=passphrase
            )
            # Planted (no page or command sets it): the address the matching job mails.
            get_user_model().objects.filter(username="alice").update(
                email="alice@advocates.example"
            )

            survivors.extend(_account_new(browser, url) for _ in range(3))
            first, second, third = survivors
            _name(
                first, url, contact=contacts[0], phone=person["phone_national"], region="GB",
                email=person["email"], name=person["name"], organisation=person["organisation"],
            )  # fmt: skip
            _name(second, url, contact=contacts[1], phone=person["phone_international"])
            _name(third, url, contact=contacts[2], email=other["email"])
            assert Entry.objects.count() == 5
            third.page.get_by_role("button", name="Withdraw").click()
            expect(third.page.get_by_text("The entry was withdrawn and deleted.")).to_be_visible(
                timeout=SLOW
            )

            printed = _chorus("match")
            COMMANDS_PRINTED.append(printed)
            assert "1 new matches" in printed, printed

            # Survivor one signs in again (a wrong codename first) and sees the match.
            page = first.page
            page.goto(url + "/account")
            page.get_by_role("button", name="Sign out").click()
            page.goto(url + "/account/signin")
            seen["wrong"] = wrong = " ".join(reversed(first.codename.split(" ")))
            page.get_by_label("Your codename (seven words)").fill(wrong)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("That codename did not match an account.")).to_be_visible()
            page.get_by_label("Your codename (seven words)").fill(first.codename.upper())
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Your account")).to_be_visible(timeout=SLOW)
            page.goto(url + "/escrow")
            expect(page.get_by_text("Matched: an advocate will reach you")).to_be_visible()

            # Survivor two signs out and recovers with the recovery code, typed in lower case with
            # hyphens, and takes a new codename.
            page = second.page
            page.goto(url + "/account")
            page.get_by_role("button", name="Sign out").click()
            page.goto(url + "/account/recover")
            page.get_by_label("Your recovery code").fill(second.recovery.lower().replace(" ", "-"))
            page.get_by_role("button", name="Continue").click()
            expect(page.get_by_role("heading", name="Your new codename")).to_be_visible(
                timeout=SLOW
            )
            seen["renamed"] = renamed = page.locator("[data-codename]").inner_text()
            page.get_by_role("button", name="I have written it down").click()
            page.get_by_label("Type your seven words").fill(renamed)
            page.get_by_role("button", name="Check and save").click()
            expect(page.get_by_role("heading", name="Your account")).to_be_visible(timeout=SLOW)
            assert page.evaluate(SID) == second.sid

            # The advocate signs out and in again (a wrong password first).
            advocate.get_by_role("button", name="Sign out").click()
            advocate.goto(url + "/workspace/signin")
            advocate.get_by_label("Username").fill("alice")
            advocate.get_by_label("Password").fill(wrong_password)
            advocate.get_by_role("button", name="Continue").click()
            expect(advocate.locator(".error-summary")).to_be_visible(timeout=SLOW)
            advocate.get_by_label("Password").fill(password)
            advocate.get_by_role("button", name="Continue").click()
            heading = "Type the code from your authenticator app"
            expect(advocate.get_by_role("heading", name=heading)).to_be_visible(timeout=SLOW)
            # The next step's code: the step used at enrolment is refused a second time.
            code = pyotp.TOTP(totp_secret).at(datetime.now(tz=UTC) + timedelta(seconds=30))
            advocate.get_by_label("Six-digit code").fill(code)
            advocate.get_by_role("button", name="Sign in").click()
            expect(advocate.get_by_role("heading", name="Matches")).to_be_visible(timeout=SLOW)

            # The advocate opens the match in her browser and reads both contacts.
            seen["match"] = match = Match.objects.get()
            advocate.goto(url + "/workspace/")
            advocate.get_by_role("link", name=f"Match {match.pk}").click()
            expect(advocate.get_by_role("heading", name=f"Match {match.pk}")).to_be_visible()
            advocate.get_by_label("Your key's passphrase").fill(passphrase)
            advocate.get_by_role("button", name="Open this match").click()
            expect(advocate.locator("#open-status")).to_contain_text("Opened", timeout=SLOW)
            for contact in contacts[:2]:
                expect(advocate.get_by_text(contact)).to_be_visible()
            expect(advocate.get_by_text(contacts[2])).to_have_count(0)
            for survivor in survivors:
                assert survivor.errors == [], dump(survivor.errors)
            assert advocate_errors == [], dump(advocate_errors)
        finally:
            for survivor in survivors:
                survivor.context.close()
            advocate_context.close()

    _with_a_browser_of_its_own(flows)
    totp_secret: str = seen["totp_secret"]
    wrong: str = seen["wrong"]
    renamed: str = seen["renamed"]
    match: Match = seen["match"]

    # The flows really happened: two survivors' entries share an index and form the match;
    # the withdrawn entry and its envelopes are gone; the advocate was mailed.
    shared = Entry.objects.values("index").annotate(n=Count("id")).filter(n=2)
    assert len(shared) == 1
    assert Entry.objects.filter(match=match).count() == 2
    assert Entry.objects.filter(match=match).values("account").distinct().count() == 2
    assert Entry.objects.count() == 4  # phone x2, email, name; the withdrawn one deleted
    assert Envelope.objects.count() == 4
    assert len(mail.outbox) == 1

    # Every secret, in every form.
    found = Secrets()
    for n, survivor in enumerate(survivors):
        found.codename(f"survivor {n} codename", survivor.codename)
        found.recovery(f"survivor {n} recovery code", survivor.recovery)
        found.add(f"survivor {n} sid", *_bytes_forms(bytes.fromhex(survivor.sid)))
    found.codename("wrong codename typed", wrong)
    found.codename("survivor 1 codename after recovery", renamed)
    phone = normalise("phone", person["phone_national"], default_region="GB")
    assert phone == normalise("phone", person["phone_international"], default_region=None)
    national = phone.canonical.removeprefix("+44")
    found.identifier(
        "phone", phone, person["phone_national"], person["phone_international"],
        phone.canonical.lstrip("+"), "0" + national,
    )  # fmt: skip
    found.add("phone national digits", national, *_digest_forms(national.encode()))
    email = normalise("email", person["email"], default_region=None)
    found.identifier("email", email, person["email"], *person["email"].split("@"))
    named = normalise(
        "name", person["name"], default_region=None, organisation=person["organisation"]
    )
    found.identifier("name", named, person["name"], person["organisation"])
    for word in randoms:
        found.text("a random word of an identifier or contact", word)
    withdrawn = normalise("email", other["email"], default_region=None)
    found.identifier("withdrawn email", withdrawn, other["email"], *other["email"].split("@"))
    first, second, third = survivors
    indexes = {bytes(i) for i in Entry.objects.values_list("index", flat=True)}
    # The browser derived what Python derives: the shared index is the phone number's.
    assert found.derivation("phone", phone, first.sid, second.sid) == bytes(shared[0]["index"])
    assert found.derivation("email", email, first.sid) in indexes
    assert found.derivation("name", named, first.sid) in indexes
    assert found.derivation("withdrawn email", withdrawn, third.sid) not in indexes
    assert Account.objects.count() == 3
    for n, contact in enumerate(contacts):
        found.text(f"contact {n}", contact)
        found.text(f"contact {n} as JSON", f'{{"v": 1, "contact": "{contact}"}}')
        found.text(f"contact {n} as compact JSON", f'{{"v":1,"contact":"{contact}"}}')
        for part in re.split(r"[ ,]+", contact):
            if any(word.lower() in part.lower() for word in randoms):
                found.text(f"contact {n} part", part)
    found.text("advocate password", password)
    found.text("advocate's wrong password", wrong_password)
    found.text("advocate passphrase", passphrase)

    captured = capfd.readouterr()
    logs = [
        ("the logs", "\n".join(recorder.lines).encode()),
        ("stdout", captured.out.encode()),
        ("stderr", captured.err.encode()),
        ("what the chorus commands printed", "\n".join(COMMANDS_PRINTED).encode()),
    ]
    places = _database_cells() + _database_files() + logs + _mail_texts() + _cache_entries()

    # The search can find things: the sealed TOTP secret and an Entry's index (stored by design).
    alice = StaffMember.objects.get(user__username="alice")
    assert staff_totp_secret(staff=alice) == totp_secret
    canary = Secrets()
    canary.add("sealed TOTP secret", alice.totp_secret_sealed)
    canary.add("an index", *_bytes_forms(bytes(Entry.objects.all()[0].index)))
    canary_hits = _hits(canary, places)
    for secret, where in (
        ("sealed TOTP secret", "in staff_staffmember.totp_secret_sealed"),
        ("sealed TOTP secret", " in file "),
        ("an index", "in escrow_entry.index"),
        ("an index", " in file "),
    ):
        if where != " in file " or connection.vendor == "sqlite":
            assert any(h.startswith(secret) and where in h for h in canary_hits), dump(canary_hits)
    # The TOTP secret itself is sealed at rest (chorus.core.atrest): found nowhere.
    found.text("TOTP secret", totp_secret)
    # The logs are really being captured, at DEBUG and from the live server's threads.
    log_text = logs[0][1].decode()
    assert "Forbidden: /account/signin" in log_text, log_text[-2000:]
    assert "escrow_entry" in log_text  # SQL statements

    hits = _hits(found, places)
    assert hits == [], "\n".join(hits)
