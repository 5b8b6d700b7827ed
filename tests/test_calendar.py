"""Business calendars: working weeks, China's holidays and make-up days, business time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from hypothesis import assume, given
from hypothesis import strategies as st

from propcrm import (
    BusinessCalendar,
    CalendarPolicy,
    CalendarRangeError,
    CalendarSpec,
    Policy,
    PolicyError,
    ProvisionalCalendarWarning,
    ValidationError,
    WorkWeek,
)
from propcrm.testing.strategies import business_calendars, work_weeks

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = "mon-fri 08:30-12:00,13:30-18:00"
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture(scope="module")
def china() -> BusinessCalendar:
    return BusinessCalendar.china(OFFICE, years=[2025, 2026])


def plain(week: str = OFFICE, **kwargs: object) -> BusinessCalendar:
    return BusinessCalendar(week, **kwargs)  # type: ignore[arg-type]


# --- China's holidays and make-up days (RULES §5) --------------------------------------------


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (date(2025, 9, 26), True),  # Friday before
        (date(2025, 9, 27), False),  # Saturday
        (date(2025, 9, 28), True),  # Sunday, make-up working day
        *[(date(2025, 10, d), False) for d in range(1, 9)],  # National Day, Oct 1-8
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, make-up working day
        (date(2025, 10, 12), False),
    ],
)
def test_national_day_2025(china: BusinessCalendar, day: date, works: bool) -> None:
    """RULES §5: 2025 National Day, Oct 1-8 closed, Sun Sep 28 and Sat Oct 11 working."""
    assert works == china.is_working_day(day)


def test_deadline_across_national_day(china: BusinessCalendar) -> None:
    """RULES §5: 4 h from Tue Sep 30 16:00 skips Oct 1-8 and ends Thu Oct 9 10:30."""
    assert sh(2025, 10, 9, 10, 30) == china.add(sh(2025, 9, 30, 16), 4 * H)
    assert china.elapsed(sh(2025, 9, 30, 16), sh(2025, 10, 9, 10, 30)) == 4 * H


def test_make_up_day_works_normal_hours(china: BusinessCalendar) -> None:
    """RULES §5: a make-up Sunday works the weekday hours, lunch break included."""
    assert sh(2025, 9, 28, 9, 30) == china.add(sh(2025, 9, 27, 10), H)
    assert not china.is_working_time(sh(2025, 9, 28, 12, 30))
    assert china.elapsed(sh(2025, 9, 28), sh(2025, 9, 29)) == 8 * H


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (date(2026, 2, 13), True),
        (date(2026, 2, 14), True),  # Saturday, make-up working day
        *[(date(2026, 2, d), False) for d in range(15, 24)],  # Spring Festival, Feb 15-23
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day
    ],
)
def test_spring_festival_2026(china: BusinessCalendar, day: date, works: bool) -> None:
    """RULES §5: 2026 Spring Festival, Feb 15-23 closed, Sat Feb 14 and Sat Feb 28 working."""
    assert works == china.is_working_day(day)


def test_deadline_across_spring_festival(china: BusinessCalendar) -> None:
    """RULES §5: 2 h from Sat Feb 14 17:00 (make-up day) ends Tue Feb 24 09:30."""
    assert sh(2026, 2, 24, 9, 30) == china.add(sh(2026, 2, 14, 17), 2 * H)


def test_rest_period_closes_its_weekend_on_every_day_calendars() -> None:
    """RULES §6: a calendar working weekends still closes the golden week's Sat/Sun."""
    contact = BusinessCalendar.china("mon-sun 09:00-12:00,14:00-20:00", years=[2025])
    assert not contact.is_working_day(date(2025, 10, 4))
    assert not contact.is_working_day(date(2025, 10, 5))
    assert contact.is_working_day(date(2025, 10, 18))  # an ordinary Saturday


def test_later_years_are_provisional_and_warn_once() -> None:
    """RULES §5: a year without an official schedule is flagged, with one warning."""
    with pytest.warns(ProvisionalCalendarWarning, match="estimated") as record:
        cal = BusinessCalendar.china(years=[2026, 2030])
    cal.add(sh(2031, 6, 3, 9), 2 * H)  # no second warning (warnings are errors here)
    assert len(record) == 1
    assert cal.is_provisional(date(2030, 1, 4))
    assert not cal.is_provisional(date(2026, 12, 31))


def test_reaching_a_provisional_year_later_warns() -> None:
    """A deadline that runs into a provisional year warns then, not silently."""
    cal = BusinessCalendar.china(years=[2026])
    last = max(y for y in range(2026, 2100) if not cal.is_provisional(date(y, 1, 1)))
    with pytest.warns(ProvisionalCalendarWarning):
        cal.add(sh(last, 12, 31, 17), 8 * H)


def test_plain_calendars_are_never_provisional() -> None:
    """Without public holidays nothing is guessed."""
    assert not plain().is_provisional(date(2099, 1, 1))


# --- working-day semantics -------------------------------------------------------------------


def test_lunch_break_boundaries() -> None:
    """RULES §5: a deadline that uses up the morning exactly is 12:00, not 13:30."""
    cal = plain()
    assert sh(2025, 3, 3, 12) == cal.add(sh(2025, 3, 3, 9), 3 * H)
    assert sh(2025, 3, 3, 12) == cal.add(sh(2025, 3, 3, 8, 30), timedelta(hours=3.5))
    assert sh(2025, 3, 3, 13, 31) == cal.add(sh(2025, 3, 3, 12), MIN)
    assert sh(2025, 3, 3, 14, 30) == cal.add(sh(2025, 3, 3, 12, 30), H)
    assert timedelta(hours=1, minutes=30) == cal.elapsed(sh(2025, 3, 3, 11), sh(2025, 3, 3, 14))


