"""Service levels against RULES.md §5 (turn 2): one policy convention, no silent traps,
"not overnight" with a minimum lead, complaint clocks in clock hours, tier overlays."""

import ast
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import propcrm
from propcrm import Policy, ValidationError
from propcrm.calendar import BusinessCalendar
from propcrm.complaints import Grade, GradeDurations, GradingPolicy
from propcrm.sla import (
    Allowance,
    Event,
    EventKind,
    Overlay,
    SlaEvaluator,
    SlaPolicy,
    SlaState,
    Timeline,
    evaluate,
)
from propcrm.testing.strategies import timelines

SH = ZoneInfo("Asia/Shanghai")
E = EventKind
POLICY = Policy()
CALENDARS = {name: POLICY.calendar(name) for name in POLICY.calendars}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of November 2025 in Shanghai (the 10th is a Monday, no holidays that month)."""
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


def due(target: str, timeline: Timeline, policy: object = POLICY) -> datetime | None:
    statuses = evaluate(timeline, at=timeline.events[0].at, policy=policy, calendars=CALENDARS)
    return next(s for s in statuses if s.target == target).due_at


def received(moment: datetime, kind: str, **kw: str) -> Timeline:
    return Timeline([Event(E.RECEIVED, moment)], kind=kind, **kw)


# --- the house


def test_the_sla_modules_import_no_module_that_imports_them() -> None:
    """No cycle among the SLA modules, counting function-level and TYPE_CHECKING imports."""
    src = Path(propcrm.__file__).parent
    names = ["sla", "_sla_clock", "_sla_defaults", "_sla_policy", "_sla_status"]
    names += ["_sla_targets", "_sla_timeline", "work_orders"]
    graph: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((src / f"{name}.py").read_text(encoding="utf-8"))
        found = {
            node.module.removeprefix("propcrm.")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        graph[name] = found & set(names)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    assert [name for name in names if reaches(name, name, set())] == []


def test_the_sla_modules_are_a_few_hundred_lines() -> None:
    """Each SLA module stays readable top to bottom (at most 500 lines)."""
    src = Path(propcrm.__file__).parent
    lengths = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in src.glob("*sla*")}
    assert {name: n for name, n in lengths.items() if n > 500} == {}


# --- one policy convention


@pytest.mark.parametrize(
    ("policy", "calendars"), [(POLICY, None), (POLICY.sla, CALENDARS), (None, None)]
)
def test_every_entry_point_takes_the_root_policy_its_slice_or_none(
    policy: object, calendars: dict[str, BusinessCalendar] | None
) -> None:
    """evaluate, attainment and SlaEvaluator accept Policy, SlaPolicy (with calendars) or None."""
    item = received(at(10, 10), "request")
    got = evaluate(item, at=at(10, 10), policy=policy, calendars=calendars)
    assert at(10, 11) == got[0].due_at
    assert propcrm.attainment([item], at=at(10, 10), policy=policy, calendars=calendars) == {}
    evaluator = SlaEvaluator(policy=policy, calendars=calendars)
    assert at(10, 11) == evaluator.evaluate(item, at=at(10, 10))[0].due_at


@pytest.mark.parametrize(
    "call",
    [
        lambda p, item: evaluate(item, at=at(10, 10), policy=p.sla),
        lambda p, item: propcrm.attainment([item], at=at(10, 10), policy=p.sla),
        lambda p, item: SlaEvaluator(policy=p.sla),
    ],
)
def test_a_bare_sla_slice_needs_its_calendars(call: Callable[[Policy, Timeline], object]) -> None:
    """The sla slice alone would lose the company's calendars: refused, naming both fixes."""
    shorter = Policy.from_toml('[calendars.desk]\nweek = "mon-sun 08:30-17:00"')
    with pytest.raises(ValidationError) as caught:
        call(shorter, received(at(10, 16, 30), "request"))
    assert caught.value.field == "calendars"
    assert "whole Policy" in str(caught.value)
    assert "calendars={name: policy.calendar(name)" in str(caught.value)


