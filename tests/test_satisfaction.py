"""Satisfaction and NPS: scores, intervals, comparisons, the dimension index and the scorecard."""

import math
import random
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propcrm import NotFoundError, Policy, PolicyError, ValidationError
from propcrm.satisfaction import (
    Attainment,
    CsatResult,
    GroupBy,
    Interval,
    Kpi,
    KpiScorecard,
    KpiStatus,
    NoDataError,
    NpsResult,
    SatisfactionIndex,
    SatisfactionPolicy,
    ServiceFigures,
    SurveyDimension,
    SurveyResponse,
    compare_nps,
    compare_nps_paired,
    csat,
    nps,
)
from propcrm.testing.strategies import (
    attainments,
    nps_answers,
    satisfaction_policies,
    service_figures,
    survey_responses,
)

DAY = date(2025, 3, 15)
CORE = (
    "security",
    "cleaning",
    "greening",
    "engineering",
    "service_centre",
    "community_culture",
    "value_added",
)

# --- NPS: worked examples -----------------------------------------------------------------------

# Ten answers: promoters 10, 10, 9, 9, 9 (P = 5); passives 8, 7 (2); detractors 6, 3, 0 (D = 3).
TEN = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]


def test_nps_bands_follow_the_rule() -> None:
    """Promoters 9-10, passives 7-8, detractors 0-6; NPS = %P - %D (001 §2.2)."""
    result = nps(TEN)
    assert (result.promoters, result.passives, result.detractors, result.n) == (5, 2, 3, 10)
    # (5 - 3) / 10 * 100 = 20
    assert result.score == 20.0


def test_nps_extremes() -> None:
    """All promoters score 100, all detractors -100."""
    assert nps([9, 10]).score == 100.0
    assert nps([0, 6]).score == -100.0


def test_adjusted_wald_interval_by_hand() -> None:
    """Rocks 2016: add 0.75 promoter, 0.75 detractor, 1.5 passive; centre on the adjusted score."""
    # n' = 13, p' = 5.75/13 = 0.442308, d' = 3.75/13 = 0.288462, centre = 2/13 = 0.153846
    # var = p' + d' - (p' - d')^2 = 0.730769 - 0.023669 = 0.707101
    # se = sqrt(0.707101 / 13) = 0.233222; half = 1.959964 * 0.233222 = 0.457106
    # interval = [-0.303260, 0.610952] -> [-30.33, 61.10] points
    interval = nps(TEN).ci()
    assert pytest.approx(-30.326, abs=1e-3) == interval.low
    assert pytest.approx(61.095, abs=1e-3) == interval.high
    assert (interval.method, interval.level) == ("adjusted-wald", 0.95)


def test_wald_interval_by_hand() -> None:
    """The plain Wald interval centres on the raw score."""
    # p = 0.5, d = 0.3, var = 0.8 - 0.04 = 0.76, se = sqrt(0.076) = 0.275681
    # half = 1.959964 * 0.275681 = 0.540325 -> [-34.03, 74.03] points
    interval = nps(TEN).ci(method="wald")
    assert pytest.approx(-34.0325, abs=1e-3) == interval.low
    assert pytest.approx(74.0325, abs=1e-3) == interval.high


def test_wald_collapses_where_adjusted_wald_does_not() -> None:
    """Every answer a promoter: Wald says [100, 100], adjusted Wald stays honest."""
    result = nps([10] * 5)
    assert Interval(100.0, 100.0, 0.95, "wald") == result.ci(method="wald")
    assert result.ci().low < 60


def test_interval_is_clipped_to_the_scale() -> None:
    """An NPS interval never leaves [-100, 100]."""
    interval = nps([0]).ci(0.99)
    assert interval.low == -100.0
    assert interval.high < 100


def test_finite_population_correction_by_hand() -> None:
    """Ten answers from twenty households: the half-width shrinks by sqrt((20-10)/19)."""
    # fpc = sqrt(10 / 19) = 0.725476; half = 0.457106 * 0.725476 = 0.331619
    # centre 0.153846 -> [-0.177773, 0.485465]
    interval = nps(TEN).ci(population=20)
    assert pytest.approx(-17.777, abs=1e-3) == interval.low
    assert pytest.approx(48.547, abs=1e-3) == interval.high


def test_a_census_has_no_sampling_error() -> None:
    """Every household answered: the interval is the score itself."""
    assert Interval(20.0, 20.0, 0.95, "adjusted-wald") == nps(TEN).ci(population=10)


def test_nps_reasons_cite_the_source() -> None:
    """The score explains its bands (001 §2.2)."""
    (reason,) = nps(TEN).reasons
    assert reason.source == "001 §2.2"
    assert reason.facts == {"promoters": 5, "passives": 2, "detractors": 3, "n": 10}


def test_nps_accepts_any_iterable_and_bytes() -> None:
    """Generators, tuples and compact byte vectors count the same."""
    expected = nps(TEN)
    assert expected == nps(x for x in TEN)
    assert expected == nps(tuple(TEN))
    assert expected == nps(bytes(TEN))
    assert expected == nps(bytearray(TEN))


# --- NPS: bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        (11, "got 11"),
        (-1, "got -1"),
        (300, "got 300"),
        (3.5, "got 3.5"),
        (9.0, "got 9.0; answers are whole numbers"),
        (float("nan"), "got nan; leave a missing answer out"),
        (True, "got True; True and False are not answers"),
        ("9", "got '9'"),
        (None, "got None"),
    ],
)
def test_a_bad_answer_is_named_by_position(bad: object, shown: str) -> None:
    """The first bad answer is reported with its index and how to fix it."""
    with pytest.raises(ValidationError, match=r"^scores\[3\]: expected an integer answer") as e:
        nps([10, 9, 0, bad, 11])
    assert shown in str(e.value)
    assert e.value.field == "scores[3]"


