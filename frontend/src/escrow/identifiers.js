// Identifiers that name a person, reduced to one canonical form: the escrow's OPRF input P.
//
// A line-for-line port of src/chorus/escrow/identifiers.py, whose docstring and
// docs/protocols/identifiers.md state the rules. Both run the same table of cases
// (tests/escrow/identifier_cases.json); keep them in step, function by function.
// Phone numbers use libphonenumber-js with its "max" metadata, generated from the same
// libphonenumber release (9.0.43) as the Python `phonenumbers` package pinned in pyproject.toml.

import {
  Metadata,
  ParseError,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max';
import { EXCLUDED } from './repertoire.js';

export { EXCLUDED, UNICODE_VERSION } from './repertoire.js';

export const VERSION_LABEL = 'chorus-id-v1';
export const KINDS = Object.freeze(['email', 'phone', 'profile', 'name']);
export const PLATFORMS = Object.freeze(['instagram', 'x', 'facebook', 'linkedin', 'tiktok', 'snapchat', 'fediverse']);
export const MAX_INPUT_CHARS = 1000;

export const MESSAGES = Object.freeze({
  unknown_kind:
    'This kind of identifier is not supported. Use an email address, a phone number, a profile or a full name.',
  empty: 'Nothing was entered. Type or paste the identifier.',
  too_long: 'This is too long for one identifier. Check that only one was pasted.',
  unsupported_character:
    'This contains a character we cannot read, such as a private-use or very new symbol. Type it again with ordinary letters and digits.',
  email_missing_at: 'An email address needs an @ sign, like name@example.org.',
  email_invalid: 'This does not look like an email address. It should look like name@example.org, with no spaces.',
  email_invalid_domain: 'The part after the @ is not a valid domain. It should look like example.org.',
  phone_invalid_characters:
    'A phone number can only contain digits, spaces and + - ( ) . /. Leave out extensions and letters.',
  phone_needs_country:
    'We cannot tell which country this number is in. Start it with + and the country code, for example +44 20 7946 0958.',
  phone_unknown_region:
    'We do not know the phone numbers of the country in your settings. Start the number with + and the country code.',
  phone_too_short:
    'This phone number is too short. Check that no digits are missing. If it is from another country, start with + and the country code.',
  phone_too_long: 'This phone number is too long. Check for extra digits and leave out any extension.',
  phone_invalid:
    'This is not a valid phone number. Check the digits. If it is from another country, start with + and the country code.',
  profile_platform_needed: 'Choose the site this profile is on, or paste the full address of the profile page.',
  profile_unsupported_platform:
    'We can match profiles on Instagram, X (Twitter), Facebook, LinkedIn, TikTok, Snapchat and the fediverse (such as Mastodon). For other sites, give an email address, phone number or name instead.',
  profile_platform_mismatch:
    'This address belongs to a different site from the one chosen. Choose the site the address is on.',
  profile_not_a_profile:
    "This address is not a person's profile page; it may be a post, group or company page. Open the person's profile and copy its address.",
  profile_short_link:
    "Short links cannot be matched. Open the link, go to the person's profile and copy the address shown there.",
  profile_invalid_handle: 'This is not a valid user name for that site. Check it against the profile page.',
  profile_fediverse_needs_server:
    'A fediverse address has two parts, like @name@mastodon.social. Add the server after the second @.',
  name_missing: "Enter the person's full name.",
  organisation_missing: 'Enter the organisation you know the person from, such as their employer or school.',
});

/** An identifier that cannot be used; `code` is stable, `message` says what to do. */
export class IdentifierError extends Error {
  constructor(code) {
    super(MESSAGES[code]);
    this.name = 'IdentifierError';
    this.code = code;
  }
}

const fail = (code) => {
  throw new IdentifierError(code);
};

/** P of docs/protocols/escrow.md section 4: label, kind and canonical form (a Uint8Array). */
export function oprfInput(identifier) {
  return new TextEncoder().encode(`${VERSION_LABEL}\u0000${identifier.kind}\u0000${identifier.canonical}`);
}

/**
 * Reduce `raw` to its canonical form, {kind, canonical} (frozen); throw IdentifierError if it
 * cannot be used. Options: defaultRegion (ISO 3166 alpha-2, the survivor's country), platform
 * (the site of a bare profile handle), organisation (with a name).
 */
export function normalise(kind, raw, { defaultRegion = null, platform = null, organisation = null } = {}) {
  if (typeof raw !== 'string') throw new TypeError('raw must be a string');
  let canonical;
  if (kind === 'email') canonical = email(foldRequired(raw));
  else if (kind === 'phone') canonical = phone(foldRequired(raw), defaultRegion);
  else if (kind === 'profile') canonical = profile(foldRequired(raw), platform);
  else if (kind === 'name') canonical = name(raw, organisation);
  else fail('unknown_kind');
  return Object.freeze({ kind, canonical });
}

// --- text ------------------------------------------------------------------------------------

const excluded = (() => {
  const starts = [];
  const ends = [];
  for (const item of EXCLUDED.split(',')) {
    const [start, n] = item.split('+').map((h) => parseInt(h, 16));
    starts.push(start);
    ends.push(start + n);
  }
  return { starts, ends };
})();

const INVISIBLE =
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]/gu;
const SPACES = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/gu;

