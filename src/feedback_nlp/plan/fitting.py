"""Fitting the theme model: the one rule both engines and ``feedback-nlp fit`` follow.

Brand terms are the configured ones plus those detected in the comments the
model is fitted on (unless detection is off: ``--no-brand-detection``); the
comments are cleaned with them (brand masked, placeholders already removed)
and the model is fitted, or a saved one loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..arguments import is_frame
from ..config import AnalysisConfig, input_name
from ..summary_types import ScaleSummary

__all__ = [
    "MIN_THEME_COMMENTS",
    "FitOutcome",
    "NoThemes",
    "fit_survey",
    "fit_themes",
    "read_sentences",
    "sentence_median",
    "label_exclusions",
    "merge_brand_terms",
    "new_model",
    "not_english_note",
    "sample_positions",
]


#: Distinct usable comments a theme model needs; below it the survey is analysed without themes.
MIN_THEME_COMMENTS = 4


class NoThemes:
    """The theme model of a survey with too little text: no themes, every comment in none.

    It answers what the analysis asks of a fitted model (``themes_``,
    ``assign``, ``get_params`` and ``representation_`` for the manifest), so
    a 3-answer pilot or a score-only export still gets its NPS, segments,
    trends, metrics and follow-up, with empty theme tables. ``reason`` says
    why the fit failed when there were enough comments (a vocabulary too
    small for the representation).

    >>> primary, members, scores = NoThemes({}, distinct=2).assign(["fine", "slow"])
    >>> primary.tolist(), members, scores.shape
    ([-1, -1], [(), ()], (2, 0))
    """

    representation_ = None

    def __init__(self, params: dict[str, Any], distinct: int, reason: str | None = None) -> None:
        self.themes_: list[dict[str, Any]] = []
        self.params = dict(params)
        #: How many distinct usable comments the survey had.
        self.distinct = distinct
        self.reason = reason

    def note(self, scale: ScaleSummary | None = None) -> str:
        """The message for the user: why the report has no themes.

        ``scale``, the scale the scores were read on, names the score as the
        reports do (:func:`feedback_nlp.report.view.score_label`): "NPS" on the
        NPS's own 0-10 scale or with group labels, else "NPS-style score".

        >>> NoThemes({}, distinct=2).note(ScaleSummary(1, 5, 5, 3, inferred=True)).split("; ")[1]
        'NPS-style score, segments, trends, metrics and follow-up are reported without themes.'
        """
        from ..report.view import score_label

        plural = "s" if self.distinct != 1 else ""
        why = (
            f"too little text for themes (at least {MIN_THEME_COMMENTS} are needed)"
            if self.reason is None
            else f"too little text for themes ({' '.join(self.reason.split()).rstrip('.')})"
        )
        return (
            f"Only {self.distinct} distinct usable comment{plural}: {why}; "
            f"{score_label(scale)[0]}, segments, trends, metrics and follow-up are reported "
            "without themes."
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters the model would have been fitted with (recorded in the manifest)."""
        return dict(self.params)

    def assign(self, texts: Sequence[str]) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
        """No theme for any text: primary -1, no memberships, zero-width scores."""
        n = len(texts)
        return np.full(n, -1, dtype=np.intp), [() for _ in range(n)], np.zeros((n, 0), np.float32)


def too_few_for_themes(cleaned: Sequence[str], model: Any) -> int | None:
    """The number of distinct usable comments when it is below :data:`MIN_THEME_COMMENTS`.

    Counted by the rule the model's ``fit`` applies (its own cleaning and
    usability test), so a survey it would refuse is recognised before fitting.
    The distinct texts are cleaned one at a time until enough are found: on a
    big survey this stops after a handful (counting all of them cost a
    fixed-width copy of every comment, +2 GB and ~20 s at 1M).
    """
    from ..themes import clean_for_themes
    from ..themes.vectors import is_usable

    found: set[str] = set()
    seen: set[str] = set()
    for text in cleaned:
        if text in seen:
            continue
        seen.add(text)
        (own,) = clean_for_themes([text], model.brand_terms)
        if is_usable(own):
            found.add(own)
            if len(found) >= MIN_THEME_COMMENTS:
                return None
    return len(found)


def new_model(cfg: AnalysisConfig) -> Any:
    """An unfitted :class:`~feedback_nlp.themes.ThemeModel` with the config's parameters."""
    from ..themes import ThemeModel

    return ThemeModel(
        n_themes=cfg.n_themes,
        subthemes="auto" if cfg.n_subthemes is None else cfg.n_subthemes,
        representation=cfg.representation.value,
        random_state=cfg.seed,
        n_threads=cfg.threads or os.cpu_count() or 1,
    )