def test_a_bad_byte_is_named_by_position() -> None:
    """A byte vector is validated too."""
    with pytest.raises(ValidationError, match=r"scores\[1\]: .* got 11"):
        nps(b"\x0a\x0b")


def test_no_answers_is_an_explicit_no_data_error() -> None:
    """No answers: a NoDataError, never ZeroDivisionError or NaN."""
    with pytest.raises(NoDataError, match="no answers"):
        nps([])
    with pytest.raises(NoDataError):
        NpsResult(0, 0, 0)


def test_no_data_error_is_a_validation_error() -> None:
    """Callers catching ValidationError also catch 'no data'."""
    assert issubclass(NoDataError, ValidationError)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, True, "0.95", None])
def test_a_bad_level_is_refused(level: object) -> None:
    """A confidence level is a number strictly between 0 and 1."""
    with pytest.raises(ValidationError, match="^level: expected a confidence level"):
        nps(TEN).ci(level)  # type: ignore[arg-type]


def test_a_bad_method_is_refused() -> None:
    """Only the documented interval methods exist."""
    with pytest.raises(ValidationError, match="method: expected 'adjusted-wald' or 'wald'"):
        nps(TEN).ci(method="exact")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="method: expected 'wilson' or 'agresti-coull'"):
        csat([5]).ci(method="wald")  # type: ignore[arg-type]


@pytest.mark.parametrize("population", [9, -1, 10.5, True, "20"])
def test_a_bad_population_is_refused(population: object) -> None:
    """The population is an integer no smaller than the sample."""
    with pytest.raises(ValidationError, match="^population: expected an integer >= the sample"):
        nps(TEN).ci(population=population)  # type: ignore[arg-type]


# --- NPS: properties and coverage ---------------------------------------------------------------


@given(nps_answers())
def test_nps_matches_its_definition(answers: list[int]) -> None:
    """score = 100 * (#9-10 - #0-6) / n, for any answers."""
    result = nps(answers)
    promoters = sum(a >= 9 for a in answers)
    detractors = sum(a <= 6 for a in answers)
    assert len(answers) == result.n
    assert pytest.approx(100 * (promoters - detractors) / len(answers)) == result.score


@given(nps_answers(), st.sampled_from(["adjusted-wald", "wald"]), st.sampled_from([0.8, 0.95]))
def test_nps_interval_is_ordered_and_on_the_scale(answers: list[int], method, level) -> None:  # type: ignore[no-untyped-def]
    """-100 <= low <= high <= 100; a finite population never widens it."""
    result = nps(answers)
    interval = result.ci(level, method)
    assert -100 <= interval.low <= interval.high <= 100
    corrected = result.ci(level, method, population=result.n + 5)
    assert corrected.width <= interval.width + 1e-9


def test_adjusted_wald_covers_the_true_nps() -> None:
    """Of 2,000 samples of n = 30, 93-97 % of the 95 % intervals cover the true NPS."""
    # Answers 10 / 8 / 3 with probabilities 0.5 / 0.3 / 0.2: true NPS = 50 - 20 = 30.
    rng = random.Random(20250315)
    covered = sum(
        30 in nps(rng.choices((10, 8, 3), weights=(5, 3, 2), k=30)).ci() for _ in range(2000)
    )
    assert 0.93 <= covered / 2000 <= 0.97


# --- CSAT -------------------------------------------------------------------------------------


def test_csat_is_top_two_box() -> None:
    """Ratings 4 and 5 of 1-5 count as satisfied."""
    result = csat([5, 4, 4, 3, 1])
    assert (result.satisfied, result.n, result.rate) == (3, 5, 0.6)
    assert result.counts == (1, 0, 1, 2, 1)
    # (5 + 4 + 4 + 3 + 1) / 5 = 3.4
    assert pytest.approx(3.4) == result.mean


def test_wilson_interval_by_hand() -> None:
    """Wilson: centre (p + z²/2n)/(1 + z²/n), half z/(1 + z²/n)·sqrt(p(1-p)/n + z²/4n²)."""
    # x = 3, n = 5, p = 0.6, z² = 3.841459; denom = 1.768292
    # centre = (0.6 + 0.384146) / 1.768292 = 0.556549
    # half = 1.959964 / 1.768292 * sqrt(0.048 + 0.038415) = 1.108392 * 0.293964 = 0.325827
    interval = csat([5, 4, 4, 3, 1]).ci()
    assert pytest.approx(0.230722, abs=1e-5) == interval.low
    assert pytest.approx(0.882376, abs=1e-5) == interval.high


def test_agresti_coull_interval_by_hand() -> None:
    """Agresti-Coull: add z²/2 successes and failures, then a Wald interval."""
    # n~ = 5 + 3.841459 = 8.841459; p~ = (3 + 1.920730) / 8.841459 = 0.556549
    # half = 1.959964 * sqrt(0.556549 * 0.443451 / 8.841459) = 1.959964 * 0.167076 = 0.327463
    interval = csat([5, 4, 4, 3, 1]).ci(method="agresti-coull")
    assert pytest.approx(0.229086, abs=1e-5) == interval.low
    assert pytest.approx(0.884012, abs=1e-5) == interval.high


def test_csat_threshold_comes_from_the_policy() -> None:
    """Top-box only when the satisfaction slice's satisfied_from is 5: one 5 of five ratings."""
    assert csat([5, 4, 4, 3, 1], policy=SatisfactionPolicy(satisfied_from=5)).rate == 0.2


