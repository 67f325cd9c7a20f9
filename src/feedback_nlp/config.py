"""The one frozen configuration object that flows through an analysis."""

from __future__ import annotations

import math
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
    "SentenceLevel",
    "LONG_COMMENT_SENTENCES",
    "Period",
    "ReportFormat",
    "Engine",
    "DEFAULT_FORMATS",
    "parse_group_map",
    "check_seed",
    "MAX_SEED",
    "display_path",
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


class SentenceLevel(str, Enum):
    """Whether comments are read sentence by sentence: ``auto`` when the median
    comment has :data:`LONG_COMMENT_SENTENCES` sentences or more."""

    auto = "auto"
    on = "on"
    off = "off"


#: From this many sentences (median comment) a survey is read sentence by sentence.
LONG_COMMENT_SENTENCES = 3


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
    detractor_max=3)`` (:meth:`for_range` gives the cut points for any range).

    ``given`` says whether the scale was chosen (any scale built by hand is);
    the one an :class:`AnalysisConfig` holds when no scale is passed is not,
    and loading checks the scores against it (:mod:`feedback_nlp.scales`).

    >>> Scale().group(9.0), Scale().group(7.0), Scale().group(6.0)
    ('promoter', 'passive', 'detractor')
    """

    minimum: float = 0.0
    maximum: float = 10.0
    promoter_min: float = 9.0
    detractor_max: float = 6.0
    given: bool = field(default=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (self.minimum <= self.detractor_max < self.promoter_min <= self.maximum):
            raise ConfigError(
                "Invalid score scale: need scale-min <= detractor-max < promoter-min <= scale-max, "
                f"got {self.minimum:g} <= {self.detractor_max:g} < {self.promoter_min:g} "
                f"<= {self.maximum:g}."
            )

    @classmethod
    def default(cls) -> Scale:
        """The NPS 0-10 scale, not chosen by the user (loading may still infer another)."""
        return cls(given=False)

    @classmethod
    def from_options(
        cls,
        minimum: float | None = None,
        maximum: float | None = None,
        promoter_min: float | None = None,
        detractor_max: float | None = None,
    ) -> Scale:
        """The scale of the four command-line options; :meth:`default` when none is passed.

        >>> Scale.from_options().given, Scale.from_options(0, 10).given
        (False, True)
        """
        if minimum is None and maximum is None and promoter_min is None and detractor_max is None:
            return cls.default()
        d = cls()
        return cls(
            d.minimum if minimum is None else minimum,
            d.maximum if maximum is None else maximum,
            d.promoter_min if promoter_min is None else promoter_min,
            d.detractor_max if detractor_max is None else detractor_max,
        )

    @classmethod
    def for_range(cls, minimum: float, maximum: float, *, given: bool = True) -> Scale:
        """The NPS cut points carried to another range: the top tenth promoters, the
        bottom six tenths detractors (9 and 6 of 0-10), rounded to whole points.

        1-10 keeps the NPS's own 9 and 6: it is the 0-10 question without its 0.

        >>> [(s.promoter_min, s.detractor_max) for s in map(Scale.for_range, (1, 1, 1), (5, 7, 10))]
        [(5.0, 3.0), (7.0, 4.0), (9.0, 6.0)]
        """
        if (minimum, maximum) == (1, 10):
            return cls(1.0, 10.0, 9.0, 6.0, given=given)
        span = maximum - minimum
        promoter = float(math.ceil(minimum + 0.9 * span - 1e-9))
        detractor = float(math.floor(minimum + 0.6 * span + 1e-9))
        return cls(float(minimum), float(maximum), promoter, detractor, given=given)

    @property
    def is_nps(self) -> bool:
        """True for the NPS's own scale and cut points: 0-10, 9-10 promoters, 0-6 detractors."""
        return (self.minimum, self.maximum, self.promoter_min, self.detractor_max) == (0, 10, 9, 6)

    def mapping(self) -> str:
        """The groups as score ranges.

        >>> Scale(1, 5, 5, 3).mapping()
        '5 promoter, 4 passive, 1-3 detractor'
        """
        lo, hi, pro, det = self.minimum, self.maximum, self.promoter_min, self.detractor_max
        if all(float(v).is_integer() for v in (lo, hi, pro, det)):
            passive = _span(det + 1, pro - 1) if det + 1 <= pro - 1 else None
        else:
            passive = f"above {det:g} and below {pro:g}"
        parts = [f"{_span(pro, hi)} promoter", f"{passive} passive" if passive else None,
                 f"{_span(lo, det)} detractor"]  # fmt: skip
        return ", ".join(p for p in parts if p)

    def options(self) -> str:
        """The command-line options that choose this scale (ready to copy).

        >>> Scale(1, 5, 5, 3).options()
        '--scale-min 1 --scale-max 5 --promoter-min 5 --detractor-max 3'
        """
        return (
            f"--scale-min {self.minimum:g} --scale-max {self.maximum:g} "
            f"--promoter-min {self.promoter_min:g} --detractor-max {self.detractor_max:g}"
        )

    def label(self) -> str:
        """How a report names the score: ``NPS``, or on another scale the mapping beside it.

        >>> Scale().label()
        'NPS'
        >>> Scale(1, 5, 5, 3).label()
        'NPS-style score on a 1-5 scale (5 promoter, 4 passive, 1-3 detractor)'
        """
        if self.is_nps:
            return "NPS"
        return f"NPS-style score on a {self.minimum:g}-{self.maximum:g} scale ({self.mapping()})"

    def group(self, score: float) -> str:
        """Return 'promoter', 'passive' or 'detractor' for a score inside the scale."""
        if score >= self.promoter_min:
            return "promoter"
        if score <= self.detractor_max:
            return "detractor"
        return "passive"


