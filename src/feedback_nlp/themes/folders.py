"""Where saved theme models live: model folder names, and file checksums.

A bare name (``weekly``) is a folder under the models root (``./models``); a
relative path must stay inside it (no ``..``, no escaping symlink).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import ModelError

__all__ = ["DEFAULT_MODELS_ROOT", "resolve_model_dir", "file_sha256"]

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
