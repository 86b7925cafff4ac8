"""Writing a private record in real Chromium: attachments lose their hidden details, everything is
sealed in the browser, the server stores ciphertext and a signed time stamp only."""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, expect

from chorus.crypto.errors import DecryptionFailed
from chorus.records.models import Record, RecordVersion
from chorus.records.stamps import stamp_verify
from tests.browser.conftest import AXE, dump, screenshot
from tests.browser.test_escrow import Survivor
from tests.records.helpers import record_open

pytestmark = pytest.mark.django_db(transaction=True)

GPS_MARKER = b"CHORUS-SECRET-CAMERA"
AUTHOR_MARKER = "Chorus Secret Author"
XMP_MARKER = "chorus-secret-xmp"


def exif_app1() -> bytes:
    """An APP1 Exif segment (big-endian TIFF) with an ImageDescription naming GPS_MARKER and a
    GPS IFD holding a latitude: what a phone camera writes."""
    description = GPS_MARKER + b"\x00"
    # Layout after the 8-byte TIFF header: IFD0 (2 entries) at 8, GPS IFD (2 entries) next,
    # then the description and the latitude rationals.
    ifd0_at = 8
    gps_at = ifd0_at + 2 + 2 * 12 + 4
    desc_at = gps_at + 2 + 2 * 12 + 4
    lat_at = desc_at + len(description)
    tiff = b"MM\x00\x2a" + struct.pack(">I", ifd0_at)
    tiff += struct.pack(">H", 2)
    tiff += struct.pack(">HHII", 0x010E, 2, len(description), desc_at)  # ImageDescription
    tiff += struct.pack(">HHII", 0x8825, 4, 1, gps_at)  # GPSInfo IFD pointer
    tiff += struct.pack(">I", 0)
    tiff += struct.pack(">H", 2)
    tiff += struct.pack(">HHI", 0x0001, 2, 2) + b"N\x00\x00\x00"  # GPSLatitudeRef
    tiff += struct.pack(">HHII", 0x0002, 5, 3, lat_at)  # GPSLatitude
    tiff += struct.pack(">I", 0)
    tiff += description
    tiff += struct.pack(">IIIIII", 51, 1, 30, 1, 2607, 100)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_exif(survivor: Survivor) -> bytes:
    """A real JPEG drawn by the browser (a red square on blue), with the Exif block inserted."""
    data_url = survivor.page.evaluate(
        """() => { const c = document.createElement('canvas'); c.width = 64; c.height = 48;
        const g = c.getContext('2d'); g.fillStyle = '#1d70b8'; g.fillRect(0, 0, 64, 48);
        g.fillStyle = '#d4351c'; g.fillRect(16, 12, 32, 24); return c.toDataURL('image/jpeg'); }"""
    )
    plain = base64.b64decode(data_url.split(",", 1)[1])
    assert plain[:2] == b"\xff\xd8"
    return plain[:2] + exif_app1() + plain[2:]


def pdf_with_metadata() -> bytes:
    """A one-page PDF with an Info dictionary (author) and an XMP metadata stream."""
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{XMP_MARKER}</rdf:Description></x:xmpmeta>'.encode()  # noqa: E501
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        f"<< /Author ({AUTHOR_MARKER}) /Producer (Secret Producer) >>".encode(),
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp)
        + xmp
        + b"\nendstream",
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return out


@pytest.fixture
def survivor(browser: Browser, live_server: Any) -> Iterator[Survivor]:
    made = Survivor(browser, live_server)
    yield made
    made.context.close()


def wait_ready(survivor: Survivor, selector: str) -> None:
    expect(survivor.page.locator(f"{selector}[data-ready='1']")).to_have_count(1, timeout=60_000)


