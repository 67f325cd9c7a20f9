"""The Dask engine: the same analysis as :func:`feedback_nlp.pipeline.analyze`, over partitions.

Stages (driver = this process, workers = the dask.distributed cluster):

1. **read** (workers): the input (a CSV/TSV/Parquet file or a glob of them) as
   a dask DataFrame of strings; partitions are kept in cluster memory.
2. **plan** (driver, from small per-partition answers): columns chosen from
   the first rows like the local loader; partition lengths → global 1-based
   row numbers; duplicated ids found with a distributed ``value_counts``;
   day-first dates decided once over every partition's distinct dates.
3. **load** (workers): scores parsed, validated and classified, rows
   rejected with their reasons, dates parsed, redaction, usable-text check.
4. **theme fit** (driver): the usable comments in row order (above
   ``max_fit_rows`` a seeded sample of that many), brand-term detection and a
   :class:`~feedback_nlp.themes.ThemeModel` with the local engine's parameters,
   broadcast to every worker.
5. **analysis** (workers): cleaning, VADER sentiment, theme assignment, the
   partition's comment rows and its additive counts.
6. **combine** (driver): counts summed, then the same table functions as the
   local engine (:func:`~feedback_nlp.compare.table_from_counts`,
   :func:`~feedback_nlp.nps.segment_table_from_counts`, Benjamini-Hochberg).

With at most ``max_fit_rows`` usable comments the result equals the local
engine's on the same input and seed. Above it, the themes come from the
sample, and so do the term table and a saved model's new-theme candidates.
Theme examples are exact at any size: each partition sends its best
candidates and the driver keeps the best overall.

The comment, sentence, rejected and trend rows are gathered on the driver to
build the :class:`~feedback_nlp.result.AnalysisResult`: fine for millions of
rows, not for 100M (see the README, "Running on a cluster").
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import AnalysisConfig
from ..errors import ConfigError, DataError, InputFileError
from ..result import AnalysisResult, Survey
from .partition import (
    AnalyzedPart,
    LoadedPart,
    LoadPlan,
    analyze_part,
    as_strings,
    date_heads,
    id_rows,
    ids_of,
    load_part,
    sample_part,
)

__all__ = ["analyze_dask", "open_client", "DASK_FORMATS", "MAX_FIT_ROWS", "LOCAL_WORKERS"]

Progress = Callable[[str], None]

#: Input formats the Dask engine reads, by extension.
DASK_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}
#: Usable comments the theme model is fitted on at most (a seeded sample above).
MAX_FIT_ROWS = 200_000
#: Workers of the LocalCluster started when no scheduler address is given.
LOCAL_WORKERS = 2
#: Rows read from the start of the input to choose the columns (as the local loader).
HEAD_ROWS = 5_000


@contextmanager
def open_client(scheduler: str | None) -> Iterator[Any]:
    """A dask.distributed client: connected to ``scheduler``, or to a new LocalCluster.

    The LocalCluster has :data:`LOCAL_WORKERS` worker processes with one thread
    each; it is closed on exit (a remote cluster is only disconnected from).
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as err:
            raise ConfigError(
                f"Cannot connect to the Dask scheduler at {scheduler!r} ({err}). Check the "
                "address (tcp://host:8786) or leave out --scheduler to start a local cluster."
            ) from err
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=LOCAL_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def analyze_dask(
    cfg: AnalysisConfig,
    progress: Progress | None = None,
    *,
    client: Any = None,
    blocksize: str | int | None = "64MB",
    max_fit_rows: int = MAX_FIT_ROWS,
) -> AnalysisResult:
    """Run the analysis of ``cfg`` on a Dask cluster; same result as the local engine.

    Parameters
    ----------
    cfg : AnalysisConfig
        As for :func:`feedback_nlp.pipeline.analyze`; ``cfg.input`` may be a glob
        (``data/*.parquet``). ``cfg.scheduler`` is used when ``client`` is None.
    progress : callable, optional
        Called with each stage's name as it starts.
    client : distributed.Client, optional
        An open client to use (and leave open); by default one is opened with
        :func:`open_client` and closed at the end.
    blocksize : str or int or None, default "64MB"
        Bytes of CSV per partition (None: one partition per file). Parquet
        files are one partition each: write them with ~1M rows.
    max_fit_rows : int
        Usable comments the theme model is fitted on at most.
    """
    _check_supported(cfg)
    files, fmt = _input_files(cfg)
    if client is None:
        with open_client(cfg.scheduler) as own:
            return _run(cfg, progress, own, files, fmt, blocksize, max_fit_rows)
    return _run(cfg, progress, client, files, fmt, blocksize, max_fit_rows)