def test_csat_takes_the_root_policy() -> None:
    """A company file's satisfaction.satisfied_from = 5 reaches csat through the root policy."""
    policy = Policy.from_toml("[satisfaction]\nsatisfied_from = 5\n")
    assert csat([5, 5, 4, 3], policy=policy).satisfied == 2


def test_csat_refuses_another_slice() -> None:
    """A slice of another capability is a one-line error naming policy.satisfaction."""
    with pytest.raises(
        ValidationError, match=r"expected a SatisfactionPolicy.*policy\.satisfaction"
    ):
        csat([5, 4], policy=Policy().grading)


def test_csat_census_and_bad_input() -> None:
    """A census gives the rate; bad ratings are named by position; none is no data."""
    assert Interval(0.6, 0.6, 0.95, "wilson") == csat([5, 4, 4, 3, 1]).ci(population=5)
    with pytest.raises(ValidationError, match=r"^ratings\[2\]: expected an integer answer from 1"):
        csat([5, 4, 0])
    with pytest.raises(ValidationError, match=r"ratings\[0\]: .* got 6"):
        csat([6])
    with pytest.raises(NoDataError):
        csat([])


def test_csat_result_checks_its_counts() -> None:
    """Counts are five non-negative integers."""
    with pytest.raises(ValidationError, match="counts: expected five counts"):
        CsatResult((1, 2, 3))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="counts"):
        CsatResult((1, -1, 0, 0, 0))


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=100))
def test_wilson_interval_contains_the_observed_rate(ratings: list[int]) -> None:
    """A Wilson interval always contains the observed rate and stays in [0, 1]."""
    result = csat(ratings)
    interval = result.ci()
    assert 0 <= interval.low <= result.rate <= interval.high <= 1


@pytest.mark.parametrize("rating", [1, 5])
def test_wilson_interval_of_a_unanimous_sample_reaches_its_rate(rating: int) -> None:
    """All-1 or all-5 samples: the bound at the observed rate is exactly 0 or 1."""
    result = csat([rating] * 13)  # n = 13 rounded both bounds off the rate before
    interval = result.ci()
    assert interval.low <= result.rate <= interval.high
    assert (interval.low == 0.0) if rating == 1 else (interval.high == 1.0)


def test_wilson_covers_the_true_rate() -> None:
    """Of 2,000 samples of n = 30, 93-97 % of the 95 % intervals cover the true rate."""
    # Ratings 5 / 4 / 3 / 2 with probabilities 0.35 / 0.35 / 0.2 / 0.1: true rate 0.7.
    rng = random.Random(7)
    covered = sum(
        0.7 in csat(rng.choices((5, 4, 3, 2), weights=(35, 35, 20, 10), k=30)).ci()
        for _ in range(2000)
    )
    assert 0.93 <= covered / 2000 <= 0.97


def test_interval_helpers() -> None:
    """Width, membership and unpacking as (low, high)."""
    interval = Interval(-10.0, 30.0, 0.95, "wald")
    assert interval.width == 40.0
    assert 0 in interval
    assert 31 not in interval
    low, high = interval
    assert (low, high) == (-10.0, 30.0)


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [
        (2.9712, 24.6153, "[2.97, 24.62]"),  # largest 24.6: 4 significant digits, 2 decimals
        (-30.326, 61.0952, "[-30.33, 61.10]"),
        (0.39676, 0.89224, "[0.3968, 0.8922]"),  # a rate: 4 decimals
        (0.004742, 0.017016, "[0.00474, 0.01702]"),  # largest 0.017: 5 decimals
        (100.0, 100.0, "[100.0, 100.0]"),
        (0.0, 0.0, "[0.00, 0.00]"),
    ],
)
def test_interval_prints_one_way(low: float, high: float, shown: str) -> None:
    """Four significant digits of the larger bound, the same decimals for both bounds."""
    assert str(Interval(low, high, 0.95, "wilson")) == shown


# --- comparing waves --------------------------------------------------------------------------


def test_independent_comparison_by_hand() -> None:
    """Two-sample z test on adjusted-Wald variances."""
    # before P/Pa/D = 10/10/10 (NPS 0), after 20/5/5 (NPS 50), n = 30 each, n' = 33.
    # before: p' = d' = 10.75/33 = 0.325758, centre 0, var = 0.651515 / 33 = 0.019743
    # after: p' = 20.75/33 = 0.628788, d' = 5.75/33 = 0.174242, centre 0.454545,
    #        var = (0.803030 - 0.206612) / 33 = 0.018073
    # se = sqrt(0.037816) = 0.194464; z = 0.454545 / 0.194464 = 2.337; p = 0.0194
    result = compare_nps(NpsResult(10, 10, 10), NpsResult(20, 5, 5))
    assert (result.before, result.after, result.difference) == (0.0, 50.0, 50.0)
    assert pytest.approx(19.4464, abs=1e-3) == result.se
    assert pytest.approx(2.3374, abs=1e-3) == result.z
    assert pytest.approx(0.01942, abs=1e-4) == result.p_value
    assert result.significant
    assert result.method == "independent"
    assert pytest.approx(45.4545 - 1.959964 * 19.4464, abs=1e-2) == result.interval.low


def test_comparison_accepts_answers_and_notices_no_change() -> None:
    """The same answers twice: difference 0, p = 1, not significant."""
    result = compare_nps(TEN, TEN)
    assert (result.difference, result.z, result.p_value) == (0.0, 0.0, 1.0)
    assert not result.significant
    assert "not significant" in result.reasons[0].message