def test_intervals_are_half_open() -> None:
    """[open, close): the opening minute works, the closing one does not."""
    cal = plain()
    assert cal.is_working_time(sh(2025, 3, 3, 8, 30))
    assert not cal.is_working_time(sh(2025, 3, 3, 12))
    assert cal.is_working_time(sh(2025, 3, 3, 11, 59, 59, 999999))


def test_clock_started_outside_working_time_starts_at_next_opening() -> None:
    """RULES §5: a Saturday request's 1 h clock runs Monday 08:30-09:30."""
    assert sh(2025, 3, 3, 9, 30) == plain().add(sh(2025, 3, 1, 15), H)


def test_backwards_gives_latest_instant() -> None:
    """A negative duration counts back; 30 min before Tue 08:45 is Mon 17:45."""
    cal = plain()
    assert sh(2025, 3, 3, 17, 45) == cal.add(sh(2025, 3, 4, 8, 45), timedelta(minutes=-30))
    assert sh(2025, 3, 4, 8, 30) == cal.add(sh(2025, 3, 4, 8, 45), timedelta(minutes=-15))
    assert timedelta(minutes=-30) == cal.elapsed(sh(2025, 3, 4, 8, 45), sh(2025, 3, 3, 17, 45))


def test_zero_duration_is_the_start() -> None:
    """Adding nothing gives the start itself, in the calendar's zone."""
    start = datetime(2025, 3, 1, 7, tzinfo=UTC)
    assert start == plain().add(start, timedelta(0))
    assert plain().add(start, timedelta(0)).tzinfo == SHANGHAI


def test_microsecond_exact() -> None:
    """Sub-second durations are kept to the microsecond."""
    cal = plain()
    tiny = timedelta(microseconds=1)
    assert sh(2025, 3, 3, 12) == cal.add(sh(2025, 3, 3, 11, 59, 59, 999999), tiny)
    assert sh(2025, 3, 3, 13, 30, 0, 1) == cal.add(sh(2025, 3, 3, 11, 59, 59, 999999), 2 * tiny)


def test_night_duty_interval_belongs_to_the_day_it_starts() -> None:
    """RULES §5 desk duty: 18:30-08:30 runs overnight and closes next morning."""
    night = plain("mon-fri 18:30-08:30")
    assert sh(2025, 3, 4, 6) == night.add(sh(2025, 3, 3, 20), 10 * H)
    assert night.is_working_time(sh(2025, 3, 4, 7))
    assert night.is_working_time(sh(2025, 3, 8, 7))  # Friday's shift, Saturday morning
    assert not night.is_working_time(sh(2025, 3, 9, 7))
    assert not night.is_working_day(date(2025, 3, 8))
    assert sh(2025, 3, 4, 8, 30) == night.close_of_day(sh(2025, 3, 4, 7))
    assert sh(2025, 3, 5, 8, 30) == night.close_of_day(sh(2025, 3, 4, 9))


def test_close_of_day() -> None:
    """RULES §5 "not overnight": by the close of the same working day, else the next."""
    cal = plain()
    assert sh(2025, 3, 3, 18) == cal.close_of_day(sh(2025, 3, 3, 12, 30))
    assert sh(2025, 3, 3, 18) == cal.close_of_day(sh(2025, 3, 3, 6))
    assert sh(2025, 3, 4, 18) == cal.close_of_day(sh(2025, 3, 3, 18))
    assert sh(2025, 3, 10, 18) == cal.close_of_day(sh(2025, 3, 8, 10))


def test_next_working_time() -> None:
    """The moment itself when working, else the next opening."""
    cal = plain()
    assert sh(2025, 3, 3, 9) == cal.next_working_time(sh(2025, 3, 3, 9))
    assert sh(2025, 3, 3, 13, 30) == cal.next_working_time(sh(2025, 3, 3, 12))
    assert sh(2025, 3, 3, 8, 30) == cal.next_working_time(datetime(2025, 3, 1, 10, tzinfo=UTC))


def test_add_working_days(china: BusinessCalendar) -> None:
    """The day itself never counts; 0 rolls forward to a working day."""
    assert date(2025, 10, 9) == china.add_working_days(date(2025, 9, 30), 1)
    assert date(2025, 10, 11) == china.add_working_days(date(2025, 9, 30), 3)
    assert date(2025, 9, 30) == china.add_working_days(date(2025, 10, 9), -1)
    assert date(2025, 10, 9) == china.add_working_days(date(2025, 10, 1), 0)
    assert date(2025, 9, 30) == china.add_working_days(date(2025, 9, 30), 0)
    assert date(2025, 9, 29) == china.add_working_days(date(2025, 10, 4), -2)


def test_precedence_of_closed_extra_and_overrides() -> None:
    """Week < closed dates < extra working dates < overrides."""
    cal = plain(
        closed=[date(2025, 3, 3), date(2025, 3, 4)],
        extra_working=[date(2025, 3, 4), date(2025, 3, 8), date(2025, 3, 9)],
        overrides={date(2025, 3, 9): "", date(2025, 3, 10): "10:00-11:00"},
    )
    assert not cal.is_working_day(date(2025, 3, 3))  # closed
    assert cal.is_working_day(date(2025, 3, 4))  # closed but extra: extra wins
    assert cal.elapsed(sh(2025, 3, 8), sh(2025, 3, 9)) == 8 * H  # extra Saturday, full hours
    assert not cal.is_working_day(date(2025, 3, 9))  # extra but overridden closed
    assert cal.elapsed(sh(2025, 3, 10), sh(2025, 3, 11)) == H


def test_overrides_beat_china_make_up_days() -> None:
    """A company that stays closed on a make-up Sunday overrides it."""
    cal = BusinessCalendar.china(years=[2025], overrides={date(2025, 9, 28): ""})
    assert not cal.is_working_day(date(2025, 9, 28))
    assert {date(2025, 9, 28): ""} == cal.overrides