// Applied after lower-casing, to NFD text: see _LOOKALIKES in the Python for the rule.
const LOOKALIKES = new Map([
  ['\u00df', 'ss'], // latin small letter sharp s
  ['\u03c2', '\u03c3'], // greek small letter final sigma
  ['\u0131', 'i'], // latin small letter dotless i
  ['\u0237', 'j'], // latin small letter dotless j
  ['\u0251', 'a'], // latin small letter alpha
  ['\u0261', 'g'], // latin small letter script g
  ['\u0430', 'a'], // cyrillic small letter a
  ['\u0432', 'b'], // cyrillic small letter ve
  ['\u0435', 'e'], // cyrillic small letter ie
  ['\u043a', 'k'], // cyrillic small letter ka
  ['\u043c', 'm'], // cyrillic small letter em
  ['\u043d', 'h'], // cyrillic small letter en
  ['\u043e', 'o'], // cyrillic small letter o
  ['\u0440', 'p'], // cyrillic small letter er
  ['\u0441', 'c'], // cyrillic small letter es
  ['\u0442', 't'], // cyrillic small letter te
  ['\u0443', 'y'], // cyrillic small letter u
  ['\u0445', 'x'], // cyrillic small letter ha
  ['\u0455', 's'], // cyrillic small letter dze
  ['\u0456', 'i'], // cyrillic small letter byelorussian-ukrainian i
  ['\u0458', 'j'], // cyrillic small letter je
  ['\u04cf', 'l'], // cyrillic small letter palochka
  ['\u04bb', 'h'], // cyrillic small letter shha
  ['\u04af', 'y'], // cyrillic small letter straight u
  ['\u0501', 'd'], // cyrillic small letter komi de
  ['\u051b', 'q'], // cyrillic small letter qa
  ['\u051d', 'w'], // cyrillic small letter we
  ['\u03b1', 'a'], // greek small letter alpha
  ['\u03b2', 'b'], // greek small letter beta
  ['\u03b5', 'e'], // greek small letter epsilon
  ['\u03b6', 'z'], // greek small letter zeta
  ['\u03b7', 'h'], // greek small letter eta
  ['\u03b9', 'i'], // greek small letter iota
  ['\u03ba', 'k'], // greek small letter kappa
  ['\u03bc', 'm'], // greek small letter mu
  ['\u03bd', 'n'], // greek small letter nu
  ['\u03bf', 'o'], // greek small letter omicron
  ['\u03c1', 'p'], // greek small letter rho
  ['\u03c4', 't'], // greek small letter tau
  ['\u03c5', 'y'], // greek small letter upsilon
  ['\u03c7', 'x'], // greek small letter chi
  ['\u03f2', 'c'], // greek lunate sigma symbol
  ['\u03f3', 'j'], // greek letter yot
]);

const translate = (text, map) => Array.from(text, (c) => map.get(c) ?? c).join('');
const codePoints = (text) => Array.from(text).length;
const trimSpaces = (text) => text.replace(/^ +| +$/g, '');

function checkRepertoire(text) {
  for (const char of text) {
    const code = char.codePointAt(0);
    let lo = 0;
    let hi = excluded.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (excluded.starts[mid] <= code) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && code <= excluded.ends[lo - 1]) fail('unsupported_character');
  }
}

