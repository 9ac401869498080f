"""A country's (or one of its regions') public holidays, from the ``holidays`` package.

Computed, not fetched: the package knows each country's rules. A year's dates are
worked out once per process and country, when a calendar first asks about that year.
The package is imported on first use: it is large, and most hubs name no country.
"""

from __future__ import annotations

import warnings
from datetime import date
from functools import lru_cache
from typing import Any


class UnknownRegion(ValueError):
    """The ``holidays`` package knows no such country, or no such subdivision of it."""


class PublicHolidays:
    """The public holidays of a country, or of one of its subdivisions, by date."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision
        self._years: dict[int, dict[date, str]] = {}

    def name(self, day: date) -> str | None:
        names = self._years.get(day.year)
        if names is None:
            names = self._years[day.year] = dict(
                _holidays_of(self.country, self.subdivision, day.year)
            )
        return names.get(day)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.name(day) is not None


def _holidays_of(country: str, subdivision: str | None, year: int | None) -> Any:
    import holidays

    try:
        # Outside the years a country's rules cover the package warns and knows none:
        # such a year simply has no public holidays here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as exc:
        raise UnknownRegion(str(exc)) from None


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str | None = None) -> PublicHolidays:
    """The shared holidays of a region; raises UnknownRegion for one the package lacks."""
    _holidays_of(country, subdivision, None)  # checks the country and subdivision
    return PublicHolidays(country, subdivision)