def test_company_closure_beats_china_make_up_days() -> None:
    """A typhoon closure on make-up Sun Sep 28 2025 closes it (RULES §5: company overrides)."""
    cal = BusinessCalendar.china(years=[2025], closed=[date(2025, 9, 28)])
    expected = (False, True)  # the closed make-up Sunday; the untouched make-up Saturday
    assert expected == (
        cal.is_working_day(date(2025, 9, 28)),
        cal.is_working_day(date(2025, 10, 11)),
    )
    spec = CalendarSpec(
        week="mon-fri 08:30-12:00,13:30-18:00", holidays="CN", closed=(date(2025, 10, 11),)
    )
    assert not spec.build("Asia/Shanghai", years=[2025]).is_working_day(date(2025, 10, 11))


def test_company_extra_working_day_beats_a_china_holiday() -> None:
    """A company's own extra working date opens even a day of the National Day break."""
    cal = BusinessCalendar.china(years=[2025], extra_working=[date(2025, 10, 3)])
    assert cal.elapsed(sh(2025, 10, 3), sh(2025, 10, 4)) == timedelta(hours=8)


def test_extra_days_work_a_chosen_weekday() -> None:
    """extra_hours_from picks whose hours extra working dates get."""
    week = "mon-fri 09:00-17:00; sat 09:00-12:00"
    cal = plain(week, extra_working=[date(2025, 3, 9)], extra_hours_from="sat")
    assert cal.elapsed(sh(2025, 3, 9), sh(2025, 3, 10)) == 3 * H
    default = plain(week, extra_working=[date(2025, 3, 9)])
    assert default.elapsed(sh(2025, 3, 9), sh(2025, 3, 10)) == 8 * H


def test_inputs_in_utc_give_the_same_instants(china: BusinessCalendar) -> None:
    """The zone of an input does not change the answer; results are in the calendar's zone."""
    start = sh(2025, 9, 30, 16)
    result = china.add(start.astimezone(UTC), 4 * H)
    assert sh(2025, 10, 9, 10, 30) == result
    assert result.tzinfo == SHANGHAI
    end = sh(2025, 10, 9, 10, 30).astimezone(NEW_YORK)
    assert china.elapsed(start.astimezone(UTC), end) == 4 * H


class _PytzLike(tzinfo):
    """A pytz-style zone: attached with ``tzinfo=`` it reads local mean time (+08:06).

    Only ``localize()`` and ``astimezone()`` pick the right offset, as in pytz,
    whose zone object is its earliest (pre-1901) period.
    """

    LMT = timedelta(hours=8, minutes=6)

    def __init__(self, offset: timedelta = LMT, name: str | None = "Asia/Shanghai") -> None:
        self._offset = offset
        if name is not None:
            self.zone = name

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._offset

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def fromutc(self, dt: datetime) -> datetime:
        return self.localize(dt.replace(tzinfo=None) + 8 * H)

    def localize(self, dt: datetime) -> datetime:
        return dt.replace(tzinfo=_PytzLike(8 * H))


