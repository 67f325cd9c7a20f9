"""The options the commands share: one declaration, each command's own help, parsing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from feedback_nlp.cli import app
from feedback_nlp.cli.options import parse_brand_terms, parse_themes
from feedback_nlp.errors import ConfigError

runner = CliRunner()

SHARED = (
    "comments",
    "score_col",
    "group_col",
    "group_map",
    "text_col",
    "id_col",
    "segment_col",
    "date_col",
    "duplicates",
    "brand_terms",
    "no_brand_detection",
    "themes",
    "subthemes",
    "representation",
    "sentences",
    "scale_min",
    "scale_max",
    "promoter_min",
    "detractor_max",
    "threads",
)


def _params(command: str) -> dict[str, Any]:
    group: Any = typer.main.get_command(app)
    return {p.name: p for p in group.commands[command].params if p.name}


def _help(p: Any) -> str | None:
    return getattr(p, "help", None)


def test_shared_options_read_the_same_in_analyze_and_fit() -> None:
    """fit takes every input, scale and theme option of analyze, declared once."""
    analyze, fit = _params("analyze"), _params("fit")
    for name in SHARED:
        a, f = analyze[name], fit[name]
        assert (a.opts, _help(a), a.default, a.multiple, a.metavar, a.rich_help_panel) == (
            f.opts,
            _help(f),
            f.default,
            f.multiple,
            f.metavar,
            f.rich_help_panel,
        ), name
    only_analyze = sorted(set(analyze) - set(fit))
    assert only_analyze == [
        "engine", "format", "low_n", "metric_col", "model", "no_redact", "no_redact_names",
        "out", "per_segment", "period", "scheduler",
    ]  # fmt: skip


def test_each_command_keeps_its_own_seed_and_quiet_help() -> None:
    analyze, fit, demo = _params("analyze"), _params("fit"), _params("demo")
    assert _help(analyze["seed"]) == "Random seed: same input and seed give identical tables."
    assert _help(fit["seed"]) == "Random seed: same input and seed give the same model."
    assert _help(demo["seed"]) == "Seed of the generator and of the analysis."
    quiet = "Print only warnings, errors and where the report is."
    assert _help(analyze["quiet"]) == _help(demo["quiet"]) == quiet
    assert _help(fit["quiet"]) == "Print only warnings, errors and where the model is."
    for params in (analyze, fit, demo):
        assert params["quiet"].opts == ["--quiet", "-q"]


def test_parse_themes() -> None:
    assert parse_themes(" Auto ") is None
    assert parse_themes("12") == 12
    with pytest.raises(ConfigError, match=r"got 'many'\.$"):
        parse_themes("many")


def test_parse_brand_terms() -> None:
    assert parse_brand_terms(None) == ()
    assert parse_brand_terms(["Acme, Acme Broadband", " ,Zed", ""]) == (
        "Acme",
        "Acme Broadband",
        "Zed",
    )


def _error(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.stderr.split())


def test_first_bad_option_in_config_order_is_the_one_reported(tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text("id,score,comment\n1,9,great\n2,3,slow\n")
    assert _error("analyze", str(survey), "--themes", "many", "--group-map", "bad") == (
        1,
        "Error: Invalid --group-map entry 'bad': expected LABEL=GROUP, "
        "with GROUP one of detractor, passive, promoter.",
    )
    assert _error("analyze", str(survey), "--themes", "many", "--scale-min", "7") == (
        1,
        "Error: Invalid score scale: need scale-min <= detractor-max < promoter-min <= "
        "scale-max, got 7 <= 6 < 9 <= 10.",
    )
    assert _error("analyze", str(survey), "--themes", "1", "--low-n", "0") == (
        1,
        "Error: --themes must be 'auto' or a number from 2 to 100, got 1.",
    )
    assert _error("analyze", str(survey), "--low-n", "0") == (
        1,
        "Error: --low-n must be at least 1, got 0.",
    )


def test_config_errors_come_before_the_output_folder_check(tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text("id,score,comment\n1,9,great\n2,3,slow\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("earlier report")
    assert _error("analyze", str(survey), "--out", str(out), "--themes", "x") == (
        1,
        "Error: --themes must be 'auto' or a number from 2 to 100, got 'x'.",
    )


def test_fit_rejects_bad_themes_before_fitting(tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text("id,score,comment\n1,9,great\n2,3,slow\n")
    root = tmp_path / "models"
    assert _error(
        "fit", str(survey), "--save", "m", "--models-root", str(root), "--themes", "many"
    ) == (1, "Error: --themes must be 'auto' or a number from 2 to 100, got 'many'.")
    assert not root.exists()


def test_fit_takes_the_scale_options_of_analyze() -> None:
    analyze, fit = _params("analyze"), _params("fit")
    for name in ("scale_min", "scale_max", "promoter_min", "detractor_max"):
        a, f = analyze[name], fit[name]
        assert (a.opts, _help(a), a.default) == (f.opts, _help(f), f.default), name


def test_fit_reports_a_bad_scale_before_anything_runs(tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    survey.write_text("id,score,comment\n1,9,great\n2,3,slow\n")
    root = tmp_path / "models"
    assert _error(
        "fit", str(survey), "--save", "m", "--models-root", str(root), "--scale-min", "7"
    ) == (
        1,
        "Error: Invalid score scale: need scale-min <= detractor-max < promoter-min <= "
        "scale-max, got 7 <= 6 < 9 <= 10.",
    )
    assert not root.exists()


def test_progress_on_a_terminal_lists_finished_stages_with_their_time(monkeypatch):
    """On a terminal each stage shows its running time; a finished one keeps a tick
    and what it took while the next runs; --quiet or a pipe shows nothing."""
    import io
    import re as _re
    import time

    from rich.console import Console

    from feedback_nlp.cli import _common

    buf = io.StringIO()
    monkeypatch.setattr(_common, "err_console", Console(file=buf, force_terminal=True, width=80))
    with _common.progress_reporter(False) as update:
        assert update is not None
        update("read")
        time.sleep(1.1)
        update("theme fit")
        time.sleep(0.2)
    plain = _re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())
    assert _re.search(r"✓ Read +0:00:01", plain)
    assert _re.search(r"Theme fit +0:00:00", plain)
    with _common.progress_reporter(True) as quiet:
        assert quiet is None
