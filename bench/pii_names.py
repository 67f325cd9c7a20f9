"""Names from another source than the one the name filter reads: real names per country.

The name filter's gazetteer is Faker's name lists (``feedback_nlp.name_lists``):
measured on names Faker wrote, it would look better than it is. This source
is the ``names-dataset`` package (PyPI, Apache-2.0; the bench extra): the
most common first and last names of 105 countries, from a large sample of
real social-network profiles. Loading it takes ~12 s and ~2 GB.
"""

from __future__ import annotations

import random
from functools import lru_cache

#: Most common first names (per gender) and last names taken per country.
TOP = 100


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    from names_dataset import NameDataset

    data = NameDataset()
    first = data.get_top_names(n=TOP, use_first_names=True)
    last = data.get_top_names(n=TOP, use_first_names=False)
    # Latin or other script, as written; one-letter entries and initials are no names.
    firsts = {
        c: [n for n in v.get("M", []) + v.get("F", []) if len(n) > 2 and "." not in n]
        for c, v in first.items()
    }
    lasts = {c: [n for n in v if len(n) > 2 and "." not in n] for c, v in last.items()}
    return firsts, {c: v for c, v in lasts.items() if v}


class CountryNames:
    """Draws a country, then a name of it (``first_name``, ``last_name``, ``name``)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.first, self.last = _tables()
        self.countries = sorted(c for c in set(self.first) & set(self.last) if self.first[c])

    def _country(self) -> str:
        return self.rng.choice(self.countries)

    def first_name(self) -> str:
        return self.rng.choice(self.first[self._country()])

    def last_name(self) -> str:
        return self.rng.choice(self.last[self._country()])

    def name(self) -> str:
        country = self._country()
        return f"{self.rng.choice(self.first[country])} {self.rng.choice(self.last[country])}"