class _VaryingPytzLike(_PytzLike):
    """A nameless pytz-style zone whose offset changed in 1901."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self.LMT if dt is None or dt.year < 1901 else 8 * H


def test_pytz_style_zone_is_read_as_the_zoneinfo_of_its_name() -> None:
    """A pytz zone means its IANA zone, not the local mean time it reads when attached."""
    cal = plain(tz=_PytzLike())
    assert ZoneInfo("Asia/Shanghai") == cal.tz
    start = sh(2025, 3, 3, 7).astimezone(UTC)
    assert (sh(2025, 3, 3, 8, 30), sh(2025, 3, 3, 18)) == (
        cal.next_working_time(start),
        cal.close_of_day(start),
    )


def test_pytz_zone_when_installed() -> None:
    """The real pytz gives the same answers as the ZoneInfo of the same name."""
    pytz = pytest.importorskip("pytz")
    cal = plain(tz=pytz.timezone("Asia/Shanghai"))
    start = pytz.timezone("Asia/Shanghai").localize(datetime(2025, 3, 3, 7))
    assert (sh(2025, 3, 3, 8, 30), sh(2025, 3, 3, 9, 30), sh(2025, 3, 3, 18)) == (
        cal.next_working_time(start),
        cal.add(start, H),
        cal.close_of_day(start),
    )


def test_other_zones_pass_or_are_refused() -> None:
    """Standard and fixed zones pass; a nameless varying pytz-style zone or bad name is refused."""
    ny = dateutil_tz.gettz("America/New_York")
    assert ny is not None
    fixed = _PytzLike(8 * H, name=None)
    assert (ny, fixed) == (plain(tz=ny).tz, plain(tz=fixed).tz)
    with pytest.raises(ValidationError, match="tz: expected a zoneinfo.ZoneInfo .*pass ZoneInfo"):
        plain(tz=_VaryingPytzLike(name=None))
    with pytest.raises(ValidationError, match="tz: expected a zoneinfo.ZoneInfo"):
        plain(tz=_PytzLike(name="Mars/Olympus"))


# --- DST -------------------------------------------------------------------------------------


def test_dst_week_in_new_york() -> None:
    """Across the spring-forward weekend the hours stay 09:00-17:00 local."""
    cal = plain("mon-fri 09:00-17:00", tz="America/New_York")
    friday = datetime(2025, 3, 7, 16, tzinfo=NEW_YORK)
    monday = datetime(2025, 3, 10, 10, tzinfo=NEW_YORK)
    assert monday == cal.add(friday, 2 * H)
    assert cal.add(friday, 2 * H).utcoffset() // H == -4
    assert cal.elapsed(friday, monday) == 2 * H


def test_dst_night_interval_in_berlin_is_real_time() -> None:
    """A 22:00-06:00 night is 7 h when clocks spring forward and 9 h when they fall back."""
    cal = plain("mon-sun 22:00-06:00", tz="Europe/Berlin")
    assert (
        cal.elapsed(
            datetime(2025, 3, 29, 20, tzinfo=BERLIN), datetime(2025, 3, 30, 12, tzinfo=BERLIN)
        )
        == 7 * H
    )
    assert (
        cal.elapsed(
            datetime(2025, 10, 25, 20, tzinfo=BERLIN), datetime(2025, 10, 26, 12, tzinfo=BERLIN)
        )
        == 9 * H
    )
    after_fold = cal.add(datetime(2025, 10, 25, 22, tzinfo=BERLIN), 5 * H)
    assert (after_fold.hour, after_fold.fold) == (2, 1)  # the second 02:00


def test_wall_times_in_a_gap_read_with_the_earlier_offset() -> None:
    """fold=0: an interval lying wholly in the spring-forward gap has no length."""
    cal = plain("mon-sun 02:00-03:00", tz="America/New_York")
    assert not cal.is_working_day(date(2025, 3, 9))
    assert cal.is_working_day(date(2025, 3, 10))


def test_hours_around_a_gap_are_merged_in_time_order() -> None:
    """fold=0: 02:30-02:45 in the 2025-03-09 New York gap means 07:30-07:45 UTC, after 03:15 EDT."""
    cal = plain("sun 02:30-02:45,03:15-10:30", tz="America/New_York")
    sunday = datetime(2025, 3, 9, tzinfo=NEW_YORK)
    expected = 7 * H + 15 * MIN  # 02:30-02:45 EST plus 03:15-10:30 EDT, 07:15-14:30 UTC
    assert expected == cal.elapsed(sunday, sunday.replace(hour=12))
    assert cal.is_working_time(datetime(2025, 3, 9, 7, 20, tzinfo=UTC))  # 03:20 EDT


def test_close_of_a_day_whose_last_hours_map_before_a_gap_reading() -> None:
    """fold=0: the day closes at its latest instant, 02:59 EST (07:59 UTC), not at 03:10 EDT."""
    cal = plain("sun 02:30-02:59,03:00-03:10", tz="America/New_York")
    expected = datetime(2025, 3, 9, 7, 59, tzinfo=UTC)
    assert expected == cal.close_of_day(datetime(2025, 3, 9, 7, 20, tzinfo=UTC))


def test_always_open_is_real_time_across_dst() -> None:
    """24x7 counts real hours: the spring-forward day has 23."""
    cal = BusinessCalendar.always_open("America/New_York")
    a = datetime(2025, 3, 8, 12, tzinfo=NEW_YORK)
    b = datetime(2025, 3, 9, 12, tzinfo=NEW_YORK)
    assert cal.elapsed(a, b) == 23 * H
    assert datetime(2025, 3, 9, 13, tzinfo=NEW_YORK) == cal.add(a, 24 * H)
    assert cal.is_working_time(a)
    assert cal.is_working_day(date(2025, 3, 9))
    assert a == cal.next_working_time(a)
    assert datetime(2025, 3, 9, tzinfo=NEW_YORK) == cal.close_of_day(a)
    assert date(2025, 3, 11) == cal.add_working_days(date(2025, 3, 8), 3)
    assert repr(cal) == "BusinessCalendar.always_open('America/New_York')"


def test_always_open_agrees_with_a_24x7_week() -> None:
    """The fast path and the table path give the same answers."""
    fast = BusinessCalendar.always_open("Europe/Berlin")
    slow = plain("mon-sun 00:00-24:00", tz="Europe/Berlin")
    start = datetime(2025, 3, 29, 21, 17, tzinfo=BERLIN)
    for hours in (1, 5, 30, -30):
        assert slow.add(start, hours * H) == fast.add(start, hours * H)
    assert slow.close_of_day(start) == fast.close_of_day(start)


# --- horizon and range -----------------------------------------------------------------------


def test_calendar_without_working_time_raises() -> None:
    """No working time at all: a clear error, never an endless loop."""
    cal = plain("", overrides={date(2025, 3, 3): ""})
    with pytest.raises(CalendarRangeError, match="never"):
        cal.add(sh(2025, 3, 3), H)
    with pytest.raises(CalendarRangeError):
        cal.next_working_time(sh(2025, 3, 3))
    with pytest.raises(CalendarRangeError):
        cal.close_of_day(sh(2025, 3, 3))
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(date(2025, 3, 3), 1)
    assert timedelta(0) == cal.elapsed(sh(2025, 3, 3), sh(2025, 3, 9))


def test_target_beyond_the_horizon_raises() -> None:
    """A calendar open one day only cannot place a deadline years later."""
    cal = plain("", overrides={date(2025, 3, 3): "09:00-10:00"})
    assert sh(2025, 3, 3, 9, 30) == cal.add(sh(2025, 1, 1), timedelta(minutes=30))
    with pytest.raises(CalendarRangeError, match="3653 days"):
        cal.add(sh(2025, 1, 1), 2 * H)
    with pytest.raises(CalendarRangeError):
        cal.add(sh(2025, 3, 4), -2 * H)
    with pytest.raises(CalendarRangeError):
        plain().add(sh(2025, 1, 1), timedelta(days=20000))
    with pytest.raises(CalendarRangeError):
        plain().add(sh(2025, 1, 1), timedelta(days=-20000))
    with pytest.raises(CalendarRangeError):
        BusinessCalendar.always_open().add(sh(2025, 1, 1), timedelta(days=4000))
    with pytest.raises(CalendarRangeError):
        BusinessCalendar.always_open().add_working_days(date(2025, 1, 1), 4000)
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(date(2025, 3, 3), 1)
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(date(2025, 3, 3), -1)


def test_results_do_not_depend_on_what_was_computed_before() -> None:
    """A warm table gives the same answer (or error) as a cold one."""
    warm = plain("", overrides={date(2025, 3, 3): "09:00-10:00", date(2040, 1, 2): "09:00-10:00"})
    warm.elapsed(sh(2025, 1, 1), sh(2040, 6, 1))
    with pytest.raises(CalendarRangeError):
        warm.add(sh(2025, 3, 4), 30 * MIN)


def test_searches_grow_the_tables_across_years() -> None:
    """Openings, closes and working days found in later or earlier years."""

    def sparse() -> BusinessCalendar:
        return plain("", overrides={date(2026, 1, 5): "09:00-10:00"})

    assert sh(2026, 1, 5, 9) == sparse().next_working_time(sh(2025, 6, 1))
    assert sh(2026, 1, 5, 10) == sparse().close_of_day(sh(2025, 6, 1))
    assert sh(2026, 1, 5, 9, 30) == sparse().add(sh(2025, 6, 1), 30 * MIN)
    far = plain("", overrides={date(2030, 1, 7): "09:00-10:00"})
    assert sh(2030, 1, 7, 9, 30) == far.add(sh(2025, 1, 1), 30 * MIN)
    assert date(2026, 1, 6) == plain().add_working_days(date(2025, 12, 30), 5)
    assert date(2024, 12, 26) == plain().add_working_days(date(2025, 1, 2), -5)
    year_end = plain()
    year_end.is_working_day(date(2025, 12, 31))
    assert year_end.elapsed(sh(2025, 12, 31, 16), sh(2026, 1, 1, 8)) == 2 * H


def test_nothing_beyond_the_horizon_is_found() -> None:
    """Openings more than ten years away are out of reach."""
    lonely = plain("", overrides={date(2040, 1, 2): "09:00-10:00"})
    with pytest.raises(CalendarRangeError, match="no working time within 3653 days"):
        lonely.next_working_time(sh(2025, 1, 1))
    with pytest.raises(CalendarRangeError, match="no working day closes within 3653 days"):
        lonely.close_of_day(sh(2025, 1, 1))


def test_far_apart_questions_rebuild_rather_than_widen() -> None:
    """A question 55 years later replaces the table; coming back rebuilds the first years."""
    cal = BusinessCalendar.china(years=[2025])
    with pytest.warns(ProvisionalCalendarWarning):
        cal.is_working_day(date(2080, 1, 1))
    assert not cal.is_working_day(date(2025, 10, 1))


def test_official_years_known_before_any_table() -> None:
    """is_provisional answers without building anything."""
    assert BusinessCalendar.china().is_provisional(date(2099, 1, 1))


def test_spans_and_years_out_of_range_raise() -> None:
    """Over 50 years in one calculation, or outside years 2..9998, is refused."""
    with pytest.raises(CalendarRangeError, match="50 years"):
        plain().elapsed(sh(2000, 1, 1), sh(2060, 1, 1))
    with pytest.raises(CalendarRangeError, match="years 2..9998"):
        plain().add(datetime(9999, 6, 1, tzinfo=UTC), H)
    with pytest.raises(CalendarRangeError):
        BusinessCalendar.always_open().add(datetime(9999, 12, 31, 20, tzinfo=UTC), H)


def test_long_elapsed_grows_the_table() -> None:
    """Instants years apart are measured from one wider table."""
    cal = plain("mon-sun 09:00-10:00")
    assert timedelta(hours=3652) == cal.elapsed(sh(2025, 1, 1), sh(2035, 1, 1))
    assert sh(2025, 1, 1, 9, 30) == cal.add(sh(2035, 1, 1), -timedelta(hours=3651, minutes=30))


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.add(datetime(2025, 3, 3, 9), H), "start must be timezone-aware"),
        (lambda c: c.add(sh(2025, 3, 3), 3600), "duration: expected a datetime.timedelta"),
        (lambda c: c.add("2025-03-03", H), "start: expected a timezone-aware datetime"),
        (lambda c: c.elapsed(sh(2025, 3, 3), datetime(2025, 3, 4)), "end must be"),
        (lambda c: c.is_working_time(datetime(2025, 3, 3)), "at must be"),
        (lambda c: c.next_working_time(datetime(2025, 3, 3)), "at must be"),
        (lambda c: c.close_of_day(datetime(2025, 3, 3)), "at must be"),
        (lambda c: c.next_working_time("2025-03-03"), "at: expected a timezone-aware"),
        (lambda c: c.is_working_day(datetime(2025, 3, 3)), "on: expected a datetime.date"),
        (lambda c: c.add_working_days(date(2025, 3, 3), 1.5), "n: expected a whole number"),
        (lambda c: c.is_provisional("2025-01-01"), "on: expected a datetime.date"),
    ],
)
def test_bad_arguments_are_validation_errors(call, message: str) -> None:  # type: ignore[no-untyped-def]
    """Naive datetimes and wrong types are refused with a hint."""
    for cal in (plain(), BusinessCalendar.always_open()):
        with pytest.raises(ValidationError, match=message):
            call(cal)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-fir 08:30-12:00", r"unknown weekday.*\('fir' at column 5\)"),
        ("mon 08:30-12:00,11:00-13:00", "intervals 08:30-12:00 and 11:00-13:00 overlap"),
        ("mon 09:00-09:00", "an empty interval"),
        ("mon 25:00-26:00", "not a time of day"),
        ("mon 9-12", "expected hours like 08:30-12:00"),
        ("fri-mon 09:00-12:00", "a range of days runs forward"),
        ("mon", "no hours after the days"),
        ("mon 20:00-09:00; tue 08:00-12:00", "runs into tue's 08:00-12:00"),
    ],
)
def test_work_week_parse_errors_say_where_and_what(text: str, message: str) -> None:
    """A parse error names the problem and the part that could not be read."""
    with pytest.raises(ValidationError, match=message):
        WorkWeek.parse(text)


def test_bad_calendar_settings_are_validation_errors() -> None:
    """Unknown zones, holiday sources, dates and weekdays are refused."""
    with pytest.raises(ValidationError, match="tz: expected an IANA time-zone name"):
        plain(tz="Mars/Olympus")
    with pytest.raises(ValidationError, match="holidays: expected 'none' or a country code"):
        plain(holidays="XX")
    with pytest.raises(ValidationError, match="holidays: expected 'none' or a country code"):
        plain(holidays=["CN"])
    with pytest.raises(ValidationError, match="closed: expected a datetime.date"):
        plain(closed=["2025-10-01"])
    with pytest.raises(ValidationError, match="closed: expected a collection of dates"):
        plain(closed="2025-10-01")
    with pytest.raises(ValidationError, match="overrides: expected a datetime.date"):
        plain(overrides={"2025-10-01": ""})
    with pytest.raises(ValidationError, match=r"overrides\[2025-10-01\]: expected hours as text"):
        plain(overrides={date(2025, 10, 1): None})
    with pytest.raises(ValidationError, match="overlap"):
        plain(overrides={date(2025, 10, 1): "09:00-12:00,10:00-11:00"})
    with pytest.raises(ValidationError, match="extra_hours_from: expected one of"):
        plain(extra_hours_from="monday")
    with pytest.raises(ValidationError, match="a weekday that has working hours"):
        plain(extra_hours_from="sun")
    with pytest.raises(ValidationError, match="years: expected years from 2 to 9998"):
        plain(years=[1])
    with pytest.raises(ValidationError, match="years: expected whole years"):
        plain(years=["2025"])
    with pytest.raises(ValidationError, match="at least one year"):
        plain(years=[])
    with pytest.raises(ValidationError, match="week: expected a work week"):
        plain(week=5)


def test_work_week_values_are_validated() -> None:
    """Minute pairs given directly are checked like parsed ones."""
    with pytest.raises(ValidationError, match="seven tuples"):
        WorkWeek(((),))
    with pytest.raises(ValidationError, match="days.mon: expected \\(open, close\\) minute pairs"):
        WorkWeek((((600, 600),),) + ((),) * 6)
    with pytest.raises(ValidationError, match="sorted by opening time"):
        WorkWeek((((600, 660), (500, 540)),) + ((),) * 6)
    with pytest.raises(ValidationError, match="days.tue: intervals"):
        WorkWeek(((), ((600, 700), (650, 800))) + ((),) * 5)


# --- the text form and the calendar's own description ----------------------------------------


def test_strategies_check_their_arguments() -> None:
    """Strategy arguments are checked when the strategy is made."""
    with pytest.raises(ValidationError, match=r"^grid_minutes: expected .* divides a day"):
        work_weeks(grid_minutes=7)
    with pytest.raises(ValidationError, match=r"^max_per_day: expected an integer >= 1"):
        work_weeks(max_per_day=0)
    with pytest.raises(ValidationError, match=r"^days: expected an integer >= 1"):
        business_calendars(days=0)


def test_work_week_text_is_canonical() -> None:
    """Days with the same hours are grouped into ranges; 00:00 closes read as 24:00."""
    week = WorkWeek.parse("sat 09:00-12:00 ; MON,tue-fri 13:30-18:00, 08:30-12:00; sun 18:00-00:00")
    assert str(week) == "mon-fri 08:30-12:00,13:30-18:00; sat 09:00-12:00; sun 18:00-24:00"
    assert str(WorkWeek.parse("wed 09:00-10:00; mon 09:00-10:00")) == "mon,wed 09:00-10:00"
    assert str(WorkWeek.parse(" ")) == ""


@given(work_weeks())
def test_work_week_text_round_trips(week: WorkWeek) -> None:
    """parse(str(week)) == week."""
    assert week == WorkWeek.parse(str(week))


def test_calendar_describes_itself() -> None:
    """Properties and repr show what the calendar was made of."""
    cal = BusinessCalendar.china(closed=[date(2025, 1, 2)], extra_working=[date(2025, 1, 5)])
    expected = (
        "BusinessCalendar('mon-fri 08:30-12:00,13:30-18:00', tz='Asia/Shanghai', holidays='CN')"
    )
    assert expected == repr(cal)
    assert (SHANGHAI, "CN", frozenset({date(2025, 1, 2)}), frozenset({date(2025, 1, 5)})) == (
        cal.tz,
        cal.holidays,
        cal.closed,
        cal.extra_working,
    )
    assert str(cal.week) == OFFICE
    assert plain().holidays == "none"


# --- named calendars in the policy -----------------------------------------------------------


def test_default_named_calendars() -> None:
    """RULES §5-6: 24x7, desk (every day, year-round), office (China), contact (calling hours)."""
    policy = Policy()
    built = {name: policy.calendar(name, years=[2025]) for name in CalendarPolicy()}
    assert repr(built["24x7"]) == "BusinessCalendar.always_open('Asia/Shanghai')"
    assert built["desk"].is_working_day(date(2025, 10, 1))  # the desk is staffed on holidays
    assert built["desk"].elapsed(sh(2025, 10, 1), sh(2025, 10, 2)) == 10 * H
    assert not built["office"].is_working_day(date(2025, 10, 1))
    assert built["office"].is_working_day(date(2025, 9, 28))
    assert not built["contact"].is_working_day(date(2025, 10, 4))
    assert built["contact"].is_working_time(sh(2025, 10, 18, 12, 30))  # no lunch gap
    assert built["contact"].elapsed(sh(2025, 10, 18), sh(2025, 10, 19)) == 11 * H
    assert not built["contact"].is_working_time(sh(2025, 10, 18, 20))  # calls end at 20:00


def test_named_calendars_say_their_country() -> None:
    """Every default spec names its holidays: CN for office and contact, none for the others."""
    assert {name: spec.holidays for name, spec in CalendarPolicy().items()} == {
        "24x7": "none",
        "desk": "none",
        "office": "CN",
        "contact": "CN",
    }


def test_a_named_calendar_is_built_by_name_in_the_policys_zone() -> None:
    """Policy.calendar(name) builds one calendar in Policy.tz; an unknown name lists the known."""
    desk = Policy(tz="Asia/Hong_Kong").calendar("desk")
    assert ZoneInfo("Asia/Hong_Kong") == desk.tz
    with pytest.raises(ValidationError, match=r"calendars are: 24x7, contact, desk, office \(add"):
        Policy().calendar("frontdesk")


def test_calendar_policy_has_no_builder_that_skips_the_zone() -> None:
    """Only Policy.calendar builds a named calendar: CalendarPolicy gives specs, not calendars."""
    assert not hasattr(CalendarPolicy, "build")
    assert CalendarPolicy().spec("office").holidays == "CN"


def test_a_spec_needs_the_zone_it_falls_back_to() -> None:
    """CalendarSpec.build has no default zone: a spec without tz runs in the zone passed."""
    spec = CalendarSpec(week="mon-fri 09:00-17:00", holidays="none")
    assert ZoneInfo("Europe/Berlin") == spec.build("Europe/Berlin").tz
    with pytest.raises(TypeError):
        spec.build()  # type: ignore[call-arg]


def test_policy_entries_replace_or_add_to_the_defaults() -> None:
    """A company's file changes one calendar and keeps the others."""
    policy = Policy.from_toml(
        '[calendars.office]\nweek = "mon-fri 09:00-17:00"\nholidays = "CN"\n'
        '[calendars.repair]\nweek = "mon-sat 08:00-20:00"\ntz = "Asia/Urumqi"\n'
        "closed = [2025-10-01]\n[calendars.repair.overrides]\n"
        '"2025-10-02" = "09:00-12:00"\n'
    )
    names = policy.calendars
    assert list(names) == ["24x7", "desk", "office", "contact", "repair"]
    assert str(names["office"].week) == "mon-fri 09:00-17:00"
    repair = policy.calendar("repair")
    assert ZoneInfo("Asia/Urumqi") == repair.tz
    assert not repair.is_working_day(date(2025, 10, 1))
    assert (
        repair.elapsed(
            datetime(2025, 10, 2, tzinfo=ZoneInfo("Asia/Urumqi")),
            datetime(2025, 10, 3, tzinfo=ZoneInfo("Asia/Urumqi")),
        )
        == 3 * H
    )
    assert Policy.from_toml(policy.to_toml()) == policy
    assert "[calendars.repair]" in policy.to_toml()


