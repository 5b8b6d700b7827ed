"""Tier a few customers, segment their households, and run one VIP card through its life.

Run: python examples/customers_and_vip.py
"""

from datetime import date

from propcrm import (
    CardStateError,
    Customer,
    Household,
    Member,
    MemorySequenceAllocator,
    NotEligibleError,
    Policy,
    Relation,
    Segment,
    Tier,
    TierFacts,
    VipLevel,
    VipProgramme,
    classify_tier,
    segment,
)

policy = Policy()
today = date(2025, 6, 1)
problems: list[str] = []


def expect(what: str, actual: object, expected: object) -> None:
    if actual != expected:
        problems.append(f"{what}: expected {expected!r}, got {actual!r}")


print("== Customer tiers (002 §7)")
people = [
    Customer("c-0101", "王建国", phone="13812345678", facts=TierFacts(government_official=True)),
    Customer("c-0102", "李秀兰", facts=TierFacts(purchases_from_group=2, satisfaction_score=93)),
    Customer("c-0103", "赵强", facts=TierFacts(signed_on=date(2025, 3, 15))),
    Customer("c-0104", "周敏", facts=TierFacts(government_official=True, malicious_arrears=True)),
]
expected_tiers = [Tier.A, Tier.B, Tier.C, Tier.D]
for customer, expected in zip(people, expected_tiers, strict=True):
    decision = classify_tier(customer, on=today, policy=policy)
    contact = customer.phone or "no phone"  # masked: str() never shows the number
    print(f"{customer.name} ({contact}): {decision.tier.value} {decision.tier.label}")
    for reason in decision.reasons:
        print(f"    {reason}")
    expect(f"tier of {customer.id}", decision.tier, expected)
expect("masked phone", str(people[0].phone), "138****5678")

print("\n== Household segments (002 §6)")
homes = {
    Segment.EMPTY_NEST: Household(
        "h-1",
        [
            Member("王建国", date(1958, 4, 2)),
            Member("李秀兰", date(1960, 9, 9), Relation.SPOUSE),
            Member("王磊", date(1986, 1, 20), Relation.CHILD, resident=False),
        ],
    ),
    Segment.COUPLE_WITH_CHILD: Household(
        "h-2",
        [
            Member("赵强", date(1988, 7, 1), working=True),
            Member("钱丽", date(1990, 2, 14), Relation.SPOUSE, working=True),
            Member("赵小宝", date(2019, 5, 5), Relation.CHILD),
        ],
    ),
    Segment.OLDER_SINGLE: Household("h-3", [Member("孙悦", date(1989, 11, 30), working=True)]),
}
for expected, home in homes.items():
    found = segment(home, on=today, policy=policy)
    print(f"{home.id}: {found.segment.label} — {found.reasons[0]}")
    expect(f"segment of {home.id}", found.segment, expected)

print("\n== A VIP card's life (002 §§23-34)")
programme = VipProgramme(MemorySequenceAllocator(), policy=policy)
assistant = "客户助理 李娜"
card = programme.issue(
    people[0], level=VipLevel.GOVERNMENT_OFFICIAL, on=date(2024, 2, 29), by=assistant
)
print(
    f"issued {card.id} to {card.customer_id}: valid {card.issued_on} until before {card.expires_on}"
)
expect("card number", card.id, "JK1001")
expect("expiry of a 29 February card", card.expires_on, date(2027, 2, 28))
expect("the policy's expiry", policy.vip.expiry(date(2024, 2, 29)), date(2027, 2, 28))

try:
    programme.issue(people[1], level=VipLevel.OTHER, on=today, by=assistant)
    problems.append("a tier-B customer was given a VIP card")
except NotEligibleError as refused:
    print(f"refused: {refused.decision.tier.value} customer {refused.customer_id}")

benefits = programme.benefits(card, on=today)
print(
    f"benefits on {today}: {', '.join(f.label for f in benefits.families)}; "
    f"emergency aid up to {benefits.emergency_aid_limit} yuan"
)
expect("benefit families", len(benefits.families), 5)

replaced = programme.replace(card, on=date(2025, 9, 1), by=assistant)
print(
    f"lost card {replaced.old.id} replaced by {replaced.new.id} (expires {replaced.new.expires_on})"
)
expect("replacement number", replaced.new.id, "JK1002")

reminders = programme.expiring((date(2027, 2, 1), date(2027, 3, 1)))
print(f"to remind in February 2027: {[c.id for c in reminders]}")
expect("reminders", [c.id for c in reminders], ["JK1002"])

try:
    programme.renew(replaced.new, people[0], on=date(2027, 2, 27), by=assistant)
    problems.append("a card was renewed before its expiry day")
except CardStateError as error:
    print(f"renewal the day before expiry refused: {error}")
renewed = programme.renew(replaced.new, people[0], on=date(2027, 2, 28), by=assistant)
print(f"renewed on the expiry day as {renewed.new.id}, valid until before {renewed.new.expires_on}")
expect("renewed card", (renewed.new.id, renewed.new.expires_on), ("JK1003", date(2030, 2, 28)))

long_arrears = TierFacts(government_official=True, months_in_arrears=7)
review = programme.recommend_revocation(long_arrears, on=today)
print(f"7 months overdue, no finding of malice: {review.reasons[0]}")
expect("long arrears: review, no ground", (review.review, review.grounds), (True, ()))

advice = programme.recommend_revocation(people[3].facts, on=today)
print(f"revocation advice for {people[3].name}: {advice.reasons[0]}")
revoked = programme.revoke(
    renewed.new, ground=advice.grounds[0], on=date(2027, 6, 1), by="经理 张敏"
)
print(f"revoked {revoked.id}: {revoked.change.why if revoked.change else '?'}")
try:
    programme.revoke(renewed.new, ground=advice.grounds[0], on=date(2027, 6, 2), by="经理 张敏")
    problems.append("a card was revoked twice")
except CardStateError as error:
    print(f"second revocation refused: {error}")
after = programme.benefits(revoked, on=date(2027, 6, 1))
expect("benefits after revocation", after.families, ())

if problems:
    raise SystemExit("\n".join(["WRONG:", *problems]))
print("\nall as the rules say")
