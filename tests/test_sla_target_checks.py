"""What a service level promises, checked at the boundary: allowances, targets, sets, overlays.

RULES § 5: targets are policy data, so a company's file is checked field by field and
every refusal names the field and what it expects. The shapes: business or wall time,
the close of a working day with a minimum lead (不过夜), and an agreed appointment with
grace. Sets apply by work-order kind, grade and tier; overlays adjust named targets for
tiers or property types and never the complaint resolution target.
"""

from datetime import timedelta

import pytest

from propcrm.complaints import Grade
from propcrm.customers import Tier
from propcrm.errors import ValidationError
from propcrm.sla import Allowance, AllowanceKind, EventKind, Overlay, SlaTarget, TargetSet

HOUR = timedelta(hours=1)
TEN_MINUTES = timedelta(minutes=10)


def refused(build: object) -> str:
    """The message of the ValidationError that calling ``build`` raises."""
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]
    return str(caught.value)


def dispatch(name: str = "dispatch") -> SlaTarget:
    return SlaTarget(name, EventKind.RECEIVED, EventKind.DISPATCHED, Allowance.business(HOUR))


# --- allowances -----------------------------------------------------------------------------


def test_an_allowance_kind_is_an_allowance_kind() -> None:
    """A plain 'business' string is refused by the field name."""
    assert refused(lambda: Allowance("business", HOUR)) == (  # type: ignore[arg-type]
        "kind: expected an AllowanceKind, got 'business'"
    )


def test_a_duration_is_a_timedelta() -> None:
    """3600 seconds as a number: the message asks for a timedelta."""
    assert refused(lambda: Allowance(AllowanceKind.BUSINESS, 3600)) == (  # type: ignore[arg-type]
        "duration: expected a datetime.timedelta, got 3600; e.g. timedelta(hours=8)"
    )


def test_a_timed_allowance_needs_a_positive_duration() -> None:
    """A business allowance of 0s allows nothing: refused."""
    assert refused(lambda: Allowance(AllowanceKind.BUSINESS)) == (
        "duration: expected a positive duration for a business allowance, got datetime.timedelta(0)"
    )


def test_a_close_of_day_allowance_has_no_duration() -> None:
    """Close of day with 1 h: the day's close sets the due moment, so no duration."""
    assert refused(lambda: Allowance(AllowanceKind.CLOSE_OF_DAY, HOUR)) == (
        "duration: expected no duration (0s) for a close_of_day allowance, "
        "got datetime.timedelta(seconds=3600)"
    )


def test_a_close_of_day_allowance_refuses_a_negative_duration() -> None:
    """Close of day with -1 h is refused too, with the same message."""
    message = refused(lambda: Allowance(AllowanceKind.CLOSE_OF_DAY, -HOUR))
    assert message.startswith("duration: expected no duration (0s) for a close_of_day allowance")


def test_working_days_belong_to_close_of_day_allowances() -> None:
    """A business allowance with days=1: 'days: expected 0 for a business allowance'."""
    assert refused(lambda: Allowance(AllowanceKind.BUSINESS, HOUR, days=1)) == (
        "days: expected 0 for a business allowance, got 1"
    )


def test_grace_belongs_to_appointment_allowances() -> None:
    """A wall allowance with 10 min grace is refused naming grace."""
    assert refused(lambda: Allowance(AllowanceKind.WALL, HOUR, grace=TEN_MINUTES)) == (
        "grace: expected 0s, or a duration >= 0 on an appointment allowance, "
        "got datetime.timedelta(seconds=600)"
    )


def test_an_appointment_grace_is_not_negative() -> None:
    """An appointment with -10 min grace is refused naming grace."""
    message = refused(lambda: Allowance.appointment(HOUR, grace=-TEN_MINUTES))
    assert message.startswith("grace: expected 0s, or a duration >= 0 on an appointment")


def test_a_lead_belongs_to_close_of_day_allowances() -> None:
    """A business allowance with a 1 h lead is refused naming lead."""
    assert refused(lambda: Allowance(AllowanceKind.BUSINESS, HOUR, lead=HOUR)) == (
        "lead: expected 0s, or a duration >= 0 on a close_of_day allowance, "
        "got datetime.timedelta(seconds=3600)"
    )


