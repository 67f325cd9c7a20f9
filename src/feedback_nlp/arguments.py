"""The Python API's options: one naming scheme with the CLI, and values checked by type.

Every option of :class:`~feedback_nlp.config.AnalysisConfig` is a keyword of
:func:`feedback_nlp.analyze`, and so is every ``feedback-nlp analyze`` option
under its own name with ``_`` for ``-`` (:data:`ALIASES` maps the CLI names
that differ from the config's: ``--themes`` is ``themes``, ``--model`` is
``model``, a repeated ``--segment-col`` is ``segment_cols`` or ``segment_col``).
A column is also named by its role alone, as pandas users name them:
``score``, ``text``, ``id``, ``group``, ``date``, ``segments``, ``metrics``.

A list-valued option given one string means a list of that string
(``segment_cols="region"`` is ``["region"]``), never its letters.

Nothing here imports pandas: a DataFrame is recognised only once pandas is loaded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError, nearest

__all__ = [
    "ALIASES",
    "FRAME_NAME",
    "COMMENTS_FRAME_NAME",
    "is_frame",
    "resolve_options",
    "as_names",
    "as_column",
    "as_input",
    "as_choice",
    "as_count",
]

#: Other names of :class:`~feedback_nlp.config.AnalysisConfig` options: the CLI's
#: (``--themes``, ``--model``, ``--segment-col``...) and the roles of the columns.
ALIASES: dict[str, str] = {
    "score": "score_col",
    "text": "text_col",
    "id": "id_col",
    "group": "group_col",
    "date": "date_col",
    "segments": "segment_cols",
    "segment_col": "segment_cols",
    "metrics": "metric_cols",
    "metric_col": "metric_cols",
    "themes": "n_themes",
    "subthemes": "n_subthemes",
    "model": "model_path",
}
#: The CLI's switches that turn an option off: ``no_redact=True`` is ``redact=False``.
NEGATED: dict[str, str] = {
    "no_redact": "redact",
    "no_redact_names": "redact_names",
    "no_brand_detection": "brand_detection",
}

#: How messages and the outputs name a DataFrame given as the survey, and as its comments.
FRAME_NAME = "the DataFrame"
COMMENTS_FRAME_NAME = "the comments DataFrame"

E = TypeVar("E", bound=Enum)


def is_frame(value: Any) -> bool:
    """True for a pandas DataFrame (pandas is not imported to tell).

    >>> is_frame("survey.csv")
    False
    """
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.DataFrame)


def resolve_options(options: Mapping[str, Any], known: list[str], where: str) -> dict[str, Any]:
    """``options`` under the config's own names (``known``), aliases and negations resolved.

    Raises TypeError for a name that is not an option, or for two names of the same option.

    >>> resolve_options({"score": "NPS", "no_redact": True}, ["score_col", "redact"], "analyze()")
    {'score_col': 'NPS', 'redact': False}
    """
    out: dict[str, Any] = {}
    given: dict[str, str] = {}
    for name, value in options.items():
        if name in NEGATED:
            target, value = NEGATED[name], not value
        else:
            target = ALIASES.get(name, name)
        if target not in known:
            choices = sorted({*known, *ALIASES, *NEGATED})
            near = nearest(name, choices)
            hint = f"Did you mean {near!r}?" if near else f"Options: {', '.join(choices)}."
            raise TypeError(f"{where} got an unexpected keyword argument {name!r}. {hint}")
        if target in given:
            raise TypeError(
                f"{where} got both {given[target]!r} and {name!r}, two names of the same "
                "option: pass one of them."
            )
        given[target] = name
        out[target] = value
    return out


def as_names(value: Any, param: str, what: str = "column name") -> tuple[str, ...]:
    """A list-valued option as a tuple of strings: one string is a list of one.

    >>> as_names("region", "segment_cols"), as_names(["region", "plan"], "segment_cols")
    (('region',), ('region', 'plan'))
    >>> as_names(3, "segment_cols")
    Traceback (most recent call last):
    ...
    TypeError: segment_cols must be a column name or a list of column names, got int.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    expected = f"{param} must be a {what} or a list of {what}s"
    if isinstance(value, (bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{expected}, got {type(value).__name__}.")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{expected}, got a list holding {type(item).__name__} {item!r}.")
    return items


def as_column(value: Any, param: str) -> str | None:
    """A column option: a name (str) or None.

    >>> as_column(["score"], "score_col")
    Traceback (most recent call last):
    ...
    TypeError: score_col must be a column name (str) or None, got list.
    """
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{param} must be a column name (str) or None, got {type(value).__name__}.")


def as_input(value: Any, param: str, optional: bool = False) -> Any:
    """A file path (``str`` or ``os.PathLike``) or a pandas DataFrame, unchanged."""
    if (optional and value is None) or is_frame(value) or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return Path(value)
    alone = " or None" if optional else ""
    raise TypeError(
        f"{param} must be a file path or a pandas DataFrame{alone}, got {type(value).__name__}."
    )


def as_choice(value: Any, kind: type[E], param: str) -> E:
    """One of the choices of the str Enum ``kind``, given as the enum or its value.

    >>> from feedback_nlp.config import Representation
    >>> as_choice("TF-IDF", Representation, "representation")
    Traceback (most recent call last):
    ...
    feedback_nlp.errors.ConfigError: representation must be one of auto, minilm, tfidf; \
got 'TF-IDF'.
    """
    if isinstance(value, kind):
        return value
    choices = ", ".join(str(c.value) for c in kind)
    if not isinstance(value, str):
        raise TypeError(f"{param} must be one of {choices} (str), got {type(value).__name__}.")
    try:
        return kind(value.strip().lower())
    except ValueError:
        raise ConfigError(f"{param} must be one of {choices}; got {value!r}.") from None


def as_count(value: Any, param: str, auto: bool = True) -> int | None:
    """A whole number, or None (also given as ``"auto"``) when ``auto`` is allowed.

    >>> as_count("auto", "n_themes"), as_count(8, "n_themes")
    (None, 8)
    """
    if auto and (value is None or (isinstance(value, str) and value.strip().lower() == "auto")):
        return None
    if isinstance(value, str) and value.strip().isdigit():  # as the CLI reads it
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        if hasattr(value, "__index__") and not isinstance(value, bool):  # numpy integers
            return int(value.__index__())
        expected = "a whole number or 'auto'" if auto else "a whole number"
        raise TypeError(f"{param} must be {expected}, got {type(value).__name__} {value!r}.")
    return value
