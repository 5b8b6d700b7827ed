"""Calendars beyond China, and the one-call queries: interval ends, previous time, days, reasons."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from holidays.countries import HongKong
from hypothesis import assume, given
from hypothesis import strategies as st

from propcrm import BusinessCalendar, CalendarRangeError, ValidationError, WorkWeek
from propcrm.testing.strategies import business_calendars

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def hk(*args: int) -> datetime:
    return datetime(*args, tzinfo=HONG_KONG)  # type: ignore[misc]


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)  # type: ignore[misc]


@pytest.fixture(scope="module")
def hong_kong() -> BusinessCalendar:
    return BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK", years=[2025])


@pytest.fixture(scope="module")
def united_states() -> BusinessCalendar:
    return BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US", years=[2025])


# --- Hong Kong, by hand around its public holidays ------------------------------------------


def test_hong_kong_deadline_across_lunar_new_year(hong_kong: BusinessCalendar) -> None:
    """Tue 28 Jan 2025 17:00 + 2 h: 1 h that day, Wed-Fri closed, the weekend, Mon 10:00."""
    assert hk(2025, 2, 3, 10) == hong_kong.add(hk(2025, 1, 28, 17), 2 * H)


def test_hong_kong_working_days_around_national_day(hong_kong: BusinessCalendar) -> None:
    """1 Oct (Wed) and 7 Oct 2025 (the day after Mid-Autumn, Tue) are closed; 6 Oct works."""
    days = list(hong_kong.working_days(date(2025, 9, 29), date(2025, 10, 11)))
    expected = [date(2025, 9, d) for d in (29, 30)] + [
        date(2025, 10, d) for d in (2, 3, 6, 8, 9, 10)
    ]
    assert days == expected


def test_hong_kong_elapsed_across_lunar_new_year_2026(hong_kong: BusinessCalendar) -> None:
    """Mon 16 to Fri 20 Feb 2026: Tue-Thu are Lunar New Year, so 9 h + 9 h."""
    assert hong_kong.elapsed(hk(2026, 2, 16, 9), hk(2026, 2, 20, 18)) == 18 * H


def test_hong_kong_observed_holiday(hong_kong: BusinessCalendar) -> None:
    """Ching Ming 2026 falls on Sunday 5 Apr; Tue 7 Apr is its observed day."""
    reason = hong_kong.closed_reason(date(2026, 4, 7))
    assert reason is not None
    assert (reason.rule, reason.facts["holiday"]) == (
        "calendar.holiday",
        "Tomb-Sweeping Day (observed)",
    )


def test_hong_kong_establishment_day_reason(hong_kong: BusinessCalendar) -> None:
    """1 Jul 2025 (Tue) is closed by the HKSAR Establishment Day, named in the reason."""
    reason = hong_kong.closed_reason(date(2025, 7, 1))
    assert reason is not None
    assert str(reason) == "Hong Kong S.A.R. Establishment Day: a public holiday (HK)"
    assert reason.facts == {
        "on": date(2025, 7, 1),
        "holiday": "Hong Kong S.A.R. Establishment Day",
        "holidays": "HK",
    }


def test_a_year_beyond_the_loaded_range_is_loaded(hong_kong: BusinessCalendar) -> None:
    """Prepared for 2025 only, the calendar still closes 1 Oct 2030 (a Tuesday)."""
    assert not hong_kong.is_working_day(date(2030, 10, 1))
    assert hk(2030, 10, 2, 10) == hong_kong.add(hk(2030, 9, 30, 17), 2 * H)


def test_computed_countries_are_never_provisional(hong_kong: BusinessCalendar) -> None:
    """Hong Kong's rules are computed: 2040 is not provisional and nothing warns."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK")
        cal.add(hk(2040, 1, 1), 100 * H)
    assert not cal.is_provisional(date(2040, 1, 1))


# --- the United States, by hand around its federal holidays -----------------------------------


def test_us_deadline_across_thanksgiving(united_states: BusinessCalendar) -> None:
    """Wed 26 Nov 2025 16:00 + 3 h: 1 h Wednesday, Thanksgiving closed, Fri 11:00."""
    assert ny(2025, 11, 28, 11) == united_states.add(ny(2025, 11, 26, 16), 3 * H)


