"""Complaint grading (投诉分级) and escalation: four grades, each with its reasons.

A complaint (投诉) is graded by the most severe criterion that applies (002 §40):

* **MAJOR** (重大投诉): it has led to litigation, it has been exposed by the
  media, it is a collective complaint by 10 or more people, or it is still not
  effectively resolved one calendar month after it was made, for reasons
  attributable to the company;
* **HOT** (热点投诉): it may lead to litigation or media exposure, the same
  complaint came from 3 or more different complainants within one month, it is
  a collective complaint by 3 or more people, or it is still unresolved one
  week after it was made, for reasons attributable to the company;
* **IMPORTANT** (重要投诉): a second complaint after the first was handled, or
  one that needs help from other specialist departments;
* **GENERAL** (一般投诉): everything else.

Grading depends on the complaint, the history of earlier complaints
(:class:`ComplaintHistory`) and the moment of evaluation: an unresolved
complaint escalates to HOT at +1 week and to MAJOR at +1 calendar month, and
:func:`grade` says when the next escalation will happen if nothing changes.
The resolution deadline runs in clock hours on a 24x7 clock (RULES §4).

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from propcrm.complaints import Complaint, grade
>>> received = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> c = Complaint("C1", community="Garden", category="noise", subject="pump room",
...               complainant_ids=("cust-1",), received_at=received)
>>> d = grade(c, at=received)
>>> d.grade, d.grade.label, d.handler_role.label, d.resolve_by.isoformat()
(<Grade.GENERAL: 'general'>, '一般投诉', '客户主管', '2025-03-04T09:00:00+08:00')
>>> d.next_escalation_at.isoformat(), d.next_grade
('2025-03-10T09:00:00+08:00', <Grade.HOT: 'hot'>)

The module is split for reading (the complaint and its grades; the policy; the
history window; grading and the sweep); every public name lives here.
"""

from __future__ import annotations

from propcrm._complaints_grade import Escalation, GradeDecision, grade, sweep
from propcrm._complaints_history import ComplaintHistory
from propcrm._complaints_policy import GradeDurations, GradeRoles, GradingPolicy
from propcrm._complaints_types import Complainants, Complaint, Grade

__all__ = [
    "Complainants",
    "Complaint",
    "ComplaintHistory",
    "Escalation",
    "Grade",
    "GradeDecision",
    "GradeDurations",
    "GradeRoles",
    "GradingPolicy",
    "grade",
    "sweep",
]