def test_comparison_of_two_censuses_is_exact() -> None:
    """Both waves asked every household: any change is certain."""
    result = compare_nps(TEN, [10] * 10, population=10)
    assert (80.0, 0.0, math.inf, 0.0) == (result.difference, result.se, result.z, result.p_value)
    assert result.significant


def test_finite_population_narrows_the_comparison() -> None:
    """Surveying most of a community shrinks the standard error."""
    wide = compare_nps(TEN, [10] * 10)
    narrow = compare_nps(TEN, [10] * 10, population=15)
    assert narrow.se < wide.se


def test_paired_comparison_by_hand() -> None:
    """Paired: mean of per-household differences of +1/0/-1 contributions."""
    # bands before a +1, b -1, c 0, d -1; after a +1, b +1, c +1, d -1 (e answered once).
    # differences 0, 2, 1, 0: mean 0.75, sd = sqrt(2.75 / 3) = 0.957427,
    # se = 0.957427 / 2 = 0.478714, z = 1.566699, p = 0.1172
    before = {"a": 10, "b": 5, "c": 8, "d": 6}
    after = {"a": 10, "b": 9, "c": 9, "d": 6, "e": 10}
    result = compare_nps_paired(before, after)
    assert (
        result.before,
        result.after,
        result.difference,
        result.n_after,
    ) == (-25.0, 50.0, 75.0, 4)
    assert pytest.approx(47.8714, abs=1e-3) == result.se
    assert pytest.approx(1.5667, abs=1e-3) == result.z
    assert pytest.approx(0.1172, abs=1e-3) == result.p_value
    assert result.reasons[0].facts["unpaired"] == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"a": 3, "b": 3}, {"a": 10, "b": 10}),
        ({"a": 0, "b": 8, "c": 6}, {"a": 7, "b": 10, "c": 8}),
        ({"a": 9, "b": 9}, {"a": 10, "b": 10}),
    ],
)
def test_paired_comparison_without_variation_claims_nothing(
    before: dict[str, int], after: dict[str, int]
) -> None:
    """Every household moved alike: the spread cannot be estimated, so no test is reported."""
    with pytest.raises(NoDataError, match="paired differences show no variation to test"):
        compare_nps_paired(before, after)


def test_paired_census_without_variation_is_exact() -> None:
    """Both waves asked every household of the community: the change is the change itself."""
    result = compare_nps_paired({"a": 3, "b": 3}, {"a": 10, "b": 10}, population=2)
    assert (200.0, 0.0, math.inf, 0.0) == (result.difference, result.se, result.z, result.p_value)


def test_independent_comparison_of_tiny_constant_waves_is_not_certain() -> None:
    """Two households per wave, all alike: the adjusted-Wald variance keeps se above 0."""
    result = compare_nps([3, 3], [10, 10])
    assert result.se > 0
    assert result.p_value > 0
    assert result.interval.high - result.interval.low > 0


def test_paired_comparison_bad_input() -> None:
    """Bad answers are named by household; fewer than two pairs is no data."""
    with pytest.raises(ValidationError, match=r"^after\['b'\]: expected an integer answer"):
        compare_nps_paired({"a": 1, "b": 2}, {"a": 1, "b": 12})
    with pytest.raises(NoDataError, match="2\\+ households in both waves, got 1"):
        compare_nps_paired({"a": 1, "b": 2}, {"a": 1, "c": 2})


@pytest.mark.parametrize(("before", "after", "field"), [([1, 2], {"a": 3}, "before"),
                                                      ({"a": 3}, None, "after")])  # fmt: skip
def test_paired_comparison_needs_mappings(before: object, after: object, field: str) -> None:
    """Lists instead of household -> answer tables are a ValidationError naming the wave."""
    with pytest.raises(ValidationError, match=f"^{field}: expected a mapping of household id"):
        compare_nps_paired(before, after)  # type: ignore[arg-type]


def test_paired_comparison_accepts_household_ids_of_mixed_types() -> None:
    """Household ids need not be comparable with each other: pairing only matches them."""
    result = compare_nps_paired({1: 3, "a": 9, "b": 8}, {1: 10, "a": 9, "b": 3})
    # bands: 1 from -1 to +1 (+2), "a" +1 to +1 (0), "b" 0 to -1 (-1): mean +1/3
    assert result.n_before == 3
    assert pytest.approx(100 / 3) == result.difference


@pytest.mark.parametrize("scores", [None, 9, "910"])
def test_nps_needs_a_list_of_answers(scores: object) -> None:
    """None, a bare number or a string is refused as a whole, not as a TypeError."""
    with pytest.raises(ValidationError, match="^scores: expected a list of integer answers"):
        nps(scores)  # type: ignore[arg-type]


def test_independent_comparison_false_positive_rate() -> None:
    """Two samples from one distribution are 'significant' about 5 % of the time."""
    rng = random.Random(11)
    weights = (5, 3, 2)
    rejected = sum(
        compare_nps(
            rng.choices((10, 8, 3), weights=weights, k=100),
            rng.choices((10, 8, 3), weights=weights, k=100),
        ).significant
        for _ in range(1000)
    )
    assert 0.025 <= rejected / 1000 <= 0.075


def test_paired_comparison_false_positive_rate() -> None:
    """Households answering at random in both waves: about 5 % false alarms."""
    rng = random.Random(12)
    homes = [f"H-{i}" for i in range(60)]

    def wave() -> dict[str, int]:
        return dict(zip(homes, rng.choices((10, 8, 3), weights=(5, 3, 2), k=60), strict=True))

    rejected = sum(compare_nps_paired(wave(), wave()).significant for _ in range(500))
    assert 0.02 <= rejected / 500 <= 0.08


# --- the dimension index ----------------------------------------------------------------------