def test_us_observed_independence_day(united_states: BusinessCalendar) -> None:
    """4 Jul 2026 is a Saturday: Friday 3 Jul is observed, the week resumes Monday 6 Jul."""
    days = list(united_states.working_days(date(2026, 6, 29), date(2026, 7, 7)))
    assert [date(2026, 6, 29), date(2026, 6, 30), *(date(2026, 7, d) for d in (1, 2, 6))] == days


def test_us_holiday_on_a_weekend_is_the_reason(united_states: BusinessCalendar) -> None:
    """Sat 4 Jul 2026 is closed by Independence Day, Sun 5 Jul by the weekend."""
    saturday = united_states.closed_reason(date(2026, 7, 4))
    sunday = united_states.closed_reason(date(2026, 7, 5))
    assert saturday is not None
    assert sunday is not None
    assert (saturday.rule, saturday.facts["holiday"]) == ("calendar.holiday", "Independence Day")
    assert (sunday.rule, str(sunday)) == (
        "calendar.weekend",
        "the working week has no hours on sun",
    )


def test_us_interval_end_and_previous_time_around_thanksgiving(
    united_states: BusinessCalendar,
) -> None:
    """Wed 26 Nov 2025 16:00 ends at 17:00; from Thanksgiving noon, the last close is Wed 17:00."""
    assert ny(2025, 11, 26, 17) == united_states.end_of_working_interval(ny(2025, 11, 26, 16))
    assert ny(2025, 11, 26, 17) == united_states.previous_working_time(ny(2025, 11, 27, 12))


def test_us_intervals_across_the_spring_clock_change(united_states: BusinessCalendar) -> None:
    """Fri 7 Mar 2025 16:00 EST to Mon 10 Mar 10:00 EDT: one hour each side of the weekend."""
    assert [
        (ny(2025, 3, 7, 16), ny(2025, 3, 7, 17)),
        (ny(2025, 3, 10, 9), ny(2025, 3, 10, 10)),
    ] == list(united_states.working_intervals(ny(2025, 3, 7, 16), ny(2025, 3, 10, 10)))


def test_us_subdivision_adds_its_holidays() -> None:
    """New York closes on Lincoln's Birthday (Wed 12 Feb 2025); the federal calendar works."""
    week = "mon-fri 09:00-17:00"
    assert not BusinessCalendar(week, tz=NEW_YORK, holidays="US-NY").is_working_day(
        date(2025, 2, 12)
    )
    assert BusinessCalendar(week, tz=NEW_YORK, holidays="US").is_working_day(date(2025, 2, 12))


# --- a company's own holiday source -------------------------------------------------------------


class _CompanyHolidays(HongKong):  # type: ignore[misc]
    """Hong Kong's holidays plus the company's founding day, 3 March."""

    def _populate(self, year: int) -> None:
        super()._populate(year)
        self[date(year, 3, 3)] = "Founders' Day"


def test_a_holiday_base_subclass_is_a_source() -> None:
    """A subclass closes its own days in every year asked, named in the reason."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=_CompanyHolidays)
    reason = cal.closed_reason(date(2031, 3, 3))  # a Monday
    assert reason is not None
    assert reason.facts["holiday"] == "Founders' Day"
    assert not cal.is_working_day(date(2025, 3, 3))
    assert repr(cal).endswith("holidays='_CompanyHolidays')")


def test_a_holiday_base_instance_is_a_source_and_is_left_alone() -> None:
    """An instance's general holidays close Good Friday 2027 too; the instance is unchanged."""
    general = holidays.HK(years=2025, categories=("public", "optional"))
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=general)
    assert not cal.is_working_day(date(2025, 4, 18))  # Good Friday 2025
    assert not cal.is_working_day(date(2027, 3, 26))  # Good Friday 2027
    assert general.years == {2025}
    assert cal.holidays is general
    assert repr(cal).endswith("holidays='HK(...)')")


