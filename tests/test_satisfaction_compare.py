"""Comparing two waves or periods: CSAT, every rate KPI and the index, by hand and by simulation."""

import math
import random
from datetime import date

import pytest

from propcrm import Policy, ValidationError
from propcrm.satisfaction import (
    Attainment,
    GroupBy,
    Kpi,
    KpiScorecard,
    NoDataError,
    SatisfactionIndex,
    SatisfactionPolicy,
    ServiceFigures,
    SurveyResponse,
    compare_csat,
    compare_csat_paired,
    compare_event_rate,
    compare_index,
    compare_index_paired,
    compare_kpi,
    compare_rate,
)

CORE = ("security", "cleaning", "greening", "engineering", "service_centre",
        "community_culture", "value_added")  # fmt: skip

# --- by hand ----------------------------------------------------------------------------------


def test_two_proportion_test_by_hand() -> None:
    """A rate KPI: pooled two-proportion z test, unpooled interval of the change."""
    # p1 = 180/200 = 0.9, p2 = 194/200 = 0.97, pooled 374/400 = 0.935
    # se0 = sqrt(0.935 * 0.065 * (1/200 + 1/200)) = 0.024653; z = 0.07 / 0.024653 = 2.8395
    # p = erfc(2.8395 / sqrt 2) = 0.00452
    # unpooled se = sqrt(0.9*0.1/200 + 0.97*0.03/200) = 0.024393; half = 1.959964 * se = 0.047810
    result = compare_rate(Attainment(180, 200), Attainment(194, 200), measure="response")
    assert (result.before, result.after, result.n_before, result.n_after) == (0.9, 0.97, 200, 200)
    assert pytest.approx(0.07) == result.difference
    assert pytest.approx(0.024653, abs=1e-5) == result.se
    assert pytest.approx(2.8395, abs=1e-3) == result.z
    assert pytest.approx(0.00452, abs=1e-4) == result.p_value
    assert pytest.approx(0.07 - 0.047810, abs=1e-4) == result.interval.low
    assert (result.method, result.measure, result.significant) == (
        "two-proportion",
        "response",
        True,
    )


def test_csat_comparison_by_hand() -> None:
    """CSAT 6 of 10 -> 9 of 10: two-proportion z = 1.549, p = 0.121, not significant."""
    # pooled 15/20 = 0.75; se0 = sqrt(0.75 * 0.25 * 0.2) = 0.193649; z = 0.3 / 0.193649 = 1.549193
    # unpooled se = sqrt(0.24/10 + 0.09/10) = 0.181659; half = 0.356045
    before = [5, 5, 4, 4, 4, 4, 3, 2, 2, 1]
    after = [5, 5, 5, 4, 4, 4, 4, 4, 4, 2]
    result = compare_csat(before, after)
    assert (result.before, result.after) == (0.6, 0.9)
    assert pytest.approx(1.549193, abs=1e-5) == result.z
    assert pytest.approx(0.12134, abs=1e-4) == result.p_value
    assert pytest.approx(-0.056045, abs=1e-5) == result.interval.low
    assert pytest.approx(0.656045, abs=1e-5) == result.interval.high
    assert not result.significant


def test_csat_comparison_follows_the_policys_satisfied_from() -> None:
    """With satisfied_from = 5 only the 5s count: 2 of 10 before, 3 of 10 after."""
    before = [5, 5, 4, 4, 4, 4, 3, 2, 2, 1]
    after = [5, 5, 5, 4, 4, 4, 4, 4, 4, 2]
    policy = Policy.from_toml("[satisfaction]\nsatisfied_from = 5\n")
    result = compare_csat(before, after, policy=policy)
    assert (result.before, result.after) == (0.2, 0.3)


def test_mcnemar_follows_the_policys_satisfied_from() -> None:
    """With satisfied_from = 5 two households rating 4 then 5 move to satisfied."""
    before = {"a": 4, "b": 4, "c": 5}
    after = {"a": 5, "b": 5, "c": 5}
    result = compare_csat_paired(before, after, policy=SatisfactionPolicy(satisfied_from=5))
    facts = result.reasons[0].facts
    assert (facts["satisfied_to_not"], facts["not_to_satisfied"]) == (0, 2)


def test_mcnemar_by_hand() -> None:
    """Same households: only those that changed side count, z = (c - b) / sqrt(b + c)."""
    # b = 1 (H3 satisfied -> not), c = 5 (H4-H8 not -> satisfied), m = 10
    # z = 4 / sqrt(6) = 1.632993, p = 0.10247; change 0.4, se = sqrt((0.6 - 0.16) / 10) = 0.209762
    before = {f"H{i}": 5 if i < 4 else 2 for i in range(10)}
    after = {f"H{i}": 5 if i < 3 else (4 if 4 <= i <= 8 else 2) for i in range(10)}
    after["H11"] = 5  # answered once: left out
    result = compare_csat_paired(before, after)
    assert (result.before, result.after, result.difference) == (0.4, 0.8, 0.4)
    assert pytest.approx(1.632993, abs=1e-5) == result.z
    assert pytest.approx(0.10247, abs=1e-4) == result.p_value
    assert pytest.approx(0.4 + 1.959964 * 0.209762, abs=1e-4) == result.interval.high
    assert result.method == "mcnemar"
    facts = result.reasons[0].facts
    assert (facts["satisfied_to_not"], facts["not_to_satisfied"], facts["unpaired"]) == (1, 5, 1)