function fold(text) {
  if (codePoints(text) > MAX_INPUT_CHARS) fail('too_long');
  checkRepertoire(text);
  text = text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
  text = translate(text.normalize('NFD'), LOOKALIKES).replaceAll('i\u0307', 'i');
  return trimSpaces(text.normalize('NFKC').replace(SPACES, ' '));
}

function foldRequired(raw) {
  const text = fold(raw);
  if (!text) fail('empty');
  return text;
}

// --- email and domains -----------------------------------------------------------------------

const ATOM = /^[a-z0-9!#$%&'*+/=?^_`{|}~\-\u{80}-\u{10ffff}]+$/u;
const LABEL = /^[a-z0-9\u{80}-\u{10ffff}](?:[a-z0-9\-\u{80}-\u{10ffff}]*[a-z0-9\u{80}-\u{10ffff}])?$/u;
const DISPLAY_NAME = /^[^<>]*<([^<>]*)>$/u;
const DIGITS = /^[0-9]+$/;

function email(text) {
  const display = DISPLAY_NAME.exec(text);
  if (display) text = trimSpaces(display[1]);
  if (text.startsWith('mailto:')) text = text.slice('mailto:'.length).split('?')[0];
  if (!text.includes('@')) fail('email_missing_at');
  const at = text.lastIndexOf('@');
  const local = text.slice(0, at);
  if (codePoints(local) > 64 || !local.split('.').every((atom) => ATOM.test(atom))) fail('email_invalid');
  const domain = hostName(text.slice(at + 1));
  if (domain === null) fail('email_invalid_domain');
  return `${local}@${domain}`;
}

/** A host name in canonical form (U-labels, no trailing dot), or null if it is not one. */
function hostName(text) {
  text = text.replaceAll('\u3002', '.');
  if (text.endsWith('.')) text = text.slice(0, -1);
  const labels = [];
  for (let label of text.split('.')) {
    if (label.startsWith('xn--')) {
      const decoded = punycodeDecode(label.slice(4));
      if (decoded === null) return null;
      label = fold(decoded);
      if (label.startsWith('xn--')) return null;
    }
    if (codePoints(label) > 63 || !LABEL.test(label)) return null;
    labels.push(label);
  }
  if (labels.length < 2 || DIGITS.test(labels[labels.length - 1])) return null;
  const domain = labels.join('.');
  return codePoints(domain) <= 253 ? domain : null;
}

const PUNY_BASE = 36;
const PUNY_TMIN = 1;
const PUNY_TMAX = 26;
const PUNY_LIMIT = 2 ** 31;

function punycodeAdapt(delta, points, first) {
  delta = first ? Math.floor(delta / 700) : Math.floor(delta / 2);
  delta += Math.floor(delta / points);
  let k = 0;
  while (delta > 455) {
    delta = Math.floor(delta / 35);
    k += PUNY_BASE;
  }
  return k + Math.floor((36 * delta) / (delta + 38));
}

/** RFC 3492 decoding of a lower-case label body; null if it is not valid Punycode. */
function punycodeDecode(text) {
  if (!/^[a-z0-9-]*$/.test(text)) return null;
  const delimiter = text.lastIndexOf('-');
  const output = delimiter > 0 ? Array.from(text.slice(0, delimiter)) : [];
  let pos = delimiter >= 0 ? delimiter + 1 : 0;
  let n = 128;
  let i = 0;
  let bias = 72;
  while (pos < text.length) {
    const oldI = i;
    let w = 1;
    let k = PUNY_BASE;
    for (;;) {
      if (pos >= text.length) return null;
      const char = text[pos]; // not "-": the delimiter was the last one
      pos += 1;
      const digit = char >= 'a' ? char.charCodeAt(0) - 97 : char.charCodeAt(0) - 22;
      i += digit * w;
      if (i > PUNY_LIMIT) return null;
      const t = k <= bias ? PUNY_TMIN : k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
      if (digit < t) break;
      w *= PUNY_BASE - t; // at most 35 * i, so exact while i is bounded
      k += PUNY_BASE;
    }
    const points = output.length + 1;
    bias = punycodeAdapt(i - oldI, points, oldI === 0);
    n += Math.floor(i / points);
    i %= points;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i, 0, String.fromCodePoint(n));
    i += 1;
  }
  return output.join('');
}

// --- phone -----------------------------------------------------------------------------------

