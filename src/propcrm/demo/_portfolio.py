"""The demo's synthetic portfolio: communities, households, customers and their facts.

Every value comes from one :class:`random.Random` seeded by the caller, so a
seed gives the same portfolio on every machine. Names, phones and addresses are
invented (no real person); phones and addresses are stored as
:class:`~propcrm.privacy.PersonalData`. This module is private.
"""

from __future__ import annotations

import random
from datetime import date

from attrs import frozen

from propcrm.customers import Customer, Household, Member, Relation, Tier, TierFacts, classify_tier
from propcrm.policy import Policy

__all__ = ["COMMUNITIES", "Community", "Portfolio", "Resident", "build_portfolio"]


@frozen
class Community:
    """One community (小区 or building) of the portfolio.

    Attributes:
        name: Its name.
        property_type: ``residential``, ``commercial`` or ``office`` (``SlaPolicy.property_types``).
        share: Its share of the portfolio's households.
        subjects: Places complaints and repairs are about.
        mood: How far its survey answers lean positive (0 to 1).
    """

    name: str
    property_type: str
    share: float
    subjects: tuple[str, ...]
    mood: float


COMMUNITIES: tuple[Community, ...] = (
    Community(
        "翠湖花园", "residential", 0.34, ("1号楼电梯", "地下车库", "中心花园", "东门岗亭"), 0.8
    ),
    Community("滨江公寓", "residential", 0.26, ("2号楼电梯", "泳池", "北门道闸", "垃圾房"), 0.65),
    Community(
        "锦绣家园", "residential", 0.20, ("3号楼水泵房", "儿童乐园", "南门", "地面车位"), 0.55
    ),
    Community("星河广场", "commercial", 0.10, ("中庭", "扶梯", "卸货区", "公共卫生间"), 0.7),
    Community("金融中心", "office", 0.10, ("大堂", "空调机房", "会议中心", "停车场"), 0.75),
)
"""The demo's communities: three residential estates, a shopping centre, an office tower."""

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅辉鑫宇浩然欣怡子轩梓涵"


@frozen
class Resident:
    """A customer of the portfolio with the community they live in and their tier at the start.

    Attributes:
        customer: The customer (the head of a household).
        community: The community's name.
        tier: The tier on the first day of the run.
        index: The household's number in the portfolio (for survey rotation).
    """

    customer: Customer
    community: str
    tier: Tier
    index: int


@frozen
class Portfolio:
    """The households and customers of the run, by community.

    Attributes:
        households: Every household.
        residents: One resident (its head) per household, in the same order.
        by_community: The residents of each community.
    """

    households: tuple[Household, ...]
    residents: tuple[Resident, ...]
    by_community: dict[str, tuple[Resident, ...]]


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))


def _members(rng: random.Random, start: date) -> tuple[Member, ...]:
    head_age = rng.randint(24, 80)
    born = date(start.year - head_age, rng.randint(1, 12), rng.randint(1, 28))
    members = [Member(_name(rng), born, Relation.HEAD, working=head_age < 62)]
    if rng.random() < 0.7:
        spouse = date(born.year + rng.randint(-4, 4), rng.randint(1, 12), rng.randint(1, 28))
        members.append(Member(_name(rng), spouse, Relation.SPOUSE, working=head_age < 60))
    if 28 <= head_age <= 60:
        for _ in range(rng.choice((0, 1, 1, 2))):
            year = min(start.year - 1, born.year + rng.randint(24, 40))
            child = date(year, rng.randint(1, 12), rng.randint(1, 28))
            members.append(Member(_name(rng), child, Relation.CHILD))
    if head_age < 45 and rng.random() < 0.15:
        parent = date(born.year - rng.randint(25, 32), rng.randint(1, 12), rng.randint(1, 28))
        members.append(Member(_name(rng), parent, Relation.PARENT))
    return tuple(members)


def _facts(rng: random.Random, start: date) -> TierFacts:
    roll = rng.random()
    official = roll < 0.004
    special = 0.004 <= roll < 0.007
    contribution = 0.007 <= roll < 0.010
    arrears = rng.choice((0,) * 30 + (1, 2, 3, 7))
    signed = None
    if rng.random() < 0.12:
        signed = date(start.year - 1, rng.randint(1, 12), rng.randint(1, 28))
    return TierFacts(
        government_official=official,
        special_relationship=special,
        major_contribution=contribution,
        purchases_from_group=rng.choice((0, 0, 0, 0, 1, 1, 2, 3)),
        group_employee_buyer=rng.random() < 0.03,
        satisfaction_score=round(rng.uniform(60, 100), 1) if rng.random() < 0.5 else None,
        endorses_management=rng.random() < 0.05,
        months_in_arrears=arrears,
        malicious_arrears=arrears >= 7 and rng.random() < 0.3,
        signed_on=signed,
    )


def _phone(n: int) -> str:
    return f"139{n:08d}"


def build_portfolio(households: int, *, seed: int, start: date, policy: Policy) -> Portfolio:
    """Invent ``households`` households spread over :data:`COMMUNITIES`, from ``seed``.

    Each household has members (a head, often a spouse, children, sometimes a
    parent); its head is the customer, with tier facts drawn at rates a
    property company sees (a few key customers, many ordinary ones, some in
    arrears). Tiers are classified on ``start`` with ``policy``.
    """
    rng = random.Random(f"portfolio:{seed}")
    counts = [int(households * c.share) for c in COMMUNITIES]
    counts[0] += households - sum(counts)
    homes: list[Household] = []
    residents: list[Resident] = []
    by_community: dict[str, list[Resident]] = {c.name: [] for c in COMMUNITIES}
    n = 0
    for community, count in zip(COMMUNITIES, counts, strict=True):
        for _ in range(count):
            n += 1
            members = _members(rng, start)
            household = Household(f"H{n:06d}", members, elders_active=rng.random() < 0.3)
            building, unit = rng.randint(1, 30), rng.randint(101, 2804)
            customer = Customer(
                f"C{n:06d}",
                members[0].name,
                phone=_phone(n),
                address=f"{community.name}{building}栋{unit}室",
                facts=_facts(rng, start),
                household_id=household.id,
            )
            tier = classify_tier(customer, on=start, policy=policy).tier
            resident = Resident(customer, community.name, tier, n)
            homes.append(household)
            residents.append(resident)
            by_community[community.name].append(resident)
    return Portfolio(
        tuple(homes),
        tuple(residents),
        {name: tuple(found) for name, found in by_community.items()},
    )