def test_a_record_with_a_photo_is_sealed_stamped_opened_and_printed(survivor: Survivor) -> None:
    page = survivor.page
    page.goto(f"{survivor.url}/records/new")
    wait_ready(survivor, "[data-chorus-record-edit]")
    photo = jpeg_with_exif(survivor)
    assert GPS_MARKER in photo
    page.fill("#record-what", "He cornered me in the lift and would not let me out.")
    page.fill("#record-when", "14 March 2026, about 6 pm")
    page.fill("#record-where", "Office lift, 3rd floor")
    page.set_input_files(
        "[data-record-files]",
        files=[
            FilePayload(name="lift.jpg", mimeType="image/jpeg", buffer=photo),
            FilePayload(name="letter.pdf", mimeType="application/pdf", buffer=pdf_with_metadata()),
        ],
    )
    expect(page.locator("[data-attachment]")).to_have_count(2, timeout=30_000)
    screenshot(page, "record-new")
    page.click("[data-record-submit]")
    page.wait_for_url("**/records/*?saved=1", timeout=60_000)

    version = RecordVersion.objects.get()
    envelope = bytes(version.envelope)
    # Ciphertext only: none of the words, and no key but the survivor's opens it.
    assert b"cornered" not in envelope
    assert GPS_MARKER not in envelope
    with pytest.raises(DecryptionFailed):
        record_open(secrets.token_bytes(32), envelope)
    record = record_open(survivor.sid, envelope)
    assert record["answers"]["what"] == "He cornered me in the lift and would not let me out."
    image, pdf = (base64.b64decode(a["data"]) for a in record["attachments"])
    assert [a["type"] for a in record["attachments"]] == ["image/jpeg", "application/pdf"]
    assert image[:3] == b"\xff\xd8\xff"
    assert b"Exif" not in image
    assert GPS_MARKER not in image
    assert pdf.startswith(b"%PDF-")
    for hidden in (AUTHOR_MARKER.encode(), XMP_MARKER.encode(), b"/Author", b"/Info", b"xmpmeta"):
        assert hidden not in pdf, hidden
    # The stamp is over exactly what was stored.
    assert bytes(version.digest) == hashlib.sha256(envelope).digest()
    stamp_verify(
        digest=bytes(version.digest),
        time_text=version.stamped_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        signature=bytes(version.signature),
    )

    # Reload: the record opens in the browser, the picture is drawn.
    page.reload()
    wait_ready(survivor, "[data-chorus-record-open]")
    expect(page.locator('[data-answer="what"]')).to_have_text(
        "He cornered me in the lift and would not let me out."
    )
    drawn = page.evaluate(
        """() => { const c = document.querySelector('canvas[data-record-image]');
        const p = c.getContext('2d').getImageData(32, 24, 1, 1).data;
        return {w: c.width, h: c.height, r: p[0], b: p[2]}; }"""
    )
    assert drawn["w"] == 64
    assert drawn["h"] == 48
    assert drawn["r"] > 150 > drawn["b"], drawn  # the red square in the middle
    with page.expect_download() as download_info:
        page.click("text=Download letter.pdf")
    download = download_info.value
    assert download.suggested_filename == "letter.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == pdf
    fingerprint = hashlib.sha256(envelope).hexdigest()
    expect(page.locator("[data-stamp-sha256]")).to_have_text(fingerprint)

    page.emulate_media(media="print")
    expect(page.locator("[data-stamp-sha256]")).to_be_visible()
    expect(page.locator("[data-stamp-signature]")).to_have_text(bytes(version.signature).hex())
    expect(page.locator(".exit-bar")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("[data-record-print]")).to_be_hidden()
    screenshot(page, "record-print")
    page.emulate_media(media="screen")
    assert survivor.errors == [], dump(survivor.errors)
    assert survivor.outside == [], dump(survivor.outside)


