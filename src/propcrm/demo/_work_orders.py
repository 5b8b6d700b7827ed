"""The demo's repairs: each one walked through the work-order desk, day or night.

A repair is received (by phone, at any hour: at night through the night
desk), accepted, dispatched, sometimes appointed or charged, fixed, signed off
and called back — each step a :class:`~propcrm.services.WorkOrderDesk` command
at its own instant. Most steps come in time; a few come late, so the SLA
report has something to say. This module is private.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from attrs import frozen

from propcrm.calendar import BusinessCalendar
from propcrm.demo._agenda import Agenda
from propcrm.demo._night import NightScript
from propcrm.privacy import PersonalData
from propcrm.records import RepairCategory
from propcrm.services import Actor, WorkOrderDesk

__all__ = ["KINDS", "PRICE_LIST", "RepairScript", "Staff"]


@frozen
class Staff:
    """The people of one community's service centre, as the desks see them.

    Attributes:
        clerk: The desk clerk (客服), who receives requests and complaints.
        crew: The repair lead (维修班长), who takes, dispatches and closes work orders.
        supervisor: The engineering supervisor, who confirms small off-list charges.
        manager: The service-centre manager, who confirms large ones.
    """

    clerk: Actor
    crew: Actor
    supervisor: Actor
    manager: Actor


PRICE_LIST = {"更换水龙头": "80", "疏通下水道": "120", "更换灯管": "30", "更换门锁": "260"}
"""The demo company's published price list (收费标准), in yuan."""

KINDS: tuple[tuple[str, RepairCategory, str, float], ...] = (
    ("repair.emergency", RepairCategory.HOUSE, "safety", 0.06),
    ("repair.in_home", RepairCategory.HOUSE, "ordinary", 0.40),
    ("repair.in_home", RepairCategory.HOUSE, "leak", 0.10),
    ("repair.public.minor", RepairCategory.PUBLIC_FACILITY, "ordinary", 0.22),
    ("repair.public.medium", RepairCategory.BUILDING_SYSTEMS, "ordinary", 0.07),
    ("repair.public.major", RepairCategory.BUILDING_SYSTEMS, "safety", 0.02),
    ("request", RepairCategory.SPECIAL_REQUEST, "ordinary", 0.13),
)
"""(SLA kind, slip category, callback kind, share of repairs): every kind of work order."""

_CONTENT = {
    "repair.emergency": "水管爆裂，正在漏水",
    "repair.in_home": "卫生间下水不畅",
    "repair.public.minor": "楼道灯不亮",
    "repair.public.medium": "单元门禁失灵",
    "repair.public.major": "电梯困梯后停运",
    "request": "代收快递、开具证明",
}


