"""Review of the hot paths: batch SLA evaluation and complaint histories given hostile batches."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from propcrm.complaints import Complaint, ComplaintHistory
from propcrm.errors import ValidationError
from propcrm.sla import Event, EventKind, SlaEvaluator, Timeline

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2025, 11, 10, 9, 0, tzinfo=SH)  # Monday 10 November 2025


def _order() -> Timeline:
    """An in-home repair received Monday 09:00, nothing else yet."""
    return Timeline([Event(EventKind.RECEIVED, MON)], kind="repair.in_home")


def _complaint(n: int) -> Complaint:
    """The n-th complaint about the pump room, n hours after Monday 09:00."""
    return Complaint(
        f"C-{n}",
        community="东区",
        category="noise",
        subject="pump room",
        complainant_ids=[f"cust-{n}"],
        received_at=MON + timedelta(hours=n),
    )


def test_evaluate_many_names_the_position_of_an_item_that_is_not_a_timeline() -> None:
    """Item 5,000 of 10,000 is text: the error names timelines[5000]."""
    items: list[object] = [_order()] * 10_000
    items[5000] = "WO-5000"
    with pytest.raises(ValidationError) as caught:
        SlaEvaluator().evaluate_many(items, at=MON)  # type: ignore[arg-type]
    assert caught.value.field == "timelines[5000]"


def test_evaluate_many_names_the_item_whose_pause_reason_is_unknown() -> None:
    """Item 5,000 of 10,000 pauses for a reason no call target knows: the error says which item."""
    bad = Timeline(
        [
            Event(EventKind.RECEIVED, MON),
            Event(EventKind.PAUSED, MON + timedelta(hours=1), reason="weather"),
        ],
        kind="call",
    )
    items = [_order()] * 10_000
    items[5000] = bad
    with pytest.raises(ValidationError) as caught:
        SlaEvaluator().evaluate_many(iter(items), at=MON + timedelta(hours=3))
    assert caught.value.field.startswith("timelines[5000]")


def test_history_extend_refused_midway_records_nothing() -> None:
    """extend([C-0, C-1, junk, C-2]) is refused whole: the history still holds no complaint."""
    history = ComplaintHistory()
    items: list[object] = [_complaint(0), _complaint(1), "junk", _complaint(2)]
    with pytest.raises(ValidationError):
        history.extend(items)  # type: ignore[arg-type]
    assert len(history) == 0


def test_streaming_history_extend_refused_midway_records_nothing() -> None:
    """Streaming extend([C-0, C-2, C-1]) is refused at C-1 (out of order): nothing is recorded."""
    history = ComplaintHistory(streaming=True)
    with pytest.raises(ValidationError):
        history.extend([_complaint(0), _complaint(2), _complaint(1)])
    assert len(history) == 0


def test_history_extend_names_the_position_of_a_bad_item() -> None:
    """The third item of extend() is text: the error names complaints[2]."""
    history = ComplaintHistory()
    items: list[object] = [_complaint(0), _complaint(1), "junk"]
    with pytest.raises(ValidationError) as caught:
        history.extend(items)  # type: ignore[arg-type]
    assert caught.value.field == "complaints[2]"
