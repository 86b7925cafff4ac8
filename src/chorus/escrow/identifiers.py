"""Identifiers that name a person, reduced to one canonical form: the escrow's OPRF input `P`.

A survivor names someone by email address, phone number, profile on a major platform, or full
name and organisation. Two survivors who name the same person must produce the same bytes, in
this module and in the browser (`frontend/src/escrow/identifiers.js`), so every rule below is
spelt out and both implementations are run against one table of cases
(`tests/escrow/identifier_cases.json`). `docs/protocols/identifiers.md` explains the choices.

Text, for every kind (`_fold`):
 1. Code points unassigned in Unicode 15.0, private use and surrogates are rejected
    (`unsupported_character`; see `_repertoire`). So is input over 1,000 code points.
 2. NFKC: full-width and mathematical letters, ligatures and compatibility spaces become
    their plain forms.
 3. Default-ignorable code points are removed: zero-width space, (non-)joiners, soft hyphen,
    bidirectional marks and embeddings, variation selectors, tag characters.
 4. Lower case (Unicode's full, locale-independent mapping), then sharp s -> ss, final sigma
    -> sigma, and the Turkish dotless i and dotted capital I (i + U+0307) -> i.
 5. Lookalikes: after NFD, Cyrillic and Greek letters that look like a Latin letter become it
    (`_LOOKALIKES`: Cyrillic a U+0430 -> a, Greek omicron U+03BF -> o, ...), as do Latin alpha,
    script g and dotless j; then NFKC again. Accents stay: "Jose" with and without an acute
    accent are different names.
 6. Every run of white space and control characters becomes one space; the ends are trimmed.

Kinds and canonical forms:
 - email: `local@domain`. Surrounding `mailto:` or `Name <...>` is dropped. Dots and `+tags`
   stay (only some providers ignore them; removing them would merge distinct people). The local
   part is a dot-atom of ASCII atext or non-ASCII characters (RFC 5322/6531, no quoted strings);
   the domain has two or more labels, each letters, digits and inner hyphens. Internationalised
   domains are kept as Unicode (U-labels): `xn--` labels are decoded (RFC 3492) and normalised,
   so the ASCII and Unicode spellings agree. No deliverability check.
 - phone: E.164 (`+442079460958`) through `phonenumbers`, with the survivor's country as the
   default region; the number must be valid for its country. Digits only reach the library
   (formatting, `tel:`, Arabic-Indic digits are handled here). Without a region, `00` is read
   as `+`. Two rules make libphonenumber-js in the browser agree: `+0...` is invalid, and in
   +1 countries a leading `1` before anything but a 10-digit number is the trunk prefix or
   the country code.
 - profile: `platform:handle`, handle lower-cased: instagram, x (twitter.com and x.com),
   facebook (dots ignored, as Facebook does; numeric profiles as `facebook:id:N`), linkedin
   (the `/in/` slug), tiktok, snapchat, fediverse (`user@host`). Accepts profile URLs with or
   without scheme, www./m./mobile. hosts, query strings, fragments and trailing slashes, or a
   bare handle with the platform named.
 - name: `name|organisation`, both required; letters, marks and digits kept, hyphens and
   apostrophes only between letters, all other punctuation becomes a space.

This module imports neither Django nor any other chorus package (import-linter contract).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

import phonenumbers

from chorus.escrow._repertoire import EXCLUDED

VERSION_LABEL: Final = b"chorus-id-v1"
KINDS: Final = ("email", "phone", "profile", "name")
PLATFORMS: Final = ("instagram", "x", "facebook", "linkedin", "tiktok", "snapchat", "fediverse")
MAX_INPUT_CHARS: Final = 1000

MESSAGES: Final[dict[str, str]] = {
    "unknown_kind": "This kind of identifier is not supported. "
    "Use an email address, a phone number, a profile or a full name.",
    "empty": "Nothing was entered. Type or paste the identifier.",
    "too_long": "This is too long for one identifier. Check that only one was pasted.",
    "unsupported_character": "This contains a character we cannot read, such as a private-use "
    "or very new symbol. Type it again with ordinary letters and digits.",
    "email_missing_at": "An email address needs an @ sign, like name@example.org.",
    "email_invalid": "This does not look like an email address. "
    "It should look like name@example.org, with no spaces.",
    "email_invalid_domain": "The part after the @ is not a valid domain. "
    "It should look like example.org.",
    "phone_invalid_characters": "A phone number can only contain digits, spaces and + - ( ) . /. "
    "Leave out extensions and letters.",
    "phone_needs_country": "We cannot tell which country this number is in. "
    "Start it with + and the country code, for example +44 20 7946 0958.",
    "phone_unknown_region": "We do not know the phone numbers of the country in your settings. "
    "Start the number with + and the country code.",
    "phone_too_short": "This phone number is too short. Check that no digits are missing. "
    "If it is from another country, start with + and the country code.",
    "phone_too_long": "This phone number is too long. Check for extra digits and leave out "
    "any extension.",
    "phone_invalid": "This is not a valid phone number. Check the digits. "
    "If it is from another country, start with + and the country code.",
    "profile_platform_needed": "Choose the site this profile is on, or paste the full address "
    "of the profile page.",
    "profile_unsupported_platform": "We can match profiles on Instagram, X (Twitter), Facebook, "
    "LinkedIn, TikTok, Snapchat and the fediverse (such as Mastodon). For other sites, give "
    "an email address, phone number or name instead.",
    "profile_platform_mismatch": "This address belongs to a different site from the one chosen. "
    "Choose the site the address is on.",
    "profile_not_a_profile": "This address is not a person's profile page; it may be a post, "
    "group or company page. Open the person's profile and copy its address.",
    "profile_short_link": "Short links cannot be matched. Open the link, go to the person's "
    "profile and copy the address shown there.",
    "profile_invalid_handle": "This is not a valid user name for that site. "
    "Check it against the profile page.",
    "profile_fediverse_needs_server": "A fediverse address has two parts, like "
    "@name@mastodon.social. Add the server after the second @.",
    "name_missing": "Enter the person's full name.",
    "organisation_missing": "Enter the organisation you know the person from, such as their "
    "employer or school.",
}


class IdentifierError(ValueError):
    """An identifier that cannot be used; `code` is stable, `message` says what to do."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.message = MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str
    canonical: str

    def oprf_input(self) -> bytes:
        """`P` of docs/protocols/escrow.md section 4: label, kind and canonical form."""
        return b"\x00".join((VERSION_LABEL, self.kind.encode(), self.canonical.encode()))