def test_index_by_hand() -> None:
    """Ratings map to (r - 1) * 25; each respondent's index is their weighted mean."""
    # respondent 1: 5, 4, 4, 3 -> 100, 75, 75, 50 -> 75
    # respondent 2: 4, 4, 3, 2 -> 75, 75, 50, 25 -> 56.25
    # overall 65.625; sd = |75 - 56.25| / sqrt(2) = 13.258252; se = 9.375
    index = SatisfactionIndex.compute(
        [
            {"security": 5, "cleaning": 4, "greening": 4, "engineering": 3},
            {"security": 4, "cleaning": 4, "greening": 3, "engineering": 2},
        ]
    )
    assert (index.overall, index.n, index.excluded) == (65.625, 2, 0)
    assert pytest.approx(9.375) == index.se
    security = index.score("security")
    assert (security.score, security.n, security.satisfied) == (87.5, 2, 2)
    assert [d.dimension for d in index.dimensions] == [
        "security",
        "cleaning",
        "greening",
        "engineering",
    ]
    # 65.625 ± 1.959964 * 9.375 = [47.25, 84.00]
    interval = index.ci()
    assert pytest.approx(47.2497, abs=1e-3) == interval.low


def test_skipped_dimensions_renormalise_the_weights() -> None:
    """A skipped dimension is left out of that respondent's index, not scored as 0."""
    dimensions = {
        "security": SurveyDimension("安保", 5),
        "cleaning": SurveyDimension("清洁", 3),
        "greening": SurveyDimension("绿化", 2),
        "value_added": SurveyDimension("增值服务", 0),
    }
    policy = SatisfactionPolicy(dimensions=dimensions, min_answered_dimensions=2)
    # relative weights 5, 3, 2, 0 are 0.5, 0.3, 0.2, 0 of 10;
    # security 5 (100) and cleaning 3 (50), greening skipped, value-added weighs 0:
    # (0.5*100 + 0.3*50) / 0.8 = 81.25
    index = SatisfactionIndex.compute(
        [{"security": 5, "cleaning": 3, "greening": None, "value_added": 1}], policy=policy
    )
    assert index.overall == 81.25
    assert index.sd == 0.0


def test_too_few_dimensions_excludes_a_respondent() -> None:
    """Rating fewer than min_answered_dimensions leaves a respondent out of the overall index."""
    rows = [
        {"security": 5, "cleaning": 5, "greening": 5, "engineering": 5},
        {"security": 1},
    ]
    index = SatisfactionIndex.compute(rows)
    assert (index.overall, index.n, index.excluded) == (100.0, 1, 1)
    assert index.score("security").score == 50.0  # still counts for its dimension
    with pytest.raises(NoDataError, match="at least 2 respondents"):
        index.ci()
    with pytest.raises(NoDataError, match="nobody rated 'value_added'"):
        index.score("value_added")


def test_an_index_with_nobody_qualifying_is_no_data() -> None:
    """No respondent rated enough dimensions: explicit no data."""
    with pytest.raises(NoDataError, match="no respondent rated 4 or more"):
        SatisfactionIndex.compute([{"security": 5}])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"cleaning": 6}, r"responses\[0\]\.cleaning: expected an integer answer from 1 to 5"),
        ({"cleaning": 4.5}, r"responses\[0\]\.cleaning: .*got 4\.5"),
        ({"parking": 4}, r"responses\[0\]: expected a survey dimension from security, cleaning"),
        ({"light": 4}, r"responses\[0\]: .*switch it on with satisfaction\.dimensions\.light"),
        ([4, 5], r"responses\[0\]: expected a mapping"),
    ],
)
def test_index_bad_input_is_named(row: object, message: str) -> None:
    """Bad ratings and unknown dimensions are named by respondent and dimension."""
    with pytest.raises(ValidationError, match=message):
        SatisfactionIndex.compute([row])  # type: ignore[list-item]


@given(
    st.lists(
        st.dictionaries(st.sampled_from(CORE), st.integers(1, 5), min_size=4),
        min_size=1,
        max_size=30,
    )
)
def test_index_stays_on_the_scale(rows: list[dict[str, int]]) -> None:
    """Every score and the overall index lie in [0, 100]; n + excluded = respondents."""
    index = SatisfactionIndex.compute(rows)
    assert 0 <= index.overall <= 100
    assert all(0 <= d.score <= 100 for d in index.dimensions)
    assert len(rows) == index.n + index.excluded


# --- the policy -------------------------------------------------------------------------------