def label_exclusions(values: Iterable[Any]) -> tuple[str, ...]:
    """The segment values a theme model keeps out of its labels: distinct (case
    and spacing aside), holding a letter (a number is never a label), at most
    ``MAX_VALUE_CHARS`` long, sorted; at most ``MAX_LABEL_EXCLUDE`` of them.

    >>> label_exclusions(["North", "north ", "2024", "Premium  Economy", None])
    ('north', 'premium economy')
    """
    from ..themes.model_schema import MAX_LABEL_EXCLUDE, MAX_VALUE_CHARS

    kept = {
        " ".join(str(v).lower().split())
        for v in values
        if v is not None and any(c.isalpha() for c in str(v))
    }
    return tuple(sorted(v for v in kept if len(v) <= MAX_VALUE_CHARS))[:MAX_LABEL_EXCLUDE]


def merge_brand_terms(
    given: Sequence[str], texts: Sequence[str], groups: Any, *, detect: bool = True
) -> list[str]:
    """``given`` plus the brand terms detected in ``texts`` (case-insensitively new ones).

    With ``detect=False`` (``--no-brand-detection``) only ``given``.

    >>> merge_brand_terms(["Zed"], ["Acme slow", "Acme ok"], ["promoter"] * 2, detect=False)
    ['Zed']
    """
    brand = list(given)
    if not detect:
        return brand
    from ..themes import detect_brand_terms

    detected = detect_brand_terms(texts, groups)
    known = {b.lower() for b in brand}
    return brand + [t for t in detected if t.lower() not in known]


def not_english_note(left_out: dict[str, int], by_sentence: bool) -> str:
    """The note on the texts a theme fit left out as not English (language -> count).

    >>> print(not_english_note({"fr": 2, "vi": 66}, True))  # doctest: +NORMALIZE_WHITESPACE
    Themes were found among English texts: 68 sentences of the fit, in other
    languages (vi 66, fr 2), were left out of it (the embedding model and the
    labels read English); their comments are still assigned a theme or none.
    """
    unit = "sentences" if by_sentence else "comments"
    langs = ", ".join(f"{k} {v}" for k, v in sorted(left_out.items(), key=lambda kv: -kv[1]))
    return (
        f"Themes were found among English texts: {sum(left_out.values()):,} {unit} of "
        f"the fit, in other languages ({langs}), were left out of it (the embedding "
        "model and the labels read English); their comments are still assigned a theme or none."
    )


def fit_themes(
    cfg: AnalysisConfig,
    texts: Sequence[str],
    groups: np.ndarray,
    exclude: Sequence[str] = (),
    *,
    by_sentence: bool = False,
) -> tuple[Any, list[str], list[str]]:
    """The theme model, the brand terms and the cleaned ``texts``.

    ``by_sentence``: the model is fitted on the comments' sentences (long
    comments read sentence by sentence, :func:`sentence_median`).

    ``texts`` are usable comments without placeholders (all of them, or a
    sample on big surveys) and ``groups`` their NPS groups; ``exclude`` the
    segment values no label may be (:func:`label_exclusions`). The brand terms
    are ``cfg.brand_terms`` plus, unless ``cfg.brand_detection`` is False,
    those :func:`~feedback_nlp.themes.detect_brand_terms` finds in ``texts``. With
    ``cfg.model_path`` the saved model is loaded instead of fitted.
    Below :data:`MIN_THEME_COMMENTS` distinct usable comments the model is
    :class:`NoThemes` (the caller notes it).
    """
    from ..themes import clean_for_themes

    brand = merge_brand_terms(cfg.brand_terms, texts, groups, detect=cfg.brand_detection)
    cleaned = clean_for_themes(list(texts), brand_terms=tuple(brand), cut_because=False)
    if cfg.model_path is not None:
        from ..themes import load_model

        return load_model(cfg.model_path), brand, cleaned
    units = cleaned
    if by_sentence:
        from ..textprep import split_sentences

        units = [s for t in cleaned for s in split_sentences(t)]
    model = new_model(cfg).set_params(label_exclude=tuple(exclude))
    few = too_few_for_themes(units, model)
    if few is not None:
        return NoThemes(model.get_params(), distinct=few), brand, cleaned
    try:
        return model.fit(units), brand, cleaned
    except ValueError as err:  # e.g. a vocabulary of one word: no vectors to cluster
        n = len(set(units))
        return NoThemes(model.get_params(), distinct=n, reason=str(err)), brand, cleaned


