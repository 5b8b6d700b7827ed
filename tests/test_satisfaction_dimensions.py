"""Survey dimensions as policy data, the policy convention and the citations of the defaults."""

import re
from datetime import date

import pytest

import propcrm
from propcrm import Policy, ValidationError
from propcrm.satisfaction import (
    Kpi,
    KpiScorecard,
    SatisfactionIndex,
    SatisfactionPolicy,
    SurveyDimension,
    SurveyResponse,
)

DAY = date(2025, 3, 15)
CORE = ("security", "cleaning", "greening", "engineering", "service_centre",
        "community_culture", "value_added")  # fmt: skip
OPTIONAL = ("neighbour_relations", "signage", "house_quality", "layout", "light",
            "ventilation", "orientation")  # fmt: skip


def test_the_seven_of_001_are_on_with_weight_one() -> None:
    """001 §2.1: seven dimensions switched on, each relative weight 1, so each weighs 1/7."""
    policy = SatisfactionPolicy()
    assert policy.enabled == CORE
    assert all(policy.dimensions[n].weight == 1 for n in CORE)
    assert policy.weights == dict.fromkeys(CORE, 1 / 7)


def test_the_environment_dimensions_of_002_ship_switched_off() -> None:
    """002 §45: seven optional dimensions; greening is one dimension, shared with 001 §2.1."""
    dimensions = SatisfactionPolicy().dimensions
    assert tuple(dimensions) == CORE + OPTIONAL
    assert [dimensions[n].enabled for n in OPTIONAL] == [False] * 7
    assert {dimensions[n].source for n in OPTIONAL} == {"002 §45"}
    assert dimensions["greening"].source == "001 §2.1; 002 §45"


def test_switching_on_normalises_the_weights() -> None:
    """Light switched on: eight dimensions of weight 1 weigh 1/8 each."""
    policy = SatisfactionPolicy().switch_on("light")
    assert policy.weight("light") == 0.125
    assert policy.weight("security") == 0.125
    assert policy.weight("ventilation") == 0.0
    with pytest.raises(ValidationError, match="^names: expected a survey dimension from security"):
        policy.switch_on("parking")


def test_default_index_is_the_plain_mean_of_the_seven() -> None:
    """Equal weights: ratings 5, 4, 4, 3, 3, 2, 1 -> (100+75+75+50+50+25+0)/7 = 53.571."""
    row = dict(zip(CORE, (5, 4, 4, 3, 3, 2, 1), strict=True))
    assert pytest.approx(375 / 7) == SatisfactionIndex.compute([row]).overall


def test_a_company_adds_a_dimension_with_a_relative_weight() -> None:
    """Parking at weight 2 beside security at 1 and cleaning at 1: 2/4 of the index."""
    policy = SatisfactionPolicy(
        dimensions={
            "security": SurveyDimension("安保"),
            "cleaning": SurveyDimension("清洁"),
            "parking": SurveyDimension("停车 parking", weight=2),
        },
        min_answered_dimensions=3,
    )
    # security 5 (100), cleaning 3 (50), parking 1 (0): (100 + 50 + 2 * 0) / 4 = 37.5
    index = SatisfactionIndex.compute([{"security": 5, "cleaning": 3, "parking": 1}], policy=policy)
    assert index.overall == 37.5
    assert [d.dimension for d in index.dimensions] == ["security", "cleaning", "parking"]


def test_a_company_retitles_a_dimension() -> None:
    """A title is what the questionnaire says; the name in the data stays."""
    dimensions = SatisfactionPolicy().dimensions
    dimensions["engineering"] = SurveyDimension("维修服务 repairs", source="001 §2.1")
    policy = SatisfactionPolicy(dimensions=dimensions)
    assert policy.dimensions["engineering"].title == "维修服务 repairs"
    assert policy.weights == SatisfactionPolicy().weights


@pytest.mark.parametrize(
    ("dimensions", "message"),
    [
        ({"security": SurveyDimension("安保", 0)}, "dimensions: expected at least one dimension"),
        ({"security": SurveyDimension("安保", 1, False)}, "dimensions: expected at least one"),
        (
            {"security": SurveyDimension("安保"), "safety": SurveyDimension("安保")},
            r"dimensions\.safety\.title: expected a title unique among the dimensions",
        ),
        ({"Parking": SurveyDimension("停车")}, "dimensions: expected dimension names in lower"),
        ({"security": 1}, r"dimensions\.security: expected a SurveyDimension"),
    ],
)
def test_dimensions_are_validated(dimensions: object, message: str) -> None:
    """One weighted dimension switched on, unique titles, lower-case names."""
    with pytest.raises(ValidationError, match=message):
        SatisfactionPolicy(dimensions=dimensions, min_answered_dimensions=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (True, "expected a number"),
        (float("nan"), "expected a number"),
        ("1", "expected a number"),
        (-1, "expected a relative weight >= 0, got -1; 0 keeps a dimension out of the index"),
    ],
)
def test_a_weight_is_a_finite_number_of_at_least_zero(weight: object, message: str) -> None:
    """True, NaN, text and negative numbers are not relative weights."""
    with pytest.raises(ValidationError, match=f"^weight: {message}"):
        SurveyDimension("停车", weight)  # type: ignore[arg-type]


