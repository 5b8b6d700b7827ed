"""Work orders: an identity and a version around a timeline, and the state it shows."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given

from propcrm.errors import ValidationError
from propcrm.sla import Event, EventKind, Timeline
from propcrm.testing.strategies import work_orders
from propcrm.work_orders import WorkOrder, WorkOrderState, state_of

AT = datetime(2025, 10, 9, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _timeline(*kinds: EventKind) -> Timeline:
    events = [Event(EventKind.RECEIVED, AT)]
    for i, kind in enumerate(kinds, 1):
        events.append(Event(kind, AT + timedelta(hours=i)))
    return Timeline(events, kind="repair.in_home")


@pytest.mark.parametrize(
    ("kinds", "state"),
    [
        ((), WorkOrderState.OPEN),
        ((EventKind.ANSWERED,), WorkOrderState.OPEN),
        ((EventKind.DISPATCHED,), WorkOrderState.DISPATCHED),
        ((EventKind.DISPATCHED, EventKind.ARRIVED), WorkOrderState.ON_SITE),
        ((EventKind.DISPATCHED, EventKind.ARRIVED, EventKind.RESOLVED), WorkOrderState.RESOLVED),
        ((EventKind.RESOLVED, EventKind.CLOSED), WorkOrderState.CLOSED),
        ((EventKind.RESOLVED, EventKind.REOPENED), WorkOrderState.OPEN),
    ],
)
def test_the_state_is_read_off_the_last_lifecycle_event(
    kinds: tuple[EventKind, ...], state: WorkOrderState
) -> None:
    """Dispatch, arrival, resolution and closing move the state; a reopening resets it."""
    assert state_of(_timeline(*kinds)) == state


def test_received_at_is_the_first_event() -> None:
    """A work order was received when its timeline starts."""
    assert WorkOrder("WO-1", _timeline(EventKind.DISPATCHED)).received_at == AT


def test_a_work_order_needs_a_timeline() -> None:
    """Anything but a Timeline is refused, naming the field."""
    with pytest.raises(ValidationError, match="timeline"):
        WorkOrder("WO-1", [Event(EventKind.RECEIVED, AT)])  # type: ignore[arg-type]


@given(work_orders())
def test_every_generated_work_order_has_a_state(order: WorkOrder) -> None:
    """The strategy draws valid work orders whose state is one of the five."""
    assert order.state in set(WorkOrderState)


def test_the_strategy_checks_its_argument() -> None:
    """A non-strategy timeline argument is refused eagerly."""
    with pytest.raises(ValidationError, match="timeline"):
        work_orders(timeline=_timeline())  # type: ignore[arg-type]