def test_default_policy_follows_the_rules() -> None:
    """RULES §7 and Decisions: problems resolved 95 %, in time 95 %, repeats < 10 %."""
    policy = SatisfactionPolicy()
    assert policy.targets == {
        "overall_satisfaction": 0.85,
        "loyalty": 0.85,
        "complaint_resolution_satisfaction": 0.90,
        "response_timeliness": 0.95,
        "complaint_handling_timeliness": 1.0,
        "callback_handling_rate": 1.0,
        "complaint_rate": 0.01,
        "problem_resolution_rate": 0.95,
        "problem_resolution_timeliness": 0.95,
        "repeat_complaint_rate": 0.10,
    }
    assert policy.confidence == 0.95


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dimensions": {}}, "dimensions: expected a table"),
        (
            {
                "dimensions": {
                    "security": SurveyDimension("安保", 1),
                    "cleaning": SurveyDimension("清洁", 1),
                }
            },
            "min_answered_dimensions: expected at most 2",
        ),
        ({"min_answered_dimensions": 0}, "min_answered_dimensions: expected an integer >= 1"),
        ({"targets": {"nps": 120}}, "targets.nps: expected a target from -100 to 100"),
        ({"targets": {"loyalty": 85}}, "targets.loyalty: .*write 0.85 for 85 %"),
        ({"targets": {"loyalty": False}}, "targets.loyalty: expected a target"),
        ({"targets": {"happiness": 0.9}}, "targets: expected KPI names"),
        ({"targets": [0.9]}, "targets: expected a table"),
        ({"confidence": 1.0}, "confidence: expected a number"),
        ({"satisfied_from": 1}, "satisfied_from: expected an integer from 2 to 5"),
        ({"loyal_from": 11}, "loyal_from: expected an integer from 1 to 10"),
    ],
)
def test_policy_constructed_directly_refuses_bad_values(
    kwargs: dict[str, object], message: str
) -> None:
    """Every threshold is validated when the policy is built in code."""
    with pytest.raises(ValidationError, match=message):
        SatisfactionPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_file_with_a_negative_weight_names_the_path() -> None:
    """A negative weight is a PolicyError at satisfaction.dimensions.<name>.weight."""
    text = '[satisfaction.dimensions.parking]\ntitle = "停车 parking"\nweight = -1\n'
    with pytest.raises(PolicyError) as info:
        Policy.from_toml(text)
    (problem,) = info.value.problems
    assert problem.path == "satisfaction.dimensions.parking.weight"
    assert problem.message.startswith("expected a relative weight >= 0")


def test_policy_file_sets_targets_and_dimensions() -> None:
    """A file changes only what it names: security weighs 3 beside six 1s and a new 1.

    The seven 001 §2.1 dimensions stay switched on at weight 1 except security
    (3); the company's own parking dimension weighs 1 by default. The sum is
    3 + 6 + 1 = 10, so security weighs 0.3 and every other dimension 0.1.
    """
    text = (
        "[satisfaction]\nconfidence = 0.9\nmin_answered_dimensions = 1\n"
        '[satisfaction.dimensions.security]\ntitle = "安保"\nweight = 3\n'
        '[satisfaction.dimensions.parking]\ntitle = "停车"\n'
        "[satisfaction.targets]\nnps = 30\n"
    )
    policy = Policy.from_toml(text).satisfaction
    assert (policy.confidence, policy.targets["nps"], policy.targets["loyalty"]) == (
        0.9,
        30.0,
        0.85,
    )
    assert policy.weight("security") == pytest.approx(0.3)
    assert policy.weight("parking") == pytest.approx(0.1)
    assert policy.weight("greening") == pytest.approx(0.1)
    assert policy.weight("light") == 0.0  # 002 §45's dimensions stay switched off


@given(satisfaction_policies())
def test_satisfaction_policy_round_trips(policy: SatisfactionPolicy) -> None:
    """dump -> load through TOML gives the same sub-policy."""
    assert policy == Policy.from_toml(Policy(satisfaction=policy).to_toml()).satisfaction


# --- records ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"recommend": 11}, "recommend: expected an integer answer from 0 to 10, got 11"),
        ({"recommend": float("nan")}, "recommend: .*NaN"),
        ({"overall": 0}, "overall: expected an integer answer from 1 to 5"),
        ({"ratings": {"cleaning": 7}}, r"ratings\.cleaning: expected an integer answer"),
        ({"ratings": {"": 3}}, "ratings: expected dimension names such as 'cleaning'"),
        ({"tier": None}, "tier: expected a tier label"),
        ({"household_id": " "}, "household_id: expected a non-empty string"),
        ({"answered_on": datetime(2025, 3, 1)}, "answered_on: expected a datetime.date"),
    ],
)
def test_survey_response_refuses_bad_values(kwargs: dict[str, object], message: str) -> None:
    """A response is checked when it is made, naming the field."""
    base: dict[str, object] = {"household_id": "H-1", "community": "Lakeside", "answered_on": DAY}
    with pytest.raises(ValidationError, match=message):
        SurveyResponse(**{**base, **kwargs})  # type: ignore[arg-type]


def test_survey_response_drops_skipped_ratings() -> None:
    """A None rating is a skipped dimension; values name dimensions."""
    response = SurveyResponse("H-1", "Lakeside", DAY, ratings={"cleaning": 4, "greening": None})
    assert response.ratings == {"cleaning": 4}


def test_figures_and_attainments_refuse_inconsistent_counts() -> None:
    """met <= total, repeats <= complaints, attainments typed."""
    with pytest.raises(ValidationError, match=r"met: expected at most total \(3\), got 4"):
        Attainment(4, 3)
    with pytest.raises(ValidationError, match="repeat_complaints: expected at most complaints"):
        ServiceFigures("Lakeside", DAY, complaints=1, repeat_complaints=2)
    with pytest.raises(ValidationError, match="response_timeliness: expected an Attainment"):
        ServiceFigures("Lakeside", DAY, response_timeliness=(1, 2))  # type: ignore[arg-type]
    assert Attainment(3, 5) == Attainment(1, 2) + Attainment(2, 3)


# --- the KPI scorecard ------------------------------------------------------------------------


def _responses(community: str, n: int, *, satisfied: int, loyal: int) -> list[SurveyResponse]:
    """n responses: the first `satisfied` rate overall 5 (else 2), the first `loyal` 9 (else 5)."""
    return [
        SurveyResponse(
            f"{community}-{i}",
            community,
            DAY,
            tier="A" if i % 2 else "C",
            recommend=9 if i < loyal else 5,
            overall=5 if i < satisfied else 2,
            ratings=dict.fromkeys(CORE, 4),
        )
        for i in range(n)
    ]


def _figures(community: str, **kwargs: object) -> ServiceFigures:
    return ServiceFigures(community, DAY, **kwargs)  # type: ignore[arg-type]


