"""The :class:`BusinessCalendar` of :mod:`propcrm.calendar` (public there; this module is private).

Its arithmetic reads the engine's current table directly (one ``bisect`` in the
common case) and falls back to the engine when a table must grow.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta, tzinfo

from propcrm import _calendar_hot as hot
from propcrm._calendar_answers import (
    closed_reason,
    interval_end,
    nth_working_day,
    previous_working_time,
    working_days,
    working_intervals,
)
from propcrm._calendar_build import EPOCH, HORIZON, US
from propcrm._calendar_checks import (
    bad_arguments,
    beyond_days,
    beyond_horizon,
    check_count,
    instant,
    zone_name,
)
from propcrm._calendar_holidays import HolidaysArg, holiday_label
from propcrm._calendar_setup import set_up
from propcrm._calendar_text import WorkWeek, check_date
from propcrm._time import steady_offset, zone
from propcrm.errors import CalendarRangeError
from propcrm.explain import Reason

__all__ = ["BusinessCalendar"]


class BusinessCalendar:
    """Working time in one time zone, with holidays, make-up days and overrides.

    Args:
        week: The working week, or its text form.
        tz: An IANA zone name (or a ``tzinfo``); default ``Asia/Shanghai``.
        holidays: Public holidays from the ``holidays`` package: ``"none"``, a
            country code (``"CN"``, ``"HK"``, ``"US"``), a country and subdivision
            (``"US-NY"``), or a ``holidays.HolidayBase`` subclass or instance (a
            company's own). Substituted working days the package lists (China's
            make-up days, 调休) work the hours of ``extra_hours_from``.
        closed: Extra closed dates (the company's own days off); they close
            even substituted working days.
        extra_working: Extra working dates; they work the hours of
            ``extra_hours_from`` and open even the dates of ``closed``.
        overrides: Hours for single dates, as text (``"09:00-12:00"``);
            ``""`` closes the date. Overrides win over everything else.
        extra_hours_from: The weekday (``"mon"`` .. ``"sun"``) whose hours extra
            working dates work; default the first weekday that has hours.
        years: Years to prepare now (tables otherwise grow as they are used).

    Raises:
        ValidationError: an unknown zone or holiday source, bad dates or bad hours.

    Searches (:meth:`add`, :meth:`next_working_time`, ...) look at most ten
    years (3,653 days) from where they start, and one calculation spans at
    most 50 years; beyond that, and for calendars without working time, they
    raise :class:`~propcrm.errors.CalendarRangeError` instead of looping. So
    does a year outside the rules the ``holidays`` package has for the source
    (most countries' end in 2100): such a year is never silently open.
    """

    __module__ = "propcrm.calendar"  # public there; this module is private
    __slots__ = ("_engine", "_extra_from", "_holidays", "_spec", "_tz", "_week")

    def __init__(
        self,
        week: WorkWeek | str,
        *,
        tz: str | tzinfo = "Asia/Shanghai",
        holidays: HolidaysArg = "none",
        closed: Iterable[date] = (),
        extra_working: Iterable[date] = (),
        overrides: Mapping[date, str] | None = None,
        extra_hours_from: str | None = None,
        years: Iterable[int] | None = None,
    ) -> None:
        self._week = week if isinstance(week, WorkWeek) else WorkWeek.parse(week)
        self._tz = zone(tz)
        self._extra_from, self._spec, self._engine = set_up(
            self._week,
            self._tz,
            holidays,
            closed=closed,
            extra_working=extra_working,
            overrides=overrides,
            extra_hours_from=extra_hours_from,
            years=years,
        )
        self._holidays = holidays

    @classmethod
    def china(
        cls,
        week: WorkWeek | str = "mon-fri 08:30-12:00,13:30-18:00",
        *,
        tz: str | tzinfo = "Asia/Shanghai",
        years: Iterable[int] | None = None,
        closed: Iterable[date] = (),
        extra_working: Iterable[date] = (),
        overrides: Mapping[date, str] | None = None,
        extra_hours_from: str | None = None,
    ) -> BusinessCalendar:
        """A calendar with China's public holidays **and make-up working days** (调休).

        Closed are the official rest periods (放假): each holiday and day off
        the ``holidays`` package lists, with the weekend days joined to it —
        the State Council counts "October 1 to 8" as one period. Make-up days
        are extra working dates. Years after the package's last official
        schedule are provisional (:meth:`is_provisional`); the first time a
        calendar covers one it emits a :class:`ProvisionalCalendarWarning`.

        >>> from datetime import date
        >>> from propcrm.calendar import BusinessCalendar
        >>> cal = BusinessCalendar.china(years=[2026])
        >>> cal.is_working_day(date(2026, 2, 14)), cal.is_working_day(date(2026, 2, 23))
        (True, False)
        """
        return cls(
            week,
            tz=tz,
            holidays="CN",
            closed=closed,
            extra_working=extra_working,
            overrides=overrides,
            extra_hours_from=extra_hours_from,
            years=years,
        )

    @classmethod
    def always_open(cls, tz: str | tzinfo = "Asia/Shanghai") -> BusinessCalendar:
        """A 24x7 calendar: business time is real time (answering calls, emergencies).

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from propcrm.calendar import BusinessCalendar
        >>> utc = ZoneInfo("UTC")
        >>> cal = BusinessCalendar.always_open(utc)
        >>> cal.elapsed(datetime(2025, 1, 1, tzinfo=utc), datetime(2025, 1, 3, tzinfo=utc))
        datetime.timedelta(days=2)
        """
        return _AlwaysOpen(tz)

    # --- what the calendar is -----------------------------------------------------------

    @property
    def tz(self) -> tzinfo:
        """The calendar's time zone; every result is in it."""
        return self._tz

    @property
    def week(self) -> WorkWeek:
        """The working week."""
        return self._week

    @property
    def holidays(self) -> HolidaysArg:
        """The public holidays, as given — ``"none"``, a code, or a ``HolidayBase``."""
        return self._holidays

    @property
    def closed(self) -> frozenset[date]:
        """The company's own closed dates (public holidays not included)."""
        return frozenset(date.fromordinal(o) for o in self._spec[0])

    @property
    def extra_working(self) -> frozenset[date]:
        """The company's own extra working dates (make-up days not included)."""
        return frozenset(date.fromordinal(o) for o in self._spec[1])

    @property
    def overrides(self) -> Mapping[date, str]:
        """Hours per overridden date, in text form (``""`` = closed)."""
        return dict(self._spec[2])

    def is_provisional(self, on: date) -> bool:
        """Whether ``on`` lies in a year without an official holiday schedule.

        Only China's calendars have provisional years: the ``holidays`` package
        publishes China's schedule year by year and computes every other
        country's holidays by rule.

        >>> from datetime import date
        >>> from propcrm.calendar import BusinessCalendar
        >>> cal = BusinessCalendar.china()
        >>> cal.is_provisional(date(2026, 10, 1)), cal.is_provisional(date(2099, 1, 1))
        (False, True)
        >>> BusinessCalendar("mon-fri 09:00-18:00", holidays="HK").is_provisional(date(2099, 1, 1))
        False
        """
        check_date(on, "on")
        schedule = self._engine.schedule
        official = None if schedule is None else schedule.official_until
        return official is not None and on.year > official

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({str(self._week)!r}, tz={zone_name(self._tz)!r}, "
            f"holidays={holiday_label(self._holidays)!r})"
        )

    # --- business-time arithmetic: the hot path -------------------------------------------

    # The hot paths, read straight off the engine's table (see propcrm._calendar_hot).
    add = hot.add
    elapsed = hot.elapsed

    # --- questions about instants and days ----------------------------------------------

    def is_working_time(self, at: datetime) -> bool:
        """Whether ``at`` lies inside a working interval ``[open, close)``."""
        t = instant(at, "at")
        return bool(bisect_right(self._engine.covering(t).bounds, t) & 1)

    def is_working_day(self, on: date) -> bool:
        """Whether ``on`` has working time (an interval that opens on it)."""
        check_date(on, "on")
        days = self._engine.working_days(on.year)
        i = bisect_left(days, on.toordinal())
        return i < len(days) and days[i] == on.toordinal()

    next_working_time = hot.next_working_time
    close_of_day = hot.close_of_day

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it when ``n < 0``).

        ``start`` itself is never counted; ``n == 0`` gives ``start`` when it is
        a working day, else the next working day.

        Raises:
            CalendarRangeError: the answer lies more than ten years away.
        """
        return nth_working_day(self._engine, start, n)

    # --- the peers' one-call queries -------------------------------------------------------

    def end_of_working_interval(self, at: datetime) -> datetime:
        """The close of the working interval holding ``at``, or else of the next one.

        Intervals are half-open, so at a close the interval has ended and the
        answer is the close of the next one. Intervals that touch (a night
        shift ``18:30-24:00`` followed by ``00:00-08:30``) are one interval.

        Raises:
            CalendarRangeError: no interval closes within ten years.
        """
        return interval_end(self._engine, at)

    def previous_working_time(self, at: datetime) -> datetime:
        """The latest working instant at or before ``at``: ``at`` itself, or the last close.

        The mirror of :meth:`next_working_time`, with the convention of
        counting backwards: an interval ``[open, close)`` ends at its close,
        so ``at`` is its own answer when it is working time or a close.

        Raises:
            CalendarRangeError: nothing closes within ten years before ``at``.
        """
        return previous_working_time(self._engine, at)

    def working_days(self, start: date, end: date) -> Iterator[date]:
        """The working days ``start <= day < end``, in order.

        Raises:
            ValidationError: ``end`` is before ``start``.
            CalendarRangeError: the dates lie more than 50 years apart.
        """
        return working_days(self._engine, start, end)

    def working_intervals(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals between ``start`` and ``end``, clipped to ``[start, end)``.

        Each is an ``(open, close)`` pair of instants in the calendar's zone;
        intervals that touch are one interval.

        Raises:
            ValidationError: a naive datetime, or ``end`` before ``start``.
            CalendarRangeError: the instants lie more than 50 years apart.
        """
        return working_intervals(self._engine, start, end)

    def closed_reason(self, on: date) -> Reason | None:
        """Why ``on`` has no working time, or None when it is a working day.

        The rule of the reason says which layer closed the date:
        ``calendar.holiday`` (its ``facts`` hold the holiday's name),
        ``calendar.weekend`` (the working week has no hours that weekday),
        ``calendar.company_closure`` (the company's own closed dates) or
        ``calendar.override`` (an override with no hours); rarely
        ``calendar.clock_change`` (the hours fall in a spring-forward gap) or
        ``calendar.no_hours`` (an extra working day of a week without hours).
        A weekend day that is also a public holiday is closed by the holiday.

        >>> from datetime import date
        >>> from propcrm.calendar import BusinessCalendar
        >>> cal = BusinessCalendar.china(years=[2025])
        >>> str(cal.closed_reason(date(2025, 10, 1)))
        'National Day: a public holiday (CN)'
        >>> cal.closed_reason(date(2025, 10, 9)) is None
        True
        """
        if self.is_working_day(on):
            return None
        overrides = self._spec[2]
        return closed_reason(
            self._engine, on, self._holidays, self._week, self._extra_from, overrides
        )


class _AlwaysOpen(BusinessCalendar):
    """24x7: business time is real time, no tables needed.

    Within local years through which the zone keeps one offset (China's since
    1992), moments in the calendar's zone are added and subtracted on their wall
    clock, which is then exactly their instants; otherwise through UTC.
    """

    __slots__ = ("_offsets",)

    def __init__(self, tz: str | tzinfo) -> None:
        super().__init__(WorkWeek.parse("mon-sun 00:00-24:00"), tz=tz)
        #: Per local year, the zone's one offset all through it, or False if it changes.
        self._offsets: dict[int, timedelta | bool] = {}

    def _steady(self, year: int, other: int) -> bool:
        """Whether the zone keeps one offset all through local years ``year`` and ``other``.

        Then two moments of the zone in those years are as far apart on the wall
        clock as in time (see :func:`~propcrm._time.steady_offset`).
        """
        offsets = self._offsets
        offset = offsets.get(year)
        if offset is None:
            found = steady_offset(self._tz, year)
            offset = offsets[year] = False if found is None else found
        if other == year or offset is False:
            return offset is not False
        return self._steady(other, other) and offsets[other] == offset

    def add(self, start: datetime, duration: timedelta) -> datetime:
        try:
            inside = -HORIZON <= duration <= HORIZON
            if inside and type(start) is datetime and start.tzinfo is self._tz:
                end = start + duration
                if self._steady(start.year, end.year):
                    return end
            # Timedelta arithmetic throughout: the same microseconds as the engine's
            # integers, without their slower large-integer path.
            since = start - EPOCH
        except (TypeError, AttributeError):
            raise bad_arguments(start, "start", duration) from None
        except OverflowError:
            since = start - EPOCH
        if not inside:
            raise beyond_horizon(start, duration)
        try:
            return (EPOCH + (since + duration)).astimezone(self._tz)
        except OverflowError:
            return self._engine.moment((since + duration) // US)  # raises the range error

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        tz = self._tz
        try:
            if (
                type(start) is datetime
                and type(end) is datetime
                and start.tzinfo is tz
                and end.tzinfo is tz
                and self._steady(start.year, end.year)
            ):
                return end - start
            return (end - EPOCH) - (start - EPOCH)
        except (TypeError, AttributeError):
            raise bad_arguments(start, "start", end, "end") from None

    def is_working_time(self, at: datetime) -> bool:
        instant(at, "at")
        return True

    def is_working_day(self, on: date) -> bool:
        check_date(on, "on")
        return True

    def next_working_time(self, at: datetime) -> datetime:
        try:
            if (
                type(at) is datetime
                and at.tzinfo is self._tz
                and not at.fold
                and self._steady(at.year, at.year)
            ):
                return at
            return (EPOCH + (at - EPOCH)).astimezone(self._tz)
        except (TypeError, AttributeError, OverflowError):
            return self._engine.moment(instant(at, "at"))

    def close_of_day(self, at: datetime) -> datetime:
        local = self._engine.moment(instant(at, "at"))
        return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self._tz)

    def add_working_days(self, start: date, n: int) -> date:
        check_date(start, "start")
        check_count(n)
        if abs(n) > HORIZON.days:
            raise beyond_days(start, n)
        return start + timedelta(days=n)

    def end_of_working_interval(self, at: datetime) -> datetime:
        instant(at, "at")
        raise CalendarRangeError("an always-open calendar's working time never closes")

    def previous_working_time(self, at: datetime) -> datetime:
        return self._engine.moment(instant(at, "at"))

    def closed_reason(self, on: date) -> Reason | None:
        check_date(on, "on")
        return None

    def __repr__(self) -> str:
        return f"BusinessCalendar.always_open({zone_name(self._tz)!r})"