const PHONE_CHARS = /^[0-9 ().\-/+]*$/;
const ARABIC_DIGITS = new Map();
for (let d = 0; d < 10; d++) {
  ARABIC_DIGITS.set(String.fromCharCode(0x660 + d), String(d));
  ARABIC_DIGITS.set(String.fromCharCode(0x6f0 + d), String(d));
}

function phone(text, defaultRegion) {
  const region = phoneRegion(defaultRegion);
  const [international, digits] = phoneDigits(text, region);
  let number;
  try {
    number = parsePhoneNumberWithError((international ? '+' : '') + digits, region ? { defaultCountry: region } : {});
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    if (!international && region !== null) checkLength(digits.length, getCountryCallingCode(region));
    fail('phone_invalid');
  }
  if (number.isValid()) return number.number;
  checkLength(number.nationalNumber.length, number.countryCallingCode);
  return fail('phone_invalid');
}

function phoneRegion(defaultRegion) {
  if (defaultRegion === null || defaultRegion === undefined) return null;
  const region = defaultRegion.toUpperCase();
  if (!/^[A-Za-z]{2}$/.test(defaultRegion) || !isSupportedCountry(region)) fail('phone_unknown_region');
  return region;
}

/** Whether the number is international, and its digits (after the + or 00 if it is). */
function phoneDigits(text, region) {
  if (text.startsWith('tel:')) text = text.slice(4);
  text = translate(text, ARABIC_DIGITS);
  const plus = text.indexOf('+');
  if (!PHONE_CHARS.test(text) || text.split('+').length > 2 || (plus >= 0 && /[0-9]/.test(text.slice(0, plus))))
    fail('phone_invalid_characters');
  let digits = text.replace(/[^0-9]/g, '');
  if (digits.length < 4) fail('phone_too_short');
  if (digits.length > 17) fail('phone_too_long');
  let international = plus >= 0;
  if (!international && region === null) {
    if (!digits.startsWith('00')) fail('phone_needs_country');
    international = true;
    digits = digits.slice(2);
  }
  if (
    !international &&
    region !== null &&
    getCountryCallingCode(region) === '1' &&
    digits[0] === '1' &&
    digits.length !== 10
  ) {
    // North America: a leading 1 is the trunk prefix or the country code (see the Python).
    digits = digits.replace(/^1+/, '');
  }
  if (international && digits.startsWith('0')) fail('phone_invalid'); // no country code starts with 0
  if (international && digits.startsWith('1')) digits = `1${digits.slice(1).replace(/^1+/, '')}`;
  return [international, digits];
}

function checkLength(size, countryCallingCode) {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(countryCallingCode);
  const lengths = metadata.numberingPlan.possibleLengths() ?? [];
  if (lengths.length && size < Math.min(...lengths)) fail('phone_too_short');
  if (lengths.length && size > Math.max(...lengths)) fail('phone_too_long');
}

// --- profiles --------------------------------------------------------------------------------

const PLATFORM_NAMES = new Map([...PLATFORMS.map((p) => [p, p]), ['twitter', 'x'], ['mastodon', 'fediverse']]);
const HOSTS = new Map([
  ['instagram.com', 'instagram'],
  ['instagr.am', 'instagram'],
  ['twitter.com', 'x'],
  ['x.com', 'x'],
  ['facebook.com', 'facebook'],
  ['fb.com', 'facebook'],
  ['linkedin.com', 'linkedin'],
  ['tiktok.com', 'tiktok'],
  ['snapchat.com', 'snapchat'],
]);
const SHORT_LINK_HOSTS = new Set(['t.co', 'fb.me', 'fb.watch', 'lnkd.in', 'vm.tiktok.com', 'vt.tiktok.com', 't.snapchat.com']);
// Sites that put "@name" in profile paths too but are not the fediverse.
const OTHER_SITES = ['youtube.com', 'youtu.be', 'medium.com', 'substack.com'];
const SUBDOMAINS = new Set(['www', 'm', 'mobile', 'web', 'mbasic', 'touch']);
const HANDLES = {
  instagram: /^[a-z0-9._]{1,30}$/,
  x: /^[a-z0-9_]{1,15}$/,
  facebook: /^[a-z0-9.]{1,50}$/,
  linkedin: /^[a-z0-9\-\u{80}-\u{10ffff}]{3,100}$/u,
  tiktok: /^[a-z0-9._]{2,24}$/,
  snapchat: /^[a-z][a-z0-9._-]{2,14}$/,
  fediverse: /^[a-z0-9_](?:[a-z0-9_.-]{0,62}[a-z0-9_])?$/,
};
const words = (s) => new Set(s.split(' '));
const RESERVED = {
  instagram: words(
    'p reel reels tv explore accounts direct about developer legal web challenge emails ' +
      'session privacy terms ar topics locations tags directory create s stories highlights',
  ),
  x: words(
    'i home explore search settings notifications messages compose intent share hashtag ' +
      'login logout signup tos privacy about account download jobs lists communities topics ' +
      'who_to_follow',
  ),
  facebook: words(
    'groups pages pg events watch marketplace gaming photo.php photo photos story.php ' +
      'permalink.php share sharer sharer.php login login.php help hashtag reel reels videos ' +
      'posts stories friends messages notifications settings home.php search business ads ' +
      'policies privacy legal l.php plugins dialog media live fundraisers public people',
  ),
};
const SCHEME = /^(?:https?:)?\/\//;
const BARE_URL = /^(?:[a-z0-9\-\u{80}-\u{10ffff}]+\.)+[a-z0-9\-\u{80}-\u{10ffff}]+(?::[0-9]*)?\//u;
const FEDIVERSE_HANDLE = /^@?([^@/ ]+)@([^@/ ]+)$/u;
const PERCENT_RUN = /(?:%[0-9a-f]{2})+/g;

