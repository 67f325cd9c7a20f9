"""The Dask engine: the analysis plan of :func:`feedback_nlp.pipeline.analyze`, over partitions.

The steps are the local engine's own (:mod:`feedback_nlp.load`,
:mod:`feedback_nlp.plan`); this module only reads the input as partitions and
supplies :class:`DaskExecutor`, which maps each per-chunk step over them on a
dask.distributed cluster (one worker thread per partition):

1. **read** (workers): the input (a CSV/TSV/Parquet file or a glob of them) as
   a dask DataFrame of strings; partitions are kept in cluster memory. Text
   that is not UTF-8, a quoted cell over several lines or a block that fails
   to parse is read by the local reader on the driver instead (its notes,
   rows and errors), then split and scattered.
2. **load** (driver decisions from small per-partition answers, then
   workers): :func:`~feedback_nlp.load.plan_load` chooses the columns from the
   first rows, finds duplicated ids with a distributed ``value_counts`` and
   decides day-first dates over every partition's distinct dates;
   :func:`~feedback_nlp.load.load_rows` loads each partition;
   :func:`~feedback_nlp.load.redact_parts` redacts them with corpus-wide word
   counts, so names are found exactly as on one chunk.
3. **plan** (:func:`~feedback_nlp.plan.run_plan`): usable text, the theme fit
   on the driver (above ``max_fit_rows`` usable comments, on a seeded sample),
   the per-partition analysis, and the assembly of the result.

The result equals the local engine's on the same input and seed, name
redaction included: both fit the themes on the same seeded sample above
``max_fit_rows`` usable comments (:data:`~feedback_nlp.plan.fitting.MAX_FIT_ROWS`),
and the brand terms and the term table come from it.
Theme examples are exact at any size: each partition sends its best
candidates and the driver keeps the best overall.

The comment, sentence, rejected and trend rows are gathered on the driver to
build the :class:`~feedback_nlp.result.AnalysisResult`: fine for millions of
rows, not for 100M (see the README, "Running on a cluster").
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..arguments import FRAME_NAME, is_frame
from ..config import AnalysisConfig, display_path, input_name
from ..errors import ConfigError, InputFileError
from ..execution import Progress, Timer
from ..load import (
    LoadPlan,
    date_heads,
    load_rows,
    note_redaction,
    part_stats,
    plan_load,
    redact_parts,
    summarise_load,
)
from ..plan.fitting import MAX_FIT_ROWS
from ..plan.run import run_plan
from ..result import AnalysisResult, Survey
from ..rows import column_values
from ..scales import score_counts
from ..summary_types import EngineInfo

__all__ = [
    "DaskExecutor",
    "analyze_dask",
    "open_client",
    "DASK_FORMATS",
    "MAX_FIT_ROWS",
    "LOCAL_WORKERS",
]

#: Input formats the Dask engine reads, by extension.
DASK_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}
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
    max_fit_rows: int | None = None,
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
    max_fit_rows : int, optional
        Usable comments the theme model is fitted on at most (default
        :data:`MAX_FIT_ROWS`, as the local engine).

    ``cfg.input`` may be a pandas DataFrame: it is read on the driver as the
    local engine reads it, split into partitions of about ``blocksize`` bytes
    and scattered to the workers (the tasks get a config without the frame;
    the result's ``config`` is ``cfg``, frame included).
    """
    _check_supported(cfg)
    frame = cfg.input if is_frame(cfg.input) else None
    files, fmt = ([], "dataframe") if frame is not None else _input_files(cfg)
    # Every task gets the config: without the frame, which would travel with each one.
    work = cfg if frame is None else cfg.with_(input=FRAME_NAME)
    if client is None:
        with open_client(cfg.scheduler) as own:
            result = _run(work, progress, own, files, fmt, blocksize, max_fit_rows, frame)
    else:
        result = _run(work, progress, client, files, fmt, blocksize, max_fit_rows, frame)
    result.config = cfg
    return result


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
            raise InputFileError(f"File not found: {display_path(f)}")
    kinds = {DASK_FORMATS.get(Path(f).suffix.lower()) for f in files}
    if None in kinds or len(kinds) != 1:
        raise InputFileError(
            f"--engine dask reads {', '.join(DASK_FORMATS)} files (one format per run); got "
            f"{', '.join(sorted({Path(f).suffix or '(none)' for f in files}))}. "
            "Convert the input, or use --engine local."
        )
    return files, str(kinds.pop())


# ---------------------------------------------------------------- reading

#: Bytes read from the start of a file to tell its encoding and delimiter.
_HEAD_BYTES = 65_536


