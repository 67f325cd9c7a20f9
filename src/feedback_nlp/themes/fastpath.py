"""The fast path of TF-IDF models (and of MiniLM models saved before format
version 4): theme scores from a linear classifier on hashed character n-grams.

Above ``max_embed`` distinct texts, :class:`~feedback_nlp.themes.ThemeModel`
does not embed every text: a classifier trained on the embedded sample's
themes scores the rest, chunk by chunk, over the cores. MiniLM models fitted
now take the token path instead (:mod:`~feedback_nlp.themes.tokenpath`). Its state is saved
as plain data (parameters and the non-zero weight columns), never pickled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..parallel import map_with_state
from .plain import jsonable_params

__all__ = [
    "hashed_ngrams",
    "make_hasher",
    "make_classifier",
    "fit_classifier",
    "fit_fast",
    "fit_fast_sub",
    "fast_scores",
    "fast_state",
    "fast_from_state",
    "FAST_ARRAYS",
    "CLASSIFIER",
]

#: Texts per chunk of the fast path (bounds the sparse matrix of one chunk).
_FAST_CHUNK = 50_000
#: The classifier a saved fast path names (the only one :func:`fit_fast` trains).
CLASSIFIER = "SGDClassifier"
#: Hashed features of the fast path (2**18: few collisions among character
#: 3-4-grams, and the classifier's dense weights stay ~2 MB per theme).
N_FEATURES = 2**18
#: Arrays of a saved fast path (name -> number of dimensions).
FAST_ARRAYS = {"coef_cols": 1, "coef_values": 2, "intercept": 1, "classes": 1}


def hashed_ngrams(hasher: Any, texts: Sequence[str]) -> Any:
    """``hasher.transform(texts)`` for a character-within-word hasher, word by word.

    Its n-grams never cross a word border, so a text's counts are the sum of
    its words' counts: each distinct word is hashed once and a sparse product
    adds them up. Same matrix, bit for bit (integer counts, then the same
    normalisation), ~7x faster than sklearn's per-text Python analyzer.
    """
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
    from sklearn.preprocessing import normalize

    params = hasher.get_params()
    if (
        params["analyzer"] != "char_wb"
        or params["preprocessor"]
        or params["strip_accents"]
        or params["binary"]
        or params["input"] != "content"
    ):
        return hasher.transform(texts)
    lower = params["lowercase"]
    words = CountVectorizer(analyzer=str.split, lowercase=False)
    try:
        per_word = words.fit_transform([t.lower() if lower else t for t in texts])
    except ValueError:  # no words at all
        return hasher.transform(texts)
    counts = HashingVectorizer(**{**params, "norm": None}).transform(
        list(words.get_feature_names_out())
    )
    x = (per_word @ counts).tocsr().astype(params["dtype"], copy=False)
    x.sort_indices()
    return normalize(x, norm=params["norm"], copy=False) if params["norm"] else x


def make_hasher(n_features: int = N_FEATURES) -> Any:
    """The fast path's hashing vectoriser: every other parameter is fixed here.

    A saved model's hasher is rebuilt by this function too (only
    ``n_features`` is read from the file, after the schema checked it).
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    # Character 3-4-grams within words: on SemEval with 1,500 of 3,032
    # sentences embedded, they agree with the embedding's themes on 69-71%
    # of the rest against 66-70% for word 1-2-grams (NMI +0.01 to +0.03),
    # at half the speed (15k against 30k comments/s).
    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 4),
        n_features=n_features,
        alternate_sign=False,
        norm="l2",
    )


def make_classifier(seed: int) -> Any:
    """The fast path's classifier (unfitted); a saved one is rebuilt by it too."""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=30, tol=None, random_state=seed)


def fit_classifier(
    x: Any, labels: np.ndarray, w: np.ndarray, seed: int, sparse: bool = False
) -> Any:
    """:func:`make_classifier` fitted on the hashed n-grams ``x`` (CSR), trained
    on the columns some text uses only; ``coef_`` is then widened back to every
    column (a CSR matrix with ``sparse``, else dense).

    Same weights as fitting on all of ``x``: a weight on a column no text has
    starts at 0 and L2 only ever shrinks it, so it stays 0. But each fit no
    longer sweeps 2**18 dense weights per class: the ~150 small fits of the
    sub-theme classifier took twice as long before.
    """
    import scipy.sparse as sp

    cols = np.flatnonzero(np.diff(x.tocsc().indptr))
    clf = make_classifier(seed).fit(x[:, cols], labels, sample_weight=w)
    c = np.asarray(clf.coef_)
    if sparse:
        r, k = np.nonzero(c)
        clf.coef_ = sp.csr_matrix((c[r, k], (r, cols[k])), shape=(len(c), x.shape[1]))
    else:
        clf.coef_ = np.zeros((len(c), x.shape[1]), dtype=c.dtype)
        clf.coef_[:, cols] = c
    clf.n_features_in_ = x.shape[1]
    return clf