def _check_supported(cfg: AnalysisConfig) -> None:
    for flag, on in (("--comments", cfg.comments is not None), ("--per-segment", cfg.per_segment)):
        if on:
            raise ConfigError(
                f"{flag} is not supported with --engine dask yet: run it with --engine local, "
                "or join the comments into the survey file first."
                if flag == "--comments"
                else f"{flag} is not supported with --engine dask yet: use --engine local."
            )


def _input_files(cfg: AnalysisConfig) -> tuple[list[str], str]:
    pattern = str(cfg.input)
    files = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    if not files:
        raise InputFileError(f"No file matches {pattern!r}.")
    for f in files:
        if not Path(f).is_file():
            raise InputFileError(f"File not found: {f}")
    kinds = {DASK_FORMATS.get(Path(f).suffix.lower()) for f in files}
    if None in kinds or len(kinds) != 1:
        raise InputFileError(
            f"--engine dask reads {', '.join(DASK_FORMATS)} files (one format per run); got "
            f"{', '.join(sorted({Path(f).suffix or '(none)' for f in files}))}. "
            "Convert the input, or use --engine local."
        )
    return files, str(kinds.pop())


# ---------------------------------------------------------------- reading


def _read_parquet_file(path: str) -> pd.DataFrame:
    from ..read import _read_parquet  # the local reader's exact string conversion

    return as_strings(_read_parquet(Path(path).read_bytes(), Path(path).name))


def _frame(files: list[str], fmt: str, blocksize: str | int | None) -> tuple[Any, dict[str, Any]]:
    """The input as a lazy dask DataFrame of strings, and the read info for the manifest."""
    import dask.dataframe as dd

    info: dict[str, Any] = {"path": files[0] if len(files) == 1 else None, "files": files,
                            "format": fmt, "encoding": None, "delimiter": None}  # fmt: skip
    if fmt == "parquet":
        import pyarrow.parquet as pq

        names = [str(c).strip() for c in pq.read_schema(files[0]).names]
        meta = pd.DataFrame({c: pd.Series(dtype=object) for c in names})
        return dd.from_map(_read_parquet_file, files, meta=meta, enforce_metadata=False), info
    from ..read import _sniff_delimiter

    head = Path(files[0]).read_bytes()[:65_536]
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    text = head.decode(encoding, errors="replace")
    delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(text)
    info.update(encoding=encoding, delimiter=delimiter)
    ddf = dd.read_csv(
        files, sep=delimiter, dtype=str, keep_default_na=False, na_filter=False,
        encoding=encoding, blocksize=blocksize, index_col=False,
    )  # fmt: skip
    return ddf.map_partitions(as_strings), info


# ---------------------------------------------------------------- the run