def test_mcnemar_without_changes_is_no_evidence() -> None:
    """Nobody changed side: no change, p = 1."""
    result = compare_csat_paired({"a": 5, "b": 2}, {"a": 4, "b": 1})
    assert (result.difference, result.z, result.p_value) == (0.0, 0.0, 1.0)


def test_index_comparison_by_hand() -> None:
    """Welch: se = sqrt(20²/50 + 20²/50) = 4; z = 10 / 4 = 2.5; p = 0.01242."""
    first = SatisfactionIndex((), 60.0, 50, 0, 20.0)
    second = SatisfactionIndex((), 70.0, 50, 0, 20.0)
    result = compare_index(first, second)
    assert (result.difference, result.se, result.z) == (10.0, 4.0, 2.5)
    assert pytest.approx(0.012419, abs=1e-5) == result.p_value
    assert pytest.approx(10 - 1.959964 * 4, abs=1e-4) == result.interval.low
    assert result.method == "welch"


def test_paired_index_comparison_by_hand() -> None:
    """Per-household index differences 25, 50, 0: mean 25, sd 25, se 14.43, z = 1.732."""
    # one dimension each: ratings 3, 3, 4 -> 50, 50, 75; then 4, 5, 4 -> 75, 100, 75
    policy = Policy(satisfaction=SatisfactionPolicy(min_answered_dimensions=1))
    before = {"a": {"security": 3}, "b": {"security": 3}, "c": {"security": 4}}
    after = {"a": {"security": 4}, "b": {"security": 5}, "c": {"security": 4}, "d": {}}
    result = compare_index_paired(before, after, policy=policy)
    assert pytest.approx(175 / 3) == result.before
    assert pytest.approx(250 / 3) == result.after
    assert result.difference == 25.0
    assert pytest.approx(25 / math.sqrt(3)) == result.se
    assert pytest.approx(0.083264, abs=1e-5) == result.p_value
    assert result.reasons[0].facts["unpaired"] == 1


def test_event_rate_comparison_by_hand() -> None:
    """Complaints 12 -> 4 per 800 households: pooled rate 0.01, se0 0.005, z = -2."""
    result = compare_event_rate((12, 800), (4, 800))
    assert pytest.approx(-0.01) == result.difference
    assert pytest.approx(0.005) == result.se
    assert pytest.approx(-2.0) == result.z
    assert pytest.approx(0.0455, abs=1e-4) == result.p_value
    assert result.method == "poisson"


def test_kpi_comparison_between_quarters() -> None:
    """compare_kpi picks the test by KPI: callbacks 45/50 -> 50/50 is two-proportion."""
    # pooled 95/100; se0 = sqrt(0.95 * 0.05 * 0.04) = 0.043589; z = 0.1 / 0.043589 = 2.2942
    q1 = ServiceFigures("Lakeside", date(2025, 1, 1), households=500, complaints=10,
                        callback_handling=Attainment(45, 50))  # fmt: skip
    q2 = ServiceFigures("Lakeside", date(2025, 4, 1), households=500, complaints=2,
                        callback_handling=Attainment(50, 50))  # fmt: skip
    card = KpiScorecard.build([], [q1, q2], by=GroupBy.QUARTER)
    first, second = card.group("2025-Q1"), card.group("2025-Q2")
    callbacks = compare_kpi(first, second, Kpi.CALLBACK_HANDLING_RATE)
    assert pytest.approx(2.2942, abs=1e-3) == callbacks.z
    assert callbacks.measure == "callback_handling_rate"
    complaints = compare_kpi(first, second, Kpi.COMPLAINT_RATE)
    assert complaints.method == "poisson"
    with pytest.raises(NoDataError, match="no data for nps"):
        compare_kpi(first, second, Kpi.NPS)


# --- bad input ----------------------------------------------------------------------------------


def test_comparisons_refuse_bad_input() -> None:
    """Wrong types, empty periods and single households are named errors."""
    with pytest.raises(ValidationError, match="^before: expected an Attainment"):
        compare_rate((1, 2), Attainment(1, 2))  # type: ignore[arg-type]
    with pytest.raises(NoDataError, match="after: no cases"):
        compare_rate(Attainment(1, 2), Attainment())
    with pytest.raises(ValidationError, match=r"^after: expected a pair \(events, exposure\)"):
        compare_event_rate((1, 2), (1, -2))
    with pytest.raises(NoDataError, match="before: no exposure"):
        compare_event_rate((0, 0), (1, 2))
    with pytest.raises(ValidationError, match=r"^after\['b'\]: expected an integer answer from 1"):
        compare_csat_paired({"a": 1, "b": 2}, {"a": 1, "b": 9})
    with pytest.raises(NoDataError, match="2\\+ households in both waves, got 1"):
        compare_csat_paired({"a": 1}, {"a": 2})
    with pytest.raises(ValidationError, match="^before: expected a SatisfactionIndex or a list"):
        compare_index("answers", [])  # type: ignore[arg-type]
    with pytest.raises(NoDataError, match="after: an index comparison needs 2\\+ respondents"):
        compare_index(SatisfactionIndex((), 60.0, 5, 0, 1.0), SatisfactionIndex((), 60.0, 1, 0, 0))
    with pytest.raises(NoDataError, match="no variation in either wave"):
        compare_index([dict.fromkeys(CORE, 4)] * 3, [dict.fromkeys(CORE, 5)] * 3)
    with pytest.raises(ValidationError, match="^after: expected a mapping of household id"):
        compare_index_paired({}, [])  # type: ignore[arg-type]