def test_scorecard_targets_follow_the_rules() -> None:
    """Each indicator against its target (002 Dongke KPI; 000 §3.2; 002 回访制度)."""
    figures = _figures(
        "Lakeside",
        households=1000,
        complaints=10,
        repeat_complaints=2,
        response_timeliness=Attainment(19, 20),  # 95 %: meets >= 95 %
        complaint_handling_timeliness=Attainment(9, 10),  # 90 %: misses 100 %
        complaint_resolution_satisfaction=Attainment(9, 10),  # 90 %: meets >= 90 %
        problem_resolution=Attainment(48, 50),  # 96 %: meets >= 95 % (Decision)
        callback_handling=Attainment(29, 30),  # 96.7 %: misses 100 %
    )
    responses = _responses("Lakeside", 20, satisfied=17, loyal=16)  # 85 % and 80 %
    group = KpiScorecard.build(responses, [figures]).group()
    statuses = {i.kpi: i.status for i in group.indicators}
    assert statuses == {
        Kpi.OVERALL_SATISFACTION: KpiStatus.MET,
        Kpi.SATISFACTION_INDEX: KpiStatus.NO_TARGET,
        Kpi.NPS: KpiStatus.NO_TARGET,
        Kpi.LOYALTY: KpiStatus.MISSED,
        Kpi.COMPLAINT_RESOLUTION_SATISFACTION: KpiStatus.MET,
        Kpi.RESPONSE_TIMELINESS: KpiStatus.MET,
        Kpi.PROBLEM_RESOLUTION_RATE: KpiStatus.MET,
        Kpi.PROBLEM_RESOLUTION_TIMELINESS: KpiStatus.NO_DATA,
        Kpi.COMPLAINT_HANDLING_TIMELINESS: KpiStatus.MISSED,
        Kpi.CALLBACK_HANDLING_RATE: KpiStatus.MISSED,
        Kpi.COMPLAINT_RATE: KpiStatus.MISSED,  # 10 / 1000 = 1 %, not below 1 %
        Kpi.REPEAT_COMPLAINT_RATE: KpiStatus.MISSED,  # 2 / 10 = 20 %, not below 10 %
    }
    missed = {i.kpi for i in group.missed}
    assert missed == {
        Kpi.LOYALTY,
        Kpi.COMPLAINT_HANDLING_TIMELINESS,
        Kpi.CALLBACK_HANDLING_RATE,
        Kpi.COMPLAINT_RATE,
        Kpi.REPEAT_COMPLAINT_RATE,
    }


@pytest.mark.parametrize(("resolved", "status"), [(19, KpiStatus.MET), (18, KpiStatus.MISSED)])
def test_problem_resolution_rate_must_reach_95_percent(resolved: int, status: KpiStatus) -> None:
    """Decision: 19 of 20 problems resolved (95 %) meets >= 95 %; 18 of 20 (90 %) misses."""
    figures = _figures("Lakeside", problem_resolution=Attainment(resolved, 20))
    found = KpiScorecard.build([], [figures]).group()[Kpi.PROBLEM_RESOLUTION_RATE]
    assert (found.n, found.target, found.status) == (20, 0.95, status)
    assert found.reason.source == "001 §2.2; Decision"


@pytest.mark.parametrize(("in_time", "status"), [(38, KpiStatus.MET), (37, KpiStatus.MISSED)])
def test_problem_resolution_timeliness_must_reach_95_percent(
    in_time: int, status: KpiStatus
) -> None:
    """Decision: 38 of 40 resolved in time (95 %) meets >= 95 %; 37 of 40 (92.5 %) misses."""
    figures = _figures("Lakeside", problem_resolution_timeliness=Attainment(in_time, 40))
    found = KpiScorecard.build([], [figures]).group()[Kpi.PROBLEM_RESOLUTION_TIMELINESS]
    assert (found.n, found.target, found.status) == (40, 0.95, status)
    assert found.interval is not None


@pytest.mark.parametrize(("repeats", "status"), [(4, KpiStatus.MET), (5, KpiStatus.MISSED)])
def test_repeat_complaint_rate_must_stay_below_10_percent(repeats: int, status: KpiStatus) -> None:
    """Decision: 4 repeats of 50 complaints (8 %) meets < 10 %; 5 of 50 (exactly 10 %) misses."""
    figures = _figures("Lakeside", households=1000, complaints=50, repeat_complaints=repeats)
    found = KpiScorecard.build([], [figures]).group()[Kpi.REPEAT_COMPLAINT_RATE]
    assert (found.n, found.target, found.status) == (50, 0.10, status)
    assert found.reason.source == "001 §2.2; Decision"


