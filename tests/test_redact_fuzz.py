"""Property tests: random Unicode personal data after cues, random separators (issue 13).

The patterns alone (``names=False``: no recogniser) must keep every letter and
digit of the planted value out of the text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from feedback_nlp.redact import find_pii

_BMP = {"max_codepoint": 0xFFFF}
_UPPER = st.characters(categories=["Lu"], **_BMP).filter(lambda c: c.lower() != c)
_LOWER = st.characters(categories=["Ll"], **_BMP).filter(lambda c: c.upper() != c)
#: A capitalised word of any cased script: "Łukasz", "Ζωή", "Ёлка".
_CASED_WORD = st.builds(
    lambda u, rest: u + "".join(rest), _UPPER, st.lists(_LOWER, min_size=2, max_size=9)
)
#: Letters of scripts without case: Arabic, Hebrew, Devanagari, Thai, CJK, Hangul.
_SCRIPTS = [(0x0620, 0x064A), (0x05D0, 0x05EA), (0x0905, 0x0939), (0x0E01, 0x0E2E),
            (0x4E00, 0x9FFF), (0xAC00, 0xD7A3)]  # fmt: skip
#: A word of one such script.
_UNCASED_WORD = st.sampled_from(_SCRIPTS).flatmap(
    lambda r: st.text(st.characters(min_codepoint=r[0], max_codepoint=r[1]), min_size=2, max_size=6)
)
_NAME = st.lists(st.one_of(_CASED_WORD, _UNCASED_WORD), min_size=1, max_size=3).map(" ".join)
_CUES = (
    "My name is {} and I want a refund.",
    "Mr {} was rude to me.",
    "I spoke to {} on the phone.",
    "Your engineer {} arrived late.",
    "A lady called {} helped me.",
)


def _kept_out(text: str, start: int, end: int) -> bool:
    spans = find_pii([text], names=False)[0]
    return all(
        any(s.start <= i < s.end for s in spans) for i in range(start, end) if text[i].isalnum()
    )


@settings(max_examples=150, deadline=None)
@given(name=_NAME, cue=st.sampled_from(_CUES))
def test_a_name_in_any_script_after_a_cue_is_kept_out(name: str, cue: str) -> None:
    text = cue.format(name)
    start = text.index(name)
    assert _kept_out(text, start, start + len(name)), text


def _luhn_digits(body: list[int]) -> str:
    total = 0
    for i, d in enumerate(reversed(body)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return "".join(map(str, [*body, (10 - total % 10) % 10]))


@settings(max_examples=150, deadline=None)
@given(
    body=st.lists(st.integers(0, 9), min_size=15, max_size=15).map(lambda b: [4, *b[1:]]),
    seps=st.lists(st.sampled_from([" ", "-", ".", "/", " - ", ""]), min_size=3, max_size=3),
)
def test_a_card_number_with_any_separators_is_kept_out(body: list[int], seps: list[str]) -> None:
    digits = _luhn_digits(body)
    groups = [digits[i : i + 4] for i in range(0, 16, 4)]
    card = groups[0] + "".join(s + g for s, g in zip(seps, groups[1:]))
    text = f"I was charged twice on {card} last week."
    start = text.index(card)
    assert _kept_out(text, start, start + len(card)), text


@settings(max_examples=150, deadline=None)
@given(
    local=st.text(st.characters(categories=["Ll", "Lo"], **_BMP), min_size=1, max_size=12),
    domain=st.text(st.characters(categories=["Ll"], **_BMP), min_size=2, max_size=10),
    tld=st.sampled_from(["com", "de", "co.uk", "рф", "公司"]),
)
def test_an_e_mail_address_in_any_script_is_kept_out(local: str, domain: str, tld: str) -> None:
    email = f"{local}@{domain}.{tld}"
    text = f"Mail me at {email} please."
    start = text.index(email)
    assert _kept_out(text, start, start + len(email)), text
