"""Review of calendars beyond China: expected values worked out by hand from public calendars.

Holiday dates follow the ``holidays`` package's documented rules and the
regions' published calendars (Hong Kong's Sunday holidays move to the next
weekday; Singapore's too; the US observes a Saturday holiday on the Friday;
China's State Council notices for 2025 and 2026; Belarus's 2025 transfer of
Monday 6 January to Saturday 11 January). Tests marked ``xfail`` record
defects found in review; their marker flips when the defect is fixed.
"""

from __future__ import annotations

import tomllib
import warnings
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from holidays.countries import HongKong

from propcrm import BusinessCalendar, CalendarRangeError, Policy, ValidationError
from propcrm.calendar import ProvisionalCalendarWarning
from propcrm.cli import main
from propcrm.errors import PolicyError

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
US1 = timedelta(microseconds=1)


def at(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold)  # type: ignore[misc]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def office_cn() -> BusinessCalendar:
    return BusinessCalendar.china("mon-fri 08:30-12:00,13:30-18:00", years=[2025])


# --- country and subdivision codes ----------------------------------------------------------


def test_hong_kong_lunar_new_year_2026_deadline() -> None:
    """Mon 16 Feb 17:00 + 2 h: one hour that day, 17-19 Feb closed, one hour on Fri 20 Feb."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK")
    assert at(HONG_KONG, 2026, 2, 20, 10) == cal.add(at(HONG_KONG, 2026, 2, 16, 17), 2 * H)


def test_hong_kong_sunday_holiday_moves_to_monday() -> None:
    """Chung Yeung 2026 is Sunday 18 Oct, so Monday 19 Oct is the observed holiday."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK")
    reason = cal.closed_reason(date(2026, 10, 19))
    assert reason is not None
    assert reason.rule == "calendar.holiday"
    assert reason.facts["holiday"] == "Double Ninth Festival (observed)"
    assert cal.is_working_day(date(2026, 10, 20))


def test_a_holiday_on_a_weekend_is_the_holidays_reason() -> None:
    """Hong Kong's Dragon Boat Festival 2025 fell on Saturday 31 May: the holiday is the reason."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK")
    reason = cal.closed_reason(date(2025, 5, 31))
    assert reason is not None
    assert (reason.rule, reason.facts["holiday"]) == ("calendar.holiday", "Dragon Boat Festival")


def test_singapore_national_day_2026_is_observed_on_monday() -> None:
    """9 Aug 2026 is a Sunday: Monday 10 Aug is closed, Tuesday 11 Aug works."""
    cal = BusinessCalendar("mon-fri 08:30-17:30", tz="Asia/Singapore", holidays="SG")
    assert [cal.is_working_day(date(2026, 8, d)) for d in (10, 11)] == [False, True]


def test_macau_establishment_day_and_the_day_after_mid_autumn() -> None:
    """Macau closes Sat 20 Dec 2025 (its SAR day) and Tue 7 Oct 2025; Mon 6 Oct works."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz="Asia/Macau", holidays="MO")
    reason = cal.closed_reason(date(2025, 12, 20))
    assert reason is not None
    assert reason.rule == "calendar.holiday"
    assert [cal.is_working_day(date(2025, 10, d)) for d in (6, 7)] == [True, False]


def test_us_thanksgiving_2025_deadline() -> None:
    """Wed 26 Nov 16:00 + 2 h: one hour that day, Thanksgiving closed, 10:00 on Fri 28 Nov."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    assert at(NEW_YORK, 2025, 11, 28, 10) == cal.add(at(NEW_YORK, 2025, 11, 26, 16), 2 * H)


def test_us_saturday_independence_day_is_observed_friday() -> None:
    """4 Jul 2026 is a Saturday: Friday 3 Jul is the observed holiday."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    friday, saturday = cal.closed_reason(date(2026, 7, 3)), cal.closed_reason(date(2026, 7, 4))
    assert friday is not None
    assert saturday is not None
    assert friday.facts["holiday"] == "Independence Day (observed)"
    assert saturday.facts["holiday"] == "Independence Day"


