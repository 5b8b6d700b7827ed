"""What a VIP card brings on a day, reason by reason, and the benefit policy's own checks.

RULES § 3 / 002 §§ 26-34: a card brings the five benefit families only while it is
valid and only inside the company's managed communities; every answer says why, with
the facts it used. The expected rules, messages and facts are written out here.
"""

from datetime import date

import pytest

from propcrm import Customer, TierFacts, VipLevel, VipPolicy, VipProgramme
from propcrm.errors import CalendarRangeError, ValidationError
from propcrm.vip import BenefitFamily, MemorySequenceAllocator, VipBenefits

OFFICIAL = Customer("c1", "王芳", facts=TierFacts(government_official=True))
ISSUED = date(2024, 3, 1)  # expires 2027-03-01: three calendar years (002 §26)
BY = "客户助理 李娜"


def programme(policy: VipPolicy | None = None) -> VipProgramme:
    return VipProgramme(MemorySequenceAllocator(), policy=policy)


def test_an_expired_card_says_so_with_its_status_and_dates() -> None:
    """On its first invalid day: 'not valid on D (expired)', status and both dates as facts."""
    vip = programme()
    card = vip.issue(OFFICIAL, level=VipLevel.GOVERNMENT_OFFICIAL, on=ISSUED, by=BY)
    benefits = vip.benefits(card, on=date(2027, 3, 1))
    (reason,) = benefits.reasons
    assert reason.rule == "vip.benefits.card_not_valid"
    assert reason.message == "card JK1001 is not valid on 2027-03-01 (expired)"
    assert reason.facts == {
        "status": "expired",
        "issued_on": date(2024, 3, 1),
        "ends_on": date(2027, 3, 1),
    }


def test_a_card_brings_nothing_on_a_day_it_is_not_valid() -> None:
    """The answer still names the card and the day, with no aid and no families."""
    vip = programme()
    card = vip.issue(OFFICIAL, level=VipLevel.GOVERNMENT_OFFICIAL, on=ISSUED, by=BY)
    benefits = vip.benefits(card, on=date(2027, 3, 1))
    assert (benefits.card_id, benefits.on) == ("JK1001", date(2027, 3, 1))
    assert (benefits.families, benefits.emergency_aid_limit) == ((), 0)


def test_a_card_replaced_on_its_issue_day_is_not_valid_on_that_day_because_replaced() -> None:
    """From its issue day on the message gives the status, not 'before its issue day'."""
    vip = programme()
    card = vip.issue(OFFICIAL, level=VipLevel.GOVERNMENT_OFFICIAL, on=ISSUED, by=BY)
    vip.replace(card, on=ISSUED, by=BY)
    (reason,) = vip.benefits(card, on=ISSUED).reasons
    assert reason.message == "card JK1001 is not valid on 2024-03-01 (replaced)"
    assert reason.source == "002 §27"


def test_outside_the_managed_communities_the_reason_names_the_rule_and_fact() -> None:
    """002 §34: the card brings nothing elsewhere, and the answer says why."""
    vip = programme()
    card = vip.issue(OFFICIAL, level=VipLevel.GOVERNMENT_OFFICIAL, on=ISSUED, by=BY)
    benefits = vip.benefits(card, on=date(2025, 1, 1), in_managed_community=False)
    (reason,) = benefits.reasons
    assert reason.rule == "vip.benefits.outside_managed_communities"
    assert reason.message == "VIP services apply only inside the company's managed communities"
    assert reason.facts == {"in_managed_community": False}
    assert (benefits.card_id, benefits.on, benefits.emergency_aid_limit) == (
        "JK1001",
        date(2025, 1, 1),
        0,
    )


def test_each_family_s_reason_lists_its_services() -> None:
    """One reason per family offered: its rule, 'label: services' and the services as a fact."""
    policy = VipPolicy(
        benefits=VipBenefits(
            priority=("fee_payment", "repair"),
            discount=(),
            consultation=("legal_advice",),
            family_care=(),
            emergency_aid=(),
        )
    )
    vip = programme(policy)
    card = vip.issue(OFFICIAL, level=VipLevel.GOVERNMENT_OFFICIAL, on=ISSUED, by=BY)
    benefits = vip.benefits(card, on=date(2025, 1, 1))
    assert benefits.on == date(2025, 1, 1)
    assert [(r.rule, r.facts) for r in benefits.reasons] == [
        ("vip.benefits.priority", {"services": ["fee_payment", "repair"]}),
        ("vip.benefits.consultation", {"services": ["legal_advice"]}),
    ]
    assert benefits.reasons[0].message == (f"{BenefitFamily.PRIORITY.label}: fee_payment, repair")


def test_services_of_asks_for_a_benefit_family() -> None:
    """VipBenefits.of names its argument and what it expects."""
    with pytest.raises(ValidationError, match="^family: expected a BenefitFamily") as caught:
        VipBenefits().of("priority")  # type: ignore[arg-type]
    assert caught.value.field == "family"


@pytest.mark.parametrize(
    "services",
    [("fee_payment", " "), ("fee_payment", 5), ("fee_payment", "fee_payment")],
    ids=["blank", "not-text", "twice"],
)
def test_a_family_lists_distinct_non_empty_names(services: tuple[object, ...]) -> None:
    """A blank name, a non-text entry or a name twice is refused, naming the family."""
    with pytest.raises(ValidationError, match="^priority: expected a list of distinct") as caught:
        VipBenefits(priority=services)  # type: ignore[arg-type]
    assert "fee_payment" in str(caught.value)  # the refused value is shown


def test_expiry_near_the_end_of_the_calendar_names_the_argument() -> None:
    """Three years after 9998-01-01 is past year 9999: a CalendarRangeError about 'on'."""
    with pytest.raises(CalendarRangeError, match=r"^on: .*date\(9998, 1, 1\)"):
        VipPolicy().expiry(date(9998, 1, 1))


def test_renewal_opening_before_year_one_names_the_argument() -> None:
    """A 30-day window before 0001-01-10 starts before year 1: an error about 'expires_on'."""
    with pytest.raises(CalendarRangeError, match=r"^expires_on: .*date\(1, 1, 10\)"):
        VipPolicy(renewal_window_days=30).renewal_opens(date(1, 1, 10))


def test_renewal_opening_needs_a_date() -> None:
    """A string is refused, naming expires_on."""
    with pytest.raises(ValidationError, match="^expires_on: ") as caught:
        VipPolicy().renewal_opens("2027-02-28")  # type: ignore[arg-type]
    assert caught.value.field == "expires_on"
