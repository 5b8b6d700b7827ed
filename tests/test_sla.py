"""Service levels: clocks on business calendars, pauses, breaches and attainment (RULES.md §5)."""

import warnings
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propcrm import Policy, ValidationError
from propcrm.calendar import BusinessCalendar, ProvisionalCalendarWarning
from propcrm.satisfaction import Attainment
from propcrm.sla import (
    Allowance,
    AllowanceKind,
    Event,
    EventKind,
    SlaCalendar,
    SlaEvaluator,
    SlaPolicy,
    SlaState,
    SlaTarget,
    TargetSet,
    TargetStatus,
    Timeline,
    attainment,
    evaluate,
)
from propcrm.testing.strategies import allowances, sla_targets, timelines

SH = ZoneInfo("Asia/Shanghai")
E = EventKind
CUSTOMER = "waiting_on_customer"


def _calendars() -> dict[str, SlaCalendar]:
    """The default named calendars: 24x7, desk (08:30-18:30 daily), office (China's holidays)."""
    policy = Policy()
    with warnings.catch_warnings():  # years past the official schedule are covered on purpose
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        years = range(2025, 2029)
        return {name: policy.calendar(name, years=years) for name in policy.calendars}


CALENDARS = _calendars()


# --- helpers


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of November 2025 in Shanghai (the 10th is a Monday, no holidays that month)."""
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


def line(*events: Event, kind: str = "request", grade: str = "", tier: str = "") -> Timeline:
    return Timeline(events, kind=kind, grade=grade, tier=tier)


def status_of(
    name: str, timeline: Timeline, when: datetime, policy: SlaPolicy | list[SlaTarget] | None = None
) -> TargetStatus:
    if isinstance(policy, list):
        statuses = evaluate(timeline, at=when, targets=policy, calendars=CALENDARS)
    else:
        statuses = evaluate(timeline, at=when, policy=policy, calendars=CALENDARS)
    return next(s for s in statuses if s.target == name)


def target(
    allowance: Allowance, calendar: str = "desk", name: str = "t", **kw: object
) -> SlaTarget:
    kw.setdefault("start", E.RECEIVED)
    kw.setdefault("stop", E.RESOLVED)
    return SlaTarget(name, allowance=allowance, calendar=calendar, **kw)  # type: ignore[arg-type]


# --- every default target, one example each


def test_answer_a_call_within_3_minutes_around_the_clock() -> None:
    """000 §3.2 "3-1-2": a call at 03:00 is answered within 3 minutes on the 24x7 clock."""
    call = line(Event(E.RECEIVED, at(10, 3)), Event(E.ANSWERED, at(10, 3, 2)), kind="call")
    status = status_of("answer", call, at(10, 4))
    assert (SlaState.MET, at(10, 3, 3)) == (status.state, status.due_at)
    assert status.reasons[0].source == "000 §3.2"


def test_dispatch_within_1_hour() -> None:
    """000 §3.2: a work order is dispatched within 1 hour of the request."""
    status = status_of("dispatch", line(Event(E.RECEIVED, at(10, 10))), at(10, 10, 30))
    assert (SlaState.RUNNING, at(10, 11)) == (status.state, status.due_at)
    assert timedelta(minutes=30) == status.remaining


def test_on_site_within_2_hours_of_the_request_in_service_hours() -> None:
    """000 §3.2: on site within 2 service hours; the clock stops at the desk's 18:30 close."""
    status = status_of("on_site", line(Event(E.RECEIVED, at(10, 17, 30))), at(10, 18))
    assert at(11, 9, 30) == status.due_at


def test_in_home_repair_on_site_15_minutes_after_dispatch() -> None:
    """000 §3.2: in-home repair without an appointment: on site 15 minutes after dispatch."""
    order = line(
        Event(E.RECEIVED, at(10, 9, 50)),
        Event(E.DISPATCHED, at(10, 10)),
        Event(E.ARRIVED, at(10, 10, 20)),
        kind="repair.in_home",
    )
    status = status_of("on_site", order, at(10, 11))
    assert (SlaState.BREACHED, at(10, 10, 15)) == (status.state, status.breached_at)


def test_in_home_repair_on_site_at_the_appointment() -> None:
    """000 §3.2: with an agreed appointment, on site by the appointment."""
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.APPOINTMENT_SET, at(10, 9, 5), appointment=at(10, 14)),
        Event(E.DISPATCHED, at(10, 9, 30)),
        Event(E.ARRIVED, at(10, 13, 55)),
        kind="repair.in_home",
    )
    status = status_of("on_site", order, at(10, 15))
    assert (SlaState.MET, at(10, 14)) == (status.state, status.due_at)


def test_ordinary_in_home_fault_fixed_within_8_hours() -> None:
    """002 repair rules: an ordinary in-home fault is fixed within 8 service hours."""
    order = line(Event(E.RECEIVED, at(10, 15)), kind="repair.in_home")
    assert at(11, 13) == status_of("fixed", order, at(10, 16)).due_at


def test_minor_public_repair_not_overnight() -> None:
    """002 小修不过夜: a minor public repair is done by close of the same service day."""
    order = line(Event(E.RECEIVED, at(10, 15)), kind="repair.public.minor")
    assert at(10, 18, 30) == status_of("fixed", order, at(10, 16)).due_at


@pytest.mark.parametrize(("size", "days"), [("medium", 3), ("major", 5)])
def test_public_repair_deadline_in_calendar_days(size: str, days: int) -> None:
    """002 repair rules: a medium public repair in 3 days, a major one in 5 (calendar days)."""
    order = line(Event(E.RECEIVED, at(10, 10)), kind=f"repair.public.{size}")
    assert at(10 + days, 10) == status_of("fixed", order, at(10, 11)).due_at


def test_emergency_repair_not_overnight_on_the_24x7_clock() -> None:
    """RULES.md §5: an emergency at 23:00 has 1 h to midnight, less than 8 h: due 07:00 (24x7)."""
    order = line(Event(E.RECEIVED, at(10, 23)), kind="repair.emergency")
    status = status_of("fixed", order, at(11, 7, 30))
    assert (SlaState.BREACHED, at(11, 7)) == (status.state, status.breached_at)


