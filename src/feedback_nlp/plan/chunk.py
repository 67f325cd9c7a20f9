"""The per-chunk steps of the analysis plan: plain functions on one chunk of loaded rows.

:func:`prepare_chunk` decides which comments carry usable text;
:func:`analyze_chunk` scores sentiment, assigns themes, builds the chunk's
comment and sentence rows and its additive counts (:class:`ChunkResult`),
which :func:`feedback_nlp.plan.assemble.assemble` combines. Both engines run
these same functions: the local engine on one chunk, the Dask engine on each
partition.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..compare import ThemeCounts, example_score, pick_examples, theme_counts
from ..config import AnalysisConfig
from ..execution import Timer
from ..load import LoadedPart
from ..nps import segment_counts
from ..result import COMMENT_COLUMNS
from ..rows import text_list
from ..sentiment import contradictions, sentiment_label
from ..textprep import usable_mask

__all__ = [
    "PreparedChunk",
    "ChunkResult",
    "prepare_chunk",
    "usable_count",
    "sample_chunk",
    "analyze_chunk",
    "assign_themes",
    "assign_sentence_themes",
    "SentenceThemes",
    "theme_nodes",
    "ThemeAssignment",
    "comment_table",
    "sentence_table",
]

#: Words a sentence needs to be shown as a theme's example.
MIN_EXAMPLE_WORDS = 4
#: Example candidates: per theme, (membership score, data row, text): a comment, or
#: the sentence carrying the theme when comments are read sentence by sentence.
Candidates = list[list[tuple[float, int, str]]]


@dataclass
class PreparedChunk:
    """A loaded chunk with its comments' plain text (no placeholders) and usability."""

    part: LoadedPart
    #: The comments without redaction placeholders ("[PHONE]" is never a theme word).
    plain: list[str]
    usable: np.ndarray
    #: Why a comment has no usable text (None when it has).
    reasons: list[str | None]


@dataclass
class ChunkResult:
    """One chunk after text analysis: its output rows and its additive counts."""

    comments: pd.DataFrame
    sentences: pd.DataFrame
    counts: ThemeCounts
    segment_theme_counts: dict[tuple[str, str], ThemeCounts]
    segment_counts: dict[str, pd.DataFrame]
    #: Per eligibility (all / detractor / promoter), per theme: the best example candidates.
    examples: dict[str, Candidates]
    #: date, group and usable of each row, for the trend table.
    trend_rows: pd.DataFrame
    #: ``(n_rows, n_nodes)``: each row's membership of every theme, then every
    #: sub-theme (the assignment's own array, not a copy: ~170 MB at 1M rows).
    trend_member: np.ndarray
    metrics: pd.DataFrame
    #: With a saved model: the usable comments (cleaned), their primary theme index
    #: (-1 none) and scores, for the new-theme candidates.
    unmatched: tuple[list[str], np.ndarray, np.ndarray] | None = None
    #: With per-segment themes: the cleaned comments, usability and sentiment.
    texts: tuple[list[str], np.ndarray, np.ndarray] | None = None


def prepare_chunk(part: LoadedPart) -> PreparedChunk:
    """The one definition of usable text: what is left once placeholders are removed."""
    from ..redact import strip_placeholders

    plain = strip_placeholders(text_list(part.frame["text"]))
    usable, reasons = usable_mask(plain)
    return PreparedChunk(part, plain, usable, reasons)


def usable_count(chunk: PreparedChunk) -> int:
    """How many comments of the chunk carry usable text."""
    return int(chunk.usable.sum())


