"""Folders the tool writes whole (a report, a saved model): what it may touch, how files go in.

A :class:`FolderKind` says what one kind of folder holds: a marker file that
lists the files the tool wrote there, every name the tool writes, and how a
folder written before the marker existed is recognised. Only the files a
marker lists are ever replaced or deleted. What an existing folder may be:

* missing: created (with its parents);
* empty: used as it is;
* a folder of this kind (its marker is the tool's): replaced only with
  ``force``; other files in it are left alone, but one that carries a name the
  tool writes and the marker does not list refuses the folder;
* an older one, recognised by the kind's ``legacy`` rule;
* anything else (a folder of the user's own files): refused, ``force`` or not.

The files are written into the existing folder, never a new one in its place,
so the folder keeps its mode, owner, ACLs and inode, and a symbolic link keeps
pointing at it. Files go first into a private (0700) folder
``.NAME.new-XXXXXXXX`` inside it; then the old files move into a private
``.NAME.old-XXXXXXXX``, the new ones move in, the marker last, and the old
ones are deleted. An error or an interrupt before that leaves the previous
files as they were; a ``kill -9`` in the middle of the moves is undone by the
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .errors import FeedbackError, OutputError

__all__ = [
    "Listing",
    "FolderKind",
    "Folder",
    "checked_folder",
    "writing_folder",
    "locked",
    "keep_mode",
    "is_file",
    "read_json",
]

#: What a marker lists: the files the next write replaces, and the data files it keeps.
Listing = tuple[frozenset[str], frozenset[str]]
_RANDOM = "[a-z0-9_]{8}"  # the random part of tempfile's names
_FILE_TMP = re.compile(rf"\.(.+)\.{_RANDOM}\.tmp\Z")
_MAX_JSON = 64 << 20


@dataclass(frozen=True)
class FolderKind:
    """One kind of folder the tool writes, and how its messages name it."""

    #: The file that lists what the tool wrote; moved out first and in last.
    marker: str
    #: Every file name the tool writes in such a folder, the marker aside.
    names: frozenset[str]
    #: The marker's listing, or None when it is not one of the tool's.
    read_marker: Callable[[Path], Listing | None]
    #: Writes the marker (path, files written, data files kept, the folder); None: the
    #: writer puts it in the temporary folder itself.
    write_marker: Callable[[Path, Sequence[str], frozenset[str], Path], None] | None = None
    #: A folder without a marker that is still the tool's (path, entries): its listing.
    legacy: Callable[[Path, list[str]], Listing | None] | None = None
    #: A name a new write may put in the folder (default: one of ``names``).
    may_write: Callable[[str], bool] | None = None
    noun: str = "Output folder"
    what: str = "a report"
    #: What one of its files is called: "not a report file of feedback-nlp".
    item: str = "report"
    option: str = "--out"
    #: How a folder holding one is described when ``force`` is missing.
    exists: str = "already holds a report"
    #: Tags of temporary folders older versions left beside the folder.
    beside: str = "new|old"
    error: type[FeedbackError] = OutputError

    def writable(self, name: str) -> bool:
        return self.may_write(name) if self.may_write is not None else name in self.names


@dataclass(frozen=True)
class Folder:
    """An existing or future folder of some kind, as checked."""

    kind: FolderKind
    path: Path  # the real folder, symbolic links followed
    shown: Path  # as the user gave it, for messages
    owned: frozenset[str] = frozenset()
    data: frozenset[str] = frozenset()
    is_ours: bool = False

    def cannot(self, err: OSError) -> FeedbackError:
        """The error for a folder that cannot be written."""
        where = f"{self.kind.noun.lower()} {self.shown}"
        return self.kind.error(f"Cannot write to {where}: {err.strerror or err}.")

    def refuse_existing(self) -> FeedbackError:
        return self.kind.error(
            f"{self.kind.noun} {self.shown} {self.kind.exists}; pass --force to replace it."
        )


def checked_folder(out_dir: Path, kind: FolderKind, *, force: bool = False) -> Folder:
    """Raise ``kind.error`` unless the tool may write a ``kind`` folder at ``out_dir``.

    Checks what the folder holds (see the module notes), that a folder of this
    kind is replaced only with ``force``, and that the folder (or the nearest
    existing parent) can be written, so a long run does not fail at the end.
    First finishes what a killed run left in the folder.
    """
    shown = Path(out_dir)
    real = Path(os.path.realpath(shown))
    noun, option = kind.noun, kind.option
    if os.path.islink(shown) and not os.path.lexists(real):
        raise kind.error(
            f"{noun} {shown} is a link to {real}, which does not exist: "
            f"create it or pass another {option}."
        )
    if os.path.lexists(real) and not real.is_dir():
        raise kind.error(f"{noun} {shown} is a file: pass a folder to {option}.")
    try:
        _recover_beside(real, kind)
        if real.is_dir():
            _recover(real, kind)
        folder = _inspect(real, shown, kind)
    except OSError as err:
        raise Folder(kind, real, shown).cannot(err) from err
    if folder.is_ours and not force:
        raise folder.refuse_existing()
    _probe(folder)
    return folder


@contextmanager
def writing_folder(out_dir: Path, kind: FolderKind, *, force: bool = False) -> Iterator[Path]:
    """Yield a private temporary folder inside ``out_dir``; on success move its files in.

    ``out_dir`` is checked first (:func:`checked_folder`). The old files are
    replaced by the new ones and those the new write does not put there are
    removed; files the tool did not write are never touched. An error or an
    interrupt inside the block leaves the old files as they were.
    """
    folder = checked_folder(out_dir, kind, force=force)
    created = not folder.path.exists()
    try:
        folder.path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise folder.cannot(err) from err
    try:
        with locked(folder) as staging:
            yield staging
            _swap_in(staging, _inspect(folder.path, folder.shown, kind), force)
    except BaseException:
        if created:
            with suppress(OSError):
                folder.path.rmdir()  # only when nothing is in it
        raise


def _probe(folder: Folder) -> None:
    """Create and remove a private folder where the files will go: can it be written?"""
    target = folder.path
    while not target.exists() and target != target.parent:
        target = target.parent
    if not target.is_dir():
        where = f"{folder.kind.noun.lower()} {folder.shown}"
        raise folder.kind.error(f"Cannot write to {where}: {target} is a file.")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{folder.path.name}.new-", dir=target))
    except OSError as err:
        raise folder.cannot(err) from err


def _inspect(real: Path, shown: Path, kind: FolderKind) -> Folder:
    """What ``real`` holds: nothing, a folder of this kind, or files that are not (refused)."""
    if not real.exists():
        return Folder(kind, real, shown)
    temp = _temp_name(real)
    entries = sorted(n for n in os.listdir(real) if not temp.match(n))
    if not entries:
        return Folder(kind, real, shown)
    listing = kind.read_marker(real / kind.marker) if kind.marker in entries else None
    if listing is None and kind.legacy is not None:
        listing = kind.legacy(real, entries)
    if listing is None:
        raise kind.error(
            f"{kind.noun} {shown} is not {kind.what} of feedback-nlp (it holds "
            f"{_some(entries)}); choose a new or empty folder for {kind.option}."
        )
    owned = frozenset(n for n in listing[0] if is_file(real / n))
    data = frozenset(n for n in listing[1] if is_file(real / n))
    foreign = [n for n in entries if n in kind.names and n not in owned | data]
    if foreign:
        raise _not_written(kind, shown, foreign[0])
    return Folder(kind, real, shown, owned, data, True)


def _not_written(kind: FolderKind, shown: Path, name: str) -> FeedbackError:
    return kind.error(
        f"{kind.noun} {shown} holds {name!r}, which feedback-nlp did not write; "
        f"move it away or choose another folder for {kind.option}."
    )


def _some(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def is_file(path: Path) -> bool:
    """``path`` is a regular file (a symbolic link is not)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def read_json(path: Path) -> object:
    """The JSON in a regular file of at most 64 MB, or None (not a file, not JSON)."""
    if not is_file(path) or path.stat().st_size > _MAX_JSON:
        return None
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def keep_mode(old: Path, new: Path) -> None:
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


