"""The archive desk: consent, disclosure to outside parties, and anonymisation.

Public in :mod:`propcrm.services`; this module is private. RULES § 8 (002 §21;
Decision (turn 2): erasure by irreversible placeholders, statistics kept).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs
from attrs import frozen

from propcrm.access import decide_reveal
from propcrm.customers import Customer
from propcrm.errors import NotFoundError, PermissionDeniedError, ValidationError, shown
from propcrm.privacy import PersonalData, PersonalKind
from propcrm.records import (
    AuditAction,
    CommandRecord,
    Consent,
    NightEntry,
    RecordKind,
    RepairSlip,
)
from propcrm.roles import Role
from propcrm.services._archive_reads import ANONYMISED, ArchiveReads, personal_kind
from propcrm.services._arguments import command
from propcrm.services._commands import Actor, require_actor

__all__ = ["ANONYMISED", "AnonymisationReport", "ArchiveDesk"]

_PAGE = 1000  # records read per page while anonymising
_ERASERS = (Role.GENERAL_MANAGER, Role.SERVICE_CENTRE_MANAGER)


@frozen
class AnonymisationReport:
    """What :meth:`ArchiveDesk.anonymise_customer` replaced.

    Attributes:
        customer_id: The customer.
        at: When.
        customer_values: Personal values replaced on the customer's record
            (name included).
        slips: Repair slips of the customer whose address and phone were replaced.
        commands: Command-log results whose copies of the values were replaced.
        night_entries: Night-log entries of the customer whose caller's phone
            (and the address of their work-order decision) were replaced.
        vip_archive: Whether the customer's VIP archive held dates of birth,
            now removed.
    """

    customer_id: str
    at: datetime
    customer_values: int
    slips: int
    commands: int
    night_entries: int = 0
    vip_archive: bool = False


def _placeholder(data: PersonalData | None) -> PersonalData | None:
    return None if data is None else PersonalData(data.kind, ANONYMISED)


class ArchiveDesk(ArchiveReads):
    """The archive desk (客户档案): who may see what, and a register of every clear value.

    Reads (:meth:`read_customer`, :meth:`read_complaint`, :meth:`read_slip`)
    check the actor's community and confidentiality level and return records
    whose personal data is masked and withheld; a read above the policy's
    ``audit_above`` is registered. :meth:`reveal` and :meth:`reveal_slip` give
    one clear value to a role allowed to see it, with a stated purpose, and
    register it; :meth:`disclose` gives one to an outside party on a legal
    basis or the customer's recorded consent. Every entry of the register
    (:meth:`trail`, ``store.audit_trail``) says who, what, when and why, never
    the value, and is written in the same transaction as the read.

    Commands (:meth:`record_consent`, :meth:`withdraw_consent`,
    :meth:`anonymise_customer`) take ``command_id=`` like every desk's: a
    retry changes nothing and returns the first result.

    Args:
        store: The store.
        clock: Tells the time of each read and command.
        policy: The rules (``policy.access``); ``None`` for the defaults.

    Raises:
        ValidationError: An argument is invalid (named in the message).
    """

    # --- consent and disclosure -----------------------------------------------------------

    @command
    def record_consent(
        self,
        *,
        command_id: str,
        actor: Actor,
        consent_id: str,
        customer_id: str,
        recipient: str,
        kinds: Iterable[PersonalKind | str],
        purpose: str,
    ) -> Consent:
        """Record a customer's consent to disclose ``kinds`` to ``recipient``, from now.

        Raises:
            PermissionDeniedError: The actor does not act for the customer's community.
            NotFoundError: There is no such customer.
            ConflictError: ``consent_id`` is taken.
            ValidationError: A field is invalid (named in the message).
        """
        require_actor(actor)
        stated = self._purpose(purpose, required=True)
        to = self._recipient(recipient)

        def work(at: datetime) -> Consent:
            customer = self._customer_for(customer_id, actor)
            consent = self.store.consents.add(
                Consent(
                    consent_id,
                    customer_id=customer.id,
                    recipient=to,
                    kinds=kinds,
                    purpose=stated,
                    given_at=at,
                    recorded_by=actor.id,
                )
            )
            self._register(actor, at, AuditAction.CONSENT, RecordKind.CONSENT, consent.id,
                           customer.id, stated, recipient=consent.recipient)  # fmt: skip
            return consent

        return self._runner.run(
            "archive.record_consent", command_id=command_id, actor=actor,
            result_type=Consent, work=work,
        )  # fmt: skip

    @command
    def withdraw_consent(self, *, command_id: str, actor: Actor, consent_id: str) -> Consent:
        """Record that the customer withdrew a consent, at the clock's time.

        Raises:
            PermissionDeniedError: The actor does not act for the customer's community.
            NotFoundError: There is no such consent.
            ValidationError: It was withdrawn already.
        """
        require_actor(actor)

        def work(at: datetime) -> Consent:
            consent = self.store.consents.get(consent_id)
            self._customer_for(consent.customer_id, actor)
            if consent.withdrawn_at is not None:
                raise ValidationError.expected(
                    "consent_id", "a consent not yet withdrawn", consent_id
                )
            withdrawn = self.store.consents.update(attrs.evolve(consent, withdrawn_at=at))
            self._register(actor, at, AuditAction.CONSENT_WITHDRAWN, RecordKind.CONSENT,
                           consent.id, consent.customer_id, "consent withdrawn by the customer",
                           recipient=consent.recipient)  # fmt: skip
            return withdrawn

        return self._runner.run(
            "archive.withdraw_consent", command_id=command_id, actor=actor,
            result_type=Consent, work=work,
        )  # fmt: skip

    def disclose(
        self,
        customer_id: str,
        kind: PersonalKind | str,
        *,
        actor: Actor,
        recipient: str,
        purpose: str,
        legal_basis: str | None = None,
    ) -> str:
        """Return a clear value for an outside party, on a legal basis or consent (002 §21).

        The actor must be allowed to reveal ``kind``. The disclosure needs a
        ``legal_basis`` (the law or order, in words) or a consent of the
        customer covering ``recipient`` and ``kind`` that holds now. The
        register names the recipient and the basis.

        Raises:
            PermissionDeniedError: No legal basis and no consent, or the actor
                may not read the record or reveal ``kind``.
            NotFoundError: No such customer, or no ``kind`` on record.
            ValidationError: An argument is invalid (named in the message).
        """
        wanted = personal_kind(kind)
        stated = self._purpose(purpose, required=True)
        to = self._recipient(recipient)
        basis = None if legal_basis is None else self._purpose(legal_basis, required=True)

        def work(at: datetime) -> str:
            customer = self.store.customers.get(customer_id)
            level = self._read(actor, customer, stated, at, audit=False)
            decision = decide_reveal(actor.roles, wanted, policy=self.access)
            self._allow(actor, decision, f"customer {customer.id}", level, wanted)
            grounds = f"law: {basis}" if basis else self._consent_for(customer.id, to, wanted, at)
            if grounds is None:
                raise PermissionDeniedError(
                    f"{customer.id}'s {wanted.value} may go to {shown(to)} only on a legal "
                    "basis or the customer's consent (002 §21): give legal_basis=, or record "
                    "the consent first",
                    actor_id=actor.id,
                    record=f"customer {customer.id}",
                )
            data = getattr(customer, wanted.value)
            value = self._clear(customer, data, wanted)
            self._register(actor, at, AuditAction.DISCLOSE, RecordKind.CUSTOMER, customer.id,
                           customer.id, stated, kind=wanted, level=level, recipient=to,
                           basis=grounds)  # fmt: skip
            return value

        return self._in_transaction(actor, stated, work)

    def _consent_for(
        self, customer_id: str, recipient: str, kind: PersonalKind, at: datetime
    ) -> str | None:
        after = None
        while True:
            page = self.store.consents.list(
                customer_id=customer_id, active=True, limit=_PAGE, after=after
            )
            for consent in page.items:
                if consent.covers(recipient, kind, at):
                    return f"consent: {consent.id}"
            if page.next is None:
                return None
            after = page.next

    # --- anonymisation --------------------------------------------------------------------

    @command
    def anonymise_customer(
        self, *, command_id: str, actor: Actor, customer_id: str, purpose: str
    ) -> AnonymisationReport:
        """Replace a customer's personal values everywhere by irreversible placeholders.

        The customer's name, phone, ID number and address, the address and
        phone on each of their repair slips, the caller's phone and the repair
        address on each of their night-log entries, and the copies of those
        values in the command log become :data:`~propcrm.services.ANONYMISED`;
        the dates of birth in their VIP archive are removed. Grades, tiers, SLA
        timelines, complaints and scores are kept, so statistics do not change
        (RULES §8, Decision (turn 2)). The audit trail records it. Free text
        (a complaint's summary, a note) is not rewritten. On a SQLite store,
        call ``store.scrub()`` afterwards so no old byte stays in its files.

        Only the general manager and the service-centre manager may do it.

        Raises:
            PermissionDeniedError: The actor lacks those roles or does not act
                for the customer's community.
            NotFoundError: There is no such customer.
            ValidationError: ``purpose`` is missing or too long.
        """
        require_actor(actor)
        stated = self._purpose(purpose, required=True)

        def work(at: datetime) -> AnonymisationReport:
            customer = self._customer_for(customer_id, actor)
            if not actor.roles & set(_ERASERS):
                raise PermissionDeniedError(
                    f"{actor.id} may not anonymise customer {customer.id}; roles that may: "
                    f"{', '.join(r.value for r in _ERASERS)}",
                    actor_id=actor.id,
                    record=f"customer {customer.id}",
                    needed=tuple(r.value for r in _ERASERS),
                )
            clear = self._clear_values(customer)
            slips = self._anonymise_slips(customer.id, clear)
            nights = self._anonymise_night_entries(customer.id, clear)
            archive = self._anonymise_vip_archive(customer.id)
            values = len(clear) + (customer.name != ANONYMISED)
            self.store.customers.update(
                attrs.evolve(
                    customer,
                    name=ANONYMISED,
                    phone=_placeholder(customer.phone),
                    id_number=_placeholder(customer.id_number),
                    address=_placeholder(customer.address),
                )
            )
            commands = self._anonymise_commands(clear, customer.name, customer.id)
            self._register(actor, at, AuditAction.ANONYMISE, RecordKind.CUSTOMER, customer.id,
                           customer.id, stated)  # fmt: skip
            return AnonymisationReport(
                customer.id, at, values, slips, commands, night_entries=nights, vip_archive=archive
            )

        return self._runner.run(
            "archive.anonymise_customer", command_id=command_id, actor=actor,
            result_type=AnonymisationReport, work=work,
        )  # fmt: skip

    def _customer_for(self, customer_id: str, actor: Actor) -> Customer:
        customer = self.store.customers.get(customer_id)
        if customer.community is not None:
            actor.require(customer.community)
        return customer

    def _clear(self, customer: Customer, data: PersonalData | None, kind: PersonalKind) -> str:
        if data is None:
            raise NotFoundError(f"customer {shown(customer.id)} has no {kind.value} on record")
        return data.reveal()

    @staticmethod
    def _clear_values(customer: Customer) -> set[tuple[str, str]]:
        found = set()
        for data in (customer.phone, customer.id_number, customer.address):
            if data is not None and data.reveal() != ANONYMISED:
                found.add((data.kind.value, data.reveal()))
        return found

    def _anonymise_slips(self, customer_id: str, clear: set[tuple[str, str]]) -> int:
        changed = []
        after = None
        while True:
            page = self.store.repair_slips.list(limit=_PAGE, after=after)
            changed += [s for s in page.items if s.customer_id == customer_id and _named(s)]
            if page.next is None:
                break
            after = page.next
        for slip in changed:
            clear.update({("address", slip.address.reveal()), ("phone", slip.contact.reveal())})
            self.store.repair_slips.update(
                attrs.evolve(
                    slip,
                    address=PersonalData(PersonalKind.ADDRESS, ANONYMISED),
                    contact=PersonalData(PersonalKind.PHONE, ANONYMISED),
                )
            )
        return len(changed)

    def _anonymise_night_entries(self, customer_id: str, clear: set[tuple[str, str]]) -> int:
        changed = []
        after = None
        while True:
            page = self.store.night_entries.list(limit=_PAGE, after=after)
            changed += [e for e in page.items if e.customer_id == customer_id and _logged(e)]
            if page.next is None:
                break
            after = page.next
        for entry in changed:
            clear.add(("phone", entry.caller.reveal()))
            assignment = entry.assignment
            if assignment is not None and assignment.address is not None:
                clear.add(("address", assignment.address.reveal()))
                assignment = attrs.evolve(assignment, address=_placeholder(assignment.address))
            caller = PersonalData(PersonalKind.PHONE, ANONYMISED)
            self.store.night_entries.update(
                attrs.evolve(entry, caller=caller, assignment=assignment)
            )
        return len(changed)

    def _anonymise_vip_archive(self, customer_id: str) -> bool:
        try:
            archive = self.store.vip_archives.get(customer_id)
        except NotFoundError:
            return False
        if not archive.birthdays:
            return False
        self.store.vip_archives.update(attrs.evolve(archive, birthdays={}))
        return True

    def _anonymise_commands(self, clear: set[tuple[str, str]], name: str, customer_id: str) -> int:
        changed: list[CommandRecord] = []
        after = None
        while True:
            page = self.store.commands.list(limit=_PAGE, after=after)
            for record in page.items:
                result = _scrubbed(record.result, clear, name, customer_id)
                if result != record.result:
                    changed.append(attrs.evolve(record, result=result))
            if page.next is None:
                break
            after = page.next
        for record in changed:
            self.store.commands.update(record)
        return len(changed)


def _named(slip: RepairSlip) -> bool:
    """Whether the slip still holds personal values (not anonymised yet)."""
    return ANONYMISED not in (slip.address.reveal(), slip.contact.reveal())


def _logged(entry: NightEntry) -> bool:
    """Whether the night entry still holds personal values (not anonymised yet)."""
    address = entry.assignment.address if entry.assignment is not None else None
    held = [entry.caller, *([address] if address is not None else [])]
    return any(data.reveal() != ANONYMISED for data in held)


def _scrubbed(text: str, clear: set[tuple[str, str]], name: str, customer_id: str) -> str:
    """``text`` (a command's encoded result) with the customer's values replaced."""
    born = '"birthdays"' in text and customer_id in text
    if not any(value in text for _, value in clear) and name not in text and not born:
        return text
    data = json.loads(text)
    replaced = _replace(data, clear, name, customer_id)
    if replaced == data:
        return text
    return json.dumps(replaced, ensure_ascii=False, separators=(",", ":"))


def _replace(data: Any, clear: set[tuple[str, str]], name: str, customer_id: str) -> Any:
    if isinstance(data, dict):
        if set(data) == {"kind", "value"} and (data["kind"], data["value"]) in clear:
            return {"kind": data["kind"], "value": ANONYMISED}
        archive = data.get("id") == customer_id and "assistant_id" in data
        return {
            key: _replace(value, clear, name, customer_id)
            for key, value in data.items()
            if not (archive and key == "birthdays")  # a VIP archive's dates of birth
        }
    if isinstance(data, list):
        return [_replace(item, clear, name, customer_id) for item in data]
    if isinstance(data, str) and data == name:
        return ANONYMISED
    return data