def test_complaint_closed_loop_within_48_hours() -> None:
    """000 §3.1: a complaint's loop is closed within 48 clock hours: Mon 09:00 -> Wed 09:00."""
    complaint = line(Event(E.RECEIVED, at(10, 9)), kind="complaint", grade="general")
    assert at(12, 9) == status_of("closed_loop", complaint, at(10, 10)).due_at


@pytest.mark.parametrize(
    ("grade", "due"),
    [
        ("general", at(11, 9)),  # 000 §3.2: 24 h, Mon 09:00 -> Tue 09:00
        ("important", at(12, 9)),  # 000 §3.2: 48 h
        ("hot", at(12, 9)),  # RULES.md §4 decision: 48 h
        ("major", at(13, 9)),  # 000 §3.2: 72 h
    ],
)
def test_complaint_resolution_by_grade(grade: str, due: datetime) -> None:
    """000 §3.2 and RULES.md §4: resolution within 24/48/48/72 clock hours by grade."""
    complaint = line(Event(E.RECEIVED, at(10, 9)), kind="complaint", grade=grade)
    assert due == status_of("resolution", complaint, at(10, 10)).due_at


def test_default_policy_selection() -> None:
    """Sets are tried in order: the first set listing the kind whose conditions hold."""
    policy = SlaPolicy()
    assert policy.select("complaint").name == "complaint.general"
    assert policy.select("complaint", "hot", "A").name == "complaint.hot"
    assert policy.select("request", tier="B").name == "request"


# --- clock semantics


def test_pause_over_a_weekend_costs_only_its_business_time() -> None:
    """RULES.md §5: paused time is measured in business time, not wall-clock time."""
    clock = target(Allowance.business(timedelta(hours=2)), "office", pause_on=(CUSTOMER,))
    item = line(
        Event(E.RECEIVED, at(14, 16)),  # Friday
        Event(E.PAUSED, at(14, 17), reason=CUSTOMER),
        Event(E.RESUMED, at(17, 9)),  # Monday
    )
    [status] = evaluate(item, at=at(17, 9, 30), targets=[clock], calendars=CALENDARS)
    assert (SlaState.RUNNING, at(17, 10)) == (status.state, status.due_at)
    assert timedelta(minutes=90) == status.elapsed


def test_a_paused_clock_reports_paused_and_does_not_breach() -> None:
    """While waiting on the customer the clock is paused; the due time is as if resumed now."""
    clock = target(Allowance.business(timedelta(hours=1)), pause_on=(CUSTOMER,))
    item = line(Event(E.RECEIVED, at(10, 9)), Event(E.PAUSED, at(10, 9, 30), reason=CUSTOMER))
    [status] = evaluate(item, at=at(10, 15), targets=[clock], calendars=CALENDARS)
    assert (SlaState.PAUSED, None, at(10, 15, 30)) == (
        status.state,
        status.breached_at,
        status.due_at,
    )


def test_resolved_while_paused_keeps_its_due_time() -> None:
    """Resolved while waiting on the customer: the pause ends there, the due time stays put."""
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.PAUSED, at(10, 10), reason=CUSTOMER),
        Event(E.RESOLVED, at(10, 11)),
        kind="repair.in_home",
    )
    soon, later = (status_of("fixed", order, when) for when in (at(10, 12), at(17, 12)))
    assert (SlaState.MET, at(10, 18)) == (later.state, later.due_at)
    assert (soon.due_at, soon.elapsed) == (later.due_at, later.elapsed)


def test_a_pause_after_the_stop_does_not_move_the_due_time() -> None:
    """Waiting on the customer after the dispatch does not move the met dispatch deadline."""
    clock = target(Allowance.business(timedelta(hours=1)), stop=E.DISPATCHED, pause_on=(CUSTOMER,))
    order = line(
        Event(E.RECEIVED, at(10, 10)),
        Event(E.DISPATCHED, at(10, 10, 30)),
        Event(E.PAUSED, at(10, 10, 40), reason=CUSTOMER),
        Event(E.RESUMED, at(10, 14)),
    )
    [status] = evaluate(order, at=at(10, 15), targets=[clock], calendars=CALENDARS)
    assert (SlaState.MET, at(10, 11)) == (status.state, status.due_at)


def test_a_pause_for_another_reason_does_not_stop_this_clock() -> None:
    """Only the reasons a target lists pause it (another target of the item pauses on it)."""
    clock = target(Allowance.business(timedelta(hours=1)), pause_on=(CUSTOMER,))
    other = target(Allowance.business(timedelta(hours=8)), name="other", pause_on=("parts",))
    item = line(Event(E.RECEIVED, at(10, 9)), Event(E.PAUSED, at(10, 9, 30), reason="parts"))
    status, _ = evaluate(item, at=at(10, 11), targets=[clock, other], calendars=CALENDARS)
    assert (SlaState.BREACHED, at(10, 10)) == (status.state, status.breached_at)


def test_breach_then_met_stays_breached() -> None:
    """A late dispatch is a breach even after the work order is dispatched."""
    order = line(Event(E.RECEIVED, at(10, 9)), Event(E.DISPATCHED, at(10, 11)))
    status = status_of("dispatch", order, at(10, 12))
    assert (SlaState.BREACHED, at(10, 10), at(10, 11)) == (
        status.state,
        status.breached_at,
        status.stopped_at,
    )


def test_regrade_keeps_the_clock_and_changes_the_allowance() -> None:
    """RULES.md §4: GENERAL (24 h) regraded MAJOR (72 h) keeps its start, gets the longer time."""
    before = line(Event(E.RECEIVED, at(10, 9)), kind="complaint", grade="general")
    after = line(*before.events, Event(E.REGRADED, at(10, 12), grade="major"), **_attrs(before))
    general = status_of("resolution", before, at(10, 13))
    major = status_of("resolution", after, at(10, 13))
    assert general.started_at == major.started_at
    assert (at(11, 9), at(13, 9)) == (general.due_at, major.due_at)
    assert general.elapsed == major.elapsed


def _attrs(timeline: Timeline) -> dict[str, str]:
    return {"kind": timeline.kind, "grade": timeline.grade, "tier": timeline.tier}


