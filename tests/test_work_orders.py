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


def test_a_leak_can_be_in_home_or_public() -> None:
    """The SLA kind and the callback kind are given separately: neither follows the other."""
    in_home = WorkOrder("WO-1", _timeline(), callback_kind="leak")
    public = WorkOrder(
        "WO-2",
        Timeline([Event(EventKind.RECEIVED, AT)], kind="repair.public.minor"),
        callback_kind="leak",
    )
    assert (in_home.sla_kind, in_home.callback_kind) == ("repair.in_home", "leak")
    assert (public.sla_kind, public.callback_kind) == ("repair.public.minor", "leak")


def test_the_callback_kind_defaults_to_ordinary() -> None:
    """Without a callback kind, a repair gets the ordinary one-week callback (RULES.md §6)."""
    assert WorkOrder("WO-1", _timeline()).callback_kind == "ordinary"


def test_a_work_order_carries_its_communitys_property_type() -> None:
    """The property type is the timeline's, so the SLA overlays see the same value."""
    timeline = Timeline([Event(EventKind.RECEIVED, AT)], kind="request", property_type="office")
    assert WorkOrder("WO-1", timeline).property_type == "office"


def test_a_work_order_needs_an_sla_kind() -> None:
    """A timeline without a kind would select no targets: refused, saying what to pass."""
    with pytest.raises(ValidationError, match=r"timeline\.kind: expected the work order's SLA"):
        WorkOrder("WO-1", Timeline([Event(EventKind.RECEIVED, AT)]))


def test_an_empty_callback_kind_is_refused() -> None:
    """The callback kind names a callback window; an empty one names none."""
    with pytest.raises(ValidationError, match="callback_kind"):
        WorkOrder("WO-1", _timeline(), callback_kind="")


def test_the_customer_is_a_reference() -> None:
    """A work order refers to its customer by customer_id (docs/naming.rst)."""
    assert WorkOrder("WO-1", _timeline(), customer_id="C-7").customer_id == "C-7"


def test_adding_an_event_keeps_the_sla_kind() -> None:
    """timeline.with_event keeps the kind, so the order's SLA kind never silently empties."""
    order = WorkOrder("WO-1", _timeline())
    order.timeline = order.timeline.with_event(Event(EventKind.DISPATCHED, AT))
    assert (order.sla_kind, order.state) == ("repair.in_home", WorkOrderState.DISPATCHED)
