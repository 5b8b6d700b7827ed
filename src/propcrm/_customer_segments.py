"""Household life-stage segments (002 §6): households, their members, and the segment rules.

The public home of these names is :mod:`propcrm.customers`; this module is private.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from attrs import define, field, frozen

from propcrm._checks import require_date
from propcrm._slices import policy_slice
from propcrm._validators import int_at_least, int_between, is_bool, is_date, non_empty_str
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.privacy import Confidentiality

__all__ = [
    "Household",
    "Member",
    "Relation",
    "Segment",
    "SegmentDecision",
    "SegmentPolicy",
    "segment",
]

_SEGMENTS_SOURCE = "002 §6"


class Segment(Enum):
    """A household life stage of 002 §6; :attr:`label` is the Chinese name."""

    DINK_ONE_EARNER = "dink_one_earner"
    DINK_TWO_EARNERS = "dink_two_earners"
    COUPLE_WITH_CHILD = "couple_with_child"
    SINGLE_PARENT = "single_parent"
    MATURE_FAMILY = "mature_family"
    EMPTY_NEST = "empty_nest"
    OLDER_SINGLE = "older_single"
    ACTIVE_ELDER = "active_elder"
    UNCLASSIFIED = "unclassified"

    @property
    def label(self) -> str:
        """The segment's Chinese name, e.g. ``"空巢家庭"`` for an empty nest."""
        return _SEGMENT_LABELS[self]


_SEGMENT_LABELS = {
    Segment.DINK_ONE_EARNER: "单人工作丁克家庭",
    Segment.DINK_TWO_EARNERS: "双人工作丁克家庭",
    Segment.COUPLE_WITH_CHILD: "有小孩的夫妇",
    Segment.SINGLE_PARENT: "单亲家庭",
    Segment.MATURE_FAMILY: "成熟家庭",
    Segment.EMPTY_NEST: "空巢家庭",
    Segment.OLDER_SINGLE: "大龄单身贵族",
    Segment.ACTIVE_ELDER: "活跃长者",
    Segment.UNCLASSIFIED: "未分类",
}


