"""The VIP card programme (VIP客户, 002 §§19-35): numbers, validity, issue, renewal, benefits.

Only tier-A customers (重点客户) get a VIP card, and never one who does not
qualify (002 §25). A card number has six characters (§23): the group's
two-letter prefix, a level digit (:class:`VipLevel`) and a sequence from
``001`` to ``999`` that is never reused. A card is valid for three calendar
years (§26): issued on day *d*, it is valid on every day *x* with
``d <= x < d + 3 years``. At expiry the customer is verified again and only one
who still qualifies gets a new card (§26); a lost card is replaced by a new
number (§27); misconduct lets the company revoke the card (§28). While valid,
a card brings five families of benefits (§§30-33), inside the company's own
communities only (§34).

>>> from propcrm.customers import Customer, TierFacts, TierPolicy
>>> from propcrm.vip import *
>>> programme = VipProgramme(VipPolicy(), MemorySequenceAllocator(), tiers=TierPolicy())
>>> official = Customer("c1", "王芳", facts=TierFacts(government_official=True))
>>> card = programme.issue(official, level=VipLevel.GOVERNMENT_OFFICIAL,
...                        on=date(2024, 2, 29), by="客户助理 李娜")
>>> str(card.number), card.expires_on
('JK1001', datetime.date(2027, 2, 28))
>>> card.is_valid_on(date(2027, 2, 27)), card.is_valid_on(date(2027, 2, 28))
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from attrs import define, evolve, field, frozen, setters
from dateutil.relativedelta import relativedelta

from propcrm._validators import int_at_least, int_between, is_date, non_empty_str
from propcrm._validators import optional as optional_
from propcrm.customers import Customer, Tier, TierDecision, TierFacts, TierPolicy, classify_tier
from propcrm.errors import NotFoundError, PropcrmError, ValidationError
from propcrm.explain import Reason

if TYPE_CHECKING:
    from propcrm.policy import Policy

__all__ = [
    "MAX_SEQUENCE",
    "BenefitFamily",
    "Benefits",
    "CardNumber",
    "CardNumbersExhaustedError",
    "CardSequenceAllocator",
    "CardStateError",
    "CardStatus",
    "MemorySequenceAllocator",
    "NotEligibleError",
    "Reissue",
    "RevocationAdvice",
    "RevocationGround",
    "StatusChange",
    "VipBenefits",
    "VipCard",
    "VipLevel",
    "VipPolicy",
    "VipProgramme",
]

MAX_SEQUENCE = 999
"""The last sequence number of a (prefix, level): ``JK1999``."""


# --- errors -----------------------------------------------------------------------------------


class NotEligibleError(PropcrmError):
    """The customer is not tier A on the day, so no card is issued or renewed (002 §§25-26).

    Attributes:
        customer_id: The customer refused.
        decision: The tier decision, with its reasons.
    """

    def __init__(self, customer_id: str, decision: TierDecision, action: str) -> None:
        self.customer_id = customer_id
        self.decision = decision
        lines = [
            f"cannot {action} a VIP card for customer {customer_id!r}: tier "
            f"{decision.tier.value} ({decision.tier.label}) on {decision.on}, and only tier-A "
            "customers qualify (002 §25)",
            *(f"  {reason}" for reason in decision.reasons),
        ]
        super().__init__("\n".join(lines))

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The reasons of the tier decision."""
        return self.decision.reasons


class CardStateError(PropcrmError):
    """The card's state does not allow the operation (e.g. revoking a revoked card)."""


class CardNumbersExhaustedError(PropcrmError):
    """Every sequence number of a (prefix, level) has been handed out; numbers are never reused."""


# --- values -----------------------------------------------------------------------------------


class VipLevel(Enum):
    """The level digit of a card number (002 §23); :attr:`label` is the Chinese name."""

    GROUP_LEADERSHIP = 0
    GOVERNMENT_OFFICIAL = 1
    OTHER = 2

    @property
    def label(self) -> str:
        """The level's Chinese name, e.g. ``"政府官员级"``."""
        return ("集团领导级", "政府官员级", "其他级")[self.value]


