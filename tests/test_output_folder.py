"""The output folder: a user's folder is never touched, --force leaves exactly the new
report, the folder keeps its mode and link, temporary folders are private and a
killed run is undone by the next one, and a folder that cannot be written is
refused before the analysis starts."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from _folder_trees import tree, user_folder
from feedback_nlp import pipeline
from feedback_nlp.cli import app
from feedback_nlp.config import AnalysisConfig, Representation
from feedback_nlp.errors import OutputError
from feedback_nlp.output import result_tables, to_json, write_text
from feedback_nlp.output_folder import (
    DATA_FILES,
    MARKER,
    REPORT_FILES,
    check_output_folder,
    claim_data_file,
    report_folder,
)
from feedback_nlp.report import write_report

runner = CliRunner()
FAST = ["--representation", "tfidf", "--quiet"]
ALL_FORMATS = ("html", "md", "csv", "json", "xlsx")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
FOLDERS = settings(
    max_examples=20, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip


def _survey(folder: Path, n: int = 60) -> Path:
    words = ["slow broadband", "rude support", "great price", "friendly engineer", "billing"]
    path = folder / "s.csv"
    pd.DataFrame(
        {
            "score": [str(i % 11) for i in range(n)],
            "comment": [f"{words[i % 5]} again {i}" for i in range(n)],
            "region": ["North", "South"] * (n // 2),
        }
    ).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _survey(tmp_path_factory.mktemp("in"))


@pytest.fixture(scope="module")
def result(survey: Path):
    cfg = AnalysisConfig(
        input=survey,
        score_col="score",
        text_col="comment",
        segment_cols=("region",),
        representation=Representation.tfidf,
    )
    return pipeline.analyze(cfg)


_TEMP = re.compile(r"\..*\.(new-|old-|tmp\Z)")


def _hidden(folder: Path) -> list[str]:
    """Temporary folders and files of the tool in and beside ``folder``."""
    found = [p.name for p in folder.parent.iterdir() if _TEMP.match(p.name)]
    if folder.is_dir():
        found += [p.name for p in folder.iterdir() if _TEMP.match(p.name)]
    return found


def _marker(folder: Path) -> dict:
    return json.loads((folder / MARKER).read_text())


def _user_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "segments.csv").write_text("my,own\n1,2\n")
    (folder / "themes.csv").write_text("theme\nmine\n")
    (folder / "notes.txt").write_text("do not lose")
    (folder / "sub").mkdir()
    (folder / "sub" / "comments.csv").write_text("x\n")
    return folder


def _cli(out: Path, survey: Path, *extra: str):
    args = ["analyze", str(survey), "--score-col", "score", "--text-col", "comment"]
    return runner.invoke(app, [*args, *FAST, "--out", str(out), *extra])


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- a user's folder


@pytest.mark.parametrize("force", [False, True])
def test_cli_refuses_a_user_folder_before_the_analysis(
    tmp_path: Path, survey: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    out = _user_folder(tmp_path / "mine")
    before = tree(out)

    def must_not_run(*args, **kwargs):
        raise AssertionError("the analysis started")

    monkeypatch.setattr(pipeline, "analyze", must_not_run)
    r = _cli(out, survey, *(["--force"] if force else []))
    assert r.exit_code == 1
    assert _one_line(r.stderr) == (
        f"Error: Output folder {out} is not a report of feedback-nlp (it holds 'notes.txt', "
        "'segments.csv', 'sub' and 1 more); choose a new or empty folder for --out."
    )
    assert tree(out) == before and _hidden(out) == []


def test_demo_refuses_a_user_folder(tmp_path: Path) -> None:
    out = _user_folder(tmp_path / "mine")
    (out / "demo_survey.csv").write_text("my own data\n")
    before = tree(out)
    r = runner.invoke(app, ["demo", "--rows", "50", "--out", str(out), "--quiet"])
    assert r.exit_code == 1
    assert _one_line(r.stderr).startswith(
        f"Error: Output folder {out} is not a report of feedback-nlp (it holds 'demo_survey.csv',"
    )
    assert tree(out) == before


def test_an_output_name_the_marker_does_not_list_is_never_overwritten(
    result, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    write_report(result, out, ["md"])
    (out / "themes.csv").write_text("my own themes\n")
    before = tree(out)
    with pytest.raises(OutputError) as err:
        write_report(result, out, ["csv"], force=True)
    assert str(err.value) == (
        f"Output folder {out} holds 'themes.csv', which feedback-nlp did not write; "
        "move it away or choose another folder for --out."
    )
    assert tree(out) == before


def test_other_files_in_a_report_folder_are_left_alone(result, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_report(result, out, ["md", "csv"])
    (out / "notes.txt").write_text("mine")
    (out / "drafts").mkdir()
    (out / "drafts" / "report.md").write_text("my draft")
    write_report(result, out, ["json"], force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "drafts" / "report.md").read_text() == "my draft"
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "drafts", "notes.txt", "summary.json"]


def test_a_planted_link_with_an_output_name_is_never_written_through(
    result, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    write_report(result, out, ["md"])
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "report.md").unlink()
    (out / "report.md").symlink_to(victim)
    with pytest.raises(OutputError, match="holds 'report.md', which feedback-nlp did not write"):
        write_report(result, out, ["md"], force=True)
    assert victim.read_text() == "precious" and (out / "report.md").is_symlink()


def test_a_damaged_marker_is_not_trusted(result, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_report(result, out, ["md"])
    (out / MARKER).write_text('{"tool": "feedback-nlp", "report_files": "report.md"}')
    with pytest.raises(OutputError, match="is not a report of feedback-nlp"):
        write_report(result, out, ["md"], force=True)


def test_a_marker_never_claims_files_the_tool_does_not_write(result, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_report(result, out, ["md"])
    doc = _marker(out)
    doc["report_files"] += ["notes.txt", "../elsewhere.csv", "sub"]
    (out / MARKER).write_text(json.dumps(doc))
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    (tmp_path / "elsewhere.csv").write_text("mine too")
    write_report(result, out, ["json"], force=True)
    assert (out / "notes.txt").read_text() == "mine" and (out / "sub").is_dir()
    assert (tmp_path / "elsewhere.csv").read_text() == "mine too"
    assert not (out / "report.md").exists()


def test_a_table_added_later_is_recorded_and_a_users_file_of_that_name_kept(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    with report_folder(out) as staging:  # a table name REPORT_FILES does not know yet
        write_text(staging / "new_table.csv", "a\n")
    assert _marker(out)["report_files"] == ["new_table.csv"]
    with report_folder(out, force=True) as staging:
        write_text(staging / "report.md", "# new\n")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "report.md"]
    (out / "other_table.csv").write_text("mine\n")
    with pytest.raises(OutputError) as err, report_folder(out, force=True) as staging:
        write_text(staging / "other_table.csv", "b\n")
    assert str(err.value) == (
        f"Output folder {out} holds 'other_table.csv', which feedback-nlp did not write; "
        "move it away or choose another folder for --out."
    )
    assert (out / "other_table.csv").read_text() == "mine\n" and _hidden(out) == []


# ---------------------------------------------------------------- --force


def test_force_leaves_exactly_the_new_report(result, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_report(result, out, ALL_FORMATS)
    assert "report.xlsx" in first
    assert _marker(out)["report_files"] == sorted(first)
    second = write_report(result, out, ["md", "json"], force=True)
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, *second])
    assert _marker(out)["report_files"] == ["report.md", "summary.json"]
    assert _marker(out)["tool"] == "feedback-nlp" and _hidden(out) == []


def test_every_file_a_report_can_hold_is_a_known_report_file(result) -> None:
    names = set(result_tables(result)) | {"segment_own_themes.csv", "trends.csv"}
    names |= {"metrics.csv", "followup.csv", "summary.json"}
    names |= {f"report.{ext}" for ext in ("md", "html", "xlsx")}
    assert names <= REPORT_FILES and not names & DATA_FILES


def test_a_report_from_before_the_marker_is_recognised(result, tmp_path: Path) -> None:
    out = tmp_path / "old"
    out.mkdir()
    (out / "summary.json").write_text(to_json(result.summary.to_dict()))
    for name in ("report.xlsx", "metrics.csv", "comments.csv", "demo_survey.csv"):
        (out / name).write_text("from an earlier run\n")
    with pytest.raises(OutputError, match="already holds a report; pass --force"):
        write_report(result, out, ["md"])
    write_report(result, out, ["md"], force=True)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "demo_survey.csv", "report.md"]
    assert _marker(out)["data_files"] == ["demo_survey.csv"]


def test_an_old_looking_folder_with_other_files_is_refused(result, tmp_path: Path) -> None:
    out = tmp_path / "old"
    out.mkdir()
    (out / "summary.json").write_text(to_json(result.summary.to_dict()))
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="is not a report of feedback-nlp"):
        write_report(result, out, ["md"], force=True)
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "summary.json").write_text('{"my": "own summary"}')
    with pytest.raises(OutputError, match="is not a report of feedback-nlp"):
        write_report(result, fake, ["md"], force=True)


def test_demo_data_is_the_tools_and_survives_a_new_report(result, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    data = claim_data_file(out, "demo_survey.csv")
    assert data == out / "demo_survey.csv"
    assert _marker(out)["data_files"] == ["demo_survey.csv"]
    data.write_text("score\n9\n")
    write_report(result, out, ["md"], force=True)
    write_report(result, out, ["json"], force=True)
    assert data.read_text() == "score\n9\n"
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "demo_survey.csv", "summary.json"]
    assert _marker(out)["data_files"] == ["demo_survey.csv"]


def test_demo_runs_twice_and_analyze_force_keeps_its_data(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    for _ in range(2):
        r = runner.invoke(app, ["demo", "--rows", "60", "--out", str(out), "--quiet"])
        assert r.exit_code == 0, r.stderr
    data = (out / "demo_survey.csv").read_bytes()
    r = _cli(out, out / "demo_survey.csv", "--format", "md", "--force")
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "demo_survey.csv", "report.md"]
    assert (out / "demo_survey.csv").read_bytes() == data and _hidden(out) == []


# ---------------------------------------------------------------- mode, link, temp folders


@pytest.mark.parametrize("mode", [0o700, 0o750, 0o2775])
def test_the_folder_keeps_its_mode_and_the_files_theirs(result, tmp_path: Path, mode: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, mode)
    write_report(result, out, ["md", "json"])
    os.chmod(out / "report.md", 0o600)
    inode = out.stat().st_ino
    write_report(result, out, ["md", "csv"], force=True)
    assert stat.S_IMODE(out.stat().st_mode) == mode and out.stat().st_ino == inode
    assert stat.S_IMODE((out / "report.md").stat().st_mode) == 0o600
    assert not (out / "summary.json").exists()


def _acl(folder: Path) -> bytes:
    """Give ``folder`` a POSIX ACL (owner rwx, user 65534 r-x, group r-x, others none)."""
    entries = [(0x01, 7, 0xFFFFFFFF), (0x02, 5, 65534), (0x04, 5, 0xFFFFFFFF)]
    entries += [(0x10, 5, 0xFFFFFFFF), (0x20, 0, 0xFFFFFFFF)]
    data = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries)
    try:
        os.setxattr(folder, "system.posix_acl_access", data)
    except (AttributeError, OSError) as err:
        pytest.skip(f"no POSIX ACLs here: {err}")
    return data


def test_the_folder_keeps_its_acl_and_owner(result, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    acl = _acl(out)
    if ROOT:
        os.chown(out, 65534, 65534)
    owner = (out.stat().st_uid, out.stat().st_gid)
    write_report(result, out, ["md", "xlsx"])
    write_report(result, out, ["md"], force=True)
    assert os.getxattr(out, "system.posix_acl_access") == acl
    assert (out.stat().st_uid, out.stat().st_gid) == owner
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "report.md"]


def test_cli_keeps_mode_0700(tmp_path: Path, survey: Path) -> None:
    out = tmp_path / "private"
    out.mkdir(mode=0o700)
    os.chmod(out, 0o700)
    for extra in ([], ["--force"]):
        r = _cli(out, survey, *extra)
        assert r.exit_code == 0, r.stderr
        assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert _hidden(out) == []


def test_a_symlinked_out_is_written_through(result, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target)
    write_report(result, link, ["md", "xlsx"])
    written = write_report(result, link, ["md"], force=True)
    assert written == {"report.md": link / "report.md"}
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "report.md"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o700 and _hidden(target) == []


def test_a_link_to_nothing_is_refused(result, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(OutputError) as err:
        write_report(result, link, ["md"])
    assert str(err.value) == (
        f"Output folder {link} is a link to {tmp_path.resolve() / 'gone'}, which does not "
        "exist: create it or pass another --out."
    )


def test_temporary_folder_is_private_and_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        with report_folder(out) as staging:
            assert staging.parent == out and staging.name.startswith(".out.new-")
            assert stat.S_IMODE(staging.stat().st_mode) == 0o700
            write_text(staging / "report.md", "# new\n")
    finally:
        os.umask(old)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "report.md"]
    assert _hidden(out) == []


def test_an_error_while_writing_a_new_folder_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), report_folder(out) as staging:
        write_text(staging / "report.md", "# new\n")
        raise KeyboardInterrupt
    assert not out.exists() and _hidden(out) == []


# ---------------------------------------------------------------- kill -9


_KILLED_RUN = """
import os, shutil, sys
from pathlib import Path
from feedback_nlp.output_folder import report_folder