function profile(text, platform) {
  let chosen = null;
  if (platform !== null && platform !== undefined) {
    chosen = PLATFORM_NAMES.get(fold(platform)) ?? null;
    if (chosen === null) fail('profile_unsupported_platform');
  }
  if (text.includes(' ')) fail('profile_invalid_handle');
  const scheme = SCHEME.exec(text);
  if (scheme || BARE_URL.test(text)) return profileUrl(scheme ? text.slice(scheme[0].length) : text, chosen);
  const fediverse = FEDIVERSE_HANDLE.exec(text);
  if (fediverse && (chosen === 'fediverse' || (chosen === null && text.startsWith('@'))))
    return fediverseId(fediverse[1], fediverse[2]);
  if (chosen === null) fail('profile_platform_needed');
  if (chosen === 'fediverse') fail('profile_fediverse_needs_server');
  let handle = text.startsWith('@') ? text.slice(1) : text;
  if (chosen === 'linkedin') {
    if (handle.startsWith('in/')) handle = handle.slice(3);
    if (handle.endsWith('/')) handle = handle.slice(0, -1);
  }
  return handleId(chosen, handle);
}

function profileUrl(rest, chosen) {
  const cuts = ['/', '?', '#'].map((c) => rest.indexOf(c)).filter((i) => i >= 0);
  const end = cuts.length ? Math.min(...cuts) : rest.length;
  const authority = rest.slice(0, end);
  const remainder = rest.slice(end).split('#')[0];
  const q = remainder.indexOf('?');
  const path = q >= 0 ? remainder.slice(0, q) : remainder;
  const query = q >= 0 ? remainder.slice(q + 1) : '';
  const host = hostName(authority.replace(/:[0-9]*$/, ''));
  if (host === null) fail('profile_unsupported_platform');
  if (SHORT_LINK_HOSTS.has(host)) fail('profile_short_link');
  const segments = path
    .split('/')
    .filter((s) => s)
    .map(percentDecode);
  if (OTHER_SITES.some((site) => host === site || host.endsWith(`.${site}`))) fail('profile_unsupported_platform');
  const detected = platformOfHost(host);
  if (detected === null) {
    let user = null;
    if (segments.length && segments[0].startsWith('@')) user = segments[0].slice(1);
    else if (segments.length >= 2 && segments[0] === 'users') user = segments[1];
    if (user === null) {
      if (chosen === null || chosen === 'fediverse')
        fail(chosen === null ? 'profile_unsupported_platform' : 'profile_not_a_profile');
      fail('profile_platform_mismatch');
    }
    if (chosen !== null && chosen !== 'fediverse') fail('profile_platform_mismatch');
    const at = user.indexOf('@');
    return at >= 0 ? fediverseId(user.slice(0, at), user.slice(at + 1)) : fediverseId(user, host);
  }
  if (chosen !== null && chosen !== detected) fail('profile_platform_mismatch');
  return profilePath(detected, segments, query);
}