def _run(
    cfg: AnalysisConfig,
    progress: Progress | None,
    client: Any,
    files: list[str],
    fmt: str,
    blocksize: str | int | None,
    max_fit_rows: int,
) -> AnalysisResult:
    from threadpoolctl import threadpool_limits

    from ..pipeline import _Timer

    timer = _Timer(progress)
    source = Path(str(cfg.input)).name
    with timer.stage("read"):
        ddf, read_info = _frame(files, fmt, blocksize)
        try:
            raw = client.compute(ddf.to_delayed())
            lengths = client.gather(client.map(len, raw))
        except UnicodeDecodeError as err:
            raise InputFileError(
                f"{source} is not UTF-8 ({err.reason} at byte {err.start} of a block): "
                "re-save it as UTF-8, or use --engine local."
            ) from err
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    n = int(sum(lengths))
    if n == 0:
        raise InputFileError(f"{source} has no data rows, only a header line.")
    read_info["rows_read"] = n
    read_info["partitions"] = len(raw)

    with timer.stage("load"):
        notes: list[str] = []
        plan = _plan(cfg, client, raw, offsets, source, notes)
        plan_f = client.scatter(plan, broadcast=True)
        loaded = client.map(load_part, raw, offsets, plan=plan_f, pure=False)
        del raw  # the loaded partitions replace the raw strings in cluster memory
        stats = client.gather(client.map(_load_stats, loaded))
    info, rejected = _load_info(cfg, plan, stats, read_info, source, n, notes)

    with timer.stage("theme fit"), threadpool_limits(limits=cfg.threads or os.cpu_count() or 1):
        sample_texts, sample_groups = _fit_sample(client, loaded, stats, cfg.seed, max_fit_rows)
        model, brand, cleaned_sample = _fit(cfg, sample_texts, sample_groups)
        total_usable = sum(s["usable"] for s in stats)
        if total_usable > len(sample_texts):
            notes.append(
                f"Themes were fitted on a seeded sample of {len(sample_texts):,} of "
                f"{total_usable:,} comments (max_fit_rows)."
            )
        model_f = client.scatter(model, broadcast=True)

    with timer.stage("theme assignment"):
        parts: list[AnalyzedPart] = client.gather(
            client.map(analyze_part, loaded, model=model_f, brand=tuple(brand), cfg=cfg, pure=False)
        )
        metrics = [s["metrics"] for s in stats]
        del loaded

    survey = Survey(
        # Only the dates are read from the frame after this point (trends summary).
        frame=pd.concat([p.trend_rows[["date"]] for p in parts], ignore_index=True),
        rejected=rejected,
        segment_cols=cfg.segment_cols,
        info=info,
        notes=notes,
        metrics=pd.concat(metrics, ignore_index=True) if cfg.metric_cols else None,
    )
    from .combine import combine

    return combine(cfg, survey, parts, model, brand, cleaned_sample, sample_groups, timer)


def _load_stats(part: LoadedPart) -> dict[str, Any]:
    """The small answers the driver needs from a loaded partition (and its frame sans text)."""
    return {
        "kept": len(part.frame),
        "usable": int(part.usable.sum()),
        "rejected": part.rejected,
        "redaction": part.redaction,
        "dates": part.dates,
        "metrics": part.metrics,
    }


