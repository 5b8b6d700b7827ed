"""Callbacks and care (回访 / 拜访): who calls whom back, when, and whether it was done.

After a service the customer is called back in three steps (phone within 24 h,
visit within a week, questionnaire within a month — 000 § 3.2); after a repair
the callback comes within a week, sooner for safety facilities and leaks, and
is owned by the service-centre manager, the engineering supervisor or the
repair lead in fixed shares (002 回访工作制度); after a complaint is handled
the complainant is called back (002 § 42). Routine rounds, residents' forums
and VIP family care (亲情服务, 002 § 33) are planned with ``dateutil.rrule``
and China's festival calendar.

Every planner takes ``policy=`` (the root :class:`~propcrm.policy.Policy`, a
:class:`CallbackPolicy` or ``None`` for the defaults) and ``calendar=``, the
calling-hours calendar — the policy's calendar named ``"contact"``. Every task
has a window ``[earliest, due)`` inside calling hours: a task whose window
opens at night starts at the next calling time, a due moment outside calling
hours comes back to the end of the last calling period before it, and a task
that cannot be reached before it is due is reported in ``late``, never quietly
moved past its due time. Routine callbacks avoid closed days; festival and
birthday greetings go out on the day itself, holidays included (RULES § 6).

>>> from propcrm.callbacks import (CallbackKind, CallbackTask, Outcome, Subject, SubjectKind,
...                                record_outcome)
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> task = CallbackTask(
...     id="work_order:WO-1:repair:visit", subject=Subject(SubjectKind.WORK_ORDER, "WO-1"),
...     kind=CallbackKind.VISIT, customer_id="C-1", owner_role="repair_lead",
...     earliest=datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
...     due=datetime(2025, 3, 5, 18, tzinfo=ZoneInfo("Asia/Shanghai")))
>>> done = record_outcome(task, Outcome(at=datetime(2025, 3, 4, 10, tzinfo=ZoneInfo("UTC")),
...                       reached=True, problem="tap still drips"))
>>> done.task.status, done.notice.due.isoformat()
(<TaskStatus.DONE: 'done'>, '2025-03-05T10:00:00+00:00')

The module is the public face of private parts: the policy, the task values,
the planners after a service, the routine and VIP care planners, the role-share
allocator, and the balancer with the coverage report.
"""

from __future__ import annotations

from propcrm._callback_balance import (
    Assignment,
    BalancePlan,
    Coverage,
    StaffMember,
    balance,
    coverage,
)
from propcrm._callback_care import plan_rounds, plan_tier_visits, plan_vip_care
from propcrm._callback_planners import (
    plan_after_complaint,
    plan_after_repair,
    plan_after_service,
    plan_repair_callbacks,
    record_outcome,
)
from propcrm._callback_policy import CallbackPolicy
from propcrm._callback_shares import RoleShareAllocator
from propcrm._callback_tasks import (
    CallbackKind,
    CallbackPlan,
    CallbackTask,
    CompletedRepair,
    Outcome,
    OutcomeResult,
    RectificationNotice,
    Subject,
    SubjectKind,
    TaskStatus,
)

__all__ = [
    "Assignment",
    "BalancePlan",
    "CallbackKind",
    "CallbackPlan",
    "CallbackPolicy",
    "CallbackTask",
    "CompletedRepair",
    "Coverage",
    "Outcome",
    "OutcomeResult",
    "RectificationNotice",
    "RoleShareAllocator",
    "StaffMember",
    "Subject",
    "SubjectKind",
    "TaskStatus",
    "balance",
    "coverage",
    "plan_after_complaint",
    "plan_after_repair",
    "plan_after_service",
    "plan_repair_callbacks",
    "plan_rounds",
    "plan_tier_visits",
    "plan_vip_care",
    "record_outcome",
]

# Each name is documented, stored and shown as ``propcrm.callbacks.<name>``.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
