"""Public holidays for :mod:`propcrm.calendar`: any source the ``holidays`` package offers.

A calendar's ``holidays=`` is ``"none"``, a country code the package knows
(``"CN"``, ``"HK"``, ``"US"``), a country and subdivision (``"US-NY"``), a
:class:`holidays.HolidayBase` subclass or an instance of one (a company's own
holidays). A :class:`HolidaySchedule` reads it a year at a time, as the
calendar's tables grow, and keeps three things per date: closed, substituted
working day (a weekend day declared working, such as China's 调休), and the
holiday's name.

China is special in two ways, both as before: its closed days are whole rest
periods (放假, the weekend days joined to a holiday close too), and the package
publishes each year's official schedule, so later years are provisional. Every
other country's rules are computed by the package; they are never provisional.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import cache

import holidays as holidays_package
from holidays import HolidayBase
from holidays.countries.china import China

from propcrm.errors import CalendarRangeError, ValidationError

__all__ = [
    "HolidaySchedule",
    "HolidaysArg",
    "ProvisionalCalendarWarning",
    "check_code",
    "holiday_label",
    "provisional_warning",
    "schedule_for",
]

#: What ``holidays=`` accepts.
HolidaysArg = str | type[HolidayBase] | HolidayBase


class ProvisionalCalendarWarning(UserWarning):
    """A calendar covers years whose official holiday schedule is not yet known.

    Only China's calendars warn: the ``holidays`` package publishes China's
    official schedule year by year, and computes every other country's
    holidays by rule.

    China's State Council publishes each year's holidays and make-up working
    days late in the year before. For later years the ``holidays`` package
    estimates the holidays by rule and knows no make-up days; such a calendar
    works, but its dates are a guess (see
    :meth:`~propcrm.calendar.BusinessCalendar.is_provisional`).
    """

    __module__ = "propcrm.calendar"  # public there; this module is private


def provisional_warning(official_until: int) -> ProvisionalCalendarWarning:
    """The warning for a calendar reaching past China's last official schedule."""
    return ProvisionalCalendarWarning(
        f"this calendar covers years after {official_until}, the last year whose official "
        "holiday schedule (with make-up working days) the installed 'holidays' package has; "
        "their holidays are estimated and they have no make-up days. Upgrade 'holidays' "
        "when the State Council publishes the schedule, or add closed and extra_working dates."
    )


_EXPECTED = "'none' or a country code the holidays package knows, e.g. 'CN', 'HK' or 'US-NY'"


class HolidaySchedule:
    """Closed days, substituted working days and holiday names, loaded a year at a time.

    Args:
        load: Returns a ``HolidayBase`` holding the years asked for (first
            argument) that it can; it raises for an absent year it must have
            (second argument).
        rest_periods: Close the weekend days joined to a holiday (China).
        official_until: The last year with an official published schedule, or
            None when the source's rules are computed for every year.
        label: The source's name in error messages.
        rules: The first and last year the source has rules for; a calculation
            needing a year outside them is refused, never silently open.
    """

    __slots__ = (
        "_closed",
        "_holidays",
        "_label",
        "_load",
        "_loaded",
        "_makeup",
        "_makeup_ordinals",
        "_names",
        "_rest_periods",
        "_rules",
        "official_until",
    )

    def __init__(
        self,
        load: Callable[[list[int], set[int]], HolidayBase],
        *,
        label: str,
        rules: tuple[int, int],
        rest_periods: bool = False,
        official_until: int | None = None,
    ) -> None:
        self._load = load
        self._label, self._rules = label, rules
        self._rest_periods = rest_periods
        self.official_until = official_until
        self._loaded: set[int] = set()
        self._holidays: dict[date, str] = {}
        self._makeup: set[date] = set()
        self._closed: frozenset[int] = frozenset()
        self._makeup_ordinals: frozenset[int] = frozenset()
        self._names: dict[int, str] = {}

    def load(self, years: Iterable[int]) -> None:
        """Make sure the given years and their neighbours are loaded.

        Raises:
            CalendarRangeError: one of ``years`` is outside the years the source
                has rules for, or a fixed holiday source lacks it.
        """
        required = set(years)
        first, last = self._rules
        outside = sorted(y for y in required if not first <= y <= last)
        if outside:
            raise CalendarRangeError(
                f"holidays={self._label!r} has rules for the years {first}..{last} only, "
                f"not {outside[0]} (last supported year: {last}); keep calculations within "
                "them, or use holidays='none' with the company's own closed dates"
            )
        wanted = {y for year in required for y in (year - 1, year, year + 1) if first <= y <= last}
        missing = sorted(wanted - self._loaded)
        if not missing:
            return
        source = self._load(missing, required)
        got = {y for y in missing if y in source.years}
        holidays = dict(self._holidays)
        holidays.update((d, str(name)) for d, name in source.items() if d.year in got)
        workdays = getattr(source, "weekend_workdays", ())
        makeup = self._makeup | {d for d in workdays if d.year in got}
        names = {d.toordinal(): name for d, name in holidays.items()}
        if self._rest_periods:
            for day, name in _rest_periods(holidays, makeup).items():
                names.setdefault(day.toordinal(), f"{name} (rest period)")
        self._holidays, self._makeup, self._names = holidays, makeup, names
        self._closed = frozenset(names)
        self._makeup_ordinals = frozenset(d.toordinal() for d in makeup)
        self._loaded.update(got)

    @property
    def closed(self) -> frozenset[int]:
        """Ordinals of the closed days loaded so far."""
        return self._closed

    @property
    def makeup(self) -> frozenset[int]:
        """Ordinals of the substituted working days loaded so far."""
        return self._makeup_ordinals

    def name(self, ordinal: int) -> str:
        """The holiday's name on a loaded closed day."""
        return self._names[ordinal]