def normalise(
    kind: str,
    raw: str,
    *,
    default_region: str | None,
    platform: str | None = None,
    organisation: str | None = None,
) -> Identifier:
    """Reduce `raw` to its canonical form; raise IdentifierError if it cannot be used.

    `default_region` (ISO 3166 alpha-2, the survivor's country) is used for phone numbers
    written without a country code; `platform` names the site of a bare profile handle;
    `organisation` goes with a name.
    """
    if kind == "email":
        canonical = _email(_fold_required(raw))
    elif kind == "phone":
        canonical = _phone(_fold_required(raw), default_region)
    elif kind == "profile":
        canonical = _profile(_fold_required(raw), platform)
    elif kind == "name":
        canonical = _name(raw, organisation)
    else:
        raise IdentifierError("unknown_kind")
    return Identifier(kind=kind, canonical=canonical)


# --- text ----------------------------------------------------------------------------------


def _parse_ranges(encoded: str) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for item in encoded.split(","):
        start, n = item.split("+")
        starts.append(int(start, 16))
        ends.append(int(start, 16) + int(n, 16))
    return starts, ends


_EXCLUDED_STARTS, _EXCLUDED_ENDS = _parse_ranges(EXCLUDED)

# Default_Ignorable_Code_Point (Unicode 15.0), all of which are invisible.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)
# White space and control characters (C0, DEL, C1), listed so both implementations agree.
_SPACES = re.compile("[\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")