def test_regrade_after_a_breach_does_not_clear_it() -> None:
    """A breach of the 24 h target stays when the complaint is regraded to 72 h later."""
    complaint = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.REGRADED, at(12, 14), grade="major"),
        kind="complaint",
        grade="general",
    )
    status = status_of("resolution", complaint, at(12, 15))
    assert (SlaState.BREACHED, at(11, 9), at(13, 9)) == (
        status.state,
        status.breached_at,
        status.due_at,
    )


def test_regrade_to_a_tighter_target_breaches_at_the_regrade() -> None:
    """Already past 24 h when regraded GENERAL: the breach starts at the regrade."""
    complaint = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.REGRADED, at(12, 14), grade="general"),
        kind="complaint",
        grade="major",
    )
    assert at(12, 14) == status_of("resolution", complaint, at(12, 15)).breached_at


def test_appointment_moved_before_it_was_due() -> None:
    """Moving the appointment moves the deadline."""
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.APPOINTMENT_SET, at(10, 9, 5), appointment=at(10, 14)),
        Event(E.DISPATCHED, at(10, 9, 30)),
        Event(E.APPOINTMENT_CHANGED, at(10, 13), appointment=at(10, 16)),
        Event(E.ARRIVED, at(10, 15, 50)),
        kind="repair.in_home",
    )
    status = status_of("on_site", order, at(10, 17))
    assert (SlaState.MET, at(10, 16)) == (status.state, status.due_at)


def test_appointment_moved_after_it_was_missed_stays_breached() -> None:
    """A missed appointment is a breach, whatever it is moved to afterwards."""
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.APPOINTMENT_SET, at(10, 9, 5), appointment=at(10, 14)),
        Event(E.DISPATCHED, at(10, 9, 30)),
        Event(E.APPOINTMENT_CHANGED, at(10, 14, 30), appointment=at(10, 16)),
        Event(E.ARRIVED, at(10, 15, 50)),
        kind="repair.in_home",
    )
    status = status_of("on_site", order, at(10, 17))
    assert (SlaState.BREACHED, at(10, 14), at(10, 16)) == (
        status.state,
        status.breached_at,
        status.due_at,
    )


@pytest.mark.parametrize(
    ("appointment", "dispatched", "arrived"),
    [
        (at(10, 19), at(10, 18, 40), at(10, 19, 30)),  # Monday evening, after the desk closes
        (at(15, 8), at(15, 7, 45), at(15, 8, 20)),  # Saturday, before the desk opens
    ],
)
def test_an_appointment_outside_service_hours_is_missed_when_arriving_late(
    appointment: datetime, dispatched: datetime, arrived: datetime
) -> None:
    """000 §3.2: on site at the agreed time, even when that time is outside service hours."""
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.APPOINTMENT_SET, at(10, 9, 5), appointment=appointment),
        Event(E.DISPATCHED, dispatched),
        Event(E.ARRIVED, arrived),
        kind="repair.in_home",
    )
    status = status_of("on_site", order, arrived + timedelta(hours=1))
    assert (SlaState.BREACHED, appointment, appointment) == (
        status.state,
        status.due_at,
        status.breached_at,
    )


def _visit_next_day(*more: Event) -> Timeline:
    """An in-home repair received Monday 09:00, the visit agreed for Tuesday 10:00."""
    return line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.DISPATCHED, at(10, 9, 10)),
        Event(E.APPOINTMENT_SET, at(10, 9, 20), appointment=at(11, 10)),
        *more,
        kind="repair.in_home",
    )


def test_waiting_for_an_agreed_appointment_pauses_the_repair_clock() -> None:
    """RULES.md §5: time waiting for an agreed appointment does not count towards "fixed"."""
    order = _visit_next_day(Event(E.ARRIVED, at(11, 9, 55)))
    waiting = status_of("fixed", order, at(10, 15))
    working = status_of("fixed", order, at(11, 12))
    assert (SlaState.PAUSED, timedelta(minutes=20)) == (waiting.state, waiting.elapsed)
    assert (SlaState.RUNNING, at(11, 17, 35)) == (working.state, working.due_at)
    assert timedelta(hours=2, minutes=25) == working.elapsed


def test_the_wait_for_an_appointment_ends_at_the_agreed_time_if_nobody_comes() -> None:
    """The appointment pause ends at the agreed time; a late visit does not extend it."""
    status = status_of("fixed", _visit_next_day(), at(11, 11))
    assert (SlaState.RUNNING, timedelta(minutes=80)) == (status.state, status.elapsed)


def test_a_moved_appointment_extends_the_wait_and_dispatch_does_not_wait() -> None:
    """Moving the visit moves the end of the wait; the dispatch target never waits for it."""
    order = _visit_next_day(Event(E.APPOINTMENT_CHANGED, at(11, 9), appointment=at(11, 14)))
    fixed = status_of("fixed", order, at(11, 13))
    assert (SlaState.PAUSED, timedelta(minutes=20)) == (fixed.state, fixed.elapsed)
    assert at(10, 10) == status_of("dispatch", order, at(11, 13)).due_at


def test_appointment_grace() -> None:
    """A grace after the appointment still counts as on time."""
    clock = target(
        Allowance.appointment(timedelta(minutes=15), grace=timedelta(minutes=15)),
        start=E.DISPATCHED,
        stop=E.ARRIVED,
    )
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.DISPATCHED, at(10, 9)),
        Event(E.APPOINTMENT_SET, at(10, 9), appointment=at(10, 14)),
        Event(E.ARRIVED, at(10, 14, 10)),
    )
    [status] = evaluate(order, at=at(10, 15), targets=[clock], calendars=CALENDARS)
    assert (SlaState.MET, at(10, 14, 15)) == (status.state, status.due_at)


def test_night_request_starts_at_the_next_working_instant() -> None:
    """002 duty rules: a non-emergency request at 22:00 is handled from 08:30 the next day."""
    order = line(Event(E.RECEIVED, at(10, 22)), kind="repair.in_home")
    dispatch = status_of("dispatch", order, at(11, 8))
    assert (SlaState.RUNNING, at(11, 8, 30), at(11, 9, 30)) == (
        dispatch.state,
        dispatch.started_at,
        dispatch.due_at,
    )
    assert timedelta(0) == dispatch.elapsed


