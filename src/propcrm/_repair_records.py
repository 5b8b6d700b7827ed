"""What the work-order desk keeps: the repair slip, its charge, and the allocator's state.

Public in :mod:`propcrm.records`; this module is private. RULES § 9
(物业报修管理制度 4-6; 入户维修 4.1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

import attrs
from attrs import field, frozen

from propcrm._checks import require_mapping
from propcrm._validators import (
    aware_datetime,
    instance_of,
    int_at_least,
    is_bool,
    is_str,
    non_empty_str,
    optional,
)
from propcrm.errors import ValidationError
from propcrm.privacy import PersonalData, PersonalKind

__all__ = ["AllocatorState", "Charge", "ChargeState", "RepairCategory", "RepairSlip", "money"]


class RepairCategory(Enum):
    """What a repair request concerns (物业报修管理制度 4)."""

    HOUSE = "house"
    """Inside the customer's home (户内)."""
    BUILDING_SYSTEMS = "building_systems"
    """Water, power or gas of the building (水电气)."""
    PUBLIC_FACILITY = "public_facility"
    """A public facility of the community (公共设施)."""
    SPECIAL_REQUEST = "special_request"
    """A special request (特约服务)."""


class ChargeState(Enum):
    """Where a repair's charge stands (入户维修 4.1.2, 4.1.10)."""

    APPROVED = "approved"
    """Listed at the published price, or confirmed as the rules require."""
    AWAITING_SUPERVISOR = "awaiting_supervisor"
    """Off the list, up to the limit: the engineering supervisor must confirm."""
    AWAITING_MANAGER = "awaiting_manager"
    """Off the list, over the limit: a signed agreement and the service-centre manager."""


_CENT = Decimal("0.01")


def money(value: object, name: str = "amount") -> Decimal:
    """``value`` as yuan: a Decimal, int or numeric text above zero, at most two decimals.

    Raises:
        ValidationError: It is not such an amount (a float is refused: it cannot hold cents).
    """
    hint = "give yuan as Decimal('120.50'), an int or text, above zero, at most 2 decimals"
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError.expected(name, "an amount in yuan", value, hint)
    try:
        amount = Decimal(value)
        cents = amount.quantize(_CENT)
    except (InvalidOperation, ValueError):
        raise ValidationError.expected(name, "an amount in yuan", value, hint) from None
    if not amount.is_finite() or amount <= 0 or amount != cents:
        raise ValidationError.expected(name, "an amount in yuan", value, hint)
    return cents


def _money(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, Decimal):
        raise ValidationError.expected("amount", "a Decimal amount in yuan", value)
    money(value)


def _personal(kind: PersonalKind) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, PersonalData) or value.kind is not kind:
            raise ValidationError.expected(
                getattr(attribute, "name", "value"),
                f"PersonalData of kind {kind.value}",
                type(value).__name__,
                f"wrap it: PersonalData(PersonalKind.{kind.name}, text)",
            )

    return check


@frozen
class Charge:
    """A repair's charge and who approved it.

    Attributes:
        item: What is charged (the price-list item, or the assessed material).
        amount: Yuan, above zero, at most two decimals.
        listed: The item is on the published price list, charged as listed.
        state: Approved, or whose confirmation it awaits.
        agreement_signed: Over the limit: the customer signed the charge agreement.
        confirmed_by: Who confirmed it (supervisor or manager); ``""`` when listed or waiting.
    """

    item: str = field(validator=non_empty_str)
    amount: Decimal = field(kw_only=True, validator=_money)
    listed: bool = field(kw_only=True, validator=is_bool)
    state: ChargeState = field(kw_only=True, validator=instance_of(ChargeState, "a ChargeState"))
    agreement_signed: bool = field(default=False, kw_only=True, validator=is_bool)
    confirmed_by: str = field(default="", kw_only=True, validator=is_str)


@frozen
class RepairSlip:
    """The dispatch slip (派工单) of one work order: the request, its people and its charge.

    Its id is the work order's id; the :class:`~propcrm.work_orders.WorkOrder`
    stored beside it holds the SLA timeline.

    Attributes:
        id: The work order's id.
        community: The community (小区); who may act on it.
        customer_id: The customer who asked.
        address: Where (personal data, masked when shown).
        contact: The customer's phone (personal data, masked when shown).
        content: What is to be repaired.
        category: House, building systems, public facility or special request.
        received_at: When the desk registered it.
        received_by: The desk member who registered it.
        accepted_at: When engineering accepted the order.
        technician_id: The technician dispatched.
        charge: The charge, if any.
        signed_off_at: When the customer tested the repair and signed the slip.
        callback_task_id: The repair callback planned at sign-off.
        night_entry_id: The night-log entry it came from (an emergency, or the morning handover).
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    customer_id: str = field(kw_only=True, validator=non_empty_str)
    address: PersonalData = field(kw_only=True, validator=_personal(PersonalKind.ADDRESS))
    contact: PersonalData = field(kw_only=True, validator=_personal(PersonalKind.PHONE))
    content: str = field(kw_only=True, validator=non_empty_str)
    category: RepairCategory = field(
        kw_only=True, validator=instance_of(RepairCategory, "a RepairCategory")
    )
    received_at: datetime = field(kw_only=True, validator=aware_datetime)
    received_by: str = field(kw_only=True, validator=non_empty_str)
    accepted_at: datetime | None = field(
        default=None, kw_only=True, validator=optional(aware_datetime)
    )
    technician_id: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    charge: Charge | None = field(
        default=None, kw_only=True, validator=optional(instance_of(Charge, "a Charge"))
    )
    signed_off_at: datetime | None = field(
        default=None, kw_only=True, validator=optional(aware_datetime)
    )
    callback_task_id: str | None = field(
        default=None, kw_only=True, validator=optional(non_empty_str)
    )
    night_entry_id: str | None = field(
        default=None, kw_only=True, validator=optional(non_empty_str)
    )
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def charge_approved(self) -> bool:
        """Whether nothing is charged, or the charge is approved."""
        return self.charge is None or self.charge.state is ChargeState.APPROVED


def _counts(value: Mapping[str, int]) -> dict[str, int]:
    found = require_mapping(value, "counts", "a mapping of role to count")
    for role, count in found.items():
        if not isinstance(role, str) or isinstance(count, bool) or not isinstance(count, int):
            raise ValidationError.expected(f"counts.{role}", "an integer count per role", count)
        if count < 0:
            raise ValidationError.expected(f"counts.{role}", "an integer >= 0", count)
    return {str(role): count for role, count in found.items()}


@frozen
class AllocatorState:
    """The stored counts of a :class:`~propcrm.callbacks.RoleShareAllocator`, to resume it.

    Attributes:
        id: What it allocates, e.g. ``"repair_callbacks:东区"``.
        counts: Items given to each role so far.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    counts: dict[str, int] = field(factory=dict, kw_only=True, converter=_counts)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))


for _stored in (Charge, RepairSlip, AllocatorState):
    attrs.resolve_types(_stored)  # before propcrm.records presents them as its own
del _stored