def test_new_york_subdivision_adds_lincolns_birthday() -> None:
    """12 Feb 2025 (Wednesday) closes New York State, not the federal calendar."""
    new_york = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US-NY")
    federal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    day = date(2025, 2, 12)
    assert (new_york.is_working_day(day), federal.is_working_day(day)) == (False, True)


def test_scotland_and_england_differ() -> None:
    """St Andrew's Day 2025 (a Sunday) is observed 1 Dec in Scotland; Easter Monday in England."""
    scotland = BusinessCalendar("mon-fri 09:00-17:00", tz="Europe/London", holidays="GB-SCT")
    england = BusinessCalendar("mon-fri 09:00-17:00", tz="Europe/London", holidays="GB-ENG")
    days = (date(2025, 12, 1), date(2025, 4, 21))
    assert [scotland.is_working_day(d) for d in days] == [False, True]
    assert [england.is_working_day(d) for d in days] == [True, False]


def test_an_unknown_subdivision_lists_the_known_ones() -> None:
    """US-XX names the field and lists New York's code among the subdivisions."""
    with pytest.raises(ValidationError, match=r"holidays: .*US-XX.*\bNY\b"):
        BusinessCalendar("mon-fri 09:00-17:00", holidays="US-XX")


def test_a_country_without_subdivisions_says_what_to_write() -> None:
    """HK-XX is refused with the hint to write 'HK'."""
    with pytest.raises(ValidationError, match="write 'HK'"):
        BusinessCalendar("mon-fri 09:00-17:00", holidays="HK-XX")


def test_an_unknown_country_is_refused() -> None:
    """XX is a ValidationError naming the holidays argument."""
    with pytest.raises(ValidationError, match="^holidays: "):
        BusinessCalendar("mon-fri 09:00-17:00", holidays="XX")


def test_a_lower_case_code_suggests_the_upper_case_one() -> None:
    """'hk' is refused, and after quoting it the message says how to fix it: 'HK'."""
    with pytest.raises(ValidationError, match="'hk'.*'HK'"):
        BusinessCalendar("mon-fri 09:00-17:00", holidays="hk")


# --- substituted working days -----------------------------------------------------------------


def test_china_national_day_2025_is_unchanged() -> None:
    """Sun 28 Sep and Sat 11 Oct work; 1-8 Oct are closed (State Council notice for 2025)."""
    cal = office_cn()
    days = list(cal.working_days(date(2025, 9, 27), date(2025, 10, 13)))
    expected = [date(2025, 9, d) for d in (28, 29, 30)] + [date(2025, 10, d) for d in (9, 10, 11)]
    assert expected == days


def test_china_make_up_sunday_works_monday_hours() -> None:
    """Sun 28 Sep 2025 opens at 08:30 and breaks for lunch at 12:00, like a Monday."""
    cal = office_cn()
    assert at(SHANGHAI, 2025, 9, 28, 12) == cal.end_of_working_interval(
        at(SHANGHAI, 2025, 9, 28, 8, 30)
    )


def test_belarus_transferred_saturday_works() -> None:
    """Belarus moved Mon 6 Jan 2025 to Sat 11 Jan: the Saturday works, the Monday is closed."""
    minsk = ZoneInfo("Europe/Minsk")
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=minsk, holidays="BY")
    assert cal.is_working_time(at(minsk, 2025, 1, 11, 10))
    reason = cal.closed_reason(date(2025, 1, 6))
    assert reason is not None
    assert reason.rule == "calendar.holiday"


