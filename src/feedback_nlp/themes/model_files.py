"""Reading a saved model's files as untrusted input: sizes first, checksums, then data.

Every file is a regular file inside the model folder (a symlink is refused,
so no file can point outside it), its size is checked before it is read or
hashed, ``.npy`` headers are parsed (``max_header_size`` bounded) and their
dtype, rank, shape and size checked before any data is read, and arrays are
read with ``allow_pickle=False``. Problems raise ``ValueError`` with a
one-line description; :mod:`~feedback_nlp.themes.persist` names the folder.

``checksums.sha256`` (``sha256sum`` format, so ``sha256sum -c checksums.sha256``
verifies a folder by hand) records the sha256 of ``model.json`` and of every
array; ``model.json`` records the arrays' sha256 too.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .folders import file_sha256
from .model_schema import MAX_ARRAY_ELEMENTS, MAX_JSON_BYTES, show

__all__ = [
    "CHECKSUMS",
    "one_line",
    "regular_file_size",
    "read_json_bytes",
    "parse_json",
    "read_checksums",
    "write_checksums",
    "npy_header",
    "read_array",
]

#: The checksum file of a saved model (format version 2 and later).
CHECKSUMS = "checksums.sha256"
_CHECKSUMS_MAX_BYTES = 64 * 1024
_LINE = re.compile(r"([0-9a-f]{64})  ([a-z][a-z0-9_]*\.(?:npy|json))")
_MAX_HEADER = 10_000
#: Largest magnitude of a float in a saved array: a bound far above the real
#: values (|x| < 10) that keeps every dot product finite.
MAX_ABS_VALUE = 1e6


def one_line(message: str, limit: int = 160) -> str:
    """``message`` (e.g. a library's error) on one line, at most ``limit`` characters."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def regular_file_size(path: Path) -> int:
    """The size of ``path``; ValueError unless it is a regular file (not a symlink)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise ValueError(f"{path.name} is missing.") from None
    if stat.S_ISLNK(st.st_mode):
        raise ValueError(f"{path.name} is a symlink; a model folder holds plain files only.")
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{path.name} is not a regular file.")
    return int(st.st_size)


def read_json_bytes(path: Path) -> bytes:
    """The bytes of ``model.json``, refusing a symlink or more than ``MAX_JSON_BYTES``."""
    size = regular_file_size(path)
    if size > MAX_JSON_BYTES:
        raise ValueError(
            f"{path.name} is {size} bytes, above the {MAX_JSON_BYTES}-byte limit of a model."
        )
    with open(path, "rb") as fh:
        return fh.read(MAX_JSON_BYTES + 1)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {show(key)} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(data: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity; ValueError otherwise."""
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
        )
    except UnicodeDecodeError:
        raise ValueError("model.json is not UTF-8 text") from None
    except RecursionError:
        raise ValueError("model.json is nested too deeply") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"model.json is not valid JSON ({one_line(str(err))})") from None
    except ValueError as err:  # duplicate key, NaN, an integer of thousands of digits
        raise ValueError(f"model.json is not valid JSON ({one_line(str(err))})") from None


def read_checksums(path: Path) -> dict[str, str]:
    """``checksums.sha256`` as file name -> sha256; ValueError if malformed."""
    size = regular_file_size(path)
    if size > _CHECKSUMS_MAX_BYTES:
        raise ValueError(f"{path.name} is {size} bytes; a model's is under 2 KB.")
    try:
        lines = path.read_bytes().decode("ascii").splitlines()
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not plain ASCII text.") from None
    out: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        m = _LINE.fullmatch(line)
        if m is None or m.group(2) in out:
            raise ValueError(
                f"{path.name} line {number} is not '<sha256>  <file name>' (or repeats a file)."
            )
        out[m.group(2)] = m.group(1)
    return out


def write_checksums(folder: Path, names: list[str]) -> None:
    """Write ``checksums.sha256`` for ``names`` in ``folder``."""
    lines = [f"{file_sha256(folder / name)}  {name}\n" for name in sorted(names)]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="ascii")


def npy_header(path: Path, dtype: str, ndim: int) -> tuple[tuple[int, ...], int]:
    """Shape and data offset of a ``.npy`` file, checked against ``dtype`` and ``ndim``.

    Only the header is read: a file claiming a huge shape, an object or
    structured dtype, or a size that does not match its header is refused
    before any data is read.
    """
    fmt = np.lib.format
    size = regular_file_size(path)
    with open(path, "rb") as fh:
        try:
            version = fmt.read_magic(fh)
            if version == (1, 0):
                shape, _, found = fmt.read_array_header_1_0(fh, max_header_size=_MAX_HEADER)
            elif version == (2, 0):
                shape, _, found = fmt.read_array_header_2_0(fh, max_header_size=_MAX_HEADER)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except Exception as err:
            # numpy parses the header with ast and tokenize: hostile bytes raise
            # ValueError, SyntaxError, tokenize.TokenError, TypeError... all mean "not ours".
            raise ValueError(
                f"{path.name} is not a plain numeric .npy array ({one_line(str(err))})."
            ) from None
        offset = fh.tell()
    if found.hasobject or found.fields is not None or found.str != dtype:
        raise ValueError(f"{path.name} holds {found.str} values, expected {dtype}.")
    if len(shape) != ndim or any(dim < 0 for dim in shape):
        raise ValueError(f"{path.name} has shape {shape}, expected {ndim} dimension(s).")
    elements = 1
    for dim in shape:
        elements *= dim
    if elements > MAX_ARRAY_ELEMENTS:
        raise ValueError(
            f"{path.name} claims shape {shape}: above the limit of {MAX_ARRAY_ELEMENTS} "
            "values per array."
        )
    if size != offset + elements * found.itemsize:
        raise ValueError(
            f"{path.name} is {size} bytes but its header describes {shape} {dtype} values "
            "(truncated or padded)."
        )
    return tuple(int(d) for d in shape), offset


def read_array(path: Path, dtype: str, ndim: int, digests: Mapping[str, str]) -> np.ndarray:
    """A checked array: header, then sha256 against every recorded digest, then data."""
    npy_header(path, dtype, ndim)
    actual = file_sha256(path)
    for source, digest in digests.items():
        if actual != digest:
            raise ValueError(
                f"{path.name} has sha256 {actual[:12]}…, {source} records {digest[:12]}…; "
                "the file was modified or truncated."
            )
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(f"{path.name} cannot be read ({one_line(str(err))}).") from None
    if not isinstance(arr, np.ndarray) or arr.dtype.str != dtype:
        raise ValueError(f"{path.name} is not a plain numeric .npy array.")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{path.name} holds NaN or infinite values.")
    if arr.dtype.kind == "f" and arr.size and float(np.abs(arr).max()) > MAX_ABS_VALUE:
        raise ValueError(
            f"{path.name} holds values above {MAX_ABS_VALUE:g} in magnitude (saved models "
            "hold unit vectors, idf weights and classifier weights of a few units)."
        )
    return arr
