"""The work-order desk's charge, fix, sign-off and repair callback.

Public in :mod:`propcrm.services`; this module is private. RULES § 9
(入户维修 4.1.2, 4.1.10, 4.1.12; 002 回访工作制度 一-四).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from propcrm._checks import require_mapping, require_text
from propcrm._repair_records import money
from propcrm._time import Clock
from propcrm.callbacks import (
    CompletedRepair,
    Outcome,
    RoleShareAllocator,
    plan_after_repair,
    record_outcome,
)
from propcrm.errors import NotFoundError, PermissionDeniedError, ValidationError
from propcrm.policy import Policy
from propcrm.records import (
    AllocatorState,
    Charge,
    ChargeState,
    Notification,
    NotificationKind,
    RepairSlip,
    WorkOrderStepKind,
)
from propcrm.roles import Role
from propcrm.services._arguments import command, command_with, number
from propcrm.services._commands import Actor
from propcrm.services._work_order_desk import WorkOrderCommands
from propcrm.sla import Event, EventKind
from propcrm.storage import Store

__all__ = ["SUPERVISOR_LIMIT", "WorkOrderDesk"]

SUPERVISOR_LIMIT = Decimal("100")
"""Off-list charges up to this many yuan, inclusive, the engineering supervisor
confirms; above it a signed agreement and the service-centre manager's
confirmation are needed (入户维修 4.1.10; exactly ¥100: Decision, RULES § 9)."""


def _prices(value: Mapping[str, object]) -> dict[str, Decimal]:
    found = require_mapping(value, "price_list", "a mapping of item to price in yuan")
    prices = {}
    for item, price in found.items():
        if not isinstance(item, str) or not item.strip():
            raise ValidationError.expected("price_list", "items named by non-empty text", item)
        prices[item] = money(price, f"price_list.{item}")
    return prices


class WorkOrderDesk(WorkOrderCommands):
    """The work-order desk: slip, dispatch, charge approval, fix, sign-off and callback.

    Every command takes ``command_id=`` (a retry with the same id changes
    nothing and returns the first result) and ``actor=`` (who does it; they
    must act for the order's community), runs in one transaction at the
    clock's time and returns the order's :class:`~propcrm.records.RepairSlip`.

    Every command but ``register`` takes ``version=``: the slip version the
    caller read. Every command changes the slip, so its version counts every
    change to the order; when another desk changed it since, the command
    raises :class:`~propcrm.errors.ConflictError` and changes nothing: read it
    again and retry.
    The SLA timeline lives in ``store.work_orders``; :meth:`sla_status` reads it.
    Every command also writes a :class:`~propcrm.records.WorkOrderStep` to
    ``store.work_order_steps``: who did it, when, the fingerprint of the
    desk's policy and each SLA target's state right after it.

    Args:
        store: The store.
        clock: Tells the time of each command.
        policy: The rules; ``None`` for the defaults.
        price_list: The published price list (收费标准): item → yuan. Empty by default.
        supervisor_limit: The off-list limit the engineering supervisor may
            confirm, inclusive: :data:`~propcrm.services.SUPERVISOR_LIMIT` (¥100) by default.

    Raises:
        ValidationError: An argument is invalid (named in the message).
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        policy: Policy | None = None,
        price_list: Mapping[str, Decimal | int | str] | None = None,
        supervisor_limit: Decimal | int | str = SUPERVISOR_LIMIT,
    ) -> None:
        super().__init__(store, clock=clock, policy=policy)
        self.price_list = _prices({} if price_list is None else price_list)
        self.supervisor_limit = money(supervisor_limit, "supervisor_limit")

    @command_with(amount=number)
    def charge(
        self,
        *,
        command_id: str,
        actor: Actor,
        work_order_id: str,
        item: str,
        amount: Decimal | int | str | None = None,
        version: int | None = None,
    ) -> RepairSlip:
        """Charge for the repair: a listed item as listed, else as assessed (``amount``).

        A listed item is approved at once. An off-list item up to the
        supervisor limit (inclusive) awaits the engineering supervisor; above
        it, a signed agreement (:meth:`record_agreement`) and the
        service-centre manager (:meth:`confirm_charge`).

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: ``item`` is empty; ``amount`` is missing for an
                off-list item, differs from a listed price, or is not yuan; the
                order already has a charge, or is fixed (the charge is agreed
                before the repair is finished, 入户维修 4.1.10).
        """
        name = require_text(item, "item", "the charged item")
        if not name.strip():
            raise ValidationError.expected("item", "the charged item", item)
        listed = self.price_list.get(name)
        if listed is not None:
            if amount is not None and money(amount) != listed:
                raise ValidationError.expected(
                    "amount", f"the listed price {listed} or None", amount,
                    "a listed item is charged as listed",
                )  # fmt: skip
            value, state = listed, ChargeState.APPROVED
        elif amount is None:
            raise ValidationError.expected(
                "amount", "the assessed amount in yuan", amount, f"{name!r} is not on the list"
            )
        else:
            value = money(amount)
            over = value > self.supervisor_limit
            state = ChargeState.AWAITING_MANAGER if over else ChargeState.AWAITING_SUPERVISOR

        def work(at: datetime) -> RepairSlip:
            slip = self._slip(work_order_id, actor, version)
            if slip.charge is not None:
                raise ValidationError.expected(
                    "work_order_id", "an order without a charge", work_order_id
                )
            if self._fixed_at(work_order_id):
                raise ValidationError.expected(
                    "work_order_id", "an order not yet fixed", work_order_id,
                    "the charge is agreed before the repair is finished (入户维修 4.1.10)",
                )  # fmt: skip
            charge = Charge(name, amount=value, listed=listed is not None, state=state)
            return self.store.repair_slips.update(attrs.evolve(slip, charge=charge))

        return self._command(
            "work_orders.charge", command_id, actor, work, WorkOrderStepKind.CHARGED,
            f"{name}: ¥{value}, {state.value}",
        )  # fmt: skip

    @command
    def record_agreement(
        self, *, command_id: str, actor: Actor, work_order_id: str, version: int | None = None
    ) -> RepairSlip:
        """Record the customer's signed agreement to a charge over the supervisor limit.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: The charge does not await the manager.
        """

        def work(at: datetime) -> RepairSlip:
            slip, charge = self._awaiting(
                work_order_id, actor, ChargeState.AWAITING_MANAGER, version
            )
            signed = attrs.evolve(charge, agreement_signed=True)
            return self.store.repair_slips.update(attrs.evolve(slip, charge=signed))

        return self._command(
            "work_orders.agreement", command_id, actor, work, WorkOrderStepKind.AGREEMENT_SIGNED
        )

    @command
    def confirm_charge(
        self, *, command_id: str, actor: Actor, work_order_id: str, version: int | None = None
    ) -> RepairSlip:
        """Approve a waiting charge: by the engineering supervisor up to the limit,
        by the service-centre manager above it once the agreement is signed.

        Raises:
            PermissionDeniedError: The actor lacks the role the charge needs, or
                does not act for the order's community.
            ValidationError: No charge waits, or the agreement is not signed yet.
        """

        def work(at: datetime) -> RepairSlip:
            slip = self._slip(work_order_id, actor, version)
            charge = slip.charge
            if charge is None or charge.state is ChargeState.APPROVED:
                raise ValidationError.expected(
                    "work_order_id", "an order whose charge awaits confirmation", work_order_id
                )
            over = charge.state is ChargeState.AWAITING_MANAGER
            role = Role.SERVICE_CENTRE_MANAGER if over else Role.ENGINEERING_SUPERVISOR
            if role not in actor.roles:
                raise PermissionDeniedError(
                    f"a charge of ¥{charge.amount} off the list is confirmed by the {role.value}; "
                    f"{actor.id} is not one",
                    actor_id=actor.id,
                    community=slip.community,
                )
            if over and not charge.agreement_signed:
                raise ValidationError.expected(
                    "work_order_id", "a charge whose agreement is signed", work_order_id,
                    "record the customer's signed agreement first (record_agreement)",
                )  # fmt: skip
            done = attrs.evolve(charge, state=ChargeState.APPROVED, confirmed_by=actor.id)
            return self.store.repair_slips.update(attrs.evolve(slip, charge=done))

        return self._command(
            "work_orders.confirm_charge", command_id, actor, work,
            WorkOrderStepKind.CHARGE_CONFIRMED,
        )  # fmt: skip

    @command
    def fix(
        self, *, command_id: str, actor: Actor, work_order_id: str, version: int | None = None
    ) -> RepairSlip:
        """Record the repair done (处理完毕); refused while a charge awaits approval.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: The charge is not approved, or the order cannot be resolved now.
        """

        def work(at: datetime) -> RepairSlip:
            slip = self._slip(work_order_id, actor, version)
            if not slip.charge_approved:
                raise ValidationError.expected(
                    "work_order_id", "an order whose charge is approved", work_order_id,
                    f"its charge is {slip.charge.state.value}"  # type: ignore[union-attr]
                    ": approve it first (record_agreement, confirm_charge)",
                )  # fmt: skip
            self._step(work_order_id, Event(EventKind.RESOLVED, at))
            return self.store.repair_slips.update(slip)

        return self._command("work_orders.fix", command_id, actor, work, WorkOrderStepKind.FIXED)

    @command
    def sign_off(
        self, *, command_id: str, actor: Actor, work_order_id: str, version: int | None = None
    ) -> RepairSlip:
        """The customer tested the repair and signed the slip: close it and plan the callback.

        The callback's owner is drawn by role share (002 回访工作制度 一) from
        the community's stored allocator (``store.allocator_states``,
        ``"repair_callbacks:{community}"``), which is saved advanced by one;
        it is due by the order's callback kind from the fix.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: The order is not fixed, or was signed off already.
        """

        def work(at: datetime) -> RepairSlip:
            slip = self._slip(work_order_id, actor, version)
            order = self.store.work_orders.get(work_order_id)
            fixed = [e.at for e in order.timeline.events if e.kind is EventKind.RESOLVED]
            if not fixed or slip.signed_off_at is not None:
                raise ValidationError.expected(
                    "work_order_id", "a fixed order not yet signed off", work_order_id
                )
            self._step(work_order_id, Event(EventKind.CLOSED, at))
            repair = CompletedRepair(
                work_order_id, slip.customer_id, fixed[-1], order.callback_kind,
                slip.technician_id or "",
            )  # fmt: skip
            allocator = self._allocator(slip.community)
            plan = plan_after_repair(
                repair,
                calendar=self.policy.calendar("contact"),
                policy=self.policy,
                allocator=allocator,
            )
            self._save_allocator(slip.community, allocator)
            task = self.store.callback_tasks.add(plan.tasks[0])
            return self.store.repair_slips.update(
                attrs.evolve(slip, signed_off_at=at, callback_task_id=task.id)
            )

        return self._command(
            "work_orders.sign_off", command_id, actor, work, WorkOrderStepKind.SIGNED_OFF
        )

    @command
    def record_callback(
        self,
        *,
        command_id: str,
        actor: Actor,
        work_order_id: str,
        reached: bool,
        satisfied: bool = False,
        problem: str = "",
        note: str = "",
        version: int | None = None,
    ) -> RepairSlip:
        """Record the repair callback's outcome; a problem found sends a rectification notice.

        The notice (整改通知, due within the policy's ``rectification_within``)
        goes into the outbox in the same transaction, to the technician and
        the engineering supervisor.

        Raises:
            PermissionDeniedError: The actor does not act for the order's community.
            ValidationError: No callback is planned, or it has its outcome.
        """

        def work(at: datetime) -> RepairSlip:
            slip = self._slip(work_order_id, actor, version)
            if slip.callback_task_id is None:
                raise ValidationError.expected(
                    "work_order_id", "a signed-off order with its callback", work_order_id
                )
            task = self.store.callback_tasks.get(slip.callback_task_id)
            outcome = Outcome(at, reached, satisfied, problem, note=note)
            done = record_outcome(task, outcome, policy=self.policy.callbacks)
            self.store.callback_tasks.update(attrs.evolve(done.task, version=task.version))
            if done.notice is not None:
                notice = done.notice
                self.store.notifications.add(
                    Notification(
                        f"rectification:{work_order_id}:{task.id}",
                        kind=NotificationKind.RECTIFICATION,
                        subject_id=work_order_id,
                        community=slip.community,
                        to_roles=(Role.ENGINEERING_SUPERVISOR,),
                        to_ids=(notice.technician_id,) if notice.technician_id else (),
                        message=f"rectify work order {work_order_id} by "
                        f"{notice.due.isoformat()}: {notice.problem}",
                        created_at=at,
                        reasons=notice.reasons,
                    )
                )
            return self.store.repair_slips.update(slip)

        return self._command(
            "work_orders.callback", command_id, actor, work, WorkOrderStepKind.CALLBACK,
            "reached" if reached else "unreached",
        )  # fmt: skip

    # --- helpers ------------------------------------------------------------------------

    def _awaiting(
        self, work_order_id: str, actor: Actor, state: ChargeState, version: int | None
    ) -> tuple[RepairSlip, Charge]:
        slip = self._slip(work_order_id, actor, version)
        if slip.charge is None or slip.charge.state is not state:
            raise ValidationError.expected(
                "work_order_id", f"an order whose charge is {state.value}", work_order_id
            )
        return slip, slip.charge

    def _fixed_at(self, work_order_id: str) -> bool:
        """Whether the order's timeline records the repair done."""
        events = self.store.work_orders.get(work_order_id).timeline.events
        return any(event.kind is EventKind.RESOLVED for event in events)

    def _allocator(self, community: str) -> RoleShareAllocator:
        """The community's repair-callback allocator, resumed from its stored counts."""
        try:
            counts = self.store.allocator_states.get(f"repair_callbacks:{community}").counts
        except NotFoundError:
            counts = None
        return RoleShareAllocator.from_policy(self.policy, counts=counts)

    def _save_allocator(self, community: str, allocator: RoleShareAllocator) -> None:
        key = f"repair_callbacks:{community}"
        try:
            stored = self.store.allocator_states.get(key)
        except NotFoundError:
            self.store.allocator_states.add(AllocatorState(key, counts=allocator.counts))
            return
        self.store.allocator_states.update(attrs.evolve(stored, counts=allocator.counts))
