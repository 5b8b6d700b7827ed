"""Clock arithmetic of :mod:`propcrm.sla`: deadlines, counted time and breaches.

Allowance kinds are compared by value here. Imports only the lower SLA modules.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from propcrm._sla_targets import Allowance, SlaCalendar

__all__ = ["Gap", "breach", "counted", "deadline", "walk"]

Gap = tuple[datetime, datetime]
_ZERO = timedelta(0)


def deadline(
    cal: SlaCalendar,
    allowance: Allowance,
    started: datetime,
    appointment: datetime | None,
    gaps: list[Gap],
    runs: list[timedelta],
) -> tuple[timedelta, datetime]:
    """The business-time budget and the due instant, pauses pushing it later.

    ``runs`` is shared with :func:`walk` and :func:`counted` (see there).
    """
    kind = allowance.kind._value_
    nominal: datetime | None = None
    if kind == "wall":
        nominal = started + allowance.duration
    elif kind == "close_of_day":
        # Count working days from the one the clock starts in, not from the start's
        # date: a night interval 18:30-08:30 belongs to the day it opens on, and the
        # close of one working day is the start of the next one's reach.
        nominal = cal.close_of_day(started)
        for _ in range(allowance.days):
            nominal = cal.close_of_day(nominal)
        if allowance.lead:
            # Less than the minimum lead left before that close: the start plus the lead
            # (RULES.md §5, "not overnight"); max() is exactly that rule.
            nominal = max(nominal, cal.add(started, allowance.lead))
    elif kind == "appointment" and appointment is not None:
        # An agreed time is kept or missed as such: never moved to the clock's start (the
        # next opening after the start event) nor by pauses, so a visit agreed outside
        # service hours is compared directly with the arrival.
        due = (appointment + allowance.grace).astimezone(cal.tz)
        return (cal.elapsed(started, due) if due > started else _ZERO), due
    if nominal is None:
        budget = allowance.duration
        return budget, walk(cal, started, budget, gaps, runs)
    budget = cal.elapsed(started, nominal) if nominal > started else _ZERO
    if not gaps:
        return budget, max(nominal, started)
    # a fixed deadline outside working hours is never earlier than itself
    return budget, max(walk(cal, started, budget, gaps, runs), nominal)


def walk(
    cal: SlaCalendar, start: datetime, budget: timedelta, gaps: list[Gap], runs: list[timedelta]
) -> datetime:
    """The earliest instant where business time counted outside ``gaps`` reaches ``budget``.

    ``runs`` holds the business time of the stretches between ``gaps`` (from
    ``start`` on) found so far; :func:`walk` and :func:`counted` meet the same
    stretches in the same order, so each is computed once for a clock.
    """
    cursor = start
    remaining = budget
    k = 0
    for begin, end in gaps:
        if end <= cursor:
            continue
        if begin > cursor:
            run = runs[k] if k < len(runs) else _run(cal, cursor, begin, runs)
            k += 1
            if run >= remaining:
                break
            remaining -= run
        cursor = end  # (end > cursor, checked above)
    return cal.add(cursor, remaining)


def counted(
    cal: SlaCalendar, start: datetime, end: datetime, gaps: list[Gap], runs: list[timedelta]
) -> timedelta:
    """Business time from ``start`` to ``end`` outside ``gaps`` (``runs`` as in :func:`walk`)."""
    total = _ZERO
    cursor = start
    k = 0
    for begin, stop in gaps:
        if begin >= end:
            break
        if begin > cursor:
            total += runs[k] if k < len(runs) else _run(cal, cursor, begin, runs)
            k += 1
        if stop > cursor:
            cursor = stop
    if end > cursor:
        total += cal.elapsed(cursor, end)
    return total


def _run(cal: SlaCalendar, cursor: datetime, begin: datetime, runs: list[timedelta]) -> timedelta:
    """The next stretch's business time, remembered in ``runs``."""
    run = cal.elapsed(cursor, begin)
    runs.append(run)
    return run


def breach(
    due: datetime,
    era_start: datetime | None,
    era_end: datetime | None,
    at: datetime,
    stops: list[Gap],
    final_stop: datetime | None,
) -> datetime | None:
    """When the clock ran past ``due`` within the era the allowance was in force, if it did."""
    moment = due if era_start is None or due >= era_start else era_start
    for begin, end in stops:
        if begin <= moment < end:
            moment = end
    limit = at if era_end is None else min(era_end, at)
    if final_stop is not None:
        limit = min(limit, final_stop)
    return moment if moment < limit else None
