"""The VIP card programme: numbers (002 §23), validity (§26), issue, renewal, replacement,
revocation (§§25-28) and benefits (§§30-34)."""

import ast
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

import propcrm
from propcrm import (
    BenefitFamily,
    CardNumber,
    CardNumbersExhaustedError,
    CardStateError,
    CardStatus,
    Customer,
    MemorySequenceAllocator,
    NotEligibleError,
    NotFoundError,
    Policy,
    RevocationGround,
    Tier,
    TierFacts,
    TierPolicy,
    ValidationError,
    VipCard,
    VipLevel,
    VipPolicy,
    VipProgramme,
)
from propcrm.testing.strategies import card_numbers, vip_cards
from propcrm.vip import StatusChange, VipBenefits

OFFICIAL = Customer("c1", "王芳", facts=TierFacts(government_official=True))
ORDINARY = Customer("c2", "李伟")
ISSUED = date(2024, 2, 29)
BY = "客户助理 李娜"


def programme(policy: VipPolicy | None = None, **last: int) -> VipProgramme:
    counts = {("JK", VipLevel[name]): n for name, n in last.items()}
    return VipProgramme(MemorySequenceAllocator(counts), policy=policy)


def issued(vip: VipProgramme, customer: Customer = OFFICIAL, on: date = ISSUED) -> VipCard:
    return vip.issue(customer, level=VipLevel.GOVERNMENT_OFFICIAL, on=on, by=BY)


# --- card numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "sequence"),
    [
        ("JK0001", VipLevel.GROUP_LEADERSHIP, 1),
        ("JK1001", VipLevel.GOVERNMENT_OFFICIAL, 1),
        ("JK2999", VipLevel.OTHER, 999),
    ],
)
def test_card_numbers_parse(text: str, level: VipLevel, sequence: int) -> None:
    """002 §23: prefix JK, level digit 0/1/2, sequence 001-999."""
    number = CardNumber.parse(text, prefix="JK")
    assert (number.prefix, number.level, number.sequence) == ("JK", level, sequence)
    assert str(number) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (1001, "card_number: expected a string such as 'JK1001', got 1001"),
        ("JK101", "card_number: expected 6 characters: .*got 'JK101'; it has 5"),
        ("JK10001", "card_number: expected 6 characters: .*it has 7"),
        ("J11001", "card_number.prefix: expected 2 capital letters, got 'J1'"),
        ("jk1001", "card_number.prefix: expected 2 capital letters, got 'jk'; write it 'JK'"),
        ("AB1001", "card_number.prefix: expected the company's prefix 'JK', got 'AB'"),
        ("JK3001", "card_number.level: expected a level digit 0, 1 or 2"),
        ("JKX001", "card_number.level: expected a level digit 0, 1 or 2"),
        ("JK10a1", "card_number.sequence: expected 3 digits from 001 to 999, got '0a1'"),
        ("JK1１01", "card_number.sequence: expected 3 digits from 001 to 999"),
        ("JK1000", "card_number.sequence: expected 3 digits .*got '000'; numbering starts at 001"),
    ],
)
def test_every_malformed_part_has_its_own_message(text: object, message: str) -> None:
    """Each part of a bad number is named in the error, with how to fix it where possible."""
    with pytest.raises(ValidationError, match=message):
        CardNumber.parse(text, prefix="JK")  # type: ignore[arg-type]


def test_without_a_prefix_any_two_capitals_are_accepted() -> None:
    """A reader not tied to one company accepts any group's prefix."""
    assert str(CardNumber.parse("AB2017")) == "AB2017"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"prefix": "J"}, "prefix"),
        ({"prefix": "ＪＫ"}, "prefix"),
        ({"level": 1}, "level"),
        ({"sequence": 0}, "sequence"),
        ({"sequence": 1000}, "sequence"),
    ],
)
def test_card_number_parts_are_validated(kwargs: dict[str, object], field: str) -> None:
    """A card number cannot be built from a bad part either."""
    parts: dict[str, object] = {"prefix": "JK", "level": VipLevel.OTHER, "sequence": 1, **kwargs}
    with pytest.raises(ValidationError, match=f"^{field}: "):
        CardNumber(**parts)  # type: ignore[arg-type]


@given(card_numbers(prefix="ZX", level=VipLevel.OTHER))
def test_strategy_keeps_the_prefix_and_level_asked_for(number: CardNumber) -> None:
    """card_numbers(prefix=..., level=...) generates only those."""
    assert (number.prefix, number.level) == ("ZX", VipLevel.OTHER)


def test_strategies_check_their_arguments_eagerly() -> None:
    """A bad argument fails when the strategy is built, not deep inside a test."""
    with pytest.raises(ValidationError, match="prefix"):
        card_numbers(prefix="jk")
    with pytest.raises(ValidationError, match="validity_years"):
        vip_cards(validity_years=0)


@given(card_numbers())
def test_format_then_parse_is_identity(number: CardNumber) -> None:
    """parse(str(n)) == n for every valid number."""
    assert CardNumber.parse(str(number), prefix=number.prefix) == number