def test_index_comparison_checks_dimensions_against_the_policy() -> None:
    """Rating mappings are scored with the policy: an unknown dimension is named."""
    with pytest.raises(ValidationError, match=r"^after\[0\]: expected a survey dimension from"):
        compare_index([dict.fromkeys(CORE, 4)] * 2, [{"parking": 3}])


# --- false positives by simulation --------------------------------------------------------------


def _rejections(trials: int, compare) -> float:  # type: ignore[no-untyped-def]
    return sum(compare().significant for _ in range(trials)) / trials


def test_two_proportion_false_positive_rate() -> None:
    """Two periods of one 90 % process are 'significant' about 5 % of the time."""
    rng = random.Random(21)

    def period() -> Attainment:
        return Attainment(sum(rng.random() < 0.9 for _ in range(200)), 200)

    assert 0.025 <= _rejections(1000, lambda: compare_rate(period(), period())) <= 0.075


def test_csat_false_positive_rate() -> None:
    """Two independent waves from one rating distribution: about 5 % false alarms."""
    rng = random.Random(22)

    def wave() -> list[int]:
        return rng.choices((5, 4, 3, 2), weights=(35, 35, 20, 10), k=100)

    assert 0.025 <= _rejections(1000, lambda: compare_csat(wave(), wave())) <= 0.075


def test_mcnemar_false_positive_rate() -> None:
    """Households answering at random in both waves: about 5 % false alarms."""
    rng = random.Random(23)
    homes = [f"H-{i}" for i in range(80)]

    def wave() -> dict[str, int]:
        return dict(zip(homes, rng.choices((5, 4, 2), weights=(4, 3, 3), k=80), strict=True))

    assert 0.025 <= _rejections(1000, lambda: compare_csat_paired(wave(), wave())) <= 0.075


def test_event_rate_false_positive_rate() -> None:
    """Two periods with one complaint rate (2 %): about 5 % false alarms."""
    rng = random.Random(24)

    def period() -> tuple[int, int]:
        return sum(rng.random() < 0.02 for _ in range(1000)), 1000

    assert 0.025 <= _rejections(500, lambda: compare_event_rate(period(), period())) <= 0.085


def test_index_false_positive_rate() -> None:
    """Two waves of one population: the Welch test says 'significant' about 5 % of the time."""
    rng = random.Random(25)

    def wave() -> list[dict[str, int]]:
        return [{d: rng.choice((2, 3, 4, 4, 5)) for d in CORE[:4]} for _ in range(40)]

    assert 0.025 <= _rejections(600, lambda: compare_index(wave(), wave())) <= 0.08


def test_paired_index_false_positive_rate() -> None:
    """Households rating at random in both waves: about 5 % false alarms."""
    rng = random.Random(26)
    homes = [f"H-{i}" for i in range(40)]

    def wave() -> dict[str, dict[str, int]]:
        return {h: {d: rng.choice((2, 3, 4, 4, 5)) for d in CORE[:4]} for h in homes}

    assert 0.025 <= _rejections(600, lambda: compare_index_paired(wave(), wave())) <= 0.08


def test_kpi_comparison_of_nps_and_index() -> None:
    """compare_kpi compares NPS with compare_nps and the index with the Welch test."""

    def wave(day: date, promoters: int) -> list[SurveyResponse]:
        return [
            SurveyResponse(f"H-{i}", "Lakeside", day, recommend=10 if i < promoters else 3,
                           ratings=dict.fromkeys(CORE, 5 if i < promoters else 2))
            for i in range(20)
        ]  # fmt: skip

    card = KpiScorecard.build(wave(date(2025, 1, 5), 5) + wave(date(2025, 4, 5), 15),
                              by=GroupBy.QUARTER)  # fmt: skip
    first, second = card.group("2025-Q1"), card.group("2025-Q2")
    # NPS: 5 - 15 of 20 = -50, then 15 - 5 = +50; index 5 x 100 + 15 x 25 over 20 = 43.75,
    # then 15 x 100 + 5 x 25 over 20 = 81.25
    nps_change = compare_kpi(first, second, Kpi.NPS)
    assert (nps_change.before, nps_change.after, nps_change.method) == (-50.0, 50.0, "independent")
    index_change = compare_kpi(first, second, Kpi.SATISFACTION_INDEX)
    assert (index_change.before, index_change.after) == (43.75, 81.25)
    assert index_change.method == "welch"