class CardStatus(Enum):
    """Where a card stands: active, or ended by expiry, replacement or revocation."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REPLACED = "replaced"
    REVOKED = "revoked"


class RevocationGround(Enum):
    """Why a card may be revoked during its validity (002 §28)."""

    MALICIOUS_ARREARS = "malicious_arrears"
    HARMS_GROUP_INTERESTS = "harms_group_interests"


class BenefitFamily(Enum):
    """The five families of VIP benefits (002 §30); :attr:`label` is the Chinese name."""

    PRIORITY = "priority"
    DISCOUNT = "discount"
    CONSULTATION = "consultation"
    FAMILY_CARE = "family_care"
    EMERGENCY_AID = "emergency_aid"

    @property
    def label(self) -> str:
        """The family's Chinese name, e.g. ``"优先服务"``."""
        return _FAMILY_LABELS[self]


_FAMILY_LABELS = {
    BenefitFamily.PRIORITY: "优先服务",
    BenefitFamily.DISCOUNT: "优惠服务",
    BenefitFamily.CONSULTATION: "咨询服务",
    BenefitFamily.FAMILY_CARE: "亲情服务",
    BenefitFamily.EMERGENCY_AID: "紧急援助服务",
}
_FAMILY_SOURCES = {
    BenefitFamily.PRIORITY: "002 §31",
    BenefitFamily.DISCOUNT: "002 §32",
    BenefitFamily.CONSULTATION: "002 §30",
    BenefitFamily.FAMILY_CARE: "002 §33",
    BenefitFamily.EMERGENCY_AID: "002 §33",
}


def _prefix(instance: object, attribute: Any, value: Any) -> None:
    if not (isinstance(value, str) and len(value) == 2 and value.isascii() and value.isupper()):
        raise ValidationError.expected(attribute.name, "2 capital letters", value, "e.g. 'JK'")


def _is(kind: type) -> Any:
    def check(instance: object, attribute: Any, value: object) -> None:
        if not isinstance(value, kind):
            raise ValidationError.expected(attribute.name, f"a {kind.__name__}", value)

    return check


@frozen
class CardNumber:
    """A VIP card number (卡号, 002 §23): prefix, level digit, sequence — ``JK1001``.

    Attributes:
        prefix: The group's two capital letters.
        level: The card's level.
        sequence: 1 to 999, written with three digits.

    >>> number = CardNumber.parse("JK1001", prefix="JK")
    >>> number.level, number.sequence, str(number)
    (<VipLevel.GOVERNMENT_OFFICIAL: 1>, 1, 'JK1001')
    >>> CardNumber.parse("JK3001")
    Traceback (most recent call last):
    ...
    propcrm.errors.ValidationError: card_number.level: expected a level digit 0, 1 or 2 \
(0 group leadership, 1 government official, 2 other), got '3'
    """

    prefix: str = field(validator=_prefix)
    level: VipLevel = field(validator=_is(VipLevel))
    sequence: int = field(validator=int_between(1, MAX_SEQUENCE))

    @classmethod
    def parse(cls, text: str, *, prefix: str | None = None) -> CardNumber:
        """Read a card number; every malformed part gets its own message.

        Args:
            text: Six characters such as ``"JK1001"``.
            prefix: The company's prefix (``policy.vip.card_prefix``); ``None``
                accepts any two capital letters.

        Raises:
            ValidationError: naming the part that is wrong (``card_number``,
                ``card_number.prefix``, ``card_number.level`` or ``card_number.sequence``).
        """
        return _parse_number(text, prefix)

    def __str__(self) -> str:
        return f"{self.prefix}{self.level.value}{self.sequence:03d}"