def test_the_sla_slice_with_the_policys_calendars_agrees_with_the_root() -> None:
    """policy.sla plus the company's calendars gives the root policy's answer (due Tue 09:00)."""
    shorter = Policy.from_toml('[calendars.desk]\nweek = "mon-sun 08:30-17:00"')
    calendars = {name: shorter.calendar(name) for name in shorter.calendars}
    item = received(at(10, 16, 30), "request")
    by_slice = evaluate(item, at=at(10, 16, 30), policy=shorter.sla, calendars=calendars)
    assert at(11, 9) == by_slice[0].due_at


def test_a_wrong_policy_object_is_one_short_line_naming_the_path() -> None:
    """Passing policy.grading where the SLA wants policy.sla: under 300 characters."""
    with pytest.raises(ValidationError) as caught:
        SlaEvaluator(policy=POLICY.grading)
    message = str(caught.value)
    assert len(message) < 300
    assert "\n" not in message
    assert "policy.sla" in message
    assert "SlaPolicy" in message


def test_the_root_policy_brings_its_own_calendars() -> None:
    """With the root policy and no calendars=, the policy's named calendars are used."""
    shorter = Policy.from_toml('[calendars.desk]\nweek = "mon-sun 08:30-17:00"')
    item = received(at(10, 16, 30), "request")
    # 30 min on Monday to 17:00, 30 min on Tuesday from 08:30: due 09:00
    assert at(11, 9) == evaluate(item, at=at(10, 16, 30), policy=shorter)[0].due_at


def test_top_level_exports_what_the_guide_uses() -> None:
    """evaluate, attainment and Overlay import from propcrm itself."""
    assert (propcrm.evaluate, propcrm.attainment, propcrm.Overlay) == (
        evaluate,
        propcrm.sla.attainment,
        Overlay,
    )


# --- silent traps


def test_with_event_keeps_kind_and_the_fixed_target() -> None:
    """Appending keeps kind, grade, tier and property type: the in-home 'fixed' target stays."""
    order = received(at(10, 9), "repair.in_home", tier="A", property_type="residential")
    later = order.with_event(Event(E.DISPATCHED, at(10, 9, 20)))
    assert (later.kind, later.tier, later.property_type) == ("repair.in_home", "A", "residential")
    names = [s.target for s in evaluate(later, at=at(10, 10), calendars=CALENDARS)]
    assert names == ["dispatch", "on_site", "fixed"]


def test_with_event_keeps_the_grade() -> None:
    """A complaint's grade at receipt survives an appended event."""
    complaint = received(at(10, 9), "complaint", grade="hot")
    assert complaint.with_event(Event(E.RESOLVED, at(10, 10))).grade == "hot"


def test_with_event_checks_the_sequence() -> None:
    """An impossible appended event is refused like any other."""
    with pytest.raises(ValidationError, match=r"events\[1\] \(arrived"):
        received(at(10, 9), "request").with_event(Event(E.ARRIVED, at(10, 10)))


def test_with_event_refuses_a_non_event() -> None:
    """Only an Event can be appended."""
    with pytest.raises(ValidationError, match="event: expected an Event"):
        received(at(10, 9), "request").with_event("dispatched")  # type: ignore[arg-type]


def test_an_unknown_kind_lists_the_known_kinds() -> None:
    """'repair.inhome' (a typo) is an error listing the kinds, never the default set."""
    with pytest.raises(ValidationError) as caught:
        evaluate(received(at(10, 9), "repair.inhome"), at=at(10, 9), calendars=CALENDARS)
    message = str(caught.value)
    assert message.startswith("kind: unknown work-order kind 'repair.inhome'; known kinds: call,")
    assert "repair.in_home" in message


def test_a_timeline_without_a_kind_is_refused_at_evaluation() -> None:
    """An item with no kind has no targets: an error naming the argument to pass."""
    with pytest.raises(ValidationError, match=r"no work-order kind.*pass Timeline\(kind=\.\.\.\)"):
        evaluate(received(at(10, 9), ""), at=at(10, 9), calendars=CALENDARS)


