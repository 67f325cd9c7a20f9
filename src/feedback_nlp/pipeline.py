"""``analyze``: the one library call behind ``feedback-nlp analyze``.

The local engine: the survey is loaded as one chunk (:func:`load_survey`),
then the analysis plan (:func:`feedback_nlp.plan.run_plan`) runs on it in this
process, each step spreading its per-text work over ``cfg.threads`` processes.
The Dask engine runs the same plan over partitions
(:func:`feedback_nlp.engines.dask_engine.analyze_dask`).
"""

from __future__ import annotations

import os

from .config import AnalysisConfig
from .execution import LocalExecutor, Progress, Timer
from .load import LoadedPart
from .plan.run import run_plan
from .plan.summary import package_versions
from .result import AnalysisResult, Survey

__all__ = ["analyze", "analyze_survey", "package_versions"]


def analyze(cfg: AnalysisConfig, progress: Progress | None = None) -> AnalysisResult:
    """Run the whole analysis described by ``cfg`` and return its result.

    ``progress`` is called with each stage's name as it starts (the CLI shows
    it). A callback that also takes ``step``, ``done`` and ``total`` keywords is
    called with them as the stage's counted work advances, e.g.
    ``progress("sentiment", step="scoring comments", done=40000, total=95000)``
    (see :data:`feedback_nlp.execution.Progress`).
    With ``cfg.engine == "dask"`` the stages run on a Dask cluster
    (:func:`feedback_nlp.engines.dask_engine.analyze_dask`).
    """
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
