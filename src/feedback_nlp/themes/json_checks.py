"""Small composable checks of untrusted JSON, each naming the key path and the problem.

Each check is a function ``check(value, where)`` that raises
:class:`SchemaIssue` (``where``: a key path such as ``fast.hasher.n_features``).
Messages quote a value only when it is plain characters (:func:`show`), so
nothing read from a file brings markup or control characters to a terminal.

>>> obj({"n": integer(1, 3)})({"n": 5}, "")
Traceback (most recent call last):
...
feedback_nlp.themes.json_checks.SchemaIssue: n: expected an integer from 1 to 3, got 5.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "Check",
    "SchemaIssue",
    "SAFE",
    "KEY",
    "show",
    "join",
    "integer",
    "number",
    "text",
    "same",
    "const",
    "nullable",
    "array_of",
    "mapping",
    "obj",
    "power_of_two",
]

SAFE = re.compile(r"[A-Za-z0-9_ .:/+-]{0,40}")
KEY = re.compile(r"[A-Za-z0-9_]{1,40}")
#: Unicode category Cc: C0 and C1 controls (terminal escape sequences start with one).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

Check = Callable[[Any, str], None]


class SchemaIssue(ValueError):
    """``model.json`` breaks the schema: where (a key path) and what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where or 'model.json'}: {problem}")
        self.where = where
        self.problem = problem


def show(value: Any) -> str:
    """A short, safe rendering of a value read from a file, for a one-line message.

    Strings are quoted only when made of plain characters (no markup, control
    or bidi characters reach the terminal); anything else is described.

    >>> show("content"), show("[/]"), show(2**36), show([1, 2])
    ("'content'", 'a string of 3 characters', '68719476736', 'a list of 2 items')
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 40 else f"a number of {len(text)} digits"
    if isinstance(value, str):
        return repr(value) if SAFE.fullmatch(value) else f"a string of {len(value)} characters"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"an object with {len(value)} keys"
    return f"a {type(value).__name__}"


def _key_name(key: Any) -> str:
    return key if isinstance(key, str) and KEY.fullmatch(key) else show(key)


def join(where: str, key: str) -> str:
    """``where.key`` (or ``key`` at the top level)."""
    return f"{where}.{key}" if where else key


# -- checks ------------------------------------------------------------------


def integer(lo: int, hi: int) -> Check:
    """An int (not a bool) in ``[lo, hi]``."""

    def check(value: Any, where: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise SchemaIssue(where, f"expected an integer from {lo} to {hi}, got {show(value)}.")

    return check


def number(lo: float, hi: float) -> Check:
    """A finite int or float (not a bool) in ``[lo, hi]``."""

    def check(value: Any, where: str) -> None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not lo <= value <= hi:
            raise SchemaIssue(where, f"expected a number from {lo} to {hi}, got {show(value)}.")

    return check


def text(
    max_len: int, pattern: re.Pattern[str] | None = None, what: str = "", controls: bool = False
) -> Check:
    """A string of at most ``max_len`` characters, matching ``pattern`` (described
    as ``what``) when given, without control characters unless ``controls``."""

    def check(value: Any, where: str) -> None:
        if not isinstance(value, str) or len(value) > max_len:
            raise SchemaIssue(
                where, f"expected a string of at most {max_len} characters, got {show(value)}."
            )
        if pattern is not None and not pattern.fullmatch(value):
            raise SchemaIssue(where, f"expected {what}, got {show(value)}.")
        if not controls and _CONTROL.search(value):
            raise SchemaIssue(where, "holds control characters.")

    return check


def same(a: Any, b: Any) -> bool:
    """JSON equality that tells 1, 1.0 and True apart."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def const(*allowed: Any) -> Check:
    """One of ``allowed`` (same JSON type and value)."""

    def check(value: Any, where: str) -> None:
        if not any(same(value, a) for a in allowed):
            choices = " or ".join(show(a) for a in allowed)
            raise SchemaIssue(where, f"expected {choices}, got {show(value)}.")

    return check


def nullable(inner: Check) -> Check:
    """``None`` or what ``inner`` accepts."""

    def check(value: Any, where: str) -> None:
        if value is not None:
            inner(value, where)

    return check


def array_of(item: Check, max_items: int, min_items: int = 0, unique: bool = False) -> Check:
    """A list of ``min_items`` to ``max_items`` items, each accepted by ``item``."""

    def check(value: Any, where: str) -> None:
        if not isinstance(value, list) or not min_items <= len(value) <= max_items:
            raise SchemaIssue(
                where, f"expected a list of {min_items} to {max_items} items, got {show(value)}."
            )
        for i, v in enumerate(value):
            item(v, f"{where}[{i}]")
        if unique and len({str(v) for v in value}) != len(value):
            raise SchemaIssue(where, "holds the same value twice.")

    return check


def mapping(key: Check, value: Check, max_items: int) -> Check:
    """An object of at most ``max_items`` entries, keys and values checked."""

    def check(doc: Any, where: str) -> None:
        if not isinstance(doc, dict) or len(doc) > max_items:
            raise SchemaIssue(
                where, f"expected an object of at most {max_items} entries, got {show(doc)}."
            )
        for k, v in doc.items():
            key(k, where)
            value(v, join(where, _key_name(k)))

    return check


def obj(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    """An object with exactly the ``required`` keys and some of the ``optional`` ones."""
    optional = optional or {}

    def check(doc: Any, where: str) -> None:
        if not isinstance(doc, dict):
            raise SchemaIssue(where, f"expected an object, got {show(doc)}.")
        unknown = [k for k in doc if k not in required and k not in optional]
        if unknown:
            valid = ", ".join(sorted({**required, **optional}))
            raise SchemaIssue(
                join(where, _key_name(unknown[0])), f"unknown key; valid keys: {valid}."
            )
        for k, inner in {**required, **optional}.items():
            if k in doc:
                inner(doc[k], join(where, k))
            elif k in required:
                raise SchemaIssue(join(where, k), "missing (required).")

    return check


def power_of_two(lo: int, hi: int) -> Check:
    """An int power of two in ``[lo, hi]``."""

    def check(value: Any, where: str) -> None:
        integer(lo, hi)(value, where)
        if value & (value - 1):
            raise SchemaIssue(where, f"expected a power of two, got {show(value)}.")

    return check
