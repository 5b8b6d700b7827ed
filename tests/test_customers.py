"""Customers: tiers (002 §7), household segments (002 §6) and masked personal data (002 §21)."""

import logging
from datetime import date, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from propcrm import (
    Confidentiality,
    Customer,
    Household,
    Member,
    PersonalData,
    PersonalKind,
    Policy,
    Relation,
    Segment,
    SegmentPolicy,
    Tier,
    TierFacts,
    TierPolicy,
    ValidationError,
    classify_tier,
    segment,
)
from propcrm.testing.strategies import customers, households, segment_policies, tier_facts

ON = date(2025, 6, 1)
POLICY = TierPolicy()


def tier(facts: TierFacts, on: date = ON, policy: TierPolicy = POLICY) -> Tier:
    return classify_tier(facts, on=on, policy=policy).tier


def rules(facts: TierFacts, on: date = ON, policy: TierPolicy = POLICY) -> list[str]:
    return [r.rule for r in classify_tier(facts, on=on, policy=policy).reasons]


# --- tier A ------------------------------------------------------------------------------------


def test_government_official_is_a() -> None:
    """002 §7: a government official with social standing is tier A."""
    assert rules(TierFacts(government_official=True)) == ["tier.a.government_official"]


def test_special_relationship_with_the_group_is_a() -> None:
    """002 §7: a special relationship with the group makes tier A."""
    assert rules(TierFacts(special_relationship=True)) == ["tier.a.special_relationship"]


def test_major_contribution_is_a() -> None:
    """002 §7: a major contribution to or influence on the company makes tier A."""
    assert rules(TierFacts(major_contribution=True)) == ["tier.a.major_contribution"]


def test_every_a_criterion_met_is_a_reason() -> None:
    """All criteria that fired are listed, not just the first."""
    facts = TierFacts(government_official=True, major_contribution=True)
    expected = ["tier.a.government_official", "tier.a.major_contribution"]
    assert expected == rules(facts)


# --- tier B ------------------------------------------------------------------------------------


def test_two_purchases_from_the_group_is_b() -> None:
    """002 §7: bought from the group at least twice is tier B."""
    decision = classify_tier(TierFacts(purchases_from_group=2), on=ON, policy=POLICY)
    assert decision.tier == Tier.B
    assert decision.reasons[0].facts == {"purchases_from_group": 2, "threshold": 2}
    assert decision.reasons[0].source == "002 §7"


def test_one_purchase_is_not_b() -> None:
    """One purchase is below the default threshold of two."""
    assert tier(TierFacts(purchases_from_group=1)) == Tier.C


def test_satisfaction_of_90_is_b() -> None:
    """002 §7 非常认可 — decision: a latest satisfaction score >= 90 is tier B."""
    assert tier(TierFacts(satisfaction_score=90)) == Tier.B
    assert tier(TierFacts(satisfaction_score=89.9)) == Tier.C


def test_explicit_endorsement_is_b() -> None:
    """002 §7 非常认可 — an explicit endorsement flag is tier B."""
    assert rules(TierFacts(endorses_management=True)) == ["tier.b.endorsement"]


def test_group_employee_who_bought_is_b() -> None:
    """002 §7: a group employee who bought property is tier B."""
    assert rules(TierFacts(group_employee_buyer=True)) == ["tier.b.group_employee_buyer"]


def test_b_thresholds_come_from_the_policy() -> None:
    """A company that wants three purchases for B gets it."""
    policy = TierPolicy(loyal_min_purchases=3, loyal_min_satisfaction=95)
    assert tier(TierFacts(purchases_from_group=2, satisfaction_score=94), policy=policy) == Tier.C


# --- tier D ------------------------------------------------------------------------------------


def test_three_invalid_complaints_within_12_months_is_d() -> None:
    """002 §7 时常无效投诉 — decision: >= 3 complaints judged invalid within 12 months."""
    days = (date(2024, 6, 2), date(2025, 1, 1), date(2025, 6, 1))
    decision = classify_tier(TierFacts(invalid_complaints=days), on=ON, policy=POLICY)
    assert decision.tier == Tier.D
    assert list(days) == decision.reasons[0].facts["invalid_complaints"]


