"""Save and load a fitted :class:`ThemeModel` as a folder of plain data.

A saved model never executes code on load: it is JSON (parameters, theme ids,
labels, vocabulary, versions) and ``.npy`` arrays written and read with
``allow_pickle=False``. A model folder is treated as untrusted input (see the
README's "Security" section): ``checksums.sha256`` records the sha256 of
``model.json`` and of every array, ``model.json`` must pass the schema of
:mod:`~feedback_nlp.themes.model_schema` before anything is built, and each
array's header (dtype, rank, size caps) is checked before its data is read
(:mod:`~feedback_nlp.themes.model_files`). Any problem is one
:class:`~feedback_nlp.errors.ModelError` naming the folder (never a warning,
never a traceback). scikit-learn objects (TF-IDF vectoriser, SVD, hashing
vectoriser, linear classifier) are rebuilt by the tool's own constructors
from the checked values and arrays.

Layout of ``models/NAME/``::

    model.json            format, versions, params, themes, representation, files → sha256
    checksums.sha256      sha256 of model.json and every array (``sha256sum -c`` format)
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
    subcentroids.npy      (n_sub, d) unit sub-theme centroids, grouped by theme (may be (0, d))
    subparent.npy         (n_sub,) each sub-theme's theme (index into themes)
    submatch_centroids.npy (m_sub, d) sub-theme centroids the sub ids were given to
    fast_sub_*.npy        fast path: the sub-theme classifier (same four arrays, sub-theme indices)

``model.json`` lists the sub-themes (``subthemes``: id ``T03.2``, parent_id,
label, keywords, size), their match ids (``submatch_ids``) and the sub-theme
classifier's parameters (``fast_sub``).

Format version 1 (before ``checksums.sha256``) still loads when it passes
every other check, with a warning; a version 2 or 3 folder without the file is
refused. Versions 1 and 2 (before the sub-theme tree) load without sub-themes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError
from ..owned_folder import read_json
from .fastpath import fast_state
from .folders import (
    DEFAULT_MODELS_ROOT,
    file_sha256,
    model_folder,
    resolve_model_dir,
)
from .model_files import write_checksums
from .model_load import codebook_edited, load_model
from .model_schema import FORMAT_NAME, FORMAT_VERSION
from .tokenpath import RIDGE_ALPHA

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
    if any(getattr(model, name, None) is not None for name in ("protos_", "subprotos_")):
        raise ValueError(
            "this model has merges or moves applied without a re-fit, which are not saved; "
            "save the fitted model and keep the edits in its codebook.yaml, or apply them "
            "with `feedback-nlp fit DATA --codebook ... --previous ...`."
        )
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
    hasher = getattr(model, "hasher_", None)
    if getattr(model, "fast_", None) is not None and hasher is not None:
        fast_doc, fast_arrays = fast_state(model.fast_, hasher)
        arrays.update(_prefixed("fast", fast_arrays))
    fast_sub_doc: dict[str, Any] | None = None
    if fast_doc is not None and getattr(model, "fast_sub_", None) is not None:
        fast_sub_doc, fast_sub_arrays = fast_state(model.fast_sub_, hasher)
        arrays.update(_prefixed("fast_sub", fast_sub_arrays))
    token_path = getattr(model, "token_path_", None)
    if token_path is not None:
        arrays.update(_prefixed("token", token_path.arrays()))
    sub_ids, sub_cents = model.match_reference(subthemes=True)
    arrays.update(
        {
            "subcentroids.npy": np.asarray(model.subcentroids(), dtype=np.float32),
            "subparent.npy": np.asarray(model.subtheme_parents(), dtype=np.int64),
            "submatch_centroids.npy": np.asarray(sub_cents, dtype=np.float32),
        }
    )
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
        "subthemes": [
            {
                "theme_id": str(s["theme_id"]),
                "parent_id": str(s["parent_id"]),
                "label": str(s["label"]),
                "keywords": [str(k) for k in s["keywords"]],
                "size": int(s["size"]),
            }
            for s in model.subtheme_rows()
        ],
        "submatch_ids": [str(i) for i in sub_ids],
        "fast_sub": fast_sub_doc,
        "token_path": None if token_path is None else {"alpha": RIDGE_ALPHA},
    }
    return doc, arrays


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
    """Write the arrays, codebook.yaml, model.json (which records their checksums)
    and checksums.sha256 (model.json's and the arrays')."""
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
    write_checksums(tmp, ["model.json", *files])


def _edited_codebook(folder: Path) -> bool:
    """Was ``folder``'s ``codebook.yaml`` edited after its model was saved?

    A researcher edits the codebook of a saved model (names, merges, exclusions):
    replacing the model without it would lose that work. An unreadable
    ``model.json`` counts as not edited (the folder checks refuse what is not a model).
    """
    doc = read_json(folder / "model.json")
    return isinstance(doc, dict) and codebook_edited(folder, doc)


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
        The saved folder. An existing folder is replaced only when it holds a
        saved model and ``overwrite`` is true; a folder of other files is refused.
        The files are written into a private temporary folder inside it and
        moved in at the end (``model.json`` last), so a crash never leaves half
        a model, files that are not the model's are left alone, and the folder
        keeps its mode, owner and symbolic link (see
        :mod:`~feedback_nlp.themes.folders`).
    """
    from .codebook_file import codebook_from_model, dump_codebook

    target = resolve_model_dir(path, models_root, for_save=True)
    if overwrite and codebook is None and _edited_codebook(target):
        raise ModelError(
            f"{target / 'codebook.yaml'} was edited after the model was saved and --force "
            f"would replace it: pass --codebook {target / 'codebook.yaml'} to keep the "
            "edits, or move the file away."
        )
    doc, arrays = _state(model)
    codebook_text = dump_codebook(codebook_from_model(model, codebook))
    with model_folder(target, force=overwrite) as staging:
        try:
            _write_folder(staging, doc, arrays, codebook_text, training_info)
        except OSError as err:
            raise ModelError(f"Could not save the model to {target}: {err}") from None
    return target
