"""Code-health figures of ``src/``: import cycles, private names imported across
modules, functions over 80 lines and modules over 500 lines (an ``ast`` read,
nothing imported or run).

    python bench/code_health.py [--list]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
FUNCTION_LINES = 80
MODULE_LINES = 500


def modules(src: Path = SRC) -> dict[str, Path]:
    """Dotted module name -> file, for every module under ``src``."""
    out = {}
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(src: Path = SRC) -> Iterator[tuple[str, str, str, int]]:
    """(importing module, imported module, name, line) for every ``from X import name``."""
    mods = modules(src)
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, path, node)
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    # "from . import charts" imports a module, not a name
                    if full in mods:
                        yield module, full, "", node.lineno
                    else:
                        yield module, target, alias.name, node.lineno
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield module, alias.name, "", node.lineno


def private_imports(src: Path = SRC) -> list[str]:
    """``module:line imports target._name`` for each private name imported from another module."""
    mods = modules(src)
    out = []
    for module, target, name, line in imports(src):
        if target not in mods or target == module:
            continue
        if name.startswith("_") and not name.startswith("__"):
            out.append(f"{module}:{line} imports {target}.{name}")
        elif target.rsplit(".", 1)[-1].startswith("_") and not module.startswith(
            target.rsplit(".", 1)[0] + "."
        ):
            out.append(f"{module}:{line} imports private module {target}")
    return out


def cycles(src: Path = SRC) -> list[list[str]]:
    """Strongly connected groups of modules (size > 1) in the module import graph."""
    mods = modules(src)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, target, _, _ in imports(src):
        if target in mods and target != module and not mods[target].name == "__init__.py":
            graph[module].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def long_functions(src: Path = SRC, limit: int = FUNCTION_LINES) -> list[tuple[str, int]]:
    out = []
    for module, path in modules(src).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > limit:
                    out.append((f"{module}:{node.name}", n))
    return sorted(out, key=lambda x: -x[1])


def long_modules(src: Path = SRC, limit: int = MODULE_LINES) -> list[tuple[str, int]]:
    out = []
    for module, path in modules(src).items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append((module, n))
    return sorted(out, key=lambda x: -x[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--list", action="store_true", help="list each finding")
    args = parser.parse_args()
    figures = {
        "import cycles": cycles(),
        "private cross-module imports": private_imports(),
        f"functions over {FUNCTION_LINES} lines": long_functions(),
        f"modules over {MODULE_LINES} lines": long_modules(),
    }
    for name, found in figures.items():
        print(f"{name}: {len(found)}")
        if args.list:
            for item in found:
                print(f"  {item}")


if __name__ == "__main__":
    main()