def test_a_kind_is_text() -> None:
    """A kind that is not a string is refused when the timeline is built."""
    with pytest.raises(ValidationError, match="kind: expected a name from the SLA policy"):
        Timeline([Event(E.RECEIVED, at(10, 9))], kind=7)  # type: ignore[arg-type]


def test_a_company_kind_is_policy_data() -> None:
    """A company adds repair.elevator with a set of its own; it is then known."""
    elevator = POLICY.sla.sets[0].__class__(
        "repair.elevator", POLICY.sla.select("request").targets, kinds=["repair.elevator"]
    )
    policy = SlaPolicy(sets=(*POLICY.sla.sets, elevator))
    assert "repair.elevator" in policy.kinds
    assert at(10, 11) == due("dispatch", received(at(10, 10), "repair.elevator"), policy)


def test_a_pause_no_target_pauses_on_lists_the_known_reasons() -> None:
    """An emergency paused 'waiting_on_customer' would pause nothing: an error instead."""
    item = Timeline(
        [Event(E.RECEIVED, at(10, 9)), Event(E.PAUSED, at(10, 10), reason="waiting_on_parts")],
        kind="repair.in_home",
    )
    with pytest.raises(ValidationError) as caught:
        evaluate(item, at=at(10, 11), calendars=CALENDARS)
    assert str(caught.value).startswith(
        "events[1].reason: no 'repair.in_home' target pauses on 'waiting_on_parts'; "
        "known pause reasons: appointment, waiting_on_customer;"
    )


def test_a_pause_after_the_evaluation_instant_is_not_checked_yet() -> None:
    """Events after ``at`` have not happened, so their reasons are not judged yet."""
    item = Timeline(
        [Event(E.RECEIVED, at(10, 9)), Event(E.PAUSED, at(10, 12), reason="typo")],
        kind="request",
    )
    assert evaluate(item, at=at(10, 10), calendars=CALENDARS)[0].state is SlaState.RUNNING


def test_an_unknown_property_type_lists_the_known_ones() -> None:
    """'industrial' is not a default property type (004 §2.1: residential, commercial, office)."""
    with pytest.raises(ValidationError, match="known property types: commercial, office, resid"):
        due("dispatch", received(at(10, 9), "request", property_type="industrial"))


# --- not overnight with a minimum lead (RULES.md §5, Decision turn 2)


def test_public_minor_repair_at_1700_is_due_the_next_morning() -> None:
    """RULES §5: received Mon 17:00, the desk closes 18:30: 1 h 30 left < 2 h lead.

    Due = start + 2 h of desk time: 17:00-18:30 counts 1 h 30, the desk reopens
    Tue 08:30 (desk 08:30-18:30), 30 min more: Tue 09:00 — RULES' own example.
    """
    assert at(11, 9) == due("fixed", received(at(10, 17), "repair.public.minor"))


def test_public_minor_repair_at_1829_gets_two_hours_not_one_minute() -> None:
    """Received 18:29: 1 min Monday + 1 h 59 from Tue 08:30 = Tue 10:29."""
    assert at(11, 10, 29) == due("fixed", received(at(10, 18, 29), "repair.public.minor"))


def test_public_minor_repair_with_enough_lead_is_due_at_the_close() -> None:
    """Received 16:30: exactly 2 h remain before 18:30, so the close itself is due."""
    assert at(10, 18, 30) == due("fixed", received(at(10, 16, 30), "repair.public.minor"))


def test_public_minor_repair_at_night_is_due_at_the_next_close() -> None:
    """Received 22:00: the clock starts Tue 08:30 with 10 h to the close: Tue 18:30."""
    assert at(11, 18, 30) == due("fixed", received(at(10, 22), "repair.public.minor"))