def test_level_labels_are_the_chinese_names() -> None:
    """002 §23: 集团领导级, 政府官员级, 其他级."""
    assert [level.label for level in VipLevel] == ["集团领导级", "政府官员级", "其他级"]


# --- validity ----------------------------------------------------------------------------------


def test_card_issued_on_29_february_expires_on_28_february() -> None:
    """002 §26 — decision: 2024-02-29 + 3 years = 2027-02-28, the first invalid day."""
    card = issued(programme())
    assert card.expires_on == date(2027, 2, 28)
    assert card.is_valid_on(date(2027, 2, 27))
    assert not card.is_valid_on(date(2027, 2, 28))


def test_card_is_valid_from_its_issue_day() -> None:
    """Valid on the issue day, not the day before."""
    card = issued(programme(), on=date(2025, 3, 10))
    assert card.is_valid_on(date(2025, 3, 10))
    assert not card.is_valid_on(date(2025, 3, 9))


def test_last_valid_day_is_the_day_before_expiry() -> None:
    """002 §26: void after expiry."""
    card = issued(programme(), on=date(2025, 3, 10))
    assert card.is_valid_on(date(2028, 3, 9))
    assert card.status_on(date(2028, 3, 9)) == CardStatus.ACTIVE
    assert card.status_on(date(2028, 3, 10)) == CardStatus.EXPIRED


@pytest.mark.parametrize(
    ("issued_on", "first_invalid"),
    [
        (date(2024, 2, 29), date(2027, 2, 28)),
        (date(2025, 3, 10), date(2028, 3, 10)),
        (date(2023, 12, 31), date(2026, 12, 31)),
    ],
)
def test_policy_expiry_is_the_first_invalid_day(issued_on: date, first_invalid: date) -> None:
    """RULES § 3: three calendar years on; 2024-02-29 gives 2027-02-28."""
    assert VipPolicy().expiry(issued_on) == first_invalid


def test_policy_expiry_follows_the_validity_years() -> None:
    """Two-year cards issued 2024-02-29 expire 2026-02-28."""
    assert VipPolicy(validity_years=2).expiry(date(2024, 2, 29)) == date(2026, 2, 28)


def test_policy_expiry_refuses_a_datetime() -> None:
    """expiry(on) takes a date, and says so."""
    with pytest.raises(ValidationError, match="^on: expected a datetime.date"):
        VipPolicy().expiry(datetime(2024, 2, 29, 9, 0))


def test_renewal_opens_on_the_expiry_day_unless_a_window_is_set() -> None:
    """Default window 0: the expiry day itself; 10 days: ten days earlier."""
    assert VipPolicy().renewal_opens(date(2027, 2, 28)) == date(2027, 2, 28)
    assert VipPolicy(renewal_window_days=10).renewal_opens(date(2027, 2, 28)) == date(2027, 2, 18)


def test_validity_years_come_from_the_policy() -> None:
    """A company with two-year cards gets them."""
    card = issued(programme(VipPolicy(validity_years=2)), on=date(2025, 1, 1))
    assert card.expires_on == date(2027, 1, 1)


@given(vip_cards())
def test_a_card_is_valid_on_exactly_three_calendar_years_of_days(card: VipCard) -> None:
    """The valid days form one run from the issue day, as long as three calendar years."""
    first, end = card.issued_on - timedelta(days=3), card.expires_on + timedelta(days=3)
    days = [first + timedelta(days=n) for n in range((end - first).days)]
    valid = [day for day in days if card.is_valid_on(day)]
    expected = (card.issued_on + relativedelta(years=3) - card.issued_on).days
    assert len(valid) == expected
    assert valid[0] == card.issued_on
    assert valid[-1] - valid[0] == timedelta(days=expected - 1)


@pytest.mark.parametrize("bad", ["JK", "jk1001", 1001])
def test_card_references_must_be_card_ids(bad: object) -> None:
    """replaces_card_id and replaced_by_card_id hold card ids such as 'JK1001'."""
    number = CardNumber("JK", VipLevel.OTHER, 2)
    with pytest.raises(ValidationError, match="^replaces_card_id: expected a card id"):
        VipCard(number, "c1", date(2025, 1, 1), date(2028, 1, 1), BY, bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="^replaced_by_card_id: expected a card id"):
        StatusChange(CardStatus.REPLACED, date(2025, 1, 1), BY, "lost", None, bad)  # type: ignore[arg-type]


def test_card_fields_are_validated() -> None:
    """Expiry after issue; a change never before issue; a change never back to active."""
    number = CardNumber("JK", VipLevel.OTHER, 1)
    with pytest.raises(ValidationError, match="expires_on: expected a day after issued_on"):
        VipCard(number, "c1", date(2025, 1, 1), date(2025, 1, 1), BY)
    change = StatusChange(CardStatus.REVOKED, date(2024, 12, 31), BY, "malicious_arrears")
    with pytest.raises(ValidationError, match="change.on: expected a day on or after issued_on"):
        VipCard(number, "c1", date(2025, 1, 1), date(2028, 1, 1), BY, change=change)
    with pytest.raises(ValidationError, match="status: expected an ending status"):
        StatusChange(CardStatus.ACTIVE, date(2025, 1, 1), BY, "why")


