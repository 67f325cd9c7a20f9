"""Random tampering of a saved model (hypothesis): a clear ModelError or a working model.

One to three random edits (a value anywhere in model.json replaced by random
JSON, a key deleted or added, bytes of any file truncated, flipped, appended
or replaced), with or without recomputed checksums. Loading then either raises
:class:`ModelError` (one line, naming the folder) or gives a model that
assigns themes: never another exception.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from _model_folders import make_texts, read_doc, reseal, tree_model
from feedback_nlp.errors import ModelError
from feedback_nlp.themes import ThemeModel, load_model, save_model

PROBE = make_texts(2, seed=5) + ["", "rude support agent"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = ThemeModel(n_themes=4, representation="tfidf", n_clusters=10).fit(make_texts())
    return save_model(model, tmp_path_factory.mktemp("models") / "small")


@pytest.fixture(scope="module")
def tree_pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_model(tree_model(), tmp_path_factory.mktemp("models") / "tree")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a JSON document."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
DOC_EDIT = st.tuples(st.sampled_from(["replace", "delete", "add"]), st.integers(0, 10**6), JSON)
BYTE_EDIT = st.tuples(
    st.sampled_from(["truncate", "flip", "append", "replace"]),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.binary(max_size=64),
)
EDITS = st.lists(
    st.one_of(st.tuples(st.just("doc"), DOC_EDIT), st.tuples(st.just("bytes"), BYTE_EDIT)),
    min_size=1,
    max_size=3,
)


def _edit_doc(folder: Path, action: str, pick: int, value: Any) -> None:
    meta = folder / "model.json"
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except (ValueError, RecursionError):
        return
    paths = _paths(doc)
    if not paths:
        return
    path = paths[pick % len(paths)]
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[f"extra_{pick}"] = value
    meta.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def _edit_bytes(folder: Path, action: str, pick: int, at: int, data: bytes) -> None:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    path = files[pick % len(files)]
    raw = path.read_bytes()
    pos = at % (len(raw) + 1)
    if action == "truncate":
        raw = raw[:pos]
    elif action == "flip" and raw:
        pos = min(pos, len(raw) - 1)
        raw = raw[:pos] + bytes([raw[pos] ^ (1 << (at % 8))]) + raw[pos + 1 :]
    elif action == "append":
        raw = raw + data
    else:
        raw = data
    path.write_bytes(raw)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(edits=EDITS, seal=st.booleans())
@example(  # found by this test: a list as the representation's name
    edits=[("doc", ("replace", 15, None)), ("doc", ("replace", 999999, []))], seal=True
)
@example(  # found by this test: a flipped header byte made numpy's tokenizer raise TokenError
    edits=[("bytes", ("truncate", 2, 0, b"")), ("bytes", ("flip", 0, 43, b""))], seal=False
)
def test_random_tampering_gives_model_error_or_a_working_model(pristine, edits, seal):
    _tamper_and_load(pristine, edits, seal)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(edits=EDITS, seal=st.booleans())
def test_random_tampering_of_a_tree_model_gives_model_error_or_a_working_model(
    tree_pristine, edits, seal
):
    _tamper_and_load(tree_pristine, edits, seal)


def _tamper_and_load(pristine: Path, edits: list[Any], seal: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        shutil.copytree(pristine, folder)
        for kind, edit in edits:
            if kind == "doc":
                _edit_doc(folder, *edit)
            else:
                _edit_bytes(folder, *edit)
        if seal:
            reseal(folder)
        try:
            model = load_model(folder)
        except ModelError as err:
            message = str(err)
            assert "\n" not in message and str(folder) in message
            return
        primary, members, scores, sub_primary, sub_member, sub_scores = model.assign_tree(PROBE)
        assert primary.shape == sub_primary.shape == (len(PROBE),) and len(members) == len(PROBE)
        assert scores.shape == (len(PROBE), model.n_themes_)
        n_sub = len(model.subtheme_rows())
        assert sub_member.shape == sub_scores.shape == (len(PROBE), n_sub)
        assert np.all(np.isfinite(scores)) and np.all(np.isfinite(sub_scores))
        assert np.all(sub_primary < n_sub)


def test_the_fuzzer_reaches_the_schema(pristine, tmp_path):
    """A sealed replacement deep in model.json is refused by the schema, not the checksums."""
    folder = tmp_path / "model"
    shutil.copytree(pristine, folder)
    paths = _paths(read_doc(folder))
    pick = paths.index(("representation", "vectorizer", "input"))
    _edit_doc(folder, "replace", pick, "filename")
    reseal(folder)
    with pytest.raises(ModelError, match=r"representation\.vectorizer\.input: expected 'content'"):
        load_model(folder)
