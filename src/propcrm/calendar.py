"""Business calendars (营业日历): working hours, public holidays and China's make-up days.

A :class:`BusinessCalendar` answers the questions every service level asks:
when is a deadline of eight working hours, how much working time has passed,
is the desk open now. It combines, in this order of precedence (later wins):

1. the :class:`WorkWeek` — working intervals per weekday, several a day
   (a lunch break), an interval may run past midnight (night duty);
2. public holidays (China's or none);
3. China's make-up working days (调休); they work the normal weekday hours;
4. the company's own closed dates (a typhoon day closes even a make-up day);
5. the company's own extra working dates, with the normal weekday hours;
6. date overrides — explicit hours for one date (a typhoon closure, a short
   day, an extra opening); empty hours close the date.

Semantics (RULES §5): intervals are half-open ``[open, close)``; an interval
belongs to the date it opens on; a deadline is the **earliest** instant at
which the elapsed business time equals the duration; a clock started outside
working time starts at the next working instant. Results are aware datetimes
in the calendar's zone and exact to the microsecond; inputs in any zone mean
the same instants. Wall times are read as ``datetime(..., tzinfo=zone)``
reads them (``fold=0``): a time inside a spring-forward gap uses the offset
before the gap, a repeated time means its first occurrence.

>>> from zoneinfo import ZoneInfo
>>> cal = BusinessCalendar.china(years=[2025])
>>> shanghai = ZoneInfo("Asia/Shanghai")
>>> cal.add(datetime(2025, 9, 30, 16, 0, tzinfo=shanghai), timedelta(hours=4))
datetime.datetime(2025, 10, 9, 10, 30, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any

from attrs import field, frozen

from propcrm._calendar_table import (
    EPOCH,
    FIRST_YEAR,
    HORIZON,
    HORIZON_US,
    LAST_YEAR,
    US,
    ChinaSchedule,
    Engine,
)
from propcrm._calendar_text import (
    WEEKDAYS,
    Hours,
    check_date,
    check_hours,
    dates,
    days_text,
    hours_problem,
    hours_text,
    parse_days,
    parse_hours,
    text_error,
    to_us,
)
from propcrm._time import require_aware, require_duration, zone
from propcrm.errors import CalendarRangeError, ValidationError

__all__ = [
    "BusinessCalendar",
    "CalendarPolicy",
    "CalendarSpec",
    "ProvisionalCalendarWarning",
    "WorkWeek",
]


class ProvisionalCalendarWarning(UserWarning):
    """A calendar covers years whose official holiday schedule is not yet known.

    China's State Council publishes each year's holidays and make-up working
    days late in the year before. For later years the ``holidays`` package
    estimates the holidays by rule and knows no make-up days; such a calendar
    works, but its dates are a guess (see :meth:`BusinessCalendar.is_provisional`).
    """


@frozen
class WorkWeek:
    """Working intervals for each weekday (工作时间), Monday first.

    Written in policy files in a compact text form: clauses separated by
    ``;``, each a list of days (``mon-fri``, ``sat,sun``) and a list of
    intervals (``08:30-12:00,13:30-18:00``). Days not named do not work.
    ``24:00`` closes at midnight; a close before the open runs past midnight.

    >>> week = WorkWeek.parse("mon-fri 08:30-12:00,13:30-18:00; sat 09:00-12:00")
    >>> week.days[5]
    ((540, 720),)
    >>> str(week)
    'mon-fri 08:30-12:00,13:30-18:00; sat 09:00-12:00'
    >>> str(WorkWeek.parse("mon-sun 18:30-08:30"))
    'mon-sun 18:30-08:30'

    Attributes:
        days: Seven tuples of ``(open, close)`` minute pairs (see ``Hours``).
    """

    days: tuple[Hours, ...] = field(default=((),) * 7)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.days, tuple) or len(self.days) != 7:
            raise ValidationError.expected("days", "seven tuples of intervals", self.days)
        for name, hours in zip(WEEKDAYS, self.days, strict=True):
            check_hours(hours, f"days.{name}")
        for index, hours in enumerate(self.days):
            after = self.days[(index + 1) % 7]
            if hours and after and hours[-1][1] < hours[-1][0] and hours[-1][1] > after[0][0]:
                raise ValidationError(
                    "days",
                    f"days: {WEEKDAYS[index]}'s interval {hours_text(hours[-1:])} runs into "
                    f"{WEEKDAYS[(index + 1) % 7]}'s {hours_text(after[:1])}; "
                    "intervals must not overlap",
                    self.days,
                )

    @classmethod
    def parse(cls, text: str, *, field: str = "week") -> WorkWeek:
        """Read the text form, e.g. ``"mon-fri 08:30-12:00,13:30-18:00; sat 09:00-12:00"``.

        Raises:
            ValidationError: saying which clause and which part could not be read.
        """
        if not isinstance(text, str):
            raise ValidationError.expected(field, "a work week such as 'mon-fri 08:30-18:00'", text)
        days: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
        for clause in text.split(";"):
            clause = clause.strip()
            if not clause:
                continue
            names, _, spec = clause.partition(" ")
            if not spec.strip():
                raise text_error(field, text, clause, "no hours after the days")
            hours = parse_hours(spec, field, text)
            for day in parse_days(names, field, text):
                days[day].extend(hours)
        week = tuple(tuple(sorted(hours)) for hours in days)
        for name, hours in zip(WEEKDAYS, week, strict=True):
            problem = hours_problem(hours)
            if problem:
                raise text_error(field, text, name, problem)
        try:
            return cls(week)
        except ValidationError as e:
            raise text_error(field, text, text, str(e).removeprefix("days: ")) from None

    def __str__(self) -> str:
        groups: dict[Hours, list[int]] = {}
        for index, hours in enumerate(self.days):
            if hours:
                groups.setdefault(hours, []).append(index)
        return "; ".join(f"{days_text(days)} {hours_text(h)}" for h, days in groups.items())

    def is_always(self) -> bool:
        """Whether every day works ``00:00-24:00`` (a 24x7 week)."""
        return all(hours == ((0, 1440),) for hours in self.days)


class BusinessCalendar:
    """Working time in one time zone, with holidays, make-up days and overrides.

    Args:
        week: The working week, or its text form.
        tz: An IANA zone name (or a ``tzinfo``); default ``Asia/Shanghai``.
        holidays: ``"CN"`` for China's public holidays and make-up working days
            from the ``holidays`` package, ``"none"`` for no public holidays.
        closed: Extra closed dates (the company's own days off); they close
            even China's make-up working days.
        extra_working: Extra working dates; they work the hours of
            ``extra_hours_from`` and open even the dates of ``closed``.
        overrides: Hours for single dates, as text (``"09:00-12:00"``);
            ``""`` closes the date. Overrides win over everything else.
        extra_hours_from: The weekday (``"mon"`` .. ``"sun"``) whose hours extra
            working dates work; default the first weekday that has hours.
        years: Years to prepare now (tables otherwise grow as they are used).

    Raises:
        ValidationError: an unknown zone, bad dates or bad hours.

    Searches (:meth:`add`, :meth:`next_working_time`, ...) look at most ten
    years (3,653 days) from where they start, and one calculation spans at
    most 50 years; beyond that, and for calendars without working time, they
    raise :class:`~propcrm.errors.CalendarRangeError` instead of looping.
    """

    __slots__ = ("_china", "_engine", "_extra_from", "_spec", "_tz", "_week")

    def __init__(
        self,
        week: WorkWeek | str,
        *,
        tz: str | tzinfo = "Asia/Shanghai",
        holidays: str = "none",
        closed: Iterable[date] = (),
        extra_working: Iterable[date] = (),
        overrides: Mapping[date, str] | None = None,
        extra_hours_from: str | None = None,
        years: Iterable[int] | None = None,
    ) -> None:
        self._week = week if isinstance(week, WorkWeek) else WorkWeek.parse(week)
        self._tz = zone(tz)
        if holidays not in ("CN", "none"):
            raise ValidationError.expected("holidays", "'CN' or 'none'", holidays)
        closed_days = dates(closed, "closed")
        extra_days = dates(extra_working, "extra_working")
        override_text: dict[date, str] = {}
        override_us: dict[int, tuple[tuple[int, int], ...]] = {}
        for day, text in (overrides or {}).items():
            check_date(day, "overrides")
            hours = _day_hours(text, f"overrides[{day.isoformat()}]")
            override_text[day] = hours_text(hours)
            override_us[day.toordinal()] = to_us(hours)
        self._extra_from = self._extra_weekday(extra_hours_from)
        week_us = tuple(to_us(hours) for hours in self._week.days)
        extra_us = () if self._extra_from is None else week_us[self._extra_from]
        wanted = None if years is None else _years(years)
        self._china = ChinaSchedule() if holidays == "CN" else None
        self._spec = (closed_days, extra_days, override_text)
        self._engine = Engine(
            self._tz,
            week_us,
            extra_us,
            closed_days,
            extra_days,
            override_us,
            self._china,
            _provisional_warning,
        )
        if wanted is not None:
            self._engine.cover(min(wanted), max(wanted))

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

        >>> utc = ZoneInfo("UTC")
        >>> cal = BusinessCalendar.always_open(utc)
        >>> cal.elapsed(datetime(2025, 1, 1, tzinfo=utc), datetime(2025, 1, 3, tzinfo=utc))
        datetime.timedelta(days=2)
        """
        return _AlwaysOpen(WorkWeek.parse("mon-sun 00:00-24:00"), tz=tz)

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
    def holidays(self) -> str:
        """``"CN"`` or ``"none"``."""
        return "none" if self._china is None else "CN"

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

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` lies in a year without an official holiday schedule.

        >>> cal = BusinessCalendar.china()
        >>> cal.is_provisional(date(2026, 10, 1)), cal.is_provisional(date(2099, 1, 1))
        (False, True)
        """
        check_date(day, "day")
        return self._china is not None and day.year > self._china.official_until

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({str(self._week)!r}, tz={_zone_name(self._tz)!r}, "
            f"holidays={self.holidays!r})"
        )

    # --- business-time arithmetic: the hot path -------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The deadline: the earliest instant when ``duration`` of business time has passed.

        A clock started outside working time starts at the next working
        instant; a negative ``duration`` counts backwards (the latest instant
        that much business time before ``start``); zero gives ``start``.

        Raises:
            ValidationError: a naive ``start``, or a ``duration`` that is not a timedelta.
            CalendarRangeError: the instant lies more than ten years away, or never comes.
        """
        tab = self._engine.table
        try:
            # In the calendar's own fixed-offset zone: wall-clock arithmetic, no lookups.
            s = (start - tab.epoch) // US if start.tzinfo is tab.zone else (start - EPOCH) // US
            d = duration // US
        except (TypeError, AttributeError):
            raise _bad_arguments(start, "start", duration) from None
        j = bisect_right(tab.bounds, s)
        if j & 1:
            b = s - tab.shift[j - 1] + d
        elif 1 < j < tab.n:
            b = tab.cum[j - 1] + d
        else:
            return self._add_slow(start, d)
        if d > 0:
            k = bisect_left(tab.cum, b)
            if k == tab.n:
                return self._add_slow(start, d)
        elif d < 0:
            k = bisect_right(tab.cum, b)
            if k == 0:
                return self._add_slow(start, d)
        else:
            return start.astimezone(self._tz)
        r = tab.shift[k] + b
        if not -HORIZON_US <= r - s <= HORIZON_US:
            raise _beyond_horizon(start, duration)
        if tab.fixed is not None:
            return tab.epoch + r * US
        return (EPOCH + r * US).astimezone(self._tz)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants; negative when ``end`` is before ``start``.

        Raises:
            ValidationError: a naive datetime.
            CalendarRangeError: the instants lie more than 50 years apart.
        """
        tab = self._engine.table
        zone = tab.zone
        try:
            # In the calendar's own fixed-offset zone: wall-clock arithmetic, no lookups.
            s = (start - tab.epoch) // US if start.tzinfo is zone else (start - EPOCH) // US
            e = (end - tab.epoch) // US if end.tzinfo is zone else (end - EPOCH) // US
        except (TypeError, AttributeError):
            raise _bad_arguments(start, "start", end, "end") from None
        bounds = tab.bounds
        j = bisect_right(bounds, s)
        if j & 1:
            s -= tab.shift[j - 1]
        elif 1 < j < tab.n:
            s = tab.cum[j - 1]
        else:
            return self._elapsed_slow(start, end)
        j = bisect_right(bounds, e)
        if j & 1:
            e -= tab.shift[j - 1]
        elif 1 < j < tab.n:
            e = tab.cum[j - 1]
        else:
            return self._elapsed_slow(start, end)
        return (e - s) * US

    # --- questions about instants and days ----------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` lies inside a working interval ``[open, close)``."""
        t = _instant(moment, "moment")
        return bool(bisect_right(self._engine.covering(t).bounds, t) & 1)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` has working time (an interval that opens on it)."""
        check_date(day, "day")
        days = self._engine.working_days(day.year)
        i = bisect_left(days, day.toordinal())
        return i < len(days) and days[i] == day.toordinal()

    def next_working_time(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, else the next opening.

        Raises:
            CalendarRangeError: nothing opens within ten years.
        """
        tab = self._engine.table
        try:
            # The same fast path as add(): one bisect on the current table.
            t = (moment - tab.epoch) // US if moment.tzinfo is tab.zone else (moment - EPOCH) // US
        except (TypeError, AttributeError):
            return self._next_working_time_slow(moment)
        j = bisect_right(tab.bounds, t)
        if not j & 1:  # closed: the next opening, if this table holds it
            if not 1 < j < tab.n - 2 or tab.bounds[j] - t > HORIZON_US:
                return self._next_working_time_slow(moment)
            t = tab.bounds[j]
        if tab.fixed is not None:
            return tab.epoch + t * US
        return (EPOCH + t * US).astimezone(self._tz)

    def close_of_day(self, moment: datetime) -> datetime:
        """The close of the working day holding ``moment``, or else of the next one.

        A working day closes at the end of its last interval, so a night
        interval ``18:30-08:30`` closes the next morning. This is the deadline
        of "not overnight" (不过夜) targets.

        Raises:
            CalendarRangeError: no working day closes within ten years.
        """
        tab = self._engine.table
        try:
            t = (moment - tab.epoch) // US if moment.tzinfo is tab.zone else (moment - EPOCH) // US
        except (TypeError, AttributeError):
            return self._close_of_day_slow(moment)
        i = bisect_right(tab.close_reach, t)
        if not tab.lo <= t < tab.hi or i == len(tab.days) or tab.day_closes[i] - t > HORIZON_US:
            return self._close_of_day_slow(moment)
        close = tab.day_closes[i]
        if tab.fixed is not None:
            return tab.epoch + close * US
        return (EPOCH + close * US).astimezone(self._tz)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n < 0``).

        ``day`` itself is never counted; ``n == 0`` gives ``day`` when it is a
        working day, else the next working day.

        Raises:
            CalendarRangeError: the answer lies more than ten years away.
        """
        check_date(day, "day")
        _check_count(n)
        found = self._engine.nth_working_day(day, n)
        if found is None:
            raise CalendarRangeError(f"working day {n:+d} from {day} is beyond {HORIZON.days} days")
        return date.fromordinal(found)

    # --- slow paths: tables to grow ----------------------------------------------------------

    def _add_slow(self, start: datetime, d: int) -> datetime:
        s = _instant(start, "start")
        if d == 0:
            return self._engine.moment(s)
        found = self._engine.add(s, d)
        if found is None:
            raise _beyond_horizon(start, d * US)
        return self._engine.moment(found)

    def _next_working_time_slow(self, moment: datetime) -> datetime:
        found = self._engine.next_open(_instant(moment, "moment"))
        if found is None:
            raise CalendarRangeError(f"no working time within {HORIZON.days} days of {moment}")
        return self._engine.moment(found)

    def _close_of_day_slow(self, moment: datetime) -> datetime:
        found = self._engine.close_after(_instant(moment, "moment"))
        if found is None:
            raise CalendarRangeError(
                f"no working day closes within {HORIZON.days} days of {moment}"
            )
        return self._engine.moment(found)

    def _elapsed_slow(self, start: datetime, end: datetime) -> timedelta:
        return self._engine.elapsed(_instant(start, "start"), _instant(end, "end")) * US

    def _extra_weekday(self, name: str | None) -> int | None:
        if name is None:
            return next((i for i, hours in enumerate(self._week.days) if hours), None)
        if name not in WEEKDAYS:
            raise ValidationError.expected(
                "extra_hours_from", "one of " + ", ".join(WEEKDAYS), name
            )
        if not self._week.days[WEEKDAYS.index(name)]:
            raise ValidationError.expected(
                "extra_hours_from",
                "a weekday that has working hours",
                name,
                f"the week is {str(self._week)!r}",
            )
        return WEEKDAYS.index(name)


class _AlwaysOpen(BusinessCalendar):
    """24x7: business time is real time, no tables needed."""

    __slots__ = ()

    def add(self, start: datetime, duration: timedelta) -> datetime:
        try:
            s = (start - EPOCH) // US
            d = duration // US
        except (TypeError, AttributeError):
            raise _bad_arguments(start, "start", duration) from None
        if not -HORIZON_US <= d <= HORIZON_US:
            raise _beyond_horizon(start, duration)
        return self._engine.moment(s + d)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        try:
            return (end - EPOCH) - (start - EPOCH)
        except (TypeError, AttributeError):
            raise _bad_arguments(start, "start", end, "end") from None

    def is_working_time(self, moment: datetime) -> bool:
        _instant(moment, "moment")
        return True

    def is_working_day(self, day: date) -> bool:
        check_date(day, "day")
        return True

    def next_working_time(self, moment: datetime) -> datetime:
        return self._engine.moment(_instant(moment, "moment"))

    def close_of_day(self, moment: datetime) -> datetime:
        local = self._engine.moment(_instant(moment, "moment"))
        return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self._tz)

    def add_working_days(self, day: date, n: int) -> date:
        check_date(day, "day")
        _check_count(n)
        if abs(n) > HORIZON.days:
            raise CalendarRangeError(f"working day {n:+d} from {day} is beyond {HORIZON.days} days")
        return day + timedelta(days=n)

    def __repr__(self) -> str:
        return f"BusinessCalendar.always_open({_zone_name(self._tz)!r})"


# --- named calendars in the policy ----------------------------------------------------------


def _to_week(value: WorkWeek | str) -> WorkWeek:
    if isinstance(value, WorkWeek):
        return value
    return WorkWeek.parse(value)


def _holiday_source(instance: object, attribute: Any, value: object) -> None:
    if value not in ("CN", "none"):
        raise ValidationError.expected(attribute.name, "'CN' or 'none'", value)


def _zone_or_root(instance: object, attribute: Any, value: object) -> None:
    if value != "":
        zone(value, attribute.name)  # type: ignore[arg-type]


def _date_tuple(instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, tuple):
        raise ValidationError.expected(attribute.name, "a tuple of dates", value)
    dates(value, attribute.name)


def _override_texts(instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError.expected(attribute.name, "a table of date = hours", value)
    for key, text in value.items():
        try:
            date.fromisoformat(key)
        except (TypeError, ValueError):
            raise ValidationError.expected(
                attribute.name, "ISO dates as keys, e.g. '2025-10-01'", key
            ) from None
        _day_hours(text, f"{attribute.name}.{key}")


@frozen
class CalendarSpec:
    """A named calendar as written in a policy file.

    >>> spec = CalendarSpec(week="mon-fri 09:00-17:00", overrides={"2025-10-09": ""})
    >>> spec.build("Asia/Shanghai").is_working_day(date(2025, 10, 9))
    False

    Attributes:
        week: The working week, written in its text form.
        holidays: ``"CN"`` (China's holidays and make-up days) or ``"none"``.
        timezone: IANA zone; ``""`` means the policy's root timezone.
        closed: The company's own closed dates.
        extra_working: The company's own extra working dates.
        overrides: Hours for single dates: ``{"2025-10-09": "09:00-12:00"}``,
            ``""`` for closed.
    """

    week: WorkWeek = field(converter=_to_week)
    holidays: str = field(default="none", validator=_holiday_source)
    timezone: str = field(default="", validator=_zone_or_root)
    closed: tuple[date, ...] = field(default=(), validator=_date_tuple)
    extra_working: tuple[date, ...] = field(default=(), validator=_date_tuple)
    overrides: dict[str, str] = field(factory=dict, validator=_override_texts)

    def build(
        self, default_tz: str | tzinfo = "Asia/Shanghai", *, years: Iterable[int] | None = None
    ) -> BusinessCalendar:
        """Make the :class:`BusinessCalendar` (24x7 specs get the fast always-open one)."""
        tz = self.timezone or default_tz
        plain = not (self.closed or self.extra_working or self.overrides)
        if self.week.is_always() and self.holidays == "none" and plain:
            return BusinessCalendar.always_open(tz)
        return BusinessCalendar(
            self.week,
            tz=tz,
            holidays=self.holidays,
            closed=self.closed,
            extra_working=self.extra_working,
            overrides={date.fromisoformat(k): v for k, v in self.overrides.items()},
            years=years,
        )


@cache
def _defaults() -> tuple[tuple[str, CalendarSpec], ...]:
    return (
        # Answering calls and emergency repairs run on the clock (RULES §5).
        ("24x7", CalendarSpec(week="mon-sun 00:00-24:00")),
        # The service desk's day shift works every day of the year (RULES §5, duty rules).
        ("desk", CalendarSpec(week="mon-sun 08:30-18:30")),
        ("office", CalendarSpec(week="mon-fri 08:30-12:00,13:30-18:00", holidays="CN")),
        # Callbacks: within calling hours, noon rest excepted, never on closed days (RULES §6).
        ("contact", CalendarSpec(week="mon-sun 09:00-12:00,14:00-20:00", holidays="CN")),
    )


def _default_calendars() -> dict[str, CalendarSpec]:
    return dict(_defaults())


def _with_defaults(value: Mapping[str, CalendarSpec]) -> dict[str, CalendarSpec]:
    if not isinstance(value, Mapping):
        raise ValidationError.expected("calendars", "a table of named calendars", value)
    return {**_default_calendars(), **value}


def _calendar_names(instance: object, attribute: Any, value: dict[str, Any]) -> None:
    for name, spec in value.items():
        if not isinstance(name, str) or not name.strip():
            raise ValidationError.expected(attribute.name, "non-empty calendar names", name)
        if not isinstance(spec, CalendarSpec):
            raise ValidationError.expected(f"{attribute.name}.{name}", "a CalendarSpec", spec)


@frozen
class CalendarPolicy:
    """The named calendars other rules refer to (SLA clocks, callback windows).

    The four defaults are always present; a policy file's entries add new names,
    or change the keys they name of the default of the same name. Build one with
    :meth:`Policy.calendar(name) <propcrm.policy.Policy.calendar>`.

    ``24x7``
        Always open: answering calls, emergency repairs.
    ``desk``
        The service desk's day shift, 08:30-18:30 every day, holidays
        included — the service centre is staffed all year round; night
        requests wait for the day shift (RULES §5).
    ``office``
        Mon-Fri 08:30-12:00, 13:30-18:00 with China's holidays and make-up days.
    ``contact``
        The callback window: every day 09:00-12:00 and 14:00-20:00, closed on
        China's public holidays (RULES §6).

    >>> sorted(CalendarPolicy().calendars)
    ['24x7', 'contact', 'desk', 'office']

    Attributes:
        calendars: Calendar specs by name.
    """

    calendars: dict[str, CalendarSpec] = field(
        factory=_default_calendars, converter=_with_defaults, validator=_calendar_names
    )


# --- private helpers ------------------------------------------------------------------------


def _years(years: Iterable[int]) -> list[int]:
    wanted = list(years) if isinstance(years, Iterable) else [years]
    for year in wanted:
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValidationError.expected("years", "whole years", year)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationError.expected("years", f"years from {FIRST_YEAR} to {LAST_YEAR}", year)
    if not wanted:
        raise ValidationError.expected("years", "at least one year, or None", years)
    return wanted


def _day_hours(text: object, where: str) -> Hours:
    """One date's hours from text; ``""`` means closed."""
    if not isinstance(text, str):
        raise ValidationError.expected(where, "hours as text, e.g. '09:00-12:00' or ''", text)
    hours = parse_hours(text, where, text) if text.strip() else ()
    problem = hours_problem(hours)
    if problem:
        raise text_error(where, text, text, problem)
    return hours


def _instant(moment: object, name: str) -> int:
    return (require_aware(moment, name) - EPOCH) // US


def _check_count(n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValidationError.expected("n", "a whole number of days", n)


def _bad_arguments(
    first: object, first_name: str, second: object, second_name: str = ""
) -> Exception:
    """The ValidationError for arguments that failed the fast path."""
    try:
        require_aware(first, first_name)
        if second_name:
            require_aware(second, second_name)
        else:
            require_duration(second, "duration")
    except ValidationError as e:
        return e
    # Both passed their guards yet the arithmetic failed: an exotic tzinfo.
    return ValidationError(  # pragma: no cover
        first_name, f"{first_name}: cannot use {first!r}", first
    )


def _beyond_horizon(start: datetime, duration: timedelta) -> CalendarRangeError:
    return CalendarRangeError(
        f"{duration} of business time from {start} ends more than {HORIZON.days} days away "
        "(or never): check the duration and that the calendar has working time"
    )


def _provisional_warning(official_until: int) -> ProvisionalCalendarWarning:
    return ProvisionalCalendarWarning(
        f"this calendar covers years after {official_until}, the last year whose official "
        "holiday schedule (with make-up working days) the installed 'holidays' package has; "
        "their holidays are estimated and they have no make-up days. Upgrade 'holidays' "
        "when the State Council publishes the schedule, or add closed and extra_working dates."
    )


def _zone_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", tz))
