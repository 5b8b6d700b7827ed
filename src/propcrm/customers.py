"""Customers: A/B/C/D tiers (客户分级), household life-stage segments, and personal data.

Three things a property company knows about its customers, each with the
rules that use it:

* **Tiers** (002 §7). :func:`classify_tier` puts a customer in tier A
  (重点客户, key customer), B (忠诚客户, loyal), C (一般客户, ordinary) or
  D (刁蛮客户, difficult) from the :class:`TierFacts` on a given day, and says
  why. Every threshold is a setting of :class:`TierPolicy`.
* **Segments** (002 §6). :func:`segment` places a :class:`Household` in one of
  the eight life stages (DINK, couple with child, single parent, …) or in
  :attr:`Segment.UNCLASSIFIED` — never a guess.
* **Personal data** (002 §21). A :class:`Customer`'s phone, ID number and
  address are :class:`~propcrm.privacy.PersonalData` values that show only a
  masked form in ``repr``, ``str`` and logs;
  :meth:`~propcrm.privacy.PersonalData.reveal` gives the clear value to code
  allowed to see it. Customers and households carry their confidentiality
  level (:class:`~propcrm.privacy.Confidentiality`, 密级).

>>> from datetime import date
>>> from propcrm.customers import *
>>> facts = TierFacts(government_official=True, months_in_arrears=7)
>>> decision = classify_tier(facts, on=date(2025, 6, 1))
>>> decision.tier, decision.tier.label
(<Tier.D: 'D'>, '刁蛮客户')
>>> print(decision.reasons[0])
[002 §7; Decision (RULES §1)] 7 months of property fees overdue: long arrears, \
treated as malicious by policy (from 6 months), not a finding of malice
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from attrs import define, field, frozen
from dateutil.relativedelta import relativedelta

from propcrm._checks import require_date
from propcrm._customer_segments import (
    Household,
    Member,
    Relation,
    Segment,
    SegmentDecision,
    SegmentPolicy,
    segment,
)
from propcrm._slices import policy_slice
from propcrm._validators import (
    int_at_least,
    int_between,
    is_bool,
    is_date,
    non_empty_str,
    number_between,
)
from propcrm._validators import optional as optional_
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.privacy import Confidentiality, PersonalData, PersonalKind

__all__ = [
    "Customer",
    "CustomerPolicy",
    "Household",
    "Member",
    "Relation",
    "Segment",
    "SegmentDecision",
    "SegmentPolicy",
    "Tier",
    "TierDecision",
    "TierFacts",
    "TierPolicy",
    "classify_tier",
    "segment",
]

_TIERS_SOURCE = "002 §7"
#: A criterion 002 §7 states in words, with a threshold of ours (RULES §1).
_TIERS_DECIDED = "002 §7; Decision (RULES §1)"


# --- tiers ----------------------------------------------------------------------------------


class Tier(Enum):
    """A customer tier (客户分级) of 002 §7; :attr:`label` is the Chinese name."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def label(self) -> str:
        """The tier's Chinese name, e.g. ``"重点客户"`` for A."""
        return _TIER_LABELS[self]


_TIER_LABELS = {Tier.A: "重点客户", Tier.B: "忠诚客户", Tier.C: "一般客户", Tier.D: "刁蛮客户"}


