"""A calendar's remembered start, 24x7 on the wall clock, and pauses clipped by comparison.

Each expectation is worked out by hand (in UTC where zones change their offset),
or is the same question asked with an equal but distinct datetime, which no
calendar can have remembered.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz

from moments import fresh
from propcrm import BusinessCalendar, Policy
from propcrm.errors import CalendarRangeError
from propcrm.sla import (
    Allowance,
    Event,
    EventKind,
    SlaState,
    SlaTarget,
    TargetStatus,
    Timeline,
    evaluate,
)

SH = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
APIA = ZoneInfo("Pacific/Apia")  # -10:00 (DST -10:00+1) until 29 Dec 2011, then +14:00
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
E = EventKind
CUSTOMER = "waiting_on_customer"


# --- a remembered start -------------------------------------------------------------------------


def test_a_remembered_start_in_the_repeated_hour() -> None:
    """New York 01:30 EST on 2 Nov 2025 (06:30 UTC), nights 18:30-08:30: 1 h on is 02:30 EST."""
    cal = BusinessCalendar("mon-sun 18:30-08:30", tz=NEW_YORK, holidays="none", years=[2025])
    start = cal.next_working_time(datetime(2025, 11, 2, 6, 30, tzinfo=UTC))
    assert (start.astimezone(UTC), start.fold) == (datetime(2025, 11, 2, 6, 30, tzinfo=UTC), 1)
    assert cal.add(start, H) == datetime(2025, 11, 2, 7, 30, tzinfo=UTC)
    # 06:30 UTC to 08:30 EST (13:30 UTC) is 7 h of one night interval.
    assert cal.elapsed(start, datetime(2025, 11, 2, 8, 30, tzinfo=NEW_YORK)) == 7 * H
    assert cal.elapsed(fresh(start), datetime(2025, 11, 2, 8, 30, tzinfo=NEW_YORK)) == 7 * H


def test_a_remembered_opening_of_a_night_interval() -> None:
    """Nights 18:30-08:30 from Tuesday noon: the clock starts 18:30; 14 h on is 08:30 next day."""
    cal = BusinessCalendar("mon-sun 18:30-08:30", tz=SH, holidays="none", years=[2025])
    start = cal.next_working_time(datetime(2025, 3, 4, 12, tzinfo=SH))
    assert start == datetime(2025, 3, 4, 18, 30, tzinfo=SH)
    assert cal.add(start, 14 * H) == datetime(2025, 3, 5, 8, 30, tzinfo=SH)
    assert cal.add(start, 14 * H + MINUTE) == datetime(2025, 3, 5, 18, 31, tzinfo=SH)
    assert cal.add(start, -MINUTE) == datetime(2025, 3, 4, 8, 29, tzinfo=SH)
    assert cal.elapsed(start, datetime(2025, 3, 5, 20, tzinfo=SH)) == 15.5 * H


def test_an_earlier_start_after_another_was_remembered() -> None:
    """Two clocks started one after the other: the first answers by its own start."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=SH, holidays="none", years=[2025])
    first = cal.next_working_time(datetime(2025, 3, 3, 10, tzinfo=SH))  # Monday
    second = cal.next_working_time(datetime(2025, 3, 4, 15, tzinfo=SH))  # Tuesday
    assert cal.add(first, 2 * H) == datetime(2025, 3, 3, 12, tzinfo=SH)
    assert cal.elapsed(first, datetime(2025, 3, 4, 10, tzinfo=SH)) == 8 * H
    assert cal.add(second, 3 * H) == datetime(2025, 3, 5, 10, tzinfo=SH)