@frozen
class StatusChange:
    """Who ended a card's activity, when and why.

    Attributes:
        status: The card's new status (never :attr:`CardStatus.ACTIVE`).
        on: The day of the change; the card is invalid from that day.
        by: Who made the change.
        why: Why, in words.
        ground: For a revocation, its ground (002 §28).
        successor: The card that replaced or renewed this one.
    """

    status: CardStatus = field(validator=_is(CardStatus))
    on: date = field(validator=is_date)
    by: str = field(validator=non_empty_str)
    why: str = field(validator=non_empty_str)
    ground: RevocationGround | None = None
    successor: CardNumber | None = None

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
        number: The card number; also its :attr:`id`.
        holder_id: The customer who holds it (for the holder and family only, 002 §27).
        issued_on: The first valid day.
        expires_on: The first day after the validity (002 §26).
        issued_by: Who issued it.
        replaces: The card this one replaced or renewed, if any.
        change: How the card's activity ended, once it has.
        version: Bumped on every change.
    """

    number: CardNumber = field(validator=_is(CardNumber))
    holder_id: str = field(validator=non_empty_str)
    issued_on: date = field(validator=is_date)
    expires_on: date = field(validator=is_date)
    issued_by: str = field(validator=non_empty_str)
    replaces: CardNumber | None = field(default=None, validator=optional_(_is(CardNumber)))
    change: StatusChange | None = field(default=None, validator=optional_(_is(StatusChange)))
    version: int = field(default=0, validator=int_at_least(0))

    def __attrs_post_init__(self) -> None:
        _check_card_dates(self.issued_on, self.expires_on, self.change, "expires_on")

    @property
    def id(self) -> str:
        """The card's identity: its number as text, e.g. ``"JK1001"``."""
        return str(self.number)

    @property
    def level(self) -> VipLevel:
        """The card's level, from its number."""
        return self.number.level

    @property
    def status(self) -> CardStatus:
        """The recorded status: active until a change is recorded (see :meth:`status_on`)."""
        return CardStatus.ACTIVE if self.change is None else self.change.status

    @property
    def ends_on(self) -> date:
        """The first day the card is not valid: its expiry, or an earlier recorded change."""
        if self.change is None:
            return self.expires_on
        return min(self.expires_on, self.change.on)

    def is_valid_on(self, day: date) -> bool:
        """Whether the card may be used on ``day``: ``issued_on <= day < ends_on``."""
        _require_date(day, "day")
        return self.issued_on <= day < self.ends_on

    def status_on(self, day: date) -> CardStatus:
        """The status on ``day``: the recorded change once it applies, expired after expiry."""
        _require_date(day, "day")
        if self.change is not None and day >= self.change.on:
            return self.change.status
        return CardStatus.EXPIRED if day >= self.expires_on else CardStatus.ACTIVE


def _items(instance: object, attribute: Any, value: Any) -> None:
    ok = isinstance(value, tuple) and all(isinstance(v, str) and v.strip() for v in value)
    if not ok or len(set(value)) != len(value):
        raise ValidationError.expected(attribute.name, "a list of distinct non-empty names", value)


@frozen
class VipBenefits:
    """The services of each benefit family (002 §§30-33); an empty family is not offered.

    002 §31 lets each office roll services out gradually, so the catalogue is
    the company's to edit.

    Attributes:
        priority: Priority services (优先服务, §31).
        discount: Discounts (优惠服务, §32).
        consultation: Consultation (咨询服务, §30).
        family_care: Family care and the value-added services of §33 (亲情服务).
        emergency_aid: Emergency aid (紧急援助服务, §33): cash within the policy's limit.
    """

    priority: tuple[str, ...] = field(
        default=(
            "fee_payment",
            "renovation_approval",
            "request_handling",
            "event_sign_up",
            "hand_over",
            "special_services",
        ),
        validator=_items,
    )
    discount: tuple[str, ...] = field(
        default=(
            "fee_discount",
            "free_utility_collection",
            "pricing_offers",
            "home_purchase_discount",
            "partner_merchant_discounts",
        ),
        validator=_items,
    )
    consultation: tuple[str, ...] = field(default=("property_consultation",), validator=_items)
    family_care: tuple[str, ...] = field(
        default=(
            "doorstep_fee_collection",
            "booking_service",
            "vip_salon",
            "festival_greetings",
            "birthday_greetings",
            "reminders",
        ),
        validator=_items,
    )
    emergency_aid: tuple[str, ...] = field(default=("cash_aid",), validator=_items)

    def of(self, family: BenefitFamily) -> tuple[str, ...]:
        """The services of one family."""
        items: tuple[str, ...] = getattr(self, family.value)
        return items

    @property
    def families(self) -> tuple[BenefitFamily, ...]:
        """The families with at least one service."""
        return tuple(f for f in BenefitFamily if self.of(f))