def test_invalid_complaint_12_months_old_has_left_the_window() -> None:
    """A fact of day d counts while d <= on < d + 12 months."""
    days = (date(2024, 6, 1), date(2025, 1, 1), date(2025, 6, 1))
    assert tier(TierFacts(invalid_complaints=days)) == Tier.C


def test_facts_after_the_day_do_not_count() -> None:
    """A classification never uses the future."""
    days = (date(2025, 1, 1), date(2025, 5, 1), date(2025, 6, 2))
    assert tier(TierFacts(invalid_complaints=days)) == Tier.C


@pytest.mark.parametrize(
    ("facts", "rule"),
    [
        (TierFacts(satisfaction_score=90), "tier.b.high_satisfaction"),
        (TierFacts(months_in_arrears=6), "tier.d.long_arrears"),
        (TierFacts(invalid_complaints=(ON, ON, ON)), "tier.d.invalid_complaints"),
        (TierFacts(group_complaints_led=(ON,)), "tier.d.group_complaints_led"),
    ],
)
def test_a_threshold_of_ours_cites_the_article_and_the_decision(
    facts: TierFacts, rule: str
) -> None:
    """002 §7 states the criterion in words; the number is a Decision (RULES §1), cited so."""
    [reason] = classify_tier(facts, on=ON).reasons
    assert (reason.rule, reason.source) == (rule, "002 §7; Decision (RULES §1)")


def test_a_criterion_with_the_seed_number_cites_the_article_alone() -> None:
    """Two purchases is 002 §7's own number (购买两次以上): the article alone."""
    [reason] = classify_tier(TierFacts(purchases_from_group=2), on=ON).reasons
    assert reason.source == "002 §7"


def test_malicious_arrears_finding_is_d() -> None:
    """002 §7 恶意欠缴 — an explicit malicious finding is D at any length."""
    assert rules(TierFacts(malicious_arrears=True)) == ["tier.d.malicious_arrears"]


def test_six_months_overdue_is_d() -> None:
    """002 §7 恶意欠缴 — decision: >= 6 months overdue is D."""
    assert rules(TierFacts(months_in_arrears=6)) == ["tier.d.long_arrears"]
    assert tier(TierFacts(months_in_arrears=5)) == Tier.C


def test_long_arrears_are_reported_as_long_arrears_never_as_malice() -> None:
    """RULES § 1 turn 2: 7 months overdue without a finding reads as long arrears, not malice."""
    reason = classify_tier(TierFacts(months_in_arrears=7), on=ON).reasons[0]
    assert str(reason) == (
        "[002 §7; Decision (RULES §1)] 7 months of property fees overdue: long arrears, "
        "treated as malicious by "
        "policy (from 6 months), not a finding of malice"
    )
    assert reason.facts["malicious_arrears"] is False
    assert "found malicious" not in reason.message


def test_a_malice_finding_with_long_arrears_is_reported_as_the_finding_only() -> None:
    """With the explicit finding, 9 months overdue is malicious arrears, not long arrears."""
    facts = TierFacts(months_in_arrears=9, malicious_arrears=True)
    assert rules(facts) == ["tier.d.malicious_arrears"]


def test_leading_a_group_complaint_within_12_months_is_d() -> None:
    """002 §7 牵头聚众投诉 — decision: >= 1 within 12 months is D."""
    assert tier(TierFacts(group_complaints_led=(date(2024, 7, 1),))) == Tier.D
    assert tier(TierFacts(group_complaints_led=(date(2024, 5, 31),))) == Tier.C


# --- tier C and precedence ---------------------------------------------------------------------


def test_nobody_special_is_c() -> None:
    """002 §7: everyone not A, B or D is tier C."""
    decision = classify_tier(TierFacts(), on=ON, policy=POLICY)
    assert (decision.tier, decision.matched) == (Tier.C, (Tier.C,))
    assert [r.rule for r in decision.reasons] == ["tier.c.default"]


def test_newly_signed_explains_a_c() -> None:
    """002 §7 新签约客户: a C customer signed within 12 months is explained as newly signed."""
    assert rules(TierFacts(signed_on=date(2025, 1, 10))) == ["tier.c.newly_signed"]
    assert rules(TierFacts(signed_on=date(2024, 6, 1))) == ["tier.c.default"]