def sentence_median(cfg: AnalysisConfig, texts: Sequence[str]) -> float | None:
    """The median number of sentences of the distinct ``texts`` when the survey
    is read sentence by sentence, else None.

    ``cfg.sentences``: ``on``, ``off``, or ``auto``: sentence by sentence when
    that median is :data:`~feedback_nlp.config.LONG_COMMENT_SENTENCES` or more
    (one or two sentences are about one or two things; a review of three or
    more mixes praise and complaint, which one vector per comment averages away).

    >>> from pathlib import Path
    >>> cfg = AnalysisConfig(input=Path("x"))
    >>> sentence_median(cfg, ["Slow. Rude. Pricey.", "Fine. Good. Ok. Great."])
    3.5
    >>> sentence_median(cfg, ["Slow and rude.", "Fine. Good."]) is None
    True
    """
    from ..config import LONG_COMMENT_SENTENCES, SentenceLevel
    from ..textprep import split_sentences

    if cfg.sentences is SentenceLevel.off:
        return None
    counts = [len(split_sentences(t)) for t in dict.fromkeys(texts)]
    median = float(np.median(counts)) if counts else 0.0
    if cfg.sentences is SentenceLevel.auto and median < LONG_COMMENT_SENTENCES:
        return None
    return median


def read_sentences(
    cfg: AnalysisConfig, cleaned: Sequence[str], median: float | None, themes: Any = None
) -> Any:
    """None when the survey's comments are read whole (``median`` None, see
    :func:`sentence_median`), else a :class:`~feedback_nlp.opinion.SentenceReading`
    with its sentence sentiment model.

    With ``themes``, a MiniLM theme model just fitted on the sentences, the
    model learns in its space from the sentences it embedded
    (:func:`~feedback_nlp.opinion.fit_opinion_from_themes`: nothing is embedded
    twice). Otherwise it embeds the distinct sentences of ``cleaned`` (the
    fitted comments, cleaned as for sentiment), a seeded sample of
    :data:`~feedback_nlp.opinion.MAX_EMBED` of them on a big survey.
    """
    from ..opinion import (
        MAX_EMBED,
        SentenceReading,
        fit_opinion_from_themes,
        fit_opinion_model,
        theme_space,
    )
    from ..sentiment import review_scorer
    from ..textprep import split_sentences

    if median is None:
        return None
    if theme_space(themes) is not None:
        return SentenceReading(fit_opinion_from_themes(themes), median)
    split = [split_sentences(t) for t in dict.fromkeys(cleaned)]
    sentences = list(dict.fromkeys(s for parts in split for s in parts))
    complete = len(sentences) <= MAX_EMBED
    if not complete:
        rng = np.random.RandomState(cfg.seed)
        pick = np.sort(rng.choice(len(sentences), MAX_EMBED, replace=False))
        sentences = [sentences[i] for i in pick]
    score = review_scorer()
    vader = np.array([score(t)["compound"] for t in sentences], dtype=float)
    threads = cfg.threads or os.cpu_count() or 1
    model = fit_opinion_model(sentences, vader, complete=complete, n_threads=threads)
    return SentenceReading(model, median)


#: Usable comments the theme model is fitted on at most, by either engine (a
#: seeded sample above; see :func:`sample_positions`). The fit embeds at most
#: ``max_embed`` (4,000) distinct comments of it; 200,000 rows estimate the
#: themes' shares and the brand terms to well under a percentage point, and
#: keep one engine's result equal to the other's on any survey.
MAX_FIT_ROWS = 200_000


def sample_positions(counts: Sequence[int], seed: int, max_rows: int | None) -> list[np.ndarray]:
    """Per chunk, the positions (among its usable comments) of the fit sample.

    Every usable comment in row order; above ``max_rows`` a seeded sample of
    that many.

    >>> [p.tolist() for p in sample_positions([2, 3], seed=0, max_rows=None)]
    [[0, 1], [0, 1, 2]]
    """
    total = int(sum(counts))
    chosen = np.arange(total)
    if max_rows is not None and total > max_rows:
        chosen = np.sort(np.random.default_rng(seed).choice(total, max_rows, replace=False))
    starts = np.concatenate([[0], np.cumsum(np.asarray(counts, dtype=np.int64))])
    return [chosen[(chosen >= a) & (chosen < b)] - a for a, b in zip(starts[:-1], starts[1:])]


@dataclass(frozen=True)
class FitOutcome:
    """A fitted (codebook-applied) model, the codebook to save, notes, training facts,
    and the scale the scores were read on (None with group labels)."""

    model: Any
    codebook: Any
    notes: list[str] = field(default_factory=list)
    training_info: dict[str, Any] = field(default_factory=dict)
    scale: ScaleSummary | None = None