def _span(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"


GROUPS = ("detractor", "passive", "promoter")


def display_path(path: str | Path) -> str:
    r"""``path`` as text that can be written to a UTF-8 file or a terminal.

    A file name that is not valid UTF-8 reaches Python with its bad bytes as
    lone surrogates; every output encoding refuses those, so they are shown
    as U+FFFD (the file itself is still opened by its real name).

    >>> display_path(Path(b"caf\xe9.csv".decode("utf-8", "surrogateescape"))) == "caf\ufffd.csv"
    True
    """
    text = str(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that does not stand for a byte
        return text.encode("utf-8", "replace").decode("utf-8")


#: The largest seed every random generator the analysis uses accepts (NumPy's RandomState).
MAX_SEED = 2**32 - 1


def check_seed(seed: int) -> int:
    """``seed`` when it is a whole number from 0 to :data:`MAX_SEED`, else a ConfigError.

    >>> check_seed(7)
    7
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    feedback_nlp.errors.ConfigError: --seed must be a whole number from 0 to 4294967295, got -1.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"--seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}.")
    return seed


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
    scale: Scale = field(default_factory=Scale.default)
    duplicates: DuplicatePolicy = DuplicatePolicy.error
    seed: int = 0
    n_themes: int | None = None
    #: Sub-themes per theme: None splits each theme where its comments show
    #: structure (``--subthemes auto``), N >= 2 into N, 0 none.
    n_subthemes: int | None = None
    representation: Representation = Representation.auto
    #: Read comments sentence by sentence (``--sentences``): sentiment learnt from
    #: the survey's own sentences (:mod:`feedback_nlp.opinion`).
    sentences: SentenceLevel = SentenceLevel.auto
    brand_terms: tuple[str, ...] = ()
    #: Also mask brand names detected in the comments (``themes.detect_brand_terms``);
    #: False masks only ``brand_terms`` (``--no-brand-detection``).
    brand_detection: bool = True
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
        # An option given as bytes that are not UTF-8 (--brand-terms $'\xff') reaches us
        # with surrogates no output can encode: shown as U+FFFD, as in a file name.
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _PATHS:  # opened by their real names; shown with display_path
                continue
            if isinstance(value, (str, tuple)) and _printable(value) != value:
                object.__setattr__(self, f.name, _printable(value))
        check_seed(self.seed)
        if self.n_themes is not None and not 2 <= self.n_themes <= 100:
            raise ConfigError(
                f"--themes must be 'auto' or a number from 2 to 100, got {self.n_themes}."
            )
        if self.n_subthemes is not None and not (
            self.n_subthemes == 0 or 2 <= self.n_subthemes <= 100
        ):
            raise ConfigError(
                f"--subthemes must be 'auto', 0 or a number from 2 to 100, got {self.n_subthemes}."
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
            if f.name == "brand_detection" and value:
                # Recorded only when switched off: the manifests of runs from before the
                # option existed (and their pinned digests) stay as they were.
                continue
            if isinstance(value, Path) or (f.name in _PATHS and isinstance(value, str)):
                value = display_path(value)
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


#: The configuration's file paths (a str is accepted too).
_PATHS = ("input", "comments", "model_path")


def _printable(value: Any) -> Any:
    """Strings (also in tuples) as :func:`display_path` shows them; enums unchanged."""
    if isinstance(value, str) and not isinstance(value, Enum):
        return display_path(value)
    if isinstance(value, tuple):
        return tuple(_printable(v) for v in value)
    return value