def test_policy_calendar_errors_name_their_path() -> None:
    """Bad weeks, sources, zones, dates and hours are reported by dotted path."""
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping(
            {
                "calendars": {
                    "a": {"week": "mon-fir 09:00-12:00"},
                    "b": {"week": 9},
                    "c": {"week": "mon 09:00-10:00", "holidays": "US-XX", "tz": "Mars/Olympus"},
                    "d": {"week": "mon 09:00-10:00", "tz": "Mars/Olympus"},
                    "e": {"week": "mon 09:00-10:00", "overrides": {"2025-13-01": ""}},
                    "f": {"week": "mon 09:00-10:00", "overrides": {"2025-10-01": "9"}},
                }
            }
        )
    problems = [str(p) for p in info.value.problems]
    assert problems[0].startswith("calendars.a.week: cannot read 'mon-fir 09:00-12:00'")
    assert problems[1].startswith("calendars.b.week: expected a work week")
    assert problems[2].startswith(
        "calendars.c.holidays: expected a known country-subdivision code, got 'US-XX'; "
        "US has the subdivisions AK, AL"
    )
    assert problems[3].startswith("calendars.c.tz: expected an IANA")
    assert problems[4].startswith("calendars.d.tz: expected an IANA")
    assert problems[5].startswith("calendars.e.overrides: expected ISO dates")
    assert problems[6].startswith("calendars.f.overrides.2025-10-01: cannot read '9'")
    assert len(problems) == 7