# Applied after lower-casing, to NFD text (so accented forms follow their base letter).
# A Cyrillic or Greek letter maps to the Latin letter it looks like in either case; where the
# two cases look like different Latin letters (Greek eta, nu, mu, upsilon: H/n, N/v, M/u, Y/u),
# the capital wins because it is the exact lookalike.
_LOOKALIKES: Final = str.maketrans(
    {
        "\u00df": "ss",  # latin small letter sharp s
        "\u03c2": "\u03c3",  # greek small letter final sigma
        "\u0131": "i",  # latin small letter dotless i
        "\u0237": "j",  # latin small letter dotless j
        "\u0251": "a",  # latin small letter alpha
        "\u0261": "g",  # latin small letter script g
        "\u0430": "a",  # cyrillic small letter a
        "\u0432": "b",  # cyrillic small letter ve
        "\u0435": "e",  # cyrillic small letter ie
        "\u043a": "k",  # cyrillic small letter ka
        "\u043c": "m",  # cyrillic small letter em
        "\u043d": "h",  # cyrillic small letter en
        "\u043e": "o",  # cyrillic small letter o
        "\u0440": "p",  # cyrillic small letter er
        "\u0441": "c",  # cyrillic small letter es
        "\u0442": "t",  # cyrillic small letter te
        "\u0443": "y",  # cyrillic small letter u
        "\u0445": "x",  # cyrillic small letter ha
        "\u0455": "s",  # cyrillic small letter dze
        "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
        "\u0458": "j",  # cyrillic small letter je
        "\u04cf": "l",  # cyrillic small letter palochka
        "\u04bb": "h",  # cyrillic small letter shha
        "\u04af": "y",  # cyrillic small letter straight u
        "\u0501": "d",  # cyrillic small letter komi de
        "\u051b": "q",  # cyrillic small letter qa
        "\u051d": "w",  # cyrillic small letter we
        "\u03b1": "a",  # greek small letter alpha
        "\u03b2": "b",  # greek small letter beta
        "\u03b5": "e",  # greek small letter epsilon
        "\u03b6": "z",  # greek small letter zeta
        "\u03b7": "h",  # greek small letter eta
        "\u03b9": "i",  # greek small letter iota
        "\u03ba": "k",  # greek small letter kappa
        "\u03bc": "m",  # greek small letter mu
        "\u03bd": "n",  # greek small letter nu
        "\u03bf": "o",  # greek small letter omicron
        "\u03c1": "p",  # greek small letter rho
        "\u03c4": "t",  # greek small letter tau
        "\u03c5": "y",  # greek small letter upsilon
        "\u03c7": "x",  # greek small letter chi
        "\u03f2": "c",  # greek lunate sigma symbol
        "\u03f3": "j",  # greek letter yot
    }
)


def _check_repertoire(text: str) -> None:
    for char in text:
        code = ord(char)
        index = bisect_right(_EXCLUDED_STARTS, code) - 1
        if index >= 0 and code <= _EXCLUDED_ENDS[index]:
            raise IdentifierError("unsupported_character")


def _fold(text: str) -> str:
    """Steps 1 to 6 of the module docstring."""
    if len(text) > MAX_INPUT_CHARS:
        raise IdentifierError("too_long")
    _check_repertoire(text)
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()
    text = unicodedata.normalize("NFD", text).translate(_LOOKALIKES).replace("i\u0307", "i")
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip(" ")


def _fold_required(raw: str) -> str:
    text = _fold(raw)
    if not text:
        raise IdentifierError("empty")
    return text


# --- email and domains ---------------------------------------------------------------------

_ATOM = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+")
_LABEL = re.compile(
    r"[a-z0-9\u0080-\U0010ffff]([a-z0-9\-\u0080-\U0010ffff]*[a-z0-9\u0080-\U0010ffff])?"
)
_DISPLAY_NAME = re.compile(r"[^<>]*<([^<>]*)>")
_DIGITS = re.compile(r"[0-9]+")