def test_night_minor_repair_is_due_by_the_next_days_close() -> None:
    """小修不过夜 counts service days: a night request is due by the next service day's close."""
    order = line(Event(E.RECEIVED, at(10, 20)), kind="repair.public.minor")
    assert at(11, 18, 30) == status_of("fixed", order, at(10, 21)).due_at


def test_emergency_runs_through_the_night() -> None:
    """急修不过夜 on the 24x7 clock: fixed at 23:50 is met; the clock never waits for the desk."""
    order = line(
        Event(E.RECEIVED, at(10, 23)), Event(E.RESOLVED, at(10, 23, 50)), kind="repair.emergency"
    )
    status = status_of("fixed", order, at(11, 9))
    assert (SlaState.MET, at(10, 23), timedelta(minutes=50)) == (
        status.state,
        status.started_at,
        status.elapsed,
    )


def test_close_of_the_nth_working_day() -> None:
    """Allowance.working_days(2) on the office calendar skips the weekend."""
    clock = target(Allowance.working_days(2), "office")
    [status] = evaluate(
        line(Event(E.RECEIVED, at(13, 10))), at=at(13, 11), targets=[clock], calendars=CALENDARS
    )
    assert at(17, 18) == status.due_at


@pytest.mark.parametrize(
    ("allowance", "due"),
    [
        (Allowance.same_day(), datetime(2025, 3, 4, 8, 30, tzinfo=SH)),
        (Allowance.working_days(1), datetime(2025, 3, 5, 8, 30, tzinfo=SH)),
        (Allowance.working_days(2), datetime(2025, 3, 6, 8, 30, tzinfo=SH)),
    ],
)
def test_working_days_on_a_night_duty_calendar(allowance: Allowance, due: datetime) -> None:
    """002 night shift 18:30-08:30: from Monday night, the n-th working day closes n mornings on."""
    night = BusinessCalendar("mon-sun 18:30-08:30")
    received = datetime(2025, 3, 3, 20, tzinfo=SH)  # Monday night
    clock = target(allowance, "night")
    [status] = evaluate(
        line(Event(E.RECEIVED, received)), at=received, targets=[clock], calendars={"night": night}
    )
    assert due == status.due_at


def test_wall_allowance_on_a_business_calendar_counts_pauses_in_business_time() -> None:
    """A 1-day wall allowance, paused for an hour of office time, is due an hour later."""
    clock = target(Allowance.wall(timedelta(days=1)), "office", pause_on=(CUSTOMER,))
    item = line(
        Event(E.RECEIVED, at(10, 10)),
        Event(E.PAUSED, at(10, 11), reason=CUSTOMER),
        Event(E.RESUMED, at(10, 12)),
    )
    [status] = evaluate(item, at=at(10, 13), targets=[clock], calendars=CALENDARS)
    assert at(11, 11) == status.due_at


def test_reopened_item_runs_again_without_the_resolved_interval() -> None:
    """Met, then reopened: the clock runs on, the time it was resolved does not count."""
    clock = target(Allowance.business(timedelta(hours=4)))
    item = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.RESOLVED, at(10, 10)),
        Event(E.REOPENED, at(10, 14)),
    )
    [met] = evaluate(item, at=at(10, 13), targets=[clock], calendars=CALENDARS)
    [running] = evaluate(item, at=at(10, 15), targets=[clock], calendars=CALENDARS)
    assert (met.state, running.state) == (SlaState.MET, SlaState.RUNNING)
    assert (timedelta(hours=2), at(10, 17)) == (running.elapsed, running.due_at)


def test_reopened_then_late_is_breached_and_stays_so_when_resolved() -> None:
    """After a reopen the clock can still breach, and then stays breached."""
    clock = target(Allowance.business(timedelta(hours=2)))
    item = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.RESOLVED, at(10, 10)),
        Event(E.REOPENED, at(10, 14)),
        Event(E.RESOLVED, at(10, 16)),
    )
    [status] = evaluate(item, at=at(10, 17), targets=[clock], calendars=CALENDARS)
    assert (SlaState.BREACHED, at(10, 15)) == (status.state, status.breached_at)


def test_an_item_resolved_without_a_dispatch_stops_its_dispatch_clocks() -> None:
    """An enquiry answered and resolved by phone meets dispatch and on site; nothing runs on."""
    enquiry = line(
        Event(E.RECEIVED, at(10, 10)),
        Event(E.ANSWERED, at(10, 10, 1)),
        Event(E.RESOLVED, at(10, 10, 10)),
        kind="request",
    )
    statuses = evaluate(enquiry, at=at(11, 10), calendars=CALENDARS)
    expected = [("dispatch", SlaState.MET), ("on_site", SlaState.MET)]
    assert expected == [(s.target, s.state) for s in statuses]
    assert [timedelta(minutes=10)] * 2 == [s.elapsed for s in statuses]
    assert [at(10, 10, 10)] * 2 == [s.stopped_at for s in statuses]
    found = attainment([enquiry], at=at(11, 10), calendars=CALENDARS)
    assert {"dispatch": Attainment(1, 1), "on_site": Attainment(1, 1)} == found


def test_an_item_resolved_late_without_a_dispatch_is_breached_at_the_due_time() -> None:
    """Resolved after the dispatch allowance without a dispatch: breached when it was due."""
    item = line(Event(E.RECEIVED, at(10, 10)), Event(E.RESOLVED, at(10, 11, 30)))
    status = status_of("dispatch", item, at(11, 10))
    assert (SlaState.BREACHED, at(10, 11), timedelta(minutes=90)) == (
        status.state,
        status.breached_at,
        status.elapsed,
    )


def test_an_item_reopened_before_its_dispatch_runs_its_dispatch_clock_again() -> None:
    """Resolved without a dispatch, then reopened: the dispatch clock runs on from the reopen."""
    item = line(
        Event(E.RECEIVED, at(10, 10)),
        Event(E.RESOLVED, at(10, 10, 10)),
        Event(E.REOPENED, at(10, 14)),
    )
    status = status_of("dispatch", item, at(10, 14, 20))
    assert (SlaState.RUNNING, timedelta(minutes=30), at(10, 14, 50)) == (
        status.state,
        status.elapsed,
        status.due_at,
    )


