"""The schema of a saved model's ``model.json``, checked before anything is built.

A model folder is untrusted input: a user may load a model someone sent them.
:func:`check_model_doc` accepts only what :func:`~feedback_nlp.themes.save_model`
writes: known keys (an unknown one is refused), JSON types, ranges and
lengths, theme ids, and for the scikit-learn objects only the values the
tool's own constructors write (``make_vectorizer``, ``make_hasher``,
``make_classifier``), so a file can never choose ``input="filename"``, a
``token_pattern``, an ``analyzer``, a ``dtype`` or a callable. The few values
that legitimately vary (the seed, the hasher's ``n_features``, the TF-IDF
``min_df`` / ``max_df`` of a tiny survey) are checked against closed ranges.

:data:`ARRAYS` gives every ``.npy`` file's dtype and rank, and the ``MAX_*``
limits cap sizes, so that no file can make loading exhaust memory.

>>> check_model_doc({"format": "feedback-nlp-theme-model"})
Traceback (most recent call last):
...
feedback_nlp.themes.json_checks.SchemaIssue: format_version: missing (required).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .json_checks import (
    KEY,
    SAFE,
    Check,
    SchemaIssue,
    array_of,
    const,
    integer,
    join,
    mapping,
    nullable,
    number,
    obj,
    power_of_two,
    same,
    show,
    text,
)
from .tokenpath import TOKEN_ARRAYS

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "READABLE_VERSIONS",
    "TREE_VERSION",
    "TREE_ARRAYS",
    "SUB_ID",
    "REFIT_HINT",
    "SchemaIssue",
    "check_model_doc",
    "expected_arrays",
    "has_tree",
    "show",
    "ARRAYS",
    "MAX_THEMES",
    "MAX_SUBTHEMES",
    "MAX_VOCABULARY",
    "MAX_ARRAY_ELEMENTS",
    "MAX_DENSE_WEIGHTS",
    "MAX_SUB_DENSE_WEIGHTS",
    "MAX_JSON_BYTES",
    "MAX_TOTAL_ARRAY_BYTES",
]

FORMAT_NAME = "feedback-nlp-theme-model"
#: Version 2 added checksums.sha256 (over model.json and every array) and these
#: checks; version 1 folders (no checksums file) load if they pass the schema.
#: Version 3 added the sub-theme tree (``subthemes``, ``subcentroids.npy``...);
#: version 1 and 2 folders load as models without sub-themes. Version 4 added
#: the token path of MiniLM models (``token_path``, ``token_*.npy``) in place of
#: the hashed n-gram classifiers, and ``params.label_exclude``; earlier folders
#: keep their classifiers.
FORMAT_VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
#: The first version that carries the sub-theme tree.
TREE_VERSION = 3
#: Segment values a model keeps out of its labels: at most this many, this long.
MAX_LABEL_EXCLUDE = 5000
MAX_VALUE_CHARS = 100
#: The end of every message about a model that cannot be used.
REFIT_HINT = "Re-fit it with `feedback-nlp fit`."

#: Themes (and match ids) a model may have; the tool fits 5-15, a codebook adds a few.
MAX_THEMES = 1000
#: Sub-themes a model may have (the tool splits a 4,000-comment sample into at
#: most ~200: one per 20 comments).
MAX_SUBTHEMES = 10_000
#: TF-IDF vocabulary terms (a 4,000-comment sample has ~10-30k; the SVD basis,
#: 100 x terms, reaches MAX_ARRAY_ELEMENTS at ~335k).
MAX_VOCABULARY = 500_000
#: Elements of any one array (256 MB as float64).
MAX_ARRAY_ELEMENTS = 2**25
#: Bytes of all arrays together.
MAX_TOTAL_ARRAY_BYTES = 2**30
#: Elements of the fast-path classifier's dense weights (themes x hashed features).
MAX_DENSE_WEIGHTS = 2**25
#: The same for the sub-theme classifier: 256 sub-themes x 2**18 hashed features
#: (512 MB as float64), above the ~200 the tool can fit.
MAX_SUB_DENSE_WEIGHTS = 2**26
#: Size of model.json (vocabulary included: ~25 bytes a term). Parsed JSON takes up
#: to ~12x its size in memory (a file of floats), so this bounds loading near 200 MB.
MAX_JSON_BYTES = 16 * 2**20
#: Hashed features of the fast path: a power of two in this range (the tool writes 2**18).
HASHER_FEATURES = (2**10, 2**20)
SEED_RANGE = (0, 2**32 - 1)

#: A fast-path classifier's arrays (see :func:`~feedback_nlp.themes.fastpath.fast_state`).
_CLASSIFIER_ARRAYS: dict[str, tuple[str, int]] = {
    "coef_cols": ("<i8", 1),
    "coef_values": ("<f8", 2),
    "intercept": ("<f8", 1),
    "classes": ("<i8", 1),
}
_BASE_ARRAYS = ("centroids.npy", "mean.npy", "match_centroids.npy")
#: The sub-theme tree's arrays (format version 3).
TREE_ARRAYS = ("subcentroids.npy", "subparent.npy", "submatch_centroids.npy")

#: Array file -> (dtype as numpy writes it, number of dimensions).
ARRAYS: dict[str, tuple[str, int]] = {
    "centroids.npy": ("<f4", 2),
    "mean.npy": ("<f4", 1),
    "match_centroids.npy": ("<f4", 2),
    "tfidf_idf.npy": ("<f8", 1),
    "tfidf_components.npy": ("<f8", 2),
    **{f"fast_{name}.npy": spec for name, spec in _CLASSIFIER_ARRAYS.items()},
    "subcentroids.npy": ("<f4", 2),
    "subparent.npy": ("<i8", 1),
    "submatch_centroids.npy": ("<f4", 2),
    **{f"fast_sub_{name}.npy": spec for name, spec in _CLASSIFIER_ARRAYS.items()},
    # the token path of MiniLM models (format version 4)
    **{f"token_{name}.npy": spec for name, spec in TOKEN_ARRAYS.items()},
}

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
#: A sub-theme id: its theme's id, a dot, a number from 1 to 9999 (``T03.2``).
SUB_ID = re.compile(r"([A-Za-z][A-Za-z0-9_-]{0,31})\.([1-9][0-9]{0,3})")
_HEX64 = re.compile(r"[0-9a-f]{64}")


# -- the scikit-learn objects ------------------------------------------------


def estimator_params(written: Mapping[str, Any], varying: Mapping[str, Check]) -> Check:
    """Parameters of an estimator the tool builds: each key one the tool's
    constructor writes, with exactly its value (``written``), except the
    ``varying`` keys, checked by their own rule."""
    checks = {k: const(v) for k, v in written.items()}
    checks.update(varying)
    required = {k: checks[k] for k in varying}
    return obj(required, {k: c for k, c in checks.items() if k not in varying})


def _sklearn_checks() -> dict[str, Check]:
    from .fastpath import CLASSIFIER, make_classifier, make_hasher
    from .plain import jsonable_params
    from .representation import make_vectorizer

    seed = nullable(integer(*SEED_RANGE))
    vectorizer = estimator_params(
        jsonable_params(make_vectorizer(), "vectoriser"),
        {"min_df": const(2, 1), "max_df": const(0.5, 1.0)},
    )
    hasher = estimator_params(
        jsonable_params(make_hasher(), "hasher"), {"n_features": power_of_two(*HASHER_FEATURES)}
    )
    classifier = estimator_params(
        jsonable_params(make_classifier(0), "classifier"), {"random_state": seed}
    )
    fast = obj(
        {
            "classifier": const(CLASSIFIER),
            "params": classifier,
            "n_features": power_of_two(*HASHER_FEATURES),
            "hasher": hasher,
        }
    )
    return {"vectorizer": vectorizer, "fast": fast}


# -- the document ------------------------------------------------------------

_THEME_ID = text(32, _ID, "a theme id (a letter, then up to 31 letters, digits, _ or -)")
_SUB_THEME_ID = text(37, SUB_ID, "a sub-theme id (its theme's id, a dot and a number, e.g. T03.2)")
_SHA256 = text(64, _HEX64, "a sha256 hex digest")
_SCALAR = [
    const(None, True, False),
    integer(-(2**63), 2**63),
    number(-1e300, 1e300),
    text(100_000, controls=True),  # e.g. the input file's name, as the user spelled it
]


def _training_value(value: Any, where: str) -> None:
    """Facts about the training data (informational, never used to build the model)."""
    items = value if isinstance(value, list) else [value]
    if len(items) > 10_000:
        raise SchemaIssue(where, f"expected at most 10000 items, got {show(value)}.")
    for item in items:
        for check in _SCALAR:
            try:
                check(item, where)
                break
            except SchemaIssue:
                continue
        else:
            raise SchemaIssue(where, f"expected a number, string or null, got {show(item)}.")


def _subthemes_param(value: Any, where: str) -> None:
    """``"auto"`` or a number of sub-themes per theme (0: none)."""
    if same(value, "auto"):
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise SchemaIssue(where, f"expected 'auto' or an integer from 0 to 100, got {show(value)}.")


def _theme_params(tree: bool) -> Check:
    count = integer(1, MAX_THEMES)
    share = number(0.0, 1.0)
    # a model saved before the tree has no "subthemes" parameter (it loads without them)
    tree_param = {"subthemes": _subthemes_param} if tree else {}
    return obj(
        {
            **tree_param,
            "n_themes": nullable(count),
            "representation": const("auto", "minilm", "tfidf"),
            "random_state": nullable(integer(*SEED_RANGE)),
            "min_themes": count,
            "max_themes": count,
            # Texts embedded before the fast classifier takes over (the tool writes
            # 4,000): a file must not make every comment of a big survey embedded.
            "max_embed": integer(1, 100_000),
            "n_clusters": integer(1, 100_000),
            "min_theme_share": share,
            "membership_threshold": share,
            "none_quantile": share,
            "brand_terms": array_of(text(100), 1000),
            "n_threads": integer(1, 1024),
            "n_runs": integer(1, 1000),
        },
        # segment values never used as labels; a model saved before them has none
        {"label_exclude": array_of(text(MAX_VALUE_CHARS), MAX_LABEL_EXCLUDE)},
    )


def _representation(vectorizer: Check) -> dict[str, Check]:
    seed = nullable(integer(*SEED_RANGE))
    tfidf = obj(
        {
            "name": const("tfidf"),
            "version": obj(
                {
                    "name": const("tfidf"),
                    "n_components": integer(1, 4096),
                    "sklearn": text(40, SAFE, "a version number"),
                }
            ),
            "n_components": integer(1, 4096),
            "random_state": seed,
            "vectorizer": vectorizer,
            "vocabulary": mapping(text(100_000), integer(0, MAX_VOCABULARY - 1), MAX_VOCABULARY),
        }
    )
    minilm = obj(
        {
            "name": const("minilm"),
            "version": obj(
                {
                    "name": const("minilm"),
                    "model": const("all-MiniLM-L6-v2-onnx-int8"),
                    "sha256": _SHA256,
                }
            ),
            "n_threads": integer(1, 1024),
            "batch_size": integer(1, 4096),
            "max_length": integer(1, 512),
        }
    )
    return {"tfidf": tfidf, "minilm": minilm}


def _document(
    sk: Mapping[str, Check], format_name: str, versions: tuple[int, ...], tree: bool
) -> Check:
    """The document's check; ``tree``: the keys of the sub-theme tree (version 3)."""
    label = text(10_000)
    keywords = array_of(text(10_000), 1000)
    size = integer(0, 2**53)
    theme = obj({"theme_id": _THEME_ID, "label": label, "keywords": keywords, "size": size})
    subtheme = obj(
        {
            "theme_id": _SUB_THEME_ID,
            "parent_id": _THEME_ID,
            "label": label,
            "keywords": keywords,
            "size": size,
        }
    )
    reps = _representation(sk["vectorizer"])

    def representation(value: Any, where: str) -> None:
        name = value.get("name") if isinstance(value, dict) else None
        if not isinstance(name, str) or name not in reps:
            raise SchemaIssue(
                join(where, "name"), f"expected 'tfidf' or 'minilm', got {show(name)}."
            )
        reps[name](value, where)

    tree_keys: dict[str, Check] = {}
    if tree:
        tree_keys = {
            "subthemes": array_of(subtheme, MAX_SUBTHEMES),
            "submatch_ids": array_of(_SUB_THEME_ID, MAX_SUBTHEMES, unique=True),
            "fast_sub": nullable(sk["fast"]),
        }
    return obj(
        {
            "format": const(format_name),
            "format_version": const(*versions),
            "feedback_nlp_version": text(40, SAFE, "a version number"),
            "saved_at": text(40, SAFE, "a date and time"),
            "training": mapping(text(64, KEY, "a plain name"), _training_value, 64),
            "codebook_sha256": nullable(_SHA256),
            "params": _theme_params(tree),
            "themes": array_of(theme, MAX_THEMES, min_items=1),
            "n_themes": integer(1, MAX_THEMES),
            "none_threshold": number(-1.0, 1.0),
            "k_scores": mapping(
                text(4, re.compile(r"[0-9]{1,4}"), "a number of themes"),
                number(-1.0, 1.0),
                MAX_THEMES,
            ),
            "match_ids": array_of(_THEME_ID, MAX_THEMES, min_items=1, unique=True),
            "representation": representation,
            "fast": nullable(sk["fast"]),
            **tree_keys,
            "files": mapping(
                text(40, re.compile(r"[a-z][a-z0-9_]*\.npy"), "an array file name"),
                _SHA256,
                len(ARRAYS),
            ),
        },
        # the token path (version 4; a model of an earlier version has the classifier)
        {"token_path": nullable(obj({"alpha": number(0.0, 1e6)}))},
    )