def test_assigned_card_dates_keep_their_order() -> None:
    """Assigning an expiry before issue, an issue after a change, or an early change is refused."""
    number = CardNumber("JK", VipLevel.OTHER, 1)
    card = VipCard(number, "c1", date(2025, 1, 1), date(2028, 1, 1), BY)
    with pytest.raises(ValidationError, match="expires_on: expected a day after issued_on"):
        card.expires_on = date(2024, 12, 31)
    with pytest.raises(ValidationError, match="issued_on: expected a day before expires_on"):
        card.issued_on = date(2028, 1, 1)
    early = StatusChange(CardStatus.REVOKED, date(2024, 12, 31), BY, "malicious_arrears")
    with pytest.raises(ValidationError, match="change.on: expected a day on or after issued_on"):
        card.change = early
    card.change = StatusChange(CardStatus.REVOKED, date(2026, 1, 1), BY, "malicious_arrears")
    with pytest.raises(ValidationError, match="issued_on: expected a day on or before change.on"):
        card.issued_on = date(2026, 6, 1)
    assert (card.issued_on, card.expires_on, card.change.on) == (
        date(2025, 1, 1),
        date(2028, 1, 1),
        date(2026, 1, 1),
    )


# --- issue -------------------------------------------------------------------------------------


def test_issue_gives_a_tier_a_customer_the_next_number_of_the_level() -> None:
    """002 §§23-24: a tier-A customer gets JK1001, then JK1002 for the next official."""
    vip = programme()
    first = issued(vip)
    second = issued(vip, Customer("c3", "赵敏", facts=TierFacts(government_official=True)))
    assert (first.id, second.id) == ("JK1001", "JK1002")
    assert (first.customer_id, first.level, first.issued_by) == (
        "c1",
        VipLevel.GOVERNMENT_OFFICIAL,
        BY,
    )


def test_take_number_hands_out_the_next_number_for_good() -> None:
    """With JK1 at 6 the next number taken is JK1007, and the next card issued gets JK1008."""
    vip = programme(GOVERNMENT_OFFICIAL=6)
    assert str(vip.take_number(VipLevel.GOVERNMENT_OFFICIAL)) == "JK1007"
    assert issued(vip).id == "JK1008"


def test_take_number_uses_the_policy_prefix_and_the_level_digit() -> None:
    """Prefix ZX and level digit 2 give ZX2001 first."""
    vip = VipProgramme(MemorySequenceAllocator(), policy=VipPolicy(card_prefix="ZX"))
    assert vip.take_number(2) == CardNumber("ZX", VipLevel.OTHER, 1)  # type: ignore[arg-type]


def test_take_number_refuses_an_unknown_level_and_says_when_none_is_left() -> None:
    """A bad level is named; after 999 the level has no number left."""
    with pytest.raises(ValidationError, match="^level: expected a VipLevel"):
        programme().take_number(4)  # type: ignore[arg-type]
    with pytest.raises(CardNumbersExhaustedError, match="no card numbers left for JK0"):
        programme(GROUP_LEADERSHIP=999).take_number(VipLevel.GROUP_LEADERSHIP)


def test_issue_is_refused_for_a_c_customer_with_the_reasons() -> None:
    """002 §25: never issue a card to a customer who does not qualify."""
    allocator = MemorySequenceAllocator()
    vip = VipProgramme(allocator)
    with pytest.raises(NotEligibleError, match="only tier-A customers qualify") as info:
        issued(vip, ORDINARY)
    assert [r.rule for r in info.value.reasons] == ["tier.c.default"]
    assert info.value.customer_id == "c2"
    assert allocator.last("JK", VipLevel.GOVERNMENT_OFFICIAL) == 0


def test_issue_is_refused_for_an_official_in_malicious_arrears() -> None:
    """002 §28: an official with malicious arrears is D, not A."""
    customer = Customer(
        "c4", "周强", facts=TierFacts(government_official=True, malicious_arrears=True)
    )
    with pytest.raises(NotEligibleError, match="tier D"):
        issued(programme(), customer)


def test_issue_is_refused_while_the_customer_holds_a_valid_card() -> None:
    """One valid card per holder: a lost card is replaced, an expiring one renewed."""
    vip = programme()
    issued(vip)
    with pytest.raises(CardStateError, match="already holds VIP card JK1001"):
        issued(vip, on=date(2025, 1, 1))


def test_issue_after_the_old_card_expired_is_allowed() -> None:
    """Once the old card is void, a qualifying customer may get a new one."""
    vip = programme()
    old = issued(vip)
    assert issued(vip, on=old.expires_on).id == "JK1002"


def test_issue_refuses_a_non_customer() -> None:
    """The holder must be a Customer."""
    with pytest.raises(ValidationError, match="customer: expected a Customer"):
        programme().issue("c1", level=VipLevel.OTHER, on=ISSUED, by=BY)  # type: ignore[arg-type]


# --- renewal -----------------------------------------------------------------------------------


