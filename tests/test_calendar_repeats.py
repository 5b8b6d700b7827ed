"""Asking a calendar about the same moment again, and 24x7 calendars on their wall clock.

A calendar remembers the business total of the last start it read, so a clock's
deadlines and elapsed times from one start skip the lookup; a 24x7 calendar adds
and subtracts moments of its zone on their wall clock in years when the zone keeps
one offset. Every answer here is checked against arithmetic in UTC or against
the same question asked with an equal but distinct datetime, which the calendar
cannot have remembered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from moments import fresh
from propcrm import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CARACAS = ZoneInfo("America/Caracas")  # -04:30 until 1 May 2016, then -04:00
PYONGYANG = ZoneInfo("Asia/Pyongyang")  # +09:00, +08:30 from Aug 2015 to May 2018, +09:00
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)


# --- one start asked about again -------------------------------------------------------------


def test_deadline_and_elapsed_from_a_start_read_just_before() -> None:
    """Hours 08:30-12:00, 13:30-18:00: 4 h from Tuesday 10:00 end 15:30; to 17:00 is 5.5 h."""
    cal = BusinessCalendar("mon-fri 08:30-12:00,13:30-18:00", holidays="none")
    start = datetime(2025, 3, 4, 10, tzinfo=SHANGHAI)
    assert cal.add(start, 4 * H) == datetime(2025, 3, 4, 15, 30, tzinfo=SHANGHAI)
    assert cal.elapsed(start, datetime(2025, 3, 4, 17, tzinfo=SHANGHAI)) == 5.5 * H
    assert cal.add(start, -H) == datetime(2025, 3, 4, 9, tzinfo=SHANGHAI)


def test_a_clock_started_at_the_next_opening() -> None:
    """From Saturday 11:00 the clock starts Monday 08:30: 2 h on is 10:30; 09:00 is 0.5 h in."""
    cal = BusinessCalendar("mon-fri 08:30-12:00,13:30-18:00", holidays="none")
    started = cal.next_working_time(datetime(2025, 3, 8, 11, tzinfo=SHANGHAI))
    assert started == datetime(2025, 3, 10, 8, 30, tzinfo=SHANGHAI)
    assert cal.add(started, 2 * H) == datetime(2025, 3, 10, 10, 30, tzinfo=SHANGHAI)
    assert cal.elapsed(started, datetime(2025, 3, 10, 9, tzinfo=SHANGHAI)) == 0.5 * H


def test_a_start_in_working_time_read_through_utc() -> None:
    """The same start given in UTC: 02:00 UTC is 10:00 in Shanghai; 4 h on is 15:30 there."""
    cal = BusinessCalendar("mon-fri 08:30-12:00,13:30-18:00", holidays="none")
    start = datetime(2025, 3, 4, 2, tzinfo=UTC)
    assert cal.next_working_time(start) == datetime(2025, 3, 4, 10, tzinfo=SHANGHAI)
    assert cal.add(start, 4 * H) == datetime(2025, 3, 4, 15, 30, tzinfo=SHANGHAI)
    assert cal.elapsed(start, datetime(2025, 3, 4, 17, tzinfo=SHANGHAI)) == 5.5 * H


def test_a_start_remembered_before_the_calendar_grows() -> None:
    """A start read in 2025, then a question about 2031 (new years), then the start again."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", holidays="none")
    start = datetime(2025, 3, 4, 10, tzinfo=SHANGHAI)
    assert cal.add(start, H) == datetime(2025, 3, 4, 11, tzinfo=SHANGHAI)
    assert cal.add(datetime(2031, 6, 2, 9, tzinfo=SHANGHAI), H) == datetime(
        2031, 6, 2, 10, tzinfo=SHANGHAI
    )
    assert cal.add(start, 8 * H) == datetime(2025, 3, 5, 10, tzinfo=SHANGHAI)
    assert cal.elapsed(start, datetime(2025, 3, 5, 10, tzinfo=SHANGHAI)) == 8 * H


def test_two_calendars_asked_about_one_start() -> None:
    """Desk hours and office hours answer for one start object each by its own hours."""
    desk = BusinessCalendar("mon-sun 08:00-20:00", holidays="none")
    office = BusinessCalendar("mon-fri 09:00-17:00", holidays="none")
    start = datetime(2025, 3, 8, 10, tzinfo=SHANGHAI)  # a Saturday
    assert desk.add(start, 3 * H) == datetime(2025, 3, 8, 13, tzinfo=SHANGHAI)
    assert office.add(start, 3 * H) == datetime(2025, 3, 10, 12, tzinfo=SHANGHAI)
    assert desk.elapsed(start, datetime(2025, 3, 10, 12, tzinfo=SHANGHAI)) == 26 * H
    assert office.elapsed(start, datetime(2025, 3, 10, 12, tzinfo=SHANGHAI)) == 3 * H


moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(SHANGHAI)
)
spans = st.timedeltas(min_value=-40 * H, max_value=40 * H)


