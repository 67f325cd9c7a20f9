"""The researcher's codebook file: its dataclasses, and reading and writing its YAML.

``models/NAME/codebook.yaml`` is written with every saved model and edited by
a researcher: rename a theme (edit its label), merge ids, add a theme from
seed phrases, split a theme by seed phrases, exclude terms (see
:mod:`feedback_nlp.themes.edits` for how they are applied).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError

if TYPE_CHECKING:
    from .model import ThemeModel

__all__ = [
    "Codebook",
    "CodebookTheme",
    "SeedTheme",
    "SplitRule",
    "codebook_error",
    "load_codebook",
    "parse_codebook",
    "dump_codebook",
    "codebook_from_model",
]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_KEYS = ("version", "themes", "merge", "seed_themes", "split", "exclude_terms")


@dataclass(frozen=True)
class CodebookTheme:
    """A theme's entry: its id and (editable) label; keywords are for reference."""

    id: str
    label: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeedTheme:
    """A theme defined by seed phrases (its centroid is their mean embedding)."""

    id: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class SplitRule:
    """Replace theme ``theme`` by sub-themes defined by seed phrases."""

    theme: str
    into: tuple[SeedTheme, ...]


@dataclass(frozen=True)
class Codebook:
    """A parsed codebook (see the module docstring and ``models/README.md``)."""

    themes: tuple[CodebookTheme, ...] = ()
    merge: tuple[tuple[str, ...], ...] = ()
    seed_themes: tuple[SeedTheme, ...] = ()
    split: tuple[SplitRule, ...] = ()
    exclude_terms: tuple[str, ...] = ()
    version: int = 1
    source: str = "codebook"

    def created_ids(self) -> set[str]:
        """Ids that seed themes and splits create."""
        return {s.id for s in self.seed_themes} | {s.id for r in self.split for s in r.into}


# -- parsing -----------------------------------------------------------------


def codebook_error(source: str, key: str, problem: str) -> ModelError:
    """The error for a codebook ``source`` whose ``key`` has ``problem``."""
    return ModelError(f"Codebook {source}: {key}: {problem}")