def sample_chunk(chunk: PreparedChunk, positions: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Plain text and group of the usable comments at ``positions`` (0-based among them)."""
    idx = np.flatnonzero(chunk.usable)[positions]
    groups = chunk.part.frame["group"].to_numpy(dtype=object)[idx]
    return [chunk.plain[i] for i in idx], groups


def segment_values(chunk: PreparedChunk, segment_cols: tuple[str, ...]) -> set[str]:
    """The distinct values of the chunk's segment columns (as text)."""
    frame = chunk.part.frame
    return {str(v) for col in segment_cols for v in frame[col].dropna().unique()}


def analyze_chunk(
    chunk: PreparedChunk,
    *,
    model: Any,
    brand: tuple[str, ...],
    cfg: AnalysisConfig,
    segment_cols: tuple[str, ...],
    reading: Any = None,
    processes: int = 1,
    timer: Timer | None = None,
) -> ChunkResult:
    """Sentiment, theme assignment, output rows and additive counts of one chunk.

    ``reading`` (a :class:`~feedback_nlp.opinion.SentenceReading`, or None for
    whole comments) says how comments are read: sentence by sentence, their
    sentences carry the themes (:func:`assign_sentence_themes`) and the
    sentiment (:func:`~feedback_nlp.sentiment.score_sentiment`); ``processes``
    processes share the sentiment scoring (1 where the cluster is the
    parallelism); ``timer`` times the sentiment and assignment stages.
    """
    from threadpoolctl import threadpool_limits

    from ..sentiment import score_sentiment
    from ..themes import clean_for_themes

    timer = timer or Timer()
    frame, usable = chunk.part.frame, chunk.usable
    groups = frame["group"].to_numpy(dtype=object)
    texts = text_list(frame["text"])
    idx = np.flatnonzero(usable)
    with timer.stage("text preparation"):
        # Sentiment and the sentences shown keep a leading "because"; the theme model cuts it.
        cleaned = clean_for_themes(chunk.plain, brand_terms=brand, cut_because=False)
    with timer.stage("sentiment"):
        sent = score_sentiment(cleaned, usable, workers=processes, reading=reading)
    with timer.stage("theme assignment"), _one_thread_if(processes == 1, threadpool_limits):
        if reading is not None:
            found, by_sentence = assign_sentence_themes(model, cleaned, idx, len(frame))
        else:
            found, by_sentence = assign_themes(model, cleaned, idx, len(frame)), None
    member, scores, primary = found.member, found.scores, found.primary
    unmatched = None
    if cfg.model_path is not None:
        top = scores[idx, : len(model.themes_)]
        best = top.argmax(axis=1) if top.shape[1] else np.zeros(len(idx), dtype=int)
        unmatched = ([cleaned[i] for i in idx], np.where(primary[idx] == "none", -1, best), top)
    mention = None if by_sentence is None else mention_sentiment(by_sentence, sent, len(frame))
    comments = comment_table(frame, segment_cols, chunk.reasons, sent.compound, found)
    seg_counts: dict[tuple[str, str], ThemeCounts] = {}
    for col in segment_cols:
        values = frame[col].astype(str).to_numpy(dtype=object)
        for value in sorted(set(values)):
            mask = values == value
            seg_counts[(col, value)] = theme_counts(
                groups[mask],
                member[mask],
                usable[mask],
                sent.compound[mask],
                None if mention is None else mention[mask],
            )
    trend = pd.DataFrame({"date": frame["date"].to_numpy(), "group": groups, "usable": usable})
    return ChunkResult(
        comments=comments,
        sentences=sentence_table(sent.sentences, frame, by_sentence),
        counts=theme_counts(groups, member, usable, sent.compound, mention),
        segment_theme_counts=seg_counts,
        segment_counts=segment_counts(frame, segment_cols),
        examples=_examples(found, by_sentence, texts, sent, usable, groups, frame, cfg),
        trend_rows=trend,
        trend_member=member,
        metrics=chunk.part.metrics,
        unmatched=unmatched,
        texts=(cleaned, usable, sent.compound) if cfg.per_segment else None,
    )


def _one_thread_if(on: bool, limits: Any) -> Any:
    """One BLAS thread when the chunk is one task of many (the cluster is the parallelism)."""
    from contextlib import nullcontext

    return limits(limits=1) if on else nullcontext()


def _examples(
    found: ThemeAssignment,
    by_sentence: SentenceThemes | None,
    texts: list[str],
    sent: Any,
    usable: np.ndarray,
    groups: np.ndarray,
    frame: pd.DataFrame,
    cfg: AnalysisConfig,
) -> dict[str, Candidates]:
    """The chunk's example candidates: comments, or, read sentence by sentence,
    the sentences that carry the theme (:func:`display_sentences`)."""
    rows = frame["row"].to_numpy(dtype=np.int64)
    if by_sentence is None:
        return _example_candidates(found, texts, usable, groups, rows, cfg.example_count)
    owner = by_sentence.owner
    shown = display_sentences(texts, sent.sentences)
    # an example has to say something on its own: "but....", "Love it!" do not
    worded = np.fromiter((len(t.split()) >= MIN_EXAMPLE_WORDS for t in shown), bool, len(shown))
    return _example_candidates(
        by_sentence.found,
        shown,
        usable[owner] & worded,
        groups[owner],
        rows[owner],
        cfg.example_count,
        sent.sentences["sentiment"].to_numpy(dtype=float),
    )


def display_sentences(texts: list[str], sentences: pd.DataFrame) -> list[str]:
    """The sentences of the sentiment table as the comments ``texts`` show them.

    The table's sentences come from the cleaned comments (brand names masked
    out); a comment whose shown text splits into as many sentences gives its
    own, so an example reads as the customer wrote it; otherwise the cleaned
    sentence stands.

    >>> t = pd.DataFrame({"index": [0, 0], "sentence": ["I love .", "Slow."]})
    >>> display_sentences(["I love Acme. Slow."], t)
    ['I love Acme.', 'Slow.']
    """
    from ..textprep import split_sentences

    out = sentences["sentence"].astype(str).tolist()
    owner = sentences["index"].to_numpy(dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]).tolist() if len(owner) else []
    for a, b in zip(starts, [*starts[1:], len(owner)]):
        own = split_sentences(texts[owner[a]])
        if len(own) == b - a:
            out[a:b] = own
    return out