def _read(
    client: Any, files: list[str], fmt: str, blocksize: str | int | None
) -> tuple[list[Any], list[int], dict[str, Any]]:
    """The input as futures of string frames (the partitions), their lengths, and the read info.

    Dask reads Parquet and UTF-8 delimited text itself, in blocks, when that
    gives the local reader's rows: every file starts as UTF-8 text as
    :func:`~feedback_nlp.read.read_table` would take it, every block parses
    and decodes (a block cut inside a quoted cell, a quote never closed or a
    byte that is not UTF-8 fail), and no cell holds a line break (a record
    over several lines, which the local reader checks for a quote left open
    by reading the whole file). Anything else is read by the local reader:
    the same notes, rows and error messages as ``--engine local``.
    """
    encoding = "" if fmt == "parquet" else _utf8_encoding(files)  # Parquet is not text
    if encoding is None:
        return _read_locally(client, files, fmt, blocksize, "not UTF-8 text")
    try:
        ddf, info = _frame(files, fmt, blocksize, encoding)  # mixed delimiters refused here
        raw = client.compute(ddf.to_delayed())
        shapes = client.gather(client.map(_rows_and_breaks, raw))
    except (ValueError, OSError) as err:  # decode and parser errors are ValueErrors
        reason = f"the partitioned read failed: {type(err).__name__}"
    else:
        if fmt == "parquet" or not any(b for _, b in shapes):
            return raw, [n for n, _ in shapes], {**info, "reader": "dask"}
        client.cancel(raw)
        reason = "a quoted cell holds a line break"
    return _read_locally(client, files, fmt, blocksize, reason)


def _utf8_encoding(files: list[str]) -> str | None:
    """'utf-8-sig' or 'utf-8' when every file starts as UTF-8 text; None otherwise."""
    from ..read import utf8_head_encoding

    found = set()
    for f in files:
        with open(f, "rb") as fh:
            found.add(utf8_head_encoding(fh.read(_HEAD_BYTES)))
    if None in found:
        return None
    # utf-8-sig reads a file without a byte-order mark as utf-8 does.
    return "utf-8-sig" if "utf-8-sig" in found else "utf-8"


def _rows_and_breaks(part: pd.DataFrame) -> tuple[int, bool]:
    """A partition's rows, and whether a name or cell holds a line break (a multi-line record)."""
    # One joined string per column: a C-speed scan (cells are str, see as_strings).
    texts = ["".join(part.columns), *("".join(part.iloc[:, i]) for i in range(part.shape[1]))]
    return len(part), any("\n" in t or "\r" in t for t in texts)