def test_taiwan_make_up_saturday_works() -> None:
    """Taiwan worked Saturday 8 Feb 2025 for the Lunar New Year bridge day."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz="Asia/Taipei", holidays="TW")
    assert cal.is_working_day(date(2025, 2, 8))


# --- holiday sources of the company's own --------------------------------------------------


class _FoundersDay(HongKong):  # type: ignore[misc]
    """Hong Kong's holidays and the group's founding day, 3 March."""

    def _populate(self, year: int) -> None:
        super()._populate(year)
        self[date(year, 3, 3)] = "Founders' Day"


def test_a_subclass_adds_its_own_days_in_every_year() -> None:
    """Founders' Day closes Mon 3 Mar 2025 and Wed 3 Mar 2027."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=_FoundersDay)
    assert not cal.is_working_day(date(2025, 3, 3))
    assert not cal.is_working_day(date(2027, 3, 3))


def test_an_instance_is_used_and_left_unchanged() -> None:
    """An expanding instance closes 1 Jul 2026 too; the company's object keeps only 2025."""
    source = holidays.country_holidays("HK", years=2025)
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=source)
    assert not cal.is_working_day(date(2026, 7, 1))
    assert source.years == {2025}


def test_a_fixed_instance_refuses_a_year_it_lacks() -> None:
    """An expand=False instance for 2025 cannot answer a deadline reaching 2026."""
    source = holidays.country_holidays("HK", years=2025, expand=False)
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=source)
    with pytest.raises(CalendarRangeError, match="2026"):
        cal.add(at(HONG_KONG, 2025, 12, 31, 17), 2 * H)


def test_a_fixed_instance_answers_inside_its_years() -> None:
    """2025 closed but Wed 31 Dec: 18 h from 31 Dec 09:00 end Fri 2 Jan 2026 18:00."""
    source = holidays.country_holidays("HK", years=[2025, 2026], expand=False)
    closed = [date(2025, 1, 1) + timedelta(days=i) for i in range(364)]
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays=source, closed=closed)
    assert at(HONG_KONG, 2026, 1, 2, 18) == cal.add(at(HONG_KONG, 2025, 12, 31, 9), 18 * H)


# --- years loaded on demand -------------------------------------------------------------------


def test_a_deadline_crossing_into_an_unbuilt_year_sees_its_holidays() -> None:
    """Built for 2025 only: 2 h from Wed 31 Dec 17:00 skip 1 Jan 2026, ending Fri 2 Jan 10:00."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK", years=[2025])
    assert at(HONG_KONG, 2026, 1, 2, 10) == cal.add(at(HONG_KONG, 2025, 12, 31, 17), 2 * H)


def test_counting_back_into_an_unbuilt_year_sees_its_holidays() -> None:
    """Built for 2025 only: 2 h back from Thu 2 Jan 10:00 skip 1 Jan, ending 31 Dec 2024 17:00."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK", years=[2025])
    assert at(HONG_KONG, 2024, 12, 31, 17) == cal.add(at(HONG_KONG, 2025, 1, 2, 10), -2 * H)


def test_the_next_interval_end_in_an_unbuilt_year() -> None:
    """At 31 Dec 2025 18:00 the next interval is Fri 2 Jan 2026's (1 Jan is a holiday)."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK", years=[2025])
    assert at(HONG_KONG, 2026, 1, 2, 18) == cal.end_of_working_interval(
        at(HONG_KONG, 2025, 12, 31, 18)
    )


def test_a_deadline_beyond_ten_years_raises() -> None:
    """Eleven years of nine-hour weekdays cannot fit in the ten-year search."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK", years=[2025])
    with pytest.raises(CalendarRangeError):
        cal.add(at(HONG_KONG, 2025, 1, 2, 9), 9 * 261 * 11 * H)


def test_a_computed_country_never_warns() -> None:
    """Hong Kong in 2099 is computed by rule: National Day closes and nothing warns."""
    cal = BusinessCalendar("mon-fri 09:00-18:00", tz=HONG_KONG, holidays="HK")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not cal.is_working_day(date(2099, 10, 1))
    assert not cal.is_provisional(date(2099, 10, 1))