_NO_BENEFITS = VipBenefits((), (), (), (), ())


@frozen
class VipPolicy:
    """Settings of the VIP programme; the defaults are those of the rules (002 §§23-33).

    Attributes:
        card_prefix: The group's two capital letters at the start of every card number.
        validity_years: How long a card is valid, in calendar years.
        renewal_window_days: A card may be renewed from this many days before it expires.
        emergency_aid_limit: The most cash emergency aid per case, in yuan (元).
        benefits: The services of each benefit family.
    """

    card_prefix: str = field(default="JK", validator=_prefix)
    validity_years: int = field(default=3, validator=int_between(1, 20))
    renewal_window_days: int = field(default=30, validator=int_between(0, 366))
    emergency_aid_limit: int = field(default=2000, validator=int_at_least(0))
    benefits: VipBenefits = field(factory=VipBenefits, validator=_is(VipBenefits))


@frozen
class Benefits:
    """What a card brings on a day, and why.

    Attributes:
        card: The card's number.
        on: The day.
        services: The services of each family; all empty when the card brings nothing.
        emergency_aid_limit: Cash emergency aid available per case, in yuan; 0 when none.
        reasons: Why.
    """

    card: CardNumber
    on: date
    services: VipBenefits
    emergency_aid_limit: int
    reasons: tuple[Reason, ...]

    @property
    def families(self) -> tuple[BenefitFamily, ...]:
        """The benefit families available; empty when none."""
        return self.services.families


@frozen
class RevocationAdvice:
    """Whether the programme recommends revoking a VIP's card (002 §28), and why.

    Attributes:
        recommended: Revocation is recommended.
        grounds: The grounds found, for :meth:`VipProgramme.revoke`.
        on: The day of the advice.
        reasons: Why.
    """

    recommended: bool
    grounds: tuple[RevocationGround, ...]
    on: date
    reasons: tuple[Reason, ...]


@frozen
class Reissue:
    """A card that ended and the new card that took its place (renewal or replacement).

    Attributes:
        old: The old card, now ended.
        new: The new card.
    """

    old: VipCard
    new: VipCard


# --- the sequence allocator port --------------------------------------------------------------


class CardSequenceAllocator(Protocol):
    """Hands out card sequence numbers per (prefix, level), never the same one twice.

    Storage adapters implement it so that numbers stay unique across processes;
    :class:`MemorySequenceAllocator` is the in-process implementation.
    """

    def allocate(self, prefix: str, level: VipLevel) -> int:
        """Return the next unused sequence number, from 1 to :data:`MAX_SEQUENCE`.

        Raises:
            CardNumbersExhaustedError: all of 1-999 were handed out.
        """
        ...


