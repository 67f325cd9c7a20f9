"""Every report file of three analyses equals its pinned golden digest.

A refactor must not move an output; a change that does regenerates the
digests on purpose (``python tests/golden_cases.py --write``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golden_cases import CASES, HASHES, available, run


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_equal_golden(name: str, tmp_path: Path) -> None:
    if not available(name):
        pytest.skip(f"data of case {name!r} not present")
    expected = json.loads(HASHES.read_text())[name]
    got = run(name, tmp_path)
    assert set(got) == set(expected)
    moved = sorted(f for f in got if got[f] != expected[f])
    assert moved == [], f"{name}: these outputs differ from the golden digests: {moved}"
