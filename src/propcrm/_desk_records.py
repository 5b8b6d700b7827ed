"""What the desks keep beside the register: work-order steps and problem analyses.

Public in :mod:`propcrm.records`; this module is private. RULES § 9 (each step
recorded with who and when; 客户服务管理制度【1】三.7 and 002 § 43: a recurring
problem gets a root cause and a preventive measure).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import attrs
from attrs import field, frozen

from propcrm._checks import as_items, require_items
from propcrm._validators import aware_datetime, instance_of, int_at_least, is_str, non_empty_str
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = ["ProblemAnalysis", "WorkOrderStep", "WorkOrderStepKind"]


class WorkOrderStepKind(Enum):
    """The steps of a work order, one per command of the work-order desk."""

    REGISTERED = "registered"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    ARRIVED = "arrived"
    APPOINTED = "appointed"
    PAUSED = "paused"
    RESUMED = "resumed"
    CHARGED = "charged"
    AGREEMENT_SIGNED = "agreement_signed"
    CHARGE_CONFIRMED = "charge_confirmed"
    FIXED = "fixed"
    SIGNED_OFF = "signed_off"
    CALLBACK = "callback"

    @property
    def label(self) -> str:
        """The step's Chinese name, e.g. ``"派工"``."""
        return _STEP_LABELS[self]


_STEP_LABELS = {
    WorkOrderStepKind.REGISTERED: "报修登记",
    WorkOrderStepKind.ACCEPTED: "接单",
    WorkOrderStepKind.DISPATCHED: "派工",
    WorkOrderStepKind.ARRIVED: "到场",
    WorkOrderStepKind.APPOINTED: "预约",
    WorkOrderStepKind.PAUSED: "暂停",
    WorkOrderStepKind.RESUMED: "恢复",
    WorkOrderStepKind.CHARGED: "收费",
    WorkOrderStepKind.AGREEMENT_SIGNED: "签订收费协议",
    WorkOrderStepKind.CHARGE_CONFIRMED: "收费确认",
    WorkOrderStepKind.FIXED: "处理完毕",
    WorkOrderStepKind.SIGNED_OFF: "客户签字",
    WorkOrderStepKind.CALLBACK: "回访",
}


def _sla_states(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in value.items()
    ):
        raise ValidationError.expected(
            "sla_states", "a mapping of SLA target name to state text", value,
            "e.g. {'dispatch': 'met'}",
        )  # fmt: skip
    return dict(value)


@frozen
class WorkOrderStep:
    """One step of a work order: what was done, by whom, when, under which policy.

    The work-order desk writes one per command, in the command's transaction,
    with a snapshot of the order's SLA state at that moment.

    Attributes:
        id: ``"{work_order_id}:{seq:04d}"``.
        work_order_id: The work order.
        seq: The step's number in the order, from 1.
        kind: What was done.
        at: When (the command's time).
        actor_id: Who did it (the :class:`~propcrm.services.Actor`'s id).
        command_id: The command that recorded it.
        policy_fingerprint: The fingerprint of the policy the desk decided by
            (:func:`propcrm.services.policy_fingerprint`).
        sla_states: Each SLA target's state right after the step
            (``{"dispatch": "met", "fixed": "running"}``).
        note: What was decided (a charge's amount, a pause reason), or ``""``.
        version: Optimistic-concurrency version for stores (steps are never changed).
    """

    id: str = field(validator=non_empty_str)
    work_order_id: str = field(kw_only=True, validator=non_empty_str)
    seq: int = field(kw_only=True, validator=int_at_least(1))
    kind: WorkOrderStepKind = field(
        kw_only=True, validator=instance_of(WorkOrderStepKind, "a WorkOrderStepKind")
    )
    at: datetime = field(kw_only=True, validator=aware_datetime)
    actor_id: str = field(kw_only=True, validator=non_empty_str)
    command_id: str = field(kw_only=True, validator=non_empty_str)
    policy_fingerprint: str = field(kw_only=True, validator=non_empty_str)
    sla_states: dict[str, str] = field(factory=dict, kw_only=True, converter=_sla_states)
    note: str = field(default="", kw_only=True, validator=is_str)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))


def _texts(value: object, name: str) -> tuple[str, ...]:
    items = as_items(value, name, "a list of non-empty strings")
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise ValidationError.expected(name, "a list of non-empty strings", value)
    return tuple(items)


def _key_fields(value: object) -> tuple[str, ...]:
    return _texts(value, "key_fields")


def _key(value: object) -> tuple[str, ...]:
    return _texts(value, "key")


def _complaint_ids(value: object) -> tuple[str, ...]:
    return _texts(value, "complaint_ids")


def _reasons(value: object) -> tuple[Reason, ...]:
    return require_items(value, "reasons", Reason, "a list of Reason values")


@frozen
class ProblemAnalysis:
    """A recurring problem of one period, with its root cause and preventive measure.

    The complaint desk's periodic analysis (客户服务管理制度【1】三.7; 002 § 43)
    writes one per recurring key of "the same complaint" (RULES § 4).

    Attributes:
        id: ``"{community}:{period}:{seq:03d}"``.
        community: The community analysed.
        period: The period's label (``"2025-07"``, ``"2025-Q3"``, or
            ``"2025-07-01/2025-08-01"`` for a span of days).
        key_fields: The fields of the same-complaint key (the grading policy's
            ``same_complaint_key``), e.g. ``("community", "category", "subject")``.
        key: The key's values, in ``key_fields`` order.
        complaint_ids: The complaints of the period with this key, oldest first.
        complainants: The most distinct complainants the repeat window counted.
        root_cause: Why the problem recurs.
        preventive_measure: What is done so that it does not recur.
        analysed_by: Who recorded the analysis.
        analysed_at: When.
        command_id: The command that recorded it.
        policy_fingerprint: The fingerprint of the policy that found the key recurring.
        reasons: Why the key counts as recurring.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    period: str = field(kw_only=True, validator=non_empty_str)
    key_fields: tuple[str, ...] = field(kw_only=True, converter=_key_fields)
    key: tuple[str, ...] = field(kw_only=True, converter=_key)
    complaint_ids: tuple[str, ...] = field(kw_only=True, converter=_complaint_ids)
    complainants: int = field(kw_only=True, validator=int_at_least(1))
    root_cause: str = field(kw_only=True, validator=non_empty_str)
    preventive_measure: str = field(kw_only=True, validator=non_empty_str)
    analysed_by: str = field(kw_only=True, validator=non_empty_str)
    analysed_at: datetime = field(kw_only=True, validator=aware_datetime)
    command_id: str = field(kw_only=True, validator=non_empty_str)
    policy_fingerprint: str = field(kw_only=True, validator=non_empty_str)
    reasons: tuple[Reason, ...] = field(default=(), kw_only=True, converter=_reasons)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    def __attrs_post_init__(self) -> None:
        if len(self.key) != len(self.key_fields):
            raise ValidationError.expected(
                "key", f"one value per key field {self.key_fields}", self.key
            )


for _stored in (WorkOrderStep, ProblemAnalysis):
    attrs.resolve_types(_stored)  # before propcrm.records presents them as its own
del _stored
