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
import unicodedata
from collections.abc import Callable, Iterator
from typing import NamedTuple

__all__ = [
    "CAPS_NAME", "CUE", "LOWER", "LOWER_CUE", "MASK", "NAME", "NAME_WORD", "NOT_NAMES", "UPPER",
    "CuedMatches", "Span", "pattern_spans",
]  # fmt: skip

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


# ---------------------------------------------------------------- letters


def _char_class(test: Callable[[str], bool]) -> str:
    """A regex character class body of the BMP characters passing ``test``, as ranges.

    Python's ``re`` has no ``\\p{Lu}``: names in any script need upper- and
    lower-case letters of every script, not ``[A-Z]``.
    """
    parts: list[str] = []
    start = None
    for code in range(0x10001):
        ok = code < 0x10000 and test(chr(code))
        if ok and start is None:
            start = code
        elif not ok and start is not None:
            lo, hi = re.escape(chr(start)), re.escape(chr(code - 1))
            parts.append(lo if start == code - 1 else f"{lo}-{hi}")
            start = None
    return "".join(parts)


#: Upper-case (and title-case) letters, and letters that are not upper-case, of any script.
UPPER = _char_class(lambda c: c.isupper() or c.istitle())
LOWER = _char_class(lambda c: c.isalpha() and not (c.isupper() or c.istitle()))
_U, _L = f"[{UPPER}]", f"[{LOWER}]"
_APOS = "['’]"
#: One capitalised name word: José, O'Brien, D’Arcy, McDonald, MacArthur, Patchett-Greer.
NAME_WORD = rf"(?:{_U}{_APOS})?{_U}{_L}+(?:{_U}{_L}+)?(?:-{_U}?{_L}+)*"
#: The same in capitals (EVY, O'BRIEN, TAYLOR-WATTS); three letters or more, not an acronym.
CAPS_WORD = rf"(?:{_U}{_APOS})?{_U}{{3,}}(?:-{_U}{{2,}})*"
#: Letters of scripts without case (Arabic, Hebrew, Devanagari, Thai, Chinese...) and the
#: marks written on them.
UNCASED = _char_class(lambda c: c.isalpha() and not (c.isupper() or c.islower() or c.istitle()))
_MARKS = _char_class(lambda c: unicodedata.category(c) in ("Mn", "Mc"))
#: A word of such a script: no capital tells a name there, so it counts as one where a
#: capitalised word would (after a cue, before "was rude"). At most 15 letters: a
#: name, not a sentence of a script written without spaces.
UNCASED_WORD = rf"[{UNCASED}][{UNCASED}{_MARKS}]{{0,14}}(?![{UNCASED}{_MARKS}])"
_NAME_PART = rf"(?:{NAME_WORD}|{UNCASED_WORD})"
_PARTICLE = (
    r"(?:van|von|de|da|di|del|della|der|den|des|du|la|le|dos|das|do|ter|ten|bin|ibn|al|el"
    r"|Ó|Ní|Nic|Mac|Mc|Ua|Uí|ap)"
)
#: Up to four name words, with particles between them ("Willem van Straaten", "Ó Laoi",
#: "Asmaa الربيع").
NAME = rf"(?:{_PARTICLE}\s+)?{_NAME_PART}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_PART}){{0,3}}"
_CAPS_PARTICLE = r"(?:Ó|NÍ|MAC|MC|VAN|VON|DE|DA|DI|DEL|DER|DEN|DU|LA|LE|DOS|BIN|AL|EL)"
CAPS_NAME = rf"{CAPS_WORD}(?:\s+(?:{_CAPS_PARTICLE}\s+)*{CAPS_WORD}){{0,3}}"