def test_emergency_at_2350_gets_eight_hours() -> None:
    """RULES §5: received 23:50, 10 min to midnight < 8 h: due 07:50 the next day (24x7)."""
    assert at(11, 7, 50) == due("fixed", received(at(10, 23, 50), "repair.emergency"))


def test_emergency_at_0200_is_due_at_midnight() -> None:
    """RULES §5: received 02:00, 22 h to midnight >= 8 h: due at midnight."""
    assert at(11, 0) == due("fixed", received(at(10, 2), "repair.emergency"))


def test_a_minimum_lead_must_be_on_a_close_of_day_allowance() -> None:
    """A lead means nothing on an allowance that is a duration already."""
    with pytest.raises(ValidationError, match="lead: expected 0s, or a duration >= 0"):
        Allowance(Allowance.business(timedelta(hours=1)).kind, timedelta(1), lead=timedelta(1))


# --- complaint clocks in clock hours (RULES.md §4, Decision turn 2)


def test_general_complaint_received_monday_0900_is_due_tuesday_0900() -> None:
    """24 clock hours, whatever the desk's day shift."""
    assert at(11, 9) == due("resolution", received(at(10, 9), "complaint", grade="general"))


def test_major_complaint_over_national_day_is_due_three_days_later() -> None:
    """MAJOR received 2025-09-30 10:00: 72 clock hours on is 2025-10-03 10:00, holidays or not."""
    complaint = received(datetime(2025, 9, 30, 10, tzinfo=SH), "complaint", grade="major")
    assert datetime(2025, 10, 3, 10, tzinfo=SH) == due("resolution", complaint)


def test_the_closed_loop_runs_through_the_night() -> None:
    """48 clock hours from Mon 22:00 is Wed 22:00 (000 §3.1)."""
    assert at(12, 22) == due("closed_loop", received(at(10, 22), "complaint"))


_resolve_within = st.builds(
    GradeDurations,
    **{
        g.value: st.integers(1, 400).map(lambda h: timedelta(hours=h))
        for g in (Grade.GENERAL, Grade.IMPORTANT, Grade.HOT, Grade.MAJOR)
    },
)
_starts = st.integers(0, 700 * 24 * 60).map(
    lambda m: datetime(2025, 1, 1, tzinfo=SH) + timedelta(minutes=m)
)


@given(
    _resolve_within,
    _starts,
    st.sampled_from(Grade),
    st.sampled_from(("", "A", "B", "C", "D")),
    st.sampled_from(("", "residential", "commercial", "office")),
)
def test_resolution_due_is_received_plus_resolve_within_in_clock_hours(
    resolve_within: GradeDurations, start: datetime, grade: Grade, tier: str, kind_of: str
) -> None:
    """Under any grading.resolve_within, tier and property type: due = received + allowance."""
    policy = Policy(grading=GradingPolicy(resolve_within=resolve_within))
    complaint = received(start, "complaint", grade=grade.value, tier=tier, property_type=kind_of)
    found = due("resolution", complaint, policy)
    assert found is not None
    assert found.astimezone(UTC) == start.astimezone(UTC) + resolve_within[grade]


@given(
    timelines(
        kinds=("call", "request", "repair.emergency", "repair.public.minor", "repair.public.major"),
        reasons=(),
        max_events=1,
    ),
    st.sampled_from(("", "A", "B")),
)
def test_no_due_moment_precedes_its_start(timeline: Timeline, tier: str) -> None:
    """Whatever the kind, tier and moment received, every deadline is at or after its start."""
    item = Timeline(timeline.events, kind=timeline.kind, tier=tier)
    for status in evaluate(item, at=item.events[0].at, calendars=CALENDARS):
        if status.started_at is not None:
            assert status.due_at is not None
            assert status.due_at >= status.started_at >= item.events[0].at


# --- differentiated service: overlays (RULES.md §5, Decision turn 2)


def test_tier_a_dispatch_within_30_minutes_and_on_site_within_1_hour() -> None:
    """Tier A request at 10:00: dispatch due 10:30 (not 11:00), on site 11:00 (not 12:00)."""
    item = received(at(10, 10), "request", tier="A")
    assert (at(10, 10, 30), at(10, 11)) == (due("dispatch", item), due("on_site", item))


