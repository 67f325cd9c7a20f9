"""Saved models are untrusted input: every tampered folder is refused with one line.

Each case copies a small saved model, tampers with it, and (unless it tests
the checksums themselves) recomputes every checksum as an attacker who knows
the format would, so that the schema, header and shape checks are what must
catch it. Each must raise :class:`ModelError` naming the folder, on one line,
and ``feedback-nlp analyze --model`` must exit 1 with that line, no traceback.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from _model_folders import edit_doc, make_texts, read_doc, reseal, sha256, tree_model, write_sums
from feedback_nlp.cli import app
from feedback_nlp.errors import ModelError
from feedback_nlp.themes import ThemeModel, load_model, save_model
from feedback_nlp.themes.model_schema import SchemaIssue, check_model_doc, show

Tamper = Callable[[Path], None]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = ThemeModel(n_themes=4, representation="tfidf", n_clusters=10).fit(make_texts())
    return save_model(model, tmp_path_factory.mktemp("models") / "small")


@pytest.fixture(scope="module")
def tree_pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved model with sub-themes (12, three a theme) and the sub-theme classifier."""
    return save_model(tree_model(), tmp_path_factory.mktemp("models") / "tree")


def _copy(pristine: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "models" / "copy"
    shutil.copytree(pristine, folder)
    return folder


# -- ways to tamper ----------------------------------------------------------


def doc_edit(change: Callable[[dict[str, Any]], Any], seal: bool = True) -> Tamper:
    return lambda folder: edit_doc(folder, change, seal=seal)


def setter(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def deleter(*path: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


def raw_json(rewrite: Callable[[str], str], seal: bool = True) -> Tamper:
    def tamper(folder: Path) -> None:
        meta = folder / "model.json"
        meta.write_text(rewrite(meta.read_text(encoding="utf-8")), encoding="utf-8")
        if seal:
            reseal(folder)

    return tamper


def raw_bytes(name: str, rewrite: Callable[[bytes], bytes], seal: bool = True) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / name
        path.write_bytes(rewrite(path.read_bytes()))
        if seal:
            reseal(folder)

    return tamper


def new_array(name: str, make: Callable[[np.ndarray], np.ndarray]) -> Tamper:
    def tamper(folder: Path) -> None:
        old = np.load(folder / name, allow_pickle=False)
        np.save(folder / name, make(old), allow_pickle=True)
        reseal(folder)

    return tamper


def npy_with_header(name: str, header: str, data: bytes = b"") -> Tamper:
    """A .npy file with a hand-written header (version 1.0)."""

    def tamper(folder: Path) -> None:
        text = header.encode("latin1")
        pad = 64 - (10 + len(text) + 1) % 64
        body = text + b" " * pad + b"\n"
        blob = b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body + data
        (folder / name).write_bytes(blob)
        reseal(folder)

    return tamper


def swap(a: str, b: str, seal: bool) -> Tamper:
    def tamper(folder: Path) -> None:
        tmp = folder / "swap.tmp"
        (folder / a).rename(tmp)
        (folder / b).rename(folder / a)
        tmp.rename(folder / b)
        if seal:
            reseal(folder)

    return tamper


def symlink_out(name: str) -> Tamper:
    def tamper(folder: Path) -> None:
        outside = folder.parent.parent / f"outside-{name}"
        shutil.copy(folder / name, outside)
        (folder / name).unlink()
        (folder / name).symlink_to(outside)

    return tamper


def unlink(name: str) -> Tamper:
    return lambda folder: (folder / name).unlink()


def fifo(name: str) -> Tamper:
    def tamper(folder: Path) -> None:
        (folder / name).unlink()
        os.mkfifo(folder / name)

    return tamper


def sums_edit(rewrite: Callable[[str], str]) -> Tamper:
    def tamper(folder: Path) -> None:
        path = folder / "checksums.sha256"
        path.write_text(rewrite(path.read_text()))

    return tamper


def as_version(doc: dict[str, Any], version: int) -> None:
    """Make ``doc`` a document of format ``version`` 1 or 2: no sub-theme tree."""
    doc["format_version"] = version
    for key in ("subthemes", "submatch_ids", "fast_sub"):
        doc.pop(key, None)
    doc["params"].pop("subthemes", None)
    for name in list(doc["files"]):
        if name.startswith(("sub", "fast_sub_")):
            del doc["files"][name]


def downgrade_and(change: Callable[[dict[str, Any]], Any]) -> Tamper:
    """Claim format version 1 (no checksums file), then tamper: the schema still applies."""

    def tamper(folder: Path) -> None:
        edit_doc(folder, lambda d: (as_version(d, 1), change(d)))
        (folder / "checksums.sha256").unlink()

    return tamper


def huge_file(name: str, size: int) -> Tamper:
    def tamper(folder: Path) -> None:
        with open(folder / name, "r+b") as fh:
            fh.truncate(size)  # sparse: no disk used

    return tamper


def _first_term(doc: dict[str, Any]) -> str:
    return sorted(doc["representation"]["vocabulary"])[0]


def _dup_index(doc: dict[str, Any]) -> None:
    vocab = doc["representation"]["vocabulary"]
    a, b = sorted(vocab)[:2]
    vocab[b] = vocab[a]


def _empty_vocabulary(folder: Path) -> None:
    edit_doc(folder, lambda d: d["representation"].update(vocabulary={}), seal=False)
    d = np.load(folder / "tfidf_components.npy").shape[0]
    np.save(folder / "tfidf_idf.npy", np.zeros(0, dtype=np.float64))
    np.save(folder / "tfidf_components.npy", np.zeros((d, 0), dtype=np.float64))
    reseal(folder)


REP = ("representation",)
VEC = (*REP, "vectorizer")
HASHER = ("fast", "hasher")
CLF = ("fast", "params")
BIG_HASHER = doc_edit(
    lambda d: (setter(*HASHER, "n_features", value=2**36)(d), d["fast"].update(n_features=2**36))
)

#: id -> (tampering, a fragment the one-line message must contain)
CASES: dict[str, tuple[Tamper, str]] = {
    # scikit-learn parameters a file must never choose
    "vectorizer input=filename": (
        doc_edit(setter(*VEC, "input", value="filename")),
        "representation.vectorizer.input: expected 'content', got 'filename'.",
    ),
    "vectorizer input=file": (doc_edit(setter(*VEC, "input", value="file")), "vectorizer.input"),
    "crafted token_pattern": (
        doc_edit(setter(*VEC, "token_pattern", value="(a+)+$")),
        "vectorizer.token_pattern: expected",
    ),
    "vectorizer analyzer": (
        doc_edit(setter(*VEC, "analyzer", value="char")),
        "vectorizer.analyzer: expected 'word'",
    ),
    "vectorizer dtype": (doc_edit(setter(*VEC, "dtype", value="object")), "vectorizer.dtype"),
    "vectorizer preprocessor": (
        doc_edit(setter(*VEC, "preprocessor", value="os.system")),
        "vectorizer.preprocessor: expected None",
    ),
    "vectorizer tokenizer": (
        doc_edit(setter(*VEC, "tokenizer", value="builtins.eval")),
        "vectorizer.tokenizer: expected None",
    ),
    "vectorizer decode_error": (
        doc_edit(setter(*VEC, "decode_error", value="ignore")),
        "vectorizer.decode_error",
    ),
    "vectorizer min_df as a share": (
        doc_edit(setter(*VEC, "min_df", value=2.0)),
        "vectorizer.min_df: expected 2 or 1, got 2.0.",
    ),
    "vectorizer unknown key": (
        doc_edit(setter(*VEC, "__class__", value="x")),
        "representation.vectorizer.__class__: unknown key; valid keys:",
    ),
    "hasher 2**36 features": (
        BIG_HASHER,
        "fast.n_features: expected an integer from 1024 to 1048576, got 68719476736.",
    ),
    "hasher not a power of two": (
        doc_edit(
            lambda d: (
                d["fast"].update(n_features=300_000),
                d["fast"]["hasher"].update(n_features=300_000),
            )
        ),
        "fast.n_features: expected a power of two, got 300000.",
    ),
    "hasher input=filename": (
        doc_edit(setter(*HASHER, "input", value="filename")),
        "fast.hasher.input",
    ),
    "hasher analyzer": (
        doc_edit(setter(*HASHER, "analyzer", value="word")),
        "fast.hasher.analyzer",
    ),
    "classifier loss": (doc_edit(setter(*CLF, "loss", value="hinge")), "fast.params.loss"),
    "classifier max_iter": (
        doc_edit(setter(*CLF, "max_iter", value=10**9)),
        "fast.params.max_iter",
    ),
    "classifier class": (
        doc_edit(setter("fast", "classifier", value="LogisticRegression")),
        "fast.classifier: expected 'SGDClassifier'",
    ),
    # keys, types and ranges of model.json
    "unknown top-level key": (
        doc_edit(setter("__reduce__", value=["os.system", "id"])),
        "__reduce__: unknown key",
    ),
    "markup in an unknown key": (
        doc_edit(setter("[link=file:///etc/passwd]x[/]", value=1)),
        f"a string of {len('[link=file:///etc/passwd]x[/]')} characters: unknown key",
    ),
    "missing parameter": (
        doc_edit(deleter("params", "n_runs")),
        "params.n_runs: missing (required).",
    ),
    "thread count": (
        doc_edit(setter("params", "n_threads", value=10**6)),
        "params.n_threads: expected an integer from 1 to 1024, got 1000000.",
    ),
    "string for a number": (
        doc_edit(setter("params", "min_theme_share", value="0.03")),
        "params.min_theme_share: expected a number from 0.0 to 1.0, got '0.03'.",
    ),
    "bool for an int": (doc_edit(setter("params", "n_clusters", value=True)), "params.n_clusters"),
    "brand term list too long": (
        doc_edit(setter("params", "brand_terms", value=["x"] * 20_000)),
        "params.brand_terms: expected a list of 0 to 1000 items, got a list of 20000 items.",
    ),
    "every comment embedded": (
        doc_edit(setter("params", "max_embed", value=10**8)),
        "params.max_embed: expected an integer from 1 to 100000",
    ),
    "negative shape": (
        npy_with_header(
            "mean.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, -3), }", bytes(24)
        ),
        "mean.npy has shape (-2, -3)",
    ),
    "NaN threshold": (
        doc_edit(setter("none_threshold", value=float("nan"))),
        "model.json is not valid JSON (NaN is not a JSON number)",
    ),
    "infinite threshold": (
        raw_json(lambda t: re.sub(r'"none_threshold": [^,]+', '"none_threshold": 1e999', t)),
        "none_threshold: expected a number from -1.0 to 1.0, got inf.",
    ),
    "integer of 5000 digits": (
        raw_json(lambda t: t.replace('"n_clusters": 10', '"n_clusters": 1' + "0" * 5000)),
        "model.json is not valid JSON",
    ),
    "duplicate key": (
        raw_json(lambda t: t.replace('"n_themes": 4,', '"n_themes": 4, "n_themes": 4,', 1)),
        "the key 'n_themes' appears twice in one object",
    ),
    "deep nesting": (
        raw_json(lambda t: "[" * 100_000 + "]" * 100_000),
        "model.json is nested too deeply",
    ),
    "not UTF-8": (raw_bytes("model.json", lambda b: b.replace(b'"T01"', b'"T\xff1"')), "not UTF-8"),
    "model.json over 16 MB": (huge_file("model.json", 17 * 2**20), "above the 16777216-byte limit"),
    "terminal escape in a label": (
        doc_edit(setter("themes", 0, "label", value="\x1b]8;;http://x\x1b\\click\x1b[0m")),
        "themes[0].label: holds control characters.",
    ),
    "path as a theme id": (
        doc_edit(setter("themes", 0, "theme_id", value="../../etc")),
        "themes[0].theme_id: expected a theme id",
    ),
    "duplicate theme ids": (
        doc_edit(lambda d: d["themes"][1].update(theme_id=d["themes"][0]["theme_id"])),
        "themes: two themes have the same theme_id.",
    ),
    "theme count mismatch": (doc_edit(setter("n_themes", value=9)), "n_themes: is 9 but 4 themes"),
    "format version as text": (doc_edit(setter("format_version", value="2")), "format version '2'"),
    "foreign format": (
        doc_edit(setter("format", value="pickle")),
        "is not a feedback-nlp theme model",
    ),
    "unknown representation": (
        doc_edit(setter(*REP, "name", value="pickle")),
        "representation.name: expected 'tfidf' or 'minilm', got 'pickle'.",
    ),
    "vocabulary index out of range": (
        doc_edit(lambda d: d["representation"]["vocabulary"].update({_first_term(d): 10**9})),
        "expected an integer from 0 to 499999",
    ),
    "vocabulary indices repeated": (doc_edit(_dup_index), "vocabulary indices are corrupt"),
    "empty vocabulary and arrays": (
        _empty_vocabulary,
        "the TF-IDF vocabulary is missing or empty.",
    ),
    "training holds an object": (
        doc_edit(setter("training", "x", value={"y": 1})),
        "training.x: expected a number, string or null",
    ),
    "k_scores key": (doc_edit(setter("k_scores", "abc", value=0.1)), "k_scores: expected a number"),
    # the file list
    "file name escapes the folder": (
        doc_edit(
            lambda d: d["files"].update({"../centroids.npy": d["files"].pop("centroids.npy")})
        ),
        "files: expected an array file name",
    ),
    "unexpected file listed": (
        doc_edit(lambda d: d["files"].update({"evil.npy": d["files"].pop("mean.npy")})),
        "files: lists an unexpected file 'evil.npy'",
    ),
    "array not listed": (doc_edit(deleter("files", "mean.npy")), "files: does not list 'mean.npy'"),
    # arrays
    "object dtype": (
        new_array("mean.npy", lambda a: np.array([object()] * len(a), dtype=object)),
        "mean.npy holds |O values, expected <f4.",
    ),
    "pickle in a .npy": (
        raw_bytes("centroids.npy", lambda b: pickle.dumps({"a": 1})),
        "centroids.npy is not a plain numeric .npy array",
    ),
    "huge shape in the header": (
        npy_with_header(
            "tfidf_components.npy",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 100), }",
        ),
        "tfidf_components.npy claims shape (1099511627776, 100): above the limit",
    ),
    "header numpy cannot tokenize": (
        raw_bytes("centroids.npy", lambda b: b[:43] + bytes([b[43] ^ 8]) + b[44:]),
        "centroids.npy is not a plain numeric .npy array (",
    ),
    "huge header": (
        npy_with_header(
            "mean.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), " + " " * 60_000 + "}",
        ),
        "mean.npy is not a plain numeric .npy array",
    ),
    "structured dtype": (
        new_array("mean.npy", lambda a: np.zeros(len(a), dtype=[("x", "<f4")])),
        "mean.npy holds |V4 values, expected <f4.",
    ),
    "data shorter than the header": (
        raw_bytes("tfidf_components.npy", lambda b: b[:-16]),
        "tfidf_components.npy is ",
    ),
    "wrong dtype": (
        new_array("centroids.npy", lambda a: a.astype(np.float64)),
        "holds <f8 values, expected <f4",
    ),
    "wrong rank": (new_array("mean.npy", lambda a: a[None, :]), "mean.npy has shape (1,"),
    "NaN in an array": (
        new_array("centroids.npy", lambda a: np.full_like(a, np.nan)),
        "centroids.npy holds NaN or infinite values.",
    ),
    "huge values": (
        new_array("fast_coef_values.npy", lambda a: np.full_like(a, 1e300)),
        "fast_coef_values.npy holds values above 1e+06 in magnitude",
    ),
    "inconsistent dimension": (new_array("mean.npy", lambda a: a[:3]), "inconsistent shapes"),
    "centroids not unit vectors": (
        new_array("centroids.npy", lambda a: a * 3),
        "centroids.npy row 0 has length 3;",
    ),
    "match centroids not unit vectors": (
        new_array("match_centroids.npy", lambda a: a * 0.5),
        "match_centroids.npy row 0 has length 0.5;",
    ),
    "column out of range": (
        new_array("fast_coef_cols.npy", lambda a: a + 2**18),
        "inconsistent shapes: fast-path classifier",
    ),
    "class out of range": (new_array("fast_classes.npy", lambda a: a + 100), "inconsistent shapes"),
    "swapped arrays": (
        swap("tfidf_idf.npy", "fast_intercept.npy", seal=True),
        "inconsistent shapes",
    ),
    "swapped arrays, checksums stale": (
        swap("tfidf_idf.npy", "fast_intercept.npy", seal=False),
        "fast_intercept.npy has sha256",
    ),
    "array symlinked outside": (symlink_out("centroids.npy"), "centroids.npy is a symlink"),
    "model.json symlinked outside": (symlink_out("model.json"), "model.json is a symlink"),
    "array is a FIFO": (fifo("mean.npy"), "mean.npy is not a regular file."),
    "array is a folder": (
        lambda f: ((f / "mean.npy").unlink(), (f / "mean.npy").mkdir()),
        "mean.npy is not a regular file.",
    ),
    "array missing": (unlink("mean.npy"), "mean.npy is missing."),
    "array over the size cap": (huge_file("tfidf_idf.npy", 2**32), "tfidf_idf.npy is"),
    # checksums
    "model.json edited, checksums stale": (
        doc_edit(setter("themes", 0, "label", value="edited"), seal=False),
        "model.json has sha256",
    ),
    "array edited, checksums stale": (
        raw_bytes("centroids.npy", lambda b: b[:-1] + bytes([b[-1] ^ 1]), seal=False),
        "centroids.npy has sha256",
    ),
    "checksums file disagrees on an array": (
        sums_edit(
            lambda t: (
                "\n".join(
                    ("0" * 64 + line[64:]) if line.endswith("mean.npy") else line
                    for line in t.splitlines()
                )
                + "\n"
            )
        ),
        "mean.npy has sha256",
    ),
    "checksums file missing": (unlink("checksums.sha256"), "checksums.sha256 is missing"),
    "checksums file malformed": (sums_edit(lambda t: "x" + t), "checksums.sha256 line 1 is not"),
    "checksums file lists an extra file": (
        sums_edit(lambda t: t + "0" * 64 + "  extra.npy\n"),
        "checksums.sha256 does not match model.json's file list (extra.npy).",
    ),
    "checksums file symlinked": (symlink_out("checksums.sha256"), "checksums.sha256 is a symlink"),
    "downgrade to version 1, then input=filename": (
        downgrade_and(setter(*VEC, "input", value="filename")),
        "representation.vectorizer.input: expected 'content'",
    ),
    "downgrade to version 1, then a 2**36 hasher": (
        downgrade_and(
            lambda d: (
                d["fast"].update(n_features=2**36),
                d["fast"]["hasher"].update(n_features=2**36),
            )
        ),
        "fast.n_features: expected an integer",
    ),
    "model.json missing": (unlink("model.json"), "model.json is missing"),
    "model.json empty": (raw_json(lambda t: ""), "model.json is not valid JSON (Expecting value"),
    "model.json a list": (raw_json(lambda t: "[]"), "model.json is not a feedback-nlp theme model"),
    "model.json a folder": (
        lambda f: ((f / "model.json").unlink(), (f / "model.json").mkdir()),
        "model.json is not a regular file.",
    ),
    "no themes": (
        doc_edit(lambda d: d.update(themes=[], n_themes=0)),
        "themes: expected a list of 1 to 1000 items, got a list of 0 items.",
    ),
}


def _swap_rows(doc: dict[str, Any]) -> None:
    subs = doc["subthemes"]
    subs[0], subs[-1] = subs[-1], subs[0]


def _unlisted_tree(doc: dict[str, Any]) -> None:
    """A version 3 document that claims no fast path but keeps the sub-theme classifier."""
    doc["fast"] = None
    for name in [n for n in doc["files"] if n.startswith("fast_") and "sub" not in n]:
        del doc["files"][name]


SUB = ("subthemes", 0)
FAST_SUB = ("fast_sub",)

#: Tampering with the sub-theme tree (format version 3) of a model that has one.
TREE_CASES: dict[str, tuple[Tamper, str]] = {
    "tree: subthemes parameter out of range": (
        doc_edit(setter("params", "subthemes", value=101)),
        "params.subthemes: expected 'auto' or an integer from 0 to 100, got 101.",
    ),
    "tree: subthemes parameter a word": (
        doc_edit(setter("params", "subthemes", value="many")),
        "params.subthemes: expected 'auto' or an integer from 0 to 100, got 'many'.",
    ),
    "tree: subthemes parameter a bool": (
        doc_edit(setter("params", "subthemes", value=True)),
        "params.subthemes: expected 'auto' or an integer from 0 to 100, got True.",
    ),
    "tree: subthemes parameter missing": (
        doc_edit(deleter("params", "subthemes")),
        "params.subthemes: missing (required).",
    ),
    "tree: subthemes list missing": (
        doc_edit(deleter("subthemes")),
        "subthemes: missing (required).",
    ),
    "tree: submatch ids missing": (
        doc_edit(deleter("submatch_ids")),
        "submatch_ids: missing (required).",
    ),
    "tree: sub-theme classifier key missing": (
        doc_edit(deleter("fast_sub")),
        "fast_sub: missing (required).",
    ),
    "tree: path as a sub-theme id": (
        doc_edit(setter(*SUB, "theme_id", value="../../etc")),
        "subthemes[0].theme_id: expected a sub-theme id",
    ),
    "tree: sub-theme number 0": (
        doc_edit(setter(*SUB, "theme_id", value="T01.0")),
        "subthemes[0].theme_id: expected a sub-theme id",
    ),
    "tree: sub-theme id under another theme": (
        doc_edit(setter(*SUB, "theme_id", value="T02.7")),
        "subthemes[0].theme_id: 'T02.7' is not an id under its parent 'T01'.",
    ),
    "tree: parent that is no theme": (
        doc_edit(
            lambda d: d["subthemes"][0].update(theme_id="T99.1", parent_id="T99"),
        ),
        "subthemes[0].parent_id: 'T99' is not one of the themes.",
    ),
    "tree: duplicate sub-theme ids": (
        doc_edit(lambda d: d["subthemes"][1].update(theme_id=d["subthemes"][0]["theme_id"])),
        "subthemes: two sub-themes have the same theme_id.",
    ),
    "tree: sub-themes out of theme order": (
        doc_edit(_swap_rows),
        "subthemes: are not grouped by theme in the themes' order.",
    ),
    "tree: terminal escape in a sub-theme label": (
        doc_edit(setter(*SUB, "label", value="\x1b[31mred")),
        "subthemes[0].label: holds control characters.",
    ),
    "tree: unknown key in a sub-theme": (
        doc_edit(setter(*SUB, "__class__", value="x")),
        "subthemes[0].__class__: unknown key; valid keys: keywords, label, parent_id",
    ),
    "tree: negative sub-theme size": (
        doc_edit(setter(*SUB, "size", value=-1)),
        "subthemes[0].size: expected an integer from 0",
    ),
    "tree: a sub-theme fewer than the arrays": (
        doc_edit(lambda d: d["subthemes"].pop()),
        "inconsistent shapes: subcentroids (12,",
    ),
    "tree: submatch id under no theme": (
        doc_edit(setter("submatch_ids", 0, value="Z9.1")),
        "submatch_ids[0]: 'Z9.1' is under no theme or match id of the model.",
    ),
    "tree: submatch ids repeated": (
        doc_edit(lambda d: d["submatch_ids"].append(d["submatch_ids"][0])),
        "submatch_ids: holds the same value twice.",
    ),
    "tree: submatch ids without their centroids": (
        doc_edit(lambda d: d["submatch_ids"].pop()),
        "submatch centroids (12,",
    ),
    "tree: sub-theme classifier loss": (
        doc_edit(setter(*FAST_SUB, "params", "loss", value="hinge")),
        "fast_sub.params.loss",
    ),
    "tree: sub-theme classifier class": (
        doc_edit(setter(*FAST_SUB, "classifier", value="LogisticRegression")),
        "fast_sub.classifier: expected 'SGDClassifier'",
    ),
    "tree: sub-theme hasher input=filename": (
        doc_edit(setter(*FAST_SUB, "hasher", "input", value="filename")),
        "fast_sub.hasher.input",
    ),
    "tree: sub-theme hasher differs from the theme hasher": (
        doc_edit(
            lambda d: (
                d["fast_sub"].update(n_features=2**20),
                d["fast_sub"]["hasher"].update(n_features=2**20),
            )
        ),
        "fast_sub.n_features: differs from fast.n_features (they share one hasher).",
    ),
    "tree: sub-theme classifier without the theme classifier": (
        doc_edit(_unlisted_tree),
        "fast_sub: is given without fast, whose hasher it uses.",
    ),
    "tree: sub-theme classifier files without its parameters": (
        doc_edit(setter("fast_sub", value=None)),
        "files: lists an unexpected file 'fast_sub_classes.npy'",
    ),
    "tree: subparent.npy not listed": (
        doc_edit(deleter("files", "subparent.npy")),
        "files: does not list 'subparent.npy'",
    ),
    "tree: version 2 carrying a tree": (
        doc_edit(setter("format_version", value=2)),
        "subthemes: unknown key; valid keys:",
    ),
    "tree: subcentroids of another dimension": (
        new_array("subcentroids.npy", lambda a: a[:, :3]),
        "inconsistent shapes: subcentroids (12, 3)",
    ),
    "tree: subcentroids not unit vectors": (
        new_array("subcentroids.npy", lambda a: a * 2),
        "subcentroids.npy row 0 has length 2;",
    ),
    "tree: subcentroids as float64": (
        new_array("subcentroids.npy", lambda a: a.astype(np.float64)),
        "subcentroids.npy holds <f8 values, expected <f4.",
    ),
    "tree: NaN in the subcentroids": (
        new_array("subcentroids.npy", lambda a: np.full_like(a, np.nan)),
        "subcentroids.npy holds NaN or infinite values.",
    ),
    "tree: subparent out of range": (
        new_array("subparent.npy", lambda a: a + 99),
        "subparent.npy gives sub-theme 0 the theme index 99, model.json lists it under T01",
    ),
    "tree: subparent negative": (
        new_array("subparent.npy", lambda a: a - 1),
        "subparent.npy gives sub-theme 0 the theme index -1",
    ),
    "tree: subparent disagrees with the parents listed": (
        new_array("subparent.npy", lambda a: a[::-1].copy()),
        "subparent.npy gives sub-theme 0 the theme index 3",
    ),
    "tree: subparent as floats": (
        new_array("subparent.npy", lambda a: a.astype(np.float64)),
        "subparent.npy holds <f8 values, expected <i8.",
    ),
    "tree: subparent of rank 2": (
        new_array("subparent.npy", lambda a: a[None, :]),
        "subparent.npy has shape (1, 12), expected 1 dimension(s).",
    ),
    "tree: submatch centroids not unit vectors": (
        new_array("submatch_centroids.npy", lambda a: a * 0),
        "submatch_centroids.npy row 0 has length 0;",
    ),
    "tree: submatch centroids of another dimension": (
        new_array("submatch_centroids.npy", lambda a: a[:, :5]),
        "submatch centroids (12, 5)",
    ),
    "tree: sub-theme class out of range": (
        new_array("fast_sub_classes.npy", lambda a: a + 100),
        "sub-theme classifier: inconsistent shapes: fast-path classifier",
    ),
    "tree: sub-theme classifier column out of range": (
        new_array("fast_sub_coef_cols.npy", lambda a: a + 2**18),
        "sub-theme classifier: inconsistent shapes",
    ),
    "tree: sub-theme classifier huge weights": (
        new_array("fast_sub_coef_values.npy", lambda a: np.full_like(a, 1e300)),
        "fast_sub_coef_values.npy holds values above 1e+06 in magnitude",
    ),
    "tree: sub-theme classifier with one class": (
        new_array("fast_sub_classes.npy", lambda a: a[:1]),
        "sub-theme classifier: inconsistent shapes",
    ),
    "tree: subcentroids symlinked outside": (
        symlink_out("subcentroids.npy"),
        "subcentroids.npy is a symlink",
    ),
    "tree: subparent missing": (unlink("subparent.npy"), "subparent.npy is missing."),
    "tree: subcentroids edited, checksums stale": (
        raw_bytes("subcentroids.npy", lambda b: b[:-1] + bytes([b[-1] ^ 1]), seal=False),
        "subcentroids.npy has sha256",
    ),
    "tree: theme and sub-theme centroids swapped, checksums stale": (
        swap("subcentroids.npy", "centroids.npy", seal=False),
        "centroids.npy has sha256",
    ),
    "tree: theme and sub-theme centroids swapped": (
        swap("subcentroids.npy", "centroids.npy", seal=True),
        "inconsistent shapes: 4 themes listed but centroids are (12,",
    ),
    "tree: checksums file without subparent.npy": (
        sums_edit(
            lambda t: "".join(line + "\n" for line in t.splitlines() if "subparent" not in line)
        ),
        "checksums.sha256 does not match model.json's file list (subparent.npy).",
    ),
}


def _expect_refused(folder: Path, fragment: str) -> str:
    with pytest.raises(ModelError) as err:
        load_model(folder)
    message = str(err.value)
    assert "\n" not in message and "\r" not in message
    assert str(folder) in message
    assert fragment in message, message
    return message


def test_enough_distinct_cases():
    assert len(CASES) >= 32
    assert len({fragment for _, fragment in CASES.values()}) >= 32
    assert len({fragment for _, fragment in TREE_CASES.values()}) >= 40


#: (which saved model, case) for every case
ALL_CASES = [("plain", c) for c in sorted(CASES)] + [("tree", c) for c in sorted(TREE_CASES)]


def _case(kind: str, case: str, pristine: Path, tree_pristine: Path) -> tuple[Path, Tamper, str]:
    tamper, fragment = (CASES if kind == "plain" else TREE_CASES)[case]
    return (pristine if kind == "plain" else tree_pristine), tamper, fragment


@pytest.mark.parametrize(("kind", "case"), ALL_CASES, ids=[c for _, c in ALL_CASES])
def test_tampered_model_is_refused(kind, case, pristine, tree_pristine, tmp_path):
    source, tamper, fragment = _case(kind, case, pristine, tree_pristine)
    folder = _copy(source, tmp_path)
    load_model(folder)  # the copy loads before tampering
    tamper(folder)
    _expect_refused(folder, fragment)


runner = CliRunner()


@pytest.mark.parametrize(("kind", "case"), ALL_CASES, ids=[c for _, c in ALL_CASES])
def test_analyze_with_tampered_model_exits_1_with_one_line(
    kind, case, pristine, tree_pristine, tmp_path
):
    source, tamper, fragment = _case(kind, case, pristine, tree_pristine)
    folder = _copy(source, tmp_path)
    tamper(folder)
    message = _expect_refused(folder, fragment)
    survey = tmp_path / "survey.csv"
    rows = [f"{i % 11},{text}" for i, text in enumerate(make_texts(3))]
    survey.write_text("score,comment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    result = runner.invoke(
        app, ["analyze", str(survey), "--model", str(folder), "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # typer.Exit, not a traceback
    assert result.stderr.strip().splitlines() == [f"Error: {message}"]
    assert not (out / "summary.json").exists()


def test_the_tree_model_loads_and_its_cap_on_classifier_weights(tree_pristine):
    """The pristine tree model loads with its sub-themes; a sub-theme classifier
    above the weight cap is refused before any array is read."""
    assert len(load_model(tree_pristine).subtheme_rows()) == 12
    doc = read_doc(tree_pristine)
    doc["subthemes"] = [
        {**doc["subthemes"][0], "theme_id": f"T01.{n}", "parent_id": "T01"} for n in range(1, 70)
    ]
    for key in ("fast", "fast_sub"):
        doc[key]["n_features"] = doc[key]["hasher"]["n_features"] = 2**20
    with pytest.raises(SchemaIssue) as err:
        check_model_doc(doc)
    assert str(err.value) == (
        "fast_sub.n_features: 69 sub-themes x 1048576 hashed features exceed the cap of "
        "67108864 classifier weights."
    )


def test_the_pinned_messages(pristine, tmp_path):
    folder = _copy(pristine, tmp_path)
    edit_doc(folder, setter(*VEC, "input", value="filename"))
    with pytest.raises(ModelError) as err:
        load_model(folder)
    assert str(err.value) == (
        f"Model at {folder}: model.json: representation.vectorizer.input: expected 'content', "
        "got 'filename'. Re-fit it with `feedback-nlp fit`."
    )
    folder = _copy(pristine, tmp_path / "b")
    BIG_HASHER(folder)
    with pytest.raises(ModelError) as err:
        load_model(folder)
    assert str(err.value) == (
        f"Model at {folder}: model.json: fast.n_features: expected an integer from 1024 to "
        "1048576, got 68719476736. Re-fit it with `feedback-nlp fit`."
    )


def test_resealing_alone_changes_nothing(pristine, tmp_path):
    """The test helper that recomputes checksums leaves a valid model valid."""
    folder = _copy(pristine, tmp_path)
    reseal(folder)
    write_sums(folder)
    assert load_model(folder).n_themes_ == 4
    assert read_doc(folder)["files"]["mean.npy"] == sha256(folder / "mean.npy")


def test_values_the_tool_writes_for_a_tiny_survey_load(pristine, tmp_path):
    """min_df=1 / max_df=1.0 (TF-IDF on a tiny survey) and other seeds are accepted."""
    folder = _copy(pristine, tmp_path)
    edit_doc(
        folder,
        lambda d: (
            d["representation"]["vectorizer"].update(min_df=1, max_df=1.0),
            d["fast"]["params"].update(random_state=2**32 - 1),
        ),
    )
    model = load_model(folder)
    assert model.rep_._vec.min_df == 1 and model.fast_.random_state == 2**32 - 1


def test_threads_are_capped_at_the_cores(pristine, tmp_path):
    folder = _copy(pristine, tmp_path)
    edit_doc(folder, setter("params", "n_threads", value=1024))
    assert load_model(folder).n_threads == min(1024, os.cpu_count() or 1)


def _as_minilm(doc: dict[str, Any]) -> dict[str, Any]:
    doc["representation"] = {
        "name": "minilm",
        "version": {"name": "minilm", "model": "all-MiniLM-L6-v2-onnx-int8", "sha256": "a" * 64},
        "n_threads": 2,
        "batch_size": 32,
        "max_length": 256,
    }
    for name in ("tfidf_idf.npy", "tfidf_components.npy"):
        doc["files"].pop(name)
    return doc


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("n_threads", 10**6, "representation.n_threads: expected an integer from 1 to 1024"),
        ("batch_size", 0, "representation.batch_size: expected an integer from 1 to 4096"),
        ("max_length", 10**9, "representation.max_length: expected an integer from 1 to 512"),
        ("model_path", "/tmp/evil.onnx", "representation.model_path: unknown key"),
    ],
)
def test_minilm_settings_are_bounded(pristine, key, value, message):
    doc = _as_minilm(read_doc(pristine))
    check_model_doc(doc)  # the MiniLM form of the same model passes
    doc["representation"][key] = value
    with pytest.raises(SchemaIssue) as err:
        check_model_doc(doc)
    assert str(err.value).startswith(message)


def test_show_never_echoes_markup_or_controls():
    assert show("content") == "'content'"
    assert show("[bold]x[/]") == "a string of 10 characters"
    assert show("a\x1b[31mb") == "a string of 7 characters"
    assert show(10**50) == "a number of 51 digits"


@pytest.mark.parametrize(
    "case", ["vectorizer input=filename", "hasher 2**36 features", "array symlinked outside"]
)
def test_fit_with_tampered_previous_model_exits_1_with_one_line(case, pristine, tmp_path):
    tamper, fragment = CASES[case]
    folder = _copy(pristine, tmp_path)
    tamper(folder)
    message = _expect_refused(folder, fragment)
    survey = tmp_path / "survey.csv"
    rows = [f"{i % 11},{text}" for i, text in enumerate(make_texts(3))]
    survey.write_text("score,comment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    root = tmp_path / "models"
    result = runner.invoke(
        app,
        [
            "fit",
            str(survey),
            "--save",
            "next",
            "--previous",
            str(folder),
            "--models-root",
            str(root),
        ],
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.strip().splitlines() == [f"Error: {message}"]
    assert not (root / "next").exists()


def test_a_path_that_is_not_a_folder(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("{}")
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert str(err.value) == (
        f"No saved model at {path}: the path is not a folder. Re-fit it with `feedback-nlp fit`."
    )