def has_tree(doc: Mapping[str, Any]) -> bool:
    """Whether a document of a readable version carries the sub-theme tree."""
    version = doc.get("format_version")
    return isinstance(version, int) and not isinstance(version, bool) and version >= TREE_VERSION


def expected_arrays(doc: Mapping[str, Any]) -> dict[str, tuple[str, int]]:
    """The array files a (schema-checked) document must list, with dtype and rank."""
    names = set(_BASE_ARRAYS)
    names |= {n for n in ARRAYS if n.startswith(doc["representation"]["name"] + "_")}
    parts = [("fast", doc.get("fast"))]
    if has_tree(doc):
        names |= set(TREE_ARRAYS)
        parts.append(("fast_sub", doc.get("fast_sub")))
    for prefix, part in parts:
        if part is not None:
            names |= {f"{prefix}_{name}.npy" for name in _CLASSIFIER_ARRAYS}
    if doc.get("token_path") is not None:
        names |= {f"token_{name}.npy" for name in TOKEN_ARRAYS}
    return {name: ARRAYS[name] for name in sorted(names)}


def _check_classifier(doc: Mapping[str, Any], key: str, rows: int, cap: int, what: str) -> None:
    fast = doc.get(key)
    if fast is None:
        return
    if fast["n_features"] != fast["hasher"]["n_features"]:
        raise SchemaIssue(f"{key}.n_features", f"differs from {key}.hasher.n_features.")
    if rows * fast["n_features"] > cap:
        raise SchemaIssue(
            f"{key}.n_features",
            f"{rows} {what} x {fast['n_features']} hashed features exceed the cap "
            f"of {cap} classifier weights.",
        )