def test_renewal_gives_a_qualifying_holder_a_new_card() -> None:
    """002 §26: at expiry a customer who still qualifies gets a new card."""
    vip = programme()
    old = issued(vip)
    done = vip.renew(old, OFFICIAL, on=old.expires_on, by=BY)
    assert (done.new.id, done.new.issued_on, done.new.expires_on) == (
        "JK1002",
        date(2027, 2, 28),
        date(2030, 2, 28),
    )
    assert done.new.replaces_card_id == "JK1001"
    assert done.old.status == CardStatus.EXPIRED
    assert done.old.change is not None
    assert done.old.change.replaced_by_card_id == "JK1002"
    assert done.old.version == old.version + 1


def test_renewal_opens_on_the_expiry_day_by_default() -> None:
    """002 §26 到期后: a card expiring 2027-02-28 renews on 2027-02-28, not on 2027-02-27."""
    vip = programme()
    old = issued(vip)
    with pytest.raises(
        CardStateError,
        match=r"cannot be renewed before 2027-02-28 \(renewal opens on the expiry day\)",
    ):
        vip.renew(old, OFFICIAL, on=date(2027, 2, 27), by=BY)
    assert vip.card("JK1001").change is None
    assert vip.renew(old, OFFICIAL, on=date(2027, 2, 28), by=BY).new.id == "JK1002"


def test_renewal_stays_open_after_expiry() -> None:
    """A card renewed a month after it expired gets a card valid from the renewal day."""
    vip = programme()
    old = issued(vip)
    done = vip.renew(old, OFFICIAL, on=date(2027, 3, 28), by=BY)
    assert (done.new.issued_on, done.new.expires_on) == (date(2027, 3, 28), date(2030, 3, 28))


def test_a_company_may_open_renewal_earlier() -> None:
    """A 30-day window opens 2027-01-29 for a card expiring 2027-02-28 (31 + 28 days in Jan-Feb)."""
    vip = programme(VipPolicy(renewal_window_days=30))
    old = issued(vip)
    with pytest.raises(
        CardStateError,
        match=r"cannot be renewed before 2027-01-29 \(30 days before it expires on 2027-02-28\)",
    ):
        vip.renew(old, OFFICIAL, on=date(2027, 1, 28), by=BY)
    done = vip.renew(old, OFFICIAL, on=date(2027, 1, 29), by=BY)
    assert (done.new.issued_on, done.new.expires_on) == (date(2027, 1, 29), date(2030, 1, 29))


def test_early_renewal_ends_the_old_card_that_day() -> None:
    """Inside an earlier window the old card is void from the renewal day."""
    vip = programme(VipPolicy(renewal_window_days=30))
    old = issued(vip)
    done = vip.renew(old, OFFICIAL, on=date(2027, 2, 1), by=BY)
    assert not done.old.is_valid_on(date(2027, 2, 1))
    assert done.new.is_valid_on(date(2027, 2, 1))


def test_renewal_is_refused_if_the_holder_no_longer_qualifies() -> None:
    """002 §26: re-verification; a customer no longer A gets no new card, nothing changes."""
    vip = programme()
    old = issued(vip)
    former = Customer("c1", "王芳", facts=TierFacts(purchases_from_group=2))
    with pytest.raises(NotEligibleError, match="cannot renew a VIP card.*tier B"):
        vip.renew(old, former, on=old.expires_on, by=BY)
    assert vip.card("JK1001") == old


def test_renewal_must_be_for_the_holder() -> None:
    """Another customer cannot renew someone's card."""
    vip = programme()
    old = issued(vip)
    with pytest.raises(ValidationError, match="customer: expected the holder 'c1'"):
        vip.renew(old, ORDINARY, on=old.expires_on, by=BY)


def test_renewed_card_cannot_be_renewed_again() -> None:
    """The old card's life is over once renewed."""
    vip = programme()
    old = issued(vip)
    vip.renew(old, OFFICIAL, on=old.expires_on, by=BY)
    with pytest.raises(CardStateError, match="it was expired on 2027-02-28"):
        vip.renew(old, OFFICIAL, on=old.expires_on, by=BY)


def test_renewal_may_change_the_level() -> None:
    """A holder whose standing changed may get a card of another level."""
    vip = programme()
    old = issued(vip)
    done = vip.renew(old, OFFICIAL, on=old.expires_on, by=BY, level=VipLevel.GROUP_LEADERSHIP)
    assert done.new.id == "JK0001"


# --- replacement -------------------------------------------------------------------------------


def test_a_lost_card_is_replaced_by_a_new_number() -> None:
    """002 §27: the lost card is invalid from the day; the new one keeps its expiry."""
    vip = programme()
    old = issued(vip)
    done = vip.replace(old, on=date(2025, 5, 20), by=BY)
    assert (done.new.id, done.new.issued_on, done.new.expires_on) == (
        "JK1002",
        date(2025, 5, 20),
        old.expires_on,
    )
    assert done.old.status_on(date(2025, 5, 20)) == CardStatus.REPLACED
    assert done.old.is_valid_on(date(2025, 5, 19))
    assert not done.old.is_valid_on(date(2025, 5, 20))
    assert vip.card(old.number).status == CardStatus.REPLACED


