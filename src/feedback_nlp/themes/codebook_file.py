"""The researcher's codebook file: its dataclasses, and reading and writing its YAML.

``models/NAME/codebook.yaml`` is written with every saved model and edited by
a researcher: rename a theme or a sub-theme (edit its label), merge themes or
sub-themes of one theme, move a sub-theme to another theme, add a theme from
seed phrases, split a theme by seed phrases, exclude terms (see
:mod:`feedback_nlp.themes.edits` for how they are applied). Sub-themes are
listed under their theme, with ids ``<theme id>.<number>`` (``T03.2``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from .subtree import is_subtheme_id, split_id

if TYPE_CHECKING:
    from .model import ThemeModel

__all__ = [
    "Codebook",
    "CodebookTheme",
    "CodebookSubtheme",
    "SeedTheme",
    "SplitRule",
    "MoveRule",
    "codebook_error",
    "load_codebook",
    "parse_codebook",
    "dump_codebook",
    "codebook_from_model",
]

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_KEYS = ("version", "themes", "merge", "move", "seed_themes", "split", "exclude_terms")


@dataclass(frozen=True)
class CodebookSubtheme:
    """A sub-theme's entry: its id (``T03.2``) and (editable) label; keywords and
    size are for reference. A label of None keeps the fitted one."""

    id: str
    label: str | None
    keywords: tuple[str, ...] = ()
    size: int | None = None


@dataclass(frozen=True)
class CodebookTheme:
    """A theme's entry: its id and (editable) label, its sub-themes; keywords and
    size are for reference. A label of None keeps the fitted one."""

    id: str
    label: str | None
    keywords: tuple[str, ...] = ()
    size: int | None = None
    subthemes: tuple[CodebookSubtheme, ...] = ()


@dataclass(frozen=True)
class MoveRule:
    """Move sub-theme ``subtheme`` under theme ``to`` (it takes the next free number there)."""

    subtheme: str
    to: str


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
    move: tuple[MoveRule, ...] = ()

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


def _sub_id(value: Any, source: str, key: str) -> str:
    if not is_subtheme_id(value):
        raise codebook_error(
            source,
            key,
            f"{value!r} is not a sub-theme id (like T03.2: its theme's id, a dot, a number).",
        )
    return str(value)


def _any_id(value: Any, source: str, key: str) -> str:
    return _sub_id(value, source, key) if is_subtheme_id(value) else _id(value, source, key)


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


def _label(value: Any, source: str, key: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise codebook_error(source, key, "expected a non-empty string.")
    return value.strip()


def _size(value: Any, source: str, key: str) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise codebook_error(source, key, "expected a number of comments (for reference only).")
    return value


def _seed(value: Any, source: str, key: str) -> SeedTheme:
    m = _mapping(value, source, key, ("id", "label", "phrases"))
    label = str(_label(m.get("label"), source, f"{key}.label"))
    return SeedTheme(
        _id(m.get("id"), source, f"{key}.id"),
        label,
        _strings(m.get("phrases"), source, f"{key}.phrases", min_len=1),
    )


def _list(value: Any, source: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise codebook_error(source, key, "expected a list.")
    return value


def _subthemes(value: Any, source: str, key: str, theme: str) -> tuple[CodebookSubtheme, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise codebook_error(
            source, key, f"expected a mapping of sub-theme id ({theme}.1...) to {{label: ...}}."
        )
    out = []
    for sid, entry in value.items():
        sub_key = f"{key}.{sid}"
        _sub_id(sid, source, sub_key)
        if split_id(sid)[0] != theme:
            raise codebook_error(
                source,
                sub_key,
                f"sub-theme {sid!r} is not under {theme} (ids are <theme id>.<number>); to move "
                f"a sub-theme to another theme use  move: [{{subtheme: {sid}, to: {theme}}}].",
            )
        if isinstance(entry, str):
            entry = {"label": entry}
        m = _mapping(entry, source, sub_key, ("label", "keywords", "size"))
        out.append(
            CodebookSubtheme(
                sid,
                _label(m.get("label"), source, f"{sub_key}.label", required=False),
                _strings(m.get("keywords"), source, f"{sub_key}.keywords"),
                _size(m.get("size"), source, f"{sub_key}.size"),
            )
        )
    return tuple(out)


def _themes(value: Any, source: str) -> tuple[CodebookTheme, ...]:
    raw = value or {}
    if not isinstance(raw, dict):
        raise codebook_error(source, "themes", "expected a mapping of theme id to {label: ...}.")
    themes = []
    for tid, entry in raw.items():
        key = f"themes.{tid}"
        _id(tid, source, key)
        if isinstance(entry, str):
            entry = {"label": entry}
        m = _mapping(entry, source, key, ("label", "keywords", "size", "subthemes"))
        themes.append(
            CodebookTheme(
                tid,
                _label(m.get("label"), source, f"{key}.label", required=False),
                _strings(m.get("keywords"), source, f"{key}.keywords"),
                _size(m.get("size"), source, f"{key}.size"),
                _subthemes(m.get("subthemes"), source, f"{key}.subthemes", tid),
            )
        )
    return tuple(themes)


def _moves(value: Any, source: str) -> tuple[MoveRule, ...]:
    moves: list[MoveRule] = []
    for i, rule in enumerate(_list(value, source, "move")):
        key = f"move[{i}]"
        m = _mapping(rule, source, key, ("subtheme", "to"))
        sid = _sub_id(m.get("subtheme"), source, f"{key}.subtheme")
        to = _id(m.get("to"), source, f"{key}.to")
        if split_id(sid)[0] == to:
            raise codebook_error(source, key, f"sub-theme {sid!r} is already under {to}.")
        for j, earlier in enumerate(moves):
            if earlier.subtheme == sid:
                raise codebook_error(
                    source, key, f"sub-theme {sid!r} is already moved in move[{j}]."
                )
        moves.append(MoveRule(sid, to))
    return tuple(moves)


def _merges(value: Any, source: str, moves: Sequence[MoveRule]) -> tuple[tuple[str, ...], ...]:
    """Groups of theme ids, or of sub-theme ids under one theme (after ``moves``)."""
    moved_to = {m.subtheme: m.to for m in moves}
    merge: list[tuple[str, ...]] = []
    seen: dict[str, str] = {}
    for i, group in enumerate(_list(value, source, "merge")):
        key = f"merge[{i}]"
        if not isinstance(group, list) or len(group) < 2:
            raise codebook_error(
                source,
                key,
                "expected a list of at least two theme ids, e.g. [T03, T07], or sub-theme ids "
                "of one theme, e.g. [T03.1, T03.4].",
            )
        ids = tuple(_any_id(g, source, key) for g in group)
        for g in ids:
            if g in seen:
                raise codebook_error(source, key, f"theme id {g!r} is already merged in {seen[g]}.")
            seen[g] = key
        subs = [g for g in ids if is_subtheme_id(g)]
        if subs and len(subs) < len(ids):
            theme = next(g for g in ids if not is_subtheme_id(g))
            raise codebook_error(
                source,
                key,
                f"{subs[0]!r} is a sub-theme and {theme!r} a theme: merge themes with themes, "
                "sub-themes with sub-themes of one theme.",
            )
        parents = [moved_to.get(g, split_id(g)[0]) for g in subs]
        other = [g for g, p in zip(subs, parents, strict=True) if p != parents[0]]
        if other:
            raise codebook_error(
                source,
                key,
                f"sub-themes {subs[0]!r} and {other[0]!r} are under different themes: merge "
                "sub-themes of one theme (move one first, with move:).",
            )
        merge.append(ids)
    return tuple(merge)


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
    themes = _themes(data.get("themes"), source)
    moves = _moves(data.get("move"), source)
    merge = _merges(data.get("merge"), source, moves)
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
    return Codebook(themes, merge, seeds, tuple(split), exclude, 1, source, moves)


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


def _reference(keywords: Sequence[str], size: int | None) -> str:
    """The reference-only fields of an entry, as YAML flow items."""
    out = f"keywords: {_q(list(keywords))}"
    return out if size is None else f"{out}, size: {size}"


def _theme_yaml(t: CodebookTheme) -> list[str]:
    """A theme's entry: one line, or a block holding its sub-themes."""
    if not t.subthemes and t.label is not None:
        return [f"  {t.id}: {{label: {_q(t.label)}, {_reference(t.keywords, t.size)}}}"]
    if t.label is None:
        lines = [f"  {t.id}:  # its label is in seed_themes / split"]
    else:
        lines = [
            f"  {t.id}:",
            f"    label: {_q(t.label)}",
            f"    keywords: {_q(list(t.keywords))}",
        ]
        if t.size is not None:
            lines.append(f"    size: {t.size}")
    lines.append("    subthemes:")
    for sub in t.subthemes:
        label = "" if sub.label is None else f"label: {_q(sub.label)}, "
        lines.append(f"      {sub.id}: {{{label}{_reference(sub.keywords, sub.size)}}}")
    return lines