@given(moments, st.lists(st.tuples(st.sampled_from(["add", "elapsed", "next"]), spans, moments)))
def test_remembered_answers_equal_fresh_ones(
    start: datetime, asks: list[tuple[str, timedelta, datetime]]
) -> None:
    """Any run of questions about one start answers as the same questions about equal copies."""
    cal = BusinessCalendar.china(years=range(2024, 2027))
    for ask, span, other in asks:
        if ask == "add":
            assert cal.add(start, span) == cal.add(fresh(start), span)
        elif ask == "elapsed":
            assert cal.elapsed(start, other) == cal.elapsed(fresh(start), other)
        else:
            moment = cal.next_working_time(other)
            assert cal.add(moment, span) == cal.add(fresh(moment), span)
            assert cal.elapsed(moment, start) == cal.elapsed(fresh(moment), start)


# --- 24x7 on the wall clock -------------------------------------------------------------------


def test_always_open_across_a_change_of_standard_offset() -> None:
    """Caracas went from -04:30 to -04:00 in 2016: 400 days from 2015-12-31 12:00 end at 12:30."""
    cal = BusinessCalendar.always_open(CARACAS)
    start = datetime(2015, 12, 31, 12, tzinfo=CARACAS)  # 16:30 UTC
    end = datetime(2017, 2, 3, 12, 30, tzinfo=CARACAS)  # 16:30 UTC, 400 days on
    assert cal.add(start, timedelta(days=400)) == end
    assert cal.add(start, timedelta(days=400)).utcoffset() == timedelta(hours=-4)
    assert cal.elapsed(start, end) == timedelta(days=400)
    assert cal.elapsed(end, start) == timedelta(days=-400)


def test_always_open_through_a_change_and_back() -> None:
    """Pyongyang was +09:00 in 2014 and in 2019, +08:30 between: real time equals wall time."""
    cal = BusinessCalendar.always_open(PYONGYANG)
    start = datetime(2014, 6, 1, 9, tzinfo=PYONGYANG)
    end = datetime(2019, 6, 1, 9, tzinfo=PYONGYANG)
    assert cal.elapsed(start, end) == end.astimezone(UTC) - start.astimezone(UTC)
    assert cal.add(start, end.astimezone(UTC) - start.astimezone(UTC)) == end


def test_always_open_inside_a_year_with_a_change() -> None:
    """Pyongyang went back 30 minutes at midnight on 15 August 2015: 1 hour from 23:45."""
    cal = BusinessCalendar.always_open(PYONGYANG)
    start = datetime(2015, 8, 14, 23, 45, tzinfo=PYONGYANG)  # +09:00, 14:45 UTC
    assert cal.add(start, H) == datetime(2015, 8, 15, 0, 15, tzinfo=PYONGYANG)  # +08:30, 15:45 UTC
    assert cal.elapsed(start, datetime(2015, 8, 15, 0, 15, tzinfo=PYONGYANG)) == H


def test_always_open_answers_plain_datetimes() -> None:
    """A datetime subclass in, a plain datetime out, as from every other calendar."""

    class Stamp(datetime):
        pass

    cal = BusinessCalendar.always_open(SHANGHAI)
    start = Stamp(2025, 3, 4, 10, tzinfo=SHANGHAI)
    assert type(cal.add(start, H)) is datetime
    assert type(cal.next_working_time(start)) is datetime
    assert cal.add(start, H) == datetime(2025, 3, 4, 11, tzinfo=SHANGHAI)


def test_always_open_next_working_time_of_a_second_reading() -> None:
    """fold=1 on a zone without a repeated hour: the same moment, written with fold=0."""
    cal = BusinessCalendar.always_open(SHANGHAI)
    at = datetime(2025, 3, 4, 10, fold=1, tzinfo=SHANGHAI)
    assert cal.next_working_time(at) == at
    assert cal.next_working_time(at).fold == 0


zones = st.sampled_from(
    [SHANGHAI, CARACAS, PYONGYANG, NEW_YORK, ZoneInfo("UTC"), timezone(timedelta(hours=5.5))]
)


@given(
    zones,
    st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2030, 12, 31)),
    st.booleans(),
    st.timedeltas(min_value=timedelta(days=-1500), max_value=timedelta(days=1500)),
)
def test_always_open_is_utc_arithmetic(
    zone: ZoneInfo, wall: datetime, fold: bool, span: timedelta
) -> None:
    """add, elapsed and next_working_time of 24x7 are UTC arithmetic shown in the zone."""
    cal = BusinessCalendar.always_open(zone)
    start = wall.replace(tzinfo=zone, fold=int(fold))
    expected = (start.astimezone(UTC) + span).astimezone(zone)
    found = cal.add(start, span)
    assert (found, found.utcoffset(), found.fold) == (expected, expected.utcoffset(), expected.fold)
    assert cal.elapsed(start, expected) == expected.astimezone(UTC) - start.astimezone(UTC)
    moment = cal.next_working_time(start)
    again = start.astimezone(UTC).astimezone(zone)
    assert (moment.replace(tzinfo=None), moment.fold) == (again.replace(tzinfo=None), again.fold)