def test_an_expired_card_cannot_be_replaced() -> None:
    """Only a valid card is replaced; an expired one is renewed."""
    vip = programme()
    old = issued(vip)
    with pytest.raises(CardStateError, match="cannot replace VIP card JK1001 on 2027-02-28"):
        vip.replace(old, on=old.expires_on, by=BY)


# --- revocation --------------------------------------------------------------------------------


def test_revocation_records_who_when_and_why() -> None:
    """002 §28: malicious arrears during validity allow revocation."""
    vip = programme()
    card = issued(vip)
    revoked = vip.revoke(
        card,
        ground=RevocationGround.MALICIOUS_ARREARS,
        on=date(2025, 8, 1),
        by="经理",
        note="欠费8个月",
    )
    assert revoked.change == StatusChange(
        CardStatus.REVOKED,
        date(2025, 8, 1),
        "经理",
        "malicious_arrears: 欠费8个月",
        RevocationGround.MALICIOUS_ARREARS,
    )
    assert revoked.status == CardStatus.REVOKED
    assert not revoked.is_valid_on(date(2025, 8, 1))


def test_revoking_twice_is_an_error() -> None:
    """A revoked card cannot be revoked again, even through a stale copy."""
    vip = programme()
    card = issued(vip)
    ground = RevocationGround.HARMS_GROUP_INTERESTS
    vip.revoke(card, ground=ground, on=date(2025, 8, 1), by="经理")
    with pytest.raises(CardStateError, match="it was revoked on 2025-08-01 by 经理"):
        vip.revoke(card, ground=ground, on=date(2025, 8, 2), by="经理")


def test_an_expired_card_cannot_be_revoked() -> None:
    """Revocation happens during validity (002 §28)."""
    vip = programme()
    card = issued(vip)
    with pytest.raises(CardStateError, match="cannot revoke"):
        vip.revoke(card, ground=RevocationGround.MALICIOUS_ARREARS, on=card.expires_on, by="经理")


def test_revocation_is_recommended_for_malicious_arrears() -> None:
    """002 §28: a VIP with malicious arrears is recommended for revocation."""
    facts = TierFacts(government_official=True, malicious_arrears=True)
    advice = programme().recommend_revocation(facts, on=date(2025, 8, 1))
    assert (advice.recommended, advice.grounds) == (True, (RevocationGround.MALICIOUS_ARREARS,))
    assert [r.rule for r in advice.reasons] == [
        "vip.revocation.recommended",
        "tier.d.malicious_arrears",
    ]


def test_leading_group_complaints_harms_the_group_s_interests() -> None:
    """002 §28: conduct against the group's interests is a ground too."""
    facts = TierFacts(
        special_relationship=True,
        malicious_arrears=True,
        group_complaints_led=(date(2025, 7, 1),),
    )
    advice = programme().recommend_revocation(facts, on=date(2025, 8, 1))
    assert advice.grounds == (
        RevocationGround.HARMS_GROUP_INTERESTS,
        RevocationGround.MALICIOUS_ARREARS,
    )
    assert not advice.review


def test_long_arrears_recommend_a_review_not_a_revocation() -> None:
    """RULES § 1: 7 months overdue without a finding of malice is no ground, only a review."""
    facts = TierFacts(government_official=True, months_in_arrears=7)
    advice = programme().recommend_revocation(facts, on=date(2025, 8, 1))
    assert (advice.recommended, advice.grounds, advice.review) == (False, (), True)
    assert [r.rule for r in advice.reasons] == [
        "vip.revocation.review_arrears",
        "tier.d.long_arrears",
    ]
    assert "not found malicious" in advice.reasons[0].message


def test_long_arrears_beside_another_ground_give_that_ground_and_a_review() -> None:
    """Leading a group complaint is a ground; the 8 months overdue stay a review, not a ground."""
    facts = TierFacts(
        special_relationship=True, months_in_arrears=8, group_complaints_led=(date(2025, 7, 1),)
    )
    advice = programme().recommend_revocation(facts, on=date(2025, 8, 1))
    assert (advice.recommended, advice.grounds, advice.review) == (
        True,
        (RevocationGround.HARMS_GROUP_INTERESTS,),
        True,
    )
    assert [r.rule for r in advice.reasons][:2] == [
        "vip.revocation.recommended",
        "vip.revocation.review_arrears",
    ]


def test_five_months_overdue_is_neither_ground_nor_review() -> None:
    """Below the 6 months of long arrears a VIP stays A: nothing to revoke or review."""
    facts = TierFacts(government_official=True, months_in_arrears=5)
    advice = programme().recommend_revocation(facts, on=date(2025, 8, 1))
    assert (advice.recommended, advice.grounds, advice.review) == (False, (), False)


def test_revocation_is_not_recommended_for_a_good_vip() -> None:
    """No D criterion, no recommendation."""
    advice = programme().recommend_revocation(OFFICIAL, on=date(2025, 8, 1))
    assert (advice.recommended, advice.grounds, advice.review) == (False, (), False)
    assert advice.reasons[0].source == "002 §28"


# --- benefits ----------------------------------------------------------------------------------


