"""Satisfaction benchmarks: NPS over a million answers, a scorecard over 100,000 households.

Run:
    python -m pytest benchmarks/bench_satisfaction.py --no-cov --benchmark-only -p no:cacheprovider
"""

import random
from datetime import date

import pytest

from propcrm.satisfaction import (
    Attainment,
    GroupBy,
    Interval,
    KpiScorecard,
    NpsResult,
    SatisfactionPolicy,
    ServiceFigures,
    SurveyResponse,
    nps,
)

RNG = random.Random(2025)
ANSWERS = RNG.choices(range(11), weights=(2, 1, 1, 1, 2, 3, 4, 8, 14, 24, 40), k=1_000_000)
COMMUNITIES = [f"Community {i:02d}" for i in range(20)]
TIERS = ("A", "B", "C", "D")
DIMENSIONS = SatisfactionPolicy().enabled


def _naive_nps(answers: list[int]) -> Interval:
    """The obvious pure-Python loop, validating and counting one answer at a time."""
    promoters = passives = detractors = 0
    for i, a in enumerate(answers):
        if type(a) is not int or not 0 <= a <= 10:
            raise ValueError(f"scores[{i}]: bad answer {a!r}")
        if a >= 9:
            promoters += 1
        elif a >= 7:
            passives += 1
        else:
            detractors += 1
    return NpsResult(promoters, passives, detractors).ci()


@pytest.mark.benchmark(group="nps: 1,000,000 answers with a 95 % interval")
def test_nps_propcrm(benchmark) -> None:  # type: ignore[no-untyped-def]
    """propcrm: bulk validation (type set + bytes) and bytes.count per value."""
    benchmark.extra_info["label"] = "`nps(answers).ci()`, answers as `list`"
    interval = benchmark(lambda: nps(ANSWERS).ci())
    assert -100 <= interval.low <= interval.high <= 100


@pytest.mark.benchmark(group="nps: 1,000,000 answers with a 95 % interval")
def test_nps_propcrm_from_bytes(benchmark) -> None:  # type: ignore[no-untyped-def]
    """propcrm, answers already held as a compact bytes vector."""
    data = bytes(ANSWERS)
    assert nps(data) == nps(ANSWERS)
    benchmark.extra_info["label"] = "`nps(answers).ci()`, answers as `bytes`"
    benchmark(lambda: nps(data).ci())


@pytest.mark.benchmark(group="nps: 1,000,000 answers with a 95 % interval")
def test_nps_naive_loop(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Baseline: one Python-level branch per answer."""
    benchmark.extra_info.update(
        label="naive Python loop", baseline_for="`nps(answers).ci()`, answers as `list`"
    )
    assert benchmark(_naive_nps, ANSWERS) == nps(ANSWERS).ci()


def _households(n: int) -> tuple[list[SurveyResponse], list[ServiceFigures]]:
    rng = random.Random(7)
    responses = []
    for i in range(n):
        skipped = rng.randrange(3)
        responses.append(
            SurveyResponse(
                household_id=f"H-{i}",
                community=COMMUNITIES[i % len(COMMUNITIES)],
                answered_on=date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                tier=rng.choice(TIERS),
                recommend=rng.choice(ANSWERS),
                overall=rng.randint(1, 5),
                ratings={d: rng.randint(1, 5) for d in DIMENSIONS[skipped:]},
            )
        )
    figures = [
        ServiceFigures(
            community,
            date(2025, month, 1),
            tier=tier,
            households=1250,
            complaints=12,
            repeat_complaints=2,
            response_timeliness=Attainment(95, 100),
            complaint_handling_timeliness=Attainment(11, 12),
            complaint_resolution_satisfaction=Attainment(10, 12),
        )
        for community in COMMUNITIES
        for month in range(1, 13)
        for tier in TIERS
    ]
    return responses, figures


RESPONSES, FIGURES = _households(100_000)


@pytest.mark.benchmark(group="scorecard: 100,000 households")
def test_scorecard_whole_company(benchmark) -> None:  # type: ignore[no-untyped-def]
    """Every indicator once, over all households."""
    benchmark.extra_info["label"] = "whole company (1 group)"
    card = benchmark(KpiScorecard.build, RESPONSES, FIGURES)
    assert len(card.groups) == 1


@pytest.mark.benchmark(group="scorecard: 100,000 households")
def test_scorecard_by_community_and_quarter(benchmark) -> None:  # type: ignore[no-untyped-def]
    """20 communities x 4 quarters = 80 groups."""
    by = (GroupBy.COMMUNITY, GroupBy.QUARTER)
    benchmark.extra_info["label"] = "community × quarter (80 groups)"
    card = benchmark(KpiScorecard.build, RESPONSES, FIGURES, by=by)
    assert len(card.groups) == 80
