"""The model folder (``fit --save``, ``save_model``) follows the report folder's rules: a
user's folder is never touched, --force leaves exactly the new model, the folder keeps its
mode, owner and link, temporary folders are private and a killed save is undone by the next
run, and a folder that cannot be written is refused before the fit starts."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from _folder_trees import tree, user_folder
from _model_folders import make_texts
from feedback_nlp.cli import app
from feedback_nlp.errors import ModelError
from feedback_nlp.plan import fitting
from feedback_nlp.themes import ThemeModel, load_model, save_model
from feedback_nlp.themes.folders import MODEL_FILES, check_model_folder, model_folder
from feedback_nlp.themes.model_schema import FORMAT_NAME

runner = CliRunner()
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
FIT = ["--score-col", "score", "--text-col", "comment", "--representation", "tfidf", "--quiet"]


@pytest.fixture(scope="module")
def model() -> ThemeModel:
    return ThemeModel(n_themes=4, representation="tfidf", n_clusters=10).fit(make_texts())


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    words = ["slow broadband", "rude support", "great price", "friendly engineer", "billing"]
    path = tmp_path_factory.mktemp("in") / "s.csv"
    pd.DataFrame(
        {
            "score": [str(i % 11) for i in range(80)],
            "comment": [f"{words[i % 5]} again {words[(i * 2) % 5]} {i}" for i in range(80)],
        }
    ).to_csv(path, index=False)
    return path


def _hidden(folder: Path) -> list[str]:
    """Temporary folders of the tool in and beside ``folder``."""
    places = [folder.parent, *([folder] if folder.is_dir() else [])]
    return [p.name for place in places for p in place.iterdir() if p.name.startswith(".")]


def _fit(survey: Path, save: Path, *extra: str):
    return runner.invoke(app, ["fit", str(survey), *FIT, "--save", str(save), *extra])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _no_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_run(*args, **kwargs):
        raise AssertionError("the fit started")

    monkeypatch.setattr(fitting, "fit_survey", must_not_run)


def _model_names(folder: Path) -> set[str]:
    doc = json.loads((folder / "model.json").read_text())
    return {"model.json", "checksums.sha256", "codebook.yaml", *doc["files"]}


# ---------------------------------------------------------------- a user's folder


@pytest.mark.parametrize("force", [False, True])
def test_fit_refuses_a_users_folder_before_the_fit(
    tmp_path: Path, survey: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "codebook.yaml").write_text("my own codebook\n")
    (out / "centroids.npy").write_bytes(b"\x93NUMPY my own array")
    (out / "notes.txt").write_text("do not lose")
    (out / "sub").mkdir()
    (out / "sub" / "model.json").write_text("{}")
    os.chmod(out, 0o750)
    before = tree(out)
    _no_fit(monkeypatch)
    r = _fit(survey, out, *(["--force"] if force else []))
    assert r.exit_code == 1
    assert _one_line(r.stderr) == (
        f"Error: Model folder {out} is not a saved model of feedback-nlp (it holds "
        "'centroids.npy', 'codebook.yaml', 'notes.txt' and 1 more); choose a new or empty "
        "folder for --save."
    )
    assert tree(out) == before and _hidden(out) == []


def test_a_model_json_of_another_tool_is_not_a_model(model: ThemeModel, tmp_path: Path) -> None:
    out = tmp_path / "other"
    out.mkdir()
    (out / "model.json").write_text('{"format": "someone-else", "files": {}}')
    (out / "mean.npy").write_bytes(b"theirs")
    before = tree(out)
    with pytest.raises(ModelError) as err:
        save_model(model, out, overwrite=True)
    assert str(err.value) == (
        f"Model folder {out} is not a saved model of feedback-nlp (it holds 'mean.npy', "
        "'model.json'); choose a new or empty folder for --save."
    )
    assert tree(out) == before


def test_a_deeply_nested_model_json_is_refused_in_one_line(
    model: ThemeModel, tmp_path: Path
) -> None:
    out = tmp_path / "deep"
    out.mkdir()
    (out / "model.json").write_bytes(b"[" * 100_000)
    with pytest.raises(ModelError) as err:
        save_model(model, out, overwrite=True)
    assert str(err.value).startswith(f"Model folder {out} is not a saved model of feedback-nlp")
    assert (out / "model.json").read_bytes() == b"[" * 100_000


def test_an_existing_model_needs_force_and_is_kept_without_it(
    tmp_path: Path, survey: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "weekly"
    assert _fit(survey, out).exit_code == 0
    before = tree(out)
    _no_fit(monkeypatch)
    r = _fit(survey, out)
    assert (r.exit_code, _one_line(r.stderr)) == (
        1,
        f"Error: Model folder {out} already exists; pass --force to replace it.",
    )
    assert tree(out) == before


def test_an_empty_folder_takes_a_model_without_force(model: ThemeModel, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir(mode=0o700)
    os.chmod(out, 0o700)
    save_model(model, out)
    assert {p.name for p in out.iterdir()} == _model_names(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700 and _hidden(out) == []


# ---------------------------------------------------------------- --force


def test_force_replaces_only_the_models_files(
    tmp_path: Path, survey: Path, model: ThemeModel
) -> None:
    out = tmp_path / "weekly"
    save_model(model, out)
    old = {n: (out / n).read_bytes() for n in _model_names(out)}
    (out / "notes.txt").write_text("my notes on the themes")
    (out / "drafts").mkdir()
    (out / "drafts" / "codebook.yaml").write_text("my draft")
    os.chmod(out, 0o700)
    os.chmod(out / "codebook.yaml", 0o600)
    inode = out.stat().st_ino
    r = _fit(survey, out, "--force")
    assert r.exit_code == 0, r.stderr
    new = _model_names(out)
    assert {p.name for p in out.iterdir()} == new | {"notes.txt", "drafts"}
    assert (out / "notes.txt").read_bytes() == b"my notes on the themes"
    assert (out / "drafts" / "codebook.yaml").read_bytes() == b"my draft"
    assert (out / "model.json").read_bytes() != old["model.json"]
    assert json.loads((out / "model.json").read_text())["training"]["input"] == "s.csv"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700 and out.stat().st_ino == inode
    assert stat.S_IMODE((out / "codebook.yaml").stat().st_mode) == 0o600
    assert _hidden(out) == []
    load_model(out)


def _fake_model(staging: Path, tag: str, arrays: list[str]) -> None:
    for name in [*arrays, "codebook.yaml", "checksums.sha256"]:
        (staging / name).write_text(f"{tag} {name}")
    doc = {"format": FORMAT_NAME, "files": {n: "0" * 64 for n in arrays}}
    (staging / "model.json").write_text(json.dumps(doc))


def test_force_leaves_no_stale_array_of_the_old_model(tmp_path: Path) -> None:
    out = tmp_path / "m"
    with model_folder(out) as staging:
        _fake_model(staging, "old", ["centroids.npy", "tfidf_idf.npy", "fast_classes.npy"])
    (out / "README").write_text("mine")
    with model_folder(out, force=True) as staging:
        _fake_model(staging, "new", ["centroids.npy", "mean.npy"])
    assert sorted(p.name for p in out.iterdir()) == [
        "README", "centroids.npy", "checksums.sha256", "codebook.yaml", "mean.npy", "model.json",
    ]  # fmt: skip
    assert (out / "centroids.npy").read_text() == "new centroids.npy"
    assert (out / "README").read_text() == "mine"


def test_a_model_json_never_claims_files_the_tool_does_not_write(tmp_path: Path) -> None:
    out = tmp_path / "m"
    out.mkdir()
    (out / "notes.npy").write_text("mine")
    (out / "mine.txt").write_text("mine")
    doc = {"format": FORMAT_NAME, "files": {"notes.npy": "", "mine.txt": "", "../x.npy": ""}}
    (out / "model.json").write_text(json.dumps(doc))
    with model_folder(out, force=True) as staging:
        _fake_model(staging, "new", ["centroids.npy"])
    assert (out / "notes.npy").read_text() == "mine" and (out / "mine.txt").read_text() == "mine"


def test_a_model_file_the_old_model_does_not_list_refuses_the_folder(
    model: ThemeModel, tmp_path: Path
) -> None:
    out = tmp_path / "m"
    with model_folder(out) as staging:
        _fake_model(staging, "old", ["centroids.npy"])
    (out / "mean.npy").write_text("my own array")
    before = tree(out)
    with pytest.raises(ModelError) as err:
        save_model(model, out, overwrite=True)
    assert str(err.value) == (
        f"Model folder {out} holds 'mean.npy', which feedback-nlp did not write; "
        "move it away or choose another folder for --save."
    )
    assert tree(out) == before


def test_a_model_folder_keeps_its_owner(model: ThemeModel, tmp_path: Path) -> None:
    if not ROOT:
        pytest.skip("changing a folder's owner needs root")
    out = tmp_path / "shared"
    out.mkdir()
    os.chown(out, 65534, 65534)
    save_model(model, out)
    save_model(model, out, overwrite=True)
    assert (out.stat().st_uid, out.stat().st_gid) == (65534, 65534)


def test_a_symlinked_save_is_written_through(
    tmp_path: Path, survey: Path, model: ThemeModel
) -> None:
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    os.chmod(target, 0o700)
    save_model(model, target)
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    r = _fit(survey, link, "--force")
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads((target / "model.json").read_text())["training"]["input"] == "s.csv"
    assert {p.name for p in target.iterdir()} == _model_names(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700 and _hidden(target) == []


# ---------------------------------------------------------------- writable, checked first


def test_a_save_below_a_file_is_refused_before_the_fit(
    tmp_path: Path, survey: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / "file.txt" / "model"
    _no_fit(monkeypatch)
    r = _fit(survey, out)
    assert (r.exit_code, _one_line(r.stderr)) == (
        1,
        f"Error: Cannot write to model folder {out}: {(tmp_path / 'file.txt').resolve()} "
        "is a file.",
    )


@pytest.mark.parametrize("existing", [False, True])
def test_an_unwritable_save_is_refused_before_the_fit(
    tmp_path: Path, survey: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    _no_fit(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    out = locked / "model"
    if existing:
        out.mkdir()
        os.chmod(out, 0o555)
    else:
        os.chmod(locked, 0o555)
    args = ["fit", str(survey), *FIT, "--save", str(out)]
    try:
        if not ROOT:
            r = runner.invoke(app, args)
            code, stderr = r.exit_code, r.stderr
        elif shutil.which("setpriv") is None:
            pytest.skip("running as root and setpriv is not installed")
        else:
            drop = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
            proc = subprocess.run(
                [*drop, sys.executable, "-m", "feedback_nlp", *args], capture_output=True, text=True
            )
            code, stderr = proc.returncode, proc.stderr
    finally:
        os.chmod(locked, 0o755)
        if existing:
            os.chmod(out, 0o755)
    assert (code, _one_line(stderr)) == (
        1,
        f"Error: Cannot write to model folder {out}: Permission denied.",
    )
    assert sorted(p.name for p in locked.iterdir()) == (["model"] if existing else [])


# ---------------------------------------------------------------- temporary folders, kill -9


def test_temporary_folder_is_private_and_an_error_leaves_the_old_model(
    model: ThemeModel, tmp_path: Path
) -> None:
    out = tmp_path / "m"
    save_model(model, out)
    before = tree(out)
    with pytest.raises(KeyboardInterrupt), model_folder(out, force=True) as staging:
        assert staging.parent == out and staging.name.startswith(".m.new-")
        assert stat.S_IMODE(staging.stat().st_mode) == 0o700
        _fake_model(staging, "new", ["centroids.npy"])
        raise KeyboardInterrupt
    assert tree(out) == before and _hidden(out) == []


def test_a_model_without_model_json_is_not_moved_in(tmp_path: Path) -> None:
    out = tmp_path / "m"
    with pytest.raises(ModelError) as err, model_folder(out) as staging:
        (staging / "centroids.npy").write_text("half a model")
    assert str(err.value) == (
        f"Cannot write {out.resolve() / 'model.json'}: not a model file of feedback-nlp."
    )
    assert not out.exists()


def _killed_save(out: Path, after: int) -> int:
    """Save a new model into ``out`` in a forked process killed (like kill -9: no handler, no
    cleanup) at its ``after + 1``-th move or removal; return its exit code."""
    pid = os.fork()
    if pid == 0:  # the child: every move and removal of the swap is a point to be killed at
        calls = iter(range(after, -1, -1))

        def step(real):
            def wrapped(*args, **kwargs):
                if next(calls, -1) == 0:
                    os._exit(9)
                return real(*args, **kwargs)

            return wrapped

        try:
            os.rename, shutil.rmtree = step(os.rename), step(shutil.rmtree)
            with model_folder(out, force=True) as staging:
                _fake_model(staging, "new", ["centroids.npy", "mean.npy"])
        except BaseException:
            os._exit(1)
        os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_a_save_killed_at_any_point_leaves_the_old_or_the_new_model(tmp_path: Path) -> None:
    new = ["centroids.npy", "checksums.sha256", "codebook.yaml", "mean.npy", "model.json"]
    outcomes = []
    for after in range(14):
        out = tmp_path / f"k{after}"
        with model_folder(out) as staging:
            _fake_model(staging, "old", ["centroids.npy", "tfidf_idf.npy"])
        (out / "notes.txt").write_text("mine")
        old = tree(out)
        code = _killed_save(out, after)
        check_model_folder(out, force=True)  # the next run
        if sorted(p.name for p in out.iterdir()) == sorted([*new, "notes.txt"]):
            assert (out / "centroids.npy").read_text() == "new centroids.npy"
            outcomes.append("new")
        else:
            assert tree(out) == old
            outcomes.append("old")
        assert code == (0 if after >= 12 else 9)
        assert (out / "notes.txt").read_text() == "mine" and _hidden(out) == []
    # 5 files out (model.json first), 5 in (model.json last), then the temporary folders.
    assert outcomes == ["old"] * 10 + ["new"] * 4


def test_leftovers_of_older_versions_beside_the_folder_are_cleaned(
    model: ThemeModel, tmp_path: Path
) -> None:
    root = tmp_path / "models"
    out = root / "weekly"
    save_model(model, out)
    stale = root / ".weekly.tmp-0a1b2c3d"  # what save_model wrote before this version
    shutil.copytree(out, stale)
    os.chmod(stale, 0o755)
    mine = root / ".weekly.old-zzzz9999"  # holds something the tool never writes
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    save_model(model, out, overwrite=True)
    assert not stale.exists() and (mine / "notes.txt").read_text() == "mine"


def test_a_model_renamed_away_by_an_older_version_is_put_back(
    model: ThemeModel, tmp_path: Path
) -> None:
    root = tmp_path / "models"
    save_model(model, root / "weekly")
    backup = root / ".weekly.old-0a1b2c3d"
    (root / "weekly").rename(backup)
    before = tree(backup)
    with pytest.raises(ModelError, match="already exists; pass --force"):
        save_model(model, root / "weekly")
    assert tree(root / "weekly") == before and not backup.exists()


def test_every_file_a_saved_model_holds_is_a_known_model_file(
    model: ThemeModel, tmp_path: Path
) -> None:
    out = save_model(model, tmp_path / "m")
    assert {p.name for p in out.iterdir()} - {"model.json"} <= MODEL_FILES


# ---------------------------------------------------------------- property

_NAMES = st.one_of(
    st.sampled_from(sorted(MODEL_FILES | {"model.json", "notes.txt", ".hidden"})),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
        min_size=1,
        max_size=20,
    ).filter(lambda n: n not in (".", "..") and not n.startswith(".folder.")),
)
_CONTENT = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"{}", b'{"format": "other", "files": {"mean.npy": ""}}', b"[" * 100_000]),
)


@settings(
    max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    files=st.dictionaries(_NAMES, _CONTENT, min_size=1, max_size=6),
    subfolders=st.lists(_NAMES, max_size=2),
    mode=st.sampled_from([0o700, 0o750, 0o755, 0o2770]),
    force=st.booleans(),
)
def test_a_random_user_folder_is_never_modified_by_a_save(
    model: ThemeModel, tmp_path_factory: pytest.TempPathFactory, files, subfolders, mode, force
) -> None:
    out = user_folder(tmp_path_factory.mktemp("user"), files, subfolders, mode, "model.json")
    before = tree(out)
    with pytest.raises(ModelError) as err:
        save_model(model, out, overwrite=force)
    assert "\n" not in str(err.value) and str(out) in str(err.value)
    assert tree(out) == before and [p.name for p in out.parent.iterdir()] == ["folder"]


def test_force_never_drops_a_codebook_the_researcher_edited(
    model: ThemeModel, tmp_path: Path
) -> None:
    from feedback_nlp.themes.codebook import load_codebook

    out = save_model(model, tmp_path / "m")
    cb = out / "codebook.yaml"
    save_model(model, out, overwrite=True)  # unedited: replaced without a word
    edited = cb.read_text(encoding="utf-8") + "\n# renamed T01 after the review\n"
    cb.write_text(edited, encoding="utf-8")
    with pytest.raises(ModelError) as err:
        save_model(model, out, overwrite=True)
    assert "\n" not in str(err.value) and "--codebook" in str(err.value)
    assert cb.read_text(encoding="utf-8") == edited  # nothing touched
    # Passing the edited codebook carries it into the new model.
    save_model(model, out, overwrite=True, codebook=load_codebook(cb))
    assert load_model(out) is not None
    save_model(model, out, overwrite=True)  # the new codebook is the saved one: no refusal
