"""VIP cards and their validity (002 §§26-28): the card entity and how its life ends.

A card is valid on ``issued_on <= day < ends_on``: from the issue day up to its
expiry (002 §26, Decision RULES § 3 for the calendar-year arithmetic), or up to
the day it was replaced (§27), renewed (§26) or revoked (§28). How it ended is
recorded in a :class:`StatusChange`: who, when, why.

The public home of these names is :mod:`propcrm.vip`; this module is private.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from attrs import define, evolve, field, frozen, setters

from propcrm._checks import require_date
from propcrm._validators import int_at_least, is_date, non_empty_str
from propcrm._validators import optional as optional_
from propcrm._vip_numbers import CardNumber, VipLevel, is_instance
from propcrm.errors import PropcrmError, ValidationError

__all__ = [
    "CardStateError",
    "CardStatus",
    "RevocationGround",
    "StatusChange",
    "VipCard",
    "ended",
]


class CardStateError(PropcrmError):
    """The card's state does not allow the operation (e.g. revoking a revoked card)."""


class CardStatus(Enum):
    """Where a card stands: active, or ended by expiry, replacement or revocation."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REPLACED = "replaced"
    REVOKED = "revoked"


class RevocationGround(Enum):
    """Why a card may be revoked during its validity (002 §28).

    ``MALICIOUS_ARREARS`` needs an explicit finding that the arrears are
    malicious (恶意欠缴): long arrears alone are no ground, they only call for a
    review (Decision, RULES § 1).
    """

    MALICIOUS_ARREARS = "malicious_arrears"
    HARMS_GROUP_INTERESTS = "harms_group_interests"


def _card_id(instance: object, attribute: Any, value: object) -> None:
    """attrs validator: ``None`` or a card number as text, such as ``"JK1001"``."""
    if value is None:
        return
    if not isinstance(value, str):
        raise ValidationError.expected(attribute.name, "a card id such as 'JK1001'", value)
    try:
        CardNumber.parse(value)
    except ValidationError as e:
        raise ValidationError.expected(
            attribute.name, "a card id such as 'JK1001'", value, str(e)
        ) from e


@frozen
class StatusChange:
    """Who ended a card's activity, when and why.

    Attributes:
        status: The card's new status (never :attr:`CardStatus.ACTIVE`).
        on: The day of the change; the card is invalid from that day.
        by: Who made the change.
        why: Why, in words.
        ground: For a revocation, its ground (002 §28).
        replaced_by_card_id: The id of the card that replaced or renewed this one.
    """

    status: CardStatus = field(validator=is_instance(CardStatus))
    on: date = field(validator=is_date)
    by: str = field(validator=non_empty_str)
    why: str = field(validator=non_empty_str)
    ground: RevocationGround | None = field(
        default=None, validator=optional_(is_instance(RevocationGround))
    )
    replaced_by_card_id: str | None = field(default=None, validator=_card_id)

    def __attrs_post_init__(self) -> None:
        if self.status is CardStatus.ACTIVE:
            raise ValidationError.expected("status", "an ending status", self.status)


def _keep_card_invariants(instance: VipCard, attribute: Any, value: Any) -> Any:
    """Re-check the card's cross-field rules on assignment, with the new value, before it is set."""
    name = attribute.name
    if name in ("issued_on", "expires_on", "change"):
        issued = value if name == "issued_on" else instance.issued_on
        expires = value if name == "expires_on" else instance.expires_on
        change = value if name == "change" else instance.change
        _check_card_dates(issued, expires, change, name)
    return value


@define(on_setattr=[setters.convert, setters.validate, _keep_card_invariants])
class VipCard:
    """A VIP card (VIP卡): an entity whose identity is its number.

    A card is valid on ``issued_on <= day < ends_on``: from the issue day up to
    its expiry, or up to the day it was replaced, renewed or revoked. Assigning
    a field checks the same rules as creating the card; a bad assignment raises
    :class:`~propcrm.errors.ValidationError` and leaves the card unchanged.

    Attributes:
        number: The card number; its text is the card's :attr:`id`.
        customer_id: The customer who holds it (for the holder and family only, 002 §27).
        issued_on: The first valid day.
        expires_on: The first day after the validity (002 §26).
        issued_by: Who issued it.
        replaces_card_id: The id of the card this one replaced or renewed, if any.
        change: How the card's activity ended, once it has.
        version: Bumped on every change.
    """

    number: CardNumber = field(validator=is_instance(CardNumber))
    customer_id: str = field(validator=non_empty_str)
    issued_on: date = field(validator=is_date)
    expires_on: date = field(validator=is_date)
    issued_by: str = field(validator=non_empty_str)
    replaces_card_id: str | None = field(default=None, validator=_card_id)
    change: StatusChange | None = field(
        default=None, validator=optional_(is_instance(StatusChange))
    )
    version: int = field(default=0, validator=int_at_least(0))

    def __attrs_post_init__(self) -> None:
        _check_card_dates(self.issued_on, self.expires_on, self.change, "expires_on")

    @property
    def id(self) -> str:
        """The card's identity — its number as text, e.g. ``"JK1001"``."""
        return str(self.number)

    @property
    def level(self) -> VipLevel:
        """The card's level, from its number."""
        return self.number.level

    @property
    def status(self) -> CardStatus:
        """The recorded status — active until a change is recorded (see :meth:`status_on`)."""
        return CardStatus.ACTIVE if self.change is None else self.change.status

    @property
    def ends_on(self) -> date:
        """The first day the card is not valid — its expiry, or an earlier recorded change."""
        if self.change is None:
            return self.expires_on
        return min(self.expires_on, self.change.on)

    def is_valid_on(self, on: date) -> bool:
        """Whether the card may be used on the day ``on``: ``issued_on <= on < ends_on``."""
        require_date(on, "on")
        return self.issued_on <= on < self.ends_on

    def status_on(self, on: date) -> CardStatus:
        """The status on the day ``on``: the recorded change once it applies, else expired
        from the expiry day."""
        require_date(on, "on")
        if self.change is not None and on >= self.change.on:
            return self.change.status
        return CardStatus.EXPIRED if on >= self.expires_on else CardStatus.ACTIVE


def ended(card: VipCard, change: StatusChange) -> VipCard:
    """A copy of ``card`` whose activity ended with ``change``, its version bumped."""
    return evolve(card, change=change, version=card.version + 1)


def _check_card_dates(
    issued: date, expires: date, change: StatusChange | None, assigned: str
) -> None:
    """Expiry after issue, and any change on or after issue; ``assigned`` names the culprit."""
    if expires <= issued:
        if assigned == "issued_on":
            raise ValidationError.expected(
                "issued_on", f"a day before expires_on ({expires})", issued
            )
        raise ValidationError.expected("expires_on", f"a day after issued_on ({issued})", expires)
    if change is not None and change.on < issued:
        if assigned == "issued_on":
            raise ValidationError.expected(
                "issued_on", f"a day on or before change.on ({change.on})", issued
            )
        raise ValidationError.expected(
            "change.on", f"a day on or after issued_on ({issued})", change.on
        )


# Public in propcrm.vip: set after each class is built, so that attrs compiles their
# methods with this module's names (it copies the globals of ``__module__``).
for _public in (CardStateError, CardStatus, RevocationGround, StatusChange, VipCard):
    _public.__module__ = "propcrm.vip"
