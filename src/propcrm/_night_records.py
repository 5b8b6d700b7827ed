"""What night duty keeps: the night log's entries and the decision each one waits for.

Public in :mod:`propcrm.records`; this module is private. RULES § 9 (002
物业服务中心管理制度 一.2-7, 二).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import attrs
from attrs import field, frozen

from propcrm._checks import require_items
from propcrm._validators import (
    aware_datetime,
    instance_of,
    int_at_least,
    is_bool,
    is_date,
    is_str,
    non_empty_str,
    optional,
)
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.privacy import PersonalData, PersonalKind

__all__ = ["NightAssignment", "NightEntry", "NightEntryState", "NightRoute"]


class NightRoute(Enum):
    """What a night entry becomes at the morning handover (一.5)."""

    WORK_ORDER = "work_order"
    """A repair: a work order (维修工作单) at the work-order desk."""
    COMPLAINT = "complaint"
    """A complaint: a complaint record (投诉记录表) at the complaint desk."""


class NightEntryState(Enum):
    """Where a night entry stands."""

    OPEN = "open"
    """Logged, waiting for the morning handover."""
    DISPATCHED = "dispatched"
    """An emergency: handed to the work-order desk at once (一.4)."""
    HANDED_OVER = "handed_over"
    """Turned into a work order or a complaint at the morning handover (一.5)."""


def _phone(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, PersonalData) or value.kind is not PersonalKind.PHONE:
        raise ValidationError.expected(
            attribute.name, "PersonalData of kind phone", type(value).__name__,
            "wrap it: PersonalData(PersonalKind.PHONE, text)",
        )  # fmt: skip


def _address(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and (
        not isinstance(value, PersonalData) or value.kind is not PersonalKind.ADDRESS
    ):
        raise ValidationError.expected(
            attribute.name, "None or PersonalData of kind address", type(value).__name__,
            "wrap it: PersonalData(PersonalKind.ADDRESS, text)",
        )  # fmt: skip


def _departments(value: object) -> tuple[str, ...]:
    items = require_items(value, "departments", str, "a list of department names")
    if not all(item.strip() for item in items):
        raise ValidationError.expected("departments", "non-empty department names", value)
    return items


def _reasons(value: object) -> tuple[Reason, ...]:
    return require_items(value, "reasons", Reason, "a list of Reason values")


@frozen
class NightAssignment:
    """The decision of what a night entry becomes, and what that record needs.

    A work order needs the repair's ``address`` and its ``category`` (a
    :class:`~propcrm.records.RepairCategory` value); a complaint needs its
    ``category`` and ``subject`` (the grading key of 002 §40).

    Attributes:
        route: Work order or complaint.
        decided_by: Who decided.
        decided_at: When.
        category: The repair category value, or the complaint's category.
        subject: The complaint's subject; ``""`` for a work order.
        address: The repair's address (personal data); ``None`` for a complaint.
        sla_kind: The work order's SLA kind; ``None`` for the category's default.
        callback_kind: The repair callback's window (``"ordinary"``, ``"leak"``, ...).
        departments: The departments a complaint involves.
    """

    route: NightRoute = field(validator=instance_of(NightRoute, "a NightRoute"))
    decided_by: str = field(kw_only=True, validator=non_empty_str)
    decided_at: datetime = field(kw_only=True, validator=aware_datetime)
    category: str = field(kw_only=True, validator=non_empty_str)
    subject: str = field(default="", kw_only=True, validator=is_str)
    address: PersonalData | None = field(default=None, kw_only=True, validator=_address)
    sla_kind: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    callback_kind: str = field(default="ordinary", kw_only=True, validator=non_empty_str)
    departments: tuple[str, ...] = field(default=(), kw_only=True, converter=_departments)

    def __attrs_post_init__(self) -> None:
        if self.route is NightRoute.WORK_ORDER and self.address is None:
            raise ValidationError.expected(
                "address", "the repair's address", None, "a work order needs where to go"
            )
        if self.route is NightRoute.COMPLAINT and not self.subject.strip():
            raise ValidationError.expected(
                "subject", "the complaint's subject", self.subject, "e.g. 'pump room'"
            )


@frozen
class NightEntry:
    """One entry of the night log (夜间值班记录表, 002 物业服务中心管理制度 一.4).

    Attributes:
        id: The entry's id.
        community: The community (小区) of the caller; who may act on it.
        night_of: The day the night began (a call at 02:00 on the 4th is the night of the 3rd).
        logged_at: When the call or visit came (the command's time).
        logged_by: The monitoring-room officer who logged it.
        customer_id: The caller's customer record.
        caller: The caller's phone (personal data, masked when shown).
        content: What they asked or reported.
        emergency: It was an emergency, handled at once (一.4).
        state: Open, dispatched at once, or handed over.
        assignment: What it becomes, once decided.
        work_order_id: The work order it became, if any.
        complaint_id: The complaint it became, if any.
        handed_over_at: When the morning handover took it.
        handed_over_by: Who took it at the handover.
        policy_fingerprint: The fingerprint of the policy whose night window admitted it.
        reasons: Why it was admitted and how it was routed.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    night_of: date = field(kw_only=True, validator=is_date)
    logged_at: datetime = field(kw_only=True, validator=aware_datetime)
    logged_by: str = field(kw_only=True, validator=non_empty_str)
    customer_id: str = field(kw_only=True, validator=non_empty_str)
    caller: PersonalData = field(kw_only=True, validator=_phone)
    content: str = field(kw_only=True, validator=non_empty_str)
    emergency: bool = field(default=False, kw_only=True, validator=is_bool)
    state: NightEntryState = field(
        default=NightEntryState.OPEN,
        kw_only=True,
        validator=instance_of(NightEntryState, "a NightEntryState"),
    )
    assignment: NightAssignment | None = field(
        default=None,
        kw_only=True,
        validator=optional(instance_of(NightAssignment, "a NightAssignment")),
    )
    work_order_id: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    complaint_id: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    handed_over_at: datetime | None = field(
        default=None, kw_only=True, validator=optional(aware_datetime)
    )
    handed_over_by: str = field(default="", kw_only=True, validator=is_str)
    policy_fingerprint: str = field(default="", kw_only=True, validator=is_str)
    reasons: tuple[Reason, ...] = field(default=(), kw_only=True, converter=_reasons)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def is_open(self) -> bool:
        """Whether it still waits for the morning handover."""
        return self.state is NightEntryState.OPEN

    @property
    def record_id(self) -> str | None:
        """The work order or complaint it became, ``None`` while open."""
        return self.work_order_id or self.complaint_id


for _stored in (NightAssignment, NightEntry):
    attrs.resolve_types(_stored)  # before propcrm.records presents them as its own
del _stored