def _email(text: str) -> str:
    display = _DISPLAY_NAME.fullmatch(text)
    if display:
        text = display.group(1).strip(" ")
    if text.startswith("mailto:"):
        text = text[len("mailto:") :].split("?", 1)[0]
    if "@" not in text:
        raise IdentifierError("email_missing_at")
    local, _, domain_text = text.rpartition("@")
    if len(local) > 64 or not all(_ATOM.fullmatch(atom) for atom in local.split(".")):
        raise IdentifierError("email_invalid")
    domain = _domain(domain_text)
    if domain is None:
        raise IdentifierError("email_invalid_domain")
    return f"{local}@{domain}"


def _domain(text: str) -> str | None:
    """A host name in canonical form (U-labels, no trailing dot), or None if it is not one."""
    text = text.replace("\u3002", ".")
    text = text.removesuffix(".")
    labels = []
    for part in text.split("."):
        label = part
        if label.startswith("xn--"):
            decoded = _punycode_decode(label[4:])
            if decoded is None:
                return None
            label = _fold(decoded)
            if label.startswith("xn--"):
                return None
        if len(label) > 63 or not _LABEL.fullmatch(label):
            return None
        labels.append(label)
    if len(labels) < 2 or _DIGITS.fullmatch(labels[-1]):
        return None
    domain = ".".join(labels)
    return domain if len(domain) <= 253 else None


_PUNY_BASE, _PUNY_TMIN, _PUNY_TMAX = 36, 1, 26
# No code point is that far in; bounding i (and so w, at most 35 * i) also keeps the browser's
# floating-point arithmetic exact.
_PUNY_LIMIT = 2**31


def _punycode_adapt(delta: int, points: int, first: bool) -> int:
    delta = delta // 700 if first else delta // 2
    delta += delta // points
    k = 0
    while delta > 455:  # ((base - tmin) * tmax) // 2
        delta //= 35
        k += _PUNY_BASE
    return k + (36 * delta) // (delta + 38)


def _punycode_decode(text: str) -> str | None:
    """RFC 3492 decoding of a lower-case label body; None if it is not valid Punycode.

    Written out (rather than the `punycode` codec) so that the browser's copy of these lines
    accepts and rejects exactly the same strings.
    """
    if not re.fullmatch(r"[a-z0-9\-]*", text):
        return None
    delimiter = text.rfind("-")
    output = list(text[:delimiter]) if delimiter > 0 else []
    pos = delimiter + 1 if delimiter >= 0 else 0
    n, i, bias = 128, 0, 72
    while pos < len(text):
        old_i, w, k = i, 1, _PUNY_BASE
        while True:
            if pos >= len(text):
                return None
            char = text[pos]  # not "-": the delimiter was the last one
            pos += 1
            digit = ord(char) - 97 if char >= "a" else ord(char) - 22
            i += digit * w
            if i > _PUNY_LIMIT:
                return None
            t = _PUNY_TMIN if k <= bias else _PUNY_TMAX if k >= bias + _PUNY_TMAX else k - bias
            if digit < t:
                break
            w *= _PUNY_BASE - t
            k += _PUNY_BASE
        points = len(output) + 1
        bias = _punycode_adapt(i - old_i, points, old_i == 0)
        n += i // points
        i %= points
        if n > 0x10FFFF or 0xD800 <= n <= 0xDFFF:
            return None
        output.insert(i, chr(n))
        i += 1
    return "".join(output)


# --- phone ---------------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"[0-9 ().\-/+]*")
_ARABIC_DIGITS: Final = str.maketrans(
    {chr(0x660 + d): str(d) for d in range(10)} | {chr(0x6F0 + d): str(d) for d in range(10)}
)
_REGION = re.compile(r"[A-Za-z]{2}")


