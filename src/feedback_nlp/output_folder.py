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
run left behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

__all__ = [
    "MARKER",
    "REPORT_FILES",
    "DATA_FILES",
    "check_output_folder",
    "claim_data_file",
    "report_folder",
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
_OURS = REPORT_FILES | DATA_FILES | {MARKER}
_RANDOM = "[a-z0-9_]{8}"  # the random part of tempfile's names
_FILE_TMP = re.compile(rf"\.(.+)\.{_RANDOM}\.tmp\Z")
_MAX_JSON = 64 << 20
#: Keys every summary.json of this tool has: how a report from before the marker is known.
_SUMMARY_KEYS = ("rows", "nps")
#: A report file a marker may list besides REPORT_FILES (a table added later).
_REPORT_NAME = re.compile(r"[a-z0-9_]+\.(csv|json|md|html|xlsx)")


@dataclass(frozen=True)
class _Folder:
    path: Path  # the real folder, symbolic links followed
    shown: Path  # as the user gave it, for messages
    report: frozenset[str] = frozenset()
    data: frozenset[str] = frozenset()
    is_report: bool = False


def check_output_folder(out_dir: Path, *, force: bool = False) -> Path:
    """Raise :class:`OutputError` unless a report may be written to ``out_dir``.

    Checks what the folder holds (see the module notes), that a report in it
    is replaced only with ``force``, and that the folder (or the nearest
    existing parent) can be written, so a long analysis does not fail at the
    end. First finishes what a killed run left in the folder. Returns the
    real folder (symbolic links followed).
    """
    return _checked(out_dir, force).path


def claim_data_file(out_dir: Path, name: str) -> Path:
    """Record ``name`` (a :data:`DATA_FILES` name) in ``out_dir``'s marker before
    the tool writes it there; return the path to write.

    Refuses the folder as :func:`check_output_folder` does with ``force``.
    """
    if name not in DATA_FILES:
        raise ValueError(f"{name!r} is not a data file of feedback-nlp")
    folder = _checked(out_dir, True)
    try:
        folder.path.mkdir(parents=True, exist_ok=True)
        with _locked(folder) as staging:
            _write_marker(staging / MARKER, folder.report, folder.data | {name}, folder.path)
            os.replace(staging / MARKER, folder.path / MARKER)
    except OSError as err:
        raise _cannot(folder.shown, err) from err
    return Path(out_dir) / name


@contextmanager
def report_folder(out_dir: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a private temporary folder inside ``out_dir``; on success move its files in.

    ``out_dir`` is checked first (:func:`check_output_folder`). The old report
    files are replaced by the new ones and those the new report does not write
    are removed; files the tool did not write are never touched. An error or
    an interrupt inside the block leaves the old report as it was.
    """
    folder = _checked(out_dir, force)
    created = not folder.path.exists()
    try:
        folder.path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _cannot(folder.shown, err) from err
    try:
        with _locked(folder) as staging:
            yield staging
            _swap_in(staging, _inspect(folder.path, folder.shown), force)
    except BaseException:
        if created:
            with suppress(OSError):
                folder.path.rmdir()  # only when nothing is in it
        raise


def _checked(out_dir: Path, force: bool) -> _Folder:
    shown = Path(out_dir)
    real = Path(os.path.realpath(shown))
    if os.path.islink(shown) and not os.path.lexists(real):
        raise OutputError(
            f"Output folder {shown} is a link to {real}, which does not exist: "
            "create it or pass another --out."
        )
    if os.path.lexists(real) and not real.is_dir():
        raise OutputError(f"Output folder {shown} is a file: pass a folder to --out.")
    try:
        _recover_beside(real)
        if real.is_dir():
            _recover(real)
        folder = _inspect(real, shown)
    except OSError as err:
        raise _cannot(shown, err) from err
    if folder.is_report and not force:
        raise OutputError(
            f"Output folder {shown} already holds a report; pass --force to replace it."
        )
    _probe(folder)
    return folder


def _cannot(shown: Path, err: OSError) -> OutputError:
    return OutputError(f"Cannot write to output folder {shown}: {err.strerror or err}.")


def _probe(folder: _Folder) -> None:
    """Create and remove a private folder where the report will go: can it be written?"""
    target = folder.path
    while not target.exists() and target != target.parent:
        target = target.parent
    if not target.is_dir():
        raise OutputError(f"Cannot write to output folder {folder.shown}: {target} is a file.")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{folder.path.name}.new-", dir=target))
    except OSError as err:
        raise _cannot(folder.shown, err) from err


def _inspect(real: Path, shown: Path) -> _Folder:
    """What ``real`` holds: nothing, a report of this tool, or files that are not (refused)."""
    if not real.exists():
        return _Folder(real, shown)
    temp = _temp_name(real)
    entries = sorted(n for n in os.listdir(real) if not temp.match(n))
    if not entries:
        return _Folder(real, shown)
    marker = _read_marker(real / MARKER) if MARKER in entries else None
    if marker is None:
        if not _legacy_report(real, entries):
            raise OutputError(
                f"Output folder {shown} is not a report of feedback-nlp (it holds "
                f"{_some(entries)}); choose a new or empty folder for --out."
            )
        marker = frozenset(entries) & REPORT_FILES, frozenset(entries) & DATA_FILES
    report = frozenset(n for n in marker[0] if _is_file(real / n))
    data = frozenset(n for n in marker[1] if _is_file(real / n))
    foreign = [n for n in entries if n in REPORT_FILES | DATA_FILES and n not in report | data]
    if foreign:
        raise OutputError(
            f"Output folder {shown} holds {foreign[0]!r}, which feedback-nlp did not write; "
            "move it away or choose another folder for --out."
        )
    return _Folder(real, shown, report, data, True)


def _some(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_json(path: Path) -> object:
    if not _is_file(path) or path.stat().st_size > _MAX_JSON:
        return None
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None


def _read_marker(path: Path) -> tuple[frozenset[str], frozenset[str]] | None:
    """The report and data files a marker lists (only names the tool writes), or None."""
    doc = _read_json(path)
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


def _legacy_report(real: Path, entries: list[str]) -> bool:
    """A report from before the marker: our summary.json and only output file names."""
    if "summary.json" not in entries:
        return False
    if not all(n in REPORT_FILES | DATA_FILES and _is_file(real / n) for n in entries):
        return False
    summary = _read_json(real / "summary.json")
    return isinstance(summary, dict) and all(
        isinstance(summary.get(k), dict) for k in _SUMMARY_KEYS
    )


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
    _keep_mode(folder / MARKER, path)


def _keep_mode(old: Path, new: Path) -> None:
    """Give ``new`` the mode (and, where allowed, owner) of the file it replaces."""
    try:
        st = os.lstat(old)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode):
        return
    os.chmod(new, stat.S_IMODE(st.st_mode) & 0o777)
    with suppress(OSError):
        os.chown(new, st.st_uid, st.st_gid)


# ---------------------------------------------------------------- temporary folders


def _temp_name(folder: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(folder.name)}\.(new|old)-({_RANDOM})\Z")


def _backup_for(staging: Path) -> Path:
    return staging.with_name(f"{staging.name[:-12]}old-{staging.name[-8:]}")


@contextmanager
def _locked(folder: _Folder) -> Iterator[Path]:
    """A new private temporary folder inside ``folder``, with the folder locked against
    another run writing it; the temporary folder is removed at the end."""
    try:
        fd = os.open(folder.path, os.O_RDONLY)
    except OSError as err:
        raise _cannot(folder.shown, err) from err
    try:
        if not _lock(fd):
            raise OutputError(
                f"Output folder {folder.shown} is being written by another run of "
                "feedback-nlp; try again when it ends."
            )
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{folder.path.name}.new-", dir=folder.path))
        except OSError as err:
            raise _cannot(folder.shown, err) from err
        try:
            yield staging
        finally:
            if not _backup_for(staging).exists():  # else the next run undoes the swap
                shutil.rmtree(staging, ignore_errors=True)
    finally:
        os.close(fd)


def _lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _only_ours(path: Path) -> bool:
    """A temporary folder of this tool: a real folder of ours holding only our file names."""
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        return False
    for entry in os.scandir(path):
        tmp = _FILE_TMP.match(entry.name)
        name = tmp.group(1) if tmp else entry.name
        if not entry.is_file(follow_symlinks=False) or name not in _OURS:
            return False
    return True


def _recover(folder: Path) -> None:
    """Undo a swap a killed run left half done, then remove its temporary folders.

    Skipped while another run holds the folder (those are its own folders).
    """
    fd = os.open(folder, os.O_RDONLY)
    try:
        if not _lock(fd):
            return
        pattern = _temp_name(folder)
        temps: dict[str, dict[str, Path]] = {}
        for name in sorted(os.listdir(folder)):
            found = pattern.match(name)
            if found and _only_ours(folder / name):
                temps.setdefault(found.group(2), {})[found.group(1)] = folder / name
        for pair in temps.values():
            old, new = pair.get("old"), pair.get("new")
            if old is not None:
                # The marker moves out first and in last: without one, the swap was cut.
                if not os.path.lexists(folder / MARKER):
                    _undo_cut_swap(folder, old, new)
                shutil.rmtree(old)
            if new is not None:
                shutil.rmtree(new)
    finally:
        os.close(fd)


def _recover_beside(folder: Path) -> None:
    """Versions before the marker built the new report beside the folder and swapped the
    two by renaming: put back a report a kill left renamed away, remove their leftovers."""
    pattern = _temp_name(folder)
    try:
        names = sorted(os.listdir(folder.parent))
    except OSError:
        return
    for name in names:
        found = pattern.match(name)
        if not found or not _only_ours(folder.parent / name):
            continue
        if found.group(1) == "old" and not os.path.lexists(folder):
            os.rename(folder.parent / name, folder)
        else:
            shutil.rmtree(folder.parent / name)


def _undo_cut_swap(folder: Path, old: Path, new: Path | None) -> None:
    marker = _read_marker(new / MARKER) if new is not None else None
    for name in marker[0] if marker else ():
        # A listed file gone from the new folder and present here was moved in.
        assert new is not None
        if not (new / name).exists() and _is_file(folder / name):
            os.unlink(folder / name)
    for name in os.listdir(old):
        os.replace(old / name, folder / name)


# ---------------------------------------------------------------- the swap


def _swap_in(staging: Path, current: _Folder, force: bool) -> None:
    """Move the files of ``staging`` into the folder; old report files go, others stay."""
    if current.is_report and not force:  # a report appeared while this one was analysed
        raise OutputError(
            f"Output folder {current.shown} already holds a report; pass --force to replace it."
        )
    real = current.path
    written = sorted(os.listdir(staging))
    unknown = [n for n in written if not _is_report_name(n) or not _is_file(staging / n)]
    if unknown:
        raise OutputError(f"Cannot write {real / unknown[0]}: not a report file of feedback-nlp.")
    theirs = [n for n in written if os.path.lexists(real / n) and n not in current.report]
    if theirs:  # never replaced, whatever its name
        raise OutputError(
            f"Output folder {current.shown} holds {theirs[0]!r}, which feedback-nlp did not "
            "write; move it away or choose another folder for --out."
        )
    _write_marker(staging / MARKER, written, current.data, real)
    old = ([MARKER] if os.path.lexists(real / MARKER) else []) + sorted(current.report)
    backup = _backup_for(staging)
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        os.mkdir(backup, 0o700)
        for name in old:  # the marker first
            os.rename(real / name, backup / name)
            moved_out.append(name)
        for name in [*written, MARKER]:  # the marker last
            _keep_mode(backup / name, staging / name)
            os.rename(staging / name, real / name)
            moved_in.append(name)
    except BaseException as err:
        if _undo(real, staging, backup, moved_in, moved_out):
            shutil.rmtree(backup, ignore_errors=True)
        if isinstance(err, OSError):
            raise OutputError(f"Cannot write {current.shown}: {err.strerror or err}.") from err
        raise
    shutil.rmtree(backup, ignore_errors=True)


def _undo(
    real: Path, staging: Path, backup: Path, moved_in: list[str], moved_out: list[str]
) -> bool:
    """Put the old files back; False when some could not be (the next run finishes it)."""
    done = True
    for src, dst, names in ((real, staging, moved_in), (backup, real, moved_out)):
        for name in reversed(names):
            try:
                os.rename(src / name, dst / name)
            except OSError:
                done = False
    return done
