"""`make bench` rewrites BENCHMARKS.md but keeps the sections people wrote."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_rerun_keeps_the_hand_written_sections_and_drops_the_generated_ones(tmp_path):
    old = tmp_path / "BENCHMARKS.md"
    old.write_text(
        "# Benchmarks\n\nintro\n\n## End to end\n\n| a |\n\n"
        "## Why (hand-written)\n\nVADER is the floor.\n\n"
        "## Time per stage\n\n| b |\n\n"
        "## Fast path (hand-written; notes)\n\n- one\n- two\n",
        encoding="utf-8",
    )
    kept = _run_module().hand_written(old)
    assert kept == [
        "",
        "## Why (hand-written)\n\nVADER is the floor.",
        "",
        "## Fast path (hand-written; notes)\n\n- one\n- two",
    ]
    assert _run_module().hand_written(tmp_path / "absent.md") == []