def test_events_after_at_have_not_happened_yet() -> None:
    """Evaluating in the past ignores later events."""
    order = line(Event(E.RECEIVED, at(10, 9)), Event(E.DISPATCHED, at(10, 9, 30)))
    assert status_of("dispatch", order, at(10, 9, 10)).state == SlaState.RUNNING
    assert status_of("on_site", order, at(10, 8), _fixed()).state == SlaState.NOT_STARTED


def _fixed() -> list[SlaTarget]:
    return list(SlaPolicy().select("request").targets)


def test_warnings_passed_at_50_75_90_percent() -> None:
    """RULES.md §5: warnings at 50 %, 75 % and 90 % of the allowance consumed."""
    order = line(Event(E.RECEIVED, at(10, 9)))
    status = status_of("dispatch", order, at(10, 9, 48))
    assert (status.warnings_passed, status.fraction) == ((0.5, 0.75), 0.8)


def test_a_warning_passes_at_exactly_its_threshold() -> None:
    """30 of the 60 dispatch minutes consumed passes the 50 % warning; 1 µs less does not."""
    order = line(Event(E.RECEIVED, at(10, 9)))
    assert status_of("dispatch", order, at(10, 9, 30)).warnings_passed == (0.5,)
    just_before = at(10, 9, 30) - timedelta(microseconds=1)
    assert status_of("dispatch", order, just_before).warnings_passed == ()


def test_due_in_a_year_without_an_official_schedule_is_provisional() -> None:
    """A deadline past the known holiday schedules is flagged provisional."""
    clock = target(Allowance.business(timedelta(hours=1)), "office")
    moment = datetime(2031, 3, 3, 9, tzinfo=SH)
    [status] = evaluate(
        line(Event(E.RECEIVED, moment)), at=moment, targets=[clock], calendars=CALENDARS
    )
    [current] = evaluate(
        line(Event(E.RECEIVED, at(10, 9))), at=at(10, 9), targets=[clock], calendars=CALENDARS
    )
    assert (status.provisional, current.provisional) == (True, False)


def test_not_started_target_has_no_times() -> None:
    """A target whose start event has not happened reports no due time."""
    order = line(Event(E.RECEIVED, at(10, 9)), kind="repair.in_home")
    status = status_of("on_site", order, at(10, 10))
    assert (
        status.state,
        status.started_at,
        status.due_at,
        status.fraction,
    ) == (SlaState.NOT_STARTED, None, None, 0.0)


def test_an_appointment_before_the_start_leaves_no_time() -> None:
    """An appointment already past when the clock starts: nothing is left, due when it was."""
    clock = target(Allowance.appointment(timedelta(minutes=15)), start=E.DISPATCHED)
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.APPOINTMENT_SET, at(10, 9), appointment=at(10, 9, 10)),
        Event(E.DISPATCHED, at(10, 9, 30)),
    )
    [status] = evaluate(order, at=at(10, 9, 30), targets=[clock], calendars=CALENDARS)
    assert (at(10, 9, 10), 1.0, (0.5, 0.75, 0.9)) == (
        status.due_at,
        status.fraction,
        status.warnings_passed,
    )


# --- impossible timelines and invalid values


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([Event(E.DISPATCHED, at(10, 9))], r"events\[0\] \(dispatched at .*\): the first"),
        (
            [Event(E.RECEIVED, at(10, 9)), Event(E.ARRIVED, at(10, 9, 30))],
            r"events\[1\] \(arrived at .*\): arrived before any dispatched",
        ),
        (
            [Event(E.RECEIVED, at(10, 9)), Event(E.RESUMED, at(10, 9, 30))],
            r"events\[1\] \(resumed .*\): resumed without a pause",
        ),
        (
            [Event(E.RECEIVED, at(10, 9)), Event(E.DISPATCHED, at(10, 8))],
            r"events\[1\] .*earlier than the event before it",
        ),
        (
            [Event(E.RECEIVED, at(10, 9)), Event(E.RECEIVED, at(10, 9))],
            r"events\[1\] .*received can only be the first event",
        ),
        (
            [
                Event(E.RECEIVED, at(10, 9)),
                Event(E.APPOINTMENT_CHANGED, at(10, 9), appointment=at(10, 12)),
            ],
            r"events\[1\] .*changed before one was set",
        ),
        (
            [
                Event(E.RECEIVED, at(10, 9)),
                Event(E.PAUSED, at(10, 9), reason=CUSTOMER),
                Event(E.PAUSED, at(10, 9), reason=CUSTOMER),
            ],
            r"events\[2\] .*paused while already paused",
        ),
        (
            [
                Event(E.RECEIVED, at(10, 9)),
                Event(E.RESOLVED, at(10, 9)),
                Event(E.PAUSED, at(10, 9), reason=CUSTOMER),
            ],
            r"events\[2\] .*paused after resolved",
        ),
        (
            [
                Event(E.RECEIVED, at(10, 9)),
                Event(E.RESOLVED, at(10, 9)),
                Event(E.RESOLVED, at(10, 9)),
            ],
            r"events\[2\] .*resolved twice",
        ),
        ([Event(E.RECEIVED, at(10, 9)), Event(E.CLOSED, at(10, 9))], r"closed before resolved"),
        ([Event(E.RECEIVED, at(10, 9)), Event(E.REOPENED, at(10, 9))], r"reopened without"),
        ([], r"events: expected at least the received event"),
        (["received"], r"events\[0\]: expected an Event"),
    ],
)
def test_impossible_sequences_name_the_event(events: list[Event], message: str) -> None:
    """Out-of-order or impossible events raise a ValidationError naming index and kind."""
    with pytest.raises(ValidationError, match=message):
        Timeline(events)