def _example_candidates(
    found: ThemeAssignment,
    texts: list[str],
    usable: np.ndarray,
    groups: np.ndarray,
    rows: np.ndarray,
    count: int,
    sentiment: np.ndarray | None = None,
) -> dict[str, Candidates]:
    """Each theme's best ``count`` distinct texts per eligibility, with their scores
    (``texts`` and the other arrays are per candidate: comments or sentences;
    ``rows`` their data rows).

    With the candidates' ``sentiment`` (sentences), a detractor's example is
    one of their sentences that is not positive and a promoter's one that is
    not negative: "I love the colour" is not what a detractor says about fit.

    They always include the whole survey's picks that fall in this chunk, so
    merging the chunks' candidates gives the one-chunk answer.
    """
    from ..sentiment import NEGATIVE_AT, POSITIVE_AT

    det, pro = usable & (groups == "detractor"), usable & (groups == "promoter")
    if sentiment is not None:
        det &= sentiment < POSITIVE_AT
        pro &= sentiment > NEGATIVE_AT
    out: dict[str, Candidates] = {}
    for name, eligible in (("all", usable), ("detractor", det), ("promoter", pro)):
        out[name] = []
        # themes (dense scores), then sub-themes (sparse: their members only)
        for matrix in (found.scores, found.sub_scores):
            for j, chosen in enumerate(pick_examples(matrix, texts, eligible, count)):
                out[name].append(
                    [(float(example_score(matrix[r, j])), int(rows[r]), texts[r]) for r in chosen]
                )
    return out


def theme_nodes(model: Any) -> list[dict[str, Any]]:
    """The model's theme tree as one list: its themes (``level`` 1, ``parent_id``
    ''), then its sub-themes (``level`` 2), in the order of the membership
    columns :func:`assign_themes` returns."""
    subs = model.subtheme_rows() if hasattr(model, "subtheme_rows") else []
    return [{**t, "level": 1, "parent_id": ""} for t in model.themes_] + [
        {**t, "level": 2} for t in subs
    ]


@dataclass
class ThemeAssignment:
    """The themes of a chunk's rows, as full-length arrays."""

    #: ``(n_rows, n_nodes)``: membership of every theme, then every sub-theme.
    member: np.ndarray
    #: ``(n_rows, n_themes)``: the themes' scores.
    scores: np.ndarray
    #: ``(n_rows, n_subthemes)`` sparse (CSC): a sub-theme's score where the row is a member.
    sub_scores: Any
    #: Primary theme id ('' without usable text, 'none' when no theme fits).
    primary: np.ndarray
    #: ';'-joined theme ids.
    theme_lists: np.ndarray
    #: Primary sub-theme id (the theme's id when it has no sub-themes).
    primary_sub: np.ndarray
    #: ';'-joined sub-theme ids.
    sub_lists: np.ndarray


