"""The one frozen configuration object that flows through an analysis."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field, fields, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arguments import (
    COMMENTS_FRAME_NAME,
    FRAME_NAME,
    as_choice,
    as_column,
    as_count,
    as_input,
    as_names,
    is_frame,
    resolve_options,
)
from .errors import ConfigError

if TYPE_CHECKING:  # pandas loads only when an analysis runs, so `--help` stays instant
    import pandas as pd

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
    "input_name",
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
    """A trend period: ISO week (``2026-W03``), month (``2026-01``), quarter (``2026Q1``) or
    calendar year (``2026``)."""

    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


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


def input_name(value: str | Path | pd.DataFrame, *, comments: bool = False) -> str:
    """How messages and outputs name an input: a file's name, or ``the DataFrame``.

    >>> input_name(Path("data/survey.csv"))
    'survey.csv'
    """
    if is_frame(value):
        return COMMENTS_FRAME_NAME if comments else FRAME_NAME
    return display_path(Path(value).name)


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
        label, group = part.split("=", 1)
        pairs[label] = group
    return group_pairs(pairs)


def group_pairs(pairs: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``{label: group}`` as sorted, lower-cased (label, group) pairs, groups checked.

    >>> group_pairs({"Neg": "detractor", "pos": "Promoter"})
    (('neg', 'detractor'), ('pos', 'promoter'))
    """
    out: dict[str, str] = {}
    for label, group in pairs.items():
        if not isinstance(label, str) or not isinstance(group, str):
            raise TypeError(
                "group_map must map labels (str) to groups (str), got "
                f"{type(label).__name__} {label!r}: {type(group).__name__} {group!r}."
            )
        label, group = label.strip().lower(), group.strip().lower()
        if group not in GROUPS:
            raise ConfigError(
                f"Invalid --group-map group {group!r} for label {label!r}: "
                f"choose one of {', '.join(GROUPS)}."
            )
        out[label] = group
    return tuple(sorted(out.items()))


def _group_map(value: Any) -> tuple[tuple[str, str], ...]:
    """The group map given as ``"a=detractor,..."``, a mapping or (label, group) pairs."""
    if value is None or isinstance(value, str):
        return parse_group_map(value)
    if isinstance(value, Mapping):
        return group_pairs(value)
    try:
        pairs = [tuple(p) for p in value]
    except TypeError:
        pairs = []
    if not pairs and value or any(len(p) != 2 or isinstance(p, str) for p in pairs):
        raise TypeError(
            "group_map must be 'LABEL=GROUP,...', a dict of labels to groups or a list of "
            f"(label, group) pairs, got {type(value).__name__}."
        )
    return group_pairs(dict(pairs))  # type: ignore[arg-type]


