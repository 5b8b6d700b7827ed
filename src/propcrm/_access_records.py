"""What the archive desk keeps: the audit trail's entries and the customers' consents.

Public in :mod:`propcrm.records`; this module is private. RULES § 8 (002 §21;
安全保密制度 3: the archive room's register).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum

import attrs
from attrs import field, frozen

from propcrm._callback_rounds import role_value
from propcrm._checks import as_items
from propcrm._time import require_aware
from propcrm._validators import (
    aware_datetime,
    instance_of,
    int_at_least,
    is_str,
    non_empty_str,
    optional,
)
from propcrm.errors import ValidationError
from propcrm.privacy import Confidentiality, PersonalKind
from propcrm.roles import Role

__all__ = ["AuditAction", "AuditEntry", "Consent", "RecordKind"]


class AuditAction(Enum):
    """What an audit entry records."""

    READ = "read"
    """A record above the audit threshold was read (masked)."""
    REVEAL = "reveal"
    """A personal value was revealed in clear to a member of staff."""
    DISCLOSE = "disclose"
    """A personal value was disclosed to an outside party, on a legal basis or consent."""
    ANONYMISE = "anonymise"
    """The customer's personal values were replaced by placeholders everywhere."""
    CONSENT = "consent"
    """The customer's consent to a disclosure was recorded."""
    CONSENT_WITHDRAWN = "consent_withdrawn"
    """The customer withdrew a consent."""


class RecordKind(Enum):
    """Which kind of record an audit entry is about."""

    CUSTOMER = "customer"
    """A customer's archive (客户档案)."""
    REPAIR_SLIP = "repair_slip"
    """A work order's dispatch slip (派工单)."""
    COMPLAINT = "complaint"
    """A complaint register entry (客户投诉登记表)."""
    CONSENT = "consent"
    """A consent to disclosure."""


def _roles(value: Iterable[Role | str]) -> tuple[Role, ...]:
    items = as_items(value, "roles", "a list of roles")
    return tuple(sorted({Role(role_value(item, "roles")) for item in items}, key=list(Role).index))


def _kinds(value: Iterable[PersonalKind | str]) -> tuple[PersonalKind, ...]:
    items = as_items(value, "kinds", "a list of personal kinds")
    found = []
    for item in items:
        if isinstance(item, PersonalKind):
            found.append(item)
        elif isinstance(item, str) and item in _KIND_VALUES:
            found.append(PersonalKind(item))
        else:
            raise ValidationError.expected(
                "kinds", f"personal kinds, each one of {', '.join(_KIND_VALUES)}", item
            )
    if not found:
        raise ValidationError.expected("kinds", "at least one personal kind", value)
    return tuple(dict.fromkeys(found))


_KIND_VALUES = tuple(k.value for k in PersonalKind)


@frozen
class AuditEntry:
    """One line of the audit trail: who read, revealed or disclosed what, when, and why.

    Like the archive room's register (安全保密制度 3), the trail is append-only:
    a store numbers each entry as it appends it and offers no way to change or
    remove one. An entry names what was revealed (the record and the personal
    kind), never the clear value.

    Attributes:
        id: The store's number for the entry (``""`` until appended).
        at: When.
        actor_id: Who.
        roles: The roles they acted in.
        action: What they did.
        record: The kind of record concerned.
        record_id: Its id.
        customer_id: The customer the record is about.
        purpose: Why (the stated purpose; for an anonymisation or a consent, the request).
        kind: The personal kind revealed or disclosed, if any.
        level: The record's confidentiality level, for a read.
        recipient: For a disclosure: the outside party.
        basis: For a disclosure: the legal basis, or the consent's id.
    """

    at: datetime = field(kw_only=True, validator=aware_datetime)
    actor_id: str = field(kw_only=True, validator=non_empty_str)
    roles: tuple[Role, ...] = field(kw_only=True, converter=_roles)
    action: AuditAction = field(kw_only=True, validator=instance_of(AuditAction, "an AuditAction"))
    record: RecordKind = field(kw_only=True, validator=instance_of(RecordKind, "a RecordKind"))
    record_id: str = field(kw_only=True, validator=non_empty_str)
    customer_id: str = field(kw_only=True, validator=non_empty_str)
    purpose: str = field(kw_only=True, validator=non_empty_str)
    kind: PersonalKind | None = field(
        default=None, kw_only=True, validator=optional(instance_of(PersonalKind, "a PersonalKind"))
    )
    level: Confidentiality | None = field(
        default=None,
        kw_only=True,
        validator=optional(instance_of(Confidentiality, "a Confidentiality")),
    )
    recipient: str = field(default="", kw_only=True, validator=is_str)
    basis: str = field(default="", kw_only=True, validator=is_str)
    id: str = field(default="", kw_only=True, validator=is_str)


@frozen
class Consent:
    """A customer's consent to disclose personal data to an outside party (002 §21).

    Its scope is the recipient, the personal kinds and the purpose; it holds
    from ``given_at`` until withdrawn.

    Attributes:
        id: The consent's id.
        customer_id: Who consented.
        recipient: The outside party the data may go to.
        kinds: The personal kinds it covers.
        purpose: What for (the scope in words).
        given_at: When the customer consented.
        recorded_by: Who recorded it.
        withdrawn_at: When the customer withdrew it; ``None`` while it holds.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    customer_id: str = field(kw_only=True, validator=non_empty_str)
    recipient: str = field(kw_only=True, validator=non_empty_str)
    kinds: tuple[PersonalKind, ...] = field(kw_only=True, converter=_kinds)
    purpose: str = field(kw_only=True, validator=non_empty_str)
    given_at: datetime = field(kw_only=True, validator=aware_datetime)
    recorded_by: str = field(kw_only=True, validator=non_empty_str)
    withdrawn_at: datetime | None = field(
        default=None, kw_only=True, validator=optional(aware_datetime)
    )
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    def holds_at(self, at: datetime) -> bool:
        """Whether the consent was given by ``at`` and not withdrawn by then.

        Raises:
            ValidationError: ``at`` is naive.
        """
        require_aware(at, "at")
        withdrawn = self.withdrawn_at is not None and self.withdrawn_at <= at
        return self.given_at <= at and not withdrawn

    def covers(self, recipient: str, kind: PersonalKind, at: datetime) -> bool:
        """Whether it lets ``kind`` go to ``recipient`` at ``at``."""
        return recipient == self.recipient and kind in self.kinds and self.holds_at(at)


for _stored in (AuditEntry, Consent):
    attrs.resolve_types(_stored)  # before propcrm.records presents them as its own
del _stored