function platformOfHost(host) {
  for (const [base, platform] of HOSTS) {
    if (host === base) return platform;
    if (host.endsWith(`.${base}`)) {
      const sub = host.slice(0, -base.length - 1);
      if (SUBDOMAINS.has(sub) || (platform === 'linkedin' && /^[a-z]{2}$/.test(sub))) return platform;
      fail('profile_not_a_profile');
    }
  }
  return null;
}

function profilePath(platform, segments, query) {
  if (!segments.length) fail('profile_not_a_profile');
  let first = segments[0];
  if (platform === 'facebook') {
    const numeric = facebookId(segments, query);
    if (numeric !== null) return numeric;
  } else if (platform === 'instagram' && first === 'stories' && segments.length >= 2) {
    first = segments[1];
  } else if (platform === 'linkedin') {
    if (first !== 'in' || segments.length < 2) fail('profile_not_a_profile');
    first = segments[1];
  } else if (platform === 'tiktok' || platform === 'snapchat') {
    if (platform === 'snapchat' && first === 'add' && segments.length >= 2) first = segments[1];
    else if (!first.startsWith('@')) fail('profile_not_a_profile');
  }
  if (RESERVED[platform]?.has(first)) fail('profile_not_a_profile');
  return handleId(platform, first.startsWith('@') ? first.slice(1) : first);
}

/** The canonical form of a numeric Facebook profile address, or null for a user name. */
function facebookId(segments, query) {
  if (segments[0] === 'profile.php') {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const key = eq >= 0 ? pair.slice(0, eq) : pair;
      const value = eq >= 0 ? pair.slice(eq + 1) : '';
      if (key === 'id' && DIGITS.test(value)) return `facebook:id:${value}`;
    }
    fail('profile_not_a_profile');
  }
  if (segments[0] === 'people' && segments.length >= 3 && DIGITS.test(segments[2])) return `facebook:id:${segments[2]}`;
  return null;
}

function handleId(platform, handle) {
  if (!HANDLES[platform].test(handle)) fail('profile_invalid_handle');
  if (platform === 'facebook') {
    if (DIGITS.test(handle)) return `facebook:id:${handle}`;
    handle = handle.replaceAll('.', '');
    if (!handle) fail('profile_invalid_handle');
  }
  return `${platform}:${handle}`;
}

function fediverseId(user, server) {
  const host = hostName(server);
  if (host === null || !HANDLES.fediverse.test(user)) fail('profile_invalid_handle');
  return `fediverse:${user}@${host}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function percentDecode(segment) {
  const decoded = segment.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let j = 0; j < bytes.length; j++) bytes[j] = parseInt(run.slice(3 * j + 1, 3 * j + 3), 16);
    try {
      return utf8.decode(bytes);
    } catch {
      return fail('profile_invalid_handle');
    }
  });
  // A stray "%" stays, and no user name accepts it.
  return decoded === segment ? segment : fold(decoded);
}

// --- names -----------------------------------------------------------------------------------

const JOINERS = new Map([
  ['\u2010', '-'],
  ['\u2011', '-'],
  ['\u2012', '-'],
  ['\u2013', '-'],
  ['\u2212', '-'],
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u02bc', "'"],
  ['\u2032', "'"],
  ['`', "'"],
]);
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const MARK = /^\p{M}$/u;

/** Letters, marks and digits; a hyphen or apostrophe only between two of them. */
function wordsOf(text) {
  const chars = Array.from(translate(text, JOINERS));
  const out = [];
  chars.forEach((char, i) => {
    const previous = out.length ? out[out.length - 1] : ' ';
    if (LETTER_OR_DIGIT.test(char) || (MARK.test(char) && previous !== ' ')) out.push(char);
    else if (
      (char === '-' || char === "'") &&
      !" -'".includes(previous) &&
      i + 1 < chars.length &&
      LETTER_OR_DIGIT.test(chars[i + 1])
    )
      out.push(char);
    else out.push(' ');
  });
  return trimSpaces(out.join('').replace(SPACES, ' '));
}

function name(raw, organisation) {
  const person = wordsOf(fold(raw));
  if (!person) fail('name_missing');
  const org = wordsOf(fold(organisation ?? ''));
  if (!org) fail('organisation_missing');
  return `${person}|${org}`;
}