def schedule_for(holidays: object) -> HolidaySchedule | None:
    """The schedule of a ``holidays=`` argument; None for ``"none"``.

    Raises:
        ValidationError: an unknown code, or a value of another type.
    """
    if isinstance(holidays, str):
        if holidays == "none":
            return None
        country, subdiv = check_code(holidays, "holidays")
        china = country in ("CN", "CHN") and subdiv is None

        def load(years: list[int], _: set[int]) -> HolidayBase:
            return holidays_package.country_holidays(country, subdiv=subdiv, years=years)

        return _schedule(load, china=china, label=holidays, rules=load([], set()))
    if isinstance(holidays, type) and issubclass(holidays, HolidayBase):
        source_class = holidays

        def load_class(years: list[int], _: set[int]) -> HolidayBase:
            return source_class(years=years)

        return _schedule(
            load_class, china=issubclass(holidays, China), label=holidays.__name__, rules=holidays
        )
    if isinstance(holidays, HolidayBase):
        # A private copy: loading more years must not change the company's object.
        return _schedule(
            _instance_loader(copy.deepcopy(holidays)),
            china=isinstance(holidays, China),
            label=holiday_label(holidays),
            rules=holidays,
        )
    raise ValidationError.expected(
        "holidays", _EXPECTED + ", or a holidays.HolidayBase subclass or instance", holidays
    )


def check_code(code: object, field: str) -> tuple[str, str | None]:
    """Split ``"US-NY"`` into ``("US", "NY")`` after checking the package knows both parts.

    Raises:
        ValidationError: naming ``field`` and the known codes or subdivisions.
    """
    if not isinstance(code, str) or not code:
        raise ValidationError.expected(field, _EXPECTED, code)
    country, dash, subdiv = code.partition("-")
    known = holidays_package.list_supported_countries()
    if country not in known:
        upper = code.upper()
        if upper != code and upper.partition("-")[0] in known:
            raise ValidationError.expected(field, _EXPECTED, code, f"write {upper!r}")
        hint = "holidays.list_supported_countries() lists the known codes"
        raise ValidationError.expected(field, _EXPECTED, code, hint)
    if not dash:
        return country, None
    subdivisions = known[country]
    if subdiv not in subdivisions:
        hint = (
            f"{country} has the subdivisions {', '.join(subdivisions)}"
            if subdivisions
            else f"{country} has no subdivisions; write {country!r}"
        )
        raise ValidationError.expected(field, "a known country-subdivision code", code, hint)
    return country, subdiv


def holiday_label(holidays: object) -> str:
    """A short text naming a ``holidays=`` value: the code, or the source's class."""
    if isinstance(holidays, str):
        return holidays
    if isinstance(holidays, type):
        return holidays.__name__
    return f"{type(holidays).__name__}(...)"


def _schedule(
    load: Callable[[list[int], set[int]], HolidayBase],
    *,
    china: bool,
    label: str,
    rules: HolidayBase | type[HolidayBase],
) -> HolidaySchedule:
    """The schedule of a source; ``rules`` says which years the package has rules for."""
    official = _official_until() if china else None
    span = (int(rules.start_year), int(rules.end_year))
    return HolidaySchedule(
        load, rest_periods=china, official_until=official, label=label, rules=span
    )


def _instance_loader(source: HolidayBase) -> Callable[[list[int], set[int]], HolidayBase]:
    def load(years: list[int], required: set[int]) -> HolidayBase:
        if source.expand:
            for year in years:
                _ = date(year, 1, 1) in source  # the package loads a whole year on first use
            return source
        # A fixed instance need not hold the neighbouring years, only those asked for.
        absent = sorted(required - set(source.years))
        if absent:
            raise CalendarRangeError(
                f"the holidays given cover the years {sorted(source.years)}, not {absent[0]}; "
                "make them with expand=True, or with years= including it"
            )
        return source

    return load


@cache
def _official_until() -> int:
    # The make-up-day table lists the years the State Council has published.
    source = China(years=[])  # type: ignore[no-untyped-call]
    table = getattr(source, "special_public_holidays", None)
    if table:
        return int(max(table))
    return max((d.year for d in source.weekend_workdays), default=0)  # pragma: no cover


def _rest_periods(holidays: dict[date, str], makeup: set[date]) -> dict[date, str]:
    """The weekend days a run of non-working days joins to a holiday, with its name."""
    joined: dict[date, str] = {}
    one = timedelta(days=1)
    for day, name in sorted(holidays.items()):
        for step in (one, -one):
            other = day + step
            while (
                other.weekday() >= 5
                and other not in makeup
                and other not in holidays
                and other not in joined
            ):
                joined[other] = name
                other += step
    return joined
