"""Life-stage segments at their age boundaries, with the reasons and facts they give.

RULES § 2 / 002 § 6, defaults (Decision): a child is under 18; an older single is
single, childless and aged 30 or more; an elder is aged 60 or more. Each decision
names its segment's rule, says why in words and lists the ages it used.
"""

from datetime import date

import pytest

from propcrm.customers import Household, Member, Relation, Segment, SegmentPolicy, segment
from propcrm.errors import ValidationError

ON = date(2025, 6, 1)


def born(years_before: int) -> date:
    """The birth date of someone who turns ``years_before`` exactly on ON."""
    return date(ON.year - years_before, ON.month, ON.day)


def test_a_child_turning_18_today_is_no_longer_a_child() -> None:
    """Under 18 means 17 at most: a couple whose only child turns 18 today is a mature family."""
    home = Household(
        "h1",
        [
            Member("父", born(45)),
            Member("母", born(44), Relation.SPOUSE),
            Member("子", born(18), Relation.CHILD),
        ],
    )
    decision = segment(home, on=ON)
    assert decision.segment is Segment.MATURE_FAMILY
    assert decision.reasons[0].message == "all 1 child(ren) are 18 or older"


def test_a_single_turning_30_today_is_an_older_single() -> None:
    """Aged 30 or more: the boundary day counts."""
    decision = segment(Household("h1", [Member("李", born(30))]), on=ON)
    assert decision.segment is Segment.OLDER_SINGLE
    reason = decision.reasons[0]
    assert reason.rule == "segment.older_single"
    assert reason.message == "single, no children, aged 30+"
    assert reason.facts == {
        "head_age": 30,
        "children": 0,
        "children_ages": [],
        "children_at_home": 0,
        "earners": 0,
    }


def test_a_single_aged_29_fits_no_rule() -> None:
    """Below 30 a single is not placed: UNCLASSIFIED, never a guess, with its own rule."""
    decision = segment(Household("h1", [Member("李", born(29))]), on=ON)
    assert decision.segment is Segment.UNCLASSIFIED
    reason = decision.reasons[0]
    assert (reason.rule, reason.message) == (
        "segment.unclassified",
        "no segment rule fits this household",
    )
    assert decision.on == ON


def test_elders_turning_60_today_are_an_empty_nest_as_a_couple() -> None:
    """Both aged 60 exactly, their child living elsewhere: empty nest, 'as a couple'."""
    home = Household(
        "h1",
        [
            Member("张伟", born(60)),
            Member("王芳", born(60), Relation.SPOUSE),
            Member("张磊", born(35), Relation.CHILD, resident=False),
        ],
    )
    decision = segment(home, on=ON)
    assert decision.segment is Segment.EMPTY_NEST
    reason = decision.reasons[0]
    assert reason.message == "elders aged 60+ living as a couple, children living elsewhere"
    assert reason.facts == {
        "head_age": 60,
        "spouse_age": 60,
        "children": 1,
        "children_ages": [35],
        "children_at_home": 0,
        "elders_active": False,
    }


def test_an_active_elder_alone_says_alone() -> None:
    """A flagged-active elder without a spouse: 'living alone, flagged active'."""
    home = Household("h1", [Member("张伟", born(70))], elders_active=True)
    decision = segment(home, on=ON)
    assert decision.segment is Segment.ACTIVE_ELDER
    assert decision.reasons[0].message == "elders aged 60+ living alone, flagged active"
    assert decision.reasons[0].facts["elders_active"] is True


@pytest.mark.parametrize(
    ("working", "expected", "message"),
    [
        ((True, True), Segment.DINK_TWO_EARNERS, "a childless couple, both working"),
        ((True, False), Segment.DINK_ONE_EARNER, "a childless couple, one of them working"),
    ],
)
def test_a_childless_couple_is_placed_by_its_earners(
    working: tuple[bool, bool], expected: Segment, message: str
) -> None:
    """DINK households: two earners or one, counted in the facts."""
    home = Household(
        "h1",
        [
            Member("陈", born(32), working=working[0]),
            Member("林", born(31), Relation.SPOUSE, working=working[1]),
        ],
    )
    decision = segment(home, on=ON)
    assert decision.segment is expected
    assert decision.reasons[0].message == message
    assert decision.reasons[0].facts["earners"] == sum(working)


def test_age_on_the_birth_date_is_zero() -> None:
    """A member is aged 0 on the day they are born; the day before is refused, naming 'on'."""
    baby = Member("宝宝", ON, Relation.CHILD)
    assert baby.age_on(ON) == 0
    with pytest.raises(ValidationError, match=r"^on: expected a day on or after the birth date"):
        baby.age_on(date(2025, 5, 31))


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ("张伟", "^members: expected a sequence of Member, got '张伟'"),
        ([1], r"^members: expected a sequence of Member, got \(1,\)"),
        (
            [Member("王芳", date(1990, 1, 1), Relation.SPOUSE)],
            r"^members: expected exactly one head \(户主\) and at most one spouse, "
            r"got '0 head\(s\) and 1 spouse\(s\)'; mark the customer as Relation.HEAD",
        ),
    ],
    ids=["text", "not-members", "no-head"],
)
def test_household_members_are_checked(members: object, message: str) -> None:
    """A household's members: a sequence of Member with one head; the message says how to fix."""
    with pytest.raises(ValidationError, match=message):
        Household("h1", members)  # type: ignore[arg-type]


def test_segment_names_a_bad_household_and_a_bad_day() -> None:
    """Both arguments are named in their errors."""
    with pytest.raises(ValidationError, match="^household: expected a Household, got 'h1'"):
        segment("h1", on=ON)  # type: ignore[arg-type]
    home = Household("h1", [Member("李", born(30))])
    with pytest.raises(ValidationError, match="^on: expected a datetime.date") as caught:
        segment(home, on="2025-06-01")  # type: ignore[arg-type]
    assert caught.value.field == "on"


def test_the_elder_age_must_exceed_the_child_age() -> None:
    """A policy whose elders could be children is refused, naming elder_min_age and its value."""
    with pytest.raises(
        ValidationError, match=r"^elder_min_age: expected an age above child_under \(18\), got 10"
    ):
        SegmentPolicy(elder_min_age=10)
