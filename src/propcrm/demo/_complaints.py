"""The demo's complaints: each one walked through the complaint desk.

Ordinary complaints, collective ones (several households, a headcount),
repeated ones (the same community, category and subject within the window,
from other customers), ones the media may pick up, ones that need another
department, slow ones the sweep escalates, and second complaints (二次投诉)
after an unsatisfying result — each step a
:class:`~propcrm.services.ComplaintDesk` command at its own instant. This module
is private.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from propcrm.calendar import BusinessCalendar
from propcrm.demo._agenda import Agenda
from propcrm.demo._night import NightScript
from propcrm.demo._portfolio import Resident
from propcrm.demo._work_orders import Staff
from propcrm.records import CaseEventKind, CaseState
from propcrm.services import ComplaintDesk

__all__ = ["CATEGORIES", "ComplaintScript"]

CATEGORIES = ("noise", "parking", "cleaning", "security", "repair_quality", "fees", "greenery")
"""The complaint categories the demo draws from."""

_SUMMARY = {
    "noise": "夜间噪音扰民",
    "parking": "车位被占用",
    "cleaning": "垃圾清运不及时",
    "security": "陌生人随意进出",
    "repair_quality": "维修后问题复发",
    "fees": "物业费账单有误",
    "greenery": "绿化修剪不及时",
}


class ComplaintScript:
    """Schedules every step of each complaint on the agenda.

    Args:
        agenda: Where the steps go.
        desk: The complaint desk.
        rng: The run's random numbers.
        contact_hours: Calling hours (callbacks happen in them).
        night: The night duty, for complaints outside the desk's hours; ``None``:
            the desk registers every complaint itself.
    """

    def __init__(
        self, agenda: Agenda, desk: ComplaintDesk, rng: random.Random, *,
        contact_hours: BusinessCalendar, night: NightScript | None = None,
    ) -> None:  # fmt: skip
        self.agenda = agenda
        self.night = night
        self.desk = desk
        self.rng = rng
        self.contact_hours = contact_hours
        self.count = 0
        self._recent: dict[str, list[tuple[str, str]]] = {}  # community -> (category, subject)

    def receive(
        self, at: datetime, *, staff: Staff, community: str, subjects: Sequence[str],
        residents: Sequence[Resident],
    ) -> None:  # fmt: skip
        """Schedule a complaint received at ``at`` in ``community`` and every later step."""
        rng = self.rng
        recent = self._recent.setdefault(community, [])
        if recent and rng.random() < 0.12:  # another customer about the same thing
            category, subject = rng.choice(recent[-6:])
        else:
            category, subject = rng.choice(CATEGORIES), rng.choice(tuple(subjects))
            recent.append((category, subject))
        who = rng.choice(residents)
        if self.night is not None and self.night.is_night(at):
            departments = ["工程部"] if rng.random() < 0.15 else []
            self.night.complaint(
                at, community=community, customer_id=who.customer.id,
                phone=who.customer.phone or "未登记",
                content=_SUMMARY[category], category=category, subject=subject,
                departments=departments,
                then=lambda opened_id, opened: self._handle_later(opened_id, opened, staff),
            )  # fmt: skip
            return
        self.count += 1
        complaint_id = f"CP-{at:%Y%m}-{self.count:05d}"
        collective = rng.random() < 0.05
        who_id = who.customer.id
        complainants = None
        headcount = None
        if collective:
            group = rng.sample(list(residents), k=min(len(residents), rng.randint(3, 12)))
            complainants = [r.customer.id for r in group]
            who_id = complainants[0]
            headcount = len(complainants) + rng.randint(0, 8)
        media = rng.random() < 0.02
        departments = ["工程部"] if rng.random() < 0.15 else []

        def register() -> None:
            self.desk.register(
                command_id=f"{complaint_id}:register", actor=staff.clerk,
                complaint_id=complaint_id, community=community, customer_id=who_id,
                summary=_SUMMARY[category], category=category, subject=subject,
                channel=rng.choice(("phone", "phone", "wechat", "visit")),
                departments=departments, complainant_ids=complainants, headcount=headcount,
                media_risk=media,
            )  # fmt: skip

        self.agenda.at(at, register)
        self._handle_later(complaint_id, at, staff)

    def _handle_later(self, complaint_id: str, at: datetime, staff: Staff) -> None:
        rng = self.rng
        slow = rng.random() < 0.05
        hours = rng.uniform(170, 400) if slow else rng.uniform(2, 22)
        look = at + timedelta(minutes=rng.randint(10, min(180, int(hours * 30))))  # before handled
        self.agenda.at(look, lambda: self._step(complaint_id, staff, CaseEventKind.INVESTIGATED))
        if rng.random() < 0.1:
            slip = at + timedelta(hours=min(hours / 2, 6))
            self.agenda.at(slip, lambda: self._slip(complaint_id, staff))
        self.agenda.at(at + timedelta(hours=hours), lambda: self._handled(complaint_id, staff))

    def _step(self, complaint_id: str, staff: Staff, kind: CaseEventKind) -> None:
        self.desk.record_step(
            command_id=f"{complaint_id}:{kind.value}", actor=staff.clerk,
            complaint_id=complaint_id, kind=kind, note="现场核实",
        )  # fmt: skip

    def _slip(self, complaint_id: str, staff: Staff) -> None:
        if self.desk.store.complaint_cases.get(complaint_id).is_open:
            self.desk.send_liaison_slip(
                command_id=f"{complaint_id}:slip", actor=staff.clerk, complaint_id=complaint_id,
                department="保安部",
            )  # fmt: skip

    def _handled(self, complaint_id: str, staff: Staff) -> None:
        self.desk.mark_handled(
            command_id=f"{complaint_id}:handled", actor=staff.clerk, complaint_id=complaint_id,
            result="已整改并告知业主",
        )  # fmt: skip
        call = self.contact_hours.add(self.agenda.clock.now(), timedelta(hours=2))
        self.agenda.at(call, lambda: self._callback(complaint_id, staff))

    def _callback(self, complaint_id: str, staff: Staff) -> None:
        """The complaint callback: one call; a reached complainant closes the case."""
        rng = self.rng
        reached = rng.random() < 0.93
        satisfied = reached and rng.random() < 0.9
        case = self.desk.record_satisfaction(
            command_id=f"{complaint_id}:callback", actor=staff.clerk,
            complaint_id=complaint_id, reached=reached, satisfied=satisfied,
        )  # fmt: skip
        if case.state is CaseState.CLOSED and not satisfied and rng.random() < 0.4:
            later = self.agenda.clock.now() + timedelta(
                days=rng.randint(2, 10), hours=rng.randint(0, 8)
            )
            self.agenda.at(later, lambda: self._reopen(complaint_id, staff))

    def _reopen(self, complaint_id: str, staff: Staff) -> None:
        second = f"{complaint_id}-R"
        self.desk.reopen(
            command_id=f"{second}:register", actor=staff.clerk, complaint_id=complaint_id,
            new_complaint_id=second, summary="对处理结果不满意，再次投诉",
        )  # fmt: skip
        self._handle_later(second, self.agenda.clock.now(), staff)