def _dates(value: object) -> tuple[date, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValidationError.expected("dates", "a sequence of dates", value)
    return tuple(value)


def _each_date(instance: object, attribute: Any, value: tuple[object, ...]) -> None:
    for item in value:
        is_date(instance, attribute, item)


@frozen
class TierFacts:
    """What tiering needs to know about a customer (002 §7).

    Dated facts (invalid complaints, group complaints led) count on a day only
    if they happened on or before it and within the policy's window.

    Attributes:
        government_official: A government official with social standing (政府官员).
        special_relationship: Has a special relationship with the group (与集团有特殊关系).
        major_contribution: Made a major contribution to, or has a major influence on,
            the company (较大贡献或重大影响).
        purchases_from_group: How many times the customer bought property from the group.
        group_employee_buyer: A group employee who bought property from the group.
        satisfaction_score: The latest satisfaction score, 0-100, or ``None`` if unknown.
        endorses_management: The customer explicitly endorses the property
            management (非常认可).
        invalid_complaints: The days on which complaints of this customer were
            judged invalid (无效投诉).
        months_in_arrears: Months of property fees overdue.
        malicious_arrears: An explicit finding that the arrears are malicious
            (恶意欠缴); long arrears without it are reported as long arrears.
        group_complaints_led: The days of group complaints the customer led or
            organised (牵头聚众投诉).
        signed_on: The day the customer signed with the company, or ``None``.
    """

    government_official: bool = field(default=False, validator=is_bool)
    special_relationship: bool = field(default=False, validator=is_bool)
    major_contribution: bool = field(default=False, validator=is_bool)
    purchases_from_group: int = field(default=0, validator=int_at_least(0))
    group_employee_buyer: bool = field(default=False, validator=is_bool)
    satisfaction_score: float | None = field(
        default=None, validator=optional_(number_between(0, 100))
    )
    endorses_management: bool = field(default=False, validator=is_bool)
    invalid_complaints: tuple[date, ...] = field(default=(), converter=_dates, validator=_each_date)
    months_in_arrears: int = field(default=0, validator=int_at_least(0))
    malicious_arrears: bool = field(default=False, validator=is_bool)
    group_complaints_led: tuple[date, ...] = field(
        default=(), converter=_dates, validator=_each_date
    )
    signed_on: date | None = field(default=None, validator=optional_(is_date))


def _precedence(instance: object, attribute: Any, value: Any) -> None:
    ok = isinstance(value, tuple) and len(value) == 4 and set(value) == set(Tier)
    if not ok or value[-1] is not Tier.C:
        shown = [getattr(v, "value", v) for v in value] if isinstance(value, tuple) else value
        raise ValidationError.expected(
            attribute.name,
            "the four tiers, each once, with C last",
            shown,
            "C is the fallback for everyone else, e.g. ['D', 'A', 'B', 'C']",
        )


@frozen
class TierPolicy:
    """Thresholds of the tier rules of 002 §7 (``[customers.tiers]`` in a policy file).

    002 §7 states the criteria in words; only the two purchases of tier B are
    a number it gives. Every other default is a Decision (RULES § 1), so a
    reason fired by such a threshold cites ``"002 §7; Decision (RULES §1)"``.
    Windows are calendar months: a fact of day *d* counts on every day *x*
    with ``d <= x < d + window``.

    Attributes:
        precedence: Which tier wins when several apply, highest first; C is last
            because it is the fallback. Default D, A, B, C (Decision: D before A
            because a VIP who maliciously owes fees loses VIP status, 002 §28).
        loyal_min_purchases: B from this many purchases from the group.
            Default 2 (002 §7: 购买某某物业两次以上).
        loyal_min_satisfaction: B from this latest satisfaction score (0-100),
            the measure of "highly approves" (非常认可). Default 90 (Decision).
        difficult_min_invalid_complaints: D from this many invalid complaints
            inside the window, the measure of "frequent" (时常). Default 3
            (Decision).
        invalid_complaints_window_months: The window for invalid complaints.
            Default 12 (Decision).
        difficult_min_arrears_months: Long arrears: from this many months of
            fees overdue, arrears are treated as malicious by policy and make a
            customer D, though nobody found them malicious (an explicit
            finding is D at any length). Default 6 (Decision).
        difficult_min_group_complaints_led: D from this many group complaints
            led inside the window. Default 1 (Decision).
        group_complaints_window_months: The window for group complaints led.
            Default 12 (Decision).
        newly_signed_months: A C customer who signed this recently is explained
            as newly signed (新签约客户). Default 12 (Decision).
    """

    precedence: tuple[Tier, ...] = field(
        default=(Tier.D, Tier.A, Tier.B, Tier.C), validator=_precedence
    )
    loyal_min_purchases: int = field(default=2, validator=int_at_least(1))
    loyal_min_satisfaction: float = field(default=90.0, validator=number_between(0, 100))
    difficult_min_invalid_complaints: int = field(default=3, validator=int_at_least(1))
    invalid_complaints_window_months: int = field(default=12, validator=int_between(1, 120))
    difficult_min_arrears_months: int = field(default=6, validator=int_at_least(1))
    difficult_min_group_complaints_led: int = field(default=1, validator=int_at_least(1))
    group_complaints_window_months: int = field(default=12, validator=int_between(1, 120))
    newly_signed_months: int = field(default=12, validator=int_between(0, 120))


@frozen
class TierDecision:
    """The tier of a customer on a day, and why.

    Attributes:
        tier: The tier that applies.
        on: The day the decision is for.
        matched: Every tier whose criteria were met, in precedence order (C
            only when no other was met).
        reasons: The reasons of the winning tier first, then one
            ``tier.precedence`` reason for each tier it outranked.
    """

    tier: Tier
    on: date
    matched: tuple[Tier, ...]
    reasons: tuple[Reason, ...]


# --- customers ------------------------------------------------------------------------------


def _personal(kind: PersonalKind, value: object) -> PersonalData | None:
    if value is None or isinstance(value, PersonalData):
        if value is not None and value.kind is not kind:
            raise ValidationError.expected(kind.value, f"{kind.value} data", value.kind.value)
        return value
    if not isinstance(value, str):
        raise ValidationError.expected(kind.value, "a string or PersonalData", type(value).__name__)
    return PersonalData(kind, value)


def _phone(value: str | PersonalData | None) -> PersonalData | None:
    return _personal(PersonalKind.PHONE, value)


def _id_number(value: str | PersonalData | None) -> PersonalData | None:
    return _personal(PersonalKind.ID_NUMBER, value)


def _address(value: str | PersonalData | None) -> PersonalData | None:
    return _personal(PersonalKind.ADDRESS, value)


def _is_facts(instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, TierFacts):
        raise ValidationError.expected(attribute.name, "TierFacts", value)


@define
class Customer:
    """A customer (客户) of the company: identity, contact data and the facts tiers use.

    Phone, ID number and address are :class:`~propcrm.privacy.PersonalData` (plain strings are
    wrapped), so the customer's ``repr`` shows them masked.

    Attributes:
        id: The customer's identity.
        name: The customer's name.
        phone: Contact phone, masked when shown.
        id_number: Identity-card number (身份证号), masked when shown.
        address: Home address, masked when shown.
        facts: What :func:`classify_tier` needs.
        household_id: The customer's household, if known.
        confidentiality: The record's confidentiality level (密级).
        community: The community (小区) whose desks may read it; ``None``: any.
        version: Bumped on every stored change.

    >>> from propcrm.customers import Customer
    >>> Customer("c1", "王芳", phone="13812345678", id_number="110101199001011234")
    Customer(id='c1', name='王芳', phone=PersonalData(phone='138****5678'), \
id_number=PersonalData(id_number='1****4'), address=None, facts=TierFacts(...), \
household_id=None, confidentiality=<Confidentiality.CONFIDENTIAL: 'confidential'>, ...)
    """

    id: str = field(validator=non_empty_str)
    name: str = field(validator=non_empty_str)
    phone: PersonalData | None = field(default=None, converter=_phone)
    id_number: PersonalData | None = field(default=None, converter=_id_number)
    address: PersonalData | None = field(default=None, converter=_address)
    facts: TierFacts = field(factory=TierFacts, validator=_is_facts)
    household_id: str | None = field(default=None, validator=optional_(non_empty_str))
    confidentiality: Confidentiality = Confidentiality.CONFIDENTIAL
    community: str | None = field(default=None, validator=optional_(non_empty_str))
    version: int = field(default=0, validator=int_at_least(0))


@frozen
class CustomerPolicy:
    """The customers capability's policy: tiers and segments.

    Attributes:
        tiers: Thresholds of the tier rules.
        segments: Age thresholds of the segment rules.
    """

    tiers: TierPolicy = field(factory=TierPolicy)
    segments: SegmentPolicy = field(factory=SegmentPolicy)


# --- classification -------------------------------------------------------------------------


def classify_tier(facts: TierFacts | Customer, *, on: date, policy: object = None) -> TierDecision:
    """Put a customer in tier A, B, C or D on ``on`` (002 §7), with the reasons.

    Each tier's criteria are checked (any one suffices); of the tiers met, the
    first in ``policy.precedence`` wins; a customer who meets none is C.

    Args:
        facts: The customer's facts, or the customer.
        on: The day of the decision; dated facts after it do not count.
        policy: The thresholds and the precedence: the whole
            :class:`~propcrm.policy.Policy`, ``policy.customers.tiers``, or
            ``None`` for the defaults.

    Returns:
        The tier, the tiers met, and the reasons.

    Raises:
        ValidationError: facts that are neither :class:`TierFacts` nor a
            :class:`Customer`, a day that is not a date, or a policy of another
            type.

    >>> from datetime import date
    >>> from propcrm.customers import TierFacts, classify_tier
    >>> facts = TierFacts(purchases_from_group=2)
    >>> d = classify_tier(facts, on=date(2025, 1, 1))
    >>> d.tier, [r.rule for r in d.reasons]
    (<Tier.B: 'B'>, ['tier.b.repeat_purchases'])
    """
    if isinstance(facts, Customer):
        facts = facts.facts
    if not isinstance(facts, TierFacts):
        raise ValidationError.expected("facts", "TierFacts or a Customer", facts)
    require_date(on, "on")
    thresholds = policy_slice(policy, TierPolicy, "customers.tiers")
    fired = _criteria(facts, on, thresholds)
    matched = tuple(t for t in thresholds.precedence if fired.get(t))
    if not matched:
        return TierDecision(Tier.C, on, (Tier.C,), _c_reasons(facts, on, thresholds))
    winner = matched[0]
    outranked = tuple(
        Reason(
            "tier.precedence",
            f"{t.value} criteria also met, but {winner.value} takes precedence over {t.value}",
            {"winner": winner.value, "outranked": t.value},
            "002 §28" if (winner, t) == (Tier.D, Tier.A) else _TIERS_SOURCE,
        )
        for t in matched[1:]
    )
    return TierDecision(winner, on, matched, fired[winner] + outranked)


# --- private helpers --------------------------------------------------------------------------


def _criteria(f: TierFacts, on: date, p: TierPolicy) -> dict[Tier, tuple[Reason, ...]]:
    """The reasons of every criterion of tiers A, B and D that the facts meet on ``on``."""
    fired: dict[Tier, list[Reason]] = {Tier.A: [], Tier.B: [], Tier.D: []}

    def when(
        met: bool, tier: Tier, rule: str, message: str, source: str = _TIERS_SOURCE, **facts: object
    ) -> None:
        if met:
            fired[tier].append(Reason(f"tier.{tier.value.lower()}.{rule}", message, facts, source))

    when(
        f.government_official,
        Tier.A,
        "government_official",
        "a government official (政府官员)",
        government_official=True,
    )
    when(
        f.special_relationship,
        Tier.A,
        "special_relationship",
        "has a special relationship with the group",
        special_relationship=True,
    )
    when(
        f.major_contribution,
        Tier.A,
        "major_contribution",
        "made a major contribution to, or has major influence on, the company",
        major_contribution=True,
    )

    when(
        f.purchases_from_group >= p.loyal_min_purchases,
        Tier.B,
        "repeat_purchases",
        f"bought from the group {f.purchases_from_group} times (B from {p.loyal_min_purchases})",
        purchases_from_group=f.purchases_from_group,
        threshold=p.loyal_min_purchases,
    )
    score = f.satisfaction_score
    when(
        score is not None and score >= p.loyal_min_satisfaction,
        Tier.B,
        "high_satisfaction",
        f"latest satisfaction score {score:g} (B from {p.loyal_min_satisfaction:g})"
        if score is not None
        else "",
        satisfaction_score=score,
        threshold=p.loyal_min_satisfaction,
        source=_TIERS_DECIDED,
    )
    when(
        f.endorses_management,
        Tier.B,
        "endorsement",
        "explicitly endorses the property management",
        endorses_management=True,
    )
    when(
        f.group_employee_buyer,
        Tier.B,
        "group_employee_buyer",
        "a group employee who bought property from the group",
        group_employee_buyer=True,
    )

    invalid = _within(f.invalid_complaints, on, p.invalid_complaints_window_months)
    when(
        len(invalid) >= p.difficult_min_invalid_complaints,
        Tier.D,
        "invalid_complaints",
        f"{len(invalid)} complaints judged invalid within {p.invalid_complaints_window_months} "
        f"months (D from {p.difficult_min_invalid_complaints})",
        invalid_complaints=invalid,
        threshold=p.difficult_min_invalid_complaints,
        source=_TIERS_DECIDED,
    )
    when(
        f.malicious_arrears,
        Tier.D,
        "malicious_arrears",
        "property fees in arrears found malicious (恶意欠缴)",
        malicious_arrears=True,
        months_in_arrears=f.months_in_arrears,
    )
    when(
        not f.malicious_arrears and f.months_in_arrears >= p.difficult_min_arrears_months,
        Tier.D,
        "long_arrears",
        f"{f.months_in_arrears} months of property fees overdue: long arrears, treated as "
        f"malicious by policy (from {p.difficult_min_arrears_months} months), "
        "not a finding of malice",
        months_in_arrears=f.months_in_arrears,
        malicious_arrears=False,
        threshold=p.difficult_min_arrears_months,
        source=_TIERS_DECIDED,
    )
    led = _within(f.group_complaints_led, on, p.group_complaints_window_months)
    when(
        len(led) >= p.difficult_min_group_complaints_led,
        Tier.D,
        "group_complaints_led",
        f"led {len(led)} group complaint(s) within {p.group_complaints_window_months} months",
        group_complaints_led=led,
        threshold=p.difficult_min_group_complaints_led,
        source=_TIERS_DECIDED,
    )
    return {tier: tuple(reasons) for tier, reasons in fired.items()}


def _within(days: tuple[date, ...], on: date, months: int) -> list[date]:
    return sorted(d for d in days if d <= on < d + relativedelta(months=months))


def _c_reasons(f: TierFacts, on: date, p: TierPolicy) -> tuple[Reason, ...]:
    signed = f.signed_on
    if signed is not None and signed <= on < signed + relativedelta(months=p.newly_signed_months):
        message = f"a newly signed customer (signed {signed.isoformat()})"
        return (Reason("tier.c.newly_signed", message, {"signed_on": signed}, _TIERS_DECIDED),)
    message = "meets none of the criteria of tiers A, B or D"
    return (Reason("tier.c.default", message, {}, _TIERS_SOURCE),)