#: Capitalised words that are never a person here, though the recogniser (trained on
#: news older than them) or a cue ("thanks to Covid") may say so: days, months,
#: units, products, places and events common in customer comments, and words
#: borrowed with their accents ("Café was fine" opens a sentence, names nobody).
NOT_NAMES = frozenset(
    "mbps gbps kbps wifi wi-fi monday tuesday wednesday thursday friday saturday sunday "
    "january february march april june july august september october november december "
    "netflix zoom router broadband fibre covid covid-19 coronavirus corona brexit lockdown "
    "twitter facebook instagram whatsapp tiktok youtube google amazon alexa spotify uber "
    "airbnb paypal iphone ipad android apple samsung xmas christmas easter ramadan diwali "
    "eid halloween embraer boeing airbus trustpilot linkedin gmail hotmail outlook "
    "ryanair easyjet lufthansa emirates qatar heathrow gatwick avios visa mastercard "
    "amex openreach freeview skype virgin café cafe entrée entree crème brûlée jalapeño "
    "résumé naïve".split()
)

# ---------------------------------------------------------------- patterns

# Unicode local parts and IDN domains (zoë@müller.de) as well as ASCII and punycode.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[^\W_][\w.%+'-]*@[^\W_](?:[\w-]*[^\W_])?"
    r"(?:\.[\w-]+)*\.(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)(?![\w-])"
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
# Any separators between the characters (GB82 WEST..., GB82-WEST-..., GB82.WEST....):
# the checksum decides where it ends.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ .-]?[A-Z0-9]){11,30}\b", re.IGNORECASE)
# Digit groups with any separators (space, dash, dot, slash, mixed); Luhn decides.
_CARD_ANY = re.compile(r"(?<![\d.,/-])\d{1,19}(?:(?: ?[-./] ?| )\d{1,16}){0,7}(?!\d|[.,/-]\d)")
_CARD = re.compile(
    r"(?<![\d-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{5})"
    r"(?![\d])"
)
# US social security numbers (never 000, 666 or 9xx areas) and UK National Insurance numbers.
_SSN = re.compile(
    r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])"
    r"|\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)
