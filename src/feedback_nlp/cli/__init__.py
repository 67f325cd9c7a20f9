"""The ``feedback-nlp`` command line: a thin adapter over the library.

Each command parses options, builds one config, calls one library function,
renders the result and turns :class:`~feedback_nlp.errors.FeedbackError` into a
one-line message and exit code 1. Heavy libraries are imported inside the
commands so ``feedback-nlp --help`` answers at once.
"""

from __future__ import annotations

import typer

from .analyze import analyze_command
from .demo import demo_command
from .fit import fit_command

app = typer.Typer(
    name="feedback-nlp",
    help="What are detractors complaining about that promoters are not? "
    "NPS, sentiment and themes from survey comments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("analyze")(analyze_command)
app.command("demo")(demo_command)
app.command("fit")(fit_command)


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