def test_newly_signed_does_not_outrank_b() -> None:
    """Newly signed only explains a C; it never makes one."""
    assert tier(TierFacts(signed_on=date(2025, 5, 1), purchases_from_group=2)) == Tier.B


def test_official_with_malicious_arrears_is_d() -> None:
    """002 §28: D outranks A — a VIP who maliciously owes fees loses VIP status."""
    facts = TierFacts(government_official=True, malicious_arrears=True)
    decision = classify_tier(facts, on=ON, policy=POLICY)
    assert (decision.tier, decision.matched) == (Tier.D, (Tier.D, Tier.A))
    precedence = decision.reasons[-1]
    assert (precedence.rule, precedence.source) == ("tier.precedence", "002 §28")
    assert precedence.facts == {"winner": "D", "outranked": "A"}


def test_a_outranks_b() -> None:
    """Default precedence: A before B."""
    facts = TierFacts(special_relationship=True, purchases_from_group=3)
    expected = ["tier.a.special_relationship", "tier.precedence"]
    assert expected == rules(facts)


def test_d_outranks_b() -> None:
    """Default precedence: D before B."""
    assert tier(TierFacts(purchases_from_group=5, months_in_arrears=8)) == Tier.D


def test_precedence_is_configurable() -> None:
    """A company may rank A above D."""
    policy = TierPolicy(precedence=(Tier.A, Tier.D, Tier.B, Tier.C))
    facts = TierFacts(government_official=True, malicious_arrears=True)
    assert tier(facts, policy=policy) == Tier.A


@pytest.mark.parametrize(
    "precedence",
    [
        (Tier.D, Tier.A, Tier.C, Tier.B),
        (Tier.D, Tier.A, Tier.B),
        (Tier.D, Tier.D, Tier.B, Tier.C),
        [Tier.D, Tier.A, Tier.B, Tier.C],
    ],
)
def test_precedence_must_list_each_tier_once_with_c_last(precedence: object) -> None:
    """C is the fallback, so it can only come last."""
    with pytest.raises(ValidationError, match="precedence: expected the four tiers"):
        TierPolicy(precedence=precedence)  # type: ignore[arg-type]


def test_tier_thresholds_are_validated() -> None:
    """A threshold out of range names its field."""
    with pytest.raises(ValidationError, match="loyal_min_satisfaction"):
        TierPolicy(loyal_min_satisfaction=101)
    with pytest.raises(ValidationError, match="difficult_min_arrears_months"):
        TierPolicy(difficult_min_arrears_months=0)


def test_classify_tier_takes_a_customer() -> None:
    """A customer is classified by its facts."""
    customer = Customer("c1", "王芳", facts=TierFacts(government_official=True))
    assert classify_tier(customer, on=ON, policy=POLICY).tier == Tier.A


def test_classify_tier_refuses_bad_arguments() -> None:
    """Facts must be facts and the day a date."""
    with pytest.raises(ValidationError, match="facts"):
        classify_tier("A", on=ON, policy=POLICY)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="on: expected a datetime.date"):
        classify_tier(TierFacts(), on=datetime(2025, 1, 1), policy=POLICY)


def test_tier_facts_are_validated() -> None:
    """Scores out of 0-100, negative counts and non-dates are refused."""
    with pytest.raises(ValidationError, match="satisfaction_score"):
        TierFacts(satisfaction_score=120)
    with pytest.raises(ValidationError, match="months_in_arrears"):
        TierFacts(months_in_arrears=-1)
    with pytest.raises(ValidationError, match="invalid_complaints"):
        TierFacts(invalid_complaints=("2025-01-01",))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="dates"):
        TierFacts(group_complaints_led="2025-01-01")  # type: ignore[arg-type]


_TIER_FLAGS = (
    "government_official",
    "special_relationship",
    "major_contribution",
    "group_employee_buyer",
    "endorses_management",
    "malicious_arrears",
)


