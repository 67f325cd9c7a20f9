"""How ``--help`` reads in an 80-column terminal: panels, flags without a type, recipes.

Typer shows a flag's type as ``<bool>``; a flag has no value, so the command
classes here show nothing there (the ``--help`` flag included). The options
are grouped in the panels named here, and each command's examples are whole
command lines in its epilog, short enough not to wrap at 80 columns.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup

#: The help panels, in the order a command lists its options.
INPUT_PANEL = "Input columns"
SCALE_PANEL = "Scale"
THEMES_PANEL = "Themes"
MODEL_PANEL = "Model"
OUTPUT_PANEL = "Output"
PERFORMANCE_PANEL = "Performance"

#: The scale options of a 1-5 star rating (5 promoter, 4 passive, 1-3 detractor).
STAR_OPTIONS = "--scale-min 1 --scale-max 5 --promoter-min 5 --detractor-max 3"
#: ``--group-map``'s example: the labels of a sentiment column mapped to the groups.
GROUP_MAP_EXAMPLE = '"negative=detractor,neutral=passive,positive=promoter"'


def epilog(*recipes: tuple[str, str]) -> str:
    """An epilog of (title, command lines) recipes, each command indented under its title.

    Rich markup is escaped (``[`` would start a tag); the lines are kept as
    written, so a command continued with ``\\`` stays copyable. Typer dedents
    an epilog's lines after the first (``inspect.cleandoc``): with one recipe
    its commands would lose their indent, so give two.

    >>> print(epilog(("Stars:", "feedback-nlp analyze s.csv [x]")))
    Stars:
      feedback-nlp analyze s.csv \\[x]
    """
    blocks = []
    for title, commands in recipes:
        lines = [title, *("  " + line for line in commands.splitlines())]
        blocks.append("\n".join(line.replace("[", "\\[") for line in lines))
    return "\n\n".join(blocks)


def _no_flag_type(params: list[Any]) -> None:
    """A flag has no value: show no ``<bool>`` after it."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


class _FlagsWithoutType:
    """``__init__`` and ``get_help_option`` of a click command or group whose
    flags (``--help`` too) show no type in ``--help``."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_flag_type(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        _no_flag_type([option] if option is not None else [])
        return option


class Command(_FlagsWithoutType, TyperCommand):
    """A command whose flags show no type in ``--help``."""


class Group(_FlagsWithoutType, TyperGroup):
    """The ``feedback-nlp`` group, its flags (``--version``, ``--help``) without a type."""


__all__ = [
    "GROUP_MAP_EXAMPLE",
    "INPUT_PANEL",
    "MODEL_PANEL",
    "OUTPUT_PANEL",
    "PERFORMANCE_PANEL",
    "SCALE_PANEL",
    "STAR_OPTIONS",
    "THEMES_PANEL",
    "Command",
    "Group",
    "epilog",
]
