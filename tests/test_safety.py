"""Safe outputs: CSV formula injection, no formulas in xlsx, atomic report folder, no
silent overwrite, inputs untouched, no injected script in the HTML report.

What an output folder may be and what --force touches: tests/test_output_folder.py."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from feedback_nlp import report as report_pkg
from feedback_nlp.cli import app
from feedback_nlp.config import AnalysisConfig, Representation
from feedback_nlp.errors import OutputError
from feedback_nlp.output import csv_text
from feedback_nlp.output_folder import MARKER
from feedback_nlp.pipeline import analyze
from feedback_nlp.report import write_report

runner = CliRunner()
FAST = ["--representation", "tfidf", "--quiet"]
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]


def _survey(
    tmp_path: Path,
    n: int = 80,
    name: str = "s.csv",
    seg_col: str = "region",
    seg_values: list[str] | None = None,
    comments: list[str] | None = None,
) -> Path:
    words = [
        "slow broadband speed",
        "rude support staff",
        "great price value",
        "friendly engineer visit",
        "billing errors again",
    ]
    seg_values = seg_values or ["North", "South"]
    comments = comments or []
    rows = {
        "score": [str(i % 11) for i in range(n)],
        "comment": [comments[i] if i < len(comments) else f"{words[i % 5]} number {i}"
                    for i in range(n)],
        seg_col: [seg_values[i % len(seg_values)] for i in range(n)],
    }  # fmt: skip
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_csv_text_neutralises_formulas_but_not_numbers() -> None:
    frame = pd.DataFrame({"t": HOSTILE + ["\tx", "\ry", "fine", "a=b"], "n": [-24.69] * 8})
    back = pd.read_csv(pd.io.common.StringIO(csv_text(frame)), dtype=str, keep_default_na=False)
    assert back["t"].tolist() == ["'" + v for v in HOSTILE] + ["'\tx", "'\ny", "fine", "a=b"]
    assert back["n"].tolist() == ["-24.69"] * 8


@pytest.mark.parametrize("cores", [1, 2, 3])
def test_streamed_csv_equals_the_whole_table_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    from feedback_nlp import output

    # Chunks are formatted in forked workers when there are cores to spare.
    monkeypatch.setattr(output.os, "cpu_count", lambda: cores)
    write_csv = output.write_csv
    frame = pd.DataFrame(
        {"=h": ["=1+1", "ok", "a\rb", "@x", "fine", "-3"], "x": [-2.5, 1.0, 0.1234567, 3, 4, 5]}
    )
    expected = csv_text(frame).encode("utf-8")
    for chunk_rows in (1, 4, 6, 100):  # chunk borders inside, at and past the end
        path = write_csv(tmp_path / f"t{chunk_rows}.csv", frame, chunk_rows=chunk_rows)
        assert path.read_bytes() == expected
    empty = write_csv(tmp_path / "empty.csv", frame.iloc[:0])
    assert empty.read_bytes() == csv_text(frame.iloc[:0]).encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_comments_csv_has_hostile_cells_neutralised(tmp_path: Path) -> None:
    data = _survey(tmp_path, comments=HOSTILE * 2, seg_values=HOSTILE)
    out = tmp_path / "out"
    code = runner.invoke(app, ["analyze", str(data), "--score-col", "score", "--text-col",
                               "comment", "--segment-col", "region", "--no-redact", *FAST,
                               "--out", str(out)])  # fmt: skip
    assert code.exit_code == 0, code.stderr
    comments = pd.read_csv(out / "comments.csv", dtype=str, keep_default_na=False)
    for value in HOSTILE:
        assert ("'" + value) in set(comments["text"]) and value not in set(comments["text"])
        assert ("'" + value) in set(comments["region"])
    assert not comments["score"].str.startswith("'").any()
    for name in ("segments.csv", "comments.csv", "rejected.csv", "themes.csv"):
        for line in (out / name).read_text().splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "+", "@")), (name, cell)


def test_xlsx_report_holds_no_formula(tmp_path: Path) -> None:
    help_text = runner.invoke(app, ["analyze", "--help"]).stdout
    if "--format" not in help_text:
        pytest.skip("xlsx output not there yet")
    openpyxl = pytest.importorskip("openpyxl")
    data = _survey(tmp_path, comments=HOSTILE * 2, seg_values=HOSTILE)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(data), "--score-col", "score", "--text-col",
                                 "comment", "--segment-col", "region", *FAST, "--format", "xlsx",
                                 "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(out / "report.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]


# ---------------------------------------------------------------- atomic report folder


@pytest.fixture(scope="module")
def result_and_input(tmp_path_factory: pytest.TempPathFactory):
    data = _survey(tmp_path_factory.mktemp("in"))
    return analyze(
        AnalysisConfig(
            input=data, score_col="score", text_col="comment", representation=Representation.tfidf
        )
    ), data


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _leftovers(parent: Path) -> list[str]:
    """Hidden entries beside the report folders and inside them, but for the marker."""
    hidden = [p for p in parent.iterdir() if p.name.startswith(".")]
    for folder in parent.iterdir():
        if folder.is_dir():
            hidden += [p for p in folder.iterdir() if p.name.startswith(".") and p.name != MARKER]
    return [str(p.relative_to(parent)) for p in hidden]


def test_existing_report_needs_force(result_and_input, tmp_path: Path) -> None:
    result, _ = result_and_input
    out = tmp_path / "out"
    write_report(result, out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError) as err:
        write_report(result, out)
    assert str(err.value) == (
        f"Output folder {out} already holds a report; pass --force to replace it."
    )
    write_report(result, out, force=True)
    assert (out / "notes.txt").read_text() == "mine"  # files that are not the report are kept
    assert _leftovers(tmp_path) == []


def test_cli_refuses_to_overwrite_without_force(result_and_input, tmp_path: Path) -> None:
    _, data = result_and_input
    out = tmp_path / "out"
    args = ["analyze", str(data), "--score-col", "score", *FAST, "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert " ".join(again.stderr.split()) == (
        f"Error: Output folder {out} already holds a report; pass --force to replace it."
    )
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_mid_write_leaves_old_report_and_no_temp_folder(
    result_and_input, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    result, _ = result_and_input
    out = tmp_path / "out"
    write_report(result, out)
    before = _snapshot(out)

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(report_pkg, "render_markdown", broken)
    expected = KeyboardInterrupt if isinstance(failure, KeyboardInterrupt) else OSError
    with pytest.raises(expected):
        write_report(result, out, force=True)
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


def test_disk_full_from_write_is_an_output_error(
    result_and_input, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import feedback_nlp.output as output

    result, _ = result_and_input
    out = tmp_path / "out"
    write_report(result, out)
    before = _snapshot(out)
    real = output.os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OutputError, match="No space left on device"):
        write_report(result, out, force=True)
    assert _snapshot(out) == before and _leftovers(tmp_path) == []


def test_demo_can_run_twice_in_the_same_folder(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    for _ in range(2):
        r = runner.invoke(app, ["demo", "--rows", "200", "--out", str(out), "--quiet"])
        assert r.exit_code == 0, r.stderr
    assert (out / "demo_survey.csv").exists() and (out / "summary.json").exists()
    assert _leftovers(tmp_path) == []


def test_input_files_are_never_modified(tmp_path: Path) -> None:
    data = _survey(tmp_path, comments=["mail jo@example.com please"] * 3)
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    out = tmp_path / "out"
    r = runner.invoke(app, ["analyze", str(data), "--score-col", "score", *FAST, "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------- HTML


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        self.handlers += [k for k, _ in attrs if k.lower().startswith("on")]


def test_html_report_escapes_hostile_names_values_comments_and_file_name(tmp_path: Path) -> None:
    evil = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
    folder = tmp_path / "in"
    folder.mkdir()
    data = _survey(
        folder,
        name="x<script>alert(1)<.csv".replace("<", "_"),
        seg_col=f"seg{evil}",
        seg_values=[f"v{evil}", "plain"],
        comments=[f"bad {evil} service"] * 20,
    )
    out = tmp_path / "out"
    r = runner.invoke(
        app,
        [
            "analyze",
            str(data),
            "--score-col",
            "score",
            "--text-col",
            "comment",
            "--segment-col",
            f"seg{evil}",
            *FAST,
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.stderr
    html = (out / "report.html").read_text()
    parser = _Scripts()
    parser.feed(html)
    assert parser.scripts == 1  # the renderer's own inline script only
    assert parser.handlers == []
    assert "&lt;script&gt;" in html
    assert json.loads((out / "summary.json").read_text())["columns"]["segments"] == [f"seg{evil}"]


def test_report_files_get_ordinary_permissions(tmp_path):
    """Atomic writes go through private temporary files; the report must not stay private."""
    import os
    import stat

    from feedback_nlp.output import write_text
    from feedback_nlp.output_folder import report_folder

    old = os.umask(0o022)
    try:
        with report_folder(tmp_path / "out", force=False) as folder:
            write_text(folder / "report.md", "# hi\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "report.md").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out" / MARKER).stat().st_mode) == 0o644