def fit_fast(
    texts: Sequence[str] | np.ndarray, labels: np.ndarray, w: np.ndarray, seed: int
) -> tuple[Any, Any]:
    """The hasher and the classifier trained on ``texts``' themes ``labels``."""
    hasher = make_hasher()
    return hasher, fit_classifier(hashed_ngrams(hasher, list(texts)), labels, w, seed)


def fit_fast_sub(x: Any, labels: np.ndarray, parents: np.ndarray, w: np.ndarray, seed: int) -> Any:
    """The fast path's sub-theme classifier: one-vs-rest weights trained theme by
    theme, each theme's children on that theme's texts only, stacked into one
    classifier (classes: sub-theme indices). None with fewer than two classes.

    ``x``: hashed n-grams of the texts, ``labels`` their sub-theme (index into
    ``parents``, -1 for none). Scoring (:func:`_fast_sub_scores`) only ever
    compares the children of one theme, so the blocks need not be trained
    together; trained together, 150 one-vs-rest problems over all 4,000
    texts took ~20 s against ~2 s this way.
    """
    import scipy.sparse as sp

    has = labels >= 0
    classes = np.unique(labels[has])
    if len(classes) < 2:
        return None
    if len(classes) == 2:
        return fit_classifier(x[has], labels[has], w[has], seed)
    clf = make_classifier(seed)
    blocks: list[Any] = []
    intercept = np.zeros(len(classes))
    for g in np.unique(parents[classes]):
        pos = np.flatnonzero(parents[classes] == g)
        rows = np.flatnonzero(np.isin(labels, classes[pos]))
        if len(pos) < 2:  # an only child: a constant score, renormalised to 1 within its theme
            blocks.append(sp.csr_matrix((1, x.shape[1])))
            continue
        one = fit_classifier(x[rows], labels[rows], w[rows], seed, sparse=True)
        c, b = one.coef_, np.asarray(one.intercept_)
        if len(pos) == 2:  # binary: one weight row, for the second class
            c, b = sp.vstack([-c, c], format="csr"), np.r_[-b, b]
        blocks.append(c)
        intercept[pos] = b
    # Sparse weights (sklearn's ``sparsify``): a theme's block is non-zero only on
    # the n-grams of its own texts; dense, 150 rows of 2**18 weights are 300 MB.
    clf.coef_ = sp.vstack(blocks, format="csr")
    clf.intercept_, clf.classes_ = intercept, classes
    clf.n_features_in_ = x.shape[1]
    return clf


def _fast_chunk(state: tuple[Any, bool], chunk: list[str]) -> tuple[np.ndarray, Any]:
    """Fast-path theme (and, when asked, sparse sub-theme) scores of one chunk of texts."""
    import scipy.sparse as sp

    model, subthemes = state
    x = hashed_ngrams(model.hasher_, chunk)
    s = np.zeros((len(chunk), model.n_themes_), dtype=np.float32)
    s[:, model.fast_.classes_] = model.fast_.predict_proba(x)
    # sparse: a text has scores only for the children of its likely themes
    sub = sp.csr_matrix(_fast_sub_scores(model, x, s)) if subthemes else None
    return s, sub


def _fast_sub_scores(model: Any, x: Any, s: np.ndarray) -> np.ndarray:
    """Fast-path sub-theme scores: P(theme) * P(sub-theme | theme), for the
    children of the themes each text may belong to (score at least
    ``membership_threshold`` times its best), 0 elsewhere.

    The sub-theme classifier is one-vs-rest; only the rows of a theme's
    children are evaluated, on the texts of that theme: the cost follows the
    children per theme (~10), not every sub-theme of the tree (~100-150),
    which on a million comments is the difference between seconds and minutes.
    """
    parents = model.subtheme_parents()
    sub = np.zeros((s.shape[0], len(parents)), dtype=np.float32)
    fast_sub = getattr(model, "fast_sub_", None)
    if fast_sub is None:
        return sub
    classes = np.asarray(fast_sub.classes_, dtype=np.int64)
    if len(classes) == 2:  # one weight row: the classifier's own probabilities
        sub[:, classes] = fast_sub.predict_proba(x)
        rows = np.arange(len(classes))
    else:
        rows = None
    near = s >= model.membership_threshold * s.max(axis=1, keepdims=True)
    for g in np.unique(parents[classes]):
        kids = np.flatnonzero(parents[classes] == g)  # positions in classes_
        texts = np.flatnonzero(near[:, g])
        if not len(texts):
            continue
        if rows is None:
            z = x[texts] @ fast_sub.coef_[kids].T
            z = (z.toarray() if hasattr(z, "toarray") else np.asarray(z)) + fast_sub.intercept_[
                kids
            ]
            p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        else:
            p = sub[np.ix_(texts, classes[kids])]
        p = p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)
        sub[np.ix_(texts, classes[kids])] = p * s[texts, g][:, None]
    return sub