def test_a_remembered_start_after_the_table_was_rebuilt() -> None:
    """A start read in 2025, a question about 2031 that rebuilds the table, then the start again."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=SH, holidays="none", years=[2025])
    start = cal.next_working_time(datetime(2025, 3, 8, 11, tzinfo=SH))  # Saturday
    assert start == datetime(2025, 3, 10, 9, tzinfo=SH)
    assert cal.add(datetime(2031, 6, 2, 9, tzinfo=SH), H) == datetime(2031, 6, 2, 10, tzinfo=SH)
    assert cal.add(start, 9 * H) == datetime(2025, 3, 11, 10, tzinfo=SH)
    assert cal.elapsed(start, datetime(2025, 3, 11, 10, tzinfo=SH)) == 9 * H


def test_a_remembered_start_on_a_table_wider_than_the_horizon() -> None:
    """Open all day, tables 2010-2034: from 2020-01-01 the horizon is 3,653 days either way."""
    cal = BusinessCalendar("mon-sun 00:00-24:00", tz=SH, holidays="none", years=range(2010, 2035))
    start = cal.next_working_time(datetime(2020, 1, 1, tzinfo=SH))
    # 2020..2029 hold 3,650 days and the leap days of 2020, 2024 and 2028.
    ten_years = timedelta(days=3653)
    assert cal.add(start, ten_years) == datetime(2030, 1, 1, tzinfo=SH)
    start = cal.next_working_time(datetime(2020, 1, 1, tzinfo=SH))
    with pytest.raises(CalendarRangeError):
        cal.add(start, ten_years + timedelta(seconds=1))
    start = cal.next_working_time(datetime(2020, 1, 1, tzinfo=SH))
    # Back 3,653 days: 2010..2019 hold 3,652 (leap 2012, 2016), so one day before the table.
    assert cal.add(start, -ten_years) == datetime(2009, 12, 31, tzinfo=SH)


def test_a_start_remembered_by_one_calendar_asked_of_another() -> None:
    """The office's Monday 08:30 start asked of the desk (08:30-18:30 daily) and of the office."""
    office = BusinessCalendar("mon-fri 08:30-12:00,13:30-18:00", tz=SH, years=[2025])
    desk = BusinessCalendar("mon-sun 08:30-18:30", tz=SH, holidays="none")
    start = office.next_working_time(datetime(2025, 3, 8, 10, tzinfo=SH))  # Saturday
    assert start == datetime(2025, 3, 10, 8, 30, tzinfo=SH)
    assert desk.add(start, H) == datetime(2025, 3, 10, 9, 30, tzinfo=SH)
    assert desk.elapsed(start, datetime(2025, 3, 10, 14, tzinfo=SH)) == 5.5 * H
    assert office.elapsed(start, datetime(2025, 3, 10, 14, tzinfo=SH)) == 4 * H


def test_a_remembered_start_pickled_with_its_calendar() -> None:
    """A calendar and its clock's start pickled together: 4 h from Monday 08:30 is 14:00."""
    cal = BusinessCalendar("mon-fri 08:30-12:00,13:30-18:00", tz=SH, years=[2025])
    start = cal.next_working_time(datetime(2025, 3, 8, 10, tzinfo=SH))
    cal2, start2 = pickle.loads(pickle.dumps((cal, start)))
    assert cal2.add(start2, 4 * H) == datetime(2025, 3, 10, 14, tzinfo=SH)
    assert cal2.elapsed(start2, datetime(2025, 3, 10, 14, tzinfo=SH)) == 4 * H


# --- 24x7 on the wall clock -----------------------------------------------------------------


def test_always_open_over_samoas_skipped_day() -> None:
    """Apia skipped 30 Dec 2011: an hour from 29 Dec 23:00 (-10:00) is 31 Dec 00:00 (+14:00)."""
    cal = BusinessCalendar.always_open(APIA)
    start = datetime(2011, 12, 29, 23, tzinfo=APIA)  # 30 Dec 09:00 UTC
    end = datetime(2011, 12, 31, 0, tzinfo=APIA)  # 30 Dec 10:00 UTC
    assert cal.add(start, H) == end
    assert cal.add(start, H).utcoffset() == timedelta(hours=14)
    assert cal.elapsed(start, end) == H
    assert cal.elapsed(end, start) == -H