def test_china_warns_for_a_provisional_year() -> None:
    """China in 2027 has no official schedule in the installed package: it warns."""
    cal = BusinessCalendar.china(years=[2025])
    with pytest.warns(ProvisionalCalendarWarning):
        cal.is_working_day(date(2027, 10, 1))


def test_working_days_of_an_official_year_do_not_warn() -> None:
    """China's working days of 2026 (end 1 Jan 2027 excluded): 261 weekdays - 19 + 6 = 248."""
    cal = BusinessCalendar.china()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(cal.working_days(date(2026, 1, 1), date(2027, 1, 1)))) == 248


def test_a_working_day_count_inside_official_years_does_not_warn() -> None:
    """From Thu 2 Jan 2025: 247 more days end 2025, the 243rd of 2026 is Thu 24 Dec 2026."""
    cal = BusinessCalendar.china(years=[2025])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert date(2026, 12, 24) == cal.add_working_days(date(2025, 1, 2), 490)


def test_a_year_the_package_does_not_cover_is_never_silently_open() -> None:
    """The package's US rules end in 2100: Mon 4 Jul 2101 must not be a plain working day."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(date(2101, 7, 4))


# --- the one-call queries at their boundaries -------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "end", "previous"),
    [
        (8, 30, (10, 9, 12, 0), (10, 9, 8, 30)),  # exactly at the open: working
        (12, 0, (10, 9, 18, 0), (10, 9, 12, 0)),  # exactly at the lunch close
        (12, 30, (10, 9, 18, 0), (10, 9, 12, 0)),  # inside the lunch break
        (13, 30, (10, 9, 18, 0), (10, 9, 13, 30)),  # exactly at the afternoon open
        (18, 0, (10, 10, 12, 0), (10, 9, 18, 0)),  # exactly at the day's close
        (7, 0, (10, 9, 12, 0), (9, 30, 18, 0)),  # before the open, after Golden Week
    ],
)
def test_interval_end_and_previous_time_are_half_open(
    hour: int, minute: int, end: tuple[int, ...], previous: tuple[int, ...]
) -> None:
    """Thu 9 Oct 2025 on the office calendar: ends and previous instants by hand."""
    cal = office_cn()
    moment = at(SHANGHAI, 2025, 10, 9, hour, minute)
    assert at(SHANGHAI, 2025, *end) == cal.end_of_working_interval(moment)
    assert at(SHANGHAI, 2025, *previous) == cal.previous_working_time(moment)


def test_working_intervals_are_clipped_and_half_open() -> None:
    """12:00 Thu to 08:30 Fri: the lunch close and the next open add nothing."""
    cal = office_cn()
    found = list(
        cal.working_intervals(at(SHANGHAI, 2025, 10, 9, 12), at(SHANGHAI, 2025, 10, 10, 8, 30))
    )
    assert [(at(SHANGHAI, 2025, 10, 9, 13, 30), at(SHANGHAI, 2025, 10, 9, 18))] == found


def test_empty_ranges_are_empty() -> None:
    """start == end gives no intervals and no days."""
    cal = office_cn()
    moment = at(SHANGHAI, 2025, 10, 9, 10)
    assert list(cal.working_intervals(moment, moment)) == []
    assert list(cal.working_days(date(2025, 10, 9), date(2025, 10, 9))) == []


def test_reversed_ranges_are_refused() -> None:
    """end before start is a ValidationError naming end, for instants and for dates."""
    cal = office_cn()
    with pytest.raises(ValidationError, match="^end: "):
        cal.working_intervals(at(SHANGHAI, 2025, 10, 9, 13), at(SHANGHAI, 2025, 10, 9, 12))
    with pytest.raises(ValidationError, match="^end: "):
        cal.working_days(date(2025, 10, 9), date(2025, 10, 8))


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.end_of_working_interval(datetime(2025, 10, 9, 10)),
        lambda c: c.previous_working_time(datetime(2025, 10, 9, 10)),
        lambda c: c.working_intervals(datetime(2025, 10, 9, 10), at(SHANGHAI, 2025, 10, 9, 11)),
        lambda c: c.working_intervals(at(SHANGHAI, 2025, 10, 9, 10), datetime(2025, 10, 9, 11)),
        lambda c: c.working_days(datetime(2025, 10, 9, 10), date(2025, 10, 10)),
        lambda c: c.closed_reason(datetime(2025, 10, 1)),
    ],
)
def test_naive_datetimes_are_refused(call) -> None:  # type: ignore[no-untyped-def]
    """A naive datetime (or a datetime for a date) is a ValidationError at the call."""
    with pytest.raises(ValidationError):
        call(office_cn())


def test_a_range_wider_than_fifty_years_is_refused_for_days() -> None:
    """working_days over 2000..2099 raises instead of building a century."""
    with pytest.raises(CalendarRangeError):
        office_cn().working_days(date(2000, 1, 1), date(2099, 1, 1))


def test_a_range_wider_than_fifty_years_is_refused_for_intervals() -> None:
    """working_intervals over 2000..2099 raises at the call, as documented (like working_days)."""
    with pytest.raises(CalendarRangeError):
        office_cn().working_intervals(at(SHANGHAI, 2000, 1, 1), at(SHANGHAI, 2099, 1, 1))


def test_a_wide_range_yields_its_first_interval() -> None:
    """Forty-nine years of a US calendar: the first interval is Mon 3 Jan 2000 09:00-17:00."""
    cal = BusinessCalendar("mon-fri 09:00-17:00", tz=NEW_YORK, holidays="US")
    first = next(iter(cal.working_intervals(at(NEW_YORK, 2000, 1, 1), at(NEW_YORK, 2049, 1, 1))))
    assert (at(NEW_YORK, 2000, 1, 3, 9), at(NEW_YORK, 2000, 1, 3, 17)) == first


# --- midnight-spanning and clock changes ------------------------------------------------------


def test_around_the_clock_with_holidays_ends_at_the_next_holiday() -> None:
    """24x7 with US holidays: from 3 Jul 2025 noon the interval ends at midnight before 4 Jul."""
    cal = BusinessCalendar("mon-sun 00:00-24:00", tz=NEW_YORK, holidays="US")
    assert at(NEW_YORK, 2025, 7, 4) == cal.end_of_working_interval(at(NEW_YORK, 2025, 7, 3, 12))
    assert at(NEW_YORK, 2025, 7, 4) == cal.previous_working_time(at(NEW_YORK, 2025, 7, 4, 12))


def test_around_the_clock_across_spring_forward_is_one_interval() -> None:
    """8 Mar noon to 10 Mar noon 2025 in New York: one interval of 47 real hours."""
    cal = BusinessCalendar("mon-sun 00:00-24:00", tz=NEW_YORK, holidays="US")
    ((opens, closes),) = cal.working_intervals(
        at(NEW_YORK, 2025, 3, 8, 12), at(NEW_YORK, 2025, 3, 10, 12)
    )
    assert utc(closes) - utc(opens) == 47 * H


def test_hours_in_a_spring_gap_read_with_the_earlier_offset() -> None:
    """01:30-02:30 on 9 Mar 2025 in New York runs 01:30 EST to 03:30 EDT (fold=0)."""
    cal = BusinessCalendar("mon-sun 01:30-02:30", tz=NEW_YORK)
    found = list(cal.working_intervals(at(NEW_YORK, 2025, 3, 9), at(NEW_YORK, 2025, 3, 10)))
    assert [(utc(at(NEW_YORK, 2025, 3, 9, 1, 30)), datetime(2025, 3, 9, 7, 30, tzinfo=UTC))] == [
        (utc(a), utc(b)) for a, b in found
    ]


def test_the_repeated_hour_is_inside_the_interval() -> None:
    """2 Nov 2025, New York, 01:30-02:30: 01:15 EST (second pass) is working, 01:15 EDT is not."""
    cal = BusinessCalendar("mon-sun 01:30-02:30", tz=NEW_YORK)
    second = at(NEW_YORK, 2025, 11, 2, 1, 15, fold=1)
    assert utc(second) == utc(cal.previous_working_time(second))
    assert utc(at(NEW_YORK, 2025, 11, 2, 2, 30)) == utc(cal.end_of_working_interval(second))
    first = at(NEW_YORK, 2025, 11, 2, 1, 15)
    assert utc(at(NEW_YORK, 2025, 11, 1, 2, 30)) == utc(cal.previous_working_time(first))


def test_berlin_clock_changes_shorten_and_lengthen_the_night() -> None:
    """01:00-04:00 Berlin: 2 h on 30 Mar 2025, 4 h on 26 Oct 2025."""
    cal = BusinessCalendar("mon-sun 01:00-04:00", tz=BERLIN, holidays="DE-BE")
    spring = list(cal.working_intervals(at(BERLIN, 2025, 3, 30), at(BERLIN, 2025, 3, 31)))
    autumn = list(cal.working_intervals(at(BERLIN, 2025, 10, 26), at(BERLIN, 2025, 10, 27)))
    assert [utc(b) - utc(a) for a, b in spring] == [2 * H]
    assert [utc(b) - utc(a) for a, b in autumn] == [4 * H]


def test_berlin_christmas_splits_an_around_the_clock_week() -> None:
    """24x7 with German holidays: 24 Dec works, 25-26 Dec are closed, 27 Dec works."""
    cal = BusinessCalendar("mon-sun 00:00-24:00", tz=BERLIN, holidays="DE")
    found = list(cal.working_intervals(at(BERLIN, 2025, 12, 24), at(BERLIN, 2025, 12, 28)))
    expected = [
        (at(BERLIN, 2025, 12, 24), at(BERLIN, 2025, 12, 25)),
        (at(BERLIN, 2025, 12, 27), at(BERLIN, 2025, 12, 28)),
    ]
    assert expected == found


def test_a_night_shift_belongs_to_the_evening_it_opens() -> None:
    """Mon-Fri 18:30-08:30: Mon 13 Oct 2025 to Wed 15 Oct gives Mon night and Tue evening."""
    cal = BusinessCalendar("mon-fri 18:30-08:30", holidays="CN")
    found = list(cal.working_intervals(at(SHANGHAI, 2025, 10, 13), at(SHANGHAI, 2025, 10, 15)))
    expected = [
        (at(SHANGHAI, 2025, 10, 13, 18, 30), at(SHANGHAI, 2025, 10, 14, 8, 30)),
        (at(SHANGHAI, 2025, 10, 14, 18, 30), at(SHANGHAI, 2025, 10, 15)),
    ]
    assert expected == found


# --- closed_reason layers ---------------------------------------------------------------------


def test_a_company_closure_on_a_make_up_day() -> None:
    """A typhoon closure of make-up Sunday 28 Sep 2025 is the company's."""
    cal = BusinessCalendar.china(closed=[date(2025, 9, 28)])
    reason = cal.closed_reason(date(2025, 9, 28))
    assert reason is not None
    assert reason.rule == "calendar.company_closure"


