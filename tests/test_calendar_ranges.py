"""Which years a query builds: half-open ends, searches that stop at their answer, rule limits."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from propcrm import BusinessCalendar, CalendarRangeError, ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)

# China's 2026: 248 working days (see test_review_calendars), each 3.5 h + 4.5 h = 8 h.
START_2026 = datetime(2026, 1, 1, tzinfo=SHANGHAI)
START_2027 = datetime(2027, 1, 1, tzinfo=SHANGHAI)


@pytest.fixture
def no_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("no_warnings")
def test_elapsed_to_a_year_boundary_does_not_build_the_next_year() -> None:
    """China's 2026, both ways: 248 days x 8 h = 1,984 h, and 2027 never warns."""
    cal = BusinessCalendar.china()
    forward, backward = cal.elapsed(START_2026, START_2027), cal.elapsed(START_2027, START_2026)
    assert (forward, backward) == (1984 * H, -1984 * H)


@pytest.mark.usefixtures("no_warnings")
def test_working_intervals_to_a_year_boundary_do_not_build_the_next_year() -> None:
    """China's 2026: two intervals a working day, 496, and 2027 never warns."""
    found = list(BusinessCalendar.china().working_intervals(START_2026, START_2027))
    assert len(found) == 496


def test_working_days_up_to_the_last_year_are_answered() -> None:
    """Wed 30 and Thu 31 Dec 9998 work; the excluded 1 Jan 9999 needs no table."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz="UTC")
    days = list(cal.working_days(date(9998, 12, 30), date(9999, 1, 1)))
    assert [date(9998, 12, 30), date(9998, 12, 31)] == days


def test_working_intervals_up_to_the_last_year_are_answered() -> None:
    """31 Dec 9998 to 1 Jan 9999 (excluded) on a UTC calendar: Thursday's 09:00-18:00."""
    utc = ZoneInfo("UTC")
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=utc)
    found = list(
        cal.working_intervals(datetime(9998, 12, 31, tzinfo=utc), datetime(9999, 1, 1, tzinfo=utc))
    )
    assert [(datetime(9998, 12, 31, 9, tzinfo=utc), datetime(9998, 12, 31, 18, tzinfo=utc))] == (
        found
    )


def test_a_fixed_instance_counts_working_days_inside_its_years() -> None:
    """HK 2025-2026, all 2025 closed but Wed 31 Dec: 2 working days on is Mon 5 Jan 2026."""
    source = holidays.country_holidays("HK", years=[2025, 2026], expand=False)
    closed = [date(2025, 1, 1) + timedelta(days=i) for i in range(364)]
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=source, closed=closed)
    assert date(2026, 1, 5) == cal.add_working_days(date(2025, 12, 31), 2)


def test_a_fixed_instance_counts_back_inside_its_years() -> None:
    """HK 2025-2026, 2026 closed after 2 Jan: 11 h back from 2 Jan 10:00 end 30 Dec 2025 17:00."""
    source = holidays.country_holidays("HK", years=[2025, 2026], expand=False)
    closed = [date(2026, 1, 3) + timedelta(days=i) for i in range(363)]
    cal = BusinessCalendar(
        "mon-fri 09:00-18:00", tz=HONG_KONG, holidays=source, closed=closed, years=[2026]
    )
    expected = datetime(2025, 12, 30, 17, tzinfo=HONG_KONG)
    assert expected == cal.add(datetime(2026, 1, 2, 10, tzinfo=HONG_KONG), -11 * H)


def test_a_year_past_the_rules_names_the_last_supported_year() -> None:
    """The package's US rules end in 2100: a deadline in 2101 is refused, naming 2100."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    with pytest.raises(CalendarRangeError, match=r"last supported year: 2100"):
        cal.add(datetime(2100, 12, 31, 16, tzinfo=NEW_YORK), 2 * H)


def test_a_year_before_the_rules_is_refused() -> None:
    """The package's US rules start in 1777: 4 Jul 1776 is refused, not open."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    with pytest.raises(CalendarRangeError, match="1777"):
        cal.is_working_day(date(1776, 7, 4))


def test_the_last_year_of_the_rules_is_answered() -> None:
    """Mon 5 Jul 2100 is Independence Day observed (4 Jul 2100 is a Sunday)."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    assert not cal.is_working_day(date(2100, 7, 5))


def test_an_unknown_code_points_to_the_known_codes() -> None:
    """XX is refused with a pointer to holidays.list_supported_countries()."""
    with pytest.raises(ValidationError, match=r"list_supported_countries\(\)"):
        BusinessCalendar("mon-fri 09:00-17:00", holidays="XX")


def test_a_lower_case_subdivision_code_suggests_the_upper_case_one() -> None:
    """'us-ny' is refused with the hint to write 'US-NY'."""
    with pytest.raises(ValidationError, match="write 'US-NY'"):
        BusinessCalendar("mon-fri 09:00-17:00", holidays="us-ny")
