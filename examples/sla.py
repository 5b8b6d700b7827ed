"""Service levels on real calendars: a night repair, a weekend pause, a regraded complaint,
"not overnight" near the close, and tier-A service.

Run: python examples/sla.py
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from propcrm import Grade, Policy, SlaEvaluator, attainment, evaluate
from propcrm.sla import (
    Allowance,
    Event,
    EventKind,
    SlaState,
    SlaTarget,
    TargetStatus,
    Timeline,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
E = EventKind
problems: list[str] = []


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of November 2025 (Monday the 10th; no public holidays that month)."""
    return datetime(2025, 11, day, hour, minute, tzinfo=SHANGHAI)


def show(title: str, statuses: tuple[TargetStatus, ...]) -> None:
    print(title)
    for s in statuses:
        due = f"{s.due_at:%a %d %H:%M}" if s.due_at else "-"
        late = f", breached {s.breached_at:%a %H:%M}" if s.breached_at else ""
        print(f"  {s.target:13} {s.state.value:11} due {due}  used {s.elapsed}{late}")
    print()


def expect(what: str, ok: bool) -> None:
    if not ok:
        problems.append(what)


policy = Policy()
calendars = {name: policy.calendar(name) for name in ("24x7", "desk", "office")}

# 1. An in-home repair received at 22:00: the desk's clock starts at 08:30 the next day;
#    waiting on the customer overnight gives back only the desk's working time.
repair = Timeline(
    [
        Event(E.RECEIVED, at(10, 22)),
        Event(E.DISPATCHED, at(11, 8, 50)),
        Event(E.ARRIVED, at(11, 9)),
        Event(E.PAUSED, at(11, 10), reason="waiting_on_customer"),
        Event(E.RESUMED, at(12, 9)),
        Event(E.RESOLVED, at(12, 17)),
    ],
    kind="repair.in_home",
)
statuses = evaluate(repair, at=at(12, 18), policy=policy, calendars=calendars)
show("In-home repair received Monday 22:00 (desk calendar, 08:30-18:30):", statuses)
fixed = statuses[-1]
expect("the night request starts at 08:30", fixed.started_at == at(11, 8, 30))
expect("the repair is late and stays breached", fixed.state is SlaState.BREACHED)
expect("8 h due Wednesday 15:30", fixed.due_at == at(12, 15, 30))

# 2. A weekend pause on the office calendar (Mon-Fri, lunch break, China's holidays)
#    costs only the office hours inside it.
ticket = SlaTarget(
    "answer_letter",
    E.RECEIVED,
    E.RESOLVED,
    Allowance.business(timedelta(hours=2)),
    calendar="office",
    pause_on=("waiting_on_customer",),
)
letter = Timeline(
    [
        Event(E.RECEIVED, at(14, 16)),
        Event(E.PAUSED, at(14, 17), reason="waiting_on_customer"),
        Event(E.RESUMED, at(17, 9)),
    ]
)
[paused] = evaluate(letter, at=at(17, 9), targets=[ticket], calendars=calendars)
show("Office target paused Friday 17:00 .. Monday 09:00:", (paused,))
expect("the weekend costs nothing: due Monday 10:00", paused.due_at == at(17, 10))

# 3. A complaint regraded GENERAL -> MAJOR keeps its clock and gets 72 h instead of 24 h,
#    in clock hours (RULES.md §4): received Monday 09:00, due Thursday 09:00.
complaint = Timeline(
    [Event(E.RECEIVED, at(10, 9)), Event(E.REGRADED, at(10, 12), grade=Grade.MAJOR)],
    kind="complaint",
    grade=Grade.GENERAL,
)
before = evaluate(complaint, at=at(10, 11), policy=policy, calendars=calendars)
after = evaluate(complaint, at=at(10, 13), policy=policy, calendars=calendars)
show("Complaint before the regrade (GENERAL):", before)
show("Complaint after the regrade (MAJOR):", after)
expect("regrade keeps the start", before[-1].started_at == after[-1].started_at)
expect("regrade extends the allowance", after[-1].due_at == at(13, 9))

# 4. Not overnight with a minimum lead (RULES.md §5): a public minor repair at 17:00 has
#    1 h 30 before the desk closes at 18:30, less than 2 h: due Tuesday 09:00.
minor = Timeline([Event(E.RECEIVED, at(10, 17))], kind="repair.public.minor")
fixed = evaluate(minor, at=at(10, 17), policy=policy, calendars=calendars)[-1]
show("Public minor repair received Monday 17:00:", (fixed,))
expect("minor repair due Tuesday 09:00", fixed.due_at == at(11, 9))

# 5. Tier A (Decision, RULES.md §5): dispatch within 30 minutes, on site within 1 hour.
vip = Timeline([Event(E.RECEIVED, at(10, 10))], kind="request", tier="A")
show("Tier-A request received Monday 10:00:", evaluate(vip, at=at(10, 10), policy=policy))

# 6. Attainment over many work orders: the KPI "response timeliness >= 95 %" (000 §3.2).
orders = [
    Timeline(
        [Event(E.RECEIVED, at(10, 9)), Event(E.DISPATCHED, at(10, 9) + timedelta(minutes=m))],
        kind="request",
    )
    for m in range(0, 100, 5)
]
evaluator = SlaEvaluator(policy=policy, calendars=calendars)
kpi = evaluator.attainment(orders, at=at(10, 18))["dispatch"]
expect("attainment() agrees", attainment(orders, at=at(10, 18), policy=policy)["dispatch"] == kpi)
goal = policy.satisfaction.targets["response_timeliness"]
print(f"dispatch on time: {kpi.met}/{kpi.total} = {kpi.met / kpi.total:.0%} (goal {goal:.0%})")
expect("13 of 20 dispatched within the hour", (kpi.met, kpi.total) == (13, 20))

if problems:
    raise SystemExit("unexpected: " + "; ".join(problems))
