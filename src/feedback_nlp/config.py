"""The one frozen configuration object that flows through an analysis."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import Enum
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = [
    "AnalysisConfig",
    "Scale",
    "DuplicatePolicy",
    "Representation",
    "Period",
    "ReportFormat",
    "Engine",
    "DEFAULT_FORMATS",
    "parse_group_map",
]


class DuplicatePolicy(str, Enum):
    """What to do when a respondent id appears more than once."""

    error = "error"
    first = "first"
    last = "last"


class Representation(str, Enum):
    """How comments are turned into vectors before themes are found."""

    auto = "auto"
    minilm = "minilm"
    tfidf = "tfidf"


class Period(str, Enum):
    """A trend period: ISO week (``2026-W03``), month (``2026-01``) or quarter (``2026Q1``)."""

    week = "week"
    month = "month"
    quarter = "quarter"


class Engine(str, Enum):
    """Where the analysis runs: this process, or a Dask cluster (partition by partition)."""

    local = "local"
    dask = "dask"


class ReportFormat(str, Enum):
    """An output kind :func:`feedback_nlp.report.write_report` can write."""

    html = "html"
    md = "md"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


#: What ``write_report`` writes when no format is chosen: everything but the workbook.
DEFAULT_FORMATS = (ReportFormat.html, ReportFormat.md, ReportFormat.csv, ReportFormat.json)


@dataclass(frozen=True)
class Scale:
    """The score scale and its cut points.

    The default is the NPS 0-10 scale: 9-10 promoters, 7-8 passives, 0-6
    detractors. For a 1-5 star rating use ``Scale(1, 5, promoter_min=5,
    detractor_max=3)``.

    >>> Scale().group(9.0), Scale().group(7.0), Scale().group(6.0)
    ('promoter', 'passive', 'detractor')
    """

    minimum: float = 0.0
    maximum: float = 10.0
    promoter_min: float = 9.0
    detractor_max: float = 6.0

    def __post_init__(self) -> None:
        if not (self.minimum <= self.detractor_max < self.promoter_min <= self.maximum):
            raise ConfigError(
                "Invalid score scale: need scale-min <= detractor-max < promoter-min <= scale-max, "
                f"got {self.minimum:g} <= {self.detractor_max:g} < {self.promoter_min:g} "
                f"<= {self.maximum:g}."
            )

    def group(self, score: float) -> str:
        """Return 'promoter', 'passive' or 'detractor' for a score inside the scale."""
        if score >= self.promoter_min:
            return "promoter"
        if score <= self.detractor_max:
            return "detractor"
        return "passive"


GROUPS = ("detractor", "passive", "promoter")


def parse_group_map(spec: str | None) -> tuple[tuple[str, str], ...]:
    """Parse ``"negative=detractor,neutral=passive"`` into sorted (label, group) pairs.

    >>> parse_group_map("Neg=detractor, pos=Promoter")
    (('neg', 'detractor'), ('pos', 'promoter'))
    """
    if not spec:
        return ()
    pairs: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ConfigError(
                f"Invalid --group-map entry {part.strip()!r}: expected LABEL=GROUP, "
                f"with GROUP one of {', '.join(GROUPS)}."
            )
        label, group = (s.strip().lower() for s in part.split("=", 1))
        if group not in GROUPS:
            raise ConfigError(
                f"Invalid --group-map group {group!r} for label {label!r}: "
                f"choose one of {', '.join(GROUPS)}."
            )
        pairs[label] = group
    return tuple(sorted(pairs.items()))


@dataclass(frozen=True)
class AnalysisConfig:
    """Everything an analysis needs, built once by the CLI or the Python API.

    Column names left as ``None`` are detected from common names.
    ``n_themes=None`` chooses the number of themes automatically.
    ``period`` groups answers for the trends when there is a date column;
    ``metric_cols`` are other numeric answers (CSAT, CES...) to summarise.
    """

    input: Path
    comments: Path | None = None
    score_col: str | None = None
    group_col: str | None = None
    group_map: tuple[tuple[str, str], ...] = ()
    text_col: str | None = None
    id_col: str | None = None
    segment_cols: tuple[str, ...] = ()
    date_col: str | None = None
    period: Period = Period.month
    metric_cols: tuple[str, ...] = ()
    scale: Scale = field(default_factory=Scale)
    duplicates: DuplicatePolicy = DuplicatePolicy.error
    seed: int = 0
    n_themes: int | None = None
    representation: Representation = Representation.auto
    brand_terms: tuple[str, ...] = ()
    per_segment: bool = False
    model_path: Path | None = None
    low_n: int = 30
    min_segment_comments: int = 100
    example_count: int = 3
    alpha: float = 0.05
    threads: int | None = None
    #: Replace personal data in comments by placeholders as they are read (:mod:`.redact`).
    redact: bool = True
    #: Also find person names with spaCy's recogniser (the slow part of redaction at scale).
    redact_names: bool = True
    #: ``dask`` runs on a dask.distributed cluster (:mod:`feedback_nlp.engines`).
    engine: Engine = Engine.local
    #: Dask scheduler address (``tcp://host:8786``); None starts a local cluster.
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.n_themes is not None and not 2 <= self.n_themes <= 100:
            raise ConfigError(
                f"--themes must be 'auto' or a number from 2 to 100, got {self.n_themes}."
            )
        if self.low_n < 1:
            raise ConfigError(f"--low-n must be at least 1, got {self.low_n}.")

    def with_(self, **changes: Any) -> AnalysisConfig:
        """Return a copy with some fields changed (the config itself is frozen)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the run manifest (paths as strings, enums as values)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, Enum):
                value = value.value
            elif isinstance(value, Scale):
                value = {
                    "min": value.minimum,
                    "max": value.maximum,
                    "promoter_min": value.promoter_min,
                    "detractor_max": value.detractor_max,
                }
            elif isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[f.name] = value
        return out
