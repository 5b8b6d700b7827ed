"""Grade a morning's complaints, watch one escalate, and sweep for escalations.

Run: python examples/complaints.py
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from propcrm import Complaint, ComplaintHistory, Grade, Policy, grade, sweep

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2025, 3, 28, 9, 0, tzinfo=SHANGHAI)
policy = Policy()  # the root policy; policy.grading would do as well


def complaint(cid: str, who: str, hours: float, **flags: bool) -> Complaint:
    return Complaint(
        cid,
        community="Garden",
        category="noise",
        subject="pump room",
        complainant_ids=(who,),
        received_at=MORNING + timedelta(hours=hours),
        first_receiver_id="desk-1",
        **flags,
    )


stream = [
    complaint("C-1", "cust-1", 0),
    complaint("C-2", "cust-1", 1),  # the same person again: still one complainant
    complaint("C-3", "cust-2", 2, needs_other_departments=True),
    complaint("C-4", "cust-3", 3),  # the third different complainant: HOT
]
history = ComplaintHistory(policy=policy, streaming=True)
grades = {}
print("on receipt:")
for c in stream:
    history.add(c)
    d = grade(c, at=c.received_at, history=history, policy=policy)
    grades[c.id] = d.grade
    due = f"{d.resolve_by:%m-%d %H:%M}"
    who = f"{d.handler_role} ({d.handler_role.label})"
    print(f"  {c.id} {d.grade.label} ({d.grade.name}) -> {who}, by {due}")
    for reason in d.reasons:
        print(f"      {reason}")

expected = [Grade.GENERAL, Grade.GENERAL, Grade.IMPORTANT, Grade.HOT]
if list(grades.values()) != expected:
    raise SystemExit(f"unexpected grades: {grades}")

later = MORNING + timedelta(days=32)
print(f"sweep at {later:%Y-%m-%d %H:%M}, nothing resolved:")
rises = sweep([(c, grades[c.id]) for c in stream], at=later, policy=policy)
for e in rises:
    print(f"  {e.complaint_id}: {e.previous.name} -> {e.grade.name}: {e.decision.reasons[0]}")
if [e.grade for e in rises] != [Grade.MAJOR] * 4:
    raise SystemExit("every open complaint should be MAJOR a month on")