def test_always_open_in_utc_across_a_new_year() -> None:
    """ZoneInfo('UTC') keeps offset zero: 23:30 on 31 Dec 2024 plus 1 h is 00:30 on 1 Jan 2025."""
    utc = ZoneInfo("UTC")
    cal = BusinessCalendar.always_open(utc)
    start = datetime(2024, 12, 31, 23, 30, tzinfo=utc)
    assert cal.add(start, H) == datetime(2025, 1, 1, 0, 30, tzinfo=utc)
    assert cal.elapsed(start, datetime(2025, 1, 1, 0, 30, tzinfo=utc)) == H
    assert cal.next_working_time(start) == start


def test_always_open_at_the_last_years() -> None:
    """Shanghai keeps +08:00: 9998-12-31 23:00 plus 2 h is 9999-01-01 01:00; past 9999, refused."""
    cal = BusinessCalendar.always_open(SH)
    assert cal.add(datetime(9998, 12, 31, 23, tzinfo=SH), 2 * H) == datetime(
        9999, 1, 1, 1, tzinfo=SH
    )
    assert cal.add(datetime(9999, 12, 31, 20, tzinfo=SH), 2 * H) == datetime(
        9999, 12, 31, 22, tzinfo=SH
    )
    with pytest.raises(CalendarRangeError):
        cal.add(datetime(9999, 12, 31, 23, tzinfo=SH), 2 * H)


def test_always_open_mixing_two_zones_of_one_offset() -> None:
    """Shanghai and Hong Kong both keep +08:00 in 2025: 10:00 to 11:00 is 1 h either way."""
    hong_kong = ZoneInfo("Asia/Hong_Kong")
    cal = BusinessCalendar.always_open(SH)
    assert (
        cal.elapsed(datetime(2025, 3, 4, 10, tzinfo=SH), datetime(2025, 3, 4, 11, tzinfo=hong_kong))
        == H
    )
    found = cal.add(datetime(2025, 3, 4, 10, tzinfo=hong_kong), H)
    assert (found, found.tzinfo) == (datetime(2025, 3, 4, 11, tzinfo=SH), SH)


def test_always_open_in_a_dateutil_zone_across_the_spring_change() -> None:
    """dateutil's New York: 01:30 EST (06:30 UTC) on 9 Mar 2025 plus 1 h is 03:30 EDT."""
    ny = dateutil_tz.gettz("America/New_York")
    assert ny is not None
    cal = BusinessCalendar.always_open(ny)
    found = cal.add(datetime(2025, 3, 9, 1, 30, tzinfo=ny), H)
    assert found.astimezone(UTC) == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)
    assert (
        cal.elapsed(datetime(2025, 3, 9, 1, 30, tzinfo=ny), datetime(2025, 3, 9, 3, 30, tzinfo=ny))
        == H
    )


class _Delegating(tzinfo):
    """A hashable standard tzinfo with daylight saving: New York's rules under another class."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return NEW_YORK.utcoffset(dt.replace(tzinfo=NEW_YORK)) if dt is not None else None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return NEW_YORK.dst(dt.replace(tzinfo=NEW_YORK)) if dt is not None else None

    def tzname(self, dt: datetime | None) -> str | None:
        return NEW_YORK.tzname(dt.replace(tzinfo=NEW_YORK)) if dt is not None else None

    def fromutc(self, dt: datetime) -> datetime:
        return NEW_YORK.fromutc(dt.replace(tzinfo=NEW_YORK)).replace(tzinfo=self)


def test_always_open_in_a_hashable_zone_with_daylight_saving() -> None:
    """A hashable tzinfo of New York's rules: 01:30 EST on 9 Mar 2025 plus 1 h is 07:30 UTC."""
    zone = _Delegating()
    cal = BusinessCalendar.always_open(zone)
    start = datetime(2025, 3, 9, 1, 30, tzinfo=zone)
    assert cal.add(start, H).astimezone(UTC) == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)
    end = datetime(2025, 3, 9, 3, 30, tzinfo=zone)  # EDT, 07:30 UTC
    assert cal.elapsed(start, end) == H


