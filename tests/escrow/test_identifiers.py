"""Identifier normalisation (docs/protocols/identifiers.md): the shared table and properties.

`identifier_cases.json` is the specification by example that the browser bundle also passes
(frontend/test/identifiers.test.mjs); test_identifiers_cross.py runs random and exhaustive
inputs through both implementations.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chorus.escrow import identifiers
from chorus.escrow._repertoire import EXCLUDED, UNICODE_VERSION
from chorus.escrow.identifiers import (
    KINDS,
    MESSAGES,
    PLATFORMS,
    Identifier,
    IdentifierError,
    normalise,
)

TABLE = json.loads((Path(__file__).parent / "identifier_cases.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = TABLE["cases"]


def run(case: dict[str, Any]) -> Identifier:
    return normalise(
        case["kind"],
        case["raw"],
        default_region=case.get("region"),
        platform=case.get("platform"),
        organisation=case.get("organisation"),
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['kind']}" for i, c in enumerate(CASES)])
def test_every_case_of_the_shared_table(case):
    if "error" in case:
        with pytest.raises(IdentifierError) as caught:
            run(case)
        assert caught.value.code == case["error"], case["note"]
        assert caught.value.message == str(caught.value) == MESSAGES[case["error"]]
    else:
        identifier = run(case)
        assert identifier == Identifier(kind=case["kind"], canonical=case["canonical"]), case[
            "note"
        ]


@pytest.mark.parametrize("case", TABLE["library_disagreements"], ids=lambda c: c["region"])
def test_the_python_side_of_the_known_library_disagreements(case):
    expected = case["python"]
    assert expected != case["browser"]
    if "error" in expected:
        with pytest.raises(IdentifierError) as caught:
            run(case)
        assert caught.value.code == expected["error"], case["note"]
    else:
        assert run(case).canonical == expected["canonical"], case["note"]


def test_the_table_covers_every_kind_platform_and_error():
    assert len(CASES) >= 80
    assert {c["kind"] for c in CASES} >= set(KINDS)
    succeeded = {
        c["canonical"].split(":")[0] for c in CASES if c["kind"] == "profile" and "canonical" in c
    }
    assert succeeded >= set(PLATFORMS)
    assert {c["error"] for c in CASES if "error" in c} == set(MESSAGES)


@pytest.mark.parametrize("vector", TABLE["oprf_inputs"])
def test_oprf_input_is_the_label_kind_and_canonical_form(vector):
    identifier = Identifier(kind=vector["kind"], canonical=vector["canonical"])
    assert identifier.oprf_input() == bytes.fromhex(vector["hex"])
    assert identifier.oprf_input().startswith(
        b"chorus-id-v1\x00" + vector["kind"].encode() + b"\x00"
    )


def test_identifiers_are_frozen_values():
    one = normalise("email", "Jane@Example.org", default_region=None)
    assert one == normalise("email", "jane@example.ORG", default_region=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.canonical = "other"  # type: ignore[misc]


def test_error_is_a_value_error_with_a_code_and_a_message_to_act_on():
    with pytest.raises(ValueError, match="@ sign") as caught:
        normalise("email", "nobody", default_region=None)
    assert caught.value.code == "email_missing_at"  # type: ignore[attr-defined]


def test_same_person_through_different_kinds_of_spelling():
    spellings = [
        ("https://www.instagram.com/Jane.Doe/?hl=en", None),
        ("instagram.com/jane.doe", None),
        ("@\uff2a\uff21\uff2e\uff25.\uff24\uff2f\uff25", "instagram"),  # full-width
        ("j\u0430ne\u200b.doe", "Instagram"),
    ]
    canonicals = {
        normalise("profile", raw, default_region=None, platform=platform).canonical
        for raw, platform in spellings
    }
    assert canonicals == {"instagram:jane.doe"}


# --- the repertoire -------------------------------------------------------------------------


@pytest.mark.skipif(
    unicodedata.unidata_version != UNICODE_VERSION,
    reason="the frozen table is checked against Python's own Unicode 15.0 data",
)
def test_excluded_ranges_are_exactly_unassigned_private_use_and_surrogates_of_unicode_15():
    excluded: set[int] = set()
    for item in EXCLUDED.split(","):
        start, n = (int(part, 16) for part in item.split("+"))
        excluded.update(range(start, start + n + 1))
    expected = {c for c in range(0x110000) if unicodedata.category(chr(c)) in {"Cn", "Co", "Cs"}}
    assert excluded == expected


def test_the_browser_copy_of_the_repertoire_is_identical():
    source = (Path(__file__).parents[2] / "frontend/src/escrow/repertoire.js").read_text()
    body = source.split("export const EXCLUDED = [", 1)[1].split("].join('')", 1)[0]
    assert "".join(line.strip().strip(",").strip("'") for line in body.splitlines()) == EXCLUDED
    assert f"export const UNICODE_VERSION = '{UNICODE_VERSION}';" in source


def test_text_folding_is_idempotent_for_every_assigned_code_point():
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) in {"Cn", "Co", "Cs"}:
            continue
        folded = identifiers._fold(char)
        assert identifiers._fold(folded) == folded, hex(code)


# --- Punycode -------------------------------------------------------------------------------


@given(
    st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
        | st.characters(min_codepoint=0x80, exclude_categories=["Cs"]),
        min_size=1,
        max_size=40,
    )
)
def test_punycode_decoding_matches_the_standard_codec(text):
    assume(not text.isascii())
    encoded = text.encode("punycode").decode("ascii")
    assert identifiers._punycode_decode(encoded) == text


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", max_size=30))
def test_punycode_decoding_never_raises(text):
    result = identifiers._punycode_decode(text)
    if result is not None:
        assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in result)


# --- properties -----------------------------------------------------------------------------

TRICKY = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\ufeff\u00ad\u034f\ufe0f"
    "\u00a0\u2003\u3000\t\n\r\x00\x1f\x7f\x85\u2028"
    "\u0430\u0435\u043e\u0440\u0441\u0445\u0443\u0456\u03bf\u03b1\u0391\u039f\u0392"
    "\uff21\uff41\uff10\uff0b\uff20\uff0e\u2160\u2460\U0001d400"
    "\u0301\u0308\u0307\u0130\u0131\u00df\u1e9e\u03a3\u03c2\u2019\u2013"
    "\ue000\U0001fae9\ud800"
)
tricky_text = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=40)
regions = st.one_of(
    st.none(), st.sampled_from(["GB", "US", "FR", "DE", "BM", "RU", "JP", "gb", "XX", "001"])
)
platforms = st.one_of(st.none(), st.sampled_from([*PLATFORMS, "Twitter", "mastodon", "myspace"]))


def _decorate(draw: st.DrawFn, text: str) -> str:
    """Insert characters that normalisation must see through, and change case at random."""
    out = []
    for char in text:
        out.append(char.upper() if draw(st.booleans()) else char)
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from("\u200b\u200d\u200e\u202c\ufeff\u00ad")))
    return "".join(out)


@st.composite
def emails(draw: st.DrawFn) -> str:
    local = draw(st.from_regex(r"[a-z0-9_+\-]{1,8}(\.[a-z0-9_+\-]{1,8}){0,2}", fullmatch=True))
    labels = draw(st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=1, max_size=3))
    tld = draw(st.sampled_from(["org", "com", "de", "xn--bcher-kva", "bücher", "рф"]))
    return _decorate(draw, f"{local}@{'.'.join([*labels, tld])}")


@st.composite
def phones(draw: st.DrawFn) -> str:
    digits = draw(st.from_regex(r"\+?[0-9]{3,16}", fullmatch=True))
    return _decorate(draw, " ".join(digits[i : i + 3] for i in range(0, len(digits), 3)))


@st.composite
def profiles(draw: st.DrawFn) -> str:
    handle = draw(st.from_regex(r"[a-z][a-z0-9_.]{2,12}", fullmatch=True))
    template = draw(
        st.sampled_from(
            [
                "{h}",
                "@{h}",
                "https://www.instagram.com/{h}/",
                "x.com/{h}?s=20",
                "https://m.facebook.com/{h}",
                "https://www.linkedin.com/in/{h}/",
                "https://www.tiktok.com/@{h}",
                "https://www.snapchat.com/add/{h}",
                "@{h}@mastodon.social",
                "https://mastodon.social/@{h}",
            ]
        )
    )
    return _decorate(draw, template.format(h=handle))


def _assert_clean(identifier: Identifier) -> None:
    text = identifier.canonical
    assert text
    assert text == text.strip()
    assert "  " not in text
    for char in text:
        category = unicodedata.category(char)
        assert category not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}, hex(ord(char))
        assert category != "Zs" or (char == " " and identifier.kind == "name"), hex(ord(char))
    assert identifier.oprf_input().decode("utf-8").split("\x00")[2] == text


def _renormalised(identifier: Identifier) -> Identifier:
    """Normalise a canonical form again, as raw input."""
    kind, canonical = identifier.kind, identifier.canonical
    if kind == "profile":
        platform, handle = canonical.split(":", 1)
        return normalise(kind, handle.removeprefix("id:"), default_region=None, platform=platform)
    if kind == "name":
        name, organisation = canonical.split("|")
        return normalise(kind, name, default_region=None, organisation=organisation)
    return normalise(kind, canonical, default_region=None)


def _check(kind: str, raw: str, **options: Any) -> None:
    """Either an IdentifierError (any other exception fails the test) or a clean identifier
    that normalises to itself."""
    try:
        identifier = normalise(kind, raw, **options)
    except IdentifierError as error:
        code = error.code
        assert code in MESSAGES
        return
    _assert_clean(identifier)
    assert _renormalised(identifier) == identifier


@given(kind=st.sampled_from(KINDS), raw=tricky_text, region=regions, platform=platforms)
def test_any_text_gives_a_clean_identifier_or_an_identifier_error(kind, raw, region, platform):
    _check(kind, raw, default_region=region, platform=platform, organisation=raw[::-1])


@given(raw=emails())
def test_emails_are_idempotent_and_clean(raw):
    _check("email", raw, default_region=None)


@given(raw=phones(), region=regions)
def test_phone_numbers_are_idempotent_and_clean(raw, region):
    _check("phone", raw, default_region=region)


@given(raw=profiles(), platform=platforms)
def test_profiles_are_idempotent_and_clean(raw, platform):
    _check("profile", raw, default_region=None, platform=platform)


@given(name=tricky_text, organisation=tricky_text)
def test_names_are_idempotent_and_clean(name, organisation):
    _check("name", name, default_region=None, organisation=organisation)


@given(raw=st.text(max_size=30))
def test_text_folding_is_idempotent(raw):
    try:
        folded = identifiers._fold(raw)
    except IdentifierError:
        return
    assert identifiers._fold(folded) == folded


# --- isolation ------------------------------------------------------------------------------


def test_importing_identifiers_loads_no_django_and_no_other_chorus_package():
    check = (
        "import sys, chorus.escrow.identifiers\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
        "others = [m for m in sys.modules if m.startswith('chorus.')"
        " and not m.startswith('chorus.escrow')]\n"
        "assert not others, others\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