def test_the_shapes_build_the_allowance_they_name() -> None:
    """business, wall, same_day, working_days and appointment set kind and their one field."""
    assert Allowance.business(HOUR) == Allowance(AllowanceKind.BUSINESS, HOUR)
    assert Allowance.wall(3 * 24 * HOUR) == Allowance(AllowanceKind.WALL, timedelta(days=3))
    assert Allowance.same_day(2 * HOUR) == Allowance(AllowanceKind.CLOSE_OF_DAY, lead=2 * HOUR)
    assert Allowance.working_days(2) == Allowance(AllowanceKind.CLOSE_OF_DAY, days=2)
    assert Allowance.appointment(2 * HOUR, TEN_MINUTES) == Allowance(
        AllowanceKind.APPOINTMENT, 2 * HOUR, grace=TEN_MINUTES
    )


def test_boundary_allowances_are_accepted() -> None:
    """Zero lead on close of day and zero grace on an appointment are allowed."""
    assert Allowance.same_day(timedelta(0)).lead == timedelta(0)
    assert Allowance.appointment(HOUR, timedelta(0)).grace == timedelta(0)


# --- targets --------------------------------------------------------------------------------


def test_a_target_s_defaults() -> None:
    """On the desk calendar, no pauses, warnings at 50/75/90 %, no source."""
    target = dispatch()
    assert (target.calendar, target.pause_on, target.warnings, target.source) == (
        "desk",
        (),
        (0.5, 0.75, 0.9),
        "",
    )


def test_a_clock_cannot_start_on_resolution() -> None:
    """Start RESOLVED: the message lists the four events a clock may start on."""
    assert refused(
        lambda: SlaTarget("x", EventKind.RESOLVED, EventKind.CLOSED, Allowance.business(HOUR))
    ) == (
        "start: expected one of ['answered', 'arrived', 'dispatched', 'received'], "
        "got <EventKind.RESOLVED: 'resolved'>"
    )


def test_a_clock_cannot_stop_on_its_start() -> None:
    """Start and stop both DISPATCHED: the stop must come after the start."""
    assert refused(
        lambda: SlaTarget("x", EventKind.DISPATCHED, EventKind.DISPATCHED, Allowance.business(HOUR))
    ) == (
        "stop: expected a milestone event after the start event, "
        "got <EventKind.DISPATCHED: 'dispatched'>"
    )


def test_a_clock_cannot_stop_on_receipt() -> None:
    """Stop RECEIVED: receipt is always the first event, never a stop."""
    message = refused(
        lambda: SlaTarget("x", EventKind.ANSWERED, EventKind.RECEIVED, Allowance.business(HOUR))
    )
    assert message.startswith("stop: expected a milestone event after the start event")


def test_a_target_s_allowance_is_an_allowance() -> None:
    """An allowance given as a duration is refused naming allowance."""
    assert refused(
        lambda: SlaTarget("x", EventKind.RECEIVED, EventKind.DISPATCHED, HOUR)  # type: ignore[arg-type]
    ) == ("allowance: expected an Allowance, got datetime.timedelta(seconds=3600)")


@pytest.mark.parametrize(
    "warnings",
    [(0.9, 0.5), (0.5, 0.5), (0.5, 1.0), (0, 0.5), (True,)],
    ids=["descending", "repeated", "one", "zero", "bool"],
)
def test_warnings_are_ascending_fractions_strictly_inside_0_and_1(warnings: tuple[float]) -> None:
    """Descending, repeated, 1, 0 or a bool: refused with an example of good warnings."""
    message = refused(
        lambda: SlaTarget(
            "x",
            EventKind.RECEIVED,
            EventKind.DISPATCHED,
            Allowance.business(HOUR),
            warnings=warnings,
        )
    )
    assert message == (
        "warnings: expected ascending fractions strictly between 0 and 1, "
        f"got {warnings!r}; e.g. [0.5, 0.75, 0.9]"
    )