def test_always_open_pickled_with_a_fixed_offset() -> None:
    """A pickled 24x7 calendar in UTC+05:30 adds real time to moments of the original offset."""
    plus_530 = timezone(timedelta(hours=5, minutes=30))
    cal = pickle.loads(pickle.dumps(BusinessCalendar.always_open(plus_530)))
    start = datetime(2025, 12, 31, 23, 30, tzinfo=plus_530)
    assert cal.add(start, H) == datetime(2025, 12, 31, 19, tzinfo=UTC)
    assert cal.elapsed(start, datetime(2026, 1, 1, 0, 30, tzinfo=plus_530)) == H


def test_the_policys_24x7_across_a_new_year() -> None:
    """The policy's 24x7 calendar: 23:30 on 31 Dec 2025 plus 1 h is 00:30 on 1 Jan 2026."""
    cal = Policy().calendar("24x7")
    start = datetime(2025, 12, 31, 23, 30, tzinfo=SH)
    assert cal.add(start, H) == datetime(2026, 1, 1, 0, 30, tzinfo=SH)
    assert cal.elapsed(start, datetime(2026, 1, 1, 0, 30, tzinfo=SH)) == H


# --- pauses and stops clipped by comparison -------------------------------------------------


def _desk_clock(budget: timedelta) -> SlaTarget:
    return SlaTarget(
        "t",
        allowance=Allowance.business(budget),
        calendar="desk",
        start=E.RECEIVED,
        stop=E.DISPATCHED,
        pause_on=(CUSTOMER,),
    )


def _desk_status(*events: Event, budget: timedelta, when: datetime) -> TargetStatus:
    calendars = {"desk": Policy().calendar("desk")}
    item = Timeline(events, kind="request")
    [status] = evaluate(item, at=when, targets=[_desk_clock(budget)], calendars=calendars)
    return status


DAY = datetime(2025, 11, 10, tzinfo=SH)  # a Monday; the desk works 08:30-18:30


def test_a_pause_and_a_resolution_that_touch_given_in_two_zones() -> None:
    """09:00 start, paused 10:00-11:00, resolved 11:00 (in UTC), reopened 13:00: 3 h due 15:00."""
    status = _desk_status(
        Event(E.RECEIVED, DAY + 9 * H),
        Event(E.PAUSED, DAY + 10 * H, reason=CUSTOMER),
        Event(E.RESUMED, DAY + 11 * H),
        Event(E.RESOLVED, (DAY + 11 * H).astimezone(UTC)),
        Event(E.REOPENED, (DAY + 13 * H).astimezone(UTC)),
        budget=3 * H,
        when=DAY + 15 * H,
    )
    # 1 h counted 09:00-10:00; none 10:00-13:00; 2 h counted 13:00-15:00: due just now.
    assert (status.state, status.due_at, status.elapsed) == (SlaState.RUNNING, DAY + 15 * H, 3 * H)


def test_a_resolution_inside_a_longer_pause() -> None:
    """Paused 10:00-14:00 around a resolution 11:00 and reopen 13:00: 3 h from 09:00 due 16:00."""
    status = _desk_status(
        Event(E.RECEIVED, DAY + 9 * H),
        Event(E.PAUSED, DAY + 10 * H, reason=CUSTOMER),
        Event(E.RESOLVED, DAY + 11 * H),
        Event(E.REOPENED, (DAY + 13 * H).astimezone(UTC)),
        Event(E.RESUMED, (DAY + 14 * H).astimezone(UTC)),
        budget=3 * H,
        when=DAY + 15 * H,
    )
    # 1 h counted 09:00-10:00; none 10:00-14:00; 1 h counted 14:00-15:00; 2 h left from 14:00.
    assert (status.state, status.due_at, status.elapsed) == (SlaState.RUNNING, DAY + 16 * H, 2 * H)
