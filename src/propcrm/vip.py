"""The VIP card programme (VIP客户, 002 §§19-35): numbers, validity, issue, renewal, benefits.

Only tier-A customers (重点客户) get a VIP card, and never one who does not
qualify (002 §25). A card number has six characters (§23): the group's
two-letter prefix, a level digit (:class:`VipLevel`) and a sequence from
``001`` to ``999`` that is never reused. A card is valid for three calendar
years (§26): issued on day *d*, it is valid on every day *x* with
``d <= x < d + 3 years`` (:meth:`VipPolicy.expiry`). From the expiry day the
customer is verified again and only one who still qualifies gets a new card
(§26); a lost card is replaced by a new number (§27); misconduct lets the
company revoke the card (§28). While valid, a card brings five families of
benefits (§§30-33), inside the company's own communities only (§34). The VIP
assistant (:attr:`Role.VIP_ASSISTANT <propcrm.roles.Role.VIP_ASSISTANT>`,
客户助理, §§19, 35) runs the programme.

>>> from datetime import date
>>> from propcrm.vip import MemorySequenceAllocator, VipLevel, VipProgramme
>>> from propcrm.customers import Customer, TierFacts
>>> from propcrm.vip import *
>>> programme = VipProgramme(MemorySequenceAllocator())
>>> official = Customer("c1", "王芳", facts=TierFacts(government_official=True))
>>> card = programme.issue(official, level=VipLevel.GOVERNMENT_OFFICIAL,
...                        on=date(2024, 2, 29), by="客户助理 李娜")
>>> str(card.number), card.customer_id, card.expires_on
('JK1001', 'c1', datetime.date(2027, 2, 28))
>>> card.is_valid_on(date(2027, 2, 27)), card.is_valid_on(date(2027, 2, 28))
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from attrs import evolve, frozen

from propcrm._checks import as_items, require_date, require_instance, require_items
from propcrm._slices import policy_slice
from propcrm._vip_cards import (
    CardStateError,
    CardStatus,
    RevocationGround,
    StatusChange,
    VipCard,
    ended,
)
from propcrm._vip_numbers import (
    MAX_SEQUENCE,
    CardNumber,
    CardNumbersExhaustedError,
    CardSequenceAllocator,
    MemorySequenceAllocator,
    VipLevel,
    as_level,
)
from propcrm._vip_policy import BenefitFamily, Benefits, VipBenefits, VipPolicy, card_benefits
from propcrm.customers import Customer, Tier, TierDecision, TierFacts, TierPolicy, classify_tier
from propcrm.errors import NotFoundError, PropcrmError, ValidationError, shown
from propcrm.explain import Reason

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


@frozen
class RevocationAdvice:
    """Whether the programme recommends revoking a VIP's card (002 §28), and why.

    Long arrears without a finding of malice are no ground for revocation: they
    only call for a review of whether the arrears are malicious (Decision,
    RULES § 1).

    Attributes:
        recommended: Revocation is recommended: at least one ground was found.
        grounds: The grounds found, for :meth:`VipProgramme.revoke`.
        review: A review of the customer's arrears is recommended: they are
            long enough to be treated as malicious by policy, but nobody has
            found them malicious.
        on: The day of the advice.
        reasons: Why.
    """

    recommended: bool
    grounds: tuple[RevocationGround, ...]
    review: bool
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


class VipProgramme:
    """Issues, renews, replaces and revokes VIP cards, and says what a card brings.

    The programme never reads the clock: every operation takes its day. It
    keeps one piece of state, the cards it issued or was shown, by id, so that
    it can refuse a second card to a customer, see a card already revoked, and
    list cards expiring between two days. Its record of a card is
    authoritative; a card it does not know (e.g. loaded from storage) is taken
    as given. Storage and services persist the cards every operation returns.

    Args:
        allocator: Where card sequence numbers come from (a store's
            ``card_numbers``, or a :class:`MemorySequenceAllocator`).
        policy: The whole :class:`~propcrm.policy.Policy`, its ``policy.vip``,
            or ``None`` for the defaults.
        tiers: The tier thresholds used to verify that a customer qualifies:
            the whole Policy or ``policy.customers.tiers``. By default those of
            ``policy`` when it is the whole Policy, else the defaults.
        cards: Cards issued before (e.g. read from a store), known from the start.

    Raises:
        ValidationError: an argument of the wrong type, with the path to the
            right one, e.g. ``policy: expected a VipPolicy, got a
            CustomerPolicy; pass policy.vip or the whole Policy``.
    """

    def __init__(
        self,
        allocator: CardSequenceAllocator,
        *,
        policy: object = None,
        tiers: object = None,
        cards: Iterable[VipCard] = (),
    ) -> None:
        if not callable(getattr(allocator, "allocate", None)):
            raise ValidationError.expected(
                "allocator", "a CardSequenceAllocator", allocator, "e.g. MemorySequenceAllocator()"
            )
        self.policy: VipPolicy = policy_slice(policy, VipPolicy, "vip")
        if tiers is None and policy is not None and not isinstance(policy, VipPolicy):
            tiers = policy  # the whole Policy: its own tier thresholds
        self.tiers: TierPolicy = policy_slice(
            tiers, TierPolicy, "customers.tiers", argument="tiers"
        )
        self._allocator = allocator
        self._cards: dict[str, VipCard] = {}
        for known in require_items(cards, "cards", VipCard, "a list of VipCard values"):
            self._keep(known)

    def card(self, card_id: CardNumber | str) -> VipCard:
        """The programme's record of a card.

        Raises:
            NotFoundError: the programme has no such card.
        """
        require_instance(card_id, (CardNumber, str), "card_id", "a card number, e.g. 'JK1001'")
        key = str(card_id)
        if key not in self._cards:
            raise NotFoundError(f"no VIP card {shown(key)} in this programme")
        return self._cards[key]

    def take_number(self, level: VipLevel) -> CardNumber:
        """Take the next card number of ``level`` from the allocator, for good.

        This is the call :meth:`issue`, :meth:`renew` and :meth:`replace` make
        for their new card, offered for cards numbered outside the programme
        (e.g. a register of cards moved into propcrm). A number taken is never
        handed out again, even if no card ever carries it; inside a store's
        transaction that rolls back, the store takes it back. There is no
        preview of the next number: with a shared store another desk may take
        it first, so a card's number is known when it is taken.

        Raises:
            ValidationError: ``level`` is not a :class:`VipLevel` or its digit.
            CardNumbersExhaustedError: no sequence number is left for the level.
        """
        level = as_level(level, "level")
        prefix = self.policy.card_prefix
        return CardNumber(prefix, level, self._allocator.allocate(prefix, level))

    def issue(self, customer: Customer, *, level: VipLevel, on: date, by: str) -> VipCard:
        """Issue a card to a customer who is tier A on ``on`` (002 §§24-25).

        Raises:
            NotEligibleError: the customer is not tier A that day (with the reasons).
            CardStateError: the customer already holds a card valid that day.
            CardNumbersExhaustedError: no sequence number is left for the level.
        """
        require_date(on, "on")
        level = as_level(level, "level")
        self._require_a(customer, on, "issue")
        held = [c for c in self._cards.values() if c.customer_id == customer.id]
        for other in held:
            if other.is_valid_on(on):
                raise CardStateError(
                    f"customer {customer.id!r} already holds VIP card {other.id}, valid until "
                    f"{other.ends_on - timedelta(days=1)}; replace or renew it instead"
                )
        card = self._new_card(customer.id, level, on, self.policy.expiry(on), by, None)
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

        Renewal opens on the expiry day (到期后), or ``vip.renewal_window_days``
        before it, and stays open after it. The new card is valid from ``on``
        for the full validity; the old one ends on ``on`` with status expired.

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
        require_date(on, "on")
        if level is not None:
            level = as_level(level, "level")
        old = self._current(card)
        if not isinstance(customer, Customer):
            raise ValidationError.expected("customer", "a Customer", customer)
        if customer.id != old.customer_id:
            raise ValidationError.expected(
                "customer", f"the holder {old.customer_id!r}", customer.id
            )
        self._require_active(old, "renew")
        opens = self.policy.renewal_opens(old.expires_on)
        if on < opens:
            window = (
                "renewal opens on the expiry day"
                if opens == old.expires_on
                else f"{self.policy.renewal_window_days} days before it expires on {old.expires_on}"
            )
            raise CardStateError(f"VIP card {old.id} cannot be renewed before {opens} ({window})")
        self._require_a(customer, on, "renew")
        draft = StatusChange(CardStatus.EXPIRED, on, by, "renewed")  # checked before allocating
        new = self._new_card(
            old.customer_id,
            old.level if level is None else level,
            on,
            self.policy.expiry(on),
            by,
            old.id,
        )
        change = evolve(draft, why=f"renewed as {new.id}", replaced_by_card_id=new.id)
        return Reissue(self._keep(ended(old, change)), self._keep(new))

    def replace(
        self, card: VipCard, *, on: date, by: str, why: str = "card reported lost (遗失)"
    ) -> Reissue:
        """Replace a lost card with a new number; the old one is invalid from ``on`` (§27).

        The new card keeps the old card's expiry: replacing a card does not
        extend the validity.

        Raises:
            CardStateError: the card is not valid on ``on``.
        """
        require_date(on, "on")
        old = self._current(card)
        self._require_valid(old, on, "replace")
        draft = StatusChange(CardStatus.REPLACED, on, by, why)  # checked before allocating
        new = self._new_card(old.customer_id, old.level, on, old.expires_on, by, old.id)
        change = evolve(draft, replaced_by_card_id=new.id)
        return Reissue(self._keep(ended(old, change)), self._keep(new))

    def revoke(
        self, card: VipCard, *, ground: RevocationGround, on: date, by: str, note: str = ""
    ) -> VipCard:
        """Revoke a card during its validity; priority and discount services stop (§28).

        Revoking for :attr:`RevocationGround.MALICIOUS_ARREARS` records that
        ``by`` found the arrears malicious; long arrears alone are no ground
        (:meth:`recommend_revocation` asks for a review instead).

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
        require_date(on, "on")
        ground = _as_ground(ground)
        if not isinstance(note, str):
            raise ValidationError.expected("note", "a string", note, "leave it out for no details")
        old = self._current(card)
        self._require_valid(old, on, "revoke")
        why = f"{ground.value}: {note}" if note.strip() else ground.value
        return self._keep(ended(old, StatusChange(CardStatus.REVOKED, on, by, why, ground)))

    def recommend_revocation(self, facts: TierFacts | Customer, *, on: date) -> RevocationAdvice:
        """Advise on revoking the card of a VIP who has become tier D on ``on`` (002 §28).

        An explicit finding of malicious arrears is the ground of malicious
        arrears; leading group complaints or frequent invalid complaints are
        conduct harming the group's interests. Long arrears without a finding
        of malice are no ground: they recommend a review of the arrears
        (Decision, RULES § 1). The programme only advises; :meth:`revoke` acts.
        """
        decision = classify_tier(facts, on=on, policy=self.tiers)
        d_reasons = tuple(r for r in decision.reasons if r.rule.startswith("tier.d."))
        if decision.tier is not Tier.D:
            reason = Reason(
                "vip.revocation.not_recommended",
                f"no ground for revocation found: tier {decision.tier.value} on {on}",
                {"tier": decision.tier.value},
                "002 §28",
            )
            return RevocationAdvice(False, (), False, on, (reason,))
        found = {
            RevocationGround.MALICIOUS_ARREARS
            if r.rule == "tier.d.malicious_arrears"
            else RevocationGround.HARMS_GROUP_INTERESTS
            for r in d_reasons
            if r.rule != "tier.d.long_arrears"
        }
        grounds = tuple(sorted(found, key=lambda g: g.value))
        long_arrears = [r for r in d_reasons if r.rule == "tier.d.long_arrears"]
        advice: list[Reason] = []
        if grounds:
            advice.append(
                Reason(
                    "vip.revocation.recommended",
                    "revocation recommended: " + ", ".join(g.value for g in grounds),
                    {"grounds": [g.value for g in grounds]},
                    "002 §28",
                )
            )
        for reason in long_arrears:
            months = reason.facts["months_in_arrears"]
            advice.append(
                Reason(
                    "vip.revocation.review_arrears",
                    f"{months} months overdue: long arrears, treated as malicious by policy but "
                    "not found malicious; review whether they are malicious (恶意欠缴) before "
                    "revoking",
                    {"months_in_arrears": months, "malicious_arrears": False},
                    "002 §28",
                )
            )
        review = bool(long_arrears)
        return RevocationAdvice(bool(grounds), grounds, review, on, (*advice, *d_reasons))

    def benefits(self, card: VipCard, *, on: date, in_managed_community: bool = True) -> Benefits:
        """What the card brings on ``on`` (002 §§30-34): nothing unless it is valid that day.

        Args:
            card: The card shown (with the holder's ID or owner card, §27).
            on: The day.
            in_managed_community: The service is asked for inside one of the
                company's own communities; elsewhere the card brings nothing (§34).
        """
        require_date(on, "on")
        return card_benefits(self._current(card), self.policy, on, in_managed_community)

    def expiring(self, between: tuple[date, date]) -> tuple[VipCard, ...]:
        """Active cards that expire on a day in ``[start, end)``, for reminders; soonest first."""
        pair = as_items(between, "between", "a pair (start, end) of dates")
        if len(pair) != 2:
            raise ValidationError.expected("between", "a pair (start, end) of dates", between)
        start, end = pair
        require_date(start, "between[0]")
        require_date(end, "between[1]")
        found = (
            c for c in self._cards.values() if c.change is None and start <= c.expires_on < end
        )
        return tuple(sorted(found, key=lambda c: (c.expires_on, c.id)))

    # --- internals ---

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
        customer_id: str,
        level: VipLevel,
        on: date,
        expires_on: date,
        by: str,
        replaces_card_id: str | None,
    ) -> VipCard:
        prefix = self.policy.card_prefix
        # Build the card with a stand-in number first, so that every argument is checked
        # before a sequence number is used up: numbers are never reused.
        draft = VipCard(
            CardNumber(prefix, level, 1), customer_id, on, expires_on, by, replaces_card_id
        )
        return evolve(draft, number=self.take_number(level))

    def _keep(self, card: VipCard) -> VipCard:
        self._cards[card.id] = card
        return card


_GROUNDS = tuple(g.value for g in RevocationGround)


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
