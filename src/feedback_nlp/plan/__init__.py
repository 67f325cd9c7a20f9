"""The analysis plan, written once for every engine: per-chunk steps, then one assemble.

- :mod:`.chunk`: the per-chunk (map) steps: usable text, sentiment, theme
  assignment, output rows and additive counts.
- :mod:`.fitting`: the theme model fit (brand terms, cleaning, fit or load).
- :mod:`.assemble`: the reduce step: counts summed, statistics, examples.
- :mod:`.summary`: summary.json.
- :mod:`.run`: the steps in order, against an
  :class:`~feedback_nlp.execution.Executor`.
"""

from .assemble import FitSample, assemble, merge_examples
from .chunk import ChunkResult, PreparedChunk, analyze_chunk, prepare_chunk
from .fitting import fit_themes, new_model
from .run import run_plan

__all__ = [
    "ChunkResult",
    "FitSample",
    "PreparedChunk",
    "analyze_chunk",
    "assemble",
    "fit_themes",
    "merge_examples",
    "new_model",
    "prepare_chunk",
    "run_plan",
]
