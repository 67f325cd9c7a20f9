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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import _demo_phrases as _ph
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
# Percent chances inside a comment, by group (detractor, passive, promoter).
_OPEN, _ELAB, _CLOSE, _BANG = (50, 50, 50), (40, 25, 30), (50, 45, 50), (25, 3, 15)
_NEUTRAL_POS = (25, 50, 80)
_SHORT, _SARCASM, _TAIL = 25, 8, 12
_CHUNK, _DRAWS = 16384, 64

# A template is literal text alternating with choices: a slot "{dur}" is replaced by
# the tuple SLOTS["dur"] when parsed, an inline "{a|b}" by ("a", "b").
_Template = tuple[tuple[str, tuple[str, ...]], ...]


def _parse(text: str) -> _Template:
    return tuple(
        (lit, (tuple(name.split("|")) if "|" in name else tuple(_ph.SLOTS[name])) if name else ())
        for lit, name, _, _ in Formatter().parse(text)
    )


def _pools(lists: Sequence[str]) -> tuple[_Template, ...]:
    return tuple(_parse(t) for t in lists)


_KIND = tuple(t.kind for t in THEMES)
_TP = [{k: _pools(v) for k, v in _ph.THEME_PHRASES[t.name].items()} for t in THEMES]
_OPEN_SENT, _OPEN_LEAD = [_pools(p) for p in _ph.OPEN_SENT], [_pools(p) for p in _ph.OPEN_LEAD]
_GENERIC, _ELABORATE = [_pools(p) for p in _ph.GENERIC], [_pools(p) for p in _ph.ELABORATE]
_CLOSER, _BRAND, _PII = [_pools(p) for p in _ph.CLOSE], _pools(_ph.BRAND), _pools(_ph.PII)
_MILD, _GRUDGING = _pools(_ph.MILD_LEAD), _pools(_ph.GRUDGING_LEAD)
_JOIN = {
    "same": _pools(_ph.JOIN_SAME),
    "neg": _pools(_ph.JOIN_TO_NEG),
    "pos": _pools(_ph.JOIN_TO_POS),
}


def _fill(pool: Sequence[_Template], nx: Callable[[], int]) -> str:
    """Pick a template and fill its choices, drawing every pick from ``nx``."""
    out = []
    for lit, choices in pool[nx() % len(pool)]:
        out.append(lit)
        if choices:
            out.append(choices[nx() % len(choices)])
    return "".join(out)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _compose(g: int, themes: Sequence[int], draws: list[int], brand: bool, pii: bool) -> str:
    """Write one comment for NPS group ``g`` (0 det, 1 pas, 2 pro) about ``themes``."""
    nx = iter(draws).__next__
    before: list[str] = []
    after: list[str] = []
    if brand:
        (before if nx() & 1 else after).append(_cap(_fill(_BRAND, nx)))
    lead = ""
    if nx() % 100 < _OPEN[g]:
        if nx() & 1:
            before.append(_cap(_fill(_OPEN_SENT[g], nx)))
        else:
            lead = _fill(_OPEN_LEAD[g], nx) + " "
    body, prev = "", ""
    for j, t in enumerate(themes):
        kind = _KIND[t]
        pol = "neg" if kind == "complaint" else "pos"
        if kind == "neutral":
            pol = "pos" if nx() % 100 < _NEUTRAL_POS[g] else "neg"
        pools = _TP[t]
        if len(themes) == 1 and not lead and nx() % 100 < _SHORT:
            clause = _fill(pools["short_" + pol], nx)
        elif j == 0 and g == 0 and "sarcastic" in pools and nx() % 100 < _SARCASM:
            clause = _fill(pools["sarcastic"], nx)
        else:
            clause = _fill(pools[pol], nx)
        if j == 0:
            if (g, pol) == (2, "neg"):
                clause = _fill(_MILD, nx) + clause
            elif (g, pol) == (0, "pos"):
                clause = _fill(_GRUDGING, nx) + clause
            body = clause
        else:
            joiner = _fill(_JOIN["same" if pol == prev else pol], nx)
            body += joiner + (_cap(clause) if joiner.endswith(". ") else clause)
        prev = pol
    if not themes:
        body = _fill(_GENERIC[g], nx)
    body = _cap(lead + body)
    if nx() % 100 < _TAIL:
        body += _ph.TAIL[nx() % len(_ph.TAIL)]
    body += ("!" * (1 + (nx() & 1))) if nx() % 100 < _BANG[g] else "."
    before.append(body)
    if nx() % 100 < _ELAB[g]:
        before.append(_cap(_fill(_ELABORATE[g], nx)))
    if nx() % 100 < _CLOSE[g]:
        before.append(_cap(_fill(_CLOSER[g], nx)))
    if pii:
        after.append(_fill(_PII, nx))
    return " ".join(before + after)