class Relation(Enum):
    """How a household member relates to the head of the household (户主)."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


@frozen
class Member:
    """One person of a household.

    Attributes:
        name: The member's name.
        birth_date: The member's date of birth.
        relation: Relation to the head of the household.
        working: Has paid work.
        resident: Lives in the household; a child who moved out is ``False``.

    >>> from datetime import date
    >>> from propcrm.customers import Member, Relation
    >>> Member("李明", date(2000, 2, 29), Relation.CHILD).age_on(date(2025, 2, 28))
    24
    """

    name: str = field(validator=non_empty_str)
    birth_date: date = field(validator=is_date)
    relation: Relation = field(default=Relation.HEAD)
    working: bool = field(default=False, validator=is_bool)
    resident: bool = field(default=True, validator=is_bool)

    def age_on(self, on: date) -> int:
        """Full years of age on ``on``; born on 29 February, one ages on 1 March in other years.

        Raises:
            ValidationError: ``on`` is before the birth date.
        """
        if require_date(on, "on") < self.birth_date:
            raise ValidationError.expected(
                "on", f"a day on or after the birth date {self.birth_date}", on
            )
        before_birthday = (on.month, on.day) < (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - before_birthday


def _members(value: object) -> tuple[Member, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise ValidationError.expected("members", "a sequence of Member", value)
    return tuple(value)


def _household_members(instance: object, attribute: Any, value: tuple[object, ...]) -> None:
    if not all(isinstance(m, Member) for m in value):
        raise ValidationError.expected(attribute.name, "a sequence of Member", value)
    heads = sum(m.relation is Relation.HEAD for m in value)  # type: ignore[attr-defined]
    spouses = sum(m.relation is Relation.SPOUSE for m in value)  # type: ignore[attr-defined]
    if heads != 1 or spouses > 1:
        raise ValidationError.expected(
            attribute.name,
            "exactly one head (户主) and at most one spouse",
            f"{heads} head(s) and {spouses} spouse(s)",
            "mark the customer as Relation.HEAD and relate everyone else to them",
        )


@define
class Household:
    """A household (家庭) and its members, the subject of life-stage segments (002 §6).

    Attributes:
        id: The household's identity.
        members: Everyone of the household, exactly one of them its head.
        elders_active: The elders of the household lead an active life (活跃);
            turns an empty nest into active elders.
        confidentiality: The record's confidentiality level (密级).
        version: Bumped on every stored change.
    """

    id: str = field(validator=non_empty_str)
    members: tuple[Member, ...] = field(converter=_members, validator=_household_members)
    elders_active: bool = field(default=False, validator=is_bool)
    confidentiality: Confidentiality = Confidentiality.CONFIDENTIAL
    version: int = field(default=0, validator=int_at_least(0))

    @property
    def head(self) -> Member:
        """The head of the household (户主)."""
        return next(m for m in self.members if m.relation is Relation.HEAD)


@frozen
class SegmentPolicy:
    """Age thresholds of the segment rules (``[customers.segments]`` in a policy file).

    002 §6 names the eight life stages but no ages, so every default is a
    Decision (RULES § 2).

    Attributes:
        child_under: A child is a son or daughter under this age. Default 18
            (Decision).
        older_single_min_age: A single person without children is an older
            single (大龄单身贵族) from this age. Default 30 (Decision).
        elder_min_age: An elder (长者) from this age. Default 60 (Decision).
    """

    child_under: int = field(default=18, validator=int_between(1, 40))
    older_single_min_age: int = field(default=30, validator=int_between(1, 120))
    elder_min_age: int = field(default=60, validator=int_between(1, 120))

    def __attrs_post_init__(self) -> None:
        if self.elder_min_age <= self.child_under:
            raise ValidationError.expected(
                "elder_min_age",
                f"an age above child_under ({self.child_under})",
                self.elder_min_age,
            )


@frozen
class SegmentDecision:
    """The life-stage segment of a household on a day, and why.

    Attributes:
        segment: The segment, or :attr:`Segment.UNCLASSIFIED` when no rule fits.
        on: The day the decision is for.
        reasons: Why this segment (one reason naming the rule and its facts).
    """

    segment: Segment
    on: date
    reasons: tuple[Reason, ...]


def segment(household: Household, *, on: date, policy: object = None) -> SegmentDecision:
    """Place a household in a life-stage segment of 002 §6 on ``on``, with the reason.

    The rules, first match wins: elders living alone or as a couple are active
    elders if flagged active, else an empty nest if they have children living
    elsewhere; a household with a child under age is a couple with child or a
    single parent; one whose children are all adults is a mature family; a
    childless couple is a DINK household by its earners; a childless single
    old enough is an older single. Anything else is
    :attr:`Segment.UNCLASSIFIED`.

    Args:
        household: The household.
        on: The day ages are taken on.
        policy: The age thresholds: the whole :class:`~propcrm.policy.Policy`,
            ``policy.customers.segments``, or ``None`` for the defaults.

    Raises:
        ValidationError: a household that is not a :class:`Household`, a day
            that is not a date, or a policy of another type.

    >>> from datetime import date
    >>> from propcrm.customers import Household, Member, Relation, segment
    >>> home = Household("h1", [Member("张伟", date(1950, 5, 1)),
    ...                         Member("张磊", date(1980, 3, 1), Relation.CHILD, resident=False)])
    >>> segment(home, on=date(2025, 6, 1)).segment.label
    '空巢家庭'
    """
    if not isinstance(household, Household):
        raise ValidationError.expected("household", "a Household", household)
    require_date(on, "on")
    thresholds = policy_slice(policy, SegmentPolicy, "customers.segments")
    head = household.head
    spouse = next((m for m in household.members if m.relation is Relation.SPOUSE), None)
    couple = tuple(m for m in (head, spouse) if m is not None)
    children = tuple(m for m in household.members if m.relation is Relation.CHILD)
    ages = {"head_age": head.age_on(on)}
    if spouse is not None:
        ages["spouse_age"] = spouse.age_on(on)
    child_ages = [c.age_on(on) for c in children]
    facts: dict[str, object] = {
        **ages,
        "children": len(children),
        "children_ages": child_ages,
        "children_at_home": sum(c.resident for c in children),
    }

    def decide(seg: Segment, why: str, rule: str | None = None) -> SegmentDecision:
        reason = Reason(rule or f"segment.{seg.value}", why, facts, _SEGMENTS_SOURCE)
        return SegmentDecision(seg, on, (reason,))

    elders = all(a >= thresholds.elder_min_age for a in ages.values())
    if elders and not any(c.resident for c in children):
        alone = "alone" if spouse is None else "as a couple"
        facts["elders_active"] = household.elders_active
        if household.elders_active:
            return decide(
                Segment.ACTIVE_ELDER,
                f"elders aged {thresholds.elder_min_age}+ living {alone}, flagged active",
            )
        if children:
            return decide(
                Segment.EMPTY_NEST,
                f"elders aged {thresholds.elder_min_age}+ living {alone}, "
                "children living elsewhere",
            )
    minors = sum(a < thresholds.child_under for a in child_ages)
    if minors:
        if spouse is not None:
            return decide(
                Segment.COUPLE_WITH_CHILD,
                f"a couple with {minors} child(ren) under {thresholds.child_under}",
            )
        return decide(
            Segment.SINGLE_PARENT,
            f"a parent without a spouse, {minors} child(ren) under {thresholds.child_under}",
        )
    if children:
        return decide(
            Segment.MATURE_FAMILY,
            f"all {len(children)} child(ren) are {thresholds.child_under} or older",
        )
    earners = sum(m.working for m in couple)
    facts["earners"] = earners
    if spouse is not None and earners == 2:
        return decide(Segment.DINK_TWO_EARNERS, "a childless couple, both working")
    if spouse is not None and earners == 1:
        return decide(Segment.DINK_ONE_EARNER, "a childless couple, one of them working")
    if spouse is None and ages["head_age"] >= thresholds.older_single_min_age:
        return decide(
            Segment.OLDER_SINGLE, f"single, no children, aged {thresholds.older_single_min_age}+"
        )
    return decide(
        Segment.UNCLASSIFIED, "no segment rule fits this household", "segment.unclassified"
    )


# Public in propcrm.customers: set after each class is built, so that attrs compiles their
# methods with this module's names (it copies the globals of ``__module__``).
for _public in (Segment, Relation, Member, Household, SegmentPolicy, SegmentDecision, segment):
    _public.__module__ = "propcrm.customers"