def _phone(text: str, default_region: str | None) -> str:
    region = _phone_region(default_region)
    international, digits = _phone_digits(text, region)
    try:
        number = phonenumbers.parse(("+" if international else "") + digits, region)
    except phonenumbers.NumberParseException:
        # The two libraries give different reasons here (or parse what the other refuses), so
        # judge the length by the default region's numbers.
        if not international and region is not None:
            _check_length(len(digits), phonenumbers.country_code_for_region(region))
        raise IdentifierError("phone_invalid") from None
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    _check_length(len(phonenumbers.national_significant_number(number)), number.country_code or 0)
    raise IdentifierError("phone_invalid")


def _phone_region(default_region: str | None) -> str | None:
    if default_region is None:
        return None
    region = default_region.upper()
    if not _REGION.fullmatch(default_region) or region not in phonenumbers.SUPPORTED_REGIONS:
        raise IdentifierError("phone_unknown_region")
    return region


def _phone_digits(text: str, region: str | None) -> tuple[bool, str]:
    """Whether the number is international, and its digits (after the + or 00 if it is)."""
    text = text.removeprefix("tel:").translate(_ARABIC_DIGITS)
    plus = text.find("+")
    if (
        not _PHONE_CHARS.fullmatch(text)
        or text.count("+") > 1
        or (plus >= 0 and re.search("[0-9]", text[:plus]))
    ):
        raise IdentifierError("phone_invalid_characters")
    digits = re.sub("[^0-9]", "", text)
    if len(digits) < 4:
        raise IdentifierError("phone_too_short")
    if len(digits) > 17:
        raise IdentifierError("phone_too_long")
    international = plus >= 0
    if not international and region is None:
        if not digits.startswith("00"):
            raise IdentifierError("phone_needs_country")
        international, digits = True, digits[2:]
    if (
        not international
        and region is not None
        and phonenumbers.country_code_for_region(region) == 1
        and digits[0] == "1"
        and len(digits) != 10
    ):
        # North America: before a 7- or 10-digit number, 1 is the trunk prefix or the country
        # code (area codes do not start with 1); the two libraries strip it differently.
        digits = digits.lstrip("1")
    if international and digits.startswith("0"):
        raise IdentifierError("phone_invalid")  # no country code starts with 0
    if international and digits.startswith("1"):
        digits = "1" + digits[1:].lstrip("1")
    return international, digits