def test_calendars_must_be_a_table() -> None:
    """A policy whose calendars are not a table says so at the path calendars."""
    with pytest.raises(PolicyError) as info:
        Policy.from_mapping({"calendars": ["desk"]})
    assert [str(p) for p in info.value.problems] == [
        "calendars: expected a table of named calendars, got ['desk']"
    ]


def test_calendar_spec_validates_in_python_too() -> None:
    """Specs built in code are checked like loaded ones."""
    with pytest.raises(ValidationError, match="closed: expected a tuple of dates"):
        CalendarSpec(week="mon 09:00-10:00", closed=[date(2025, 1, 1)])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="overrides: expected a table"):
        CalendarSpec(week="mon 09:00-10:00", overrides=[])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="specs: expected a table of named calendars"):
        CalendarPolicy([])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="specs: expected non-empty calendar names"):
        CalendarPolicy({" ": CalendarSpec(week="")})
    with pytest.raises(ValidationError, match="specs.x: expected a CalendarSpec"):
        CalendarPolicy({"x": "mon 09:00-10:00"})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="holidays: expected 'none' or a country code"):
        CalendarSpec(week="mon 09:00-10:00", holidays="China")
    with pytest.raises(ValidationError, match="holidays: expected 'none' or a country code"):
        CalendarSpec(week="mon 09:00-10:00", holidays=5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="CN has no subdivisions; write 'CN'"):
        CalendarSpec(week="mon 09:00-10:00", holidays="CN-BJ")