class MemorySequenceAllocator:
    """A :class:`CardSequenceAllocator` in memory, counting up from 1 per (prefix, level).

    Args:
        last: The last number already handed out per (prefix, level), to resume
            from stored counts; missing pairs start at 1.

    >>> allocator = MemorySequenceAllocator({("JK", VipLevel.OTHER): 998})
    >>> allocator.allocate("JK", VipLevel.OTHER)
    999
    >>> allocator.allocate("JK", VipLevel.OTHER)
    Traceback (most recent call last):
    ...
    propcrm.vip.CardNumbersExhaustedError: no card numbers left for JK2: JK2001-JK2999 have \
all been handed out and numbers are never reused; to issue more, the company needs another \
card prefix (vip.card_prefix)
    """

    def __init__(self, last: Mapping[tuple[str, VipLevel], int] | None = None) -> None:
        self._last: dict[tuple[str, VipLevel], int] = {}
        for (prefix, level), count in (last or {}).items():
            if isinstance(count, bool) or not isinstance(count, int):
                raise ValidationError.expected("last", "integer counts", count)
            if not 0 <= count <= MAX_SEQUENCE:
                raise ValidationError.expected("last", f"counts from 0 to {MAX_SEQUENCE}", count)
            self._last[(_as_prefix(prefix), _as_level(level, "last"))] = count

    def allocate(self, prefix: str, level: VipLevel) -> int:
        """Return the next sequence number of ``(prefix, level)``."""
        key = (_as_prefix(prefix), _as_level(level, "level"))
        following = self._last.get(key, 0) + 1
        if following > MAX_SEQUENCE:
            code = f"{prefix}{key[1].value}"
            raise CardNumbersExhaustedError(
                f"no card numbers left for {code}: {code}001-{code}{MAX_SEQUENCE} have all been "
                "handed out and numbers are never reused; to issue more, the company needs "
                "another card prefix (vip.card_prefix)"
            )
        self._last[key] = following
        return following

    def last(self, prefix: str, level: VipLevel) -> int:
        """The last number handed out for ``(prefix, level)``, 0 if none."""
        return self._last.get((_as_prefix(prefix), _as_level(level, "level")), 0)


# --- the programme ----------------------------------------------------------------------------


