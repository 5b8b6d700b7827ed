"""The desks' records refuse invalid values with the field's name and a way to fix it."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm.errors import ValidationError
from propcrm.records import (
    CaseEventKind,
    ComplaintCase,
    Notification,
    NotificationKind,
    PromisedReply,
)
from propcrm.roles import Role

AT = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _case(departments: Any) -> ComplaintCase:
    return ComplaintCase(
        "C-1", community="东区", customer_id="c", summary="s", received_at=AT,
        owner_id="desk-1", departments=departments,
    )  # fmt: skip


def _note(**changes: Any) -> Notification:
    fields: dict[str, Any] = {
        "kind": NotificationKind.ESCALATION,
        "subject_id": "C-1",
        "community": "东区",
        "to_roles": ["general_manager"],
        "to_ids": ["desk-1"],
        "message": "m",
        "created_at": AT,
    }
    fields.update(changes)
    return Notification("n-1", **fields)


def test_departments_take_one_name_or_many_without_repeats() -> None:
    """A single name is a one-name list; repeated names are kept once, in order."""
    assert (_case("engineering").departments, _case(["a", "b", "a"]).departments) == (
        ("engineering",),
        ("a", "b"),
    )


@pytest.mark.parametrize("departments", [None, 3, [""], ["ok", 5]])
def test_departments_must_be_names(departments: Any) -> None:
    """Anything but a list of non-empty names is refused, naming ``departments``."""
    with pytest.raises(ValidationError, match="departments"):
        _case(departments)


def test_a_notification_reads_role_values() -> None:
    """Roles given as text become Role members."""
    assert _note().to_roles == (Role.GENERAL_MANAGER,)


@pytest.mark.parametrize(
    ("field", "value"),
    [("to_roles", ["janitor"]), ("to_ids", [""]), ("reasons", ["not a reason"])],
)
def test_a_notification_refuses_bad_recipients_and_reasons(field: str, value: Any) -> None:
    """An unknown role, a blank person id or a reason that is not a Reason names its field."""
    with pytest.raises(ValidationError, match=field):
        _note(**{field: value})


def test_a_notification_to_one_person_may_name_them_as_text() -> None:
    """to_ids given as one id is a one-person tuple."""
    assert _note(to_ids="desk-1").to_ids == ("desk-1",)


def test_a_promised_reply_is_due_after_the_promise() -> None:
    """A reply due at or before the moment of the promise is refused, naming ``due``."""
    with pytest.raises(ValidationError, match="due"):
        PromisedReply(
            "R-1", community="东区", customer_id="c", question="q", promised_by="desk-1",
            promised_at=AT, due=AT - timedelta(minutes=1),
        )  # fmt: skip


def test_every_event_kind_has_a_chinese_label() -> None:
    """The liaison slip is 工作联系单, a second complaint 二次投诉."""
    assert (CaseEventKind.LIAISON_SLIP.label, CaseEventKind.REOPENED.label) == (
        "工作联系单",
        "二次投诉",
    )
    assert all(kind.label for kind in CaseEventKind)


def test_a_notification_refuses_reasons_that_are_not_a_list() -> None:
    """Reasons given as a number are a ValidationError naming ``reasons``."""
    with pytest.raises(ValidationError, match="^reasons: "):
        _note(reasons=1)


def test_a_notification_refuses_an_unknown_kind() -> None:
    """A kind that is not a NotificationKind is refused, naming ``kind``."""
    with pytest.raises(ValidationError, match="^kind: expected a NotificationKind"):
        _note(kind="escalation")
