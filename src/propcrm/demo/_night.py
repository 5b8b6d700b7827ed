"""The demo's night duty: calls logged by the monitoring room, handed over in the morning.

A repair or complaint that comes in while the service desk is off duty
(18:30-08:30 by default) is logged in the night log by the community's
monitoring room through :class:`~propcrm.services.NightDesk`, which decides at
once what it becomes. An emergency opens its work order on the spot; the
rest wait for the morning handover, when the day shift's clerk turns every
open entry into its work order or complaint. What follows (dispatch, the
complaint's handling) is scheduled by the caller's continuation, told the
record's id and the moment it was opened. This module is private.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from propcrm.calendar import BusinessCalendar
from propcrm.demo._agenda import Agenda
from propcrm.privacy import PersonalData
from propcrm.records import RepairCategory
from propcrm.services import Actor, NightDesk

__all__ = ["Continuation", "NightScript", "monitoring_room"]

Continuation = Callable[[str, datetime], None]
"""Told the id of the work order or complaint a night entry became, and when it was opened."""


def monitoring_room(community: str, n: int) -> Actor:
    """The monitoring room (监控室) of community number ``n``: the night duty."""
    return Actor(f"monitor-{n}", roles=["monitoring_room"], communities=[community])


class NightScript:
    """Logs night calls at the night desk and schedules each community's morning handover.

    Args:
        agenda: Where the steps go.
        desk: The night desk.
        desk_hours: The desk's business calendar: the handover is at its next opening.
        watch: The monitoring room of each community.
        clerks: The clerk of each community, who takes the entries over in the morning.
    """

    def __init__(
        self, agenda: Agenda, desk: NightDesk, *, desk_hours: BusinessCalendar,
        watch: Mapping[str, Actor], clerks: Mapping[str, Actor],
    ) -> None:  # fmt: skip
        self.agenda = agenda
        self.desk = desk
        self.desk_hours = desk_hours
        self.watch = watch
        self.clerks = clerks
        self.count = 0
        self._waiting: dict[str, Continuation] = {}
        self._handovers: set[tuple[str, datetime]] = set()

    def is_night(self, at: datetime) -> bool:
        """Whether the desk is off duty at ``at``: the call goes to the night log."""
        return self.desk.is_night(at)

    def repair(
        self, at: datetime, *, community: str, customer_id: str, phone: str | PersonalData,
        address: str | PersonalData,
        content: str, category: RepairCategory, sla_kind: str, callback_kind: str,
        then: Continuation,
    ) -> None:  # fmt: skip
        """Log a repair call at ``at``: an emergency is dispatched at once, the rest handed over."""
        entry_id = self._entry_id(at)
        emergency = sla_kind == "repair.emergency"
        actor = self.watch[community]

        def log() -> None:
            self.desk.log(
                command_id=f"{entry_id}:log", actor=actor, entry_id=entry_id, community=community,
                customer_id=customer_id, caller=phone, content=content, emergency=emergency,
                address=address, category=category, callback_kind=callback_kind,
            )  # fmt: skip
            if emergency:
                then(f"night:{entry_id}", at)
                return
            self.desk.assign_work_order(
                command_id=f"{entry_id}:assign", actor=actor, entry_id=entry_id,
                address=address, category=category, sla_kind=sla_kind,
                callback_kind=callback_kind,
            )  # fmt: skip
            self._wait(entry_id, community, at, then)

        self.agenda.at(at, log)

    def complaint(
        self, at: datetime, *, community: str, customer_id: str, phone: str | PersonalData,
        content: str,
        category: str, subject: str, departments: list[str], then: Continuation,
    ) -> None:  # fmt: skip
        """Log a complaint at ``at``; the morning handover registers it at the complaint desk."""
        entry_id = self._entry_id(at)
        actor = self.watch[community]

        def log() -> None:
            self.desk.log(
                command_id=f"{entry_id}:log", actor=actor, entry_id=entry_id, community=community,
                customer_id=customer_id, caller=phone, content=content,
            )  # fmt: skip
            self.desk.assign_complaint(
                command_id=f"{entry_id}:assign", actor=actor, entry_id=entry_id,
                category=category, subject=subject, departments=departments,
            )  # fmt: skip
            self._wait(entry_id, community, at, then)

        self.agenda.at(at, log)

    def _entry_id(self, at: datetime) -> str:
        self.count += 1
        return f"NE-{at:%Y%m}-{self.count:05d}"

    def _wait(self, entry_id: str, community: str, at: datetime, then: Continuation) -> None:
        self._waiting[entry_id] = then
        opening = self.desk_hours.next_working_time(at)
        if (community, opening) not in self._handovers:
            self._handovers.add((community, opening))
            self.agenda.at(opening, lambda: self._handover(community, opening))

    def _handover(self, community: str, opening: datetime) -> None:
        self._handovers.discard((community, opening))
        clerk = self.clerks[community]
        report = self.desk.handover(
            command_id=f"handover:{clerk.id}:{opening:%Y%m%d%H%M}", actor=clerk,
            community=community,
        )  # fmt: skip
        for entry_id in report.entry_ids:
            self._waiting.pop(entry_id)(f"night:{entry_id}", report.at)