class VipProgramme:
    """Issues, renews, replaces and revokes VIP cards, and says what a card brings.

    The programme never reads the clock: every operation takes its day. It
    keeps one piece of state, the cards it issued or was shown, by number, so
    that it can refuse a second card to a holder, see a card already revoked,
    and list cards expiring between two days. Its record of a card is
    authoritative; a card it does not know (e.g. loaded from storage) is taken
    as given. Storage and services persist the cards every operation returns.

    Args:
        policy: The VIP settings.
        allocator: Where card sequence numbers come from.
        tiers: The tier thresholds used to verify that a customer qualifies.
    """

    def __init__(
        self, policy: VipPolicy, allocator: CardSequenceAllocator, *, tiers: TierPolicy
    ) -> None:
        if not isinstance(policy, VipPolicy):
            raise ValidationError.expected("policy", "a VipPolicy", policy, "e.g. policy.vip")
        if not callable(getattr(allocator, "allocate", None)):
            raise ValidationError.expected(
                "allocator", "a CardSequenceAllocator", allocator, "e.g. MemorySequenceAllocator()"
            )
        if not isinstance(tiers, TierPolicy):
            raise ValidationError.expected(
                "tiers", "a TierPolicy", tiers, "e.g. policy.customers.tiers"
            )
        self.policy = policy
        self.tiers = tiers
        self._allocator = allocator
        self._cards: dict[str, VipCard] = {}

    @classmethod
    def from_policy(cls, policy: Policy, allocator: CardSequenceAllocator) -> VipProgramme:
        """Build a programme from a company's whole policy (``vip`` and ``customers.tiers``)."""
        return cls(policy.vip, allocator, tiers=policy.customers.tiers)

    def card(self, number: CardNumber | str) -> VipCard:
        """The programme's record of a card.

        Raises:
            NotFoundError: the programme has no such card.
        """
        key = str(number)
        if key not in self._cards:
            raise NotFoundError(f"no VIP card {key!r} in this programme")
        return self._cards[key]

    def issue(self, customer: Customer, *, level: VipLevel, on: date, by: str) -> VipCard:
        """Issue a card to a customer who is tier A on ``on`` (002 §§24-25).

        Raises:
            NotEligibleError: the customer is not tier A that day (with the reasons).
            CardStateError: the customer already holds a card valid that day.
            CardNumbersExhaustedError: no sequence number is left for the level.
        """
        _require_date(on, "on")
        level = _as_level(level, "level")
        self._require_a(customer, on, "issue")
        held = [c for c in self._cards.values() if c.holder_id == customer.id]
        for other in held:
            if other.is_valid_on(on):
                raise CardStateError(
                    f"customer {customer.id!r} already holds VIP card {other.id}, valid until "
                    f"{other.ends_on - timedelta(days=1)}; replace or renew it instead"
                )
        card = self._new_card(customer.id, level, on, self._expiry(on), by, None)
        return self._keep(card)

    def renew(
        self,
        card: VipCard,
        customer: Customer,
        *,
        on: date,
        by: str,
        level: VipLevel | None = None,
    ) -> Reissue:
        """Verify the holder again at expiry and give one who still qualifies a new card (§26).

        Renewal opens ``renewal_window_days`` before expiry and stays open after
        it. The new card is valid from ``on`` for the full validity; the old one
        ends on ``on`` with status expired.

        Args:
            card: The card to renew.
            customer: Its holder, with today's facts.
            on: The day of renewal.
            by: Who renews it.
            level: The new card's level; the old level by default.

        Raises:
            NotEligibleError: the holder no longer qualifies; nothing changes.
            CardStateError: the card was replaced, revoked or renewed, or renewal
                has not opened yet.
        """
        _require_date(on, "on")
        if level is not None:
            level = _as_level(level, "level")
        old = self._current(card)
        if not isinstance(customer, Customer):
            raise ValidationError.expected("customer", "a Customer", customer)
        if customer.id != old.holder_id:
            raise ValidationError.expected("customer", f"the holder {old.holder_id!r}", customer.id)
        self._require_active(old, "renew")
        opens = old.expires_on - timedelta(days=self.policy.renewal_window_days)
        if on < opens:
            raise CardStateError(
                f"VIP card {old.id} cannot be renewed before {opens} "
                f"({self.policy.renewal_window_days} days before it expires on {old.expires_on})"
            )
        self._require_a(customer, on, "renew")
        draft = StatusChange(CardStatus.EXPIRED, on, by, "renewed")  # checked before allocating
        new = self._new_card(
            old.holder_id,
            old.level if level is None else level,
            on,
            self._expiry(on),
            by,
            old.number,
        )
        change = evolve(draft, why=f"renewed as {new.id}", successor=new.number)
        return Reissue(self._keep(_ended(old, change)), self._keep(new))

    def replace(
        self, card: VipCard, *, on: date, by: str, why: str = "card reported lost (遗失)"
    ) -> Reissue:
        """Replace a lost card with a new number; the old one is invalid from ``on`` (§27).

        The new card keeps the old card's expiry: replacing a card does not
        extend the validity.

        Raises:
            CardStateError: the card is not valid on ``on``.
        """
        _require_date(on, "on")
        old = self._current(card)
        self._require_valid(old, on, "replace")
        draft = StatusChange(CardStatus.REPLACED, on, by, why)  # checked before allocating
        new = self._new_card(old.holder_id, old.level, on, old.expires_on, by, old.number)
        change = evolve(draft, successor=new.number)
        return Reissue(self._keep(_ended(old, change)), self._keep(new))

    def revoke(
        self, card: VipCard, *, ground: RevocationGround, on: date, by: str, note: str = ""
    ) -> VipCard:
        """Revoke a card during its validity; priority and discount services stop (§28).

        Args:
            card: The card.
            ground: Malicious arrears, or conduct harming the group's interests.
            on: The day of revocation; the card is invalid from that day.
            by: Who revokes it.
            note: Details, e.g. the arrears found.

        Raises:
            CardStateError: the card is not valid on ``on`` (already revoked,
                replaced, renewed or expired).
        """
        _require_date(on, "on")
        ground = _as_ground(ground)
        if not isinstance(note, str):
            raise ValidationError.expected("note", "a string", note, "leave it out for no details")
        old = self._current(card)
        self._require_valid(old, on, "revoke")
        why = f"{ground.value}: {note}" if note.strip() else ground.value
        return self._keep(_ended(old, StatusChange(CardStatus.REVOKED, on, by, why, ground)))

    def recommend_revocation(self, facts: TierFacts | Customer, *, on: date) -> RevocationAdvice:
        """Recommend revocation when a VIP has become tier D on ``on`` (002 §28).

        Arrears (a malicious finding or the months of the D rule) are the ground
        of malicious arrears; leading group complaints or frequent invalid
        complaints are conduct harming the group's interests. The programme only
        advises; :meth:`revoke` acts.
        """
        decision = classify_tier(facts, on=on, policy=self.tiers)
        if decision.tier is not Tier.D:
            reason = Reason(
                "vip.revocation.not_recommended",
                f"no ground for revocation found: tier {decision.tier.value} on {on}",
                {"tier": decision.tier.value},
                "002 §28",
            )
            return RevocationAdvice(False, (), on, (reason,))
        d_reasons = tuple(r for r in decision.reasons if r.rule.startswith("tier.d."))
        grounds = tuple(
            sorted(
                {
                    RevocationGround.MALICIOUS_ARREARS
                    if "arrears" in r.rule
                    else RevocationGround.HARMS_GROUP_INTERESTS
                    for r in d_reasons
                },
                key=lambda g: g.value,
            )
        )
        summary = Reason(
            "vip.revocation.recommended",
            "revocation recommended: " + ", ".join(g.value for g in grounds),
            {"grounds": [g.value for g in grounds]},
            "002 §28",
        )
        return RevocationAdvice(True, grounds, on, (summary, *d_reasons))

    def benefits(self, card: VipCard, on: date, *, in_managed_community: bool = True) -> Benefits:
        """What the card brings on ``on`` (002 §§30-34): nothing unless it is valid that day.

        Args:
            card: The card shown (with the holder's ID or owner card, §27).
            on: The day.
            in_managed_community: The service is asked for inside one of the
                company's own communities; elsewhere the card brings nothing (§34).
        """
        _require_date(on, "on")
        current = self._current(card)
        if not current.is_valid_on(on):
            status = current.status_on(on)
            source = {CardStatus.REVOKED: "002 §28", CardStatus.REPLACED: "002 §27"}
            reason = Reason(
                "vip.benefits.card_not_valid",
                f"card {current.id} is not valid on {on} ({status.value})"
                if on >= current.issued_on
                else f"card {current.id} is not valid before {current.issued_on}",
                {
                    "status": status.value,
                    "issued_on": current.issued_on,
                    "ends_on": current.ends_on,
                },
                source.get(status, "002 §26"),
            )
            return Benefits(current.number, on, _NO_BENEFITS, 0, (reason,))
        if not in_managed_community:
            reason = Reason(
                "vip.benefits.outside_managed_communities",
                "VIP services apply only inside the company's managed communities",
                {"in_managed_community": False},
                "002 §34",
            )
            return Benefits(current.number, on, _NO_BENEFITS, 0, (reason,))
        offered = self.policy.benefits
        reasons = tuple(
            Reason(
                f"vip.benefits.{family.value}",
                f"{family.label}: {', '.join(offered.of(family))}",
                {"services": list(offered.of(family))},
                _FAMILY_SOURCES[family],
            )
            for family in offered.families
        )
        aid = self.policy.emergency_aid_limit if offered.emergency_aid else 0
        return Benefits(current.number, on, offered, aid, reasons)

    def expiring(self, between: tuple[date, date]) -> tuple[VipCard, ...]:
        """Active cards that expire on a day in ``[start, end)``, for reminders; soonest first."""
        start, end = between
        _require_date(start, "between[0]")
        _require_date(end, "between[1]")
        found = (
            c for c in self._cards.values() if c.change is None and start <= c.expires_on < end
        )
        return tuple(sorted(found, key=lambda c: (c.expires_on, c.id)))

    # --- internals ---

    def _expiry(self, on: date) -> date:
        expires: date = on + relativedelta(years=self.policy.validity_years)
        return expires

    def _require_a(self, customer: Customer, on: date, action: str) -> None:
        if not isinstance(customer, Customer):
            raise ValidationError.expected("customer", "a Customer", customer)
        decision = classify_tier(customer, on=on, policy=self.tiers)
        if decision.tier is not Tier.A:
            raise NotEligibleError(customer.id, decision, action)

    def _current(self, card: VipCard) -> VipCard:
        if not isinstance(card, VipCard):
            raise ValidationError.expected("card", "a VipCard", card)
        return self._cards.get(card.id, card)

    def _require_active(self, card: VipCard, action: str) -> None:
        if card.change is not None:
            change = card.change
            raise CardStateError(
                f"cannot {action} VIP card {card.id}: it was {change.status.value} on "
                f"{change.on} by {change.by} ({change.why})"
            )

    def _require_valid(self, card: VipCard, on: date, action: str) -> None:
        self._require_active(card, action)
        if not card.is_valid_on(on):
            raise CardStateError(
                f"cannot {action} VIP card {card.id} on {on}: it is valid only from "
                f"{card.issued_on} until before {card.expires_on}"
            )

    def _new_card(
        self,
        holder_id: str,
        level: VipLevel,
        on: date,
        expires_on: date,
        by: str,
        replaces: CardNumber | None,
    ) -> VipCard:
        prefix = self.policy.card_prefix
        # Build the card with a stand-in number first, so that every argument is checked
        # before a sequence number is used up: numbers are never reused.
        draft = VipCard(CardNumber(prefix, level, 1), holder_id, on, expires_on, by, replaces)
        sequence = self._allocator.allocate(prefix, level)
        return evolve(draft, number=CardNumber(prefix, level, sequence))

    def _keep(self, card: VipCard) -> VipCard:
        self._cards[card.id] = card
        return card


