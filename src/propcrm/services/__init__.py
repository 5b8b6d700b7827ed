"""Application services: the desks a property company runs, as commands over a store.

The engines decide; the services run the company's processes (RULES § 9)
over a :class:`~propcrm.storage.Store`, with an injected clock and policy, and
keep every decision:

* every command runs in **one store transaction**: it commits whole or not
  at all;
* every command takes a caller-supplied ``command_id``, recorded in the same
  transaction: a retried command changes nothing and returns the first result;
* every command is done by an :class:`Actor` — a person, their roles and the
  communities they act for — and a record of another community is refused
  with :class:`~propcrm.errors.PermissionDeniedError`;
* the time comes from the injected :class:`~propcrm.Clock`, the rules
  from the injected :class:`~propcrm.policy.Policy`; each stored decision
  carries the :func:`policy_fingerprint` of the policy that made it;
* reads that write nothing — the :class:`ScorecardService`'s KPI scorecard,
  the desk's :meth:`~ComplaintDesk.recurring` problems — take no command id,
  but are still asked by an actor acting for the community;
* every read of a record above "internal" and every reveal of a clear personal
  value is checked against the actor's roles (:mod:`propcrm.access`) and
  written to the store's append-only audit trail in the same transaction
  (:class:`ArchiveDesk`);
* who is to be told (escalations, overdue promised replies, rectification
  notices, VIP card reminders) is written to the
  store's outbox (``store.notifications``) in the same transaction; a host
  system delivers from it with :func:`deliver_pending` and its own
  :class:`DeliveryHook`.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from propcrm import FixedClock
>>> from propcrm.services import Actor, ComplaintDesk
>>> from propcrm.storage.memory import MemoryStore
>>> clock = FixedClock(datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
>>> desk = ComplaintDesk(MemoryStore(), clock=clock)
>>> clerk = Actor("desk-1", roles=["desk_staff"], communities=["东区"])
>>> case = desk.register(command_id="r-1", actor=clerk, complaint_id="C-1", community="东区",
...                      customer_id="cust-1", summary="pump room hums at night",
...                      category="noise", subject="pump room")
>>> case.grade.label, case.owner_id
('一般投诉', 'desk-1')
"""

from __future__ import annotations

import attrs

from propcrm.services._analysis import AnalysisReport, Finding, RecurringProblem
from propcrm.services._archive_desk import ANONYMISED, AnonymisationReport, ArchiveDesk
from propcrm.services._commands import Actor, CommandRunner, policy_fingerprint
from propcrm.services._complaint_import import HistoryEntry
from propcrm.services._night_desk import (
    EMERGENCY_SLA_KIND,
    HandoverReport,
    NightDesk,
    UnassignedEntriesError,
)
from propcrm.services._outbox import DeliveryHook, DeliveryReport, deliver_pending
from propcrm.services._periods import Period
from propcrm.services._scorecard import KPI_MEASURES, CommunityScorecard, ScorecardService
from propcrm.services._sweeps import ComplaintDesk, EscalationRecord, SweepReport
from propcrm.services._vip_care import CarePlanReport, ExpirySweepReport, VipOffice
from propcrm.services._what_if import (
    CallbackChange,
    CallbackOutcome,
    ComplaintChange,
    ComplaintOutcome,
    KpiChange,
    MeasureChange,
    TargetChange,
    WhatIfReport,
    what_if,
)
from propcrm.services._work_order_charges import SUPERVISOR_LIMIT, WorkOrderDesk
from propcrm.services._work_order_desk import SLA_KIND_BY_CATEGORY

__all__ = [
    "ANONYMISED",
    "EMERGENCY_SLA_KIND",
    "KPI_MEASURES",
    "SLA_KIND_BY_CATEGORY",
    "SUPERVISOR_LIMIT",
    "Actor",
    "AnalysisReport",
    "AnonymisationReport",
    "ArchiveDesk",
    "CallbackChange",
    "CallbackOutcome",
    "CarePlanReport",
    "CommandRunner",
    "CommunityScorecard",
    "ComplaintChange",
    "ComplaintDesk",
    "ComplaintOutcome",
    "DeliveryHook",
    "DeliveryReport",
    "EscalationRecord",
    "ExpirySweepReport",
    "Finding",
    "HandoverReport",
    "HistoryEntry",
    "KpiChange",
    "MeasureChange",
    "NightDesk",
    "Period",
    "RecurringProblem",
    "ScorecardService",
    "SweepReport",
    "TargetChange",
    "UnassignedEntriesError",
    "VipOffice",
    "WhatIfReport",
    "WorkOrderDesk",
    "deliver_pending",
    "policy_fingerprint",
    "what_if",
]

# Each name is documented and shown as ``propcrm.services.<name>``; the type hints of
# the values are resolved first, in the module that defines them.
for _name in __all__:
    if not isinstance(globals()[_name], type):
        continue
    if attrs.has(globals()[_name]):
        attrs.resolve_types(globals()[_name])
    globals()[_name].__module__ = __name__
del _name