class RepairScript:
    """Schedules every step of each repair on the agenda.

    Args:
        agenda: Where the steps go.
        desk: The work-order desk.
        rng: The run's random numbers.
        desk_hours: The desk's business calendar (dispatch happens in its hours).
        contact_hours: Calling hours (callbacks happen in them).
        night: The night duty, for calls outside the desk's hours; ``None``: the
            desk registers every call itself.
    """

    def __init__(
        self,
        agenda: Agenda,
        desk: WorkOrderDesk,
        rng: random.Random,
        *,
        desk_hours: BusinessCalendar,
        contact_hours: BusinessCalendar,
        night: NightScript | None = None,
    ) -> None:
        self.agenda = agenda
        self.night = night
        self.desk = desk
        self.rng = rng
        self.desk_hours = desk_hours
        self.contact_hours = contact_hours
        self.count = 0

    def receive(
        self, at: datetime, *, staff: Staff, customer_id: str, community: str,
        property_type: str, address: str | PersonalData, phone: str | PersonalData,
    ) -> None:  # fmt: skip
        """Schedule a repair received at ``at``: its intake and then every later step.

        In the desk's hours the clerk registers it; at night the monitoring
        room logs it at the night desk (an emergency is opened at once, the
        rest at the morning handover), and the steps go on from there.
        """
        rng, clerk = self.rng, staff.clerk
        weights = [k[3] for k in KINDS]
        kind, category, callback_kind, _ = rng.choices(KINDS, weights)[0]

        def take(order_id: str, opened: datetime) -> None:
            self._take(order_id, kind, staff, opened)

        if self.night is not None and self.night.is_night(at):
            self.night.repair(
                at, community=community, customer_id=customer_id, phone=phone, address=address,
                content=_CONTENT[kind], category=category, sla_kind=kind,
                callback_kind=callback_kind, then=take,
            )  # fmt: skip
            return
        self.count += 1
        order_id = f"WO-{at:%Y%m}-{self.count:06d}"

        def register() -> None:
            self.desk.register(
                command_id=f"{order_id}:register", actor=clerk, work_order_id=order_id,
                community=community, customer_id=customer_id, address=address, contact=phone,
                content=_CONTENT[kind], category=category, sla_kind=kind,
                callback_kind=callback_kind, property_type=property_type,
            )  # fmt: skip
            take(order_id, at)

        self.agenda.at(at, register)

    def _take(self, order_id: str, kind: str, staff: Staff, opened: datetime) -> None:
        """The repair lead takes the opened work order; its dispatch is scheduled."""
        self.desk.accept(command_id=f"{order_id}:accept", actor=staff.crew, work_order_id=order_id)
        dispatch = self._dispatch_time(opened, kind)
        self.agenda.at(dispatch, lambda: self._dispatch(order_id, kind, staff))

    def _dispatch_time(self, at: datetime, kind: str) -> datetime:
        rng = self.rng
        if kind == "repair.emergency":  # the night duty sends someone at once
            return at + timedelta(minutes=rng.randint(3, 25))
        late = rng.random() < 0.04
        minutes = rng.randint(65, 240) if late else rng.randint(5, 50)
        return self.desk_hours.add(at, timedelta(minutes=minutes))

    def _dispatch(self, order_id: str, kind: str, staff: Staff) -> None:
        rng, desk, crew = self.rng, self.desk, staff.crew
        desk.dispatch(
            command_id=f"{order_id}:dispatch", actor=crew, work_order_id=order_id,
            technician_id=f"tech-{rng.randint(1, 12):02d}",
        )  # fmt: skip
        now = self.agenda.clock.now()
        if kind == "repair.in_home" and rng.random() < 0.35:
            visit = self.contact_hours.next_working_time(now + timedelta(days=1))
            visit = visit + timedelta(minutes=rng.choice((30, 60, 90)))
            desk.appoint(
                command_id=f"{order_id}:appoint", actor=crew, work_order_id=order_id,
                appointment=visit,
            )  # fmt: skip
            arrive = visit + timedelta(minutes=rng.randint(-20, 10 if rng.random() < 0.95 else 60))
        else:
            late = rng.random() < 0.04
            soon = rng.randint(5, 14) if kind == "repair.in_home" else rng.randint(8, 40)
            arrive = now + timedelta(minutes=rng.randint(130, 300) if late else soon)
        self.agenda.at(arrive, lambda: self._arrive(order_id, kind, staff))

    def _arrive(self, order_id: str, kind: str, staff: Staff) -> None:
        rng, desk, crew = self.rng, self.desk, staff.crew
        desk.arrive(command_id=f"{order_id}:arrive", actor=crew, work_order_id=order_id)
        if kind == "repair.in_home" and rng.random() < 0.4:
            self._charge(order_id, staff)
        late = rng.random() < 0.03
        minutes = rng.randint(600, 2400) if late else rng.randint(20, 150)
        fixed = self.desk_hours.add(self.agenda.clock.now(), timedelta(minutes=minutes))
        if kind == "repair.emergency":
            fixed = self.agenda.clock.now() + timedelta(minutes=rng.randint(30, 180))
        self.agenda.at(fixed, lambda: self._fix(order_id, crew))

    def _charge(self, order_id: str, staff: Staff) -> None:
        rng, desk, crew = self.rng, self.desk, staff.crew
        roll = rng.random()
        if roll < 0.7:
            item = rng.choice(sorted(PRICE_LIST))
            desk.charge(command_id=f"{order_id}:charge", actor=crew, work_order_id=order_id,
                        item=item)  # fmt: skip
            return
        amount = rng.randint(40, 100) if roll < 0.9 else rng.randint(150, 900)
        desk.charge(command_id=f"{order_id}:charge", actor=crew, work_order_id=order_id,
                    item="更换配件", amount=amount)  # fmt: skip
        if amount > 100:
            desk.record_agreement(command_id=f"{order_id}:agreement", actor=crew,
                                  work_order_id=order_id)  # fmt: skip
        boss = staff.manager if amount > 100 else staff.supervisor
        desk.confirm_charge(command_id=f"{order_id}:confirm", actor=boss, work_order_id=order_id)

    def _fix(self, order_id: str, crew: Actor) -> None:
        rng, desk = self.rng, self.desk
        desk.fix(command_id=f"{order_id}:fix", actor=crew, work_order_id=order_id)
        desk.sign_off(command_id=f"{order_id}:sign_off", actor=crew, work_order_id=order_id)
        now = self.agenda.clock.now()
        call = self.contact_hours.add(now, timedelta(hours=rng.randint(2, 40)))
        self.agenda.at(call, lambda: self._call(order_id, crew))

    def _call(self, order_id: str, crew: Actor) -> None:
        """The repair callback: one attempt, its outcome recorded once (reached or not)."""
        rng = self.rng
        reached = rng.random() < 0.9
        problem = "维修后仍有渗水" if reached and rng.random() < 0.03 else ""
        self.desk.record_callback(
            command_id=f"{order_id}:callback", actor=crew, work_order_id=order_id,
            reached=reached, satisfied=reached and not problem and rng.random() < 0.93,
            problem=problem,
        )  # fmt: skip
