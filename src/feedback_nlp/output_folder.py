"""The output folder (``--out``): what the tool may touch in it, and how a report goes in.

A folder this tool wrote holds a marker, ``.feedback-nlp-report.json``, that
lists the files the tool wrote there: report files (the next report replaces
them, or removes those it does not write again) and data files (the demo's
``demo_survey.csv``, kept by a new report). Only those files are ever replaced
or deleted. What an existing ``--out`` may be:

* missing: created (with its parents);
* empty: used as it is;
* a report of this tool (it holds the marker): replaced only with ``force``;
  other files in it are left alone, but one that carries an output name the
  marker does not list (the user's own ``themes.csv``) refuses the folder;
* a report written before the marker existed: recognised when it holds a
  ``summary.json`` of this tool and nothing but output file names, all of
  which then count as the tool's;
* anything else (a folder of the user's own files): refused, ``force`` or not.

The report is written into the existing folder, never a new one in its place,
so the folder keeps its mode, owner, ACLs and inode, and a symbolic link
``--out`` keeps pointing at it. Files go first into a private (0700) folder
``.NAME.new-XXXXXXXX`` inside it; then the old report files move into a
private ``.NAME.old-XXXXXXXX``, the new ones move in, the marker last, and the
old ones are deleted. An error or an interrupt before that leaves the previous
report as it was; a ``kill -9`` in the middle of the moves is undone by the
next run on the same folder, which also removes temporary folders a killed
run left behind. The machinery is :mod:`feedback_nlp.owned_folder`'s, shared
with saved theme models; this module says what a report folder holds.

:func:`write_file` writes one file the user named (``demo --write-data``):
never over an existing file without ``force``, and atomically with it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import FeedbackError, OutputError
from .owned_folder import (
    FolderKind,
    Listing,
    checked_folder,
    is_file,
    keep_mode,
    locked,
    read_json,
    writing_folder,
)

__all__ = [
    "MARKER",
    "REPORT_FILES",
    "DATA_FILES",
    "REPORT_FOLDER",
    "check_output_folder",
    "claim_data_file",
    "report_folder",
    "write_file",
]

#: The marker file naming what the tool wrote in a report folder.
MARKER = ".feedback-nlp-report.json"
#: Every file name a report can hold.
REPORT_FILES = frozenset(
    {
        "comments.csv",
        "themes.csv",
        "segments.csv",
        "segment_themes.csv",
        "terms.csv",
        "rejected.csv",
        "segment_own_themes.csv",
        "sentences.csv",
        "trends.csv",
        "metrics.csv",
        "followup.csv",
        "summary.json",
        "report.md",
        "report.html",
        "report.xlsx",
    }
)
#: Data files the tool writes into a report folder and a new report keeps.
DATA_FILES = frozenset({"demo_survey.csv"})
#: Keys every summary.json of this tool has: how a report from before the marker is known.
_SUMMARY_KEYS = ("rows", "nps")
#: A report file a marker may list besides REPORT_FILES (a table added later).
_REPORT_NAME = re.compile(r"[a-z0-9_]+\.(csv|json|md|html|xlsx)")


def _read_marker(path: Path) -> Listing | None:
    """The report and data files a marker lists (only names the tool writes), or None."""
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("tool") != "feedback-nlp":
        return None
    report, data = doc.get("report_files"), doc.get("data_files", [])
    if not isinstance(report, list) or not isinstance(data, list):
        return None
    return (
        frozenset(n for n in report if isinstance(n, str) and _is_report_name(n)),
        frozenset(n for n in data if isinstance(n, str) and n in DATA_FILES),
    )


def _is_report_name(name: str) -> bool:
    return name in REPORT_FILES or _REPORT_NAME.fullmatch(name) is not None


def _legacy_report(real: Path, entries: list[str]) -> Listing | None:
    """A report from before the marker: our summary.json and only output file names,
    all of which then count as the tool's."""
    if "summary.json" not in entries:
        return None
    if not all(n in REPORT_FILES | DATA_FILES and is_file(real / n) for n in entries):
        return None
    summary = read_json(real / "summary.json")
    if not isinstance(summary, dict) or not all(
        isinstance(summary.get(k), dict) for k in _SUMMARY_KEYS
    ):
        return None
    return frozenset(entries) & REPORT_FILES, frozenset(entries) & DATA_FILES


