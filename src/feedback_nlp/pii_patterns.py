"""The patterns that find personal data in a comment: e-mails, URLs, IPs, IBANs, cards,
phones, account numbers, postcodes and cued names, with their validators (Luhn for
cards, ISO 7064 mod-97 for IBANs).

:func:`pattern_spans` runs them in order on one text, masking each span it finds
so that later patterns do not match across or inside it; each pass is skipped
when a cheap test shows it cannot match.

>>> pattern_spans("mail a.b@example.com")[0]
[Span(start=5, end=20, kind='EMAIL')]
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["MASK", "Span", "pattern_spans"]

# Masking a found span with this (same length) keeps offsets and stops later
# patterns from matching across or inside it: it is neither a word, digit nor space.
MASK = "\x01"


class Span(NamedTuple):
    """A piece of personal data: ``text[start:end]`` is of type ``kind``."""

    start: int
    end: int
    kind: str


# ---------------------------------------------------------------- validators


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_ok(s: str) -> bool:
    s = s.replace(" ", "").upper()
    if not 15 <= len(s) <= 34 or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    moved = s[4:] + s[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1
    except ValueError:
        return False


def _ipv6_ok(s: str) -> bool:
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- patterns

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
_TLDS = "com|net|org|io|co|uk|info|biz|me|app|dev|gov|edu|ly|tv|ai|eu|de|fr|us|ca|au|ie"
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'\x01]+"
    rf"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})(?:\.[a-z]{{2}})?\b(?:/[^\s<>\"'\x01]*)?",
    re.IGNORECASE,
)
_URL_TRAIL = re.compile(r"[.,;:!?)\]}'\"]+$")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP4 = re.compile(rf"(?<![\d.])(?:{_OCTET}\.){{3}}{_OCTET}(?!\d|\.\d)")
_IP6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", re.IGNORECASE)
_CARD = re.compile(
    r"(?<![\d-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{5})"
    r"(?![\d])"
)
_PHONE = re.compile(
    # international: +44 7700 900123, +1-202-555-0143, +33 (0)1 23 45 67 89
    r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(0\))?(?:[ .-]?\(?\d{1,5}\)?){1,6}(?!\d)"
    # national with a trunk 0: 07700 900123, (020) 7946 0018, 0161-496-0000
    r"|(?<![\w.,])\(?0\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}(?![\d]|[.,]\d)"
    # North American with separators: (555) 010-0123, 202-555-0143, 1 202.555.0143
    r"|(?<![\w.,+-])(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\d]|[.,-]\d)"
)
_PHONE_CUE = re.compile(
    r"(?i:\b(?:call|phone|ring|tel|telephone|mobile|cell|number|text me|whatsapp|contact)\b)"
    r"[^\d\n\x01]{0,20}?(\+?\(?\d[\d ().-]{5,18}\d)(?!\d)"
)
_ACCOUNT_CUE = re.compile(
    r"(?i:\b(?:account|acct|a/c|customer|membership|member|reference|ref|sort code|policy)"
    r"(?:\s*(?:no\.?|number|num|#|id|code))?\s*(?:is\s+)?[:#.-]?\s*)"
    r"(\d[\d -]{2,}\d)(?!\d)"
)
_ACCOUNT = re.compile(r"(?<![\w£$€.,/-])\d{8,}(?![\w.,/]\d|\d)")
_POSTCODE_UK = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b"
    r"|(?i:\b[a-z]{1,2}\d[a-z\d]? \d(?!st\b|nd\b|rd\b|th\b)[abd-hjlnp-uw-z]{2}\b)"
)
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM"
    "|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_ZIP = re.compile(
    rf"(?:\b(?:{_STATES}),?|(?i:\b(?:zip(?: ?code)?|postal code|post ?code)\s*:?))\s+"
    r"(\d{5}(?:-\d{4})?)(?![\d-])"
)
_NAME_CUE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
    r"|(?i:\bmy name(?: is|'s)\s+)([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)
_HAS_DIGIT = re.compile(r"\d")
# Cheap tests that let most comments skip most passes (they only say "maybe").
_FOUR_DIGITS = re.compile(r"\d[ ().-]{0,3}\d[ ().-]{0,3}\d[ ().-]{0,3}\d")
_URL_HINT = re.compile(rf"://|www\.|\.(?:{_TLDS})\b", re.IGNORECASE)
_IP_HINT = re.compile(r"\d\.\d{1,3}\.\d|::|:[0-9A-Fa-f]{1,4}:")
_NAME_HINT = re.compile(r"M[rsx]|Miss|Dr|Prof|[Nn]ame|NAME")


def _has_digit(t: str) -> bool:
    return _HAS_DIGIT.search(t) is not None


def _four_digits(t: str) -> bool:
    return _FOUR_DIGITS.search(t) is not None


def _url_span(m: re.Match[str]) -> tuple[int, int] | None:
    trail = _URL_TRAIL.search(m.group())
    end = m.end() - (len(trail.group()) if trail else 0)
    return (m.start(), end) if end > m.start() else None


def _whole(check: Callable[[str], bool]) -> Callable[[re.Match[str]], tuple[int, int] | None]:
    def span(m: re.Match[str]) -> tuple[int, int] | None:
        return (m.start(), m.end()) if check(m.group()) else None

    return span


def _group(lo: int, hi: int) -> Callable[[re.Match[str]], tuple[int, int] | None]:
    def span(m: re.Match[str]) -> tuple[int, int] | None:
        g = next(i for i in range(1, (m.re.groups or 1) + 1) if m.group(i) is not None)
        value = m.group(g).rstrip(" -.(")
        n = len(_digits(value))
        return (m.start(g), m.start(g) + len(value)) if lo <= n <= hi else None

    return span


def _iban_span(m: re.Match[str]) -> tuple[int, int] | None:
    text = m.group()
    # The pattern may take a following word as a last group: shorten until the checksum holds.
    while len(text) >= 15:
        if _iban_ok(text):
            return m.start(), m.start() + len(text)
        cut = max(text.rfind(" "), len(text) - 4)
        text = text[:cut].rstrip()
    return None


def _card_span(m: re.Match[str]) -> tuple[int, int] | None:
    digits = _digits(m.group())
    return (m.start(), m.end()) if 13 <= len(digits) <= 19 and _luhn(digits) else None


def _phone_digits(m: re.Match[str]) -> tuple[int, int] | None:
    text = m.group().rstrip(" .-(")
    n = len(_digits(text))
    lo = 8 if text.startswith("+") else 10
    return (m.start(), m.start() + len(text)) if lo <= n <= 15 else None


_Finder = Callable[[re.Match[str]], "tuple[int, int] | None"]
#: (type, pattern, span from a match or None to reject, cheap test the text can match).
_PASSES: tuple[tuple[str, re.Pattern[str], _Finder, Callable[[str], bool]], ...] = (
    ("EMAIL", _EMAIL, _whole(lambda s: True), lambda t: "@" in t),
    ("URL", _URL, _url_span, lambda t: _URL_HINT.search(t) is not None),
    ("IP", _IP4, _whole(lambda s: True), lambda t: _IP_HINT.search(t) is not None),
    ("IP", _IP6, _whole(_ipv6_ok), lambda t: "::" in t or t.count(":") >= 7),
    ("IBAN", _IBAN, _iban_span, _four_digits),
    ("CARD", _CARD, _card_span, _four_digits),
    ("PHONE", _PHONE, _phone_digits, _four_digits),
    ("ACCOUNT", _ACCOUNT_CUE, _group(4, 30), _four_digits),
    ("PHONE", _PHONE_CUE, _group(7, 15), _four_digits),
    # Card-shaped but failing Luhn (a typo, an account or policy number): still private.
    ("ACCOUNT", _CARD, _whole(lambda s: True), _four_digits),
    ("ACCOUNT", _ACCOUNT, _whole(lambda s: True), _four_digits),
    ("POSTCODE", _POSTCODE_UK, _whole(lambda s: True), _has_digit),
    ("POSTCODE", _ZIP, _group(5, 9), _four_digits),
    ("NAME", _NAME_CUE, _group(0, 0), lambda t: _NAME_HINT.search(t) is not None),
)


def pattern_spans(text: str) -> tuple[list[Span], str]:
    """Spans found by the patterns, and the text with them masked."""
    spans: list[Span] = []
    masked = text
    # Several passes share a cheap test: run it once per text, and again only
    # after masking changed the text (a failed test stays failed: masking only
    # removes characters).
    hints: dict[Callable[[str], bool], bool] = {}
    for kind, pattern, finder, may_match in _PASSES:
        hint = hints.get(may_match)
        if hint is None:
            hint = hints[may_match] = may_match(masked)
        if not hint:
            continue
        found = []
        for m in pattern.finditer(masked):
            se = finder(m)
            if se is not None and MASK not in masked[se[0] : se[1]]:
                found.append(Span(se[0], se[1], kind))
        if found:  # one join per pass: a huge comment with many matches stays linear
            parts, pos = [], 0
            for s in found:
                parts += [masked[pos : s.start], MASK * (s.end - s.start)]
                pos = s.end
            masked = "".join(parts) + masked[pos:]
            hints = {test: ok for test, ok in hints.items() if not ok}
        spans.extend(found)
    return spans, masked