def _id(value: Any, source: str, key: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise codebook_error(
            source, key, f"{value!r} is not a theme id (like T01: a letter, then letters/digits)."
        )
    return value


def _strings(value: Any, source: str, key: str, *, min_len: int = 0) -> tuple[str, ...]:
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise codebook_error(source, key, "expected a list of non-empty strings.")
    if len(value) < min_len:
        raise codebook_error(source, key, f"expected at least {min_len} entries, got {len(value)}.")
    return tuple(v.strip() for v in value)


def _mapping(value: Any, source: str, key: str, allowed: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise codebook_error(source, key, f"expected a mapping with keys {', '.join(allowed)}.")
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise codebook_error(
            source, key, f"unknown key {unknown[0]!r}; valid keys: {', '.join(allowed)}."
        )
    return value


def _seed(value: Any, source: str, key: str) -> SeedTheme:
    m = _mapping(value, source, key, ("id", "label", "phrases"))
    label = m.get("label")
    if not isinstance(label, str) or not label.strip():
        raise codebook_error(source, f"{key}.label", "expected a non-empty string.")
    return SeedTheme(
        _id(m.get("id"), source, f"{key}.id"),
        label.strip(),
        _strings(m.get("phrases"), source, f"{key}.phrases", min_len=1),
    )


def _list(value: Any, source: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise codebook_error(source, key, "expected a list.")
    return value


def parse_codebook(text: str, source: str = "codebook") -> Codebook:
    """Parse codebook YAML; a bad structure raises ModelError naming ``source`` and the key.

    >>> cb = parse_codebook("version: 1\\nthemes: {T01: {label: speed}}\\nmerge: [[T01, T02]]")
    >>> cb.themes[0].label, cb.merge
    ('speed', (('T01', 'T02'),))
    """
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ModelError(f"Codebook {source} is not valid YAML: {err}".replace("\n", " ")) from None
    data = {} if data is None else data
    data = _mapping(data, source, "top level", _KEYS)
    version = data.get("version", 1)
    if version != 1:
        raise codebook_error(
            source, "version", f"this feedback-nlp reads codebook version 1, got {version!r}."
        )
    raw_themes = data.get("themes") or {}
    if not isinstance(raw_themes, dict):
        raise codebook_error(source, "themes", "expected a mapping of theme id to {label: ...}.")
    themes = []
    for tid, entry in raw_themes.items():
        key = f"themes.{tid}"
        _id(tid, source, key)
        if isinstance(entry, str):
            entry = {"label": entry}
        m = _mapping(entry, source, key, ("label", "keywords", "size"))
        label = m.get("label")
        if not isinstance(label, str) or not label.strip():
            raise codebook_error(source, f"{key}.label", "expected a non-empty string.")
        keywords = _strings(m.get("keywords"), source, f"{key}.keywords")
        themes.append(CodebookTheme(tid, label.strip(), keywords))
    merge: list[tuple[str, ...]] = []
    seen: dict[str, str] = {}
    for i, group in enumerate(_list(data.get("merge"), source, "merge")):
        key = f"merge[{i}]"
        if not isinstance(group, list) or len(group) < 2:
            raise codebook_error(
                source, key, "expected a list of at least two theme ids, e.g. [T03, T07]."
            )
        ids = tuple(_id(g, source, key) for g in group)
        for g in ids:
            if g in seen:
                raise codebook_error(source, key, f"theme id {g!r} is already merged in {seen[g]}.")
            seen[g] = key
        merge.append(ids)
    seeds = tuple(
        _seed(s, source, f"seed_themes[{i}]")
        for i, s in enumerate(_list(data.get("seed_themes"), source, "seed_themes"))
    )
    split = []
    for i, rule in enumerate(_list(data.get("split"), source, "split")):
        key = f"split[{i}]"
        m = _mapping(rule, source, key, ("theme", "into"))
        into = _list(m.get("into"), source, f"{key}.into")
        if len(into) < 2:
            raise codebook_error(source, f"{key}.into", "expected at least two sub-themes.")
        split.append(
            SplitRule(
                _id(m.get("theme"), source, f"{key}.theme"),
                tuple(_seed(s, source, f"{key}.into[{j}]") for j, s in enumerate(into)),
            )
        )
    created: list[str] = [s.id for s in seeds] + [s.id for r in split for s in r.into]
    for cid in created:
        if created.count(cid) > 1:
            raise codebook_error(source, "seed_themes/split", f"theme id {cid!r} is created twice.")
    exclude = _strings(data.get("exclude_terms"), source, "exclude_terms")
    return Codebook(tuple(themes), tuple(merge), seeds, tuple(split), exclude, 1, source)


def load_codebook(path: Path | str) -> Codebook:
    """Read and validate a codebook YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"Cannot read codebook {path}: {err}") from None
    return parse_codebook(text, str(path))


# -- writing -----------------------------------------------------------------


def _q(value: Any) -> str:
    # JSON is valid YAML flow syntax and quotes every string safely.
    return json.dumps(value, ensure_ascii=False)


def _seed_yaml(s: SeedTheme) -> str:
    return f"{{id: {_q(s.id)}, label: {_q(s.label)}, phrases: {_q(list(s.phrases))}}}"


def dump_codebook(cb: Codebook) -> str:
    """Render a codebook as commented YAML that :func:`parse_codebook` reads back."""
    lines = [
        "# feedback-nlp codebook. Edit, then re-fit (ids stay stable):",
        "#   feedback-nlp fit DATA --codebook models/NAME/codebook.yaml "
        "--previous models/NAME --save models/NAME --force",
        "version: 1",
        "# Edit a label to rename a theme. Keywords and size are for reference only.",
        "themes:" if cb.themes else "themes: {}",
    ]
    for t in cb.themes:
        lines.append(f"  {t.id}: {{label: {_q(t.label)}, keywords: {_q(list(t.keywords))}}}")
    lines.append("# Groups of ids merged into the first id, e.g.  - [T03, T07]")
    lines.append("merge:" if cb.merge else "merge: []")
    lines += [f"  - {_q(list(g))}" for g in cb.merge]
    lines.append(
        '# New themes from seed phrases, e.g.  - {id: T20, label: "price increase", '
        'phrases: ["price went up", "bill increased"]}'
    )
    lines.append("seed_themes:" if cb.seed_themes else "seed_themes: []")
    lines += [f"  - {_seed_yaml(s)}" for s in cb.seed_themes]
    lines.append(
        "# Split a theme by seed phrases, e.g.  - {theme: T02, into: "
        '[{id: T21, label: "...", phrases: ["..."]}, {id: T22, ...}]}'
    )
    lines.append("split:" if cb.split else "split: []")
    for r in cb.split:
        lines.append(f"  - theme: {_q(r.theme)}")
        lines.append("    into:")
        lines += [f"      - {_seed_yaml(s)}" for s in r.into]
    lines.append("# Terms masked before fitting and never shown in labels or keywords.")
    lines.append(f"exclude_terms: {_q(list(cb.exclude_terms))}")
    return "\n".join(lines) + "\n"


def codebook_from_model(model: ThemeModel, base: Codebook | None = None) -> Codebook:
    """The codebook to save with ``model``: its current themes plus ``base``'s rules.

    Themes created by ``base``'s seeds and splits are left out of ``themes``
    (their labels live in their own entries), so each label is edited in one place.
    """
    base = base or Codebook()
    created = base.created_ids()
    themes = tuple(
        CodebookTheme(str(t["theme_id"]), str(t["label"]), tuple(t["keywords"]))
        for t in model.themes_
        if t["theme_id"] not in created
    )
    return Codebook(themes, base.merge, base.seed_themes, base.split, base.exclude_terms)