def fit_survey(cfg: AnalysisConfig, *, codebook: Any = None, previous: Any = None) -> FitOutcome:
    """Read the survey ``cfg`` describes and fit a theme model to save (``feedback-nlp fit``).

    The comments and brand terms are chosen as :func:`fit_themes` chooses them
    for ``analyze``; the codebook's ``exclude_terms`` join the brand terms, and
    the model keeps them all, so a later batch analysed with it has them
    masked too. With ``previous`` (a saved :class:`~feedback_nlp.themes.ThemeModel`),
    themes keep the previous ids they match; with ``codebook``, its edits are
    applied on top. The scores are read on the scale ``cfg.scale`` gives, or
    the one loading infers as for ``analyze`` (a 1-5 or 1-7 rating; a column
    that fits no scale without doubt stops with a message naming the scale
    options); the outcome and the model's training facts record it.

    ``cfg.input`` may be a DataFrame, read as :func:`~feedback_nlp.pipeline.analyze`
    reads one (messages name it "the DataFrame"); the training facts then
    record ``dataframe_sha256``, the digest of its column names and cells as
    read, where a file's record ``input_sha256``, the digest of its bytes. To
    save the model from Python::

        outcome = fit_survey(AnalysisConfig.from_options(df, segments="region"))
        save_model(outcome.model, "weekly", training_info=outcome.training_info)

    (:func:`feedback_nlp.themes.save_model`; ``weekly`` is ``models/weekly``).
    """
    from ..errors import DataError
    from ..load import LoadedPart, load_survey
    from ..themes import clean_for_themes
    from ..themes.codebook import apply_codebook, match_previous_ids
    from ..themes.folders import file_sha256
    from .chunk import prepare_chunk
    from .summary import scale_summary

    survey = load_survey(cfg)
    chunk = prepare_chunk(LoadedPart(survey.frame, survey.rejected, survey.frame[[]]))
    idx = np.flatnonzero(chunk.usable)
    texts = [chunk.plain[i] for i in idx]
    source = input_name(cfg.input)
    if len(idx) < 4:
        raise DataError(
            f"Only {len(idx)} usable comments in {source}: a theme model needs "
            "at least 4 (check --text-col)."
        )
    given = [*cfg.brand_terms, *(codebook.exclude_terms if codebook else ())]
    groups = survey.frame["group"].to_numpy(dtype=object)[idx]
    merged = merge_brand_terms(given, texts, groups, detect=cfg.brand_detection)
    brand = tuple(dict.fromkeys(b.lower() for b in merged))
    cleaned = clean_for_themes(texts, brand_terms=brand, cut_because=False)
    # Long comments: the model is fitted on sentences, as analyze fits it (--sentences).
    median = sentence_median(cfg, texts)
    if median is not None:
        from ..textprep import split_sentences

        cleaned = [s for t in cleaned for s in split_sentences(t)]
    try:
        values = survey.frame[list(survey.segment_cols)].to_numpy().ravel()
        model = (
            new_model(cfg)
            .set_params(brand_terms=brand, label_exclude=label_exclusions(values))
            .fit(cleaned)
        )
    except ValueError as err:
        raise DataError(f"Cannot fit themes on {source}: {err}") from None
    notes: list[str] = []
    if getattr(model, "not_english_", None):
        notes.append(not_english_note(model.not_english_, median is not None))
    missing: list[str] = []
    if previous is not None:
        reserved = codebook.created_ids() if codebook else set()
        model, match_notes, missing = match_previous_ids(
            model, previous, cleaned, reserved=reserved
        )
        notes += match_notes
    if codebook is not None:
        model = apply_codebook(model, codebook, cleaned, skip_ids=missing, notes=notes)
    # A file is known by its bytes; a DataFrame, which has none, by its column names
    # and cells as read (read_frame's digest, the one an analysis's manifest records).
    digest = (
        {"dataframe_sha256": survey.info["input"]["sha256"]}
        if is_frame(cfg.input)
        else {"input_sha256": file_sha256(Path(cfg.input))}
    )
    info = {
        "input": source,
        **digest,
        "rows": int(len(survey.frame)),
        "comments_used": int(len(idx)),
        "unit": "comment" if median is None else "sentence",
        "brand_terms": list(brand),
        "codebook": codebook.source if codebook else None,
        "previous_ids": list(getattr(previous, "match_ids_", [])) if previous else None,
    }
    scale = scale_summary(survey.info.get("scale"))
    if scale is not None:
        info.update(scale=scale.scale.label(), scale_inferred=scale.inferred)
    return FitOutcome(model, codebook, notes, info, scale)