def _check_length(size: int, country_code: int) -> None:
    """Too short or too long for every number of the country (its possible lengths, which
    libphonenumber-js reads from the same metadata)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        country_code, phonenumbers.region_code_for_country_code(country_code)
    )
    lengths = metadata.general_desc.possible_length if metadata and metadata.general_desc else ()
    if lengths and size < min(lengths):
        raise IdentifierError("phone_too_short")
    if lengths and size > max(lengths):
        raise IdentifierError("phone_too_long")


# --- profiles ------------------------------------------------------------------------------

_PLATFORM_NAMES: Final = {name: name for name in PLATFORMS} | {
    "twitter": "x",
    "mastodon": "fediverse",
}
_HOSTS: Final = {
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "twitter.com": "x",
    "x.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "linkedin.com": "linkedin",
    "tiktok.com": "tiktok",
    "snapchat.com": "snapchat",
}
_SHORT_LINK_HOSTS: Final = frozenset(
    {"t.co", "fb.me", "fb.watch", "lnkd.in", "vm.tiktok.com", "vt.tiktok.com", "t.snapchat.com"}
)
# Sites that put "@name" in profile paths too but are not the fediverse.
_OTHER_SITES: Final = ("youtube.com", "youtu.be", "medium.com", "substack.com")
_SUBDOMAINS: Final = frozenset({"www", "m", "mobile", "web", "mbasic", "touch"})
_HANDLES: Final = {
    "instagram": re.compile(r"[a-z0-9._]{1,30}"),
    "x": re.compile(r"[a-z0-9_]{1,15}"),
    "facebook": re.compile(r"[a-z0-9.]{1,50}"),
    "linkedin": re.compile(r"[a-z0-9\-\u0080-\U0010ffff]{3,100}"),
    "tiktok": re.compile(r"[a-z0-9._]{2,24}"),
    "snapchat": re.compile(r"[a-z][a-z0-9._\-]{2,14}"),
    "fediverse": re.compile(r"[a-z0-9_](?:[a-z0-9_.\-]{0,62}[a-z0-9_])?"),
}


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# First path segments that are not a user name.
_RESERVED: Final = {
    "instagram": _names(
        "p reel reels tv explore accounts direct about developer legal web challenge emails "
        "session privacy terms ar topics locations tags directory create s stories highlights"
    ),
    "x": _names(
        "i home explore search settings notifications messages compose intent share hashtag "
        "login logout signup tos privacy about account download jobs lists communities topics "
        "who_to_follow"
    ),
    "facebook": _names(
        "groups pages pg events watch marketplace gaming photo.php photo photos story.php "
        "permalink.php share sharer sharer.php login login.php help hashtag reel reels videos "
        "posts stories friends messages notifications settings home.php search business ads "
        "policies privacy legal l.php plugins dialog media live fundraisers public people"
    ),
}
_SCHEME = re.compile(r"(?:https?:)?//")
_BARE_URL = re.compile(
    r"(?:[a-z0-9\-\u0080-\U0010ffff]+\.)+[a-z0-9\-\u0080-\U0010ffff]+(?::[0-9]*)?/"
)
_FEDIVERSE_HANDLE = re.compile(r"@?([^@/ ]+)@([^@/ ]+)")
_PERCENT_RUN = re.compile(r"(?:%[0-9a-f]{2})+")


def _profile(text: str, platform: str | None) -> str:
    chosen = None
    if platform is not None:
        chosen = _PLATFORM_NAMES.get(_fold(platform))
        if chosen is None:
            raise IdentifierError("profile_unsupported_platform")
    if " " in text:
        raise IdentifierError("profile_invalid_handle")
    scheme = _SCHEME.match(text)
    if scheme or _BARE_URL.match(text):
        return _profile_url(text[scheme.end() :] if scheme else text, chosen)
    fediverse = _FEDIVERSE_HANDLE.fullmatch(text)
    if fediverse and (chosen == "fediverse" or (chosen is None and text.startswith("@"))):
        return _fediverse(fediverse.group(1), fediverse.group(2))
    if chosen is None:
        raise IdentifierError("profile_platform_needed")
    if chosen == "fediverse":
        raise IdentifierError("profile_fediverse_needs_server")
    handle = text.removeprefix("@")
    if chosen == "linkedin":
        handle = handle.removeprefix("in/").removesuffix("/")
    return _handle(chosen, handle)


def _profile_url(rest: str, chosen: str | None) -> str:
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, remainder = rest[:end], rest[end:].split("#", 1)[0]
    path, _, query = remainder.partition("?")
    host = _domain(re.sub(r":[0-9]*$", "", authority))
    if host is None:
        raise IdentifierError("profile_unsupported_platform")
    if host in _SHORT_LINK_HOSTS:
        raise IdentifierError("profile_short_link")
    segments = [_percent_decode(s) for s in path.split("/") if s]
    if any(host == site or host.endswith("." + site) for site in _OTHER_SITES):
        raise IdentifierError("profile_unsupported_platform")
    detected = _platform_of_host(host)
    if detected is None:
        # Any other host: a fediverse server if the path names a user as Mastodon does.
        user = None
        if segments and segments[0].startswith("@"):
            user = segments[0][1:]
        elif len(segments) >= 2 and segments[0] == "users":
            user = segments[1]
        if user is None:
            if chosen in (None, "fediverse"):
                raise IdentifierError(
                    "profile_unsupported_platform" if chosen is None else "profile_not_a_profile"
                )
            raise IdentifierError("profile_platform_mismatch")
        if chosen not in (None, "fediverse"):
            raise IdentifierError("profile_platform_mismatch")
        name, at, server = user.partition("@")
        return _fediverse(name, server if at else host)
    if chosen not in (None, detected):
        raise IdentifierError("profile_platform_mismatch")
    return _profile_path(detected, segments, query)


def _platform_of_host(host: str) -> str | None:
    for base, platform in _HOSTS.items():
        if host == base:
            return platform
        if host.endswith("." + base):
            sub = host[: -len(base) - 1]
            if sub in _SUBDOMAINS or (platform == "linkedin" and re.fullmatch("[a-z]{2}", sub)):
                return platform
            raise IdentifierError("profile_not_a_profile")
    return None


def _profile_path(platform: str, segments: list[str], query: str) -> str:
    if not segments:
        raise IdentifierError("profile_not_a_profile")
    first = segments[0]
    if platform == "facebook":
        numeric = _facebook_id(segments, query)
        if numeric is not None:
            return numeric
    elif platform == "instagram" and first == "stories" and len(segments) >= 2:
        first = segments[1]
    elif platform == "linkedin":
        if first != "in" or len(segments) < 2:
            raise IdentifierError("profile_not_a_profile")
        first = segments[1]
    elif platform in ("tiktok", "snapchat"):
        if platform == "snapchat" and first == "add" and len(segments) >= 2:
            first = segments[1]
        elif not first.startswith("@"):
            raise IdentifierError("profile_not_a_profile")
    if first in _RESERVED.get(platform, ()):
        raise IdentifierError("profile_not_a_profile")
    return _handle(platform, first.removeprefix("@"))


def _facebook_id(segments: list[str], query: str) -> str | None:
    """The canonical form of a numeric Facebook profile address, or None for a user name."""
    if segments[0] == "profile.php":
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if key == "id" and _DIGITS.fullmatch(value):
                return f"facebook:id:{value}"
        raise IdentifierError("profile_not_a_profile")
    if segments[0] == "people" and len(segments) >= 3 and _DIGITS.fullmatch(segments[2]):
        return f"facebook:id:{segments[2]}"
    return None


def _handle(platform: str, handle: str) -> str:
    if not _HANDLES[platform].fullmatch(handle):
        raise IdentifierError("profile_invalid_handle")
    if platform == "facebook":
        if _DIGITS.fullmatch(handle):
            return f"facebook:id:{handle}"
        handle = handle.replace(".", "")
        if not handle:
            raise IdentifierError("profile_invalid_handle")
    return f"{platform}:{handle}"


def _fediverse(user: str, server: str) -> str:
    host = _domain(server)
    if host is None or not _HANDLES["fediverse"].fullmatch(user):
        raise IdentifierError("profile_invalid_handle")
    return f"fediverse:{user}@{host}"


def _percent_decode(segment: str) -> str:
    def decode(match: re.Match[str]) -> str:
        try:
            return bytes.fromhex(match.group(0).replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            raise IdentifierError("profile_invalid_handle") from None

    # A stray "%" stays, and no user name accepts it.
    decoded = _PERCENT_RUN.sub(decode, segment)
    return segment if decoded == segment else _fold(decoded)


# --- names ---------------------------------------------------------------------------------

_JOINERS: Final = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
    }
)


def _is_word(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def _words(text: str) -> str:
    """Letters, marks and digits; a hyphen or apostrophe only between two of them."""
    chars = list(text.translate(_JOINERS))
    out: list[str] = []
    for i, char in enumerate(chars):
        category = unicodedata.category(char)[0]
        previous = out[-1] if out else " "
        if (
            category in "LN"
            or (category == "M" and previous != " ")
            or (
                char in "-'"
                and previous not in " -'"
                and i + 1 < len(chars)
                and _is_word(chars[i + 1])
            )
        ):
            out.append(char)
        else:
            out.append(" ")
    return _SPACES.sub(" ", "".join(out)).strip(" ")


def _name(raw: str, organisation: str | None) -> str:
    name = _words(_fold(raw))
    if not name:
        raise IdentifierError("name_missing")
    org = _words(_fold(organisation or ""))
    if not org:
        raise IdentifierError("organisation_missing")
    return f"{name}|{org}"