def assign_themes(model: Any, cleaned: list[str], idx: np.ndarray, n_rows: int) -> ThemeAssignment:
    """Theme and sub-theme membership of the rows ``idx`` (the usable comments)."""
    import scipy.sparse as sp

    theme_ids = [t["theme_id"] for t in model.themes_]
    sub_ids = [t["theme_id"] for t in theme_nodes(model)[len(theme_ids) :]]
    k = len(theme_ids)
    texts = [cleaned[i] for i in idx]
    if sub_ids:
        primary_u, members_u, scores_u, sub_u, sub_scores_u = model.assign_tree_sparse(texts)
    else:
        primary_u, members_u, scores_u = model.assign(texts)
        sub_u = np.where(np.asarray(primary_u) >= 0, -2, -1)
        sub_scores_u = sp.csr_matrix((len(idx), 0), dtype=np.float32)
    # the usable rows' sub-theme scores placed at their rows of the chunk
    place = sp.csr_matrix(
        (np.ones(len(idx), np.float32), (idx, np.arange(len(idx)))), shape=(n_rows, len(idx))
    )
    sub_scores = (place @ sub_scores_u).tocsr()
    sub_scores.sort_indices()
    member = np.zeros((n_rows, k + len(sub_ids)), dtype=bool)
    scores = np.zeros((n_rows, k), dtype=np.float32)
    scores[idx] = scores_u
    sub_rows, sub_cols = sub_scores.nonzero()
    member[sub_rows, k + sub_cols] = True
    primary = np.full(n_rows, "", dtype=object)
    # index -1 (no theme) picks the trailing "none"
    primary[idx] = np.array([*theme_ids, "none"], dtype=object)[np.asarray(primary_u)]
    lens = np.fromiter(map(len, members_u), dtype=np.intp, count=len(members_u))
    cols = np.fromiter(itertools.chain.from_iterable(members_u), dtype=np.intp, count=lens.sum())
    member[np.repeat(idx, lens), cols] = True
    # One joined string per distinct membership, not per row.
    joined = {m: ";".join(theme_ids[j] for j in sorted(m)) for m in set(members_u)}
    theme_lists = np.full(n_rows, "", dtype=object)
    theme_lists[idx] = [joined[m] for m in members_u]
    primary_sub = np.full(n_rows, "", dtype=object)
    sub_u = np.asarray(sub_u, dtype=np.int64)
    own = np.where(sub_u == -2, np.asarray(primary_u), -1)
    primary_sub[idx] = np.where(
        sub_u >= 0,
        np.array([*sub_ids, "none"], dtype=object)[np.where(sub_u >= 0, sub_u, -1)],
        np.array([*theme_ids, "none"], dtype=object)[own],
    )
    sub_lists = np.full(n_rows, "", dtype=object)
    if sub_ids:
        ptr, ind = sub_scores.indptr, sub_scores.indices
        patterns: dict[tuple[int, ...], str] = {}
        for r in idx.tolist():
            key = tuple(ind[ptr[r] : ptr[r + 1]].tolist())
            if key not in patterns:
                patterns[key] = ";".join(sub_ids[j] for j in key)
            sub_lists[r] = patterns[key]
    return ThemeAssignment(
        member, scores, sub_scores.tocsc(), primary, theme_lists, primary_sub, sub_lists
    )


@dataclass
class SentenceThemes:
    """The themes of a chunk's sentences (comments read sentence by sentence)."""

    #: Each sentence's comment (row of the chunk), in the order of the sentence table.
    owner: np.ndarray
    #: The sentences' own assignment (rows = sentences).
    found: ThemeAssignment