def test_tier_a_counts_service_time() -> None:
    """Tier A public repair at 18:15: 15 min to the close, 45 min from Tue 08:30: due 09:15."""
    item = received(at(10, 18, 15), "repair.public.medium", tier="A")
    assert at(11, 9, 15) == due("on_site", item)


def test_tier_a_keeps_the_rest_of_the_set() -> None:
    """The overlay adjusts named targets; the in-home 15-minute on-site and 8-hour fix stay."""
    tier_a = POLICY.sla.select("repair.in_home", tier="A")
    plain = POLICY.sla.select("repair.in_home", tier="B")
    assert [t.name for t in tier_a.targets] == ["dispatch", "on_site", "fixed"]
    assert tier_a.targets[0].allowance == Allowance.business(timedelta(minutes=30))
    assert tier_a.targets[1:] == plain.targets[1:]


def test_tier_a_cites_the_decision() -> None:
    """An adjusted target's reasons cite the overlay's source."""
    statuses = evaluate(received(at(10, 10), "request", tier="A"), at=at(10, 10))
    assert statuses[0].reasons[0].source == "Decision (RULES §5)"


def test_overlays_never_touch_complaint_resolution() -> None:
    """A tier-A complaint has the same closed-loop and resolution targets as any other."""
    assert POLICY.sla.select("complaint", "major", "A") == POLICY.sla.select("complaint", "major")


def test_an_overlay_may_not_name_the_resolution_target() -> None:
    """Resolution follows grading.resolve_within, so an overlay naming it is refused."""
    with pytest.raises(ValidationError, match="targets.resolution: expected no resolution"):
        Overlay("fast", {"resolution": Allowance.business(timedelta(hours=1))}, tiers=["A"])


def test_a_property_type_overlay() -> None:
    """Offices: dispatch within 20 minutes; a residential request keeps 1 hour."""
    office = Overlay(
        "office.dispatch",
        {"dispatch": Allowance.business(timedelta(minutes=20))},
        property_types=["office"],
    )
    policy = SlaPolicy(overlays=(*SlaPolicy().overlays, office))
    assert at(10, 10, 20) == due(
        "dispatch", received(at(10, 10), "request", property_type="office"), policy
    )
    assert at(10, 11) == due(
        "dispatch", received(at(10, 10), "request", property_type="residential"), policy
    )


def test_a_later_overlay_wins_for_the_same_target() -> None:
    """Tier A in an office: the office overlay, listed after tier A, gives 20 minutes."""
    office = Overlay(
        "office.dispatch",
        {"dispatch": Allowance.business(timedelta(minutes=20))},
        property_types=["office"],
    )
    policy = SlaPolicy(overlays=(*SlaPolicy().overlays, office))
    item = received(at(10, 10), "request", tier="A", property_type="office")
    assert at(10, 10, 20) == due("dispatch", item, policy)


def test_an_overlay_differentiates_by_tier_or_property_type() -> None:
    """An overlay for everybody is a set change in disguise: refused."""
    with pytest.raises(ValidationError, match="tiers: expected a tier or a property type"):
        Overlay("all", {"dispatch": Allowance.business(timedelta(minutes=20))})


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        (
            Overlay(
                "x", {"dispatch": Allowance.business(timedelta(1))}, tiers=["A"], kinds=["lift"]
            ),
            r"overlays\[2\]\.kinds\[0\]: unknown work-order kind 'lift'; known kinds: call,",
        ),
        (
            Overlay("x", {"dispatch": Allowance.business(timedelta(1))}, property_types=["farm"]),
            r"overlays\[2\]\.property_types\[0\]: unknown property type 'farm'; known property",
        ),
        (
            Overlay("x", {"repair": Allowance.business(timedelta(1))}, tiers=["A"]),
            r"overlays\[2\]\.targets\.repair: no set the overlay applies to has a target 'repa",
        ),
    ],
)
def test_an_overlay_names_only_what_the_policy_knows(overlay: Overlay, message: str) -> None:
    """Unknown kinds, property types and target names in an overlay list the known ones."""
    with pytest.raises(ValidationError, match=message):
        SlaPolicy(overlays=(*SlaPolicy().overlays, overlay))


