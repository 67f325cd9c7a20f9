"""Seeded generator of realistic synthetic NPS survey answers.

The project's tests, demo and benchmarks use only data made here. Each row is a
respondent of a fictional broadband provider ("Acme") with a 0-10 score, a
free-text comment and segment columns. The data has known structure, so an
analysis can be checked against it:

* scores: about 40% detractors, 25% passives, 35% promoters overall; the South
  region, the Basic plan and the Support stage are worse, Premium better; NPS
  climbs over the months except for a dip in the middle month (a network
  incident, during which slow-speed comments also rise);
* themes: :data:`THEMES` lists the planted themes, how much more often each is
  raised by each NPS group and segment, and the keywords that mark it;
* mess: ~4% noise answers ("", "n/a", "?"...), ~1.5% missing scores, brand
  mentions in every group alike, a few phone numbers and e-mail addresses
  (reserved, fictional ones), sarcasm, typos, lowercase, missing punctuation.

Only ``numpy.random.Generator(PCG64(seed))`` is used: the same arguments always
give the same frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from . import _demo_phrases as _ph
from ._demo_writer import CommentWriter, typo
from .config import AnalysisConfig
from .errors import ConfigError, OutputError

__all__ = [
    "PlantedTheme",
    "THEMES",
    "COLUMNS",
    "NOISE_ANSWERS",
    "generate_survey",
    "write_survey",
    "demo_config",
]

COLUMNS = ("respondent_id", "score", "comment", "region", "plan", "journey_stage", "response_date")
GROUPS = ("detractor", "passive", "promoter")
NOISE_ANSWERS: tuple[str, ...] = tuple(_ph.NOISE)


@dataclass(frozen=True)
class PlantedTheme:
    """One theme planted in the synthetic comments.

    Parameters
    ----------
    name : str
        Identifier, e.g. ``"slow_speed"``.
    label : str
        Short human label, e.g. ``"slow or dropping internet speed"``.
    kind : {"complaint", "praise", "neutral"}
        Complaints are raised mostly by detractors, praise by promoters.
    weight : Mapping[str, float]
        Relative chance of being picked, by NPS group ("detractor", "passive",
        "promoter"); comments pick 0-3 themes by these weights.
    lift : Mapping[str, float]
        Multipliers by segment value (region, plan or journey stage).
    incident_lift : float
        Multiplier during the incident month (the middle month).
    keywords : tuple of str
        Words that mark the theme: every phrase of the theme contains one and
        no other theme's phrase does (case-insensitive, whole words).

    Examples
    --------
    >>> t = THEMES[0]
    >>> t.name, t.kind, t.weight["detractor"] > t.weight["promoter"]
    ('slow_speed', 'complaint', True)
    >>> bool(t.pattern.search("Speeds drop every evening"))
    True
    """

    name: str
    label: str
    kind: Literal["complaint", "praise", "neutral"]
    weight: Mapping[str, float]
    lift: Mapping[str, float] = field(default_factory=dict)
    incident_lift: float = 1.0
    keywords: tuple[str, ...] = ()

    @property
    def pattern(self) -> re.Pattern[str]:
        """A compiled case-insensitive regex matching any keyword as whole words."""
        words = sorted(self.keywords, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


def _w(det: float, pas: float, pro: float) -> dict[str, float]:
    return {"detractor": det, "passive": pas, "promoter": pro}


# A table of data reads better compact:
# fmt: off
THEMES: tuple[PlantedTheme, ...] = (
    PlantedTheme("slow_speed", "slow or dropping internet speed", "complaint",
                 _w(3.0, 1.6, 0.4), {"Basic": 1.5, "South": 1.4, "Support": 1.3}, 2.2,
                 ("slow", "slower", "speed", "speeds", "buffering", "outage", "outages", "drop",
                  "drops", "dropping", "dropped", "cuts out", "lag", "laggy", "disconnects")),
    PlantedTheme("billing_errors", "billing errors and unexpected charges", "complaint",
                 _w(2.0, 0.8, 0.15), {"Billing": 2.5}, 1.0,
                 ("bill", "bills", "billed", "billing", "charge", "charged", "charges",
                  "overcharged", "refund", "direct debit", "invoice")),
    PlantedTheme("price", "price too high and price increases", "complaint",
                 _w(2.0, 2.0, 0.45), {"Renewal": 1.8, "Premium": 1.3}, 1.0,
                 ("price", "pricing", "pricey", "expensive", "overpriced", "cost", "costs",
                  "hike", "hikes", "increase", "value for money", "cheaper", "rip off")),
    PlantedTheme("engineer_no_show", "engineer no-show or missed appointment", "complaint",
                 _w(1.4, 0.4, 0.1), {"Onboarding": 2.5, "Support": 1.3}, 1.0,
                 ("engineer", "technician", "appointment", "no show", "no-show", "turn up",
                  "turned up", "turns up", "showed up", "show up")),
    PlantedTheme("call_wait", "long waits for customer service", "complaint",
                 _w(2.2, 0.9, 0.2), {"Support": 2.0}, 1.4,
                 ("on hold", "hold", "queue", "queues", "wait", "waits", "waiting", "waited",
                  "call centre", "get through", "hung up")),
    PlantedTheme("router_faults", "router and equipment faults", "complaint",
                 _w(1.2, 0.6, 0.15), {"Support": 1.6, "Basic": 1.2}, 1.0,
                 ("router", "hub", "modem", "equipment", "wifi box", "firmware", "reboot",
                  "restart", "restarts")),
    PlantedTheme("cancellation", "contract and cancellation hassle", "complaint",
                 _w(1.0, 0.3, 0.05), {"Renewal": 3.0}, 1.0,
                 ("cancel", "cancellation", "contract", "exit fee", "notice period", "retention",
                  "leave", "leaving", "termination")),
    PlantedTheme("app_website", "app and website", "neutral",
                 _w(0.6, 0.6, 0.6), {"Billing": 1.3}, 1.0,
                 ("app", "app's", "website", "online account", "my account", "log in", "login",
                  "logging")),
    PlantedTheme("friendly_staff", "helpful and friendly staff", "praise",
                 _w(0.4, 1.2, 2.6), {"Support": 1.4}, 1.0,
                 ("friendly", "helpful", "polite", "lovely", "patient", "knowledgeable",
                  "courteous", "kind", "above and beyond", "staff")),
    PlantedTheme("easy_setup", "easy setup and installation", "praise",
                 _w(0.2, 0.8, 1.8), {"Onboarding": 2.5}, 1.0,
                 ("setup", "set up", "install", "installation", "installer", "self-install",
                  "plug and play", "plugged", "up and running", "activation")),
    PlantedTheme("reliable_connection", "fast, reliable connection", "praise",
                 _w(0.15, 1.0, 2.8), {"Premium": 1.4}, 1.0,
                 ("reliable", "reliably", "stable", "rock solid", "fast", "consistently",
                  "dependable", "never goes down", "no downtime")),
)
# fmt: on

# Segments: value -> (share of respondents, effect on the score's log-odds tilt).
_SEGMENTS: dict[str, dict[str, tuple[float, float]]] = {
    "region": {
        "North": (0.34, 0.10),
        "South": (0.18, -0.60),
        "East": (0.28, 0.15),
        "West": (0.20, 0.05),
    },
    "plan": {"Basic": (0.46, -0.40), "Plus": (0.34, 0.10), "Premium": (0.20, 0.50)},
    "journey_stage": {
        "Onboarding": (0.18, 0.15),
        "Billing": (0.30, -0.10),
        "Support": (0.32, -0.50),
        "Renewal": (0.20, 0.10),
    },
}
# Score 0..10 shares before tilting: 40% detractors, 25% passives, 35% promoters.
_BASE_SCORE = np.array([0.07, 0.02, 0.03, 0.04, 0.04, 0.09, 0.11, 0.11, 0.14, 0.14, 0.21])
_N_THEMES_CDF = np.cumsum(
    [[0.06, 0.46, 0.36, 0.12], [0.14, 0.52, 0.27, 0.07], [0.12, 0.52, 0.28, 0.08]], 1
)
_P_NOISE, _P_MISSING, _P_BRAND, _P_CONFUSED = 0.04, 0.015, 0.05, 0.02
_P_LOWER, _P_NOPUNCT, _P_TYPO = 0.08, 0.2, 0.06
_P_PII = np.array([0.012, 0.004, 0.003])
# Rows drawn at a time; random draws a comment may use (more than any comment needs).
_CHUNK, _DRAWS = 16384, 64
_WRITER = CommentWriter([t.kind for t in THEMES], [_ph.THEME_PHRASES[t.name] for t in THEMES])


def _scores(
    rng: np.random.Generator, seg: dict[str, np.ndarray], month: np.ndarray, months: int
) -> np.ndarray:
    """Draw 0-10 scores from the base shares tilted by segment and month effects."""
    effects = []
    for spec in _SEGMENTS.values():
        share, eff = np.array(list(spec.values())).T
        effects.append(eff - share @ eff)  # centred so overall shares stay near the base
    drift = np.linspace(-0.3, 0.3, months)
    if months >= 3:
        drift[months // 2] -= 0.6
    effects.append(drift - drift.mean())
    total = (
        effects[0][:, None, None, None]
        + effects[1][None, :, None, None]
        + effects[2][None, None, :, None]
        + effects[3][None, None, None, :]
    ).ravel()
    p = _BASE_SCORE * np.exp(np.outer(total, (np.arange(11) - 5) / 5))
    cdf = np.cumsum(p / p.sum(1, keepdims=True), 1)
    cdf[:, -1] = 1.0
    combo = ((seg["region"] * 3 + seg["plan"]) * 4 + seg["journey_stage"]) * months + month
    # One searchsorted over all combos: row c's cdf lives in [c, c + 1].
    flat = (cdf + np.arange(len(cdf))[:, None]).ravel()
    hits = np.searchsorted(flat, combo + rng.random(len(combo)), side="right")
    return (hits - combo * 11).astype(np.int64)


def _theme_weights() -> dict[str, np.ndarray]:
    out = {"group": np.array([[t.weight[g] for t in THEMES] for g in GROUPS])}
    for col, spec in _SEGMENTS.items():
        out[col] = np.array([[t.lift.get(v, 1.0) for t in THEMES] for v in spec])
    out["incident"] = np.array([t.incident_lift for t in THEMES])
    return out


def generate_survey(
    rows: int = 2000,
    seed: int = 0,
    start: str = "2026-01-01",
    months: int = 6,
    *,
    with_truth: bool = False,
) -> pd.DataFrame:
    """Generate synthetic NPS survey answers for a fictional broadband provider.

    Parameters
    ----------
    rows : int
        Number of respondents.
    seed : int
        Seed of the ``numpy.random.PCG64`` generator; same arguments, same frame.
    start : str
        ISO date of the first possible answer.
    months : int
        Answers are spread uniformly over this many months from ``start``.
    with_truth : bool
        Add a ``planted_themes`` column: the themes planted in each comment,
        ``;``-separated, empty for none.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS` (plus ``planted_themes``), sorted by date;
        ``score`` is nullable ``Int64`` with ~1.5% missing, the rest are strings.

    Examples
    --------
    >>> df = generate_survey(rows=5, seed=1)
    >>> list(df.columns) == list(COLUMNS), len(df), df["respondent_id"].iloc[0]
    (True, 5, 'R000001')
    >>> generate_survey(rows=5, seed=1).equals(df)
    True
    """
    day0 = _check_arguments(rows, months, start)
    # The order of the draws below is the generator's contract: the same seed gives the
    # same survey only as long as every step draws the same numbers in the same order.
    rng = np.random.Generator(np.random.PCG64(seed))
    seg = {
        col: rng.choice(len(spec), size=rows, p=[s for s, _ in spec.values()])
        for col, spec in _SEGMENTS.items()
    }
    dates, month = _dates(rng, day0, rows, months)
    score = _scores(rng, seg, month, months)
    group = np.digitize(score, [7, 9])  # 0 detractor, 1 passive, 2 promoter
    # A few detractors misread the scale and write like promoters.
    cgroup = np.where((score <= 2) & (rng.random(rows) < _P_CONFUSED), 2, group)
    missing = rng.random(rows) < _P_MISSING
    mess = _draw_mess(rng, cgroup)
    comments, truth = _comments(rng, cgroup, seg, month == _incident_month(months), mess)
    width = max(6, len(str(rows)))
    frame = pd.DataFrame(
        {
            "respondent_id": [f"R{i:0{width}d}" for i in range(1, rows + 1)],
            "score": pd.arrays.IntegerArray(score, missing.copy()),
            "comment": comments,
            **{col: np.array(list(spec))[seg[col]] for col, spec in _SEGMENTS.items()},
            "response_date": np.datetime_as_string(dates, unit="D"),
        }
    )
    if with_truth:
        frame["planted_themes"] = truth
    return frame


def _check_arguments(rows: int, months: int, start: str) -> np.datetime64:
    """Validate :func:`generate_survey`'s arguments; return the first day as a date."""
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 0:
        raise ConfigError(f"Invalid rows {rows!r}: expected a whole number >= 0.")
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ConfigError(f"Invalid months {months!r}: expected a whole number >= 1.")
    try:
        return np.datetime64(start, "D")
    except ValueError as err:
        raise ConfigError(f"Invalid start date {start!r}: expected ISO like 2026-01-01.") from err


def _dates(
    rng: np.random.Generator, day0: np.datetime64, rows: int, months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted answer dates over ``months`` months from ``day0``, and each one's month index."""
    month0 = day0.astype("datetime64[M]")
    end = (month0 + months).astype("datetime64[D]") + (day0 - month0.astype("datetime64[D]"))
    span = int((end - day0).astype(np.int64))
    dates = day0 + np.sort(rng.integers(0, span, size=rows))
    month = np.minimum((dates.astype("datetime64[M]") - month0).astype(np.int64), months - 1)
    return dates, month


def _incident_month(months: int) -> int:
    """The middle month, when the network incident happens (-1: none, under 3 months)."""
    return months // 2 if months >= 3 else -1


class _Mess(NamedTuple):
    """Per-row flags of the mess in the comments (see the module docstring)."""

    noise: np.ndarray
    brand: np.ndarray
    pii: np.ndarray
    lower: np.ndarray
    nopunct: np.ndarray
    typo: np.ndarray
    noise_pick: np.ndarray


def _draw_mess(rng: np.random.Generator, group: np.ndarray) -> _Mess:
    rows = len(group)
    noise = rng.random(rows) < _P_NOISE
    brand = rng.random(rows) < _P_BRAND
    pii = rng.random(rows) < _P_PII[group]
    lower, nopunct, typo = rng.random((3, rows)) < [[_P_LOWER], [_P_NOPUNCT], [_P_TYPO]]
    noise_pick = rng.integers(0, len(NOISE_ANSWERS), size=rows)
    return _Mess(noise, brand, pii, lower, nopunct, typo, noise_pick)


def _comments(
    rng: np.random.Generator,
    group: np.ndarray,
    seg: dict[str, np.ndarray],
    incident: np.ndarray,
    mess: _Mess,
) -> tuple[list[str], list[str]]:
    """Each row's comment and the names of the themes planted in it (``;``-separated).

    Rows are drawn in chunks so the draws of a million rows never sit in memory at once.
    """
    tw = _theme_weights()
    comments: list[str] = []
    truth: list[str] = []
    for lo in range(0, len(group), _CHUNK):
        sl = slice(lo, min(lo + _CHUNK, len(group)))
        g = group[sl]
        w = (
            tw["group"][g]
            * tw["region"][seg["region"][sl]]
            * tw["plan"][seg["plan"][sl]]
            * tw["journey_stage"][seg["journey_stage"][sl]]
        )
        w[incident[sl]] *= tw["incident"]
        keys = np.log(w) + rng.gumbel(size=w.shape)  # Gumbel top-k: weighted, no repeats
        order = np.argsort(-keys, axis=1)[:, :3].tolist()
        n_themes = (rng.random(len(g))[:, None] > _N_THEMES_CDF[g]).sum(1).tolist()
        draws = rng.integers(0, 1 << 16, size=(len(g), _DRAWS)).tolist()
        flags = zip(g.tolist(), *(np.asarray(f)[sl].tolist() for f in mess), strict=True)
        for i, (gi, nz, br, pi, lo_, np_, ty, npk) in enumerate(flags):
            if nz:
                comments.append(NOISE_ANSWERS[npk])
                truth.append("")
                continue
            picked = order[i][: n_themes[i]]
            text = _WRITER.compose(gi, picked, draws[i], br, pi)
            if ty:
                text = typo(text, draws[i][-1], draws[i][-2])
            if np_:
                text = text.rstrip(".!")
            if lo_:
                text = text.lower()
            comments.append(text)
            truth.append(";".join(THEMES[t].name for t in picked))
    return comments, truth


_WRITERS: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    ".csv": lambda df, p: df.to_csv(p, index=False),
    ".tsv": lambda df, p: df.to_csv(p, index=False, sep="\t"),
    ".parquet": lambda df, p: df.to_parquet(p, index=False),
    ".xlsx": lambda df, p: df.to_excel(p, index=False),
    ".jsonl": lambda df, p: df.to_json(p, orient="records", lines=True, force_ascii=False),
}


def write_survey(path: str | Path, rows: int = 2000, seed: int = 0, **kw: Any) -> Path:
    """Generate a survey with :func:`generate_survey` and write it to ``path``.

    The format follows the extension: ``.csv``, ``.tsv``, ``.parquet``,
    ``.xlsx`` or ``.jsonl``. Missing scores are written as empty cells (null
    in JSON Lines). Extra keywords go to :func:`generate_survey`.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_survey(Path(d) / "survey.csv", rows=20)
    ...     len(pd.read_csv(out))
    20
    """
    path = Path(path)
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ConfigError(
            f"Cannot write {path}: unknown extension {path.suffix!r}. "
            f"Available: {', '.join(_WRITERS)}."
        )
    frame = generate_survey(rows, seed, **kw)
    try:
        writer(frame, path)
    except OSError as err:
        raise OutputError(f"Cannot write {path}: {err.strerror or err}.") from err
    return path


def demo_config(path: Path, seed: int = 0, **changes: Any) -> AnalysisConfig:
    """The analysis of a survey written by :func:`write_survey` (its column names).

    >>> demo_config(Path("s.csv")).segment_cols
    ('region', 'plan', 'journey_stage')
    """
    return AnalysisConfig(
        input=path,
        score_col="score",
        text_col="comment",
        id_col="respondent_id",
        segment_cols=("region", "plan", "journey_stage"),
        date_col="response_date",
        seed=seed,
        **changes,
    )