def test_a_change_is_saved_as_a_second_version(survivor: Survivor) -> None:
    page = survivor.page
    page.goto(f"{survivor.url}/records/new")
    wait_ready(survivor, "[data-chorus-record-edit]")
    page.fill("#record-what", "First telling.")
    page.click("[data-record-submit]")
    page.wait_for_url("**/records/*?saved=1", timeout=60_000)
    record = Record.objects.get()
    page.goto(f"{survivor.url}/records/{record.pk}/edit")
    wait_ready(survivor, "[data-chorus-record-edit]")
    expect(page.locator("#record-what")).to_have_value("First telling.")
    page.fill("#record-impact", "I stopped taking the lift.")
    page.click("[data-record-submit]")
    page.wait_for_url("**/records/*?saved=1", timeout=60_000)
    versions = list(record.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    latest = record_open(survivor.sid, bytes(versions[-1].envelope))
    assert latest["answers"]["what"] == "First telling."
    assert latest["answers"]["impact"] == "I stopped taking the lift."
    page.goto(f"{survivor.url}/records/{record.pk}")
    page.click("text=Delete this record")
    expect(page.locator("h1")).to_have_text("Delete this record?")
    page.click("text=Yes, delete it for good")
    expect(page.locator("[data-records-deleted]")).to_be_visible()
    assert RecordVersion.objects.count() == 0


def test_disguised_and_oversized_files_are_refused_with_a_message(survivor: Survivor) -> None:
    page = survivor.page
    page.goto(f"{survivor.url}/records/new")
    wait_ready(survivor, "[data-chorus-record-edit]")
    photo = jpeg_with_exif(survivor)
    page.set_input_files(
        "[data-record-files]",
        files=[
            FilePayload(name="holiday.png", mimeType="image/png", buffer=photo),
            FilePayload(name="notes.pdf", mimeType="application/pdf", buffer=b"MZ\x90\x00" * 64),
            FilePayload(name="run.exe", mimeType="application/x-msdownload", buffer=b"MZ\x90"),
            FilePayload(
                name="huge.jpg", mimeType="image/jpeg", buffer=photo + b"\x00" * 10_000_000
            ),
        ],
    )
    error = page.locator("[data-files-error]")
    expect(error).to_be_visible(timeout=30_000)
    text = error.inner_text()
    assert "“holiday.png” says it is a PNG picture, but its content is not" in text
    assert "“notes.pdf” says it is a PDF document, but its content is not" in text
    assert "“run.exe” cannot be attached" in text
    assert "“huge.jpg” is larger than 10 MB" in text
    expect(page.locator("[data-attachment]")).to_have_count(0)


def test_without_the_sid_the_record_pages_ask_to_sign_in_again(
    browser: Browser, survivor: Survivor
) -> None:
    # The same signed-in session, in a tab that has not unlocked the survivor id.
    context = browser.new_context()
    try:
        context.add_cookies(
            [
                {"name": c["name"], "value": c["value"], "domain": c["domain"], "path": c["path"]}
                for c in survivor.context.cookies()
            ]
        )
        page = context.new_page()
        page.goto(f"{survivor.url}/records/new")
        error = page.locator("[data-record-error]")
        expect(error).to_be_visible()
        expect(error).to_contain_text("Sign in again with your codename")
        expect(page.locator("[data-record-submit]")).to_be_disabled()
    finally:
        context.close()


def test_the_record_pages_have_no_serious_accessibility_problems(
    browser: Browser, live_server: Any
) -> None:
    survivor = Survivor(browser, live_server, bypass_csp=True)
    try:
        page = survivor.page
        page.goto(f"{survivor.url}/records/new")
        wait_ready(survivor, "[data-chorus-record-edit]")
        page.fill("#record-what", "Something happened.")
        page.click("[data-record-submit]")
        page.wait_for_url("**/records/*?saved=1", timeout=60_000)
        record = Record.objects.get()
        for path in (
            "/records",
            "/records/new",
            f"/records/{record.pk}",
            f"/records/{record.pk}/delete",
        ):
            page.goto(f"{survivor.url}{path}")
            if path in ("/records/new", f"/records/{record.pk}"):
                selector = (
                    "[data-chorus-record-open]"
                    if path[-1].isdigit()
                    else "[data-chorus-record-edit]"
                )
                wait_ready(survivor, selector)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => await axe.run(document, {resultTypes: ['violations']})"
            )
            serious = [
                {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], f"{path}: {dump(serious)}"
    finally:
        survivor.context.close()