# --- properties ------------------------------------------------------------------------------

_starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.just(UTC)
)
# Up to 72 h: the sparsest generated week still holds that much well within the horizon.
_durations = st.integers(0, 72 * 60).map(lambda m: timedelta(minutes=m, microseconds=m % 7))
_calendars = business_calendars(
    zones=st.sampled_from(("Asia/Shanghai", "America/New_York", "Europe/Berlin"))
)


@given(_calendars, _starts, _durations)
def test_elapsed_inverts_add(cal: BusinessCalendar, start: datetime, d: timedelta) -> None:
    """elapsed(s, add(s, d)) == d for d >= 0, and going back returns to the start's credit."""
    end = cal.add(start, d)
    assert d == cal.elapsed(start, end)
    assert -d == cal.elapsed(end, start)


@given(_calendars, _starts, _durations, _durations)
def test_add_is_monotone(
    cal: BusinessCalendar, start: datetime, a: timedelta, b: timedelta
) -> None:
    """A longer duration never gives an earlier deadline."""
    a, b = sorted((a, b))
    # Compare in UTC: same-zone comparisons use wall time and ignore fold.
    assert cal.add(start, a).astimezone(UTC) <= cal.add(start, b).astimezone(UTC)
    assert cal.add(start, -a).astimezone(UTC) >= cal.add(start, -b).astimezone(UTC)