def fast_scores(model: Any, texts: np.ndarray, subthemes: bool = False) -> tuple[np.ndarray, Any]:
    """Classifier probabilities ``(len(texts), n_themes_)`` and, with ``subthemes``,
    a sparse CSR ``(len(texts), n_subthemes)``, chunk-wise, over the cores."""
    import scipy.sparse as sp

    parts = map_with_state(
        _fast_chunk, (model, subthemes), texts, _FAST_CHUNK, model.n_threads, "assigning themes"
    )
    subs = [p[1] for p in parts]
    return np.vstack([p[0] for p in parts]), (sp.vstack(subs, format="csr") if subthemes else None)


def fast_state(clf: Any, hasher: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A fitted classifier and its hasher as JSON and arrays (the non-zero weight columns)."""
    if hasattr(clf.coef_, "tocsc"):  # sparse weights (the sub-theme classifier)
        csc = clf.coef_.tocsc()
        cols = np.flatnonzero(np.diff(csc.indptr)).astype(np.int64)
        coef_cols = csc[:, cols].toarray().astype(np.float64)
        doc_shape = csc.shape
    else:
        coef = np.asarray(clf.coef_, dtype=np.float64)
        cols = np.flatnonzero(np.any(coef != 0, axis=0)).astype(np.int64)
        coef_cols = coef[:, cols]
        doc_shape = coef.shape
    doc = {
        "classifier": type(clf).__name__,
        "params": jsonable_params(clf, "fast-path classifier"),
        "n_features": int(doc_shape[1]),
        "hasher": jsonable_params(hasher, "hashing vectoriser"),
    }
    arrays = {
        "coef_cols": cols,
        "coef_values": coef_cols,
        "intercept": np.asarray(clf.intercept_, dtype=np.float64),
        "classes": np.asarray(clf.classes_, dtype=np.int64),
    }
    return doc, arrays


def fast_from_state(
    doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray], n_themes: int, sparse: bool = False
) -> tuple[Any, Any]:
    """The classifier and hasher :func:`fast_state` describes, for ``n_themes`` themes.

    ``sparse`` rebuilds the weights as a sparse matrix (the sub-theme classifier,
    as :func:`fit_fast_sub` made it) rather than ``n_rows`` dense rows of
    ``n_features``.

    ``doc`` has passed :func:`~feedback_nlp.themes.model_schema.check_model_doc`:
    the estimators are built by :func:`make_hasher` and :func:`make_classifier`,
    reading only ``n_features`` and the seed from it, never other parameters.
    Raises ValueError naming an unknown classifier or inconsistent shapes.
    """
    kind = doc.get("classifier")
    if kind != CLASSIFIER:
        raise ValueError(f"unknown fast-path classifier; known: {CLASSIFIER}.")
    hasher = make_hasher(int(doc["hasher"]["n_features"]))
    n_features = int(doc["n_features"])
    cols, values = arrays["coef_cols"], arrays["coef_values"]
    intercept, classes = arrays["intercept"], arrays["classes"]
    n_rows = values.shape[0]
    if (
        n_features != hasher.n_features
        or values.shape[1] != len(cols)
        or len(intercept) != n_rows
        or (len(cols) and (cols.min() < 0 or cols.max() >= n_features))
        or len(np.unique(cols)) != len(cols)
        or (len(classes) and (classes.min() < 0 or classes.max() >= n_themes))
        or len(np.unique(classes)) != len(classes)
        or len(classes) < 2
        or n_rows != (1 if len(classes) == 2 else len(classes))
    ):
        raise ValueError(
            f"inconsistent shapes: fast-path classifier weights {values.shape}, columns "
            f"{cols.shape}, intercept {intercept.shape}, {len(classes)} classes for "
            f"{n_themes} themes and {n_features} hashed features."
        )
    if sparse and n_rows > 1:
        import scipy.sparse as sp

        r, c = np.nonzero(values)
        coef: Any = sp.csr_matrix(
            (values[r, c].astype(np.float64), (r, cols[c])), shape=(n_rows, n_features)
        )
    else:
        coef = np.zeros((n_rows, n_features), dtype=np.float64)
        coef[:, cols] = values
    clf = make_classifier(doc["params"]["random_state"])
    clf.coef_, clf.intercept_ = coef, intercept.astype(np.float64)
    clf.classes_ = classes.astype(np.int64)
    clf.n_features_in_ = n_features
    return clf, hasher