def _temp_name(folder: Path, tags: str = "new|old") -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(folder.name)}\.({tags})-({_RANDOM})\Z")


def _backup_for(staging: Path) -> Path:
    return staging.with_name(f"{staging.name[:-12]}old-{staging.name[-8:]}")


@contextmanager
def locked(folder: Folder) -> Iterator[Path]:
    """A new private temporary folder inside ``folder``, with the folder locked against
    another run writing it; the temporary folder is removed at the end."""
    try:
        fd = os.open(folder.path, os.O_RDONLY)
    except OSError as err:
        raise folder.cannot(err) from err
    try:
        if not _lock(fd):
            raise folder.kind.error(
                f"{folder.kind.noun} {folder.shown} is being written by another run of "
                "feedback-nlp; try again when it ends."
            )
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{folder.path.name}.new-", dir=folder.path))
        except OSError as err:
            raise folder.cannot(err) from err
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


def _only_ours(path: Path, kind: FolderKind) -> bool:
    """A temporary folder of this tool: a real folder of ours holding only our file names."""
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        return False
    for entry in os.scandir(path):
        tmp = _FILE_TMP.match(entry.name)
        name = tmp.group(1) if tmp else entry.name
        if not entry.is_file(follow_symlinks=False) or name not in kind.names | {kind.marker}:
            return False
    return True