def _write_marker(path: Path, report: Iterable[str], data: Iterable[str], folder: Path) -> None:
    """Write the marker to ``path`` (a temporary folder) with the mode of the one it replaces."""
    try:
        from importlib.metadata import version

        tool_version = version("feedback-nlp")
    except Exception:  # pragma: no cover - running from a source tree
        tool_version = "unknown"
    doc = {
        "tool": "feedback-nlp",
        "version": tool_version,
        "about": "feedback-nlp replaces or removes only the files listed here.",
        "report_files": sorted(report),
        "data_files": sorted(data),
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
    keep_mode(folder / MARKER, path)


#: What a report folder holds and how its messages name it.
REPORT_FOLDER = FolderKind(
    marker=MARKER,
    names=REPORT_FILES | DATA_FILES,
    read_marker=_read_marker,
    write_marker=_write_marker,
    legacy=_legacy_report,
    may_write=_is_report_name,
)


def check_output_folder(out_dir: Path, *, force: bool = False) -> Path:
    """Raise :class:`OutputError` unless a report may be written to ``out_dir``.

    Checks what the folder holds (see the module notes), that a report in it
    is replaced only with ``force``, and that the folder (or the nearest
    existing parent) can be written, so a long analysis does not fail at the
    end. First finishes what a killed run left in the folder. Returns the
    real folder (symbolic links followed).
    """
    return checked_folder(out_dir, REPORT_FOLDER, force=force).path


def claim_data_file(out_dir: Path, name: str) -> Path:
    """Record ``name`` (a :data:`DATA_FILES` name) in ``out_dir``'s marker before
    the tool writes it there; return the path to write.

    Refuses the folder as :func:`check_output_folder` does with ``force``.
    """
    if name not in DATA_FILES:
        raise ValueError(f"{name!r} is not a data file of feedback-nlp")
    folder = checked_folder(out_dir, REPORT_FOLDER, force=True)
    try:
        folder.path.mkdir(parents=True, exist_ok=True)
        with locked(folder) as staging:
            _write_marker(staging / MARKER, folder.owned, folder.data | {name}, folder.path)
            os.replace(staging / MARKER, folder.path / MARKER)
    except OSError as err:
        raise folder.cannot(err) from err
    return Path(out_dir) / name


@contextmanager
def report_folder(out_dir: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a private temporary folder inside ``out_dir``; on success move its files in.

    ``out_dir`` is checked first (:func:`check_output_folder`). The old report
    files are replaced by the new ones and those the new report does not write
    are removed; files the tool did not write are never touched. An error or
    an interrupt inside the block leaves the old report as it was.
    """
    with writing_folder(out_dir, REPORT_FOLDER, force=force) as staging:
        yield staging


# ---------------------------------------------------------------- one file


def write_file(path: Path, write: Callable[[Path], object], *, force: bool = False) -> Path:
    """Write the file ``path`` with ``write(temporary path)``, never over a file silently.

    The file is written in a private (0700) temporary folder beside ``path``,
    under the same name (a writer that picks the format from the extension
    picks the same one; a message naming it names ``path``), and then put in
    place: without ``force`` an existing ``path`` is refused (before ``write``
    runs, and again at the end, without replacing it); with ``force`` it is
    replaced in one rename and the new file keeps its mode and owner. A
    symbolic link is written through (the link stays a link). An error or an
    interrupt leaves the old file as it was.
    """
    shown = Path(path)
    real = Path(os.path.realpath(shown))
    _check_file(shown, real, force)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent))
    except OSError as err:
        raise OutputError(f"Cannot write {shown}: {err.strerror or err}.") from err
    tmp = folder / real.name
    try:
        try:
            write(tmp)
        except FeedbackError as err:  # the writer names the file it was given
            raise type(err)(str(err).replace(str(tmp), str(shown))) from err
        _put_in_place(tmp, shown, real, force)
    except OSError as err:
        raise OutputError(f"Cannot write {shown}: {err.strerror or err}.") from err
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return shown


def _check_file(shown: Path, real: Path, force: bool) -> None:
    if os.path.islink(shown) and not os.path.lexists(real.parent):
        raise OutputError(f"File {shown} is a link into {real.parent}, which does not exist.")
    if not os.path.lexists(real):
        return
    if real.is_dir():
        raise OutputError(f"{shown} is a folder: give a file name.")
    if not is_file(real):
        raise OutputError(f"{shown} is not a regular file; refusing to replace it.")
    if not force:
        raise OutputError(f"File {shown} already exists; pass --force to replace it.")


def _put_in_place(tmp: Path, shown: Path, real: Path, force: bool) -> None:
    """Rename ``tmp`` to ``real``: over an existing file only with ``force``."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # as open() makes it, whatever the writer chose
    if force:
        _check_file(shown, real, force)
        keep_mode(real, tmp)
        os.replace(tmp, real)
        return
    try:
        os.link(tmp, real)  # fails when a file appeared meanwhile: never replaced
    except FileExistsError:
        _check_file(shown, real, force)
        raise
    except OSError:  # no hard links on this file system
        _check_file(shown, real, force)
        os.replace(tmp, real)
