"""Work orders (工单): a service request and its event timeline, kept as one entity.

:class:`~propcrm.sla.Timeline` says what happened to a request; a
:class:`WorkOrder` gives it an identity and a version so that it can be
stored and updated safely, and names its lifecycle state, read off the
timeline. It carries two kinds, neither derived from the other: the SLA kind
(``timeline.kind``, e.g. ``"repair.public.minor"``) chooses the service levels,
the callback kind (``callback_kind``, e.g. ``"leak"``) the repair callback
window — a leak can be in-home or public.

>>> from propcrm.work_orders import WorkOrder
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from propcrm.sla import Event, EventKind, Timeline
>>> at = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> received = Timeline(
...     [Event(EventKind.RECEIVED, at)], kind="repair.in_home", property_type="residential"
... )
>>> order = WorkOrder("WO-1", received, callback_kind="leak", customer_id="C-7")
>>> order.state, order.sla_kind, order.callback_kind
(<WorkOrderState.OPEN: 'open'>, 'repair.in_home', 'leak')
>>> order.timeline = order.timeline.with_event(Event(EventKind.DISPATCHED, at))
>>> order.state, order.sla_kind
(<WorkOrderState.DISPATCHED: 'dispatched'>, 'repair.in_home')
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from attrs import define, field

from propcrm._checks import require_instance
from propcrm._validators import int_at_least, non_empty_str
from propcrm.errors import ValidationError
from propcrm.sla import EventKind, Timeline

__all__ = ["WorkOrder", "WorkOrderState", "state_of"]


class WorkOrderState(Enum):
    """Where a work order stands, from the last lifecycle event of its timeline."""

    OPEN = "open"  #: received (受理), not yet dispatched; also after a reopening
    DISPATCHED = "dispatched"  #: a technician was sent (派工)
    ON_SITE = "on_site"  #: the technician is on site (到场)
    RESOLVED = "resolved"  #: handled (处理完毕)
    CLOSED = "closed"  #: closed loop (闭环) — the customer was told the outcome


def _timeline(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, Timeline):
        raise ValidationError.expected(attribute.name, "a propcrm.sla.Timeline", value)
    if not value.kind:
        raise ValidationError.expected(
            "timeline.kind",
            "the work order's SLA kind",
            value.kind,
            "pass Timeline(..., kind='repair.in_home') or another kind of policy.sla",
        )


@define
class WorkOrder:
    """A work order: identity, its kinds, the community it concerns, and its timeline.

    Attributes:
        id: The work order's id, e.g. ``"WO-2025-0001"``.
        timeline: What happened to it, first event ``RECEIVED``. Its ``kind`` is
            the SLA kind (required here) and its ``property_type`` the
            community's property type (residential, commercial, office, ...).
        callback_kind: The repair callback kind, e.g. ``"ordinary"``, ``"safety"``
            or ``"leak"`` (policy data of the callbacks; RULES.md §6).
        community: The community (小区) it concerns; empty if unknown.
        customer_id: The customer who asked for it; empty if unknown.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    timeline: Timeline = field(validator=_timeline)
    callback_kind: str = field(default="ordinary", validator=non_empty_str)
    community: str = ""
    customer_id: str = ""
    version: int = field(default=0, validator=int_at_least(0))

    @property
    def sla_kind(self) -> str:
        """The kind the service levels select by — ``timeline.kind``."""
        return self.timeline.kind

    @property
    def property_type(self) -> str:
        """The community's property type — ``timeline.property_type`` (empty if unknown)."""
        return self.timeline.property_type

    @property
    def received_at(self) -> datetime:
        """When the request was received — the timeline's first event."""
        return self.timeline.events[0].at

    @property
    def state(self) -> WorkOrderState:
        """The work order's lifecycle state (see :func:`state_of`)."""
        return state_of(self.timeline)


_STATE_AFTER = {
    EventKind.DISPATCHED: WorkOrderState.DISPATCHED,
    EventKind.ARRIVED: WorkOrderState.ON_SITE,
    EventKind.RESOLVED: WorkOrderState.RESOLVED,
    EventKind.CLOSED: WorkOrderState.CLOSED,
    EventKind.REOPENED: WorkOrderState.OPEN,
}


def state_of(timeline: Timeline) -> WorkOrderState:
    """The state after the timeline's last lifecycle event.

    Answers, pauses, appointments and regradings leave the state as it was; a
    reopening makes the order open again.
    """
    require_instance(
        timeline, Timeline, "timeline", "a Timeline", "a work order's is order.timeline"
    )
    state = WorkOrderState.OPEN
    for event in timeline.events:
        state = _STATE_AFTER.get(event.kind, state)
    return state