def _recover(folder: Path, kind: FolderKind) -> None:
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
            if found and _only_ours(folder / name, kind):
                temps.setdefault(found.group(2), {})[found.group(1)] = folder / name
        for pair in temps.values():
            old, new = pair.get("old"), pair.get("new")
            if old is not None:
                # The marker moves out first and in last: without one, the swap was cut.
                if not os.path.lexists(folder / kind.marker):
                    _undo_cut_swap(folder, old, new, kind)
                shutil.rmtree(old)
            if new is not None:
                shutil.rmtree(new)
    finally:
        os.close(fd)


def _recover_beside(folder: Path, kind: FolderKind) -> None:
    """Older versions built the new folder beside the old one and swapped the two by
    renaming: put back a folder a kill left renamed away, remove their leftovers."""
    pattern = _temp_name(folder, kind.beside)
    try:
        names = sorted(os.listdir(folder.parent))
    except OSError:
        return
    for name in names:
        found = pattern.match(name)
        if not found or not _only_ours(folder.parent / name, kind):
            continue
        if found.group(1) == "old" and not os.path.lexists(folder):
            os.rename(folder.parent / name, folder)
        else:
            shutil.rmtree(folder.parent / name)


def _undo_cut_swap(folder: Path, old: Path, new: Path | None, kind: FolderKind) -> None:
    listing = kind.read_marker(new / kind.marker) if new is not None else None
    for name in listing[0] if listing else ():
        # A listed file gone from the new folder and present here was moved in.
        assert new is not None
        if not (new / name).exists() and is_file(folder / name):
            os.unlink(folder / name)
    for name in os.listdir(old):
        os.replace(old / name, folder / name)


# ---------------------------------------------------------------- the swap


def _swap_in(staging: Path, current: Folder, force: bool) -> None:
    """Move the files of ``staging`` into the folder; the tool's old files go, others stay."""
    kind, real = current.kind, current.path
    if current.is_ours and not force:  # one appeared while this one was being made
        raise current.refuse_existing()
    written = sorted(n for n in os.listdir(staging) if n != kind.marker)
    unknown = [n for n in written if not kind.writable(n) or not is_file(staging / n)]
    if kind.write_marker is None and not is_file(staging / kind.marker):
        unknown.insert(0, kind.marker)
    if unknown:
        raise kind.error(
            f"Cannot write {real / unknown[0]}: not a {kind.item} file of feedback-nlp."
        )
    theirs = [n for n in written if os.path.lexists(real / n) and n not in current.owned]
    if theirs:  # never replaced, whatever its name
        raise _not_written(kind, current.shown, theirs[0])
    if kind.write_marker is not None:
        kind.write_marker(staging / kind.marker, written, current.data, real)
    old = ([kind.marker] if os.path.lexists(real / kind.marker) else []) + sorted(current.owned)
    backup = _backup_for(staging)
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        os.mkdir(backup, 0o700)
        for name in old:  # the marker first
            os.rename(real / name, backup / name)
            moved_out.append(name)
        for name in [*written, kind.marker]:  # the marker last
            keep_mode(backup / name, staging / name)
            os.rename(staging / name, real / name)
            moved_in.append(name)
    except BaseException as err:
        if _undo(real, staging, backup, moved_in, moved_out):
            shutil.rmtree(backup, ignore_errors=True)
        if isinstance(err, OSError):
            raise kind.error(f"Cannot write {current.shown}: {err.strerror or err}.") from err
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
