"""scikit-learn parameters as plain JSON data, and back (for saved models).

A saved model stores the estimators it is made of by their parameters and
arrays, never as pickles; these two functions are the parameter half, shared
by the representations and the fast-path classifier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ModelError

__all__ = ["jsonable_params", "params_back"]


def jsonable_params(est: Any, what: str) -> dict[str, Any]:
    """An estimator's parameters as JSON; dtypes by name; callables are refused.

    >>> from sklearn.feature_extraction.text import HashingVectorizer
    >>> jsonable_params(HashingVectorizer(ngram_range=(3, 4)), "hasher")["ngram_range"]
    [3, 4]
    """
    out: dict[str, Any] = {}
    for key, value in est.get_params(deep=False).items():
        if key == "dtype":
            out[key] = np.dtype(value).name
        elif value is None or isinstance(value, (str, bool, int, float)):
            out[key] = value
        elif isinstance(value, tuple) and all(isinstance(v, (str, int, float)) for v in value):
            out[key] = list(value)
        else:
            raise ModelError(
                f"Cannot save the {what}: its parameter {key}={value!r} is not plain data."
            )
    return out


def params_back(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters written by :func:`jsonable_params`, ready for the estimator again."""
    out = dict(params)
    if "dtype" in out:
        out["dtype"] = np.dtype(out["dtype"]).type
    if isinstance(out.get("ngram_range"), list):
        out["ngram_range"] = tuple(out["ngram_range"])
    return out
