"""The work-order desk's slip and progress: register, accept, dispatch, arrive, appoint, pause.

RULES § 9 (物业报修管理制度 4-6; 入户维修 4.1). :class:`~propcrm.services.WorkOrderDesk`
(in ``_work_order_charges``) adds the charge, the fix, the sign-off and the
callback; this module is private.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import attrs

from propcrm._checks import require_text
from propcrm._time import Clock, require_aware
from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.privacy import PersonalData, PersonalKind
from propcrm.records import RepairCategory, RepairSlip, WorkOrderStep, WorkOrderStepKind
from propcrm.services._arguments import command, command_with, masked_as
from propcrm.services._commands import Actor, CommandRunner, received_before, require_actor
from propcrm.sla import Event, EventKind, SlaEvaluator, TargetStatus, Timeline
from propcrm.storage import Store
from propcrm.work_orders import WorkOrder

__all__ = [
    "SLA_KIND_BY_CATEGORY",
    "WorkOrderCommands",
    "callback_kind_of",
    "personal",
    "repair_category",
    "sla_kind_of",
]

SLA_KIND_BY_CATEGORY: dict[RepairCategory, str] = {
    RepairCategory.HOUSE: "repair.in_home",
    RepairCategory.BUILDING_SYSTEMS: "repair.public.minor",
    RepairCategory.PUBLIC_FACILITY: "repair.public.minor",
    RepairCategory.SPECIAL_REQUEST: "repair.in_home",
}
"""The SLA kind a slip's category selects unless the desk names one (Decision)."""


def personal(value: object, kind: PersonalKind, name: str) -> PersonalData:
    """``value`` as personal data of ``kind``: given so, or wrapped from non-empty text."""
    if isinstance(value, PersonalData):
        if value.kind is not kind:
            raise ValidationError.expected(name, f"PersonalData of kind {kind.value}", value.kind)
        return value
    text = require_text(value, name, "text or PersonalData")
    if not text.strip():
        raise ValidationError.expected(name, "non-empty text", value)
    return PersonalData(kind, text)


def repair_category(value: object) -> RepairCategory:
    """``value`` as a :class:`~propcrm.records.RepairCategory`, or its value text."""
    if isinstance(value, RepairCategory):
        return value
    try:
        return RepairCategory(value if isinstance(value, str) else None)
    except ValueError:
        raise ValidationError.expected(
            "category", "a RepairCategory or its value", value,
            f"one of {[c.value for c in RepairCategory]}",
        ) from None  # fmt: skip


def callback_kind_of(value: object, policy: Policy) -> str:
    """``value`` as a repair callback kind the policy knows (``callbacks.repair_within``).

    Checked when the order is opened, so that its sign-off can plan the callback.
    """
    return _known_kind(
        value, "callback_kind", "repair callback kind", "ordinary",
        policy.callbacks.repair_within, "add the kind under [callbacks.repair_within]",
    )  # fmt: skip


def sla_kind_of(value: object, policy: Policy) -> str:
    """``value`` as a work-order kind the policy's service levels know (``policy.sla``)."""
    return _known_kind(
        value, "sla_kind", "work-order kind", "repair.in_home",
        policy.sla.kinds, "add a set for it in policy.sla",
    )  # fmt: skip


def _known_kind(
    value: object, name: str, what: str, example: str, known: Iterable[str], where: str
) -> str:
    """``value`` as text naming one of the ``known`` kinds, or a ValidationError naming ``name``."""
    kind = require_text(value, name, f"a {what}, e.g. {example!r}")
    if kind not in known:
        raise ValidationError.expected(
            name, f"one of the {what}s {sorted(known)}", value, f"use a known one or {where}"
        )
    return kind