def _tree_consistency(doc: Mapping[str, Any]) -> None:
    """The sub-theme tree against the themes (types are already checked)."""
    theme_ids = [t["theme_id"] for t in doc["themes"]]
    position = {tid: g for g, tid in enumerate(theme_ids)}
    subs = doc["subthemes"]
    last = -1
    for i, sub in enumerate(subs):
        where = f"subthemes[{i}]"
        parent, number = SUB_ID.fullmatch(sub["theme_id"]).groups()  # type: ignore[union-attr]
        if sub["parent_id"] not in position:
            raise SchemaIssue(
                f"{where}.parent_id", f"{show(sub['parent_id'])} is not one of the themes."
            )
        if parent != sub["parent_id"]:
            raise SchemaIssue(
                f"{where}.theme_id",
                f"{show(sub['theme_id'])} is not an id under its parent {show(sub['parent_id'])}.",
            )
        if position[parent] < last:
            raise SchemaIssue("subthemes", "are not grouped by theme in the themes' order.")
        last = position[parent]
    ids = [s["theme_id"] for s in subs]
    if len(set(ids)) != len(ids):
        raise SchemaIssue("subthemes", "two sub-themes have the same theme_id.")
    known = set(theme_ids) | set(doc["match_ids"])
    for i, sid in enumerate(doc["submatch_ids"]):
        if SUB_ID.fullmatch(sid).group(1) not in known:  # type: ignore[union-attr]
            raise SchemaIssue(
                f"submatch_ids[{i}]", f"{show(sid)} is under no theme or match id of the model."
            )
    fast, fast_sub = doc.get("fast"), doc.get("fast_sub")
    if fast_sub is not None and fast is None:
        raise SchemaIssue("fast_sub", "is given without fast, whose hasher it uses.")
    if fast_sub is not None and fast is not None and fast_sub["n_features"] != fast["n_features"]:
        raise SchemaIssue(
            "fast_sub.n_features", "differs from fast.n_features (they share one hasher)."
        )
    _check_classifier(doc, "fast_sub", len(subs), MAX_SUB_DENSE_WEIGHTS, "sub-themes")


