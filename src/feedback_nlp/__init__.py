"""feedback-nlp: what are detractors complaining about that promoters are not?

The Python API in brief::

    from feedback_nlp import AnalysisConfig, analyze, write_report
    result = analyze(df, score="NPS", text="why", segments="region")  # a DataFrame or a path
    result = analyze(AnalysisConfig(input=Path("survey.csv"), segment_cols=("region",)))
    result.comments[["respondent_id", "themes", "theme_labels", "row_flags"]]
    write_report(result, Path("report"))
    result.summary.nps.score          # the summary, typed (feedback_nlp.summary_types)
    result.summary.to_dict()          # the same as plain data, as in summary.json

Options are named as the CLI's (``score_col`` is ``--score-col``), or a column by
its role (``score``, ``text``, ``segments``...): see :mod:`feedback_nlp.arguments`.

Heavy libraries (spaCy, scikit-learn, VADER, onnxruntime) load only when a
function that needs them runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import AnalysisConfig, DuplicatePolicy, Representation, Scale
from .errors import (
    ColumnError,
    ConfigError,
    DataError,
    FeedbackError,
    InputFileError,
    ModelError,
    OutputError,
)
from .result import AnalysisResult, Survey
from .summary_types import Summary

if TYPE_CHECKING:
    from .pipeline import analyze
    from .report import write_report

__version__ = "0.1.0"

__all__ = [
    "AnalysisConfig",
    "AnalysisResult",
    "ColumnError",
    "ConfigError",
    "DataError",
    "DuplicatePolicy",
    "FeedbackError",
    "InputFileError",
    "ModelError",
    "OutputError",
    "Representation",
    "Scale",
    "Summary",
    "Survey",
    "analyze",
    "write_report",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # analyze / write_report pull in pandas-heavy modules; load them on first use.
    if name == "analyze":
        from .pipeline import analyze

        return analyze
    if name == "write_report":
        from .report import write_report

        return write_report
    raise AttributeError(f"module 'feedback_nlp' has no attribute {name!r}")