def test_an_override_closing_a_date() -> None:
    """An empty override on Thu 9 Oct 2025 is the reason."""
    cal = BusinessCalendar.china(overrides={date(2025, 10, 9): ""})
    reason = cal.closed_reason(date(2025, 10, 9))
    assert reason is not None
    assert reason.rule == "calendar.override"


def test_an_override_opening_a_holiday_has_no_reason() -> None:
    """Hours on National Day make it a working day: no reason."""
    cal = BusinessCalendar.china(overrides={date(2025, 10, 1): "09:00-12:00"})
    assert cal.closed_reason(date(2025, 10, 1)) is None


def test_a_rest_period_weekend_names_its_holiday() -> None:
    """Sat 4 Oct 2025 is closed as part of National Day's rest period."""
    reason = office_cn().closed_reason(date(2025, 10, 4))
    assert reason is not None
    assert reason.facts["holiday"] == "National Day (rest period)"


# --- consistency with the existing queries ----------------------------------------------------


_MOMENTS = [
    at(SHANGHAI, 2025, 10, 9, 12, 30),  # lunch
    at(SHANGHAI, 2025, 10, 4, 10),  # rest period
    at(SHANGHAI, 2025, 10, 9, 18),  # exactly at a close
    at(SHANGHAI, 2025, 9, 28, 7),  # before a make-up day opens
]