def test_a_valid_card_brings_the_five_benefit_families() -> None:
    """002 §§30-33: priority, discount, consultation, family care, emergency aid."""
    vip = programme()
    benefits = vip.benefits(issued(vip), on=date(2025, 1, 1))
    assert benefits.families == tuple(BenefitFamily)
    assert (benefits.card_id, benefits.emergency_aid_limit) == ("JK1001", 2000)
    assert [r.source for r in benefits.reasons] == [
        "002 §31",
        "002 §32",
        "002 §30",
        "002 §33",
        "002 §33",
    ]
    assert "renovation_approval" in benefits.services.priority


def test_benefits_after_expiry_are_none() -> None:
    """002 §26: void after expiry."""
    vip = programme()
    card = issued(vip)
    benefits = vip.benefits(card, on=card.expires_on)
    assert (benefits.families, benefits.emergency_aid_limit) == ((), 0)
    assert (benefits.reasons[0].rule, benefits.reasons[0].source) == (
        "vip.benefits.card_not_valid",
        "002 §26",
    )


def test_benefits_stop_on_revocation() -> None:
    """002 §28: revocation stops the priority and discount services."""
    vip = programme()
    card = issued(vip)
    vip.revoke(card, ground=RevocationGround.MALICIOUS_ARREARS, on=date(2025, 8, 1), by="经理")
    assert vip.benefits(card, on=date(2025, 7, 31)).families
    benefits = vip.benefits(card, on=date(2025, 8, 1))
    assert (benefits.families, benefits.reasons[0].source) == ((), "002 §28")


def test_benefits_of_a_replaced_card_and_before_issue_are_none() -> None:
    """A replaced card brings nothing (002 §27), nor a card before its issue day."""
    vip = programme()
    card = issued(vip)
    vip.replace(card, on=date(2025, 5, 20), by=BY)
    assert vip.benefits(card, on=date(2025, 5, 20)).reasons[0].source == "002 §27"
    before = vip.benefits(card, on=date(2024, 2, 28))
    assert (before.families, before.reasons[0].message) == (
        (),
        "card JK1001 is not valid before 2024-02-29",
    )


def test_benefits_only_inside_the_company_s_communities() -> None:
    """002 §34: services only within the company's managed communities."""
    vip = programme()
    benefits = vip.benefits(issued(vip), on=date(2025, 1, 1), in_managed_community=False)
    assert (benefits.families, benefits.reasons[0].source) == ((), "002 §34")


def test_benefit_catalogue_and_aid_limit_come_from_the_policy() -> None:
    """A company offering no emergency aid yet has an aid limit of 0."""
    policy = VipPolicy(emergency_aid_limit=5000, benefits=VipBenefits(emergency_aid=()))
    vip = programme(policy)
    benefits = vip.benefits(issued(vip), on=date(2025, 1, 1))
    assert BenefitFamily.EMERGENCY_AID not in benefits.families
    assert benefits.emergency_aid_limit == 0


# --- reminders, lookup, policy -----------------------------------------------------------------


def test_expiring_lists_active_cards_expiring_in_the_window_soonest_first() -> None:
    """For renewal reminders: [start, end), replaced or revoked cards left out."""
    vip = programme()
    a = issued(vip, on=date(2024, 3, 10))
    b = issued(
        vip, Customer("c5", "孙丽", facts=TierFacts(major_contribution=True)), date(2024, 3, 1)
    )
    c = issued(
        vip, Customer("c6", "钱坤", facts=TierFacts(major_contribution=True)), date(2024, 3, 5)
    )
    vip.revoke(c, ground=RevocationGround.MALICIOUS_ARREARS, on=date(2025, 1, 1), by="经理")
    found = vip.expiring((date(2027, 3, 1), date(2027, 3, 10)))
    assert [card.id for card in found] == [b.id]
    found = vip.expiring((date(2027, 3, 1), date(2027, 3, 11)))
    assert [card.id for card in found] == [b.id, a.id]


def test_unknown_card_is_not_found() -> None:
    """The programme says which card it does not know."""
    with pytest.raises(NotFoundError, match="no VIP card 'JK1001'"):
        programme().card("JK1001")


