"""Private machinery of :mod:`propcrm.sla`: a timeline's event index and clock arithmetic.

Kept apart only to keep :mod:`propcrm.sla` short. Event and allowance kinds are
compared by value here, so this module needs nothing of :mod:`propcrm.sla` at run time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from propcrm.errors import ValidationError

if TYPE_CHECKING:
    from propcrm.sla import Allowance, Event, EventKind, SlaCalendar

Gap = tuple[datetime, datetime]
_ZERO = timedelta(0)
#: The pause reason of the wait for an agreed appointment (see :class:`TimelineIndex`).
APPOINTMENT = "appointment"
_NEVER = datetime.max.replace(tzinfo=UTC)  # the end of a pause not yet resumed
_REOPENABLE = frozenset({"resolved", "closed"})


def check_sequence(events: tuple[Event, ...]) -> None:
    """Raise a ValidationError naming the first event that cannot happen where it is."""
    if not events:
        raise ValidationError.expected("events", "at least the received event", events)
    paused = resolved = appointed = dispatched = False
    previous = None
    for i, event in enumerate(events):
        kind = event.kind.value
        problem = ""
        if i == 0 and kind != "received":
            problem = "the first event must be received"
        elif i and kind == "received":
            problem = "received can only be the first event"
        elif previous is not None and event.at < previous:
            problem = f"it is earlier than the event before it ({previous.isoformat()})"
        elif kind == "arrived" and not dispatched:
            problem = "arrived before any dispatched"
        elif kind == "appointment_changed" and not appointed:
            problem = "an appointment changed before one was set"
        elif kind == "paused" and (paused or resolved):
            problem = "paused while already paused" if paused else "paused after resolved"
        elif kind == "resumed" and not paused:
            problem = "resumed without a pause"
        elif kind == "resolved" and resolved:
            problem = "resolved twice without a reopen"
        elif kind == "closed" and not resolved:
            problem = "closed before resolved"
        elif kind == "reopened" and not resolved:
            problem = "reopened without being resolved"
        if problem:
            raise ValidationError(
                f"events[{i}]",
                f"events[{i}] ({kind} at {event.at.isoformat()}): {problem}; "
                "fix the order or the kind of the events",
                event,
            )
        previous = event.at
        dispatched = dispatched or kind == "dispatched"
        appointed = appointed or kind == "appointment_set"
        if kind == "paused" or kind == "resumed":
            paused = kind == "paused"
        elif kind == "resolved" or kind == "reopened":
            resolved = kind == "resolved"


class TimelineIndex:
    """A timeline's events arranged for evaluation, built once with the timeline."""

    __slots__ = ("changes", "first", "kinds", "pauses", "reopened", "resolutions", "times")

    def __init__(self, events: tuple[Event, ...]) -> None:
        self.times = [event.at for event in events]
        self.kinds = [event.kind for event in events]
        self.first: dict[EventKind, int] = {}
        self.changes: list[tuple[int, str, datetime | None]] = []  # regrades and appointments
        #: (paused, resumed or never, reason), by the time they begin
        self.pauses: list[tuple[datetime, datetime, str]] = []
        self.resolutions: list[int] = []  # resolved, closed and reopened events
        appointed: list[tuple[int, datetime, datetime]] = []
        for i, event in enumerate(events):
            self.first.setdefault(event.kind, i)
            kind = event.kind.value
            if kind == "regraded" or kind.startswith("appointment"):
                self.changes.append((i, event.grade, event.appointment))
                if event.appointment is not None:
                    appointed.append((i, event.at, event.appointment))
            elif kind == "paused":
                self.pauses.append((event.at, _NEVER, event.reason))
            elif kind == "resumed":
                self.pauses[-1] = (self.pauses[-1][0], event.at, self.pauses[-1][2])
            elif kind in _REOPENABLE or kind == "reopened":
                self.resolutions.append(i)
        if appointed:
            self._wait_for_appointments(appointed)
        #: Whether the item was ever reopened; if not, a stop is simply its first occurrence.
        self.reopened = any(event.kind.value == "reopened" for event in events)

    def _wait_for_appointments(self, appointed: list[tuple[int, datetime, datetime]]) -> None:
        """Add the waits for agreed appointments to the pauses, with the reason ``appointment``.

        The wait runs from the appointment being set (or changed) until the
        agreed time, the next change of it, or an arrival, whichever comes first.
        """
        times = self.times
        arrivals = [j for j, kind in enumerate(self.kinds) if kind.value == "arrived"]
        for n, (i, set_at, agreed) in enumerate(appointed):
            end = agreed
            if n + 1 < len(appointed):
                end = min(end, appointed[n + 1][1])
            arrived = next((j for j in arrivals if j > i), None)
            if arrived is not None:
                end = min(end, times[arrived])
            if end > set_at:
                self.pauses.append((set_at, end, APPOINTMENT))
        self.pauses.sort(key=lambda pause: pause[0])

    def stops(
        self, stop: EventKind, reopenable: bool, first: int, cut: int
    ) -> tuple[list[Gap], datetime | None]:
        """Stopped intervals [stop, reopen) before ``cut``, and the final stop, if any.

        A target stopped by a milestone that cannot be reopened (dispatched,
        arrived, answered) also stops at the item's resolution if its own stop
        event has not happened by then.
        """
        kinds, times = self.kinds, self.times
        gaps: list[Gap] = []
        if not reopenable:
            # A clock whose stop event has not happened stops when the item is resolved
            # (or closed) and runs again if it is reopened.
            ended: datetime | None = None
            for i in range(first + 1, cut):
                value = kinds[i]._value_
                if ended is None:
                    if kinds[i] is stop:
                        return gaps, times[i]
                    if value in _REOPENABLE:
                        ended = times[i]
                elif value == "reopened":
                    gaps.append((ended, times[i]))
                    ended = None
            return gaps, ended
        stopped: datetime | None = None
        for i in self.resolutions:
            if i >= cut:
                break
            if kinds[i] is stop and stopped is None:
                stopped = times[i]
            elif stopped is not None and kinds[i]._value_ == "reopened":
                gaps.append((stopped, times[i]))
                stopped = None
        return gaps, stopped

    def paused(
        self, reasons: tuple[str, ...], first: int, until: datetime
    ) -> tuple[list[Gap], bool]:
        """Pauses for ``reasons`` once the clock runs, and whether one is open at ``until``.

        ``until`` is the evaluation instant, or the clock's stop if it has
        stopped: a pause still open then ends there, and later ones do not count.
        """
        gaps: list[Gap] = []
        begin = self.times[first]
        for paused, resumed, reason in self.pauses:
            if paused > until:  # (events after the evaluation instant are later still)
                break
            if reason in reasons:
                if resumed > until:
                    gaps.append((max(paused, begin), until))
                    return gaps, True
                if resumed > begin:
                    gaps.append((max(paused, begin), resumed))
        return gaps, False


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
        cursor = max(cursor, end)
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
        cursor = max(cursor, stop)
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
