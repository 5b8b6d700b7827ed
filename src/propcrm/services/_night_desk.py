"""Night duty: the night log, emergencies handled at once, and the morning handover.

Public in :mod:`propcrm.services`; this module is private. RULES § 9 (002
物业服务中心管理制度 一.2-7: the monitoring room keeps the night log from 18:30
to 08:30; emergencies are handled at once; at the morning handover every open
entry becomes a work order or a complaint record; nothing is left unassigned).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs
from attrs import frozen

from propcrm._checks import require_text
from propcrm._time import Clock, zone
from propcrm.errors import (
    ConflictError,
    PermissionDeniedError,
    PropcrmError,
    ValidationError,
    shown,
)
from propcrm.explain import Reason
from propcrm.policy import Policy
from propcrm.privacy import PersonalData, PersonalKind
from propcrm.records import (
    NightAssignment,
    NightEntry,
    NightEntryState,
    NightRoute,
    RepairCategory,
)
from propcrm.roles import Role
from propcrm.services._arguments import command, command_with, masked_as
from propcrm.services._commands import Actor, CommandRunner, require_actor, require_store
from propcrm.services._paging import PAGE, all_pages
from propcrm.services._sweeps import ComplaintDesk
from propcrm.services._work_order_charges import WorkOrderDesk
from propcrm.services._work_order_desk import (
    callback_kind_of,
    personal,
    repair_category,
    sla_kind_of,
)
from propcrm.storage import Store

__all__ = ["EMERGENCY_SLA_KIND", "HandoverReport", "NightDesk", "UnassignedEntriesError"]

_DUTY = "002 物业服务中心管理制度 一"

EMERGENCY_SLA_KIND = "repair.emergency"
"""The SLA kind of a work order opened at once for a night emergency (急修, RULES § 5)."""

_LOGGERS = frozenset({Role.MONITORING_ROOM, Role.DESK_STAFF})
_DECIDERS = frozenset({Role.MONITORING_ROOM, Role.DESK_STAFF, Role.CUSTOMER_SUPERVISOR})
_HANDOVER = frozenset({Role.DESK_STAFF, Role.CUSTOMER_SUPERVISOR})


class UnassignedEntriesError(PropcrmError):
    """The morning handover found open night entries with no decision yet (一.5, 一.7).

    Attributes:
        community: The community handed over.
        entry_ids: The entries still waiting for a decision, oldest first.
    """

    def __init__(self, community: str, entry_ids: tuple[str, ...]) -> None:
        listed = ", ".join(shown(id) for id in entry_ids[:20])
        more = f" and {len(entry_ids) - 20} more" if len(entry_ids) > 20 else ""
        super().__init__(
            f"handover of {shown(community)} refused: night entries {listed}{more} have no "
            "decision yet; route each to a work order (assign_work_order) or a complaint "
            "(assign_complaint) first — nothing is left to the next shift unassigned"
        )
        self.community = community
        self.entry_ids = entry_ids


@frozen
class HandoverReport:
    """What one morning handover did (交接班, 一.5).

    Attributes:
        community: The community handed over.
        at: When (the clock's time).
        by: Who took the entries over.
        entry_ids: The night entries handed over, oldest first.
        work_order_ids: The work orders opened, in the same order as their entries.
        complaint_ids: The complaints registered, in the same order as their entries.
    """

    community: str
    at: datetime
    by: str
    entry_ids: tuple[str, ...] = ()
    work_order_ids: tuple[str, ...] = ()
    complaint_ids: tuple[str, ...] = ()


def _require_role(actor: Actor, allowed: frozenset[Role], what: str, community: str) -> None:
    if not actor.roles & allowed:
        names = ", ".join(sorted(role.value for role in allowed))
        raise PermissionDeniedError(
            f"{what} is done by the {names}; {actor.id} is none of them ({_DUTY})",
            actor_id=actor.id,
            community=community,
        )


def _require_opened(command_id: str, what: str, wanted: str, opened: str) -> None:
    """Refuse when the record's command id replayed another record instead of opening it."""
    if opened != wanted:
        raise ConflictError(
            f"command id {shown(command_id)}, which opens {what} {shown(wanted)} for the night "
            f"entry, was used for {what} {shown(opened)}; run the night command again under "
            "another id"
        )


def _non_empty(value: object, name: str, hint: str) -> str:
    text = require_text(value, name, "non-empty text", hint)
    if not text.strip():
        raise ValidationError.expected(name, "non-empty text", value, hint)
    return text


class NightDesk:
    """The night log (夜间值班记录表) and the morning handover, over a store.

    The night window is when the service desk's day shift is off duty: the
    complement of the policy's ``desk`` calendar (08:30-18:30 by default, so
    18:30-08:30; 002 物业服务中心管理制度 一.2). An entry logged at another time
    is refused: the day shift registers requests at its own desks.

    Every command takes ``command_id=`` (a retry with the same id changes
    nothing and returns the first result) and ``actor=`` (who does it; they
    must act for the entry's community and hold a role the command names),
    runs in one transaction at the clock's time, and returns the entry (or
    the :class:`HandoverReport`). Work orders and complaints are opened
    through the :class:`~propcrm.services.WorkOrderDesk` and the
    :class:`~propcrm.services.ComplaintDesk` on the same store; each takes the
    id ``"night:{entry_id}"`` and names its entry (``night_entry_id``), and
    the entry names it back.

    Args:
        store: The store.
        clock: Tells the time of each command.
        policy: The rules; ``None`` for the defaults.
        work_orders: The work-order desk to open repairs at (same store); by
            default one with no price list.
        complaints: The complaint desk to register complaints at (same store).

    Raises:
        ValidationError: An argument is invalid, or a desk runs on another store.
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        policy: Policy | None = None,
        work_orders: WorkOrderDesk | None = None,
        complaints: ComplaintDesk | None = None,
    ) -> None:
        self._runner = CommandRunner(store, clock=clock, policy=policy)
        self.store = require_store(store)
        self.policy = self._runner.policy
        if work_orders is None:
            work_orders = WorkOrderDesk(store, clock=clock, policy=self.policy)
        if complaints is None:
            complaints = ComplaintDesk(store, clock=clock, policy=self.policy)
        for name, desk, kind in (
            ("work_orders", work_orders, WorkOrderDesk),
            ("complaints", complaints, ComplaintDesk),
        ):
            if not isinstance(desk, kind) or desk.store is not store:
                raise ValidationError.expected(
                    name, f"a {kind.__name__} on the same store", type(desk).__name__,
                    "the night log and the records it opens commit together",
                )  # fmt: skip
        self.work_orders = work_orders
        self.complaints = complaints
        self._desk = self.policy.calendar("desk")

    def is_night(self, at: datetime) -> bool:
        """Whether ``at`` falls in the night window (the day shift is off duty).

        Raises:
            ValidationError: ``at`` is naive.
        """
        return not self._desk.is_working_time(at)

    # --- the night log ------------------------------------------------------------------

    @command_with(caller=masked_as("phone"), address=masked_as("address"))
    def log(
        self,
        *,
        command_id: str,
        actor: Actor,
        entry_id: str,
        community: str,
        customer_id: str,
        caller: str | PersonalData,
        content: str,
        emergency: bool = False,
        address: str | PersonalData | None = None,
        category: RepairCategory | str | None = None,
        callback_kind: str = "ordinary",
    ) -> NightEntry:
        """Log a night call or visit; an emergency goes to the work-order desk at once.

        The entry records the time (the clock's), the community, the caller's
        phone (personal data) and what they said. An emergency (``emergency=True``)
        is handled at once (一.4): a work order of kind
        :data:`~propcrm.services.EMERGENCY_SLA_KIND` is opened in the same transaction, so it
        needs the repair's ``address`` and ``category``; the entry is
        :attr:`~propcrm.records.NightEntryState.DISPATCHED`.

        Raises:
            PermissionDeniedError: The actor does not act for ``community`` or is
                neither monitoring room nor desk staff.
            ConflictError: ``entry_id`` is taken, or an emergency's work-order
                command id (``"{command_id}:{entry_id}"``) was used for another record.
            ValidationError: A field is invalid (named in the message); the
                clock's time is outside the night window (``at``); an emergency
                lacks ``address`` or ``category``.
        """
        require_actor(actor, community)
        _require_role(actor, _LOGGERS, "keeping the night log", community)
        phone = personal(caller, PersonalKind.PHONE, "caller")
        if not isinstance(emergency, bool):
            raise ValidationError.expected("emergency", "True or False", emergency)
        where = None if address is None else personal(address, PersonalKind.ADDRESS, "address")
        kind = None if category is None else repair_category(category)
        if emergency and (where is None or kind is None):
            missing = "address" if where is None else "category"
            raise ValidationError.expected(
                missing, "the repair's " + missing, None,
                "an emergency is sent to the work-order desk at once and needs both",
            )  # fmt: skip

        def work(at: datetime) -> NightEntry:
            night_of = self._night_of(at)
            admitted = Reason(
                "night.window",
                f"logged at {at:%H:%M}, outside the day shift: the night of {night_of}",
                {"at": at.isoformat(), "night_of": night_of.isoformat()},
                f"{_DUTY}.2, 一.4",
            )
            entry = NightEntry(
                entry_id, community=community, night_of=night_of, logged_at=at,
                logged_by=actor.id, customer_id=customer_id, caller=phone, content=content,
                emergency=emergency, policy_fingerprint=self._runner.fingerprint,
                reasons=(admitted,),
            )  # fmt: skip
            if emergency:
                assert where is not None  # checked above
                assert kind is not None
                assignment = NightAssignment(
                    NightRoute.WORK_ORDER, decided_by=actor.id, decided_at=at,
                    category=kind.value, address=where, sla_kind=EMERGENCY_SLA_KIND,
                    callback_kind=callback_kind,
                )  # fmt: skip
                entry = self._open_work_order(entry, assignment, actor, command_id, at)
                entry = attrs.evolve(entry, state=NightEntryState.DISPATCHED)
            return self.store.night_entries.add(entry)

        return self._command("night.log", command_id, actor, work)

    @command_with(address=masked_as("address"))
    def assign_work_order(
        self,
        *,
        command_id: str,
        actor: Actor,
        entry_id: str,
        address: str | PersonalData,
        category: RepairCategory | str,
        sla_kind: str | None = None,
        callback_kind: str = "ordinary",
    ) -> NightEntry:
        """Decide that an open entry becomes a work order at the handover.

        A second decision replaces the first while the entry is open.

        Raises:
            PermissionDeniedError: The actor does not act for the entry's community
                or may not decide.
            ValidationError: The entry is not open, or a field is invalid (an
                ``sla_kind`` or ``callback_kind`` the policy does not know too:
                it would fail the whole handover).
        """
        where = personal(address, PersonalKind.ADDRESS, "address")
        kind = repair_category(category)
        if sla_kind is not None:
            sla_kind = sla_kind_of(sla_kind, self.policy)
        callback_kind = callback_kind_of(callback_kind, self.policy)

        def decide(at: datetime) -> NightAssignment:
            return NightAssignment(
                NightRoute.WORK_ORDER, decided_by=actor.id, decided_at=at, category=kind.value,
                address=where, sla_kind=sla_kind, callback_kind=callback_kind,
            )  # fmt: skip

        return self._assign("night.assign_work_order", command_id, actor, entry_id, decide)

    @command
    def assign_complaint(
        self,
        *,
        command_id: str,
        actor: Actor,
        entry_id: str,
        category: str,
        subject: str,
        departments: tuple[str, ...] | list[str] = (),
    ) -> NightEntry:
        """Decide that an open entry becomes a complaint at the handover.

        ``category`` and ``subject`` are the complaint's grading key (002 §40).
        A second decision replaces the first while the entry is open.

        Raises:
            PermissionDeniedError: The actor does not act for the entry's community
                or may not decide.
            ValidationError: The entry is not open, or a field is invalid.
        """
        kind = _non_empty(category, "category", "e.g. 'noise'")
        about = _non_empty(subject, "subject", "e.g. 'pump room'")

        def decide(at: datetime) -> NightAssignment:
            return NightAssignment(
                NightRoute.COMPLAINT, decided_by=actor.id, decided_at=at, category=kind,
                subject=about, departments=departments,
            )  # fmt: skip

        return self._assign("night.assign_complaint", command_id, actor, entry_id, decide)

    # --- the morning handover -----------------------------------------------------------

    @command
    def handover(self, *, command_id: str, actor: Actor, community: str) -> HandoverReport:
        """Turn every open night entry of ``community`` into its work order or complaint.

        Refused, changing nothing, while any open entry has no decision (一.5,
        一.7: nothing is left to the next shift unassigned). Each record is
        opened as received at the entry's time, so its clocks start at the
        call; each entry becomes :attr:`~propcrm.records.NightEntryState.HANDED_OVER`.

        Raises:
            PermissionDeniedError: The actor does not act for ``community`` or is
                neither desk staff nor customer supervisor (the morning shift).
            UnassignedEntriesError: Open entries have no decision; it names them.
            ConflictError: The command id a record would be opened under
                (``"{command_id}:{entry_id}"``) was used for another record.
        """
        require_actor(actor, community)
        _require_role(actor, _HANDOVER, "the morning handover", community)

        def work(at: datetime) -> HandoverReport:
            entries = self._open_entries(community)
            waiting = tuple(e.id for e in entries if e.assignment is None)
            if waiting:
                raise UnassignedEntriesError(community, waiting)
            orders: list[str] = []
            complaints: list[str] = []
            for entry in entries:
                assert entry.assignment is not None  # checked above
                if entry.assignment.route is NightRoute.WORK_ORDER:
                    done = self._open_work_order(entry, entry.assignment, actor, command_id, at)
                    orders.append(done.work_order_id or "")
                else:
                    done = self._open_complaint(entry, entry.assignment, actor, command_id)
                    complaints.append(done.complaint_id or "")
                self.store.night_entries.update(
                    attrs.evolve(
                        done, state=NightEntryState.HANDED_OVER, handed_over_at=at,
                        handed_over_by=actor.id,
                    )
                )  # fmt: skip
            return HandoverReport(
                community, at, actor.id, tuple(e.id for e in entries), tuple(orders),
                tuple(complaints),
            )  # fmt: skip

        return self._runner.run(
            "night.handover",
            command_id=command_id,
            actor=actor,
            result_type=HandoverReport,
            work=work,
        )

    # --- shared steps -------------------------------------------------------------------

    def _command(self, name: str, command_id: str, actor: Actor, work: object) -> NightEntry:
        return self._runner.run(
            name, command_id=command_id, actor=actor, result_type=NightEntry,
            work=work,  # type: ignore[arg-type]
        )  # fmt: skip

    def _night_of(self, at: datetime) -> date:
        if not self.is_night(at):
            raise ValidationError.expected(
                "at", "a moment in the night window, outside the desk's day shift",
                at.isoformat(),
                "the clock's time is in the day shift (policy calendar 'desk'): register the "
                "request at the work-order or complaint desk",
            )  # fmt: skip
        closed = self._desk.previous_working_time(at)
        return closed.astimezone(zone(self.policy.tz)).date()

    def _assign(
        self, name: str, command_id: str, actor: Actor, entry_id: str, decide: object
    ) -> NightEntry:
        def work(at: datetime) -> NightEntry:
            entry = self.store.night_entries.get(entry_id)
            actor.require(entry.community)
            _require_role(actor, _DECIDERS, "routing a night entry", entry.community)
            if not entry.is_open:
                raise ValidationError.expected(
                    "entry_id", "an open night entry", entry_id, f"it is {entry.state.value}"
                )
            assignment = decide(at)  # type: ignore[operator]
            return self.store.night_entries.update(attrs.evolve(entry, assignment=assignment))

        return self._command(name, command_id, actor, work)

    def _open_entries(self, community: str) -> list[NightEntry]:
        return all_pages(
            lambda after: self.store.night_entries.list(
                community=community, state=NightEntryState.OPEN, order_by="logged_at",
                limit=PAGE, after=after,
            )
        )  # fmt: skip

    def _open_work_order(
        self,
        entry: NightEntry,
        assignment: NightAssignment,
        actor: Actor,
        command_id: str,
        at: datetime,
    ) -> NightEntry:
        assert assignment.address is not None  # a work-order assignment has one
        order_id = f"night:{entry.id}"
        sub_id = f"{command_id}:{entry.id}"
        slip = self.work_orders.register(
            command_id=sub_id, actor=actor, work_order_id=order_id,
            community=entry.community, customer_id=entry.customer_id,
            address=assignment.address, contact=entry.caller, content=entry.content,
            category=assignment.category, sla_kind=assignment.sla_kind,
            callback_kind=assignment.callback_kind, received_at=entry.logged_at,
            night_entry_id=entry.id,
        )  # fmt: skip
        _require_opened(sub_id, "work order", order_id, slip.id)
        routed = Reason(
            "night.emergency" if entry.emergency else "night.handover",
            f"opened work order {order_id}"
            + (" at once: an emergency" if entry.emergency else " at the morning handover"),
            {"work_order_id": order_id, "at": at.isoformat()},
            f"{_DUTY}.4" if entry.emergency else f"{_DUTY}.5",
        )
        return attrs.evolve(
            entry, assignment=assignment, work_order_id=order_id,
            reasons=(*entry.reasons, routed),
        )  # fmt: skip

    def _open_complaint(
        self, entry: NightEntry, assignment: NightAssignment, actor: Actor, command_id: str
    ) -> NightEntry:
        complaint_id = f"night:{entry.id}"
        sub_id = f"{command_id}:{entry.id}"
        case = self.complaints.register(
            command_id=sub_id, actor=actor, complaint_id=complaint_id,
            community=entry.community, customer_id=entry.customer_id, summary=entry.content,
            category=assignment.category, subject=assignment.subject,
            departments=assignment.departments, received_at=entry.logged_at,
            night_entry_id=entry.id,
        )  # fmt: skip
        _require_opened(sub_id, "complaint", complaint_id, case.id)
        routed = Reason(
            "night.handover",
            f"registered complaint {complaint_id} at the morning handover",
            {"complaint_id": complaint_id, "at": case.received_at.isoformat()},
            f"{_DUTY}.5",
        )
        return attrs.evolve(entry, complaint_id=complaint_id, reasons=(*entry.reasons, routed))
