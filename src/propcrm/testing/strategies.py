"""Hypothesis strategies for propcrm's domain types, for your own property tests.

Each strategy is a function returning ``SearchStrategy[T]`` and takes
keyword-only arguments, checked when the strategy is made.

>>> from hypothesis import given
>>> from propcrm.testing.strategies import policies
>>> @given(policies())
... def test_round_trip(policy):
...     assert type(policy).from_toml(policy.to_toml()) == policy
>>> test_round_trip()
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from propcrm.calendar import BusinessCalendar, CalendarPolicy, CalendarSpec, WorkWeek
from propcrm.errors import ValidationError
from propcrm.policy import Policy

__all__ = [
    "business_calendars",
    "calendar_policies",
    "policies",
    "time_zones",
    "work_weeks",
]

_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Urumqi",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
)

Hours = tuple[tuple[int, int], ...]


def time_zones() -> st.SearchStrategy[str]:
    """IANA zone names, China's first, plus zones with daylight saving time."""
    return st.sampled_from(_ZONES)


def _check_grid(grid_minutes: int, max_per_day: int) -> None:
    if not isinstance(grid_minutes, int) or grid_minutes < 1 or 1440 % grid_minutes:
        raise ValueError(f"grid_minutes must divide a day (1440 minutes), got {grid_minutes!r}")
    if not isinstance(max_per_day, int) or max_per_day < 1:
        raise ValueError(f"max_per_day must be an integer >= 1, got {max_per_day!r}")


def _day_hours(grid_minutes: int, max_per_day: int, night: bool) -> st.SearchStrategy[Hours]:
    steps = 1440 // grid_minutes

    @st.composite
    def day(draw: st.DrawFn) -> Hours:
        count = draw(st.integers(0, max_per_day))
        cuts = sorted(draw(st.sets(st.integers(0, steps), min_size=2 * count, max_size=2 * count)))
        hours = [
            (cuts[i] * grid_minutes, cuts[i + 1] * grid_minutes) for i in range(0, 2 * count, 2)
        ]
        if hours and night and draw(st.integers(0, 4)) == 0:
            opens = hours[-1][0]
            closes = draw(st.integers(1, max(1, opens // grid_minutes - 1))) * grid_minutes
            if closes < opens:
                hours[-1] = (opens, closes)
        return tuple(hours)

    return day()


def work_weeks(
    *, grid_minutes: int = 15, max_per_day: int = 2, night: bool = True, allow_empty: bool = True
) -> st.SearchStrategy[WorkWeek]:
    """Valid :class:`~propcrm.calendar.WorkWeek` values on a grid of minutes.

    Args:
        grid_minutes: Every open and close falls on a multiple of this (it must divide 1440).
        max_per_day: At most this many intervals a day.
        night: Whether intervals may run past midnight.
        allow_empty: Whether a week without any working time may come.
    """
    _check_grid(grid_minutes, max_per_day)
    days = st.tuples(*[_day_hours(grid_minutes, max_per_day, night)] * 7)

    def valid(week: tuple[Hours, ...]) -> bool:
        try:
            WorkWeek(week)
        except ValidationError:
            return False
        return allow_empty or any(week)

    return days.filter(valid).map(WorkWeek)


def business_calendars(
    *,
    zones: st.SearchStrategy[str] | None = None,
    start: date = date(2025, 1, 1),
    days: int = 60,
    grid_minutes: int = 15,
    max_per_day: int = 2,
) -> st.SearchStrategy[BusinessCalendar]:
    """:class:`~propcrm.calendar.BusinessCalendar` values with closures, extra days and overrides.

    Their special dates fall in ``days`` days from ``start``; every week has
    some working time. No public holidays are used, so the calendars do not
    depend on the installed ``holidays`` release.
    """
    _check_grid(grid_minutes, max_per_day)
    if not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be an integer >= 1, got {days!r}")
    dates = st.integers(0, days - 1).map(lambda n: start + timedelta(days=n))
    hours = _day_hours(grid_minutes, max_per_day, night=True).map(_text)
    return st.builds(
        BusinessCalendar,
        work_weeks(grid_minutes=grid_minutes, max_per_day=max_per_day, allow_empty=False),
        tz=zones if zones is not None else time_zones(),
        closed=st.frozensets(dates, max_size=4),
        extra_working=st.frozensets(dates, max_size=3),
        overrides=st.dictionaries(dates, hours, max_size=3),
    )


def calendar_policies() -> st.SearchStrategy[CalendarPolicy]:
    """:class:`~propcrm.calendar.CalendarPolicy` values: the defaults, changed and added to."""
    days = st.dates(date(2024, 1, 1), date(2027, 12, 31))
    specs = st.builds(
        CalendarSpec,
        week=work_weeks(grid_minutes=30),
        holidays=st.sampled_from(("CN", "none")),
        timezone=st.just("") | time_zones(),
        closed=st.lists(days, max_size=3).map(tuple),
        extra_working=st.lists(days, max_size=2).map(tuple),
        overrides=st.dictionaries(
            days.map(date.isoformat),
            _day_hours(30, 2, night=True).map(_text),
            max_size=2,
        ),
    )
    names = st.sampled_from(("office", "desk", "repair", "night", "维修"))
    return st.dictionaries(names, specs, max_size=3).map(lambda c: CalendarPolicy(calendars=c))


def policies() -> st.SearchStrategy[Policy]:
    """Valid :class:`~propcrm.policy.Policy` trees, every sub-policy varied."""
    return st.builds(Policy, timezone=time_zones(), calendars=calendar_policies())


def _text(hours: Hours) -> str:
    return ",".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in hours)