def test_overlays_and_property_types_load_from_toml() -> None:
    """A company's overlay and property types come from its policy file."""
    policy = Policy.from_toml(
        """
[sla]
property_types = ["residential", "commercial", "office", "industrial"]

[[sla.overlays]]
name = "industrial.on_site"
property_types = ["industrial"]
kinds = ["request"]
source = "company rule 9"
targets = { on_site = { kind = "business", duration = "90m" } }
"""
    )
    item = received(at(10, 10), "request", property_type="industrial")
    assert at(10, 11, 30) == due("on_site", item, policy)
    assert [o.name for o in policy.sla.overlays] == ["industrial.on_site"]


# --- citations


def test_every_default_cites_a_seed_article_or_a_decision() -> None:
    """Each default target and overlay names its source; no bare '002' and no empty one."""
    sources = {t.source for s in SlaPolicy().sets for t in s.targets}
    sources |= {o.source for o in SlaPolicy().overlays}
    assert sources == {
        "000 §3.1",
        "000 §3.2",
        "001 §3.1; lead: Decision (RULES §5)",
        "002 入户维修 4.2.1",
        "002 入户维修 4.2.2",
        "002 入户维修 4.2.2; lead: Decision (RULES §5)",
        "Decision (RULES §4)",
        "Decision (RULES §5)",
    }


_HOUR = Allowance.business(timedelta(hours=1))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Overlay("x", [_HOUR], tiers=["A"]), "targets: expected a table of allowances"),  # type: ignore[arg-type]
        (lambda: Overlay("x", {}, tiers=["A"]), "targets: expected at least one target"),
        (lambda: Overlay("x", {" ": _HOUR}, tiers=["A"]), "targets: expected non-empty target"),
        (
            lambda: Overlay("x", {"dispatch": "1h"}, tiers=["A"]),
            "targets.dispatch: expected an All",
        ),  # type: ignore[dict-item]
        (lambda: Overlay("x", {"dispatch": _HOUR}, tiers=["Z"]), r"tiers\[0\]: expected one of"),
        (
            lambda: SlaPolicy(property_types=["office", "office"]),
            "property_types: expected distinct",
        ),
        (lambda: SlaPolicy(sets=["request"]), r"sets\[0\]: expected a TargetSet"),  # type: ignore[list-item]
        (lambda: SlaPolicy(overlays=["tier_a"]), r"overlays\[0\]: expected an Overlay"),  # type: ignore[list-item]
        (
            lambda: SlaPolicy(overlays=SlaPolicy().overlays[:1] * 2),
            "overlays: expected overlays with",
        ),
    ],
)
def test_invalid_overlays_and_policies_name_the_field(build, message: str) -> None:  # type: ignore[no-untyped-def]
    """Every invalid overlay or policy value raises a ValidationError naming the field."""
    with pytest.raises(ValidationError, match=message):
        build()


def test_the_policy_lists_its_pause_reasons() -> None:
    """The default targets pause on the customer and on an agreed appointment."""
    assert SlaPolicy().pause_reasons == {"waiting_on_customer", "appointment"}


def test_evaluate_refuses_a_work_order_for_its_timeline() -> None:
    """evaluate wants the timeline; the message says where a work order keeps it."""
    with pytest.raises(ValidationError, match="a work order's is order.timeline"):
        evaluate("WO-1", at=at(10, 9))  # type: ignore[arg-type]


def test_calendars_must_be_a_mapping() -> None:
    """calendars= is a table of calendars by name."""
    with pytest.raises(ValidationError, match="calendars: expected business calendars by name"):
        SlaEvaluator(calendars=["desk"])  # type: ignore[arg-type]