def _read_locally(
    client: Any, files: list[str], fmt: str, blocksize: str | int | None, reason: str
) -> tuple[list[Any], list[int], dict[str, Any]]:
    """Each file read by the local reader on the driver, split into partitions and scattered.

    A CSV/TSV file gives a partition per ``blocksize`` bytes of it (one with
    None), a Parquet file one partition, as when Dask reads them itself.
    """
    from dask.utils import parse_bytes

    from ..read import read_table

    pieces: list[pd.DataFrame] = []
    info = {**_input_info(files, fmt), "notes": []}
    for f in files:
        frame, file_info = read_table(Path(f))
        info["notes"] += file_info.pop("notes")
        if "columns" not in info:
            info.update(encoding=file_info["encoding"], delimiter=file_info["delimiter"],
                        columns=list(frame.columns))  # fmt: skip
        elif list(frame.columns) != info["columns"]:
            raise InputFileError(
                f"{display_path(Path(f).name)} has other columns than "
                f"{display_path(Path(files[0]).name)}: every file of the input needs the same "
                "header."
            )
        size = Path(f).stat().st_size
        k = 1 if blocksize is None or fmt == "parquet" else -(-size // parse_bytes(blocksize))
        bounds = np.linspace(0, len(frame), max(1, min(k, len(frame))) + 1).astype(int)
        pieces += [as_strings(frame.iloc[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    del info["columns"]
    info["reader"] = f"local ({reason})"
    return client.scatter(pieces, hash=False), [len(p) for p in pieces], info


def _read_frame(
    client: Any, frame: pd.DataFrame, blocksize: str | int | None
) -> tuple[list[Any], list[int], dict[str, Any]]:
    """A DataFrame read as the local engine reads it, in partitions of ``blocksize`` bytes."""
    from dask.utils import parse_bytes

    from ..read_frame import read_frame

    table, info = read_frame(frame, FRAME_NAME)
    size = int(table.memory_usage(deep=True, index=False).sum())
    k = 1 if blocksize is None else -(-size // parse_bytes(blocksize))
    bounds = np.linspace(0, len(table), max(1, min(k, len(table))) + 1).astype(int)
    pieces = [as_strings(table.iloc[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    info["reader"] = "local (a DataFrame)"
    return client.scatter(pieces, hash=False), [len(p) for p in pieces], info


def _input_info(files: list[str], fmt: str) -> dict[str, Any]:
    """The manifest's input: paths as text a UTF-8 file can hold (as the local reader's)."""
    shown = [display_path(f) for f in files]
    return {"path": shown[0] if len(files) == 1 else None, "files": shown, "format": fmt,
            "encoding": None, "delimiter": None}  # fmt: skip


def _read_parquet_file(path: str) -> pd.DataFrame:
    from ..read import read_parquet_bytes  # the local reader's exact string conversion

    name = display_path(Path(path).name)
    return as_strings(read_parquet_bytes(Path(path).read_bytes(), name))


def _frame(
    files: list[str], fmt: str, blocksize: str | int | None, encoding: str
) -> tuple[Any, dict[str, Any]]:
    """The input as a lazy dask DataFrame of strings, and the read info for the manifest."""
    import dask.dataframe as dd

    info = _input_info(files, fmt)
    from ..read import unique_names

    name = display_path(Path(files[0]).name)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        # Repeated names made unique as the local reader makes them (read_parquet_bytes).
        names, info["notes"] = unique_names(
            [str(c).strip() for c in pq.read_schema(files[0]).names], name
        )
        meta = pd.DataFrame({c: pd.Series(dtype=object) for c in names})
        return dd.from_map(_read_parquet_file, files, meta=meta, enforce_metadata=False), info
    from ..delimited import header_cells
    from ..read import sniff_delimiter

    with open(files[0], "rb") as fh:
        text = fh.read(_HEAD_BYTES).decode(encoding, errors="replace")
    delimiter = "\t" if fmt == "tsv" else sniff_delimiter(text)
    info.update(encoding=encoding, delimiter=delimiter)
    _check_head(text, delimiter, name)
    # Repeated column names made unique as the local reader makes them (read_table).
    cells = [c.strip() for c in header_cells(text, delimiter)] if "\n" in text else []
    renamed = {}
    if len(set(cells)) < len(cells):
        names, info["notes"] = unique_names(cells, name)
        renamed = {"header": 0, "names": names}
    ddf = dd.read_csv(
        files, sep=delimiter, dtype=str, keep_default_na=False, na_filter=False,
        encoding=encoding, blocksize=blocksize, index_col=False, **renamed,
    )  # fmt: skip
    return ddf.map_partitions(as_strings), info


def _check_head(text: str, delimiter: str, name: str) -> None:
    """The local reader's mixed-delimiter check, on the rows of the file's first 64 KB."""
    import io

    from ..delimited import mixed_delimiter

    try:
        head = pd.read_csv(io.StringIO(text[: text.rfind("\n") + 1]), sep=delimiter, dtype=str,
                           keep_default_na=False, index_col=False, on_bad_lines="skip")  # fmt: skip
    except (ValueError, pd.errors.ParserError):
        return  # the reader itself will say what is wrong
    message = mixed_delimiter(head, delimiter, name)
    if message:
        raise InputFileError(message)


# ---------------------------------------------------------------- the run


class DaskExecutor:
    """The plan's per-chunk steps on a dask.distributed cluster; chunks are futures."""

    name = "dask"
    in_process = False
    #: The cluster is the parallelism: one process per partition's step.
    workers = 1

    def __init__(self, client: Any) -> None:
        self.client = client

    def map(self, fn: Callable[..., Any], *chunks: Sequence[Any], **shared: Any) -> list[Any]:
        return list(self.client.map(fn, *chunks, **shared, pure=False))

    def gather(self, chunks: Sequence[Any]) -> list[Any]:
        return list(self.client.gather(list(chunks)))

    def scatter(self, value: Any) -> Any:
        # A new key each time: equal values scattered twice (two empty word counts)
        # would share a key, and releasing one would cancel the other.
        return self.client.scatter(value, broadcast=True, hash=False)


def as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as ``str`` ('' when empty) and header names stripped, as ``read_table``."""
    out = frame.reset_index(drop=True)
    out.columns = [str(c).strip() for c in out.columns]
    return out.fillna("").astype(str).astype(object)


def _ids_of(raw: pd.DataFrame, id_col: str) -> pd.Series:
    """Non-empty respondent ids of a partition (for the global duplicate check)."""
    ids = column_values(raw, id_col).str.strip()
    return pd.Series(ids[ids != ""].to_numpy(dtype=object), dtype=object, name="id")


def _id_rows(raw: pd.DataFrame, offset: int, id_col: str, wanted: frozenset[str]) -> pd.DataFrame:
    """The ``(id, row)`` pairs of the ids in ``wanted``, with global row numbers."""
    ids = column_values(raw, id_col).str.strip()
    rows = np.arange(offset + 1, offset + len(raw) + 1, dtype=np.int64)
    hit = ids.isin(wanted).to_numpy()
    return pd.DataFrame({"id": ids.to_numpy(dtype=object)[hit], "row": rows[hit]})


def _date_heads(raw: pd.DataFrame, date_col: str) -> set[str]:
    return date_heads(column_values(raw, date_col))


def _score_counts(raw: pd.DataFrame, score_col: str) -> pd.Series:
    return score_counts(column_values(raw, score_col))


def _run(
    cfg: AnalysisConfig,
    progress: Progress | None,
    client: Any,
    files: list[str],
    fmt: str,
    blocksize: str | int | None,
    max_fit_rows: int | None,
    frame: pd.DataFrame | None = None,
) -> AnalysisResult:
    from threadpoolctl import threadpool_limits

    timer = Timer(progress)
    ex = DaskExecutor(client)
    source = FRAME_NAME if frame is not None else input_name(cfg.input)
    with timer.stage("read"):
        if frame is not None:
            raw, lengths, read_info = _read_frame(client, frame, blocksize)
        else:
            raw, lengths, read_info = _read(client, files, fmt, blocksize)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
    n = int(sum(lengths))
    if n == 0:
        raise InputFileError(f"{source} has no data rows, only a header line.")
    read_info["rows_read"] = n
    read_info["partitions"] = len(raw)

    with timer.stage("load"):
        notes: list[str] = read_info.pop("notes", [])
        plan = _plan(cfg, client, raw, offsets, source, notes)
        loaded = ex.map(load_rows, raw, offsets, plan=ex.scatter(plan))
        del raw  # the loaded partitions replace the raw strings in cluster memory
        if cfg.redact:
            loaded = redact_parts(ex, loaded, cfg.redact_names)
        stats = ex.gather(ex.map(part_stats, loaded))
        info: dict[str, Any] = {"input": read_info}
        rejected = summarise_load(plan, stats, info, notes)
        if cfg.redact:
            note_redaction(stats, info, notes)
    survey = Survey(
        frame=pd.DataFrame(), rejected=rejected, segment_cols=tuple(plan.columns["segments"]),
        info=info, notes=notes,
    )  # fmt: skip
    engine = EngineInfo(name="dask", partitions=len(offsets))
    with threadpool_limits(limits=cfg.threads or os.cpu_count() or 1):
        return run_plan(cfg, ex, loaded, survey, timer, max_fit_rows=max_fit_rows, engine=engine)


def _plan(
    cfg: AnalysisConfig, client: Any, raw: list[Any], offsets: list[int], source: str,
    notes: list[str],
) -> LoadPlan:  # fmt: skip
    """Columns, duplicate ids and date order from the partitions: the loader's own rules."""
    head_parts = []
    for fut in raw:
        head_parts.append(fut.result())
        if sum(len(p) for p in head_parts) >= HEAD_ROWS:
            break
    head = pd.concat(head_parts, ignore_index=True)

    def duplicated_ids(column: str) -> tuple[pd.Series, np.ndarray]:
        import dask.dataframe as dd

        ids = dd.from_delayed(
            client.map(_ids_of, raw, id_col=column),
            meta=pd.Series(dtype=object, name="id"),
            verify_meta=False,
        )
        counts = client.compute(ids.value_counts(split_out=max(1, len(raw) // 8))).result()
        dup_ids = frozenset(str(i) for i in counts[counts > 1].index)
        if not dup_ids:
            return pd.Series([], dtype=object), np.zeros(0, dtype=np.int64)
        pairs = pd.concat(
            client.gather(client.map(_id_rows, raw, offsets, id_col=column, wanted=dup_ids)),
            ignore_index=True,
        )
        return pairs["id"], pairs["row"].to_numpy(dtype=np.int64)

    def heads(column: str) -> set[str]:
        return reduce(set.union, client.gather(client.map(_date_heads, raw, date_col=column)))

    def scores(column: str) -> pd.Series:
        parts = client.gather(client.map(_score_counts, raw, score_col=column))
        return reduce(lambda a, b: a.add(b, fill_value=0), parts)

    return plan_load(
        cfg, head, source, notes, duplicated_ids=duplicated_ids, date_heads=heads,
        score_counts=scores,
    )  # fmt: skip
