"""SLA clock arithmetic at its edges: several pauses, shared stretches, exact boundaries.

Worked by hand on the desk calendar (08:30-18:30 every day) in November 2025
(Monday the 10th); each case is one a mutant of the clock once got wrong unnoticed.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from propcrm import Policy
from propcrm.sla import Allowance, Event, EventKind, SlaState, SlaTarget, Timeline, evaluate

SH = ZoneInfo("Asia/Shanghai")
E = EventKind
CUSTOMER = "waiting_on_customer"
CALENDARS = {"desk": Policy().calendar("desk")}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of November 2025 in Shanghai."""
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def clock(budget: timedelta, name: str = "t", **kw: object) -> SlaTarget:
    kw.setdefault("start", E.RECEIVED)
    kw.setdefault("stop", E.RESOLVED)
    kw.setdefault("pause_on", (CUSTOMER,))
    allowance = Allowance.business(budget)
    return SlaTarget(name, allowance=allowance, calendar="desk", **kw)  # type: ignore[arg-type]


def pauses(*spans: tuple[datetime, datetime]) -> list[Event]:
    events = []
    for begin, end in spans:
        events += [Event(E.PAUSED, begin, reason=CUSTOMER), Event(E.RESUMED, end)]
    return events


THREE_PAUSES = Timeline(
    (
        Event(E.RECEIVED, at(10, 9)),
        *pauses((at(10, 9, 30), at(10, 10)), (at(10, 11), at(10, 12)), (at(10, 14), at(10, 15))),
    ),
    kind="request",
)


def test_three_pauses_each_leave_out_their_own_time() -> None:
    """1 h from 09:00, paused 09:30-10:00: due 10:30; by 16:00, 7 h less 2.5 h paused = 4.5 h."""
    [status] = evaluate(THREE_PAUSES, at=at(10, 16), targets=[clock(hours(1))], calendars=CALENDARS)
    assert (SlaState.BREACHED, at(10, 10, 30), at(10, 10, 30)) == (
        status.state,
        status.due_at,
        status.breached_at,
    )
    assert hours(4.5) == status.elapsed


def test_clocks_sharing_their_pauses_each_get_their_own_due_time() -> None:
    """With the same pauses, 3 h is due 13:30 (0.5 + 1 h before the pauses end at 12:00)."""
    targets = [clock(hours(1), "short"), clock(hours(3), "long")]
    short, long = evaluate(THREE_PAUSES, at=at(10, 16), targets=targets, calendars=CALENDARS)
    assert (at(10, 10, 30), at(10, 13, 30)) == (short.due_at, long.due_at)
    assert (hours(4.5), hours(4.5)) == (short.elapsed, long.elapsed)


def test_a_pause_before_the_clock_starts_does_not_hide_a_later_one() -> None:
    """Received 07:00, paused 07:30-08:00 and 09:00-10:00: 1 h from 08:30 is due 10:30."""
    item = Timeline(
        (
            Event(E.RECEIVED, at(10, 7)),
            *pauses((at(10, 7, 30), at(10, 8)), (at(10, 9), at(10, 10))),
        ),
        kind="request",
    )
    [status] = evaluate(item, at=at(10, 11), targets=[clock(hours(1))], calendars=CALENDARS)
    assert (at(10, 10, 30), hours(1.5)) == (status.due_at, status.elapsed)


def test_a_budget_used_up_as_a_pause_begins_is_due_then() -> None:
    """1 h from 09:00 with a pause at 10:00: due 10:00, not at the end of the pause."""
    item = Timeline(
        (Event(E.RECEIVED, at(10, 9)), *pauses((at(10, 10), at(10, 11)))), kind="request"
    )
    [status] = evaluate(item, at=at(10, 12), targets=[clock(hours(1))], calendars=CALENDARS)
    assert (SlaState.BREACHED, at(10, 10), hours(2)) == (
        status.state,
        status.breached_at,
        status.elapsed,
    )


def test_a_pause_at_the_start_and_a_later_one_both_count_once() -> None:
    """Paused 09:00-09:30 and 10:00-10:30 from a 09:00 start: 1 h is due 11:00; 2 h by 12:00."""
    item = Timeline(
        (
            Event(E.RECEIVED, at(10, 9)),
            *pauses((at(10, 9), at(10, 9, 30)), (at(10, 10), at(10, 10, 30))),
        ),
        kind="request",
    )
    [status] = evaluate(item, at=at(10, 12), targets=[clock(hours(1))], calendars=CALENDARS)
    assert (at(10, 11), hours(2)) == (status.due_at, status.elapsed)


def test_resolved_exactly_when_due_then_reopened_breaches_at_the_reopen() -> None:
    """1 h from 09:00, resolved at 10:00 (on time), reopened 14:00: no time left, breached 14:00."""
    item = Timeline(
        (
            Event(E.RECEIVED, at(10, 9)),
            Event(E.RESOLVED, at(10, 10)),
            Event(E.REOPENED, at(10, 14)),
        ),
        kind="request",
    )
    [status] = evaluate(item, at=at(10, 15), targets=[clock(hours(1))], calendars=CALENDARS)
    assert (SlaState.BREACHED, at(10, 10), at(10, 14)) == (
        status.state,
        status.due_at,
        status.breached_at,
    )


def test_a_reopened_clock_looked_at_exactly_when_due_is_not_yet_breached() -> None:
    """4 h from 09:00 less the resolved 10:00-14:00 is due 17:00; at 17:00 it is not late."""
    item = Timeline(
        (
            Event(E.RECEIVED, at(10, 9)),
            Event(E.RESOLVED, at(10, 10)),
            Event(E.REOPENED, at(10, 14)),
        ),
        kind="request",
    )
    [status] = evaluate(item, at=at(10, 17), targets=[clock(hours(4))], calendars=CALENDARS)
    assert (at(10, 17), None) == (status.due_at, status.breached_at)


def test_an_appointment_is_due_in_the_calendar_zone_with_its_business_time_allowed() -> None:
    """Dispatched 09:00, visit 14:00 + 15 min grace: due 14:15 Shanghai, 5 h 15 min allowed."""
    target = SlaTarget(
        "visit",
        allowance=Allowance.appointment(timedelta(minutes=15), grace=timedelta(minutes=15)),
        calendar="desk",
        start=E.DISPATCHED,
        stop=E.ARRIVED,
    )
    order = Timeline(
        (
            Event(E.RECEIVED, at(10, 9)),
            Event(E.DISPATCHED, at(10, 9)),
            Event(E.APPOINTMENT_SET, at(10, 9), appointment=at(10, 14).astimezone(ZoneInfo("UTC"))),
        ),
        kind="repair.in_home",
    )
    [status] = evaluate(order, at=at(10, 12), targets=[target], calendars=CALENDARS)
    assert status.due_at == at(10, 14, 15)
    assert (status.due_at.tzinfo, status.allowed) == (SH, timedelta(hours=5, minutes=15))


def test_a_clock_looked_at_the_instant_a_pause_begins_counts_up_to_it() -> None:
    """1 h from 09:00, paused at 09:30 and looked at then: paused, 30 min counted, due 10:00."""
    item = Timeline(
        (Event(E.RECEIVED, at(10, 9)), Event(E.PAUSED, at(10, 9, 30), reason=CUSTOMER)),
        kind="request",
    )
    [status] = evaluate(item, at=at(10, 9, 30), targets=[clock(hours(1))], calendars=CALENDARS)
    assert (SlaState.PAUSED, timedelta(minutes=30), at(10, 10)) == (
        status.state,
        status.elapsed,
        status.due_at,
    )