def test_an_event_kind_may_be_given_as_its_value_text() -> None:
    """Event("received", at) is the received event, as Role and Grade accept their text."""
    assert Event("received", at(10, 9)) == Event(E.RECEIVED, at(10, 9))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Event(E.PAUSED, at(10, 9)), "reason: expected a non-empty reason"),
        (lambda: Event(E.RESUMED, at(10, 9), reason="x"), "reason: expected no reason"),
        (lambda: Event(E.REGRADED, at(10, 9)), "grade: expected a grade only on regraded"),
        (lambda: Event(E.REGRADED, at(10, 9), grade="SEVERE"), "grade: expected one of"),
        (lambda: Event(E.APPOINTMENT_SET, at(10, 9)), "appointment: expected an appointment"),
        (
            lambda: Event(E.APPOINTMENT_SET, at(10, 9), appointment=datetime(2025, 11, 10, 9)),
            "appointment must be timezone-aware",
        ),
        (lambda: Event(E.RECEIVED, datetime(2025, 11, 10, 9)), "at must be timezone-aware"),
        (lambda: Event("recieved", at(10, 9)), "kind: expected an EventKind"),
        (lambda: Timeline([Event(E.RECEIVED, at(10, 9))], tier="E"), "tier: expected one of"),
        (lambda: Allowance.business(timedelta(0)), "duration: expected a positive duration"),
        (lambda: Allowance(AllowanceKind.CLOSE_OF_DAY, timedelta(1)), "duration: expected no"),
        (lambda: Allowance(AllowanceKind.WALL, timedelta(1), days=2), "days: expected 0"),
        (lambda: Allowance(AllowanceKind.WALL, timedelta(1), grace=timedelta(1)), "grace:"),
        (lambda: Allowance.working_days(-1), "days: expected an integer >= 0"),
        (lambda: Allowance("business", timedelta(1)), "kind: expected an AllowanceKind"),  # type: ignore[arg-type]
        (lambda: target(Allowance.same_day(), start=E.RESOLVED), "start: expected one of"),
        (lambda: target(Allowance.same_day(), stop=E.RECEIVED), "stop: expected a milestone"),
        (lambda: target("8h"), "allowance: expected an Allowance"),  # type: ignore[arg-type]
        (lambda: target(Allowance.same_day(), warnings=(0.9, 0.5)), "warnings: expected"),
        (lambda: target(Allowance.same_day(), warnings=(1.5,)), "warnings: expected"),
        (lambda: target(Allowance.same_day(), pause_on=("",)), "pause_on: expected"),
        (lambda: TargetSet("s", (target(Allowance.same_day()),) * 2, ["k"]), "targets: expected"),
        (lambda: TargetSet("s", kinds=["k"], grades=("SEVERE",)), r"grades\[0\]: expected one of"),
        (lambda: TargetSet("s", kinds=["k"], tiers=("A", "")), r"tiers\[1\]: expected one of"),
        (lambda: TargetSet("s", targets=("t",), kinds=["k"]), r"targets\[0\]: expected an SlaT"),  # type: ignore[arg-type]
        (lambda: TargetSet("s"), "kinds: expected at least one work-order kind"),
        (lambda: SlaEvaluator(targets="t"), "targets: expected a list of SlaTarget"),  # type: ignore[arg-type]
        (lambda: SlaPolicy(sets=()), "sets: expected at least one set"),
        (lambda: SlaPolicy(sets=(TargetSet("a", kinds=["k"]),) * 2), "sets: expected"),
        (lambda: Allowance(AllowanceKind.WALL, timedelta(1), lead=timedelta(1)), "lead:"),
    ],
)
def test_invalid_values_name_the_field(build, message: str) -> None:  # type: ignore[no-untyped-def]
    """Every invalid value raises a ValidationError that names the field."""
    with pytest.raises(ValidationError, match=message):
        build()


def test_a_missing_calendar_is_reported_once_up_front() -> None:
    """The evaluator checks every target's calendar before evaluating anything."""
    with pytest.raises(
        ValidationError,
        match=r"\.dispatch\.calendar: expected a calendar name among \['24x7'\], got 'desk'",
    ):
        SlaEvaluator(calendars={"24x7": CALENDARS["24x7"]})


def test_naive_evaluation_time_is_refused() -> None:
    """``at`` must be timezone-aware."""
    with pytest.raises(ValidationError, match="at must be timezone-aware"):
        evaluate(line(Event(E.RECEIVED, at(10, 9))), at=datetime(2025, 11, 10), calendars=CALENDARS)


# --- policy data

COMPANY_TOML = """
[sla]
overlays = []

[[sla.sets]]
name = "vip.in_home"
kinds = ["repair.in_home"]
tiers = ["A"]

[[sla.sets.targets]]
name = "fixed"
start = "received"
stop = "resolved"
calendar = "office"
pause_on = ["waiting_on_customer"]
allowance = { kind = "business", duration = "4h" }

[[sla.sets]]
name = "request"
kinds = ["request", "repair.in_home"]

[[sla.sets.targets]]
name = "dispatch"
start = "received"
stop = "dispatched"
allowance = { kind = "business", duration = "30m" }
source = "000 §3.2"
"""


def test_a_company_defines_its_service_levels_in_toml() -> None:
    """The how-to's TOML loads as part of Policy, and tier A in-home repairs get 4 office hours."""
    policy = Policy.from_toml(COMPANY_TOML).sla
    order = line(Event(E.RECEIVED, at(10, 9)), kind="repair.in_home", tier="A")
    assert at(10, 14, 30) == status_of("fixed", order, at(10, 9), policy).due_at  # lunch 12-13:30
    assert policy.select("repair.in_home", tier="B").name == "request"


def test_the_default_policy_round_trips_through_toml() -> None:
    """Every default target survives dump and load."""
    assert Policy().sla == Policy.from_toml(Policy().to_toml()).sla


# --- many items


def test_batch_path_gives_the_same_statuses_as_evaluate() -> None:
    """SlaEvaluator.evaluate_many equals evaluate() item by item."""
    items = [
        line(Event(E.RECEIVED, at(10, 9))),
        line(Event(E.RECEIVED, at(10, 22)), kind="repair.in_home", tier="A"),
        line(Event(E.RECEIVED, at(10, 9)), kind="complaint", grade="hot"),
    ]
    evaluator = SlaEvaluator(calendars=CALENDARS)
    expected = [
        evaluate(item, at=at(11, 12), policy=SlaPolicy(), calendars=CALENDARS) for item in items
    ]
    assert expected == evaluator.evaluate_many(items, at=at(11, 12))


def test_attainment_counts_met_and_breached_items_only() -> None:
    """000 §3.2 KPI: share met per target; items still running are not counted."""
    on_time = line(Event(E.RECEIVED, at(10, 9)), Event(E.DISPATCHED, at(10, 9, 30)))
    late = line(Event(E.RECEIVED, at(10, 9)), Event(E.DISPATCHED, at(10, 11)))
    running = line(Event(E.RECEIVED, at(10, 11, 30)))
    found = attainment(
        [on_time, on_time, on_time, late, running], at=at(10, 12), calendars=CALENDARS
    )
    assert Attainment(3, 4) == found["dispatch"]


