"""The code keeps its shape: no import cycles, no private names across modules, layers kept."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _health():
    spec = importlib.util.spec_from_file_location("code_health", ROOT / "bench" / "code_health.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_src_has_no_import_cycles() -> None:
    assert _health().cycles() == []


def test_src_imports_no_private_name_from_another_module() -> None:
    assert _health().private_imports() == []


def test_the_checks_find_a_cycle_and_a_private_import(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .b import _helper\n",
            "b.py": "def _helper():\n    from .a import x\n",
            "sub/__init__.py": "",
            "sub/c.py": "from ..other._impl import y\nfrom ..b import _helper as h\n",
            "sub/d.py": "from ._own import z\n",  # a package's own private module: fine
            "sub/_own.py": "z = 1\n",
            "other/__init__.py": "",
            "other/_impl.py": "y = 1\n",
        },
    )
    health = _health()
    assert health.cycles(src) == [["pkg.a", "pkg.b"]]
    assert health.private_imports(src) == [
        "pkg.a:1 imports pkg.b._helper",
        "pkg.sub.c:1 imports private module pkg.other._impl",
        "pkg.sub.c:2 imports pkg.b._helper",
    ]


def test_import_linter_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    proc = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 broken" in proc.stdout