def test_operations_take_dates_not_datetimes() -> None:
    """Days are dates; the programme never reads the clock."""
    vip = programme()
    card = issued(vip)
    with pytest.raises(ValidationError, match="on: expected a datetime.date"):
        card.is_valid_on("2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="card: expected a VipCard"):
        vip.benefits("JK1001", on=date(2025, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"between\[1\]"):
        vip.expiring((date(2025, 1, 1), "2026-01-01"))  # type: ignore[arg-type]


def test_programme_from_the_whole_policy() -> None:
    """The programme reads vip and customers.tiers from a company's whole policy."""
    policy = Policy.from_mapping(
        {"vip": {"card_prefix": "ZX"}, "customers": {"tiers": {"loyal_min_purchases": 5}}}
    )
    vip = VipProgramme(MemorySequenceAllocator(), policy=policy)
    assert issued(vip).id == "ZX1001"
    assert vip.tiers.loyal_min_purchases == 5


def test_programme_from_the_vip_slice_uses_default_tiers() -> None:
    """policy=policy.vip takes the VIP settings; the tier thresholds stay the defaults."""
    vip = VipProgramme(MemorySequenceAllocator(), policy=VipPolicy(card_prefix="ZX"))
    assert (issued(vip).id, vip.tiers) == ("ZX1001", TierPolicy())


def test_programme_takes_tiers_from_their_own_argument() -> None:
    """tiers= overrides the thresholds of the whole policy."""
    tiers = TierPolicy(precedence=(Tier.A, Tier.D, Tier.B, Tier.C))
    vip = VipProgramme(MemorySequenceAllocator(), policy=Policy(), tiers=tiers)
    arrears = Customer("c7", "周强", facts=TierFacts(government_official=True, months_in_arrears=9))
    assert issued(vip, arrears).id == "JK1001"


def test_programme_without_a_policy_uses_the_defaults() -> None:
    """No policy: prefix JK, three years, tier thresholds of the rules."""
    vip = VipProgramme(MemorySequenceAllocator())
    assert (vip.policy, vip.tiers) == (VipPolicy(), TierPolicy())


def test_a_wrong_slice_is_one_short_line_naming_the_path() -> None:
    """policy.customers instead of policy.vip: one line under 300 characters naming policy.vip."""
    with pytest.raises(ValidationError) as caught:
        VipProgramme(MemorySequenceAllocator(), policy=Policy().customers)
    message = str(caught.value)
    assert message == (
        "policy: expected a VipPolicy, got a CustomerPolicy; pass policy.vip or the whole Policy"
    )
    assert len(message) < 300


def test_a_wrong_tier_slice_names_customers_tiers() -> None:
    """tiers=policy.customers is refused with the path policy.customers.tiers."""
    with pytest.raises(ValidationError) as caught:
        VipProgramme(MemorySequenceAllocator(), tiers=Policy().customers)
    message = str(caught.value)
    assert message == (
        "tiers: expected a TierPolicy, got a CustomerPolicy; "
        "pass policy.customers.tiers or the whole Policy"
    )
    assert len(message) < 300


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"card_prefix": "jk"}, "card_prefix"),
        ({"validity_years": 0}, "validity_years"),
        ({"emergency_aid_limit": -1}, "emergency_aid_limit"),
    ],
)
def test_vip_policy_values_are_validated(kwargs: dict[str, object], field: str) -> None:
    """A bad setting names its field."""
    with pytest.raises(ValidationError, match=f"^{field}: "):
        VipPolicy(**kwargs)  # type: ignore[arg-type]


def test_benefit_catalogue_is_validated() -> None:
    """A service listed twice is a mistake."""
    with pytest.raises(ValidationError, match="^priority: expected a list of distinct"):
        VipBenefits(priority=("fee_payment", "fee_payment"))


def test_a_failed_issue_uses_up_no_sequence_number() -> None:
    """Numbers are never reused, so an issue refused for a bad argument must not take one."""
    allocator = MemorySequenceAllocator()
    vip = VipProgramme(allocator)
    with pytest.raises(ValidationError, match="issued_by: expected a non-empty string"):
        vip.issue(OFFICIAL, level=VipLevel.GOVERNMENT_OFFICIAL, on=ISSUED, by="")
    assert allocator.last("JK", VipLevel.GOVERNMENT_OFFICIAL) == 0
    assert issued(vip).id == "JK1001"


def test_a_failed_renewal_or_replacement_uses_up_no_sequence_number() -> None:
    """A blank 'by' or 'why' is refused before a number is allocated; nothing changes."""
    allocator = MemorySequenceAllocator()
    vip = VipProgramme(allocator)
    card = issued(vip)
    with pytest.raises(ValidationError, match="by: expected a non-empty string"):
        vip.renew(card, OFFICIAL, on=card.expires_on, by=" ")
    with pytest.raises(ValidationError, match="why: expected a non-empty string"):
        vip.replace(card, on=date(2025, 5, 20), by=BY, why="")
    with pytest.raises(ValidationError, match="by: expected a non-empty string"):
        vip.replace(card, on=date(2025, 5, 20), by="")
    assert allocator.last("JK", VipLevel.GOVERNMENT_OFFICIAL) == 1
    assert vip.card(card.number).status == CardStatus.ACTIVE
    assert vip.replace(card, on=date(2025, 5, 20), by=BY).new.id == "JK1002"


@pytest.mark.parametrize("level", [3, "1", None, True])
def test_issue_refuses_an_unknown_level(level: object) -> None:
    """A level outside 0-2, or given as text, is a ValidationError naming the level."""
    with pytest.raises(ValidationError, match="^level: expected a VipLevel"):
        programme().issue(OFFICIAL, level=level, on=ISSUED, by=BY)  # type: ignore[arg-type]


def test_issue_accepts_a_level_digit() -> None:
    """The level digit 1 means a government-official card."""
    card = programme().issue(OFFICIAL, level=1, on=ISSUED, by=BY)  # type: ignore[arg-type]
    assert card.level == VipLevel.GOVERNMENT_OFFICIAL