# --- properties

# Timelines the default policy knows: kinds it lists, pauses its targets pause on.
_items = st.one_of(
    timelines(kinds=("repair.in_home", "complaint"), reasons=(CUSTOMER,)),
    timelines(kinds=("call", "request", "repair.emergency", "repair.public.minor"), reasons=()),
)
_offsets = st.lists(st.integers(0, 6 * 24 * 60), min_size=2, max_size=6)


@given(_items, _offsets)
def test_a_breached_status_never_runs_again(timeline: Timeline, offsets: list[int]) -> None:
    """Evaluated at later and later instants, a breach stays a breach with the same instant."""
    evaluator = SlaEvaluator(calendars=CALENDARS)
    received = timeline.events[0].at
    breaches: dict[str, datetime] = {}
    for minutes in sorted(offsets):
        for status in evaluator.evaluate(timeline, at=received + timedelta(minutes=minutes)):
            if status.target in breaches:
                assert status.state == SlaState.BREACHED
                assert breaches[status.target] == status.breached_at
            elif status.breached_at is not None:
                breaches[status.target] = status.breached_at


@given(st.lists(_items, min_size=1, max_size=6), st.integers(-60, 6 * 24 * 60))
def test_the_batch_path_equals_evaluate_item_by_item(items: list[Timeline], minutes: int) -> None:
    """evaluate_many gives, in order, what a fresh evaluate() gives each item alone."""
    when = items[0].events[0].at + timedelta(minutes=minutes)
    alone = [evaluate(item, at=when, policy=SlaPolicy(), calendars=CALENDARS) for item in items]
    assert alone == SlaEvaluator(calendars=CALENDARS).evaluate_many(items, at=when)


@given(_items, st.integers(0, 4 * 24 * 60), st.integers(0, 4 * 24 * 60))
def test_later_evaluation_never_unbreaches(timeline: Timeline, first: int, more: int) -> None:
    """Breached at ``at`` implies breached at every later instant."""
    evaluator = SlaEvaluator(calendars=CALENDARS)
    early = timeline.events[0].at + timedelta(minutes=first)
    late = early + timedelta(minutes=more)
    later = {s.target: s for s in evaluator.evaluate(timeline, at=late)}
    for status in evaluator.evaluate(timeline, at=early):
        if status.state is SlaState.BREACHED and status.target in later:
            assert status.breached_at == later[status.target].breached_at


@given(
    timelines(kinds=("x",)),
    sla_targets(),
    st.integers(1, 3000),
    st.integers(0, 3000),
    st.integers(0, 9 * 24 * 60),
)
def test_due_is_monotone_in_the_allowance(
    timeline: Timeline, clock: SlaTarget, small: int, extra: int, minutes: int
) -> None:
    """More business time allowed never makes the deadline earlier."""
    when = timeline.events[0].at + timedelta(minutes=minutes)

    def due(allowed: int) -> datetime | None:
        allowance = Allowance.business(timedelta(minutes=allowed))
        status, _ = evaluate(
            timeline, at=when, targets=[_with(clock, allowance), _PAUSER], calendars=CALENDARS
        )
        return status.due_at

    shorter, longer = due(small), due(small + extra)
    assert (shorter is None) == (longer is None)
    assert shorter is None or longer is None or shorter <= longer


# Another target of the item pauses on every reason the timelines use.
_PAUSER = SlaTarget(
    "pauser",
    E.RECEIVED,
    E.RESOLVED,
    Allowance.business(timedelta(hours=1)),
    pause_on=(CUSTOMER, "waiting_on_parts"),
)


def _with(clock: SlaTarget, allowance: Allowance) -> SlaTarget:
    return SlaTarget(clock.name, clock.start, clock.stop, allowance, clock.calendar, clock.pause_on)


@given(_items, st.integers(0, 9 * 24 * 60))
def test_elapsed_plus_remaining_is_the_allowance(timeline: Timeline, minutes: int) -> None:
    """Remaining business time is the allowance less what was counted."""
    when = timeline.events[0].at + timedelta(minutes=minutes)
    for status in evaluate(timeline, at=when, policy=SlaPolicy(), calendars=CALENDARS):
        if status.state is not SlaState.NOT_STARTED and status.fraction < 1.0:
            assert status.elapsed + status.remaining > timedelta(0)
        assert timedelta(0) <= status.elapsed


# Same start, calendar and pause reasons: the evaluator shares their clock's work.
_SHARING = [
    target(Allowance.business(timedelta(hours=4)), name="a", pause_on=(CUSTOMER,)),
    target(Allowance.business(timedelta(hours=9)), name="b", stop=E.CLOSED, pause_on=(CUSTOMER,)),
    target(Allowance.working_days(1), name="c", pause_on=(CUSTOMER,)),
    target(
        Allowance.appointment(timedelta(hours=2)), name="d", stop=E.ARRIVED, pause_on=(CUSTOMER,)
    ),
]


def test_reopened_clocks_stopped_by_different_events_are_kept_apart() -> None:
    """Stopped at resolved vs at closed, then reopened: each clock skips its own stopped time."""
    resolved, closed = _SHARING[0], _SHARING[1]
    item = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.RESOLVED, at(10, 9, 30)),
        Event(E.CLOSED, at(10, 10)),
        Event(E.REOPENED, at(10, 11)),
    )
    statuses = evaluate(item, at=at(10, 12), targets=[resolved, closed], calendars=CALENDARS)
    assert [(at(10, 14, 30), timedelta(minutes=90)), (at(11, 9), timedelta(hours=2))] == [
        (s.due_at, s.elapsed) for s in statuses
    ]


@given(timelines(reasons=(CUSTOMER,)), st.integers(0, 9 * 24 * 60))
def test_targets_sharing_a_clock_answer_as_if_alone(timeline: Timeline, minutes: int) -> None:
    """Work shared between targets of one item never changes a target's status."""
    when = timeline.events[0].at + timedelta(minutes=minutes)
    alone = [
        evaluate(timeline, at=when, targets=[clock], calendars=CALENDARS)[0] for clock in _SHARING
    ]
    assert alone == list(evaluate(timeline, at=when, targets=_SHARING, calendars=CALENDARS))


