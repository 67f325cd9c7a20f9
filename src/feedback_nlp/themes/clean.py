"""Text cleaning before theme finding: mask what must never become a theme.

@mentions, URLs, e-mail addresses, numbers-only answers and brand or company
names are replaced by neutral placeholders (or emptied), so that no theme is
"our brand" or "http". A leading "because" (how many answers to "why?"
begin) is cut too, so that such answers group by their reason.

>>> clean_for_themes(["Acme broadband is slow, see https://x.io @acme_help", "10"], ["Acme"])
['broadband is slow, see', '']
>>> clean_for_themes(["Because of the long wait", "Cos you are rubbish", "Because"])
['the long wait', 'you are rubbish', '']
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from functools import partial

from ..parallel import map_chunks

__all__ = ["clean_for_themes", "detect_brand_terms", "drop_terms", "GENERIC_COMPANY_WORDS"]

#: Generic stand-ins for the company's own name; masked like brand terms.
GENERIC_COMPANY_WORDS = ("company", "companies", "firm", "provider", "brand")

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_MENTION = re.compile(r"(?<!\w)@\w+")
#: Redaction placeholders ([EMAIL], [PHONE]...: see feedback_nlp.redact) carry no theme.
_PLACEHOLDER = re.compile(r"\[(?:EMAIL|URL|IP|IBAN|CARD|PHONE|ACCOUNT|POSTCODE|NAME)\]")
_NUMBERS_ONLY = re.compile(r"^[\s\d.,:;/%+\-#()]*$")
_SPACES = re.compile(r"\s{2,}")
#: The "because" that opens many answers to "why?": clustered on, it makes a
#: "Because..." theme of unrelated reasons, so it is cut before themes are found
#: (not "just because", which opens an argument: "just because it's cheap...").
_BECAUSE = re.compile(
    r"^(?:(?:simply|mainly|mostly|purely)\s+)?"
    r"(?:because|becuase|becasue|becouse|bcause|bcoz|bcos|cos|coz|cuz|cause|'cause|bc)\b"
    r"(?:\s+of\b)?[\s,:;.-]*",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'&-]+")
#: A :data:`_TOKEN` that starts the text or a sentence (only spaces after ``.!?``).
_INITIAL = re.compile(r"(?:\A|[.!?])\s*([A-Za-z][A-Za-z'&-]+)")


def _brand_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:'s)?(?!\w)", re.IGNORECASE)


def clean_for_themes(
    texts: Sequence[str],
    brand_terms: Iterable[str] = (),
    mask_generic: bool = True,
    cut_because: bool = True,
) -> list[str]:
    """Return the texts with mentions, URLs, e-mails and brand names removed.

    Parameters
    ----------
    texts : sequence of str
        Raw comments (``None``/NaN are treated as empty).
    brand_terms : iterable of str
        Brand or company names, matched case-insensitively as whole words
        (a possessive ``'s`` is removed with them).
    mask_generic : bool, default=True
        Also remove :data:`GENERIC_COMPANY_WORDS` ("company", "provider"...),
        which otherwise form a "the company" theme in every survey.
    cut_because : bool, default=True
        Also cut a leading "because" / "cos" (themes only: sentences shown to
        people keep it).

    Returns
    -------
    list of str
        Cleaned texts, same length and order; answers made only of numbers
        and punctuation become ``""`` (callers treat them as unusable).
    """
    terms = list(brand_terms) + (list(GENERIC_COMPANY_WORDS) if mask_generic else [])
    clean = partial(
        _clean_chunk,
        brand=_brand_pattern(terms),
        lowered=tuple(sorted({t.strip().lower() for t in terms if t and t.strip()})),
        cut_because=cut_because,
    )
    # Pure Python per comment, on every row: spread over the cores for big inputs.
    return map_chunks(clean, texts, os.cpu_count() or 1, step="cleaning text")


def drop_terms(text: str, terms: Collection[str]) -> str:
    """``text`` without the whole-word ``terms`` (any case), spaces and commas tidied.

    >>> drop_terms("slow again, and again", ["again"])
    'slow, and'
    """
    for term in terms:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s+,", ",", text).strip(" ,;")


def _clean_chunk(
    texts: list[str],
    brand: re.Pattern[str] | None,
    lowered: tuple[str, ...],
    cut_because: bool,
) -> list[str]:
    out: list[str] = []
    # Each pattern runs only where a cheap substring test says it may match:
    # most comments hold no URL, e-mail or brand.
    for raw in texts:
        text = raw if isinstance(raw, str) else ""
        if "[" in text:
            text = _PLACEHOLDER.sub(" ", text)
        low = text.lower()
        if "http" in low or "www." in low:
            text = _URL.sub(" ", text)
        if "@" in text:
            text = _MENTION.sub(" ", _EMAIL.sub(" ", text))
        if brand is not None and any(t in low for t in lowered):
            text = brand.sub(" ", text)
        text = _SPACES.sub(" ", text).strip()
        if cut_because:
            text = _BECAUSE.sub("", text)
        if _NUMBERS_ONLY.match(text):
            text = ""
        out.append(text)
    return out


def _mostly_propn(token: str, texts: Sequence[str], sample: int = 60) -> bool:
    """True when spaCy tags ``token`` PROPN in most of its (sampled) uses."""
    from ..nlp import load_spacy

    nlp = load_spacy()
    if not nlp.has_pipe("tagger") and not nlp.has_pipe("morphologizer"):
        return True  # blank pipeline: no tagger, rely on the capitalisation test
    # Only capitalised uses: "acme" typed in lower case is tagged NOUN, which says
    # nothing about the word being a name.
    pat = re.compile(rf"(?<!\w){re.escape(token.capitalize())}(?!\w)")
    hits = [t for t in texts if isinstance(t, str) and pat.search(t)][:sample]
    tags = [
        tok.pos_ == "PROPN"
        for doc in nlp.pipe(hits, batch_size=64)
        for tok in doc
        if tok.text == token.capitalize()
    ]
    return bool(tags) and sum(tags) >= 0.5 * len(tags)


def _token_counts(
    texts: Sequence[str], groups: Sequence[str]
) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Per group, the comments each lower-cased token occurs in; comments per
    group; and per token its capitalised and non-initial uses and all uses.

    A sentence's first word is capitalised anyway, so neither of the first two
    counts it: a token is initial when only spaces stand between it and the
    text's start or a ``.``, ``!`` or ``?``.

    >>> _, _, cap, inner, seen = _token_counts(["Acme is slow. Acme ok, acme"], ["d"])
    >>> cap["acme"], inner["acme"], seen["acme"]
    (0, 1, 3)
    """
    per_group: dict[str, Counter[str]] = {}
    n_group: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    initial: Counter[str] = Counter()
    initial_upper: Counter[str] = Counter()
    for text, group in zip(texts, groups, strict=True):
        if not isinstance(text, str):
            continue
        n_group[group] += 1
        tokens = _TOKEN.findall(text)
        # tokens are ASCII without spaces: one lower() and split() for them all
        lows = " ".join(tokens).lower().split()
        seen.update(lows)
        per_group.setdefault(group, Counter()).update(set(lows))
        upper.update([low for tok, low in zip(tokens, lows) if tok[0] <= "Z"])
        first = _INITIAL.findall(text)
        initial.update([tok.lower() for tok in first])
        initial_upper.update([tok.lower() for tok in first if tok[0] <= "Z"])
    return per_group, n_group, upper - initial_upper, seen - initial, seen


def _differs(
    token: str, shares: list[float], per_group: dict[str, Counter[str]], n_group: Counter[str],
    max_ratio: float, min_p: float,
) -> bool:  # fmt: skip
    """Do the groups use ``token`` at different rates: a group without it, a share ratio
    over ``max_ratio``, or detractors and promoters apart (p < ``min_p``)?"""
    from ..compare import two_proportion_p

    if min(shares) <= 0 or max(shares) > max_ratio * min(shares):
        return True
    det, pro = n_group.get("detractor", 0), n_group.get("promoter", 0)
    if not det or not pro:
        return False
    p = two_proportion_p(per_group["detractor"][token], det, per_group["promoter"][token], pro)
    return p < min_p


def detect_brand_terms(
    texts: Sequence[str],
    groups: Sequence[str],
    min_share: float = 0.15,
    max_ratio: float = 1.5,
    min_name_share: float = 0.02,
    min_capitalised: float = 0.7,
    max_texts: int = 20_000,
    min_p: float = 0.05,
) -> list[str]:
    """Find name-like tokens used alike by every group (likely the brand).

    A word every group uses at a similar rate says nothing about why
    detractors differ, and is usually the company's name. Two rules:

    * **frequent**: capitalised in at least half of its non-initial uses,
      in at least ``min_share`` of the comments of *every* group;
    * **name-like**: in at least ``min_name_share`` of every group's
      comments (a brand named by only a few % of people still forms a theme),
      but only if it is clearly a name: capitalised in at least
      ``min_capitalised`` of its non-initial uses, not a stop word, and
      tagged PROPN by spaCy in most of its uses (sampled), so a common
      English word ("Internet", "Fibre") is not masked.

    In both, the highest/lowest share across groups is at most ``max_ratio``
    and a two-proportion test finds no difference between detractors and
    promoters (p ≥ ``min_p``): an airport or a competitor detractors name more
    often is what the report is for, never masked.

    Parameters
    ----------
    texts : sequence of str
        Comments.
    groups : sequence of str
        The NPS group of each comment (same length).
    min_share, max_ratio, min_name_share, min_capitalised, min_p : float
        Thresholds described above.
    max_texts : int
        Above this many comments, an evenly spaced sample of this size is read.

    Returns
    -------
    list of str
        Lower-cased tokens, sorted.

    >>> t = ["Slow Acme line", "I like Acme", "Rude Acme support", "Acme ok"]
    >>> detect_brand_terms(t, ["detractor", "promoter", "detractor", "promoter"])
    ['acme']
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    if len(texts) != len(groups):
        raise ValueError("texts and groups must have the same length.")
    if len(texts) > max_texts:  # shares are stable long before: an even, deterministic sample
        step = len(texts) / max_texts
        keep = [int(i * step) for i in range(max_texts)]
        texts = [texts[i] for i in keep]
        groups = [groups[i] for i in keep]
    per_group, n_group, capitalised, inner, seen = _token_counts(texts, groups)
    if len(n_group) < 2:
        return []
    found = []
    for token in seen:
        if not inner[token]:
            continue
        shares = [per_group[g][token] / n for g, n in n_group.items() if n]
        if _differs(token, shares, per_group, n_group, max_ratio, min_p):
            continue
        cap = capitalised[token] / inner[token]
        if min(shares) >= min_share and cap >= 0.5:
            found.append(token)
        elif (
            min(shares) >= min_name_share
            and cap >= min_capitalised
            and token not in STOP_WORDS
            and len(token) > 2
            and _mostly_propn(token, texts)
        ):
            found.append(token)
    return sorted(found)
