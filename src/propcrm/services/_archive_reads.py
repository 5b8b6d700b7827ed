"""The archive desk's reads and reveals: levels enforced, every clear value registered.

RULES § 8 (002 §§5, 20, 21; 安全保密制度 3; 入户维修 4.1.7).
:class:`~propcrm.services.ArchiveDesk` (in ``_archive_desk``) adds consent,
disclosure and anonymisation; this module is private.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from propcrm._checks import require_text
from propcrm._time import Clock, require_aware
from propcrm.access import AccessDecision, AccessPolicy, decide_read, decide_reveal, level_of
from propcrm.customers import Customer
from propcrm.errors import (
    NotFoundError,
    PermissionDeniedError,
    StorageError,
    ValidationError,
    shown,
)
from propcrm.policy import Policy
from propcrm.privacy import Confidentiality, PersonalData, PersonalKind
from propcrm.records import AuditAction, AuditEntry, ComplaintCase, RecordKind, RepairSlip
from propcrm.services._commands import Actor, CommandRunner, require_actor, withhold_personal
from propcrm.storage import Cursor, Page, Store
from propcrm.work_orders import WorkOrderState

__all__ = ["ANONYMISED", "ArchiveReads", "personal_kind"]

ANONYMISED = "anonymised"
"""The placeholder that replaces every personal value of an anonymised customer.