_SSN_SPACED = re.compile(r"(?i:\b(?:ssn|social security(?: number| no\.?)?)\b)")
_PHONE = re.compile(
    # international: +44 7700 900123, +1-202-555-0143, +33 (0)1 23 45 67 89
    r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(0\))?(?:[ ./-]?\(?\d{1,5}\)?){1,6}(?!\d)"
    # national with a trunk 0: 07700 900123, (020) 7946 0018, 0161-496-0000
    r"|(?<![\w.,])\(?0\d{1,4}\)?(?:[ ./-]?\d{2,4}){2,4}(?![\d]|[.,]\d)"
    # North American with separators: (555) 010-0123, 202-555-0143, 1 202.555.0143
    r"|(?<![\w.,+-])(?:1[ .-]|001[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}"
    r"(?![\d]|[.,-]\d)"
)
# An extension after a phone: "x1234", " ext. 12", " ext 5".
_EXTENSION = re.compile(r"(?i:\s?(?:x|ext\.?|extension)\s?\d{1,6})(?!\d)")
_PHONE_CUE = re.compile(
    r"(?i:\b(?:call|called|phone|phoned|ring|rang|tel|telephone|mobile|cell|number|text|whatsapp|"
    r"contact|reach me)\b)"
    r"[^\d\n\x01]{0,20}?(?<![^\W\d_])(\+?\(?\d[\d ()./-]{5,18}\d)(?!\d|[.,/-]\d)"
)
_REF_CUE = (
    r"(?i:\b(?:account|acct|a/c|customer|membership|member|reference|ref|sort code|policy|order"
    r"|booking|ticket|case|invoice|contract|client|confirmation|tracking|claim|loyalty|iban|bban)"
    r"(?:\s*(?:no\.?|nr\.?|number|num|#|id|code|ref|reference))?\s*(?:is\s+)?[:#.-]?\s*)"
)
_ACCOUNT_CUE = re.compile(rf"{_REF_CUE}(\d[\d -]{{2,}}\d)(?!\d)")
# Letters and digits after a cue (ZXKJ7704383960, AB-1234-XY), or uncued with five
# digits or more among eight characters or more (RQPV67754127434604).
_ACCOUNT_ALNUM = re.compile(
    rf"{_REF_CUE}((?=[A-Za-z0-9/-]*\d)(?=[A-Za-z0-9/-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9/-]{{3,}}[A-Za-z0-9])(?![\w-])"
    r"|(?<![\w-])((?=(?:[A-Z]*\d){5})(?=\d*[A-Z])[A-Z0-9]{8,})(?![\w-])"
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
#: A ZIP code as a place without a cue: after "in"/"at"/"near"/"around", ending the clause
#: ("no engineers in 94137.", "in 94137 apparently"); not "in 30000 steps".
_ZIP_PLACE = re.compile(
    r"(?i:\b(?:in|at|near|around)\s+)(\d{5}(?:-\d{4})?)(?![\d-])"
    r"(?=\s*(?:[.,;:!?)]|$|[a-z]+ly\b|area\b))"
)
_TITLE = r"(?i:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Herr|Frau)\b\.?)"
#: Cues after which even a lower-case word may be a name ("spoke to leke", "a man called rej").
LOWER_CUE = (
    r"(?i:\b(?:spoke|speak|speaking|talked|talk|talking|chatted|chat|dealt)\s+(?:to|with)"
    r"|\bask(?:ed|ing)?\s+for|\bthanks?\s+to|\b(?:helped|served|assisted|handled|sorted|"
    r"looked\s+after|visited|attended)\s+by"
    r"|\b(?:man|woman|lady|guy|gentleman|girl|lad|chap|someone|person|advisor|adviser|agent|"
    r"engineer|operator|rep|representative|colleague)\s+(?:called|named))"
)
#: Words after which a capitalised word names a person: "spoke to Łukasz", "ask for
#: Siobhán", "a lady called Zoë", "your engineer Giedrius".
CUE = (
    rf"(?:{LOWER_CUE}"
    r"|(?i:\b(?:thanks|thank\s+you|cheers|many\s+thanks|kudos|shout\s*out)\b,?(?:\s+to)?)"
    r"|(?i:\b(?:your|the|our|my|an?)\s+(?:colleague|advisor|adviser|agent|engineer|technician|"
    r"operator|rep|representative|manager|driver|installer|case\s+(?:handler|manager)),?))"
)
_MY_NAME = r"(?i:\bmy\s+name(?:\s+is|'s|’s)|\bI\s+am\s+called|\bname\s*:)"
#: Lower-case words that end a lower-case name after "my name is" (or never start one).
_NOT_NAME_LOWER = (
    "a|an|the|and|or|but|not|no|so|is|was|am|are|on|in|at|to|for|from|with|by|of|i|im|i'm"
    "|and|my|your|his|her|it|its|this|that|who|which|as|if|please|thanks|thank|here|there"
    "|mr|mrs|ms|dr|also|still|just|now|then|too|very|really|again|sir|madam"
)
#: Capitalised words that stop a cued name: roles and teams, not people ("spoke to
#: Customer Services", "ask for a Manager").
_ROLE = (
    r"(?:Customer|Customers|Service|Services|Support|Sales|Billing|Accounts?|Team|Manager|"
    r"Management|Department|Dept|Care|Complaints?|Technical|Tech|Helpdesk|Help|Desk|Retentions?|"
    r"Someone|Somebody|Anyone|Everyone|Nobody|Staff|Engineer|Engineers|Agent|Agents|Advisor|"
    r"Advisors|Adviser|Supervisor|Operator|The|A|An|You|Your|Our|My|His|Her|Their|They|He|She|We"
    r"|It|This|That|Them|Him|Me|Us|Head|Office|Live|Chat|Online|Phone|Email|Sky|Virgin)\b"
)
_CUE_PARTS = {"title": _TITLE, "cue": CUE, "my": _MY_NAME}
_LOWER_NAME = (
    rf"(?!(?:{_NOT_NAME_LOWER})\b){_L}{{2,}}(?:\s+(?!(?:{_NOT_NAME_LOWER})\b){_L}{{2,}}){{0,2}}"
)
_AFTER_CUE = {
    "title": re.compile(rf"\s+(?!{_ROLE})({NAME}|{CAPS_NAME})"),
    "cue": re.compile(rf"\s+(?:{_TITLE}\s+)?(?!{_ROLE})({NAME}|{CAPS_NAME})"),
    "my": re.compile(rf"\s+(?!{_ROLE})({NAME}|{CAPS_NAME}|{_LOWER_NAME})(?![\w'’-])"),
}


# A possessive with nothing owned after it names a shop ("thanks Bloom's for a lovely trip").
_SHOP_AFTER = re.compile(r"['’]s(?=\s*(?:[.!?,;:)]|$|(?:for|on|in|at|again|twice)\b))")


class CuedMatches:
    """Like a compiled pattern's ``finditer``: what follows each cue, as a match.

    A cue is found on the lower-cased text (a case-insensitive alternation of
    many words is ~5x slower in ``re``), then ``after(cue)`` is matched on the
    text itself where the cue ends; ``keep(text, cue, match)`` may refuse a
    match. ``cues`` is a pattern's source, its ``(?i:...)`` groups and group
    names written in lower case. Lower-casing keeps offsets unless a letter changes length
    ("İ"): such a text is searched as it is.
    """

    def __init__(
        self,
        cues: str,
        after: Callable[[re.Match[str]], re.Pattern[str] | None],
        keep: Callable[[str, re.Match[str], re.Match[str]], bool] | None = None,
    ) -> None:
        # Named groups keep their syntax (and lower-case names).
        lower = cues.lower().replace("(?i:", "(?:").replace("(?p<", "(?P<")
        self._lower = re.compile(lower)
        self._anycase = re.compile(cues)
        self._after, self._keep = after, keep

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        low = text.lower()
        cues = self._lower.finditer(low) if len(low) == len(text) else self._anycase.finditer(text)
        pos = 0
        for cue in cues:
            pattern = None if cue.start() < pos else self._after(cue)
            m = pattern.match(text, cue.end()) if pattern is not None else None
            if m is not None and (self._keep is None or self._keep(text, cue, m)):
                pos = m.end()
                yield m


def _name_kept(text: str, cue: re.Match[str], m: re.Match[str]) -> bool:
    # "miss" in lower case is the verb ("don't miss Bloom's"), not the title.
    if cue.lastgroup == "title" and text.startswith("miss", cue.start()):
        return False
    return _SHOP_AFTER.match(text, m.end()) is None


_NAME_CUE = CuedMatches(
    "|".join(f"(?P<{k}>{v})" for k, v in _CUE_PARTS.items()),
    lambda cue: _AFTER_CUE[cue.lastgroup] if cue.lastgroup else None,
    _name_kept,
)
_HAS_DIGIT = re.compile(r"\d")
# Cheap tests that let most comments skip most passes (they only say "maybe").
_FOUR_DIGITS = re.compile(r"\d[ ().-]{0,3}\d[ ().-]{0,3}\d[ ().-]{0,3}\d")
_URL_HINT = re.compile(rf"://|www\.|\.(?:{_TLDS})\b", re.IGNORECASE)
_IP_HINT = re.compile(r"\d\.\d{1,3}\.\d|::|:[0-9A-Fa-f]{1,4}:")


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


def _cued_name(m: re.Match[str]) -> tuple[int, int] | None:
    g = next(i for i in range(1, (m.re.groups or 1) + 1) if m.group(i) is not None)
    words = m.group(g).lower().split()
    if NOT_NAMES.intersection(words):
        return None
    return m.start(g), m.end(g)


def _iban_span(m: re.Match[str]) -> tuple[int, int] | None:
    text = m.group()
    # The pattern may take following words or digits: shorten until the checksum holds.
    ends = [i + 1 for i, ch in enumerate(text) if ch.isalnum()]
    for end in reversed(ends):
        if _iban_ok("".join(ch for ch in text[:end] if ch.isalnum())):
            return m.start(), m.start() + end
    return None


def _card_span(m: re.Match[str]) -> tuple[int, int] | None:
    """The longest run of the match's digit groups that is a card number (13-19 digits, Luhn)."""
    text = m.group()
    groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", text)]
    best = None
    for i in range(len(groups)):
        for j in range(len(groups) - 1, i - 1, -1):
            digits = "".join(text[a:b] for a, b in groups[i : j + 1])
            # Maestro numbers may have 12 digits (and start with 5 or 6).
            n = len(digits)
            if (13 <= n <= 19 or n == 12 and digits[0] in "56") and _luhn(digits):
                if best is None or groups[j][1] - groups[i][0] > best[1] - best[0]:
                    best = (groups[i][0], groups[j][1])
                break
    return (m.start() + best[0], m.start() + best[1]) if best else None


def _extended(text: str, end: int) -> int:
    ext = _EXTENSION.match(text, end)
    return ext.end() if ext else end


def _phone_digits(m: re.Match[str]) -> tuple[int, int] | None:
    text = m.group().rstrip(" .-(/")
    n = len(_digits(text))
    lo = 8 if text.startswith("+") else 10
    end = _extended(m.string, m.start() + len(text))
    return (m.start(), end) if lo <= n <= 15 else None


def _cued_phone(m: re.Match[str]) -> tuple[int, int] | None:
    value = m.group(1).rstrip(" -.(/")
    n = len(_digits(value))
    start = m.start(1)
    return (start, _extended(m.string, start + len(value))) if 7 <= n <= 15 else None


def _ssn_span(m: re.Match[str]) -> tuple[int, int] | None:
    # Spaced US numbers ("123 45 6789") only after a cue: a bare one may be anything.
    if m.group(1) == " " and not _SSN_SPACED.search(m.string, max(0, m.start() - 40), m.start()):
        return None
    return m.start(), m.end()


_Finder = Callable[[re.Match[str]], "tuple[int, int] | None"]
#: (type, pattern, span from a match or None to reject, cheap test the text can match).
_PASSES: tuple[tuple[str, re.Pattern[str] | CuedMatches, _Finder, Callable[[str], bool]], ...] = (
    ("EMAIL", _EMAIL, _whole(lambda s: True), lambda t: "@" in t),
    ("URL", _URL, _url_span, lambda t: _URL_HINT.search(t) is not None),
    ("IP", _IP4, _whole(lambda s: True), lambda t: _IP_HINT.search(t) is not None),
    ("IP", _IP6, _whole(_ipv6_ok), lambda t: "::" in t or t.count(":") >= 7),
    ("IBAN", _IBAN, _iban_span, _four_digits),
    ("ACCOUNT", _ACCOUNT_ALNUM, _group(4, 40), _four_digits),
    ("CARD", _CARD_ANY, _card_span, _four_digits),
    ("ACCOUNT", _SSN, _ssn_span, _four_digits),
    ("PHONE", _PHONE, _phone_digits, _four_digits),
    ("ACCOUNT", _ACCOUNT_CUE, _group(4, 30), _four_digits),
    ("PHONE", _PHONE_CUE, _cued_phone, _four_digits),
    # Card-shaped but failing Luhn (a typo, an account or policy number): still private.
    ("ACCOUNT", _CARD, _whole(lambda s: True), _four_digits),
    ("ACCOUNT", _ACCOUNT, _whole(lambda s: True), _four_digits),
    ("POSTCODE", _POSTCODE_UK, _whole(lambda s: True), _has_digit),
    ("POSTCODE", _ZIP, _group(5, 9), _four_digits),
    ("POSTCODE", _ZIP_PLACE, _group(5, 9), _four_digits),
    ("NAME", _NAME_CUE, _cued_name, lambda t: True),
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