def test_pause_reasons_are_non_empty_names() -> None:
    """A blank pause reason is refused naming pause_on."""
    assert refused(
        lambda: SlaTarget(
            "x", EventKind.RECEIVED, EventKind.DISPATCHED, Allowance.business(HOUR), pause_on=[" "]
        )
    ) == ("pause_on: expected non-empty names, got (' ',)")


# --- target sets ----------------------------------------------------------------------------


def test_a_set_holds_targets_only() -> None:
    """A target name in place of a target: 'targets[0]: expected an SlaTarget'."""
    assert refused(lambda: TargetSet("s", ["dispatch"], kinds=["repair"])) == (
        "targets[0]: expected an SlaTarget, got 'dispatch'"
    )


def test_a_set_s_target_names_are_distinct() -> None:
    """Two 'dispatch' targets: the message lists the names."""
    assert refused(lambda: TargetSet("s", [dispatch(), dispatch()], kinds=["repair"])) == (
        "targets: expected targets with distinct names, got ['dispatch', 'dispatch']"
    )


def test_a_set_names_at_least_one_kind() -> None:
    """A set for no work-order kind applies to nothing: refused with an example."""
    assert refused(lambda: TargetSet("s", [dispatch()])) == (
        "kinds: expected at least one work-order kind, got (); e.g. ['repair.in_home']"
    )


def test_a_set_s_kinds_are_non_empty_names() -> None:
    """A blank kind is refused naming kinds."""
    assert refused(lambda: TargetSet("s", [dispatch()], kinds=[""])) == (
        "kinds: expected non-empty names, got ('',)"
    )


def test_a_set_s_grades_are_complaint_grades() -> None:
    """'urgent' is no grade: the message names its position and the four grades."""
    assert refused(lambda: TargetSet("s", kinds=["c"], grades=["hot", "urgent"])) == (
        "grades[1]: expected one of general, important, hot, major, got 'urgent'"
    )


def test_a_set_s_tiers_are_customer_tiers() -> None:
    """'E' is no tier: the message names its position and the four tiers."""
    assert refused(lambda: TargetSet("s", kinds=["c"], tiers=["E"])) == (
        "tiers[0]: expected one of A, B, C, D, got 'E'"
    )


def test_a_set_takes_grades_and_tiers_as_members_or_values() -> None:
    """Grade.HOT and Tier.A are kept as 'hot' and 'A'."""
    target_set = TargetSet("s", kinds=["c"], grades=[Grade.HOT], tiers=[Tier.A])
    assert (target_set.grades, target_set.tiers) == (("hot",), ("A",))


def test_a_set_applies_to_its_kinds_only() -> None:
    """A set for 'repair' does not apply to a 'complaint'."""
    target_set = TargetSet("s", kinds=["repair"])
    assert target_set.applies_to("repair", "general", "C")
    assert not target_set.applies_to("complaint", "general", "C")


def test_a_set_with_grades_applies_to_those_grades_only() -> None:
    """A set for HOT complaints: a HOT one yes, a general one no."""
    target_set = TargetSet("s", kinds=["complaint"], grades=["hot"])
    assert target_set.applies_to("complaint", "hot", "C")
    assert not target_set.applies_to("complaint", "general", "C")


def test_a_set_with_tiers_applies_to_those_tiers_only() -> None:
    """A set for tier A: an A customer yes, a C customer no."""
    target_set = TargetSet("s", kinds=["repair"], tiers=["A"])
    assert target_set.applies_to("repair", "general", "A")
    assert not target_set.applies_to("repair", "general", "C")


# --- overlays -------------------------------------------------------------------------------


def test_an_overlay_s_targets_are_a_table() -> None:
    """A list of names is no table of allowances: refused with an example."""
    assert refused(lambda: Overlay("o", ["dispatch"], tiers=["A"])) == (  # type: ignore[arg-type]
        "targets: expected a table of allowances by target name, got ['dispatch']; "
        "e.g. {dispatch = ...}"
    )