@given(_calendars, _starts, st.lists(_durations.map(lambda d: d * 3), min_size=2, max_size=2))
def test_elapsed_is_additive(cal: BusinessCalendar, a: datetime, gaps: list[timedelta]) -> None:
    """elapsed(a, b) + elapsed(b, c) == elapsed(a, c), in any order."""
    b, c = a + gaps[0], a + gaps[0] - gaps[1]
    assert cal.elapsed(a, c) == cal.elapsed(a, b) + cal.elapsed(b, c)


@given(_calendars, _starts, _durations, st.sampled_from(("Asia/Tokyo", "UTC", "America/Denver")))
def test_zone_of_inputs_does_not_matter(
    cal: BusinessCalendar, start: datetime, d: timedelta, other: str
) -> None:
    """The same instant in another zone gives the same answers."""
    moved = start.astimezone(ZoneInfo(other))
    local = start.astimezone(cal.tz)
    end = start + d
    result = cal.add(moved, d)
    assert (cal.add(local, d).astimezone(UTC), cal.tz) == (result.astimezone(UTC), result.tzinfo)
    assert cal.elapsed(local, end.astimezone(cal.tz)) == cal.elapsed(moved, end)
    assert cal.is_working_time(local) == cal.is_working_time(moved)


@given(_calendars, _starts, st.sampled_from(("Asia/Shanghai", "UTC", "America/New_York")))
def test_searches_answer_alike_from_cold_and_warm_tables(
    cal: BusinessCalendar, start: datetime, other: str
) -> None:
    """next_working_time and close_of_day give the same answers before and after tables exist."""
    moment = start.astimezone(ZoneInfo(other))
    twin = BusinessCalendar(
        cal.week,
        tz=cal.tz,
        closed=cal.closed,
        extra_working=cal.extra_working,
        overrides=cal.overrides,
    )
    cold = [cal.next_working_time(moment), twin.close_of_day(moment)]
    warm = [cal.next_working_time(moment), cal.close_of_day(moment)]
    assert [(d.astimezone(UTC), d.tzinfo, d.fold) for d in cold] == [
        (d.astimezone(UTC), d.tzinfo, d.fold) for d in warm
    ]


def test_a_warm_table_still_looks_no_further_than_the_horizon() -> None:
    """Tables reaching 15 years ahead do not let a search find an opening beyond ten."""
    lonely = plain("", overrides={date(2025, 1, 2): "09:00-10:00", date(2040, 1, 2): "09:00-10:00"})
    lonely.elapsed(sh(2025, 1, 1), sh(2040, 6, 1))
    with pytest.raises(CalendarRangeError, match="no working time within 3653 days"):
        lonely.next_working_time(sh(2025, 1, 3))
    with pytest.raises(CalendarRangeError, match="no working day closes within 3653 days"):
        lonely.close_of_day(sh(2025, 1, 3))


# --- agreement with a slow, obviously correct oracle -------------------------------------------

GRID = timedelta(minutes=15)


def _hours_on(cal: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The working intervals opening on ``day``, straight from the rules' precedence."""
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
        opens = datetime.combine(day, time(a // 60, a % 60), tzinfo=cal.tz)
        close_day = day if a < b < 1440 else day + timedelta(days=1)
        closes = datetime.combine(close_day, time(b // 60 % 24, b % 60), tzinfo=cal.tz)
        found.append((opens, closes))
    return found


def _oracle_works(cal: BusinessCalendar, moment: datetime) -> bool:
    day = moment.astimezone(cal.tz).date()
    intervals = _hours_on(cal, day) + _hours_on(cal, day - timedelta(days=1))
    return any(opens <= moment < closes for opens, closes in intervals)


_ZONES = st.sampled_from(("Asia/Shanghai", "America/New_York", "Europe/Berlin"))


def _check_against_oracle(cal: BusinessCalendar, start: datetime, steps: int) -> None:
    end = start + steps * GRID
    walked = [start + i * GRID for i in range(steps)]
    working = [m for m in walked if _oracle_works(cal, m)]
    assert len(working) * GRID == cal.elapsed(start, end)
    assert all(cal.is_working_time(m) == (m in working) for m in walked[:24])
    assume(working)
    # In UTC: an aware time in a repeated hour never equals one in another zone (PEP 495).
    assert working[-1] + GRID == cal.add(start, len(working) * GRID).astimezone(UTC)
    assert working[0] == cal.next_working_time(start).astimezone(UTC)


@given(
    business_calendars(zones=_ZONES, start=date(2025, 3, 5), days=28, grid_minutes=60),
    st.integers(0, 28 * 96).map(lambda n: datetime(2025, 3, 5, tzinfo=UTC) + n * GRID),
    st.integers(0, 2 * 96),
)
def test_agrees_with_oracle_in_spring(cal: BusinessCalendar, start: datetime, steps: int) -> None:
    """Around the spring-forward changes, the tables agree with walking the rules."""
    _check_against_oracle(cal, start, steps)


@given(
    business_calendars(zones=_ZONES, start=date(2025, 10, 22), days=14, grid_minutes=60),
    st.integers(0, 14 * 96).map(lambda n: datetime(2025, 10, 22, tzinfo=UTC) + n * GRID),
    st.integers(0, 2 * 96),
)
def test_agrees_with_oracle_in_autumn(cal: BusinessCalendar, start: datetime, steps: int) -> None:
    """Around the fall-back changes, the tables agree with walking the rules."""
    _check_against_oracle(cal, start, steps)