def test_scorecard_indicator_values_and_intervals() -> None:
    """Every rate carries its count and a Wilson interval, NPS an adjusted-Wald one."""
    figures = _figures("Lakeside", households=1000, complaints=9, repeat_complaints=3)
    group = KpiScorecard.build(
        _responses("Lakeside", 20, satisfied=17, loyal=16), [figures]
    ).group()
    overall = group[Kpi.OVERALL_SATISFACTION]
    assert (overall.value, overall.n, overall.target, overall.passed) == (0.85, 20, 0.85, True)
    assert overall.interval is not None
    assert overall.interval.method == "wilson"
    assert overall.reason.source == "002 Dongke KPI"
    assert "meets the target >= 85.0%" in overall.reason.message
    rate = group[Kpi.COMPLAINT_RATE]
    assert (rate.value, rate.n, rate.count, rate.status) == (0.009, 1000, 9, KpiStatus.MET)
    # Poisson score, x = 9 complaints per n = 1000 households, z² = 3.841459:
    # centre = (9 + 1.920730) / 1000 = 0.010921; half = 1.959964 * sqrt(9.960365) / 1000
    # = 0.006186 -> [0.004735, 0.017106]
    assert rate.interval is not None
    assert rate.interval.method == "poisson-score"
    assert pytest.approx(0.004735, abs=1e-5) == rate.interval.low
    assert pytest.approx(0.017106, abs=1e-5) == rate.interval.high
    assert "(9 of 1000, 95% CI [0.00474, 0.01711])" in rate.reason.message
    repeat = group[Kpi.REPEAT_COMPLAINT_RATE]
    # 3 of 9 complaints repeat (33 %): misses the Decision target < 10 %
    assert (pytest.approx(1 / 3), 9, False) == (repeat.value, repeat.n, repeat.passed)
    # 16 promoters (9), 4 detractors (5): NPS = 60
    assert group[Kpi.NPS].value == 60.0
    assert group[Kpi.SATISFACTION_INDEX].value == 75.0  # every dimension rated 4
    assert group.index is not None


def test_scorecard_reports_missing_data_explicitly() -> None:
    """A group without survey answers or figures says 'no data', never NaN."""
    group = KpiScorecard.build([], [_figures("Lakeside", households=10)]).group()
    nps_indicator = group[Kpi.NPS]
    assert (
        nps_indicator.status,
        nps_indicator.value,
        nps_indicator.n,
        nps_indicator.passed,
    ) == (KpiStatus.NO_DATA, None, 0, None)
    assert group[Kpi.RESPONSE_TIMELINESS].status == KpiStatus.NO_DATA
    assert group[Kpi.SATISFACTION_INDEX].status == KpiStatus.NO_DATA
    assert "no data" in group[Kpi.LOYALTY].reason.message


def test_scorecard_groups_by_community_tier_month_and_quarter() -> None:
    """Keys read 'community', 'A', '2025-03', '2025-Q1'."""
    responses = _responses("Lakeside", 4, satisfied=4, loyal=4) + _responses(
        "Garden Court", 2, satisfied=0, loyal=0
    )
    card = KpiScorecard.build(responses, by=(GroupBy.COMMUNITY, GroupBy.TIER, GroupBy.MONTH))
    assert [g.key for g in card.groups] == [
        ("Garden Court", "A", "2025-03"),
        ("Garden Court", "C", "2025-03"),
        ("Lakeside", "A", "2025-03"),
        ("Lakeside", "C", "2025-03"),
    ]
    quarterly = KpiScorecard.build(responses, by=GroupBy.QUARTER)
    assert [g.key for g in quarterly.groups] == [("2025-Q1",)]
    assert quarterly.group("2025-Q1")[Kpi.NPS].n == 6
    single = KpiScorecard.build(responses, by=GroupBy.COMMUNITY)
    assert single.group("Lakeside")[Kpi.OVERALL_SATISFACTION].value == 1.0


def test_scorecard_lookups_and_bad_grouping() -> None:
    """An unknown group is a NotFoundError; a KPI given as text or a bad 'by' a ValidationError."""
    card = KpiScorecard.build(_responses("Lakeside", 2, satisfied=1, loyal=1), by=GroupBy.COMMUNITY)
    with pytest.raises(
        NotFoundError, match=r"no group \('Atlantis',\); the groups are \('Lakeside',\)"
    ):
        card.group("Atlantis")
    with pytest.raises(ValidationError, match="kpi: expected a Kpi, got 'nps'"):
        card.group("Lakeside")["nps"]  # type: ignore[index]
    with pytest.raises(ValidationError, match="by: expected GroupBy members"):
        KpiScorecard.build([], by=("community",))  # type: ignore[arg-type]


def test_scorecard_uses_the_policy() -> None:
    """Targets and the loyalty threshold come from the policy."""
    policy = SatisfactionPolicy(loyal_from=5, targets={"nps": 50.0})
    group = KpiScorecard.build(
        _responses("Lakeside", 10, satisfied=5, loyal=5), policy=policy
    ).group()
    assert group[Kpi.LOYALTY].value == 1.0  # answers 9 and 5 are both >= 5
    assert group[Kpi.LOYALTY].status == KpiStatus.NO_TARGET
    assert group[Kpi.NPS].status == KpiStatus.MISSED  # 5 promoters, 5 detractors: 0 < 50


@given(st.lists(survey_responses(), max_size=10), st.lists(service_figures(), max_size=4))
def test_grouping_partitions_the_records(
    responses: list[SurveyResponse], figures: list[ServiceFigures]
) -> None:
    """Grouped by community, the groups' counts add up to the ungrouped ones."""
    whole = KpiScorecard.build(responses, figures).groups
    parts = KpiScorecard.build(responses, figures, by=GroupBy.COMMUNITY).groups
    for kpi in (Kpi.NPS, Kpi.OVERALL_SATISFACTION, Kpi.COMPLAINT_RATE, Kpi.RESPONSE_TIMELINESS):
        total = sum(g[kpi].n for g in parts)
        assert total == (whole[0][kpi].n if whole else 0)
    for group in parts:
        for indicator in group.indicators:
            assert indicator.value is None or not math.isnan(indicator.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nps_answers(min_size=5, max_size=2),
        lambda: attainments(max_total=-1),
        lambda: survey_responses(communities=()),
        lambda: service_figures(communities=()),
    ],
)
def test_strategies_check_their_arguments(make) -> None:  # type: ignore[no-untyped-def]
    """Impossible strategy arguments fail at once with a ValidationError, not deep inside a run."""
    with pytest.raises(ValidationError):
        make()
