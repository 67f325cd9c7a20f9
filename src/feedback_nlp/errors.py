"""The project's errors: one base class, a few subclasses, each a one-line message.

The CLI catches :class:`FeedbackError`, prints ``str(err)`` on one line and exits
with code 1, so every message must say what went wrong, where (file, row,
column) and how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "FeedbackError",
    "InputFileError",
    "ColumnError",
    "DataError",
    "ConfigError",
    "ModelError",
    "OutputError",
    "nearest",
]


class FeedbackError(Exception):
    """Base class of every error feedback-nlp raises on purpose."""


class InputFileError(FeedbackError):
    """An input file is missing, unreadable, empty, binary or malformed."""


class ColumnError(FeedbackError):
    """A named or required column is not in the input."""


class DataError(FeedbackError):
    """The input's values make analysis impossible (no valid score, duplicate ids...)."""


class ConfigError(FeedbackError):
    """An option or a combination of options is invalid."""


class ModelError(FeedbackError):
    """A saved theme model or codebook is missing, tampered, truncated or incompatible."""


class OutputError(FeedbackError):
    """An output folder or file cannot be written."""


def nearest(name: str, choices: Iterable[str]) -> str | None:
    """Return the choice closest to ``name`` (case-insensitive), or None.

    >>> nearest("scor", ["Score", "Comment"])
    'Score'
    """
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None