@pytest.mark.parametrize("flag", _TIER_FLAGS)
@pytest.mark.parametrize("value", ["False", "no", 0, 1, None])
def test_tier_flags_accept_only_true_or_false(flag: str, value: object) -> None:
    """A flag given as "False", "no" or 0 is refused, not read as truthy or falsy."""
    with pytest.raises(ValidationError, match=f"{flag}: expected True or False"):
        TierFacts(**{flag: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("flag", ["working", "resident"])
def test_member_flags_accept_only_true_or_false(flag: str) -> None:
    """A member who works or lives at home is True or False, never "no"."""
    with pytest.raises(ValidationError, match=f"{flag}: expected True or False"):
        Member("王芳", date(1990, 6, 2), **{flag: "no"})  # type: ignore[arg-type]


def test_household_elders_active_accepts_only_true_or_false() -> None:
    """An active-elders flag of 0 is refused, at creation and on assignment."""
    with pytest.raises(ValidationError, match="elders_active: expected True or False"):
        Household("h1", [Member("王芳", date(1950, 6, 2))], elders_active=0)  # type: ignore[arg-type]
    home = Household("h1", [Member("王芳", date(1950, 6, 2))])
    with pytest.raises(ValidationError, match="elders_active: expected True or False"):
        home.elders_active = "yes"  # type: ignore[assignment]
    assert home.elders_active is False


def test_classify_tier_without_a_policy_uses_the_defaults() -> None:
    """No policy: two purchases make B, as under TierPolicy()."""
    assert classify_tier(TierFacts(purchases_from_group=2), on=ON).tier == Tier.B


def test_classify_tier_takes_the_whole_policy() -> None:
    """The whole Policy gives its customers.tiers: with 3 purchases needed, 2 stay C."""
    policy = Policy.from_mapping({"customers": {"tiers": {"loyal_min_purchases": 3}}})
    assert classify_tier(TierFacts(purchases_from_group=2), on=ON, policy=policy).tier == Tier.C


def test_classify_tier_names_the_path_of_a_wrong_slice() -> None:
    """policy.customers instead of policy.customers.tiers: one line under 300 characters."""
    with pytest.raises(ValidationError) as caught:
        classify_tier(TierFacts(), on=ON, policy=Policy().customers)
    message = str(caught.value)
    assert message == (
        "policy: expected a TierPolicy, got a CustomerPolicy; "
        "pass policy.customers.tiers or the whole Policy"
    )
    assert len(message) < 300


def test_segment_without_a_policy_uses_the_defaults() -> None:
    """No policy: a 65-year-old living alone with a child elsewhere is an empty nest (60+)."""
    home = Household(
        "h1", [person(1960), Member("王磊", date(1990, 1, 1), Relation.CHILD, resident=False)]
    )
    assert segment(home, on=ON).segment == Segment.EMPTY_NEST


def test_segment_takes_the_whole_policy() -> None:
    """The whole Policy gives customers.segments: elders from 70, so a 65-year-old is not one."""
    policy = Policy.from_mapping({"customers": {"segments": {"elder_min_age": 70}}})
    home = Household(
        "h1", [person(1960), Member("王磊", date(1990, 1, 1), Relation.CHILD, resident=False)]
    )
    assert segment(home, on=ON, policy=policy).segment == Segment.MATURE_FAMILY


def test_segment_names_the_path_of_a_wrong_slice() -> None:
    """A TierPolicy where a SegmentPolicy belongs: one line naming policy.customers.segments."""
    home = Household("h1", [Member("王芳", date(1990, 6, 2))])
    with pytest.raises(ValidationError) as caught:
        segment(home, on=ON, policy=TierPolicy())
    message = str(caught.value)
    assert message == (
        "policy: expected a SegmentPolicy, got a TierPolicy; "
        "pass policy.customers.segments or the whole Policy"
    )
    assert len(message) < 300


def test_tier_labels_are_the_chinese_names() -> None:
    """002 §7 names the tiers 重点客户, 忠诚客户, 一般客户, 刁蛮客户."""
    assert [t.label for t in Tier] == ["重点客户", "忠诚客户", "一般客户", "刁蛮客户"]


@given(tier_facts(), st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_the_winner_is_the_first_tier_met_in_precedence(facts: TierFacts, on: date) -> None:
    """The tier is the first matched tier, and every reason cites 002."""
    decision = classify_tier(facts, on=on, policy=POLICY)
    assert decision.matched[0] == decision.tier
    assert list(decision.matched) == [t for t in POLICY.precedence if t in decision.matched]
    assert decision.reasons
    assert all(r.source.startswith("002 §") for r in decision.reasons)


@given(tier_facts())
def test_a_d_criterion_always_makes_d_by_default(facts: TierFacts) -> None:
    """Whatever else is true, malicious arrears make D under the default precedence."""
    assert tier(attrs.evolve(facts, malicious_arrears=True)) == Tier.D


# --- members and households --------------------------------------------------------------------


def test_age_is_full_years_on_the_day() -> None:
    """Age counts completed years."""
    member = Member("王芳", date(1990, 6, 2))
    assert (member.age_on(date(2025, 6, 1)), member.age_on(date(2025, 6, 2))) == (34, 35)


def test_born_on_29_february_ages_on_1_march() -> None:
    """In a year without 29 February the birthday has passed only on 1 March."""
    member = Member("李明", date(2000, 2, 29))
    assert (member.age_on(date(2025, 2, 28)), member.age_on(date(2025, 3, 1))) == (24, 25)


def test_age_before_birth_is_an_error() -> None:
    """Nobody has an age before being born."""
    with pytest.raises(ValidationError, match="on: expected a day on or after the birth date"):
        Member("王芳", date(1990, 6, 2)).age_on(date(1990, 6, 1))


@pytest.mark.parametrize(
    "relations",
    [[Relation.CHILD], [Relation.HEAD, Relation.HEAD], [Relation.HEAD, *[Relation.SPOUSE] * 2]],
)
def test_a_household_has_one_head_and_at_most_one_spouse(relations: list[Relation]) -> None:
    """The household structure is relative to exactly one head."""
    people = [Member("某", date(1980, 1, 1), r) for r in relations]
    with pytest.raises(ValidationError, match="members: expected exactly one head"):
        Household("h1", people)


def test_household_members_must_be_members() -> None:
    """A string is not a list of members."""
    with pytest.raises(ValidationError, match="members"):
        Household("h1", "王芳")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="members"):
        Household("h1", ["王芳"])  # type: ignore[list-item]


# --- segments ----------------------------------------------------------------------------------


def person(born: int, relation: Relation = Relation.HEAD, **kw: bool) -> Member:
    return Member("某", date(born, 1, 1), relation, **kw)


def seg(*people: Member, elders_active: bool = False) -> Segment:
    home = Household("h1", people, elders_active=elders_active)
    decision = segment(home, on=ON, policy=SegmentPolicy())
    assert decision.reasons[0].source == "002 §6"
    return decision.segment


def test_couple_one_earner_no_children_is_dink_one_earner() -> None:
    """002 §6 单人工作丁克家庭: a childless couple, one earning."""
    couple = (person(1990, working=True), person(1991, Relation.SPOUSE))
    assert seg(*couple) == Segment.DINK_ONE_EARNER


def test_couple_two_earners_no_children_is_dink_two_earners() -> None:
    """002 §6 双人工作丁克家庭: a childless couple, both earning."""
    couple = (person(1990, working=True), person(1991, Relation.SPOUSE, working=True))
    assert seg(*couple) == Segment.DINK_TWO_EARNERS


def test_couple_with_a_minor_child() -> None:
    """002 §6 有小孩的夫妇: a couple with a child under 18."""
    family = (person(1985), person(1986, Relation.SPOUSE), person(2015, Relation.CHILD))
    assert seg(*family) == Segment.COUPLE_WITH_CHILD


def test_parent_without_spouse_with_minor_child_is_single_parent() -> None:
    """002 §6 单亲家庭: one parent with a child under 18."""
    assert seg(person(1985), person(2012, Relation.CHILD)) == Segment.SINGLE_PARENT


def test_children_all_adults_is_mature_family() -> None:
    """002 §6 成熟家庭: all children are adults."""
    family = (person(1965), person(1966, Relation.SPOUSE), person(1995, Relation.CHILD))
    assert seg(*family) == Segment.MATURE_FAMILY


def test_elders_whose_children_live_elsewhere_are_an_empty_nest() -> None:
    """002 §6 空巢家庭 — decision: elders >= 60, alone or as a couple, children elsewhere."""
    family = (
        person(1955),
        person(1957, Relation.SPOUSE),
        person(1985, Relation.CHILD, resident=False),
    )
    assert seg(*family) == Segment.EMPTY_NEST


def test_elders_flagged_active_are_active_elders() -> None:
    """002 §6 活跃长者 — decision: an empty nest flagged active is active elders."""
    family = (person(1955), person(1985, Relation.CHILD, resident=False))
    assert seg(*family, elders_active=True) == Segment.ACTIVE_ELDER


def test_single_without_children_from_30_is_older_single() -> None:
    """002 §6 大龄单身贵族 — decision: single, no children, aged >= 30."""
    assert seg(person(1994)) == Segment.OLDER_SINGLE
    assert seg(person(1996)) == Segment.UNCLASSIFIED


def test_a_household_that_fits_no_rule_is_unclassified() -> None:
    """A childless couple without earnings is unclassified, never a guess."""
    decision = segment(
        Household("h1", [person(1990), person(1990, Relation.SPOUSE)]),
        on=ON,
        policy=SegmentPolicy(),
    )
    assert (
        decision.segment,
        decision.reasons[0].rule,
    ) == (Segment.UNCLASSIFIED, "segment.unclassified")


def test_elder_with_an_adult_child_at_home_is_a_mature_family() -> None:
    """A child living at home means the nest is not empty."""
    assert seg(person(1950), person(1980, Relation.CHILD)) == Segment.MATURE_FAMILY


def test_parents_and_others_do_not_change_the_head_s_segment() -> None:
    """The head's own family decides: a couple with child living with a grandparent."""
    family = (
        person(1985),
        person(1986, Relation.SPOUSE),
        person(2015, Relation.CHILD),
        person(1950, Relation.PARENT),
    )
    assert seg(*family) == Segment.COUPLE_WITH_CHILD


def test_segment_ages_follow_the_policy() -> None:
    """With elders from 70, a 65-year-old couple with children elsewhere is a mature family."""
    home = Household(
        "h1",
        [person(1960), person(1960, Relation.SPOUSE), person(1990, Relation.CHILD, resident=False)],
    )
    policy = SegmentPolicy(elder_min_age=70)
    assert segment(home, on=ON, policy=policy).segment == Segment.MATURE_FAMILY


def test_segment_labels_are_the_chinese_names() -> None:
    """002 §6 names the eight segments."""
    assert Segment.DINK_ONE_EARNER.label == "单人工作丁克家庭"
    assert Segment.OLDER_SINGLE.label == "大龄单身贵族"
    assert len({s.label for s in Segment}) == len(Segment)


def test_segment_policy_elders_are_older_than_children() -> None:
    """An elder age at or below the child age is refused."""
    with pytest.raises(ValidationError, match="elder_min_age: expected an age above child_under"):
        SegmentPolicy(child_under=18, elder_min_age=18)


def test_segment_refuses_bad_arguments() -> None:
    """A household must be a Household and the day a date."""
    with pytest.raises(ValidationError, match="household"):
        segment("h1", on=ON, policy=SegmentPolicy())  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="on"):
        segment(Household("h1", [person(1990)]), on="2025-06-01", policy=SegmentPolicy())  # type: ignore[arg-type]


@given(households(born_until=date(2024, 12, 31)), segment_policies())
def test_every_household_gets_exactly_one_segment_with_a_reason(
    household: Household, policy: SegmentPolicy
) -> None:
    """segment() is total: one segment, one reason citing 002 §6."""
    decision = segment(household, on=ON, policy=policy)
    assert isinstance(decision.segment, Segment)
    assert [r.source for r in decision.reasons] == ["002 §6"]


def test_household_strategy_checks_its_birth_range() -> None:
    """households(born_until=...) before the earliest birth year is refused at once."""
    with pytest.raises(ValidationError, match=r"^born_until: expected a date on or after"):
        households(born_until=date(1900, 1, 1))


# --- personal data and customers ---------------------------------------------------------------


def test_personal_data_is_masked_in_repr_and_str() -> None:
    """002 §21: phone, ID number and address never show in repr or str."""
    phone = PersonalData(PersonalKind.PHONE, "13812345678")
    id_number = PersonalData(PersonalKind.ID_NUMBER, "11010119900101123X")
    address = PersonalData(PersonalKind.ADDRESS, "北京市朝阳区建国路1号院3号楼502")
    assert (str(phone), str(id_number), str(address)) == ("138****5678", "1****X", "北京市****")
    assert repr(phone) == "PersonalData(phone='138****5678')"


def test_personal_data_kind_may_be_given_by_its_value() -> None:
    """PersonalData("phone", …) is a phone, masked in repr like any other."""
    phone = PersonalData("phone", "13812345678")  # type: ignore[arg-type]
    assert (phone.kind, repr(phone)) == (PersonalKind.PHONE, "PersonalData(phone='138****5678')")


@pytest.mark.parametrize("kind", ["fax", None, 1])
def test_unknown_personal_data_kind_is_refused(kind: object) -> None:
    """A kind that is not a PersonalKind is a ValidationError, never a broken repr."""
    with pytest.raises(ValidationError, match="^kind: expected a PersonalKind"):
        PersonalData(kind, "13812345678")  # type: ignore[arg-type]


def test_refused_personal_data_is_not_echoed() -> None:
    """A phone number given as an int is refused without showing it in the message."""
    with pytest.raises(ValidationError) as error:
        PersonalData(PersonalKind.PHONE, 13812345678)  # type: ignore[arg-type]
    assert "13812345678" not in str(error.value)
    assert str(error.value) == "value: expected a non-empty string, got a int value"


def test_short_personal_data_is_masked_entirely() -> None:
    """A value too short to keep its ends shows nothing at all."""
    assert str(PersonalData(PersonalKind.PHONE, "110")) == "****"


def test_reveal_gives_the_clear_value() -> None:
    """An authorised caller asks for the clear value explicitly."""
    assert PersonalData(PersonalKind.PHONE, "13812345678").reveal() == "13812345678"


def test_customer_repr_and_logs_show_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    """002 §21: nothing logged discloses the customer's phone, ID number or address."""
    customer = Customer(
        "c1", "王芳", phone="13812345678", id_number="110101199001011234", address="建国路1号"
    )
    with caplog.at_level(logging.INFO):
        logging.getLogger("propcrm.test").info("customer %s / %r", customer, customer)
    for secret in ("13812345678", "110101199001011234", "建国路1号"):
        assert secret not in caplog.text
        assert secret not in repr(customer)
    assert customer.phone is not None
    assert customer.phone.reveal() == "13812345678"


def test_customer_refuses_personal_data_of_another_kind() -> None:
    """An address given as the phone is a mistake."""
    with pytest.raises(ValidationError, match="phone: expected phone data"):
        Customer("c1", "王芳", phone=PersonalData(PersonalKind.ADDRESS, "建国路1号"))
    with pytest.raises(ValidationError, match="phone: expected a string or PersonalData"):
        Customer("c1", "王芳", phone=13812345678)  # type: ignore[arg-type]


def test_records_carry_a_confidentiality_level() -> None:
    """002 §21: each record has its 密级, confidential by default."""
    assert Customer("c1", "王芳").confidentiality == Confidentiality.CONFIDENTIAL
    home = Household("h1", [person(1990)], confidentiality=Confidentiality.SECRET)
    assert (home.confidentiality.value, home.confidentiality.label) == ("secret", "机密")


def test_customer_fields_are_validated() -> None:
    """Blank ids and names and non-facts are refused, naming the field."""
    with pytest.raises(ValidationError, match="id"):
        Customer(" ", "王芳")
    with pytest.raises(ValidationError, match="facts"):
        Customer("c1", "王芳", facts={"government_official": True})  # type: ignore[arg-type]


@given(customers())
def test_generated_customers_show_at_most_7_characters_of_personal_data(
    customer: Customer,
) -> None:
    """Whatever the values, the repr holds only masked forms, each revealing <= 7 characters."""
    for data in (customer.phone, customer.id_number, customer.address):
        if data is not None:
            assert repr(data) in repr(customer)
            assert "****" in str(data)
            assert len(str(data)) <= len("****") + 7
