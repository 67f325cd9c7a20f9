"""Where saved theme models live: model folder names, what the tool may touch, checksums.

A bare name (``weekly``) is a folder under the models root (``./models``); a
relative path must stay inside it (no ``..``, no escaping symlink).

A model folder is written as a report folder is (:mod:`feedback_nlp.owned_folder`):
into the existing folder (which keeps its mode, owner and ACLs; a symbolic
link keeps pointing at it) through a private temporary folder, replacing only
the files of the model it held. Its ``model.json`` is the marker: a folder is
a saved model of this tool when its ``model.json`` has the tool's format name,
and the files it lists (with ``checksums.sha256`` and ``codebook.yaml``) are
the tool's. A folder of other files is refused, ``force`` or not; other files
beside a model are left alone.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ModelError
from ..owned_folder import FolderKind, Listing, checked_folder, read_json, writing_folder
from .model_schema import ARRAYS, FORMAT_NAME

__all__ = [
    "DEFAULT_MODELS_ROOT",
    "MODEL_FILES",
    "MODEL_FOLDER",
    "resolve_model_dir",
    "check_model_folder",
    "model_folder",
    "file_sha256",
]

DEFAULT_MODELS_ROOT = Path("models")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def resolve_model_dir(
    path: Path | str, models_root: Path | None = None, *, for_save: bool = False
) -> Path:
    """Return the model folder that ``path`` names, refusing escapes from the models root.

    A bare name (``NAME``) means ``<models_root>/NAME``; a relative path
    (``models/NAME``) must resolve inside ``models_root`` (default ``./models``),
    symlinks included. Any ``..`` component is refused. An absolute path is an
    explicit folder the user chose and is accepted; so, when loading, is a
    relative path to an existing folder outside the root.

    >>> resolve_model_dir("weekly", Path("/srv/models"))
    PosixPath('/srv/models/weekly')
    """
    raw = Path(path)
    root = Path(models_root) if models_root is not None else DEFAULT_MODELS_ROOT
    root_abs = Path(os.path.abspath(root))
    if ".." in raw.parts:
        raise ModelError(
            f"Model name {str(path)!r} contains '..': give a name inside {root}/ "
            "(e.g. models/NAME) or an absolute folder path."
        )
    if str(raw) in ("", "."):
        raise ModelError(f"Empty model name {str(path)!r}: give a name inside {root}/.")
    if raw.is_absolute():
        return raw
    if len(raw.parts) == 1:
        candidate = root_abs / raw
    else:
        candidate = Path(os.path.abspath(raw))
        if not _inside(candidate, root_abs):
            if not for_save and candidate.is_dir():
                return candidate  # an explicit existing folder the user pointed at
            raise ModelError(
                f"Model folder {str(path)!r} is outside the models folder {root}/: "
                f"save to {root}/NAME (or give an absolute path)."
            )
    # A symlink (the folder itself or a parent) must not lead outside the root.
    real_root = root_abs.resolve()
    if not _inside(candidate.resolve(), real_root):
        raise ModelError(
            f"Model folder {candidate} resolves to {candidate.resolve()}, outside the models "
            f"folder {real_root} (a symlink escapes it); refusing to use it."
        )
    return candidate


def file_sha256(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: Every file of a saved model but its marker, ``model.json``.
MODEL_FILES = frozenset({"checksums.sha256", "codebook.yaml", *ARRAYS})


def _model_listing(path: Path) -> Listing | None:
    """The files a ``model.json`` of this tool says the model holds, or None."""
    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        return None
    files = doc.get("files", {})
    if not isinstance(files, dict):
        return None
    arrays = {n for n in files if isinstance(n, str) and n in ARRAYS}
    return frozenset({"checksums.sha256", "codebook.yaml", *arrays}), frozenset()


#: What a model folder holds and how its messages name it.
MODEL_FOLDER = FolderKind(
    marker="model.json",
    names=MODEL_FILES,
    read_marker=_model_listing,
    noun="Model folder",
    what="a saved model",
    item="model",
    option="--save",
    exists="already exists",
    beside="new|old|tmp",  # versions before this one wrote .NAME.tmp-* and .NAME.old-*
    error=ModelError,
)


def check_model_folder(folder: Path, *, force: bool = False) -> Path:
    """Raise :class:`ModelError` unless a model may be saved to ``folder``.

    ``folder`` is a resolved model folder (:func:`resolve_model_dir`). It may be
    missing, empty, or a saved model (replaced only with ``force``); a folder
    of other files is refused, and so is one that cannot be written. Returns
    the real folder (symbolic links followed).
    """
    return checked_folder(folder, MODEL_FOLDER, force=force).path


@contextmanager
def model_folder(folder: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a private temporary folder; on success its files become the model in ``folder``.

    The files of the model ``folder`` held are replaced, or removed when the
    new model does not write them again; ``model.json`` goes in last.
    """
    with writing_folder(folder, MODEL_FOLDER, force=force) as staging:
        yield staging