# --- private helpers --------------------------------------------------------------------------


def _require_date(value: object, name: str) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError.expected(name, "a datetime.date", value)


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


def _as_level(value: object, name: str) -> VipLevel:
    """``value`` as a :class:`VipLevel`; its digit 0, 1 or 2 is accepted too."""
    if isinstance(value, VipLevel):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2:
        return VipLevel(value)
    raise ValidationError.expected(
        name,
        "a VipLevel (0 group leadership, 1 government official, 2 other)",
        value,
        "e.g. VipLevel.GOVERNMENT_OFFICIAL",
    )


def _as_ground(value: object) -> RevocationGround:
    if isinstance(value, RevocationGround):
        return value
    if isinstance(value, str) and value in _GROUNDS:
        return RevocationGround(value)
    raise ValidationError.expected(
        "ground",
        f"a RevocationGround ({', '.join(_GROUNDS)})",
        value,
        "002 §28 allows revocation only for malicious arrears or conduct harming the group",
    )


_GROUNDS = tuple(g.value for g in RevocationGround)


def _as_prefix(value: object) -> str:
    if not (isinstance(value, str) and len(value) == 2 and value.isascii() and value.isupper()):
        raise ValidationError.expected("prefix", "2 capital letters", value, "e.g. 'JK'")
    return value


