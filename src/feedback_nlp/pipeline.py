"""``analyze``: the one library call behind ``feedback-nlp analyze``.

The local engine: the survey is loaded as one chunk (:func:`load_survey`),
then the analysis plan (:func:`feedback_nlp.plan.run_plan`) runs on it in this
process, each step spreading its per-text work over ``cfg.threads`` processes.
The Dask engine runs the same plan over partitions
(:func:`feedback_nlp.engines.dask_engine.analyze_dask`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .arguments import is_frame
from .config import AnalysisConfig
from .execution import LocalExecutor, Progress, Timer
from .load import LoadedPart
from .plan.run import run_plan
from .plan.summary import package_versions
from .result import AnalysisResult, Survey

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["analyze", "analyze_survey", "package_versions"]


def analyze(
    data: AnalysisConfig | pd.DataFrame | str | os.PathLike[str],
    progress: Progress | None = None,
    **options: Any,
) -> AnalysisResult:
    """Analyse a survey and return its result (tables, summary, notes).

    Parameters
    ----------
    data : pandas.DataFrame, path or AnalysisConfig
        The survey: a DataFrame (its cells read as the text ``to_csv`` writes,
        rows numbered from 1 in order, whatever the index: row 1 is
        ``df.iloc[0]``; messages name it "the DataFrame"), a survey file, or
        a whole :class:`AnalysisConfig`.
    progress : callable, optional
        See below.
    **options
        The analysis options (:class:`AnalysisConfig`), named as the CLI's
        options with ``_`` for ``-``: ``score_col`` (``--score-col``),
        ``text_col``, ``segment_cols`` (``--segment-col``, repeated), ``themes``,
        ``scale_min``... A column may be named by its role: ``score``, ``text``,
        ``id``, ``group``, ``date``, ``segments``, ``metrics``. One string is a
        list of one (``segments="region"``). With an ``AnalysisConfig``, they
        change it. An unknown name or a value of the wrong type is a TypeError.

    Examples
    --------
    >>> import pandas as pd
    >>> from feedback_nlp import analyze
    >>> df = pd.DataFrame({"NPS": [10, 3], "why": ["Great staff", "Slow wifi"]})
    >>> result = analyze(df, score="NPS", text="why", segments=[])  # doctest: +SKIP
    >>> result.comments[["row", "group", "themes", "theme_labels"]]  # doctest: +SKIP

    ``progress`` is called with each stage's name as it starts (the CLI shows
    it). A callback that also takes ``step``, ``done`` and ``total`` keywords is
    called with them as the stage's counted work advances, e.g.
    ``progress("sentiment", step="scoring comments", done=40000, total=95000)``
    (see :data:`feedback_nlp.execution.Progress`).
    With ``cfg.engine == "dask"`` the stages run on a Dask cluster
    (:func:`feedback_nlp.engines.dask_engine.analyze_dask`).
    """
    cfg = _config(data, options)
    if cfg.engine == "dask":
        from .engines.dask_engine import analyze_dask

        return analyze_dask(cfg, progress)
    from threadpoolctl import threadpool_limits

    from .load import load_survey

    timer = Timer(progress)
    ex = LocalExecutor(workers=cfg.threads or os.cpu_count() or 1)
    with threadpool_limits(limits=ex.workers):
        with timer.stage("read"):
            survey = load_survey(cfg, ex)
        return _run(survey, cfg, ex, timer)


def _config(data: Any, options: dict[str, Any]) -> AnalysisConfig:
    """The configuration of :func:`analyze`'s arguments."""
    named = AnalysisConfig.resolve(options, "analyze()")
    if isinstance(data, AnalysisConfig):
        return data.with_(**named) if named else data
    if not (isinstance(data, (str, os.PathLike)) or is_frame(data)):
        raise TypeError(
            "analyze() takes a pandas DataFrame, a file path or an AnalysisConfig, "
            f"got {type(data).__name__}."
        )
    return AnalysisConfig(data, **named)


def analyze_survey(
    survey: Survey, cfg: AnalysisConfig, timer: Timer | None = None
) -> AnalysisResult:
    """Analyse an already loaded :class:`Survey` (the stages after reading)."""
    return _run(survey, cfg, LocalExecutor(workers=cfg.threads or os.cpu_count() or 1), timer)


def _run(
    survey: Survey, cfg: AnalysisConfig, ex: LocalExecutor, timer: Timer | None
) -> AnalysisResult:
    frame = survey.frame.reset_index(drop=True)
    metrics = survey.metrics.reset_index(drop=True) if survey.metrics is not None else None
    part = LoadedPart(
        frame=frame,
        rejected=survey.rejected,
        metrics=metrics if metrics is not None else frame[[]],
    )
    return run_plan(cfg, ex, [part], survey, timer or Timer())