def test_a_fixed_instance_never_leaves_a_year_silently_open() -> None:
    """An instance made with expand=False covers its years; another year is an error."""
    fixed = holidays.HK(years=2025, expand=False)
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=fixed)
    assert not cal.is_working_day(date(2025, 7, 1))
    with pytest.raises(CalendarRangeError, match="not 2026; make them with expand=True"):
        cal.is_working_day(date(2026, 7, 1))


def test_china_rest_period_and_make_up_day_reasons() -> None:
    """Sat 4 Oct 2025 closes with National Day's rest period; Sun 28 Sep is a make-up day."""
    cal = BusinessCalendar.china(years=[2025])
    reason = cal.closed_reason(date(2025, 10, 4))
    assert reason is not None
    assert reason.facts["holiday"] == "National Day (rest period)"
    assert cal.closed_reason(date(2025, 9, 28)) is None


# --- the other reasons a day is closed -------------------------------------------------------


def test_company_closure_and_override_reasons() -> None:
    """A company's closed date and an empty override say so; an override with hours works."""
    cal = BusinessCalendar(
        "mon-fri 09:00-18:00",
        holidays="CN",
        closed=[date(2025, 9, 28)],
        overrides={date(2025, 3, 4): "", date(2025, 3, 8): "09:00-12:00"},
    )
    rules = [cal.closed_reason(date(2025, 9, 28)), cal.closed_reason(date(2025, 3, 4))]
    assert [r.rule if r else None for r in rules] == [
        "calendar.company_closure",
        "calendar.override",
    ]
    assert cal.closed_reason(date(2025, 3, 8)) is None


def test_hours_in_a_spring_gap_are_a_clock_change() -> None:
    """An override of 02:30-03:00 on New York's spring-forward day has no length."""
    cal = BusinessCalendar(
        "mon-fri 09:00-17:00", tz=NEW_YORK, overrides={date(2025, 3, 9): "02:30-03:00"}
    )
    reason = cal.closed_reason(date(2025, 3, 9))
    assert reason is not None
    assert reason.rule == "calendar.clock_change"


def test_extra_days_of_a_week_without_hours() -> None:
    """Extra working days work no hours when the week has none."""
    cal = BusinessCalendar(
        "", extra_working=[date(2025, 3, 4)], overrides={date(2025, 3, 5): "09:00-10:00"}
    )
    reason = cal.closed_reason(date(2025, 3, 4))
    assert reason is not None
    assert reason.rule == "calendar.no_hours"
    china = BusinessCalendar("", holidays="CN", overrides={date(2025, 3, 5): "09:00-10:00"})
    makeup = china.closed_reason(date(2025, 9, 28))  # China's make-up Sunday
    assert makeup is not None
    assert makeup.rule == "calendar.no_hours"


def test_always_open_queries() -> None:
    """24x7: every day works, no interval ends, the previous working time is now."""
    cal = BusinessCalendar.always_open(SHANGHAI)
    at = datetime(2025, 1, 1, 3, tzinfo=SHANGHAI)
    assert cal.closed_reason(date(2025, 1, 1)) is None
    assert at == cal.previous_working_time(at)
    assert [date(2025, 1, 1), date(2025, 1, 2)] == list(
        cal.working_days(date(2025, 1, 1), date(2025, 1, 3))
    )
    assert [(at, at + H)] == list(cal.working_intervals(at, at + H))
    with pytest.raises(CalendarRangeError, match="never closes"):
        cal.end_of_working_interval(at)


# --- half-open edges and errors -------------------------------------------------------------------


def test_queries_at_the_edges_are_half_open() -> None:
    """At an open the interval holds; at a close it has ended, and it is its own previous time."""
    cal = BusinessCalendar("mon-fri 09:00-12:00,13:00-18:00")
    sh = lambda h, m=0: datetime(2025, 3, 3, h, m, tzinfo=SHANGHAI)  # noqa: E731
    assert sh(12) == cal.end_of_working_interval(sh(9))
    assert sh(18) == cal.end_of_working_interval(sh(12))  # the lunch break: the next interval
    assert sh(12) == cal.previous_working_time(sh(12))
    assert sh(12) == cal.previous_working_time(sh(12, 30))
    assert sh(13) == cal.previous_working_time(sh(13))
    assert list(cal.working_intervals(sh(12), sh(13))) == []