def assign_sentence_themes(
    model: Any, cleaned: list[str], idx: np.ndarray, n_rows: int
) -> tuple[ThemeAssignment, SentenceThemes]:
    """Themes of the rows ``idx`` read sentence by sentence, and of their sentences.

    Each sentence (:func:`~feedback_nlp.textprep.split_sentences`, as the
    sentiment table splits them) is assigned as a comment would be; a comment
    carries every theme and sub-theme of its sentences, scores each theme by
    its best sentence, and its primary theme is the one most of its sentences
    have as primary (ties: the higher score), with the primary sub-theme of
    its sentence scoring highest on that theme. A comment none of whose
    sentences fits a theme is "none".
    """
    import scipy.sparse as sp

    from ..textprep import split_sentences

    parts = [split_sentences(cleaned[i]) for i in idx.tolist()]
    lens = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    owner = np.repeat(idx.astype(np.int64), lens)
    flat = [t for p in parts for t in p]
    sent = assign_themes(model, flat, np.arange(len(flat)), len(flat))
    k = sent.scores.shape[1]
    member = np.zeros((n_rows, sent.member.shape[1]), dtype=bool)
    scores = np.zeros((n_rows, k), dtype=np.float32)
    if len(flat):
        np.logical_or.at(member, owner, sent.member)
        np.maximum.at(scores, owner, sent.scores)
    theme_ids = [t["theme_id"] for t in model.themes_]
    sub_ids = [t["theme_id"] for t in theme_nodes(model)[k:]]
    col = {t: j for j, t in enumerate(theme_ids)}
    sent_theme = np.array([col.get(t, -1) for t in sent.primary], dtype=np.int64)
    primary = np.full(n_rows, "", dtype=object)
    primary[idx] = "none"
    primary_sub = primary.copy()
    fits = np.flatnonzero(sent_theme >= 0)
    if len(fits):
        pairs = pd.DataFrame(
            {
                "row": owner[fits],
                "theme": sent_theme[fits],
                "score": sent.scores[fits, sent_theme[fits]],
                "sentence": fits,
            }
        )
        per = pairs.groupby(["row", "theme"], sort=True).agg(
            n=("score", "size"), best=("score", "max")
        )
        per = per.reset_index().sort_values(
            ["row", "n", "best", "theme"], ascending=[True, False, False, True], kind="stable"
        )
        chosen = per.drop_duplicates("row")
        rows, themes = chosen["row"].to_numpy(), chosen["theme"].to_numpy()
        primary[rows] = np.array(theme_ids, dtype=object)[themes]
        # the primary sub-theme of the comment's best sentence on its primary theme
        on = pairs.merge(chosen[["row", "theme"]], on=["row", "theme"])
        on = on.sort_values(["row", "score", "sentence"], ascending=[True, False, True])
        best = on.drop_duplicates("row")
        primary_sub[best["row"].to_numpy()] = sent.primary_sub[best["sentence"].to_numpy()]
    # sub-theme scores: each comment's best sentence per sub-theme (members only)
    coo = sent.sub_scores.tocoo()
    frame = pd.DataFrame({"row": owner[coo.row], "col": coo.col, "v": coo.data})
    top = frame.groupby(["row", "col"], sort=True)["v"].max().reset_index()
    sub_scores = sp.csc_matrix(
        (top["v"].to_numpy(np.float32), (top["row"].to_numpy(), top["col"].to_numpy())),
        shape=(n_rows, sent.sub_scores.shape[1]),
    )
    theme_lists = np.full(n_rows, "", dtype=object)
    sub_lists = np.full(n_rows, "", dtype=object)
    joined: dict[bytes, tuple[str, str]] = {}
    for r in idx.tolist():
        key = member[r].tobytes()
        if key not in joined:
            on_cols = np.flatnonzero(member[r])
            joined[key] = (
                ";".join(theme_ids[j] for j in on_cols if j < k),
                ";".join(sub_ids[j - k] for j in on_cols if j >= k),
            )
        theme_lists[r], sub_lists[r] = joined[key]
    found = ThemeAssignment(
        member, scores, sub_scores, primary, theme_lists, primary_sub, sub_lists
    )
    return found, SentenceThemes(owner, sent)