def test_renewal_refuses_an_unknown_level_and_a_non_customer() -> None:
    """renew names a bad level or customer instead of raising ValueError or AttributeError."""
    vip = programme()
    card = issued(vip)
    with pytest.raises(ValidationError, match="^level: expected a VipLevel"):
        vip.renew(card, OFFICIAL, on=card.expires_on, by=BY, level=5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="^customer: expected a Customer"):
        vip.renew(card, "c1", on=card.expires_on, by=BY)  # type: ignore[arg-type]


def test_revocation_refuses_an_unknown_ground_and_a_non_text_note() -> None:
    """002 §28 knows two grounds; their values are accepted, anything else is refused."""
    vip = programme()
    card = issued(vip)
    with pytest.raises(ValidationError, match="^ground: expected a RevocationGround"):
        vip.revoke(card, ground="bad", on=date(2025, 1, 1), by=BY)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="^note: expected a string"):
        vip.revoke(
            card, ground=RevocationGround.MALICIOUS_ARREARS, on=date(2025, 1, 1), by=BY, note=None
        )  # type: ignore[arg-type]
    done = vip.revoke(card, ground="malicious_arrears", on=date(2025, 1, 1), by=BY)  # type: ignore[arg-type]
    assert done.change is not None
    assert done.change.ground == RevocationGround.MALICIOUS_ARREARS


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"policy": "vip"}, "policy"),
        ({"allocator": object()}, "allocator"),
        ({"tiers": 3}, "tiers"),
    ],
)
def test_programme_arguments_are_checked(kwargs: dict[str, object], field: str) -> None:
    """A programme with a bad allocator, policy or tier thresholds is refused at once."""
    arguments: dict[str, object] = {"allocator": MemorySequenceAllocator(), **kwargs}
    with pytest.raises(ValidationError, match=f"^{field}: expected a "):
        VipProgramme(**arguments)  # type: ignore[arg-type]


# --- the sequence allocator --------------------------------------------------------------------


def test_sequences_run_per_prefix_and_level() -> None:
    """Decision: each (prefix, level) counts on its own."""
    allocator = MemorySequenceAllocator()
    got = [
        allocator.allocate("JK", VipLevel.OTHER),
        allocator.allocate("JK", VipLevel.OTHER),
        allocator.allocate("JK", VipLevel.GOVERNMENT_OFFICIAL),
        allocator.allocate("ZX", VipLevel.OTHER),
    ]
    assert got == [1, 2, 1, 1]


def test_exhausting_999_is_a_clear_error_and_nothing_is_issued() -> None:
    """Numbers are never reused: after JK2999 there is no JK2 number left."""
    vip = programme(OTHER=999)
    with pytest.raises(CardNumbersExhaustedError, match="no card numbers left for JK2"):
        vip.issue(OFFICIAL, level=VipLevel.OTHER, on=ISSUED, by=BY)
    assert vip.expiring((date(2000, 1, 1), date(2100, 1, 1))) == ()


@pytest.mark.parametrize("count", [-1, 1000, "3", True])
def test_allocator_counts_are_validated(count: object) -> None:
    """Resumed counts must be whole numbers from 0 to 999."""
    with pytest.raises(ValidationError, match="last"):
        MemorySequenceAllocator({("JK", VipLevel.OTHER): count})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("prefix", "level", "field"), [("JK", 7, "level"), ("JK", "2", "level"), ("jk", 2, "prefix")]
)
def test_allocator_refuses_an_unknown_level_or_prefix(
    prefix: object, level: object, field: str
) -> None:
    """allocate and last name a bad level or prefix; nothing is allocated."""
    allocator = MemorySequenceAllocator()
    with pytest.raises(ValidationError, match=f"^{field}: expected "):
        allocator.allocate(prefix, level)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=f"^{field}: expected "):
        allocator.last(prefix, level)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="expected "):
        MemorySequenceAllocator({(prefix, level): 1})  # type: ignore[dict-item]
    assert allocator.allocate("JK", 2) == 1  # type: ignore[arg-type]


@given(st.lists(st.sampled_from(VipLevel), max_size=60))
def test_sequence_numbers_are_unique_and_increasing_per_level(levels: list[VipLevel]) -> None:
    """Per level, the numbers handed out are 1, 2, 3, … with no repeat."""
    allocator = MemorySequenceAllocator()
    seen: dict[VipLevel, list[int]] = {level: [] for level in VipLevel}
    for level in levels:
        seen[level].append(allocator.allocate("JK", level))
    for level, numbers in seen.items():
        assert numbers == list(range(1, len(numbers) + 1))
        assert allocator.last("JK", level) == len(numbers)


# --- the house ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    ["vip", "_vip_numbers", "_vip_cards", "_vip_policy", "customers", "_customer_segments"],
)
def test_vip_and_customer_modules_never_import_the_policy_module(module: str) -> None:
    """No import of propcrm.policy anywhere, not in a function nor under TYPE_CHECKING."""
    source = Path(propcrm.__file__).with_name(f"{module}.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            imported.add(node.module)
            if node.module == "propcrm":
                imported.update(f"propcrm.{alias.name}" for alias in node.names)
    assert "propcrm.policy" not in imported
    assert "propcrm._slices" in imported or module.startswith("_vip")