def test_touching_intervals_are_one() -> None:
    """A night shift running into the next morning's hours ends when the morning does."""
    cal = BusinessCalendar("mon-sun 18:00-24:00; mon-sun 00:00-08:00")
    at = datetime(2025, 3, 3, 19, tzinfo=SHANGHAI)
    assert datetime(2025, 3, 4, 8, tzinfo=SHANGHAI) == cal.end_of_working_interval(at)


def test_queries_reach_into_other_years() -> None:
    """The interval end and the previous time cross New Year, growing the tables."""
    cal = BusinessCalendar("mon-sun 20:00-24:00; mon-sun 00:00-06:00")
    sh = lambda *a: datetime(*a, tzinfo=SHANGHAI)  # type: ignore[misc]  # noqa: E731
    assert sh(2026, 1, 1, 6) == cal.end_of_working_interval(sh(2025, 12, 31, 21))
    assert sh(2025, 12, 31, 6) == cal.previous_working_time(sh(2025, 12, 31, 12))
    sparse = BusinessCalendar("", overrides={date(2020, 5, 4): "09:00-10:00"})
    assert sh(2020, 5, 4, 10) == sparse.previous_working_time(sh(2025, 1, 1))


def test_queries_stop_at_the_horizon() -> None:
    """Nothing more than ten years away is found, and a calendar without hours raises at once."""
    lonely = BusinessCalendar("", overrides={date(2010, 1, 4): "09:00-10:00"})
    at = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    with pytest.raises(CalendarRangeError, match="3653 days before"):
        lonely.previous_working_time(at)
    with pytest.raises(CalendarRangeError, match="no working interval closes"):
        lonely.end_of_working_interval(at)
    never = BusinessCalendar("")
    with pytest.raises(CalendarRangeError):
        never.previous_working_time(at)
    with pytest.raises(CalendarRangeError):
        never.end_of_working_interval(at)
    open_all = BusinessCalendar("mon-sun 00:00-24:00", holidays="none")
    with pytest.raises(CalendarRangeError, match="no working interval closes"):
        open_all.end_of_working_interval(at)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.end_of_working_interval(datetime(2025, 3, 3)), "at must be"),
        (lambda c: c.previous_working_time("2025-03-03"), "at: expected a timezone-aware"),
        (lambda c: c.working_days(date(2025, 3, 3), "2025-03-04"), "end: expected a datetime.date"),
        (
            lambda c: c.working_days(date(2025, 3, 3), date(2025, 3, 2)),
            "end: expected a value at or after",
        ),
        (
            lambda c: c.working_intervals(datetime(2025, 3, 3), datetime(2025, 3, 4)),
            "start must be",
        ),
        (
            lambda c: c.working_intervals(
                datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
            ),
            "end: expected a value at or after",
        ),
        (lambda c: c.closed_reason(datetime(2025, 3, 3)), "on: expected a datetime.date"),
        (lambda c: c.add_working_days("2025-03-03", 1), "start: expected a datetime.date"),
    ],
)
def test_bad_query_arguments_are_validation_errors(call, message: str) -> None:  # type: ignore[no-untyped-def]
    """Bad arguments are refused when the query is called, not when it is iterated."""
    for cal in (BusinessCalendar("mon-fri 09:00-18:00"), BusinessCalendar.always_open()):
        with pytest.raises(ValidationError, match=message):
            call(cal)


# --- agreement with walking the rules minute by minute -------------------------------------

GRID = timedelta(minutes=15)
_ZONES = st.sampled_from(("Asia/Shanghai", "America/New_York", "Europe/Berlin"))
_CALENDARS = business_calendars(zones=_ZONES, start=date(2025, 3, 5), days=28, grid_minutes=60)
_STARTS = st.integers(0, 28 * 96).map(lambda n: datetime(2025, 3, 5, tzinfo=UTC) + n * GRID)