@dataclass(frozen=True)
class AnalysisConfig:
    """Everything an analysis needs, built once by the CLI or the Python API.

    ``input`` is the survey: a file path, or a pandas DataFrame read in place
    of a file (each cell as the text ``DataFrame.to_csv`` would write, so a
    frame and a CSV of it give the same tables). Messages then name it "the
    DataFrame", and row numbers count its rows from 1 in order, whatever its
    index: row 1 is ``df.iloc[0]``, as a CSV written with ``index=False``
    numbers its data rows. ``comments`` may be a DataFrame too.

    Column names left as ``None`` are detected from common names.
    ``n_themes=None`` chooses the number of themes automatically.
    ``period`` groups answers for the trends when there is a date column;
    ``metric_cols`` are other numeric answers (CSAT, CES...) to summarise.

    Options are named as the command-line options (``--score-col`` is
    ``score_col``): ``scale_min``, ``scale_max``, ``promoter_min`` and
    ``detractor_max`` choose the scale as their CLI options do (or pass
    ``scale=Scale(...)``, not both). A list-valued option (``segment_cols``,
    ``metric_cols``, ``brand_terms``) given one string is a list of it; choices
    (``period``, ``representation``...) may be given as strings. A value of the
    wrong type is a TypeError naming the option. :meth:`from_options` (and
    :func:`feedback_nlp.analyze`) also take the CLI's other names (``themes``,
    ``model``...) and the columns' roles (``score``, ``text``, ``segments``...):
    see :mod:`feedback_nlp.arguments`.

    >>> AnalysisConfig(input="survey.csv", segment_cols="region").segment_cols
    ('region',)
    >>> AnalysisConfig(input="s.csv", scale_min=1, scale_max=5, promoter_min=5,
    ...                detractor_max=3).scale.mapping()
    '5 promoter, 4 passive, 1-3 detractor'
    """

    input: Path | str | pd.DataFrame
    comments: Path | str | pd.DataFrame | None = None
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
    #: With ``per_segment``: values with fewer usable comments get no own themes. 0: only
    #: the theme-size rule of :mod:`feedback_nlp.plan.segment_themes` decides.
    min_segment_comments: int = 0
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
    #: The scale as the CLI's ``--scale-min``... options (not stored: they make ``scale``).
    scale_min: InitVar[float | None] = None
    scale_max: InitVar[float | None] = None
    promoter_min: InitVar[float | None] = None
    detractor_max: InitVar[float | None] = None

    def __post_init__(
        self,
        scale_min: float | None,
        scale_max: float | None,
        promoter_min: float | None,
        detractor_max: float | None,
    ) -> None:
        self._check_types()
        cuts = (scale_min, scale_max, promoter_min, detractor_max)
        if any(v is not None for v in cuts):
            if self.scale.given:
                raise TypeError(
                    "Pass the scale as scale=Scale(...) or as scale_min, scale_max, "
                    "promoter_min and detractor_max, not both."
                )
            numbers = [_number(v, n) for v, n in zip(cuts, _SCALE_OPTIONS, strict=True)]
            object.__setattr__(self, "scale", Scale.from_options(*numbers))
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

    def _check_types(self) -> None:
        """Values as the fields hold them (a string list-option is a list of one), or TypeError."""
        checked: dict[str, Any] = {
            "input": as_input(self.input, "input"),
            "comments": as_input(self.comments, "comments", optional=True),
            "group_map": _group_map(self.group_map),
            "segment_cols": as_names(self.segment_cols, "segment_cols"),
            "metric_cols": as_names(self.metric_cols, "metric_cols"),
            "brand_terms": as_names(self.brand_terms, "brand_terms", "term"),
            "n_themes": as_count(self.n_themes, "n_themes"),
            "n_subthemes": as_count(self.n_subthemes, "n_subthemes"),
            "low_n": as_count(self.low_n, "low_n", auto=False),
        }
        for name in ("score_col", "group_col", "text_col", "id_col", "date_col"):
            checked[name] = as_column(getattr(self, name), name)
        for name, kind in _CHOICES.items():
            checked[name] = as_choice(getattr(self, name), kind, name)
        if self.model_path is not None:
            if is_frame(self.model_path) or not isinstance(self.model_path, (str, os.PathLike)):
                raise TypeError(
                    "model_path must be the path of a saved model folder, got "
                    f"{type(self.model_path).__name__}."
                )
            checked["model_path"] = Path(self.model_path)
        if not isinstance(self.scale, Scale):
            raise TypeError(f"scale must be a Scale, got {type(self.scale).__name__}.")
        for name, value in checked.items():
            if value is not getattr(self, name):
                object.__setattr__(self, name, value)

    @classmethod
    def from_options(cls, input: Path | str | pd.DataFrame, **options: Any) -> AnalysisConfig:
        """The configuration of ``input`` and keyword options, under any of their names.

        Besides the fields' own names, each takes the name of its CLI option
        (``themes``, ``subthemes``, ``model``, ``segment_col``, ``metric_col``,
        ``no_redact``...) or, for a column, its role (``score``, ``text``,
        ``id``, ``group``, ``date``, ``segments``, ``metrics``): see
        :mod:`feedback_nlp.arguments`. Two names of one option are a TypeError.

        >>> cfg = AnalysisConfig.from_options("s.csv", score="NPS", segments="region", themes=8)
        >>> cfg.score_col, cfg.segment_cols, cfg.n_themes
        ('NPS', ('region',), 8)
        """
        return cls(input, **cls.resolve(options, "AnalysisConfig.from_options()"))

    @classmethod
    def resolve(cls, options: Mapping[str, Any], where: str) -> dict[str, Any]:
        """``options`` under the fields' own names (aliases resolved, unknown names refused).

        ``where`` names the call in a TypeError ("analyze()").
        """
        known = [f.name for f in fields(cls)] + list(_SCALE_OPTIONS)
        return resolve_options(options, known, where)

    def with_(self, **changes: Any) -> AnalysisConfig:
        """Return a copy with some fields changed (the config itself is frozen).

        The fields take any of their names, as in :meth:`from_options`.
        """
        return replace(self, **self.resolve(changes, "AnalysisConfig.with_()"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the run manifest (paths as strings, enums as values)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "brand_detection" and value:
                # Recorded only when switched off: the manifests of runs from before the
                # option existed (and their pinned digests) stay as they were.
                continue
            if is_frame(value):
                value = input_name(value, comments=f.name == "comments")
            elif isinstance(value, Path) or (f.name in _PATHS and isinstance(value, str)):
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


#: The configuration's file paths (a str is accepted too; input and comments may be frames).
_PATHS = ("input", "comments", "model_path")
#: The options given as one of a closed set of choices (a str Enum, or its value).
_CHOICES: dict[str, type[Enum]] = {
    "period": Period,
    "duplicates": DuplicatePolicy,
    "representation": Representation,
    "sentences": SentenceLevel,
    "engine": Engine,
}
#: The scale as the CLI's four options (init-only: they make ``AnalysisConfig.scale``).
_SCALE_OPTIONS = ("scale_min", "scale_max", "promoter_min", "detractor_max")


def _number(value: Any, param: str) -> float | None:
    """A scale option as a float (as the CLI reads it), or None when not given."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{param} must be a number, got {type(value).__name__} {value!r}.")
    return float(value)


def _printable(value: Any) -> Any:
    """Strings (also in tuples) as :func:`display_path` shows them; enums unchanged."""
    if isinstance(value, str) and not isinstance(value, Enum):
        return display_path(value)
    if isinstance(value, tuple):
        return tuple(_printable(v) for v in value)
    return value