class WorkOrderCommands:
    """The slip and progress commands (see :class:`~propcrm.services.WorkOrderDesk`).

    Args:
        store: The store.
        clock: Tells the time of each command.
        policy: The rules; ``None`` for the defaults.
    """

    def __init__(self, store: Store, *, clock: Clock, policy: Policy | None = None) -> None:
        self._runner = CommandRunner(store, clock=clock, policy=policy)
        self.store = store
        self.policy = self._runner.policy
        self._evaluator: SlaEvaluator | None = None

    @command_with(address=masked_as("address"), contact=masked_as("phone"))
    def register(
        self,
        *,
        command_id: str,
        actor: Actor,
        work_order_id: str,
        community: str,
        customer_id: str,
        address: str | PersonalData,
        contact: str | PersonalData,
        content: str,
        category: RepairCategory | str,
        sla_kind: str | None = None,
        callback_kind: str = "ordinary",
        property_type: str = "residential",
        received_at: datetime | None = None,
        night_entry_id: str | None = None,
    ) -> RepairSlip:
        """Register a repair request and open its work order, received at the clock's time.

        The slip holds the customer, the address and phone (as
        :class:`~propcrm.privacy.PersonalData`), the content and the category;
        the work order's timeline starts ``RECEIVED``. ``sla_kind`` chooses the
        service levels (e.g. ``"repair.emergency"`` for an emergency); by
        default :data:`~propcrm.services.SLA_KIND_BY_CATEGORY`. ``callback_kind`` chooses the
        repair callback's window (``"ordinary"``, ``"safety"``, ``"leak"``).
        ``received_at`` is when the request reached the company, when that was
        before the command (a night-log entry handed over in the morning: its
        SLA clocks start at the call); ``night_entry_id`` names that entry.

        Raises:
            PermissionDeniedError: The actor does not act for ``community``.
            ConflictError: ``work_order_id`` is taken.
            ValidationError: A field is invalid (named in the message; an
                unknown ``callback_kind`` too, so that the sign-off can plan the
                callback), or ``received_at`` is after the command's time.
        """
        require_actor(actor, community)
        kind = repair_category(category)
        where = personal(address, PersonalKind.ADDRESS, "address")
        phone = personal(contact, PersonalKind.PHONE, "contact")
        chosen = SLA_KIND_BY_CATEGORY[kind] if sla_kind is None else sla_kind
        callback_kind = callback_kind_of(callback_kind, self.policy)

        if received_at is not None:
            require_aware(received_at, "received_at")

        def work(now: datetime) -> RepairSlip:
            at = received_before(received_at, now)
            received = Timeline(
                [Event(EventKind.RECEIVED, at)], kind=chosen, property_type=property_type
            )
            self.store.work_orders.add(
                WorkOrder(work_order_id, received, callback_kind, community, customer_id)
            )
            slip = RepairSlip(
                work_order_id, community=community, customer_id=customer_id, address=where,
                contact=phone, content=content, category=kind, received_at=at,
                received_by=actor.id, night_entry_id=night_entry_id,
            )  # fmt: skip
            return self.store.repair_slips.add(slip)

        return self._command(
            "work_orders.register", command_id, actor, work, WorkOrderStepKind.REGISTERED, chosen
        )

    @command
    def accept(
        self, *, command_id: str, actor: Actor, work_order_id: str, version: int | None = None
    ) -> RepairSlip:
        """Record that engineering accepted the order (接单), at the clock's time.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: It was accepted already.
        """

        def work(at: datetime) -> RepairSlip:
            slip = self._slip(work_order_id, actor, version)
            if slip.accepted_at is not None:
                raise ValidationError.expected(
                    "work_order_id", "an order not yet accepted", work_order_id
                )
            return self.store.repair_slips.update(attrs.evolve(slip, accepted_at=at))

        return self._command(
            "work_orders.accept", command_id, actor, work, WorkOrderStepKind.ACCEPTED
        )

    @command
    def dispatch(
        self,
        *,
        command_id: str,
        actor: Actor,
        work_order_id: str,
        technician_id: str,
        version: int | None = None,
    ) -> RepairSlip:
        """Dispatch a technician (派工): the slip names them, the timeline records it.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: ``technician_id`` is empty, or the order cannot be
                dispatched now (it was signed off).
        """
        technician = require_text(technician_id, "technician_id", "a person id")
        if not technician.strip():
            raise ValidationError.expected("technician_id", "a person id", technician_id)

        def work(at: datetime) -> RepairSlip:
            slip = self._unsigned(work_order_id, actor, version)
            self._step(work_order_id, Event(EventKind.DISPATCHED, at))
            return self.store.repair_slips.update(attrs.evolve(slip, technician_id=technician))

        return self._command(
            "work_orders.dispatch", command_id, actor, work, WorkOrderStepKind.DISPATCHED,
            technician,
        )  # fmt: skip

    @command
    def arrive(
        self, *, command_id: str, actor: Actor, work_order_id: str, version: int | None = None
    ) -> RepairSlip:
        """Record the technician's arrival on site (到场).

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: The order was not dispatched, or was signed off.
        """
        return self._event_command(
            "arrive", command_id, actor, work_order_id,
            EventKind.ARRIVED, WorkOrderStepKind.ARRIVED, version=version, unsigned=True,
        )  # fmt: skip

    @command
    def appoint(
        self,
        *,
        command_id: str,
        actor: Actor,
        work_order_id: str,
        appointment: datetime,
        version: int | None = None,
    ) -> RepairSlip:
        """Record an agreed visit time (预约); a second one changes it.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: ``appointment`` is naive, or the order was signed off.
        """
        require_aware(appointment, "appointment")

        def work(at: datetime) -> RepairSlip:
            slip = self._unsigned(work_order_id, actor, version)
            events = self.store.work_orders.get(work_order_id).timeline.events
            set_before = any(e.kind is EventKind.APPOINTMENT_SET for e in events)
            kind = EventKind.APPOINTMENT_CHANGED if set_before else EventKind.APPOINTMENT_SET
            self._step(work_order_id, Event(kind, at, appointment=appointment))
            return self.store.repair_slips.update(slip)

        return self._command(
            "work_orders.appoint", command_id, actor, work, WorkOrderStepKind.APPOINTED,
            appointment.isoformat(),
        )  # fmt: skip

    @command
    def pause(
        self,
        *,
        command_id: str,
        actor: Actor,
        work_order_id: str,
        reason: str,
        version: int | None = None,
    ) -> RepairSlip:
        """Pause the SLA clock for ``reason`` (a pause reason the order's targets list).

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: ``reason`` is empty, or the order is paused already.
        """
        text = require_text(reason, "reason", "a pause reason, e.g. 'waiting_on_customer'")
        return self._event_command(
            "pause", command_id, actor, work_order_id, EventKind.PAUSED, WorkOrderStepKind.PAUSED,
            reason=text, version=version,
        )  # fmt: skip

    @command
    def resume(
        self, *, command_id: str, actor: Actor, work_order_id: str, version: int | None = None
    ) -> RepairSlip:
        """End a pause.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: The order is not paused.
        """
        return self._event_command(
            "resume", command_id, actor, work_order_id,
            EventKind.RESUMED, WorkOrderStepKind.RESUMED, version=version,
        )  # fmt: skip

    def sla_status(
        self, work_order_id: str, *, at: datetime | None = None
    ) -> tuple[TargetStatus, ...]:
        """The SLA status of each target of the order at ``at`` (the clock's time by default).

        Recomputed from the stored timeline under the desk's policy.

        Raises:
            NotFoundError: There is no such work order.
            ValidationError: ``at`` is naive.
        """
        moment = self._runner.clock.now() if at is None else at
        order = self.store.work_orders.get(work_order_id)
        return self._sla().evaluate(order.timeline, at=require_aware(moment, "at"))

    # --- shared steps -------------------------------------------------------------------

    def _sla(self) -> SlaEvaluator:
        """The desk's SLA evaluator, built once: targets and calendars resolved once."""
        if self._evaluator is None:
            self._evaluator = SlaEvaluator(policy=self.policy)
        return self._evaluator

    def _command(
        self,
        name: str,
        command_id: str,
        actor: Actor,
        work: Callable[[datetime], RepairSlip],
        kind: WorkOrderStepKind,
        note: str = "",
    ) -> RepairSlip:
        """Run ``work`` as one command and record its step: who, when, policy, SLA state."""

        def step(at: datetime) -> RepairSlip:
            slip = work(at)
            timeline = self.store.work_orders.get(slip.id).timeline
            seq = len(self.store.work_order_steps.list(work_order_id=slip.id, limit=10_000).items)
            self.store.work_order_steps.add(
                WorkOrderStep(
                    f"{slip.id}:{seq + 1:04d}",
                    work_order_id=slip.id,
                    seq=seq + 1,
                    kind=kind,
                    at=at,
                    actor_id=actor.id,
                    command_id=command_id,
                    policy_fingerprint=self._runner.fingerprint,
                    sla_states={
                        s.target: s.state.value for s in self._sla().evaluate(timeline, at=at)
                    },
                    note=note,
                )
            )
            return slip

        return self._runner.run(
            name, command_id=command_id, actor=actor, result_type=RepairSlip, work=step
        )

    def _event_command(
        self,
        name: str,
        command_id: str,
        actor: Actor,
        work_order_id: str,
        kind: EventKind,
        step: WorkOrderStepKind,
        reason: str = "",
        version: int | None = None,
        unsigned: bool = False,
    ) -> RepairSlip:
        def work(at: datetime) -> RepairSlip:
            read = self._unsigned if unsigned else self._slip
            slip = read(work_order_id, actor, version)
            self._step(work_order_id, Event(kind, at, reason=reason))
            return self.store.repair_slips.update(slip)

        return self._command(f"work_orders.{name}", command_id, actor, work, step, reason)

    def _slip(self, work_order_id: str, actor: Actor, version: int | None = None) -> RepairSlip:
        """The order's slip, for the actor; at ``version`` if given (stale: the update fails)."""
        slip = self.store.repair_slips.get(work_order_id)
        actor.require(slip.community)
        if version is not None:
            slip = attrs.evolve(slip, version=version)
        return slip

    def _unsigned(self, work_order_id: str, actor: Actor, version: int | None = None) -> RepairSlip:
        """The order's slip, refused once the customer signed it off (入户维修 4.1.12)."""
        slip = self._slip(work_order_id, actor, version)
        if slip.signed_off_at is not None:
            raise ValidationError.expected(
                "work_order_id", "an order not yet signed off", work_order_id,
                "the customer signed the slip: it went back to customer service for the "
                "callback (入户维修 4.1.12)",
            )  # fmt: skip
        return slip

    def _step(self, work_order_id: str, event: Event) -> WorkOrder:
        """Append ``event`` to the order's timeline (refused where it cannot happen)."""
        order = self.store.work_orders.get(work_order_id)
        order.timeline = order.timeline.with_event(event)
        return self.store.work_orders.update(order)
