"""After the record and report flows, driven through the real pages in Chromium, the database and
every log hold no record or report plaintext in any form a program could read back without a
member's private key (issue 5, "Must show").

The flows: a survivor writes a record (with a PDF attachment whose page carries a sentence) and
sends it with their name to an organisation; its handler signs in, opens the case with their
passphrase, replies and adds an internal note; the survivor answers; the survivor invites a
supporter, who accepts with their own codename account and writes; a second survivor sends a
report "together", naming a person by phone number, held in escrow. Then every row of every
table, the raw SQLite files, every log record at DEBUG (SQL statements and parameters included),
stdout and stderr, the cache and the mail outbox are searched for each text as typed, as hex and
base64 of its UTF-8 bytes and as its unsalted hashes; and for the keys a program could use
instead (the case key, the reporter's and supporter's sid), as bytes, hex and base64.

Stored by design and so used as a canary: the handler's TOTP secret (the server computes codes).
The search must find it, so a search that could never find anything fails.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, FilePayload, expect

from chorus.escrow.identifiers import normalise
from chorus.reports.models import Case, Message, Note, Supporter
from chorus.staff.models import StaffMember
from chorus.staff.selectors import staff_totp_secret
from tests.browser.test_escrow import Survivor
from tests.browser.test_reports import open_case, staff_sign_in
from tests.browser.test_support import person
from tests.browser.test_together import send_together
from tests.orgs.helpers import key_for, org_with_staff
from tests.reports.helpers import case_key_open
from tests.security.test_escrow_dump import (
    Recorder,
    Secrets,
    _bytes_forms,
    _cache_entries,
    _database_cells,
    _database_files,
    _hits,
    _mail_texts,
    _token,
    _with_a_browser_of_its_own,
    recorder,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["recorder"]  # the fixture, shared with the escrow dump test

SLOW = 120_000


def _pdf(sentence: str) -> bytes:
    """A one-page PDF whose page draws `sentence` (an uncompressed content stream)."""
    content = f"BT /F1 12 Tf 20 100 Td ({sentence}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return out


@override_settings(
    DEBUG=True,  # so Django also logs every SQL statement and its parameters
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
def test_after_the_report_flows_no_plaintext_is_readable_in_the_database_or_logs(
    live_server: Any, recorder: Recorder, capfd: pytest.CaptureFixture[str]
) -> None:
    url = live_server.url
    # Random words make every text unique to this run, so nothing left by another test can be
    # mistaken for a leak (or hide one).
    t = [_token() for _ in range(10)]
    texts = {
        "what happened": f"He blocked the fire exit {t[0]} and laughed when I asked to pass",
        "where": f"Loading bay {t[1]}, north warehouse",
        "reporter's name": f"Ruth {t[2].capitalize()} Okonkwo",
        "attachment sentence": f"Letter from the shift manager {t[3]} dated Tuesday",
        "handler's reply": f"Thank you for writing to us {t[4]}; we have opened a case",
        "internal note": f"Ask facilities for the camera footage {t[5]}",
        "reporter's answer": f"The camera by dock four {t[6]} should have it",
        "supporter's message": f"I was there that evening {t[7]} and saw it too",
        "together text": f"He said it again at the party {t[8]}",
    }
    phone_tail = f"{secrets.randbelow(1000):03d}"
    phone_typed = f"020 7946 1{phone_tail}"
    org = org_with_staff("Acme Ltd", prefix="acme")
    key_for(org.admin)
    _key, handler_sk = key_for(org.handler)
    seen: dict[str, Any] = {}

    def flows(browser: Browser) -> None:
        reporter = Survivor(browser, live_server)
        page = reporter.page
        # The record, with a PDF attached.
        page.goto(f"{url}/records/new")
        expect(page.locator("[data-chorus-record-edit][data-ready='1']")).to_have_count(1)
        page.fill("#record-what", texts["what happened"])
        page.fill("#record-where", texts["where"])
        page.set_input_files(
            "[data-record-files]",
            files=[
                FilePayload(
                    name="letter.pdf",
                    mimeType="application/pdf",
                    buffer=_pdf(texts["attachment sentence"]),
                )
            ],
        )
        expect(page.locator("[data-attachment]")).to_have_count(1, timeout=30_000)
        page.click("[data-record-submit]")
        page.wait_for_url("**/records/*?saved=1", timeout=60_000)

        # Sent with the reporter's name.
        expect(page.locator("[data-chorus-record-open][data-ready='1']")).to_have_count(1)
        page.get_by_role("link", name="Send as a report").click()
        expect(page.locator("[data-chorus-report-new][data-ready='1']")).to_have_count(
            1, timeout=60_000
        )
        page.get_by_label("The organisation's short name on Chorus").fill("acme-ltd")
        page.get_by_role("button", name="Find the organisation").click()
        expect(page.locator("[data-org-name]")).to_have_text("Acme Ltd")
        page.get_by_label("Yes, send it with my name").check()
        page.get_by_label("Your name, as the organisation knows you").fill(texts["reporter's name"])
        page.get_by_role("button", name="Check what will be sent").click()
        expect(page.locator("[data-report-preview]")).to_be_visible()
        page.get_by_role("button", name="Send the report").click()
        page.wait_for_url("**/cases/*?sent=1", timeout=60_000)
        ref = bytes(Case.objects.get().case_ref).hex()

        # The handler reads, replies and adds a note.
        staff_context = browser.new_context()
        staff = staff_context.new_page()
        staff_sign_in(staff, url, org.handler_staff)
        staff.goto(f"{url}/workspace/orgs/acme-ltd/inbox/{ref}")
        open_case(staff)
        expect(staff.locator("[data-answer='what']")).to_have_text(texts["what happened"])
        staff.get_by_label("Write to the reporter").fill(texts["handler's reply"])
        staff.get_by_role("button", name="Send message").click()
        expect(staff.locator("[data-message='1']")).to_contain_text(texts["handler's reply"])
        staff.get_by_label("Add a note").fill(texts["internal note"])
        staff.get_by_role("button", name="Add note").click()
        expect(staff.locator("[data-note='1']")).to_contain_text(texts["internal note"])
        staff_context.close()

        # The reporter answers and invites a supporter, who accepts and writes.
        page.goto(f"{url}/cases/{ref}")
        expect(page.locator("[data-chorus-case][data-ready='1']")).to_have_count(1, timeout=SLOW)
        expect(page.locator("[data-message='1']")).to_contain_text(texts["handler's reply"])
        page.get_by_label("Write a message").fill(texts["reporter's answer"])
        page.get_by_role("button", name="Send message").click()
        expect(page.locator("[data-message='2']")).to_contain_text(texts["reporter's answer"])
        expect(page.locator("[data-chorus-support-panel][data-ready='1']")).to_have_count(1)
        page.get_by_role("button", name="Make an invitation link").click()
        shown = page.get_by_label("The invitation link")
        expect(shown).to_have_value(re.compile(r"/support/[0-9a-f]{32}#"), timeout=SLOW)
        link = shown.input_value()
        seen["link secret"] = link.split("#", 1)[1]
        supporter = person(browser, live_server)
        supporter.page.goto(link)
        expect(
            supporter.page.locator("[data-chorus-support-accept][data-ready='1']")
        ).to_have_count(1, timeout=SLOW)
        supporter.page.get_by_role("button", name="Accept and open the report").click()
        supporter.page.wait_for_url(f"**/cases/{ref}")
        expect(supporter.page.locator("[data-chorus-case][data-ready='1']")).to_have_count(
            1, timeout=SLOW
        )
        supporter.page.get_by_label("Write a message").fill(texts["supporter's message"])
        supporter.page.get_by_role("button", name="Send message").click()
        expect(supporter.page.locator("[data-message='3']")).to_contain_text(
            texts["supporter's message"]
        )
        seen["sids"] = [reporter.sid, supporter.sid]
        supporter.context.close()

        # A second survivor reports together, naming a person by phone number.
        second = Survivor(browser, live_server)
        send_together(second, phone=phone_typed, region="GB", text=texts["together text"])
        expect(second.page.locator("[data-together-sent]")).to_be_visible(timeout=SLOW)
        seen["sids"].append(second.sid)
        reporter.context.close()
        second.context.close()

    _with_a_browser_of_its_own(flows)

    # The flows really happened.
    assert Message.objects.count() == 3
    assert Note.objects.count() == 1
    assert Supporter.objects.filter(accepted__isnull=False).count() == 1
    assert Case.objects.filter(mode="together", status="held").count() == 1
    named = Case.objects.get(mode="named")
    sealed = bytes(named.keys.get(key__membership=org.handler).sealed)
    case_key, _ref = case_key_open(slug="acme-ltd", sk=handler_sk, sealed=sealed)

    found = Secrets()
    for name, text in texts.items():
        found.text(name, text)
    phone = normalise("phone", phone_typed, default_region="GB")
    assert phone.canonical == f"+442079461{phone_tail}"
    found.identifier("named person's phone", phone, phone_typed)
    found.add("case key", *_bytes_forms(case_key))
    for n, sid in enumerate(seen["sids"]):
        found.add(f"sid {n}", *_bytes_forms(sid))
    found.add("invitation secret", seen["link secret"])
    out, err = capfd.readouterr()
    places = [
        *_database_cells(),
        *_database_files(),
        *(("log", line.encode()) for line in recorder.lines),
        ("stdout", out.encode()),
        ("stderr", err.encode()),
        *_cache_entries(),
        *_mail_texts(),
    ]
    canary = Secrets()
    handler = StaffMember.objects.get(pk=org.handler_staff.pk)
    canary.add("handler's sealed TOTP secret", handler.totp_secret_sealed)
    assert _hits(canary, places), "the search finds nothing, not even what is stored by design"
    # The TOTP secret itself is sealed at rest (chorus.core.atrest).
    found.text("handler's TOTP secret", staff_totp_secret(staff=handler))
    assert _hits(found, places) == []
    # And the search would have found them: one planted copy of each is caught.
    for name, text in texts.items():
        assert _hits(found, [*places, ("planted", text.encode())]), name