@pytest.mark.parametrize("moment", _MOMENTS)
def test_previous_and_next_working_time_enclose_no_work(moment: datetime) -> None:
    """Between the previous working instant and the next one no business time passes."""
    cal = office_cn()
    previous, following = cal.previous_working_time(moment), cal.next_working_time(moment)
    assert previous <= moment <= following
    assert timedelta(0) == cal.elapsed(previous, following)


@pytest.mark.parametrize("moment", _MOMENTS)
def test_one_microsecond_back_and_forth_from_closed_time(moment: datetime) -> None:
    """From closed time, -1 µs ends 1 µs before the previous close; +1 µs 1 µs after the open."""
    cal = office_cn()
    assert cal.previous_working_time(moment) - US1 == cal.add(moment, -US1)
    assert cal.next_working_time(moment) + US1 == cal.add(moment, US1)


def test_elapsed_is_the_sum_of_the_working_intervals() -> None:
    """30 Sep 16:00 to 9 Oct 10:30 2025: 2 h + 2 h = 4 h, both ways."""
    cal = office_cn()
    start, end = at(SHANGHAI, 2025, 9, 30, 16), at(SHANGHAI, 2025, 10, 9, 10, 30)
    total = sum((b - a for a, b in cal.working_intervals(start, end)), timedelta(0))
    assert 4 * H == total == cal.elapsed(start, end)


