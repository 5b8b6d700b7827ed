"""VIP cards: each refusal's whole message, and a change on the issue day itself."""

from collections.abc import Callable
from datetime import date

import pytest

from propcrm import CardNumber, CardStatus, ValidationError, VipCard, VipLevel
from propcrm.vip import StatusChange

BY = "desk"
NUMBER = CardNumber("JK", VipLevel.OTHER, 1)
ISSUED, EXPIRES = date(2025, 1, 1), date(2028, 1, 1)


def _card() -> VipCard:
    return VipCard(NUMBER, "c1", ISSUED, EXPIRES, BY)


def _revoked(on: date) -> StatusChange:
    return StatusChange(CardStatus.REVOKED, on, BY, "malicious_arrears")


def _assign(name: str, value: object, change: StatusChange | None = None) -> Callable[[], None]:
    def assign() -> None:
        card = _card()
        card.change = change
        setattr(card, name, value)

    return assign


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: VipCard(NUMBER, "c1", ISSUED, EXPIRES, BY, 1001),
            "replaces_card_id: expected a card id such as 'JK1001', got 1001",
        ),
        (
            lambda: VipCard(NUMBER, "c1", ISSUED, EXPIRES, BY, "jk1001"),
            "replaces_card_id: expected a card id such as 'JK1001', got 'jk1001'; "
            "card_number.prefix: expected 2 capital letters, got 'jk'; write it 'JK'",
        ),
        (
            lambda: VipCard(NUMBER, "c1", ISSUED, ISSUED, BY),
            "expires_on: expected a day after issued_on (2025-01-01), "
            "got datetime.date(2025, 1, 1)",
        ),
        (
            _assign("issued_on", EXPIRES),
            "issued_on: expected a day before expires_on (2028-01-01), "
            "got datetime.date(2028, 1, 1)",
        ),
        (
            _assign("change", _revoked(date(2024, 12, 31))),
            "change.on: expected a day on or after issued_on (2025-01-01), "
            "got datetime.date(2024, 12, 31)",
        ),
        (
            _assign("issued_on", date(2026, 6, 1), _revoked(date(2026, 1, 1))),
            "issued_on: expected a day on or before change.on (2026-01-01), "
            "got datetime.date(2026, 6, 1)",
        ),
        (
            lambda: StatusChange(CardStatus.ACTIVE, ISSUED, BY, "why"),
            "status: expected an ending status, got <CardStatus.ACTIVE: 'active'>",
        ),
        (
            lambda: _card().status_on("2025-01-01"),  # type: ignore[arg-type]
            "on: expected a datetime.date, got '2025-01-01'",
        ),
    ],
)
def test_a_refusal_names_the_field_the_rule_and_the_value(
    make: Callable[[], object], message: str
) -> None:
    """The message names the field, what it expects, and the value given."""
    with pytest.raises(ValidationError) as raised:
        make()
    assert str(raised.value) == message


def test_a_card_revoked_on_its_issue_day_is_revoked_from_that_day() -> None:
    """A change on the issue day is allowed (on or after issue) and applies that day."""
    card = VipCard(NUMBER, "c1", ISSUED, EXPIRES, BY, change=_revoked(ISSUED))
    assert card.status_on(ISSUED) is CardStatus.REVOKED