def test_an_unknown_dimension_in_a_response_lists_the_known_ones() -> None:
    """The scorecard names the response and every dimension switched on."""
    responses = [SurveyResponse("H-1", "Lakeside", DAY, ratings={"parking": 4})]
    with pytest.raises(ValidationError) as info:
        KpiScorecard.build(responses)
    assert str(info.value) == (
        "responses[0].ratings: expected a survey dimension from security, cleaning, greening, "
        "engineering, service_centre, community_culture, value_added, got 'parking'; "
        "add it under satisfaction.dimensions"
    )


def test_a_switched_off_dimension_says_how_to_switch_it_on() -> None:
    """Ratings of light need light switched on; then they are scored."""
    responses = [SurveyResponse("H-1", "Lakeside", DAY, ratings={"light": 4})]
    with pytest.raises(ValidationError, match="satisfaction.dimensions.light.enabled = true"):
        KpiScorecard.build(responses)
    policy = SatisfactionPolicy(min_answered_dimensions=1).switch_on("light")
    group = KpiScorecard.build(responses, policy=policy).group()
    assert group[Kpi.SATISFACTION_INDEX].value == 75.0


# --- the policy convention ----------------------------------------------------------------------


def test_scorecard_takes_the_root_policy_or_its_slice() -> None:
    """policy= accepts the whole Policy, its satisfaction slice or None."""
    slice_ = SatisfactionPolicy(targets={"nps": 50.0})
    responses = [SurveyResponse("H-1", "Lakeside", DAY, recommend=9)]
    for policy in (Policy(satisfaction=slice_), slice_):
        assert KpiScorecard.build(responses, policy=policy).group()[Kpi.NPS].target == 50.0
    assert KpiScorecard.build(responses, policy=None).group()[Kpi.NPS].target is None


def test_a_wrong_policy_is_a_one_line_error() -> None:
    """A wrong slice: one short line naming policy.satisfaction."""
    with pytest.raises(ValidationError) as info:
        KpiScorecard.build([], policy=Policy().grading)
    message = str(info.value)
    assert len(message) < 300
    assert "\n" not in message
    assert "pass policy.satisfaction or the whole Policy" in message


def test_the_guide_imports_from_propcrm() -> None:
    """Everything the satisfaction guide uses is importable from propcrm."""
    for name in ("GroupBy", "Kpi", "KpiStatus", "Interval", "Attainment", "ServiceFigures",
                 "SurveyDimension", "compare_csat", "compare_kpi", "compare_rate"):  # fmt: skip
        assert getattr(propcrm, name) is getattr(propcrm.satisfaction, name)


# --- citations ---------------------------------------------------------------------------------

_CITABLE = re.compile(r"^(00[0-4] (§\d+(\.\d+)*|Dongke KPI|住宅区回访制度 一\.4)|Decision)$")
_HEADING_ONLY = {"002 §8", "002 §10", "003 §10"}


def test_every_default_cites_a_seed_article_or_decision() -> None:
    """Dimension and target sources are seed articles whose text states them, or Decision."""
    policy = SatisfactionPolicy()
    sources = [part for d in policy.dimensions.values() for part in d.source.split("; ")]
    group = KpiScorecard.build([SurveyResponse("H-1", "L", DAY)]).group()
    sources += [
        part
        for i in group.indicators
        if i.target is not None
        for part in i.reason.source.split("; ")
    ]
    assert {s for s in sources if not _CITABLE.fullmatch(s) or s in _HEADING_ONLY} == set()
    targeted = {i.kpi.value: i.reason.source for i in group.indicators if i.target is not None}
    assert targeted == {
        "overall_satisfaction": "002 Dongke KPI",
        "loyalty": "002 Dongke KPI",
        "complaint_resolution_satisfaction": "000 §3.2",
        "response_timeliness": "000 §3.2",
        "complaint_handling_timeliness": "002 Dongke KPI",
        "callback_handling_rate": "002 住宅区回访制度 一.4",
        "complaint_rate": "002 住宅区回访制度 一.4",
        "problem_resolution_rate": "001 §2.2; Decision",
        "problem_resolution_timeliness": "001 §2.2; Decision",
        "repeat_complaint_rate": "001 §2.2; Decision",
    }
