"""Plan a week of repair callbacks, give them to the team, and check the month's coverage.

Run: python examples/callbacks.py
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from propcrm import (
    CompletedRepair,
    Outcome,
    Policy,
    RoleShareAllocator,
    StaffMember,
    balance,
    coverage,
    plan_repair_callbacks,
    record_outcome,
)

SH = ZoneInfo("Asia/Shanghai")

company = Policy()
policy = company.callbacks
# Calling hours (RULES §6): every day 09:00-20:00, closed on China's public holidays.
contact = company.calendar(policy.contact_calendar)

# A week of repairs: mostly ordinary, and one leak fixed late at night.
repairs = [
    CompletedRepair(f"WO-{i}", f"C-{i % 7}", datetime(2025, 3, 3 + i % 5, 10 + i % 9, tzinfo=SH))
    for i in range(18)
]
repairs.append(CompletedRepair("WO-leak", "C-1", datetime(2025, 3, 5, 22, 40, tzinfo=SH), "leak"))
# A storm damages gates on Friday: twelve safety repairs, each to be called back within 2 days.
repairs += [
    CompletedRepair(f"WO-gate-{i}", "C-2", datetime(2025, 3, 7, 11, tzinfo=SH), "safety")
    for i in range(12)
]

allocator = RoleShareAllocator.from_policy(policy)
plan = plan_repair_callbacks(repairs, allocator=allocator, policy=policy, calendar=contact)
print(f"{len(plan.tasks)} repair callbacks; owners {allocator.counts}")
leak = next(t for t in plan.tasks if t.subject.record_id == "WO-leak")
for reason in leak.reasons:
    print(f"  WO-leak: {reason}")

team = [
    StaffMember("Manager Zhao", "service_centre_manager", daily_capacity=1),
    StaffMember("Supervisor Qian", "engineering_supervisor", daily_capacity=2),
    StaffMember("Lead Sun", "repair_lead", daily_capacity=1),
    StaffMember("Lead Li", "repair_lead", daily_capacity=1),
]
schedule = balance(
    plan.tasks, team, start=date(2025, 3, 3), days=14, policy=policy, calendar=contact
)
print(f"assigned {len(schedule.assignments)}, late {len(schedule.late)}")
for (person, day), count in sorted(schedule.load().items(), key=lambda kv: (kv[0][1], kv[0][0])):
    print(f"  {day}  {person:16} {count}")
for task in schedule.late:
    print(f"  cannot be done in time: {task.id}: {task.reasons[-1]}")

# The callbacks happen; one finds a problem, which owes the technician a notice within 24 h.
done = []
for a in schedule.assignments:
    task = next(t for t in plan.tasks if t.id == a.task_id)
    when = contact.next_working_time(datetime.combine(a.on, time(0), tzinfo=SH))
    problem = "joint still damp" if task.subject.record_id == "WO-leak" else ""
    result = record_outcome(task, Outcome(at=when, reached=True, problem=problem), policy=policy)
    done.append(result.task)
    if result.notice is not None:
        print(f"rectification notice for {task.subject}, due {result.notice.due:%m-%d %H:%M}")

report = coverage([f"C-{i}" for i in range(9)], done, month=date(2025, 3, 1), tz=SH, policy=policy)
print(report.reasons[0])

counts = allocator.counts
n = len(repairs)
if not all(counts[r] >= share * n - 1 for r, share in policy.role_shares.items()):
    raise SystemExit(f"role shares broken: {counts}")
if leak.earliest != datetime(2025, 3, 6, 9, tzinfo=SH):
    raise SystemExit(f"a night repair's callback must start the next morning, got {leak.earliest}")
loads = schedule.load()
capacity = {s.id: s.daily_capacity for s in team}
if any(n > capacity[person] for (person, _), n in loads.items()):
    raise SystemExit("the balancer overloaded someone")
if len(schedule.assignments) + len(schedule.late) + len(schedule.deferred) != len(plan.tasks):
    raise SystemExit("the balancer lost a task")
if {t.reasons[-1].rule for t in schedule.late} != {"callback.balance.no_capacity"}:
    raise SystemExit("the storm's callbacks cannot all fit; that must be reported")
if report.met or report.unreached_ids != ("C-7", "C-8"):
    raise SystemExit(f"coverage is wrong: {report}")