def _plan(
    cfg: AnalysisConfig, client: Any, raw: list[Any], offsets: list[int], source: str,
    notes: list[str],
) -> LoadPlan:  # fmt: skip
    """Columns, duplicate ids and date order: the global decisions every partition follows."""
    from ..load import _choose_columns, _duplicates
    from ..parse import guess_dayfirst

    head_parts = []
    for fut in raw:
        head_parts.append(fut.result())
        if sum(len(p) for p in head_parts) >= HEAD_ROWS:
            break
    head = pd.concat(head_parts, ignore_index=True)
    cols = _choose_columns(cfg, head, source, None, None, notes)
    for metric in cfg.metric_cols:
        if metric not in head.columns:
            from ..errors import ColumnError, nearest

            guess = nearest(metric, list(head.columns))
            hint = f" Did you mean {guess!r}?" if guess else ""
            raise ColumnError(f"Metric column {metric!r} not found in {source}.{hint}")
    drop: frozenset[int] = frozenset()
    reason = None
    if cols["id"]:
        import dask.dataframe as dd

        ids = dd.from_delayed(
            client.map(ids_of, raw, id_col=cols["id"]),
            meta=pd.Series(dtype=object, name="id"),
            verify_meta=False,
        )
        counts = client.compute(ids.value_counts(split_out=max(1, len(raw) // 8))).result()
        dup_ids = frozenset(str(i) for i in counts[counts > 1].index)
        if dup_ids:
            pairs = pd.concat(
                client.gather(client.map(id_rows, raw, offsets, id_col=cols["id"], wanted=dup_ids)),
                ignore_index=True,
            )
            rows = pairs["row"].to_numpy(dtype=np.int64)
            mask, reason = _duplicates(pairs["id"], rows, source, str(cols["id"]), cfg.duplicates)
            drop = frozenset(int(r) for r in rows[mask])
    dayfirst = False
    if cols["date"]:
        heads = reduce(set.union, client.gather(client.map(date_heads, raw, date_col=cols["date"])))
        dayfirst = guess_dayfirst(pd.Series(sorted(heads), dtype=str))
    return LoadPlan(cfg, source, cols, drop, reason, dayfirst)


def _load_info(
    cfg: AnalysisConfig, plan: LoadPlan, stats: list[dict[str, Any]], read_info: dict[str, Any],
    source: str, n: int, notes: list[str],
) -> tuple[dict[str, Any], pd.DataFrame]:  # fmt: skip
    """The loader's ``Survey.info``, notes and rejected table, from the partitions' answers."""
    cols = plan.columns
    info: dict[str, Any] = {"input": read_info}
    info["columns"] = {k: cols[k] for k in ("score", "group", "text", "id", "date", "segments")}
    info["columns"]["detected"] = cols["detected"]
    # Empty parts left out: their object columns would turn the others' str dtype to object.
    nonempty = [s["rejected"] for s in stats if len(s["rejected"])] or [stats[0]["rejected"]]
    rejected = pd.concat(nonempty, ignore_index=True)
    kept = sum(s["kept"] for s in stats)
    if kept == 0:
        first = rejected["reason"].iloc[0]
        what, option = ("score", "--score-col") if cols["score"] else ("group label", "--group-col")
        raise DataError(
            f"No valid {what} in {source}: all {n} rows were rejected (first reason: {first}). "
            f"Check {option} and the scale options."
        )
    if cols["date"] is not None:
        d = {k: sum(s["dates"][k] for s in stats) for k in ("parsed", "missing", "bad")}
        info["date"] = {"column": cols["date"], "dayfirst": plan.dayfirst, **d}
        if d["bad"]:
            notes.append(
                f"{d['bad']} values in column {cols['date']!r} are not dates; "
                "they are left empty (flag bad_date)."
            )
    kinds = rejected["reason"].str.split(":", n=1).str[0].str.replace(r" \(.*", "", regex=True)
    info["rows"] = {"read": n, "kept": kept, "rejected": n - kept}
    info["rejected_reasons"] = {
        str(k): int(v) for k, v in kinds.value_counts().sort_index().items()
    }
    if n - kept:
        reasons = ", ".join(f"{k} ({v})" for k, v in kinds.value_counts().items())
        notes.append(f"Rejected {n - kept} of {n} rows of {source}: {reasons}.")
    if cfg.redact:
        from ..redact import PII_TYPES

        counts = {k: sum(s["redaction"].get(k, 0) for s in stats) for k in PII_TYPES}
        info["redaction"] = counts
        found = ", ".join(f"{v} {k.lower()}" for k, v in counts.items() if v)
        if found:
            notes.append(
                f"Personal data in comments replaced by placeholders like [EMAIL]: {found} "
                "(pass --no-redact to keep it)."
            )
    return info, rejected


def _fit_sample(
    client: Any, loaded: list[Any], stats: list[dict[str, Any]], seed: int, max_rows: int
) -> tuple[list[str], np.ndarray]:
    """The usable comments (and groups) in row order; a seeded sample above ``max_rows``."""
    usable = np.array([s["usable"] for s in stats], dtype=np.int64)
    total = int(usable.sum())
    chosen = np.arange(total)
    if total > max_rows:
        chosen = np.sort(np.random.default_rng(seed).choice(total, max_rows, replace=False))
    starts = np.concatenate([[0], np.cumsum(usable)])
    positions = [chosen[(chosen >= a) & (chosen < b)] - a for a, b in zip(starts[:-1], starts[1:])]
    got = client.gather(client.map(sample_part, loaded, positions, pure=False))
    texts = [t for part_texts, _ in got for t in part_texts]
    groups = np.concatenate([g for _, g in got]) if got else np.array([], dtype=object)
    return texts, groups.astype(object)


def _fit(
    cfg: AnalysisConfig, texts: list[str], groups: np.ndarray
) -> tuple[Any, list[str], list[str]]:
    """Brand terms and the theme model, exactly as the local pipeline fits them."""
    from ..pipeline import _new_model
    from ..redact import strip_placeholders
    from ..themes import clean_for_themes, detect_brand_terms

    brand = list(cfg.brand_terms)
    detected = detect_brand_terms(texts, groups.tolist())
    brand += [t for t in detected if t.lower() not in {b.lower() for b in brand}]
    cleaned = clean_for_themes(
        strip_placeholders(texts), brand_terms=tuple(brand), cut_because=False
    )
    if cfg.model_path is not None:
        from ..themes import load_model

        return load_model(cfg.model_path), brand, cleaned
    return _new_model(cfg).fit(cleaned), brand, cleaned