def test_an_overlay_adjusts_at_least_one_target() -> None:
    """An empty table adjusts nothing: refused."""
    assert refused(lambda: Overlay("o", {}, tiers=["A"])) == (
        "targets: expected at least one target to adjust, got {}"
    )


def test_an_overlay_s_target_names_are_not_blank() -> None:
    """A blank target name is refused and shown."""
    assert refused(lambda: Overlay("o", {" ": Allowance.business(HOUR)}, tiers=["A"])) == (
        "targets: expected non-empty target names, got ' '"
    )


def test_an_overlay_s_allowances_are_allowances() -> None:
    """A duration in place of an allowance: the target's path is named."""
    assert refused(lambda: Overlay("o", {"dispatch": HOUR}, tiers=["A"])) == (  # type: ignore[dict-item]
        "targets.dispatch: expected an Allowance, got datetime.timedelta(seconds=3600)"
    )


def test_an_overlay_s_tiers_are_customer_tiers() -> None:
    """'E' is no tier: refused by position."""
    assert refused(lambda: Overlay("o", {"dispatch": Allowance.business(HOUR)}, tiers=["E"])) == (
        "tiers[0]: expected one of A, B, C, D, got 'E'"
    )


def test_an_overlay_for_a_tier_applies_to_that_tier_only() -> None:
    """Tier A overlay: an A customer's repair yes, a B customer's no."""
    overlay = Overlay("o", {"dispatch": Allowance.business(HOUR)}, tiers=["A"])
    assert overlay.applies_to("repair", "A", "residential")
    assert not overlay.applies_to("repair", "B", "residential")


def test_an_overlay_for_a_property_type_applies_to_that_type_only() -> None:
    """A villa overlay: a villa yes, a residential building no, whatever the tier."""
    overlay = Overlay("o", {"dispatch": Allowance.business(HOUR)}, property_types=["villa"])
    assert overlay.applies_to("repair", "C", "villa")
    assert not overlay.applies_to("repair", "C", "residential")


def test_an_overlay_with_kinds_applies_to_those_kinds_only() -> None:
    """Tier A, kind 'repair': an A customer's repair yes, their complaint no."""
    overlay = Overlay("o", {"dispatch": Allowance.business(HOUR)}, tiers=["A"], kinds=["repair"])
    assert overlay.applies_to("repair", "A", "residential")
    assert not overlay.applies_to("complaint", "A", "residential")


def test_warnings_given_as_text_are_refused_as_not_a_list() -> None:
    """warnings='0.5': 'warnings: expected a list of fractions', with the fix."""
    assert refused(
        lambda: SlaTarget(
            "x", EventKind.RECEIVED, EventKind.DISPATCHED, Allowance.business(HOUR), warnings="0.5"
        )
    ) == ("warnings: expected a list of fractions, got '0.5'; pass a list or tuple")


def test_a_set_s_tiers_given_as_one_string_are_refused_not_split() -> None:
    """tiers='A' is not the list ['A']: refused as a string, never read letter by letter."""
    assert refused(lambda: TargetSet("s", kinds=["c"], tiers="A")) == (  # type: ignore[arg-type]
        "tiers: expected a list or tuple, got 'A'; a string or a mapping is not a list"
    )


def test_an_overlay_never_adjusts_complaint_resolution() -> None:
    """A resolution allowance in an overlay: refused, showing it and saying what rules it."""
    message = refused(lambda: Overlay("o", {"resolution": Allowance.business(HOUR)}, tiers=["A"]))
    assert message.startswith(
        "targets.resolution: expected no resolution target, got Allowance(kind="
    )
    assert message.endswith(
        "; complaint resolution follows grading.resolve_within and no overlay changes it"
    )


def test_an_overlay_for_everyone_is_refused_with_the_way_to_do_it() -> None:
    """No tiers and no property types: change the set instead."""
    assert refused(lambda: Overlay("o", {"dispatch": Allowance.business(HOUR)})) == (
        "tiers: expected a tier or a property type the overlay applies to, got (); "
        "to change a target for every item, change its set"
    )
