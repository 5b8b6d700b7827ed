"""Strategies for the people: customers and households, their personal data, VIP cards."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from propcrm.customers import (
    Customer,
    CustomerPolicy,
    Household,
    Member,
    Relation,
    SegmentPolicy,
    Tier,
    TierFacts,
    TierPolicy,
)
from propcrm.privacy import Confidentiality, PersonalData, PersonalKind
from propcrm.testing.strategies._common import (
    check_days,
    check_int,
    check_member,
    check_strategy,
)
from propcrm.vip import MAX_SEQUENCE, CardNumber, VipBenefits, VipCard, VipLevel, VipPolicy

__all__ = [
    "card_numbers",
    "card_prefixes",
    "customer_policies",
    "customers",
    "households",
    "members",
    "personal_data",
    "segment_policies",
    "tier_facts",
    "tier_policies",
    "vip_cards",
    "vip_policies",
]

_EARLIEST = date(1920, 1, 1)
_IDS = st.text("0123456789abcdef", min_size=1, max_size=12)


# --- policies -------------------------------------------------------------------------------


def tier_policies() -> st.SearchStrategy[TierPolicy]:
    """Valid :class:`~propcrm.customers.TierPolicy` values: any order of D, A, B before C."""
    return st.builds(
        TierPolicy,
        precedence=st.permutations([Tier.D, Tier.A, Tier.B]).map(lambda p: (*p, Tier.C)),
        loyal_min_purchases=st.integers(1, 10),
        loyal_min_satisfaction=st.floats(0, 100, allow_nan=False),
        difficult_min_invalid_complaints=st.integers(1, 10),
        invalid_complaints_window_months=st.integers(1, 120),
        difficult_min_arrears_months=st.integers(1, 36),
        difficult_min_group_complaints_led=st.integers(1, 5),
        group_complaints_window_months=st.integers(1, 120),
        newly_signed_months=st.integers(0, 120),
    )


def segment_policies() -> st.SearchStrategy[SegmentPolicy]:
    """Valid :class:`~propcrm.customers.SegmentPolicy` values."""
    return st.builds(
        lambda child, single, elder_gap: SegmentPolicy(child, single, child + elder_gap),
        st.integers(1, 40),
        st.integers(1, 120),
        st.integers(1, 80),
    )


def customer_policies() -> st.SearchStrategy[CustomerPolicy]:
    """Valid :class:`~propcrm.customers.CustomerPolicy` values."""
    return st.builds(CustomerPolicy, tiers=tier_policies(), segments=segment_policies())


# --- customers and households ---------------------------------------------------------------


def personal_data(*, kind: PersonalKind | None = None) -> st.SearchStrategy[PersonalData]:
    """:class:`~propcrm.privacy.PersonalData` of ``kind`` (any kind if ``None``).

    Raises:
        ValidationError: ``kind`` is not a :class:`~propcrm.privacy.PersonalKind`.
    """
    wanted = check_member("kind", kind, PersonalKind)
    kinds = st.sampled_from(PersonalKind) if wanted is None else st.just(wanted)
    values = st.text(min_size=1, max_size=40).filter(str.strip)
    return st.builds(PersonalData, kinds, values)


def tier_facts(
    *, min_day: date = date(2000, 1, 1), max_day: date = date(2040, 12, 31)
) -> st.SearchStrategy[TierFacts]:
    """:class:`~propcrm.customers.TierFacts` whose dated facts fall in ``[min_day, max_day]``.

    Raises:
        ValidationError: a bound is not a date, or ``max_day`` is before ``min_day``.
    """
    check_days("min_day", min_day, "max_day", max_day)
    days = st.dates(min_day, max_day)
    return st.builds(
        TierFacts,
        government_official=st.booleans(),
        special_relationship=st.booleans(),
        major_contribution=st.booleans(),
        purchases_from_group=st.integers(0, 6),
        group_employee_buyer=st.booleans(),
        satisfaction_score=st.none() | st.floats(0, 100, allow_nan=False),
        endorses_management=st.booleans(),
        invalid_complaints=st.lists(days, max_size=6).map(tuple),
        months_in_arrears=st.integers(0, 24),
        malicious_arrears=st.booleans(),
        group_complaints_led=st.lists(days, max_size=3).map(tuple),
        signed_on=st.none() | days,
    )


def customers(*, facts: st.SearchStrategy[TierFacts] | None = None) -> st.SearchStrategy[Customer]:
    """:class:`~propcrm.customers.Customer` entities with personal data and tier facts.

    Raises:
        ValidationError: ``facts`` is not a strategy.
    """
    check_strategy("facts", facts)
    return st.builds(
        Customer,
        id=_IDS,
        name=st.text(min_size=1, max_size=10).filter(str.strip),
        phone=st.none() | personal_data(kind=PersonalKind.PHONE),
        id_number=st.none() | personal_data(kind=PersonalKind.ID_NUMBER),
        address=st.none() | personal_data(kind=PersonalKind.ADDRESS),
        facts=tier_facts() if facts is None else facts,
        confidentiality=st.sampled_from(Confidentiality),
        version=st.integers(0, 10),
    )


def members(
    *,
    relation: Relation | None = None,
    born_from: date = date(1920, 1, 1),
    born_until: date = date(2024, 12, 31),
) -> st.SearchStrategy[Member]:
    """Household :class:`~propcrm.customers.Member` values born in ``[born_from, born_until]``.

    Raises:
        ValidationError: ``relation`` is not a :class:`~propcrm.customers.Relation`, a
            bound is not a date, or ``born_until`` is before ``born_from``.
    """
    wanted = check_member("relation", relation, Relation)
    check_days("born_from", born_from, "born_until", born_until)
    relations = st.sampled_from(Relation) if wanted is None else st.just(wanted)
    return st.builds(
        Member,
        name=st.sampled_from(["王芳", "李伟", "张敏", "刘洋", "陈静"]),
        birth_date=st.dates(born_from, born_until),
        relation=relations,
        working=st.booleans(),
        resident=st.booleans(),
    )


def households(*, born_until: date = date(2024, 12, 31)) -> st.SearchStrategy[Household]:
    """Valid :class:`~propcrm.customers.Household` entities: one head, at most one spouse.

    Everyone is born on or before ``born_until``, so ages can be taken on any later day.

    Raises:
        ValidationError: ``born_until`` is not a date on or after 1 January 1920.
    """
    check_days("the earliest birth", _EARLIEST, "born_until", born_until)
    head = members(relation=Relation.HEAD, born_until=born_until)
    spouse = st.lists(members(relation=Relation.SPOUSE, born_until=born_until), max_size=1)
    others = st.lists(
        st.sampled_from([Relation.CHILD, Relation.PARENT, Relation.OTHER]).flatmap(
            lambda r: members(relation=r, born_until=born_until)
        ),
        max_size=4,
    )
    return st.builds(
        lambda h, s, o, hid, active, level: Household(hid, (h, *s, *o), active, level),
        head,
        spouse,
        others,
        _IDS,
        st.booleans(),
        st.sampled_from(Confidentiality),
    )


# --- VIP cards ------------------------------------------------------------------------------


def card_prefixes() -> st.SearchStrategy[str]:
    """Two capital ASCII letters, ``"JK"`` most often."""
    letters = st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z"))
    return st.just("JK") | st.tuples(letters, letters).map("".join)


def vip_policies() -> st.SearchStrategy[VipPolicy]:
    """Valid :class:`~propcrm.vip.VipPolicy` values, benefit catalogues varied."""
    names = st.lists(st.sampled_from(["a", "b", "c", "fee_payment", "cash_aid"]), unique=True)
    benefits = st.builds(VipBenefits, *(names.map(tuple) for _ in range(5)))
    return st.builds(
        VipPolicy,
        card_prefix=card_prefixes(),
        validity_years=st.integers(1, 20),
        renewal_window_days=st.integers(0, 366),
        emergency_aid_limit=st.integers(0, 100_000),
        benefits=st.just(VipBenefits()) | benefits,
    )


def card_numbers(
    *, prefix: str | None = None, level: VipLevel | None = None
) -> st.SearchStrategy[CardNumber]:
    """Valid :class:`~propcrm.vip.CardNumber` values, with ``prefix``/``level`` if given.

    Raises:
        ValidationError: ``prefix`` is not two capital letters, or ``level`` not a
            :class:`~propcrm.vip.VipLevel`.
    """
    if prefix is not None:
        CardNumber(prefix, VipLevel.OTHER, 1)  # raises ValidationError for a bad prefix
    wanted = check_member("level", level, VipLevel)
    prefixes = card_prefixes() if prefix is None else st.just(prefix)
    levels = st.sampled_from(VipLevel) if wanted is None else st.just(wanted)
    return st.builds(CardNumber, prefixes, levels, st.integers(1, MAX_SEQUENCE))


def vip_cards(*, prefix: str | None = None, validity_years: int = 3) -> st.SearchStrategy[VipCard]:
    """Active :class:`~propcrm.vip.VipCard` entities valid for ``validity_years`` years.

    Raises:
        ValidationError: a bad ``prefix``, or ``validity_years`` below 1.
    """
    check_int("validity_years", validity_years, 1)
    return st.builds(
        lambda number, holder, issued: VipCard(
            number, holder, issued, issued + relativedelta(years=validity_years), "客户助理"
        ),
        card_numbers(prefix=prefix),
        _IDS,
        st.dates(date(2000, 1, 1), date(2070, 12, 31)),
    )