def _typo(text: str, a: int, b: int) -> str:
    """Swap, drop or double one inner letter of a random longer word."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = long[a % len(long)]
    w = words[i]
    p = 1 + b % (len(w) - 2)
    op = (a // 7) % 3
    words[i] = (
        w[:p] + w[p + 1] + w[p] + w[p + 2 :]
        if op == 0
        else w[:p] + w[p + 1 :]
        if op == 1
        else w[:p] + w[p] + w[p:]
    )
    return " ".join(words)


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
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 0:
        raise ConfigError(f"Invalid rows {rows!r}: expected a whole number >= 0.")
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
        raise ConfigError(f"Invalid months {months!r}: expected a whole number >= 1.")
    try:
        day0 = np.datetime64(start, "D")
    except ValueError as err:
        raise ConfigError(f"Invalid start date {start!r}: expected ISO like 2026-01-01.") from err
    rng = np.random.Generator(np.random.PCG64(seed))
    seg = {
        col: rng.choice(len(spec), size=rows, p=[s for s, _ in spec.values()])
        for col, spec in _SEGMENTS.items()
    }
    month0 = day0.astype("datetime64[M]")
    end = (month0 + months).astype("datetime64[D]") + (day0 - month0.astype("datetime64[D]"))
    span = int((end - day0).astype(np.int64))
    dates = day0 + np.sort(rng.integers(0, span, size=rows))
    month = np.minimum((dates.astype("datetime64[M]") - month0).astype(np.int64), months - 1)
    score = _scores(rng, seg, month, months)
    group = np.digitize(score, [7, 9])  # 0 detractor, 1 passive, 2 promoter
    # A few detractors misread the scale and write like promoters.
    cgroup = np.where((score <= 2) & (rng.random(rows) < _P_CONFUSED), 2, group)
    missing = rng.random(rows) < _P_MISSING
    noise = rng.random(rows) < _P_NOISE
    brand = rng.random(rows) < _P_BRAND
    pii = rng.random(rows) < _P_PII[cgroup]
    lower, nopunct, typo = rng.random((3, rows)) < [[_P_LOWER], [_P_NOPUNCT], [_P_TYPO]]
    noise_pick = rng.integers(0, len(NOISE_ANSWERS), size=rows)

    tw = _theme_weights()
    incident = months // 2 if months >= 3 else -1
    comments: list[str] = []
    truth: list[str] = []
    for lo in range(0, rows, _CHUNK):
        sl = slice(lo, min(lo + _CHUNK, rows))
        g = cgroup[sl]
        w = (
            tw["group"][g]
            * tw["region"][seg["region"][sl]]
            * tw["plan"][seg["plan"][sl]]
            * tw["journey_stage"][seg["journey_stage"][sl]]
        )
        w[month[sl] == incident] *= tw["incident"]
        keys = np.log(w) + rng.gumbel(size=w.shape)  # Gumbel top-k: weighted, no repeats
        order = np.argsort(-keys, axis=1)[:, :3].tolist()
        n_themes = (rng.random(len(g))[:, None] > _N_THEMES_CDF[g]).sum(1).tolist()
        draws = rng.integers(0, 1 << 16, size=(len(g), _DRAWS)).tolist()
        flags = zip(
            g.tolist(),
            noise[sl].tolist(),
            brand[sl].tolist(),
            pii[sl].tolist(),
            lower[sl].tolist(),
            nopunct[sl].tolist(),
            typo[sl].tolist(),
            noise_pick[sl].tolist(),
            strict=True,
        )
        for i, (gi, nz, br, pi, lo_, np_, ty, npk) in enumerate(flags):
            if nz:
                comments.append(NOISE_ANSWERS[npk])
                truth.append("")
                continue
            picked = order[i][: n_themes[i]]
            text = _compose(gi, picked, draws[i], br, pi)
            if ty:
                text = _typo(text, draws[i][-1], draws[i][-2])
            if np_:
                text = text.rstrip(".!")
            if lo_:
                text = text.lower()
            comments.append(text)
            truth.append(";".join(THEMES[t].name for t in picked))

    width = max(6, len(str(rows)))
    frame = pd.DataFrame(
        {
            "respondent_id": [f"R{i:0{width}d}" for i in range(1, rows + 1)],
            "score": pd.arrays.IntegerArray(score, missing.copy()),
            "comment": comments,
            "region": np.array(list(_SEGMENTS["region"]))[seg["region"]],
            "plan": np.array(list(_SEGMENTS["plan"]))[seg["plan"]],
            "journey_stage": np.array(list(_SEGMENTS["journey_stage"]))[seg["journey_stage"]],
            "response_date": np.datetime_as_string(dates, unit="D"),
        }
    )
    if with_truth:
        frame["planted_themes"] = truth
    return frame


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
