"""Work orders (工单): a service request and its event timeline, kept as one entity.

:class:`~propcrm.sla.Timeline` says what happened to a request; a
:class:`WorkOrder` gives it an identity and a version so that it can be
stored and updated safely, and names its lifecycle state, read off the
timeline:

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from propcrm.sla import Event, EventKind, Timeline
>>> at = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> order = WorkOrder("WO-1", Timeline([Event(EventKind.RECEIVED, at)], kind="repair.in_home"))
>>> order.state
<WorkOrderState.OPEN: 'open'>
>>> order.timeline = Timeline([*order.timeline.events, Event(EventKind.DISPATCHED, at)])
>>> order.state
<WorkOrderState.DISPATCHED: 'dispatched'>
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from attrs import define, field

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
    CLOSED = "closed"  #: closed loop (闭环): the customer was told the outcome


def _timeline(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, Timeline):
        raise ValidationError.expected(attribute.name, "a propcrm.sla.Timeline", value)


@define
class WorkOrder:
    """A work order: identity, the community it concerns, and its timeline.

    Attributes:
        id: The work order's id, e.g. ``"WO-2025-0001"``.
        timeline: What happened to it, first event ``RECEIVED``.
        community: The community (小区) it concerns; empty if unknown.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    timeline: Timeline = field(validator=_timeline)
    community: str = ""
    version: int = field(default=0, validator=int_at_least(0))

    @property
    def received_at(self) -> datetime:
        """When the request was received: the timeline's first event."""
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
    state = WorkOrderState.OPEN
    for event in timeline.events:
        state = _STATE_AFTER.get(event.kind, state)
    return state
