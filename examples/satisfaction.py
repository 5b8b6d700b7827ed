"""Score a half-year survey: NPS with its interval, a change between waves, the KPI scorecard.

Run: python examples/satisfaction.py
"""

import random
from datetime import date

from propcrm import Policy
from propcrm.satisfaction import (
    Attainment,
    Dimension,
    GroupBy,
    Kpi,
    KpiScorecard,
    KpiStatus,
    ServiceFigures,
    SurveyResponse,
    compare_nps,
    nps,
)

rng = random.Random(2025)
policy = Policy().satisfaction


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
                ratings={d: rng.randint(3 if promoter else 1, 5) for d in Dimension},
            )
        )
    return out


spring = survey("Lakeside", date(2025, 4, 10), 0.45, 120)
autumn = survey("Lakeside", date(2025, 10, 12), 0.65, 120)

first = nps(r.recommend for r in spring if r.recommend is not None)
second = nps(r.recommend for r in autumn if r.recommend is not None)
print(f"spring NPS {first.score:.1f} (n = {first.n}), CI {first.ci()}")
print(f"autumn NPS {second.score:.1f} (n = {second.n}), CI {second.ci()}")
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
        complaint_handling_timeliness=Attainment(4, 4),
        complaint_resolution_satisfaction=Attainment(4, 4),
    )
    for month in (4, 10)
]
card = KpiScorecard.build(spring + autumn, figures, by=GroupBy.QUARTER, policy=policy)
for group in card.groups:
    print(f"\n== {' / '.join(group.key)}")
    for indicator in group.indicators:
        print(f"  {indicator.status.value:9}  {indicator.reason}")

# What the example shows must hold, or the script fails.
assert second.score > first.score
assert change.significant, "a rise of 20+ points on 120 answers per wave should be significant"
autumn_group = card.group("2025-Q4")
assert autumn_group[Kpi.COMPLAINT_HANDLING_TIMELINESS].status is KpiStatus.MET
assert autumn_group[Kpi.NPS].interval is not None