def _consistency(doc: Mapping[str, Any]) -> None:
    """Rules between fields (types are already checked)."""
    themes = doc["themes"]
    if doc["n_themes"] != len(themes):
        raise SchemaIssue("n_themes", f"is {doc['n_themes']} but {len(themes)} themes are listed.")
    ids = [t["theme_id"] for t in themes]
    if len(set(ids)) != len(ids):
        raise SchemaIssue("themes", "two themes have the same theme_id.")
    _check_classifier(doc, "fast", len(themes), MAX_DENSE_WEIGHTS, "themes")
    if has_tree(doc):
        _tree_consistency(doc)
    expected = set(expected_arrays(doc))
    listed = set(doc["files"])
    if listed != expected:
        wrong = sorted(listed - expected) or sorted(expected - listed)
        problem = "lists an unexpected file" if listed - expected else "does not list"
        raise SchemaIssue(
            "files", f"{problem} {show(wrong[0])}; expected {', '.join(sorted(expected))}."
        )


def check_model_doc(
    doc: Any, format_name: str = FORMAT_NAME, versions: tuple[int, ...] = READABLE_VERSIONS
) -> None:
    """Check a parsed ``model.json`` against the schema.

    Nothing is built and no array is read: this runs before both.

    Parameters
    ----------
    doc : object
        The parsed JSON document (anything: it is untrusted).
    format_name : str
        The ``format`` value expected.
    versions : tuple of int
        The ``format_version`` values accepted.

    Raises
    ------
    SchemaIssue
        The first problem found: its key path (``fast.hasher.n_features``) and
        what is wrong, on one line, quoting values only when they are plain
        characters (see :func:`show`).
    """
    tree = isinstance(doc, dict) and has_tree(doc)
    _document(_sklearn_checks(), format_name, versions, tree)(doc, "")
    _consistency(doc)
