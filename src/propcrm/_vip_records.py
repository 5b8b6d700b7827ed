"""What the VIP office keeps: each VIP's archive and the card events written in it.

Public in :mod:`propcrm.records`; this module is private. RULES § 3 (002 §§ 19-28).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum

import attrs
from attrs import field, frozen

from propcrm._checks import require_items, require_mapping
from propcrm._validators import (
    aware_datetime,
    instance_of,
    int_at_least,
    is_date,
    is_str,
    non_empty_str,
    optional,
)
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = ["VipArchive", "VipArchiveEvent", "VipArchiveEventKind", "birthdays_of"]


class VipArchiveEventKind(Enum):
    """What happened to a VIP's card (002 §§ 24-28)."""

    ISSUED = "issued"
    """A first card was issued (发放, § 24)."""
    RENEWED = "renewed"
    """At expiry the holder still qualified and got a new card (换发, § 26)."""
    REPLACED = "replaced"
    """A lost card was replaced by a new number (补发, § 27)."""
    REVOKED = "revoked"
    """VIP status was revoked (取消, § 28)."""


def _reasons(value: object) -> tuple[Reason, ...]:
    return require_items(value, "reasons", Reason, "a list of Reason values")


@frozen
class VipArchiveEvent:
    """One card event written in a VIP's archive, with who, when, why and under which policy.

    Attributes:
        kind: Issued, renewed, replaced or revoked.
        at: When the command ran.
        on: The day it took effect.
        actor_id: Who did it.
        command_id: The command that did it.
        card_id: The card it concerns: the new card, or the card revoked.
        previous_card_id: The card a renewal or replacement ended.
        note: Details (the revocation's ground and note, the loss reported).
        policy_fingerprint: The fingerprint of the policy that decided it.
        reasons: Why (the tier decision for an issue or a renewal, the rule applied).
    """

    kind: VipArchiveEventKind = field(
        validator=instance_of(VipArchiveEventKind, "a VipArchiveEventKind")
    )
    at: datetime = field(kw_only=True, validator=aware_datetime)
    on: date = field(kw_only=True, validator=is_date)
    actor_id: str = field(kw_only=True, validator=non_empty_str)
    command_id: str = field(kw_only=True, validator=non_empty_str)
    card_id: str = field(kw_only=True, validator=non_empty_str)
    previous_card_id: str | None = field(
        default=None, kw_only=True, validator=optional(non_empty_str)
    )
    note: str = field(default="", kw_only=True, validator=is_str)
    policy_fingerprint: str = field(default="", kw_only=True, validator=is_str)
    reasons: tuple[Reason, ...] = field(default=(), kw_only=True, converter=_reasons)


def birthdays_of(value: Mapping[str, date]) -> dict[str, date]:
    """``value`` as birthdays: person (non-empty text) → date of birth.

    Raises:
        ValidationError: It is not such a mapping (the bad entry is named).
    """
    found = require_mapping(value, "birthdays", "a mapping of person to date of birth")
    for person, born in found.items():
        if not isinstance(person, str) or not person.strip():
            raise ValidationError.expected(
                "birthdays", "people named by non-empty text", person, "e.g. 'self', 'spouse'"
            )
        if not isinstance(born, date) or isinstance(born, datetime):
            raise ValidationError.expected(f"birthdays.{person}", "a datetime.date", born)
    return dict(found)


def _events(value: object) -> tuple[VipArchiveEvent, ...]:
    return require_items(value, "events", VipArchiveEvent, "a list of VipArchiveEvent values")


@frozen
class VipArchive:
    """A VIP's archive (VIP 客户档案, 002 § 20): their cards and the service facts care needs.

    Kept by the office's VIP assistant (客户助理, §§ 19-20); one per VIP customer.

    Attributes:
        id: The VIP customer's id.
        community: The community (小区) whose office keeps it; who may act on it.
        assistant_id: The VIP assistant who keeps it and is told of its reminders.
        opened_at: When the first card was issued.
        card_id: The customer's latest card (valid, or ended as its events say).
        birthdays: Person (``"self"``, ``"spouse"``, ...) → date of birth, for family care (§ 33).
        events: Every card event, oldest first.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    assistant_id: str = field(kw_only=True, validator=non_empty_str)
    opened_at: datetime = field(kw_only=True, validator=aware_datetime)
    card_id: str = field(kw_only=True, validator=non_empty_str)
    birthdays: dict[str, date] = field(factory=dict, kw_only=True, converter=birthdays_of)
    events: tuple[VipArchiveEvent, ...] = field(default=(), kw_only=True, converter=_events)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def customer_id(self) -> str:
        """The VIP customer's id (the archive's own)."""
        return self.id

    @property
    def card_ids(self) -> tuple[str, ...]:
        """Every card the customer has held, oldest first."""
        return tuple(dict.fromkeys(e.card_id for e in self.events))


for _stored in (VipArchiveEvent, VipArchive):
    attrs.resolve_types(_stored)  # before propcrm.records presents them as its own
del _stored
