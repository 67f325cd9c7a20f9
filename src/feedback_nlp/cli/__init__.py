"""The ``feedback-nlp`` command line: a thin adapter over the library.

Each command parses options, builds one config, calls one library function,
renders the result and turns :class:`~feedback_nlp.errors.FeedbackError` into a
one-line message and exit code 1. Heavy libraries are imported inside the
commands so ``feedback-nlp --help`` answers at once.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .analyze import EPILOG as ANALYZE_EPILOG
from .analyze import analyze_command
from .demo import EPILOG as DEMO_EPILOG
from .demo import demo_command
from .fit import EPILOG as FIT_EPILOG
from .fit import fit_command
from .help import Command, Group, epilog

app = typer.Typer(
    name="feedback-nlp",
    cls=Group,
    epilog=epilog(
        ("Start here:", "feedback-nlp demo\nfeedback-nlp analyze survey.csv --segment-col region"),
        ("A command's options and recipes:", "feedback-nlp analyze --help"),
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("analyze", cls=Command, epilog=ANALYZE_EPILOG)(analyze_command)
app.command("demo", cls=Command, epilog=DEMO_EPILOG)(demo_command)
app.command("fit", cls=Command, epilog=FIT_EPILOG)(fit_command)


def version() -> str:
    """The installed package's version, as ``feedback_nlp.__version__`` records it."""
    from importlib.metadata import version as installed

    return installed("feedback-nlp")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"feedback-nlp {version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """What are detractors complaining about that promoters are not?
    NPS, sentiment and themes from survey comments."""


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main", "version"]
