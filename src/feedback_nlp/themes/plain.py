"""scikit-learn parameters as plain JSON data (for saved models).

A saved model stores the estimators it is made of by their parameters and
arrays, never as pickles; this function is the parameter half, shared by the
representations and the fast-path classifier. Loading never passes
these parameters back to scikit-learn: the estimators are rebuilt by the
tool's own constructors (``make_vectorizer``, ``make_hasher``,
``make_classifier``) after :mod:`~feedback_nlp.themes.model_schema` checked
every saved value against what they write.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ModelError

__all__ = ["jsonable_params"]


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
