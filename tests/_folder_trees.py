"""What the folder tests compare: a folder's whole tree, and a user's folder made at random."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def tree(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every entry under ``folder`` (links not followed): its mode and, for a file, its bytes."""
    out: dict[str, tuple[int, bytes | None]] = {".": (folder.lstat().st_mode, None)}
    for path in sorted(folder.rglob("*")):
        st_ = path.lstat()
        data = path.read_bytes() if stat.S_ISREG(st_.st_mode) else None
        out[str(path.relative_to(folder))] = (st_.st_mode, data)
    return out


def user_folder(
    root: Path, files: dict[str, bytes], subfolders: list[str], mode: int, marker: str
) -> Path:
    """``root/folder`` holding a user's ``files``, and ``subfolders`` each with a file named
    like the tool's ``marker`` (``report.md``, ``model.json``), with ``mode``."""
    out = root / "folder"
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)
    for name in subfolders:
        if name not in files:
            (out / name).mkdir(exist_ok=True)
            (out / name / marker).write_text("mine")
    os.chmod(out, mode)
    return out
