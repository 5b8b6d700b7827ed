"""Business calendars (营业日历): working hours, public holidays and China's make-up days.

A :class:`BusinessCalendar` answers the questions every service level asks:
when is a deadline of eight working hours, how much working time has passed,
is the desk open now. It combines, in this order of precedence (later wins):

1. the :class:`WorkWeek` — working intervals per weekday, several a day
   (a lunch break), an interval may run past midnight (night duty);
2. public holidays of any country the ``holidays`` package knows (or none);
3. the substituted working days it lists, such as China's make-up working
   days (调休); they work the normal weekday hours;
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
before the gap, a repeated time means its first occurrence. Counting
backwards gives the **latest** instant, so a backward deadline and
:meth:`~BusinessCalendar.previous_working_time` land on a close.

>>> from datetime import datetime, timedelta
>>> from propcrm.calendar import BusinessCalendar
>>> from zoneinfo import ZoneInfo
>>> cal = BusinessCalendar.china(years=[2025])
>>> shanghai = ZoneInfo("Asia/Shanghai")
>>> cal.add(datetime(2025, 9, 30, 16, 0, tzinfo=shanghai), timedelta(hours=4))
datetime.datetime(2025, 10, 9, 10, 30, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, tzinfo
from functools import cache
from typing import Any

from attrs import field, frozen

from propcrm._calendar_core import BusinessCalendar
from propcrm._calendar_holidays import ProvisionalCalendarWarning, check_code
from propcrm._calendar_text import WorkWeek, dates, day_hours
from propcrm._time import zone
from propcrm.errors import ValidationError, shown

__all__ = [
    "BusinessCalendar",
    "CalendarPolicy",
    "CalendarSpec",
    "ProvisionalCalendarWarning",
    "WorkWeek",
]


# --- named calendars in the policy ----------------------------------------------------------


def _to_week(value: WorkWeek | str) -> WorkWeek:
    if isinstance(value, WorkWeek):
        return value
    return WorkWeek.parse(value)


def _holiday_code(instance: object, attribute: Any, value: object) -> None:
    if value != "none":
        check_code(value, attribute.name)


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
        day_hours(text, f"{attribute.name}.{key}")


@frozen
class CalendarSpec:
    """A named calendar as written in a policy file.

    >>> from datetime import date
    >>> from propcrm.calendar import CalendarSpec
    >>> spec = CalendarSpec(week="mon-fri 09:00-17:00", holidays="HK", tz="Asia/Hong_Kong")
    >>> spec.build("Asia/Shanghai").tz  # the spec's own zone wins
    zoneinfo.ZoneInfo(key='Asia/Hong_Kong')
    >>> spec.build("Asia/Shanghai").is_working_day(date(2025, 7, 1))
    False

    Attributes:
        week: The working week, written in its text form.
        holidays: The country whose public holidays close the calendar: a code
            the ``holidays`` package knows (``"CN"`` with its make-up working
            days, ``"HK"``, ``"SG"``, ``"US-NY"``), or ``"none"``.
        tz: IANA zone; ``""`` means the policy's root ``tz``.
        closed: The company's own closed dates.
        extra_working: The company's own extra working dates.
        overrides: Hours for single dates: ``{"2025-10-09": "09:00-12:00"}``,
            ``""`` for closed.
    """

    week: WorkWeek = field(converter=_to_week)
    holidays: str = field(default="none", validator=_holiday_code)
    tz: str = field(default="", validator=_zone_or_root)
    closed: tuple[date, ...] = field(default=(), validator=_date_tuple)
    extra_working: tuple[date, ...] = field(default=(), validator=_date_tuple)
    overrides: dict[str, str] = field(factory=dict, validator=_override_texts)

    def build(self, tz: str | tzinfo, *, years: Iterable[int] | None = None) -> BusinessCalendar:
        """Make the :class:`BusinessCalendar`; ``tz`` is the zone when the spec names none.

        A policy's named calendar is built with :meth:`Policy.calendar(name)
        <propcrm.policy.Policy.calendar>`, which passes the policy's ``tz``;
        ``tz`` has no default here, so no calendar silently runs in a zone
        nobody chose. A 24x7 spec without holidays or dates gets the fast
        always-open calendar.
        """
        zone_ = self.tz or tz
        plain = not (self.closed or self.extra_working or self.overrides)
        if self.week.is_always() and self.holidays == "none" and plain:
            return BusinessCalendar.always_open(zone_)
        return BusinessCalendar(
            self.week,
            tz=zone_,
            holidays=self.holidays,
            closed=self.closed,
            extra_working=self.extra_working,
            overrides={date.fromisoformat(k): v for k, v in self.overrides.items()},
            years=years,
        )


#: The name of the always-open calendar; a policy may not give it other hours.
_ALWAYS_OPEN = "24x7"


@cache
def _defaults() -> tuple[tuple[str, CalendarSpec], ...]:
    return (
        # Answering calls and emergency repairs run on the clock (RULES §5).
        (_ALWAYS_OPEN, CalendarSpec(week="mon-sun 00:00-24:00", holidays="none")),
        # The service desk's day shift works every day of the year (RULES §5, duty rules).
        ("desk", CalendarSpec(week="mon-sun 08:30-18:30", holidays="none")),
        ("office", CalendarSpec(week="mon-fri 08:30-12:00,13:30-18:00", holidays="CN")),
        # Callbacks: calling hours 09:00-20:00, no lunch gap, never on closed days
        # (Decision, RULES §6).
        ("contact", CalendarSpec(week="mon-sun 09:00-20:00", holidays="CN")),
    )


def _default_calendars() -> dict[str, CalendarSpec]:
    return dict(_defaults())


def _with_defaults(value: Mapping[str, CalendarSpec]) -> dict[str, CalendarSpec]:
    if not isinstance(value, Mapping):
        raise ValidationError.expected("specs", "a table of named calendars", value)
    return {**_default_calendars(), **value}


def _calendar_names(instance: object, attribute: Any, value: dict[str, Any]) -> None:
    for name, spec in value.items():
        if not isinstance(name, str) or not name.strip():
            raise ValidationError.expected(attribute.name, "non-empty calendar names", name)
        if not isinstance(spec, CalendarSpec):
            raise ValidationError.expected(f"{attribute.name}.{name}", "a CalendarSpec", spec)
    always = value.get(_ALWAYS_OPEN)
    if always is not None and not _is_always_open(always):
        raise ValidationError(
            _ALWAYS_OPEN,
            f"{_ALWAYS_OPEN}: the 24x7 calendar is always open, and complaint and emergency "
            "clocks count real hours on it (RULES §§4-5); got "
            f"{_describe(always)}; keep week = 'mon-sun 00:00-24:00', holidays = 'none' and "
            "no closed, extra_working or overrides, and give other hours a calendar of "
            "their own name",
            always,
        )


def _is_always_open(spec: CalendarSpec) -> bool:
    plain = not (spec.closed or spec.extra_working or spec.overrides)
    return spec.week.is_always() and spec.holidays == "none" and plain


def _describe(spec: CalendarSpec) -> str:
    parts = [f"week = {str(spec.week)!r}", f"holidays = {spec.holidays!r}"]
    parts += [
        f"{name} = ..." for name in ("closed", "extra_working", "overrides") if getattr(spec, name)
    ]
    return ", ".join(parts)


@frozen
class CalendarPolicy(Mapping[str, CalendarSpec]):
    """The named calendars other rules refer to (SLA clocks, callback windows).

    It reads as a mapping from name to :class:`CalendarSpec`, and a policy file
    writes one table per name: ``[calendars.desk]``, ``[calendars.office]``.
    The four defaults are always present; a policy file's entries add new names,
    or change the keys they name of the default of the same name. Build one with
    :meth:`Policy.calendar(name) <propcrm.policy.Policy.calendar>`.

    ``24x7``
        Always open, no holidays: answering calls, emergency repairs, complaint
        clocks. It cannot be given other hours, holidays or dates (a policy that
        tries is refused), so complaint deadlines count real clock hours (RULES
        §4); its ``tz`` may change.
    ``desk``
        The service desk's day shift, 08:30-18:30 every day, no holidays —
        the service centre is staffed all year round; night requests wait for
        the day shift (RULES §5).
    ``office``
        Mon-Fri 08:30-12:00, 13:30-18:00 with China's (``CN``) holidays and
        make-up days.
    ``contact``
        The callback window: every day 09:00-20:00, no lunch gap, closed on
        China's (``CN``) public holidays (RULES §6).

    >>> from datetime import date
    >>> from propcrm.calendar import CalendarPolicy
    >>> policy = CalendarPolicy()
    >>> sorted(policy)
    ['24x7', 'contact', 'desk', 'office']
    >>> policy["office"].holidays
    'CN'
    >>> policy.spec("desk").week.is_always()
    False

    Attributes:
        specs: Calendar specs by name (the mapping itself reads them).
    """

    specs: dict[str, CalendarSpec] = field(
        factory=_default_calendars, converter=_with_defaults, validator=_calendar_names
    )

    def __getitem__(self, name: str) -> CalendarSpec:
        if not isinstance(name, str):
            raise KeyError(name)  # a list or dict key is simply not a calendar's name
        return self.specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)

    def spec(self, name: str) -> CalendarSpec:
        """The spec of the calendar called ``name``.

        Build the calendar itself with :meth:`Policy.calendar(name)
        <propcrm.policy.Policy.calendar>`, which gives it the policy's zone.

        Raises:
            ValidationError: no calendar has that name; the message lists the names.
        """
        found = self.specs.get(name) if isinstance(name, str) else None
        if found is None:
            known = ", ".join(sorted(self.specs))
            add = f"[calendars.{name}]" if isinstance(name, str) else "[calendars.NAME]"
            raise ValidationError(
                "name",
                f"name: no calendar is named {shown(name)}; the policy's calendars are: {known} "
                f"(add one as {shown(add)[1:-1]} in the policy file)",
                name,
            )
        return found