out, after = Path(sys.argv[1]), int(sys.argv[2])
steps = {"n": 0}

def step(real):
    def wrapped(*args, **kwargs):
        steps["n"] += 1
        if steps["n"] > after:
            os._exit(9)  # like kill -9: no handler, no cleanup
        return real(*args, **kwargs)
    return wrapped

# Every move and removal of the swap is a point where the run may be killed.
os.rename, shutil.rmtree = step(os.rename), step(shutil.rmtree)
with report_folder(out, force=True) as staging:
    for name in ("report.md", "summary.json", "trends.csv"):
        (staging / name).write_text("new " + name)
"""


def _old_report(out: Path) -> None:
    with report_folder(out) as staging:
        for name in ("report.md", "summary.json", "report.xlsx"):
            (staging / name).write_text("old " + name)


def test_a_run_killed_at_any_point_leaves_the_old_or_the_new_report(tmp_path: Path) -> None:
    outcomes = []
    for after in range(12):
        out = tmp_path / f"k{after}"
        _old_report(out)
        old = tree(out)
        proc = subprocess.run(
            [sys.executable, "-c", _KILLED_RUN, str(out), str(after)],
            capture_output=True,
            text=True,
        )
        assert proc.returncode in (0, 9), proc.stderr
        check_output_folder(out, force=True)  # the next run
        names = sorted(p.name for p in out.iterdir())
        if names == sorted([MARKER, "report.md", "summary.json", "trends.csv"]):
            assert (out / "report.md").read_text() == "new report.md"
            outcomes.append("new")
        else:
            assert tree(out) == old
            outcomes.append("old")
        assert _hidden(out) == []
        # 4 files out, 4 in (the marker last), then the two temporary folders removed.
        assert (proc.returncode == 0) == (after >= 10)
        assert outcomes[-1] == ("new" if after >= 8 else "old")


def test_leftovers_beside_the_folder_from_older_versions_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _old_report(out)
    stale = tmp_path / ".out.new-abcd1234"
    stale.mkdir()
    (stale / "comments.csv").write_text("raw comments")
    os.chmod(stale, 0o755)
    mine = tmp_path / ".out.new-zzzz9999"  # holds something the tool never writes
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    check_output_folder(out, force=True)
    assert not stale.exists() and (mine / "notes.txt").read_text() == "mine"


def test_a_report_renamed_away_by_an_older_version_is_put_back(tmp_path: Path) -> None:
    backup = tmp_path / ".out.old-abcd1234"
    backup.mkdir()
    (backup / "report.md").write_text("old")
    (backup / "summary.json").write_text('{"rows": {}, "nps": {}, "columns": {}, "manifest": {}}')
    assert check_output_folder(tmp_path / "out", force=True) == (tmp_path / "out").resolve()
    assert (tmp_path / "out" / "report.md").read_text() == "old" and not backup.exists()


# ---------------------------------------------------------------- writable, checked first


def test_an_out_below_a_file_is_refused_before_the_analysis(
    tmp_path: Path, survey: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "analyze", lambda *a, **k: pytest.fail("analysis started"))
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / "file.txt" / "report"
    r = _cli(out, survey)
    assert r.exit_code == 1
    assert _one_line(r.stderr) == (
        f"Error: Cannot write to output folder {out}: {(tmp_path / 'file.txt').resolve()} "
        "is a file."
    )


def _stderr_without_root_powers(tmp_path: Path, args: list[str]) -> tuple[int, str]:
    """Run the CLI where file permissions apply: in this process, or for root in a process
    without root's capabilities (root may write anywhere)."""
    if not ROOT:
        r = runner.invoke(app, args)
        return r.exit_code, r.stderr
    if shutil.which("setpriv") is None:
        pytest.skip("running as root and setpriv is not installed")
    drop = ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
    proc = subprocess.run(
        [*drop, sys.executable, "-m", "feedback_nlp", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("existing", [False, True])
def test_an_unwritable_out_is_refused_before_the_analysis(
    tmp_path: Path, survey: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    monkeypatch.setattr(pipeline, "analyze", lambda *a, **k: pytest.fail("analysis started"))
    locked = tmp_path / "locked"
    locked.mkdir()
    out = locked / "report"
    if existing:
        out.mkdir()
        os.chmod(out, 0o555)
    else:
        os.chmod(locked, 0o555)
    args = ["analyze", str(survey), "--score-col", "score", *FAST, "--out", str(out)]
    try:
        code, stderr = _stderr_without_root_powers(tmp_path, args)
    finally:
        os.chmod(locked, 0o755)
        if existing:
            os.chmod(out, 0o755)
    assert code == 1
    assert _one_line(stderr) == f"Error: Cannot write to output folder {out}: Permission denied."
    assert sorted(p.name for p in locked.iterdir()) == (["report"] if existing else [])


# ---------------------------------------------------------------- properties

_NAMES = st.one_of(
    st.sampled_from(sorted(REPORT_FILES | DATA_FILES | {MARKER, "notes.txt", ".hidden"})),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
        min_size=1,
        max_size=20,
    ).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200),
)
_MODES = st.sampled_from([0o700, 0o750, 0o755, 0o770, 0o2770])


@FOLDERS
@given(
    files=st.dictionaries(_NAMES, st.binary(max_size=40), min_size=1, max_size=6),
    subfolders=st.lists(_NAMES, max_size=2),
    mode=_MODES,
    force=st.booleans(),
)
def test_a_random_user_folder_is_never_modified(
    result, tmp_path_factory: pytest.TempPathFactory, files, subfolders, mode, force
) -> None:
    out = user_folder(tmp_path_factory.mktemp("user"), files, subfolders, mode, "report.md")
    before = tree(out)
    with pytest.raises(OutputError) as err:
        write_report(result, out, ["md", "csv"], force=force)
    assert "\n" not in str(err.value) and str(out) in str(err.value)
    assert tree(out) == before and [p.name for p in out.parent.iterdir()] == ["folder"]


@FOLDERS
@given(
    stale=st.sets(st.sampled_from(sorted(REPORT_FILES)), min_size=1),
    mine=st.sets(st.sampled_from(["notes.txt", "README", ".x", "Report.MD"]), max_size=2),
    formats=st.sets(st.sampled_from(["md", "json", "csv"]), min_size=1),
    mode=_MODES,
)
def test_after_force_only_the_new_report_and_the_users_files_remain(
    result, tmp_path_factory: pytest.TempPathFactory, stale, mine, formats, mode
) -> None:
    out = tmp_path_factory.mktemp("rep") / "out"
    with report_folder(out) as staging:
        for name in stale:
            (staging / name).write_text("stale " + name)
    for name in mine:
        (out / name).write_text("mine")
    os.chmod(out, mode)
    written = write_report(result, out, sorted(formats), force=True)
    names = {p.name for p in out.iterdir()}
    assert names == {MARKER, *written, *mine}
    assert all((out / name).read_text() == "mine" for name in mine)
    assert set(_marker(out)["report_files"]) == set(written)
    assert not any((out / n).read_bytes().startswith(b"stale") for n in written)
    assert stat.S_IMODE(out.stat().st_mode) == mode and _hidden(out) == []