def dump_codebook(cb: Codebook) -> str:
    """Render a codebook as commented YAML that :func:`parse_codebook` reads back."""
    lines = [
        "# feedback-nlp codebook. Edit, then re-fit (ids stay stable):",
        "#   feedback-nlp fit DATA --codebook models/NAME/codebook.yaml "
        "--previous models/NAME --save models/NAME --force",
        "version: 1",
        "# Edit a label to rename a theme or a sub-theme (listed under its theme as",
        "# T03.1, T03.2...). Keywords and size are for reference only.",
        "themes:" if cb.themes else "themes: {}",
    ]
    for t in cb.themes:
        lines += _theme_yaml(t)
    lines.append(
        "# Groups of ids merged into the first id: themes, e.g.  - [T03, T07], or "
        "sub-themes of one theme, e.g.  - [T03.1, T03.4]"
    )
    lines.append("merge:" if cb.merge else "merge: []")
    lines += [f"  - {_q(list(g))}" for g in cb.merge]
    lines.append(
        "# Sub-themes moved to another theme (each takes the next free number there), "
        "e.g.  - {subtheme: T03.2, to: T05}"
    )
    lines.append("move:" if cb.move else "move: []")
    lines += [f"  - {{subtheme: {_q(m.subtheme)}, to: {_q(m.to)}}}" for m in cb.move]
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
    """The codebook to save with ``model``: its current themes and sub-themes plus
    ``base``'s rules.

    Themes created by ``base``'s seeds and splits are listed without a label
    (it lives in their own entries, so each label is edited in one place), and
    only when they have sub-themes.
    """
    base = base or Codebook()
    created = base.created_ids()
    subs: dict[str, list[CodebookSubtheme]] = {}
    for s in model.subtheme_rows():
        subs.setdefault(str(s["parent_id"]), []).append(
            CodebookSubtheme(
                str(s["theme_id"]), str(s["label"]), tuple(s["keywords"]), int(s["size"])
            )
        )
    themes = tuple(
        CodebookTheme(
            str(t["theme_id"]),
            None if t["theme_id"] in created else str(t["label"]),
            () if t["theme_id"] in created else tuple(t["keywords"]),
            None if t["theme_id"] in created else int(t["size"]),
            tuple(subs.get(str(t["theme_id"]), ())),
        )
        for t in model.themes_
        if t["theme_id"] not in created or subs.get(str(t["theme_id"]))
    )
    return Codebook(
        themes, base.merge, base.seed_themes, base.split, base.exclude_terms, move=base.move
    )