def _ended(card: VipCard, change: StatusChange) -> VipCard:
    return evolve(card, change=change, version=card.version + 1)


def _parse_number(text: object, prefix: str | None) -> CardNumber:
    if not isinstance(text, str):
        raise ValidationError.expected("card_number", "a string such as 'JK1001'", text)
    if len(text) != 6:
        raise ValidationError.expected(
            "card_number",
            "6 characters: a 2-letter prefix, a level digit and a 3-digit sequence",
            text,
            f"it has {len(text)}; e.g. 'JK1001'",
        )
    head, digit, tail = text[:2], text[2], text[3:]
    if not (head.isascii() and head.isalpha()):
        raise ValidationError.expected("card_number.prefix", "2 capital letters", head)
    if not head.isupper():
        raise ValidationError.expected(
            "card_number.prefix", "2 capital letters", head, f"write it {head.upper()!r}"
        )
    if prefix is not None and head != prefix:
        raise ValidationError.expected(
            "card_number.prefix", f"the company's prefix {prefix!r}", head
        )
    if digit not in "012":
        raise ValidationError.expected(
            "card_number.level",
            "a level digit 0, 1 or 2 (0 group leadership, 1 government official, 2 other)",
            digit,
        )
    if not (tail.isascii() and tail.isdigit()):
        raise ValidationError.expected("card_number.sequence", "3 digits from 001 to 999", tail)
    if tail == "000":
        raise ValidationError.expected(
            "card_number.sequence", "3 digits from 001 to 999", tail, "numbering starts at 001"
        )
    return CardNumber(head, VipLevel(int(digit)), int(tail))