def mention_sentiment(themes: SentenceThemes, sent: Any, n_rows: int) -> np.ndarray:
    """``(n_rows, n_nodes)``: the sentiment of each comment's mention of each theme
    and sub-theme it carries (0 elsewhere), comments read sentence by sentence.

    A mention's sentiment is the mean of the sentiments of the comment's
    sentences carrying the theme; where that is neutral (within ±0.05) the
    comment's own sentiment stands in ("They never brought the bread." reads
    neutral, its review does not).
    """
    import scipy.sparse as sp

    from ..sentiment import NEGATIVE_AT, POSITIVE_AT

    member = themes.found.member
    scores = sent.sentences["sentiment"].to_numpy(dtype=float)
    n = len(themes.owner)
    # comments x sentences: sums each comment's sentences in their order (as
    # np.add.at would, at a tenth of its time)
    of_comment = sp.csr_matrix((np.ones(n), (themes.owner, np.arange(n))), shape=(n_rows, n))
    total = of_comment @ (member * scores[:, None])
    count = of_comment @ member.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), 0.0)
    neutral = (count > 0) & (mean > NEGATIVE_AT) & (mean < POSITIVE_AT)
    whole = np.nan_to_num(np.asarray(sent.compound, dtype=float), nan=0.0)
    return np.where(neutral, whole[:, None], mean)


def comment_table(
    frame: pd.DataFrame,
    segment_cols: tuple[str, ...],
    reasons: list[str | None],
    compound: np.ndarray,
    found: ThemeAssignment,
) -> pd.DataFrame:
    """comments.csv rows of a chunk (:data:`~feedback_nlp.result.COMMENT_COLUMNS`)."""
    groups = frame["group"].to_numpy(dtype=object)
    flag_lists: list[list[str]] = [[] for _ in range(len(frame))]
    if "flags" in frame.columns:
        for i, f in enumerate(frame["flags"].fillna("").astype(str)):
            flag_lists[i].extend(x for x in f.split(";") if x)
    for i, reason in enumerate(reasons):
        if reason is not None:
            flag_lists[i].append("no_text")
    for i in np.flatnonzero(contradictions(groups, compound)).tolist():
        flag_lists[i].append("contradiction")
    columns: dict[str, Any] = {
        "respondent_id": frame["respondent_id"].astype(str),
        "row": frame["row"].astype(int),
        "group": groups,
        "score": frame["score"],
    }
    for col in segment_cols:
        columns[col] = frame[col].astype(str)
    dates = frame["date"] if "date" in frame.columns else pd.Series(pd.NaT, index=frame.index)
    columns["date"] = pd.to_datetime(dates).dt.strftime("%Y-%m-%d").fillna("")
    columns["sentiment"] = np.round(compound, 4)
    columns["sentiment_label"] = sentiment_label(compound)
    columns["primary_theme"] = found.primary
    columns["themes"] = found.theme_lists
    columns["primary_subtheme"] = found.primary_sub
    columns["subthemes"] = found.sub_lists
    # Not "flags": that name would shadow pandas' DataFrame.flags (df.flags.value_counts()).
    columns["row_flags"] = [";".join(dict.fromkeys(f)) for f in flag_lists]
    columns["text"] = frame["text"].fillna("").astype(str)
    out = pd.DataFrame(columns)
    ordered = [c for c in COMMENT_COLUMNS if c in out.columns]
    ordered[4:4] = list(segment_cols)
    return out[ordered]


def sentence_table(
    sentences: pd.DataFrame, frame: pd.DataFrame, themes: SentenceThemes | None = None
) -> pd.DataFrame:
    """sentences.csv rows of a chunk: each sentence of each comment with its
    sentiment and, read sentence by sentence (``themes``), its own primary theme
    and sub-theme (empty when comments are read whole)."""
    ids = frame["respondent_id"].astype(str).to_numpy(dtype=object)
    theme: Any = ""
    sub: Any = ""
    if themes is not None:
        if not np.array_equal(themes.owner, sentences["index"].to_numpy(dtype=np.int64)):
            raise AssertionError("sentence themes and sentiment split the comments differently")
        theme, sub = themes.found.primary, themes.found.primary_sub
    return pd.DataFrame(
        {
            "respondent_id": ids[sentences["index"].to_numpy(dtype=int)] if len(sentences) else [],
            "sentence_no": sentences["sentence_no"],
            "sentiment": sentences["sentiment"].round(4),
            "sentiment_label": sentiment_label(sentences["sentiment"].to_numpy(dtype=float)),
            "theme": theme,
            "subtheme": sub,
            "sentence": sentences["sentence"],
        }
    )