def _hours_on(cal: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The working intervals opening on ``day`` with a length, in UTC, by the rules' precedence."""
    if day in cal.overrides:
        text = cal.overrides[day]
        hours = WorkWeek.parse(f"mon {text}").days[0] if text else ()
    elif day in cal.extra_working:
        hours = next(h for h in cal.week.days if h)
    elif day in cal.closed:
        hours = ()
    else:
        hours = cal.week.days[day.weekday()]
    found = []
    for a, b in hours:
        opens = datetime.combine(day, time(a // 60, a % 60), tzinfo=cal.tz).astimezone(UTC)
        close_day = day if a < b < 1440 else day + timedelta(days=1)
        closes = datetime.combine(close_day, time(b // 60 % 24, b % 60), tzinfo=cal.tz)
        if closes.astimezone(UTC) > opens:
            found.append((opens, closes.astimezone(UTC)))
    return found


def _works(cal: BusinessCalendar, at: datetime) -> bool:
    day = at.astimezone(cal.tz).date()
    intervals = _hours_on(cal, day) + _hours_on(cal, day - timedelta(days=1))
    return any(opens <= at < closes for opens, closes in intervals)


@given(_CALENDARS, _STARTS)
def test_end_of_working_interval_agrees_with_walking(
    cal: BusinessCalendar, start: datetime
) -> None:
    """The end is the first non-working step after the first working one."""
    at = start
    for _ in range(4 * 96):
        if _works(cal, at):
            break
        at += GRID
    assume(_works(cal, at))
    while _works(cal, at):
        at += GRID
    assert at == cal.end_of_working_interval(start).astimezone(UTC)


@given(_CALENDARS, _STARTS)
def test_previous_working_time_agrees_with_walking(cal: BusinessCalendar, start: datetime) -> None:
    """The previous working time is ``at`` when working, else the end of the last working step."""
    at = start
    for _ in range(4 * 96):
        if _works(cal, at - GRID) or _works(cal, at):
            break
        at -= GRID
    assume(_works(cal, at - GRID) or _works(cal, at))
    expected = start if _works(cal, start) else at
    assert expected == cal.previous_working_time(start).astimezone(UTC)


@given(_CALENDARS, st.integers(0, 27), st.integers(0, 10))
def test_working_days_agree_with_the_rules(cal: BusinessCalendar, first: int, length: int) -> None:
    """A day works when an interval with a length opens on it."""
    start = date(2025, 3, 5) + timedelta(days=first)
    end = start + timedelta(days=length)
    span = [start + timedelta(days=i) for i in range(length)]
    assert [d for d in span if _hours_on(cal, d)] == list(cal.working_days(start, end))


@given(_CALENDARS, _STARTS, st.integers(0, 3 * 96))
def test_working_intervals_agree_with_walking(
    cal: BusinessCalendar, start: datetime, steps: int
) -> None:
    """The intervals are the runs of working steps between the two instants."""
    runs: list[tuple[datetime, datetime]] = []
    for i in range(steps):
        at = start + i * GRID
        if not _works(cal, at):
            continue
        if runs and runs[-1][1] == at:
            runs[-1] = (runs[-1][0], at + GRID)
        else:
            runs.append((at, at + GRID))
    found = cal.working_intervals(start, start + steps * GRID)
    assert runs == [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in found]


@given(_CALENDARS, st.integers(0, 27))
def test_closed_reason_agrees_with_the_rules(cal: BusinessCalendar, offset: int) -> None:
    """A day without hours is closed by its override, the company, the week or a clock change."""
    day = date(2025, 3, 5) + timedelta(days=offset)
    reason = cal.closed_reason(day)
    if _hours_on(cal, day):
        expected = None
    elif day in cal.overrides:
        expected = "calendar.override" if not cal.overrides[day] else "calendar.clock_change"
    elif day in cal.extra_working:
        expected = "calendar.clock_change"
    elif day in cal.closed:
        expected = "calendar.company_closure"
    elif not cal.week.days[day.weekday()]:
        expected = "calendar.weekend"
    else:
        expected = "calendar.clock_change"
    assert expected == (reason.rule if reason else None)
