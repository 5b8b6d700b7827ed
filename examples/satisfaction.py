"""Score a half-year survey: NPS with its interval, changes between waves, the KPI scorecard.

Run: python examples/satisfaction.py
"""

import random
from datetime import date

from propcrm import (
    Attainment,
    GroupBy,
    Kpi,
    KpiScorecard,
    KpiStatus,
    Policy,
    ServiceFigures,
    SurveyResponse,
    compare_kpi,
    compare_nps,
    nps,
)

rng = random.Random(2025)
# The company also asks about light (采光), one of the optional dimensions of 002 §45.
satisfaction = Policy().satisfaction.switch_on("light")
policy = Policy(satisfaction=satisfaction)


def survey(community: str, day: date, promoter_share: float, n: int) -> list[SurveyResponse]:
    """n households of one community answering on one day."""
    out = []
    for i in range(n):
        promoter = rng.random() < promoter_share
        out.append(
            SurveyResponse(
                household_id=f"{community}-{i}",
                community=community,
                answered_on=day,
                tier=rng.choice("ABC"),
                recommend=rng.choice([9, 10]) if promoter else rng.choice([3, 6, 7, 8]),
                overall=rng.choice([4, 5]) if promoter else rng.choice([2, 3, 4]),
                ratings={d: rng.randint(3 if promoter else 1, 5) for d in satisfaction.enabled},
            )
        )
    return out


spring = survey("Lakeside", date(2025, 4, 10), 0.30, 120)
autumn = survey("Lakeside", date(2025, 10, 12), 0.70, 120)

first = nps(r.recommend for r in spring if r.recommend is not None)
second = nps(r.recommend for r in autumn if r.recommend is not None)
low, high = first.ci()
print(f"spring NPS {first.score:.1f} (n = {first.n}), 95% CI {first.ci()}")
print(f"autumn NPS {second.score:.1f} (n = {second.n}), 95% CI {second.ci()}")
change = compare_nps(first, second, population=600)
print(change.reasons[0])

figures = [
    ServiceFigures(
        "Lakeside",
        date(2025, month, 1),
        households=600,
        complaints=4,
        repeat_complaints=1,
        response_timeliness=Attainment(97, 100),
        problem_resolution=Attainment(58, 60),
        problem_resolution_timeliness=Attainment(55, 58),
        complaint_handling_timeliness=Attainment(4, 4),
        callback_handling=Attainment(30 if month == 4 else 36, 36),
        complaint_resolution_satisfaction=Attainment(4, 4),
    )
    for month in (4, 10)
]
card = KpiScorecard.build(spring + autumn, figures, by=GroupBy.QUARTER, policy=policy)
for group in card.groups:
    print(f"\n== {' / '.join(group.key)}")
    for indicator in group.indicators:
        print(f"  {indicator.status.value:9}  {indicator.reason}")

spring_group, autumn_group = card.group("2025-Q2"), card.group("2025-Q4")
callbacks = compare_kpi(spring_group, autumn_group, Kpi.CALLBACK_HANDLING_RATE)
index = compare_kpi(spring_group, autumn_group, Kpi.SATISFACTION_INDEX)
print()
print(callbacks.reasons[0])
print(index.reasons[0])

# What the example shows must hold, or the script fails.
assert second.score > first.score
assert change.significant, "a rise of 20+ points on 120 answers per wave should be significant"
assert low < first.score < high
assert callbacks.significant, "30 of 36 callbacks handled, then 36 of 36"
assert autumn_group[Kpi.COMPLAINT_HANDLING_TIMELINESS].status is KpiStatus.MET
assert autumn_group[Kpi.NPS].interval is not None