@given(allowances())
def test_allowances_round_trip_through_policy_data(allowance: Allowance) -> None:
    """Every allowance shape survives TOML through a target in a policy."""
    sets = (TargetSet("request", (target(allowance),), kinds=["request"]),)
    policy = Policy(sla=SlaPolicy(sets=sets, overlays=()))
    assert policy == Policy.from_toml(policy.to_toml())


def test_reasons_say_what_happened_and_cite_the_source() -> None:
    """Each status explains itself with one Reason citing its target's source."""
    order = line(Event(E.RECEIVED, at(10, 9)), Event(E.DISPATCHED, at(10, 11)))
    late = status_of("dispatch", order, at(10, 12)).reasons[0]
    waiting = status_of("on_site", order, at(10, 10, 30), _fixed()).reasons[0]
    assert (late.rule, late.source) == ("sla.breached", "000 §3.2")
    assert late.message.startswith("dispatch: breached at 2025-11-10T10:00:00+08:00")
    assert waiting.message == "on_site: running, due 2025-11-10T11:00:00+08:00"
    order = line(Event(E.RECEIVED, at(10, 9)), kind="repair.in_home")
    assert (
        status_of("on_site", order, at(10, 9)).reasons[0].message
        == "on_site: the clock has not started"
    )


def test_a_known_kind_no_set_accepts_is_an_error() -> None:
    """A kind whose only set is for tier A, asked for tier B: an error, never a fall-back."""
    policy = SlaPolicy(
        sets=(TargetSet("vip", kinds=["repair.in_home"], tiers=("A",)),), overlays=()
    )
    with pytest.raises(ValidationError, match="kind: no set for 'repair.in_home' applies to"):
        policy.select("repair.in_home", tier="B")


def test_an_appointment_in_another_zone_is_the_same_instant() -> None:
    """An appointment given in UTC is compared as the same instant."""
    utc = ZoneInfo("UTC")
    order = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.DISPATCHED, at(10, 9, 30)),
        Event(E.APPOINTMENT_SET, at(10, 9, 30), appointment=datetime(2025, 11, 10, 6, tzinfo=utc)),
        kind="repair.in_home",
    )
    status = status_of("on_site", order, at(10, 15))
    assert (SlaState.BREACHED, at(10, 14)) == (status.state, status.due_at)


def test_a_target_added_by_a_regrade_runs_from_its_start_and_breaches_from_the_regrade() -> None:
    """A target only the new grade has keeps the start; it cannot breach before it applied."""
    quick = target(Allowance.business(timedelta(hours=1)), name="quick")
    sets = (
        TargetSet("major", (quick,), kinds=["complaint"], grades=("major",)),
        TargetSet("other", (), kinds=["complaint"]),
    )
    policy = SlaPolicy(sets=sets, overlays=())
    complaint = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.REGRADED, at(10, 12), grade="major"),
        kind="complaint",
        grade="general",
    )
    status = status_of("quick", complaint, at(10, 13), policy)
    assert (at(10, 9), at(10, 10), at(10, 12)) == (
        status.started_at,
        status.due_at,
        status.breached_at,
    )


def test_a_pause_before_the_clock_opens_costs_nothing() -> None:
    """Paused and resumed at night before the desk opens: the clock is unaffected."""
    clock = target(Allowance.business(timedelta(hours=1)), pause_on=(CUSTOMER,))
    item = line(
        Event(E.RECEIVED, at(10, 22)),
        Event(E.PAUSED, at(10, 23), reason=CUSTOMER),
        Event(E.RESUMED, at(11, 7)),
    )
    [status] = evaluate(item, at=at(11, 9), targets=[clock], calendars=CALENDARS)
    assert (at(11, 9, 30), timedelta(minutes=30)) == (status.due_at, status.elapsed)


def test_a_pause_across_the_opening_delays_the_start() -> None:
    """Paused at night and resumed after the desk opens: the clock counts from the resume."""
    clock = target(Allowance.business(timedelta(hours=1)), pause_on=(CUSTOMER,))
    item = line(
        Event(E.RECEIVED, at(10, 22)),
        Event(E.PAUSED, at(10, 22, 10), reason=CUSTOMER),
        Event(E.RESUMED, at(11, 9)),
    )
    [status] = evaluate(item, at=at(11, 9, 30), targets=[clock], calendars=CALENDARS)
    assert (at(11, 10), timedelta(minutes=30)) == (status.due_at, status.elapsed)


def test_a_stop_event_before_the_start_does_not_stop_the_clock() -> None:
    """Only a stop event after the start event stops the clock."""
    clock = target(Allowance.business(timedelta(hours=1)), start=E.ARRIVED, stop=E.DISPATCHED)
    item = line(
        Event(E.RECEIVED, at(10, 9)),
        Event(E.DISPATCHED, at(10, 9, 10)),
        Event(E.ARRIVED, at(10, 9, 30)),
        Event(E.DISPATCHED, at(10, 10)),
    )
    [running] = evaluate(item, at=at(10, 9, 45), targets=[clock], calendars=CALENDARS)
    [met] = evaluate(item, at=at(10, 11), targets=[clock], calendars=CALENDARS)
    assert (SlaState.RUNNING, at(10, 10, 30)) == (running.state, running.due_at)
    assert (SlaState.MET, at(10, 10)) == (met.state, met.stopped_at)


def test_a_calendar_edit_reaches_open_items() -> None:
    """Recomputed from the log: closing a day (a typhoon) moves the open item's deadline."""
    clock = target(Allowance.business(timedelta(hours=4)), "office")
    item = line(Event(E.RECEIVED, at(10, 16)))
    week = "mon-fri 08:30-12:00,13:30-18:00"
    typhoon = BusinessCalendar(week, holidays="CN", closed=[date(2025, 11, 11)])
    [before] = evaluate(item, at=at(10, 17), targets=[clock], calendars=CALENDARS)
    [after] = evaluate(
        item, at=at(10, 17), targets=[clock], calendars=dict(CALENDARS, office=typhoon)
    )
    assert (at(11, 10, 30), at(12, 10, 30)) == (before.due_at, after.due_at)