The same for everyone and derived from nothing, so it cannot be reversed."""

R = TypeVar("R")

_DONE = (WorkOrderState.RESOLVED, WorkOrderState.CLOSED)
_SLIP_FIELDS = {PersonalKind.ADDRESS: "address", PersonalKind.PHONE: "contact"}


def personal_kind(value: object) -> PersonalKind:
    """``value`` as a :class:`~propcrm.privacy.PersonalKind` (a member or its value text)."""
    if isinstance(value, PersonalKind):
        return value
    if isinstance(value, str) and value in _KINDS:
        return PersonalKind(value)
    raise ValidationError.expected("kind", f"a PersonalKind, one of {', '.join(_KINDS)}", value)


_KINDS = tuple(k.value for k in PersonalKind)


class ArchiveReads:
    """Reads and reveals of the archive desk (see :class:`~propcrm.services.ArchiveDesk`).

    Args:
        store: The store.
        clock: Tells the time of each read and command.
        policy: The rules; ``None`` for the defaults.
    """

    def __init__(self, store: Store, *, clock: Clock, policy: Policy | None = None) -> None:
        self._runner = CommandRunner(store, clock=clock, policy=policy)
        self.store = store
        self.policy = self._runner.policy
        self.access: AccessPolicy = self.policy.access

    # --- reads ----------------------------------------------------------------------------

    def read_customer(
        self, customer_id: str, *, actor: Actor, purpose: str | None = None
    ) -> Customer:
        """Read a customer's archive, personal data masked and withheld.

        The record's level is its own confidentiality, raised to the policy's
        ``vip_archive_level`` when the customer holds a VIP card (002 §20). A
        read above ``audit_above`` is written to the audit trail, with its
        ``purpose``, in the same transaction.

        Raises:
            PermissionDeniedError: The actor does not act for the customer's
                community, or is not cleared to the record's level (nothing is
                returned).
            NotFoundError: There is no such customer.
            ValidationError: ``purpose`` is missing for an audited read, or too long.
        """

        def read(at: datetime) -> Customer:
            customer = self.store.customers.get(customer_id)
            self._read(actor, customer, purpose, at)
            return withhold_personal(customer)

        return self._in_transaction(actor, purpose, read)

    def read_complaint(
        self, complaint_id: str, *, actor: Actor, purpose: str | None = None
    ) -> ComplaintCase:
        """Read a complaint's register entry, at the policy's ``complaint_level``.

        Raises:
            PermissionDeniedError: Another community's complaint, or a level above the actor's.
            NotFoundError: There is no such complaint.
            ValidationError: ``purpose`` is missing for an audited read, or too long.
        """

        def read(at: datetime) -> ComplaintCase:
            case = self.store.complaint_cases.get(complaint_id)
            self._check(
                actor, RecordKind.COMPLAINT, case.id, case.community, self.access.complaint_level,
                case.customer_id, purpose, at,
            )  # fmt: skip
            return case

        return self._in_transaction(actor, purpose, read)

    def read_slip(
        self, work_order_id: str, *, actor: Actor, purpose: str | None = None
    ) -> RepairSlip:
        """Read a work order's repair slip, address and phone masked and withheld.

        Raises:
            PermissionDeniedError: Another community's slip, or a level above the actor's.
            NotFoundError: There is no such work order.
            ValidationError: ``purpose`` is missing for an audited read, or too long.
        """

        def read(at: datetime) -> RepairSlip:
            slip = self.store.repair_slips.get(work_order_id)
            self._check(
                actor, RecordKind.REPAIR_SLIP, slip.id, slip.community,
                self.access.repair_slip_level, slip.customer_id, purpose, at,
            )  # fmt: skip
            return withhold_personal(slip)

        return self._in_transaction(actor, purpose, read)

    # --- reveals --------------------------------------------------------------------------

    def reveal(
        self, customer_id: str, kind: PersonalKind | str, *, actor: Actor, purpose: str
    ) -> str:
        """Return one clear personal value of a customer, and register that it was revealed.

        The actor must be cleared to the customer's record and hold a role that
        may reveal ``kind``. The audit entry (who, what, when, why; never the
        value) is written in the same transaction; the value is returned only
        once that transaction has committed.

        Raises:
            PermissionDeniedError: As for :meth:`read_customer`, or no role of
                the actor may reveal ``kind``.
            NotFoundError: No such customer, or the customer has no ``kind`` on record.
            ValidationError: ``kind`` is unknown, ``purpose`` is missing or too long.
        """
        wanted = personal_kind(kind)
        stated = self._purpose(purpose, required=True)

        def work(at: datetime) -> str:
            customer = self.store.customers.get(customer_id)
            level = self._read(actor, customer, stated, at, audit=False)
            self._allow(actor, decide_reveal(actor.roles, wanted, policy=self.access),
                        f"customer {customer.id}", level, wanted)  # fmt: skip
            data: PersonalData | None = getattr(customer, wanted.value)
            if data is None:
                raise NotFoundError(
                    f"customer {shown(customer.id)} has no {wanted.value} on record"
                )
            value: str = data.reveal()
            self._register(
                actor, at, AuditAction.REVEAL, RecordKind.CUSTOMER, customer.id, customer.id,
                stated, kind=wanted, level=level,
            )  # fmt: skip
            return value

        return self._in_transaction(actor, stated, work)

    def reveal_slip(
        self, work_order_id: str, kind: PersonalKind | str, *, actor: Actor, purpose: str
    ) -> str:
        """Return the clear address or phone of a repair slip, and register it.

        A technician sees the address and phone of a work order they are
        dispatched to while it is open (not yet resolved or signed off); after
        that, only a role that may reveal the kind does (RULES §8, 入户维修 4.1.7).

        Raises:
            PermissionDeniedError: Another community's slip, a level above the
                actor's, or no right to reveal ``kind``.
            NotFoundError: There is no such work order.
            ValidationError: ``kind`` is not address or phone; ``purpose`` is missing or too long.
        """
        wanted = personal_kind(kind)
        if wanted not in _SLIP_FIELDS:
            raise ValidationError.expected(
                "kind", "address or phone (what a slip holds)", wanted.value
            )
        stated = self._purpose(purpose, required=True)

        def work(at: datetime) -> str:
            slip = self.store.repair_slips.get(work_order_id)
            level = self.access.repair_slip_level
            self._check(actor, RecordKind.REPAIR_SLIP, slip.id, slip.community, level,
                        slip.customer_id, stated, at, audit=False)  # fmt: skip
            decision = decide_reveal(
                actor.roles, wanted, assigned_open_order=self._assigned(slip, actor),
                policy=self.access,
            )  # fmt: skip
            self._allow(actor, decision, f"repair slip {slip.id}", level, wanted)
            value = getattr(slip, _SLIP_FIELDS[wanted]).reveal()
            self._register(
                actor, at, AuditAction.REVEAL, RecordKind.REPAIR_SLIP, slip.id, slip.customer_id,
                stated, kind=wanted, level=level,
            )  # fmt: skip
            return str(value)

        return self._in_transaction(actor, stated, work)

    # --- the trail ------------------------------------------------------------------------

    def trail(
        self,
        *,
        customer_id: str | None = None,
        actor_id: str | None = None,
        limit: int = 100,
        after: Cursor | None = None,
    ) -> Page[AuditEntry]:
        """One page of the audit trail, oldest first: for a customer, an actor, or all.

        Raises:
            ValidationError: An id that is not text, a limit outside 1-10,000, a foreign cursor.
        """
        where = {"customer_id": customer_id, "actor_id": actor_id}
        chosen = {name: value for name, value in where.items() if value is not None}
        return self.store.audit_trail.list(limit=limit, after=after, **chosen)

    # --- shared steps ---------------------------------------------------------------------

    def _in_transaction(
        self, actor: Actor, purpose: str | None, work: Callable[[datetime], R]
    ) -> R:
        require_actor(actor)
        self._purpose(purpose, required=False)
        if self.store.in_transaction():
            # Inside a caller's block the entry could still be rolled back after the
            # value (or the masked record) has left: the register would miss it.
            raise StorageError(
                "the archive desk's reads and reveals commit their register entry before "
                "they return: call them outside store.transaction()"
            )
        with self.store.transaction():
            result = work(require_aware(self._runner.clock.now(), "clock.now()"))
        return result  # noqa: RET504  # returned only once the transaction has committed

    def _purpose(self, purpose: str | None, *, required: bool) -> str:
        if purpose is None and not required:
            return ""
        longest = self.access.max_purpose_length
        if isinstance(purpose, str) and len(purpose) > longest:
            raise ValidationError(
                "purpose",
                f"purpose: expected at most {longest} characters, got {len(purpose):,}; "
                "state the purpose in a sentence (access.max_purpose_length)",
                len(purpose),
            )
        text = require_text(purpose, "purpose", "the purpose as text", "say why, e.g. 'callback'")
        if not text.strip():
            raise ValidationError.expected("purpose", "a stated purpose", purpose, "say why")
        return text

    def _recipient(self, recipient: str) -> str:
        to = require_text(recipient, "recipient", "the outside party, e.g. '派出所'")
        longest = self.access.max_purpose_length
        if not to.strip() or len(to) > longest:
            raise ValidationError(
                "recipient",
                f"recipient: expected the outside party's name in 1-{longest} characters, "
                f"got {len(to):,}; name the party, e.g. '派出所' (access.max_purpose_length)",
                len(to),
            )
        return to

    def _quoted(self, record: RecordKind, record_id: str, customer_id: str) -> set[str]:
        """The clear values an entry about the record must not hold (placeholders excepted)."""
        held: list[PersonalData | None] = []
        names = set()
        try:
            customer = self.store.customers.get(customer_id)
        except NotFoundError:  # a slip may name a customer not (or no longer) on file
            pass
        else:
            held += [customer.phone, customer.id_number, customer.address]
            names.add(customer.name)
        if record is RecordKind.REPAIR_SLIP:
            slip = self.store.repair_slips.get(record_id)
            held += [slip.address, slip.contact]
        values = {data.reveal() for data in held if data is not None} | names
        return {value for value in values if len(value.strip()) > 1 and value != ANONYMISED}

    def _customer_level(self, customer: Customer) -> Confidentiality | None:
        level = level_of(customer.confidentiality)
        if level is not None and self.store.vip_cards.held_by(customer.id):
            level = max(level, self.access.vip_archive_level)
        return level

    def _read(
        self, actor: Actor, customer: Customer, purpose: str | None, at: datetime, *,
        audit: bool = True,
    ) -> Confidentiality | None:  # fmt: skip
        level = self._customer_level(customer)
        self._check(actor, RecordKind.CUSTOMER, customer.id, customer.community, level,
                    customer.id, purpose, at, audit=audit)  # fmt: skip
        return level

    def _check(
        self, actor: Actor, record: RecordKind, record_id: str, community: str | None,
        level: Confidentiality | None, customer_id: str, purpose: str | None, at: datetime,
        *, audit: bool = True,
    ) -> None:  # fmt: skip
        """Refuse another community's record or one above the actor's level; register a read."""
        if community is not None:
            actor.require(community)
        named = f"{record.value.replace('_', ' ')} {record_id}"
        self._allow(actor, decide_read(actor.roles, level, policy=self.access), named, level)
        if audit and level is not None and level > self.access.audit_above:
            if not purpose:
                raise ValidationError(
                    "purpose",
                    f"purpose: reading {named} ({level.value}) is registered; "
                    "state the purpose of the read",
                    purpose,
                )
            self._register(actor, at, AuditAction.READ, record, record_id, customer_id,
                           purpose, level=level)  # fmt: skip

    def _allow(
        self,
        actor: Actor,
        decision: AccessDecision,
        record: str,
        level: Confidentiality | None,
        kind: PersonalKind | None = None,
    ) -> None:
        if decision.allowed:
            return
        shown_level = "a forged level" if level is None else level.value
        what = f"reveal the {kind.value} of" if kind else "read"
        needed = ", ".join(decision.needed) or "none: the office must set a valid level"
        raise PermissionDeniedError(
            f"{actor.id} may not {what} {record} ({shown_level}); roles that may: {needed}",
            actor_id=actor.id,
            record=record,
            level=shown_level,
            needed=decision.needed,
        )

    def _assigned(self, slip: RepairSlip, actor: Actor) -> bool:
        """Whether ``actor`` is the technician dispatched to the slip's still-open order."""
        if slip.technician_id != actor.id or slip.signed_off_at is not None:
            return False
        return self.store.work_orders.get(slip.id).state not in _DONE

    def _register(
        self, actor: Actor, at: datetime, action: AuditAction, record: RecordKind,
        record_id: str, customer_id: str, purpose: str, *, kind: PersonalKind | None = None,
        level: Confidentiality | None = None, recipient: str = "", basis: str = "",
    ) -> AuditEntry:  # fmt: skip
        values = self._quoted(record, record_id, customer_id)
        stated = (("purpose", purpose), ("recipient", recipient), ("legal_basis", basis))
        for name, text in stated:
            if any(value in text for value in values):
                # The message does not repeat the text: it holds the value.
                raise ValidationError(
                    name,
                    f"{name}: it quotes a personal value of the customer; the register "
                    "names what was revealed, never the value: say why without it",
                    None,
                )
        return self.store.audit_trail.append(
            AuditEntry(
                at=at,
                actor_id=actor.id,
                roles=actor.roles,
                action=action,
                record=record,
                record_id=record_id,
                customer_id=customer_id,
                purpose=purpose,
                kind=kind,
                level=level,
                recipient=recipient,
                basis=basis,
            )
        )