def test_a_deadline_using_up_an_interval_lands_on_its_end() -> None:
    """From 10:00, the time to the interval's end (2 h) is a deadline at 12:00, not 13:30."""
    cal = office_cn()
    start = at(SHANGHAI, 2025, 10, 9, 10)
    end = cal.end_of_working_interval(start)
    assert at(SHANGHAI, 2025, 10, 9, 12) == end == cal.add(start, end - start)


# --- the policy -------------------------------------------------------------------------------


_POLICY = """
tz = "Asia/Hong_Kong"

[calendars.hk]
week = "mon-fri 09:00-18:00"
holidays = "HK"

[calendars.ny]
week = "mon-fri 09:00-17:00"
holidays = "US-NY"
tz = "America/New_York"
"""


def test_a_named_calendar_says_its_country() -> None:
    """[calendars.hk] with holidays = "HK" runs in the policy's zone and closes 1 Jul."""
    cal = Policy.from_toml(_POLICY).calendar("hk")
    assert cal.tz == HONG_KONG
    assert not cal.is_working_day(date(2025, 7, 1))


def test_policy_show_round_trips_the_countries(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """`policy show` of the file prints holidays HK and US-NY, and reads back equal."""
    path = tmp_path / "policy.toml"  # type: ignore[operator]
    path.write_text(_POLICY, encoding="utf-8")
    assert main(["policy", "show", str(path)]) == 0
    shown = capsys.readouterr().out
    data = tomllib.loads(shown)
    assert (data["calendars"]["hk"]["holidays"], data["calendars"]["ny"]["holidays"]) == (
        "HK",
        "US-NY",
    )
    assert Policy.from_toml(shown) == Policy.from_toml(_POLICY)


def test_a_bad_country_in_a_policy_names_the_key() -> None:
    """holidays = "XX" in [calendars.hk] is reported at calendars.hk.holidays."""
    with pytest.raises(PolicyError, match=r"calendars\.hk\.holidays"):
        Policy.from_toml('[calendars.hk]\nweek = "mon-fri 09:00-18:00"\nholidays = "XX"\n')
