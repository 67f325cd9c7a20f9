"""Execution engines: where the stages run.

``local`` (the default) is :func:`feedback_nlp.pipeline.analyze` in this
process. ``dask`` (:func:`~feedback_nlp.engines.dask_engine.analyze_dask`)
runs the per-row stages partition by partition on a dask.distributed cluster
and combines their additive counts; it needs the ``dask`` extra
(``pip install "feedback-nlp[dask]"``). Dask itself is imported only when the
engine runs.
"""

from .dask_engine import analyze_dask, open_client

__all__ = ["analyze_dask", "open_client"]
