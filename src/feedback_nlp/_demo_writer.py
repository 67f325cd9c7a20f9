"""Writing the demo survey's comments (:mod:`feedback_nlp.demo`) from the phrase pools.

A comment is built from templates of :mod:`feedback_nlp._demo_phrases`; every
choice it makes (which template, which slot value, whether to add an opener...)
takes the next number of a list of random draws, so the same draws always give
the same comment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from string import Formatter

from . import _demo_phrases as _ph

# Percent chances inside a comment, by group (detractor, passive, promoter).
_OPEN, _ELAB, _CLOSE, _BANG = (50, 50, 50), (40, 25, 30), (50, 45, 50), (25, 3, 15)
_NEUTRAL_POS = (25, 50, 80)
_SHORT, _SARCASM, _TAIL = 25, 8, 12

# A template is literal text alternating with choices: a slot "{dur}" is replaced by
# the tuple SLOTS["dur"] when parsed, an inline "{a|b}" by ("a", "b").
_Template = tuple[tuple[str, tuple[str, ...]], ...]


def _parse(text: str) -> _Template:
    return tuple(
        (lit, (tuple(name.split("|")) if "|" in name else tuple(_ph.SLOTS[name])) if name else ())
        for lit, name, _, _ in Formatter().parse(text)
    )


def _pools(lists: Sequence[str]) -> tuple[_Template, ...]:
    return tuple(_parse(t) for t in lists)


_OPEN_SENT, _OPEN_LEAD = [_pools(p) for p in _ph.OPEN_SENT], [_pools(p) for p in _ph.OPEN_LEAD]
_GENERIC, _ELABORATE = [_pools(p) for p in _ph.GENERIC], [_pools(p) for p in _ph.ELABORATE]
_CLOSER, _BRAND, _PII = [_pools(p) for p in _ph.CLOSE], _pools(_ph.BRAND), _pools(_ph.PII)
_MILD, _GRUDGING = _pools(_ph.MILD_LEAD), _pools(_ph.GRUDGING_LEAD)
_JOIN = {
    "same": _pools(_ph.JOIN_SAME),
    "neg": _pools(_ph.JOIN_TO_NEG),
    "pos": _pools(_ph.JOIN_TO_POS),
}


def _fill(pool: Sequence[_Template], nx: Callable[[], int]) -> str:
    """Pick a template and fill its choices, drawing every pick from ``nx``."""
    out = []
    for lit, choices in pool[nx() % len(pool)]:
        out.append(lit)
        if choices:
            out.append(choices[nx() % len(choices)])
    return "".join(out)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class CommentWriter:
    """Writes comments about the planted themes, numbered by their position.

    Parameters
    ----------
    kinds : sequence of {"complaint", "praise", "neutral"}
        Each theme's kind.
    phrases : sequence of mappings
        Each theme's phrase pools, as in ``_demo_phrases.THEME_PHRASES``.
    """

    def __init__(self, kinds: Sequence[str], phrases: Sequence[Mapping[str, Sequence[str]]]):
        self.kinds = tuple(kinds)
        self.pools = [{k: _pools(v) for k, v in p.items()} for p in phrases]

    def compose(
        self, g: int, themes: Sequence[int], draws: list[int], brand: bool, pii: bool
    ) -> str:
        """Write one comment for NPS group ``g`` (0 det, 1 pas, 2 pro) about ``themes``."""
        nx = iter(draws).__next__
        before: list[str] = []
        after: list[str] = []
        if brand:
            (before if nx() & 1 else after).append(_cap(_fill(_BRAND, nx)))
        lead = ""
        if nx() % 100 < _OPEN[g]:
            if nx() & 1:
                before.append(_cap(_fill(_OPEN_SENT[g], nx)))
            else:
                lead = _fill(_OPEN_LEAD[g], nx) + " "
        body, prev = "", ""
        for j, t in enumerate(themes):
            kind = self.kinds[t]
            pol = "neg" if kind == "complaint" else "pos"
            if kind == "neutral":
                pol = "pos" if nx() % 100 < _NEUTRAL_POS[g] else "neg"
            pools = self.pools[t]
            if len(themes) == 1 and not lead and nx() % 100 < _SHORT:
                clause = _fill(pools["short_" + pol], nx)
            elif j == 0 and g == 0 and "sarcastic" in pools and nx() % 100 < _SARCASM:
                clause = _fill(pools["sarcastic"], nx)
            else:
                clause = _fill(pools[pol], nx)
            if j == 0:
                if (g, pol) == (2, "neg"):
                    clause = _fill(_MILD, nx) + clause
                elif (g, pol) == (0, "pos"):
                    clause = _fill(_GRUDGING, nx) + clause
                body = clause
            else:
                joiner = _fill(_JOIN["same" if pol == prev else pol], nx)
                body += joiner + (_cap(clause) if joiner.endswith(". ") else clause)
            prev = pol
        if not themes:
            body = _fill(_GENERIC[g], nx)
        body = _cap(lead + body)
        if nx() % 100 < _TAIL:
            body += _ph.TAIL[nx() % len(_ph.TAIL)]
        body += ("!" * (1 + (nx() & 1))) if nx() % 100 < _BANG[g] else "."
        before.append(body)
        if nx() % 100 < _ELAB[g]:
            before.append(_cap(_fill(_ELABORATE[g], nx)))
        if nx() % 100 < _CLOSE[g]:
            before.append(_cap(_fill(_CLOSER[g], nx)))
        if pii:
            after.append(_fill(_PII, nx))
        return " ".join(before + after)


def typo(text: str, a: int, b: int) -> str:
    """Swap, drop or double one inner letter of a random longer word."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = long[a % len(long)]
    w = words[i]
    p = 1 + b % (len(w) - 2)
    op = (a // 7) % 3
    words[i] = (
        w[:p] + w[p + 1] + w[p] + w[p + 2 :]
        if op == 0
        else w[:p] + w[p + 1 :]
        if op == 1
        else w[:p] + w[p] + w[p:]
    )
    return " ".join(words)


__all__ = ["CommentWriter", "typo"]
