"""Rule fidelity (RULES.md, turn 2): deadlines, "not overnight", calling hours, labels, sources.

Every expected value is worked out by hand from RULES.md and the seed texts and
written here. A test marked ``xfail(strict=True)`` records a confirmed defect:
it flips to a failure once the defect is fixed, so the marker can go.
"""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propcrm import Policy, PolicyError, ValidationError
from propcrm._policy_keys import describe
from propcrm.callbacks import plan_after_service, plan_rounds, plan_vip_care
from propcrm.complaints import Complaint, Grade, GradeDurations, GradingPolicy, grade
from propcrm.customers import Tier, TierFacts, classify_tier
from propcrm.satisfaction import (
    Attainment,
    GroupBy,
    Kpi,
    KpiScorecard,
    KpiStatus,
    SatisfactionPolicy,
    ServiceFigures,
    compare_rate,
)
from propcrm.sla import (
    Allowance,
    Event,
    EventKind,
    SlaPolicy,
    SlaTarget,
    TargetSet,
    Timeline,
    evaluate,
)
from propcrm.vip import MemorySequenceAllocator, RevocationGround, VipPolicy, VipProgramme

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
POLICY = Policy()
DOCS = Path(__file__).resolve().parent.parent / "docs"


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def sla_due(target: str, timeline: Timeline, policy: object = POLICY) -> datetime | None:
    found = {
        s.target: s.due_at for s in evaluate(timeline, at=timeline.events[-1].at, policy=policy)
    }
    return found[target]


def arrived(moment: datetime, kind: str, **kw: str) -> Timeline:
    return Timeline([Event(EventKind.RECEIVED, moment)], kind=kind, **kw)


def complaint(received: datetime, **flags: bool) -> Complaint:
    return Complaint(
        "C-1",
        community="Garden",
        category="noise",
        subject="pump room",
        complainant_ids=("cust-1",),
        received_at=received,
        **flags,
    )


def both_dues(policy: Policy, received: datetime, **flags: bool) -> tuple[datetime, datetime]:
    """grade().resolve_by and the SLA resolution due for the same complaint and policy."""
    decision = grade(complaint(received, **flags), at=received, policy=policy)
    item = arrived(received, "complaint", grade=decision.grade.value)
    found = sla_due("resolution", item, policy)
    assert found is not None
    return decision.resolve_by, found


# --- complaint deadlines on 24x7 clock hours (RULES §4, turn 2) ----------------------------------


def test_general_complaint_monday_0900_is_due_tuesday_0900_in_grade_and_sla() -> None:
    """GENERAL received Mon 2025-03-03 09:00: 24 clock hours, due Tue 09:00 in both engines."""
    assert both_dues(POLICY, sh(2025, 3, 3, 9)) == (sh(2025, 3, 4, 9), sh(2025, 3, 4, 9))


def test_major_complaint_over_national_day_is_due_three_days_later() -> None:
    """MAJOR (media) received 2025-09-30 10:00: 72 clock hours through the holiday, 10-03 10:00."""
    assert both_dues(POLICY, sh(2025, 9, 30, 10), media_exposed=True) == (
        sh(2025, 10, 3, 10),
        sh(2025, 10, 3, 10),
    )


def test_company_allowance_and_zone_over_dst_agree() -> None:
    """GENERAL 36 h from 2025-03-08 09:00 EST is 21:00 EST next day = 22:00 EDT, in both engines."""
    policy = Policy.from_toml(
        'tz = "America/New_York"\n[grading.resolve_within]\ngeneral = "36h"\n'
    )
    want = datetime(2025, 3, 9, 22, tzinfo=NY)
    assert both_dues(policy, datetime(2025, 3, 8, 9, tzinfo=NY)) == (want, want)


_ZONES = ("Asia/Shanghai", "America/New_York", "Europe/London", "America/Santiago")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(_ZONES),
    st.tuples(*(st.integers(1, 200) for _ in range(4))),
    st.integers(0, 400 * 24 * 4),
    st.sampled_from(("plain", "important", "hot", "major")),
)
def test_grade_and_sla_agree_under_random_allowances_and_zones(
    tz: str, hours: tuple[int, int, int, int], quarter_hours: int, kind: str
) -> None:
    """Under any resolve_within and company zone, grade().resolve_by is the SLA resolution due."""
    g, i, h, m = (timedelta(hours=x) for x in hours)
    policy = Policy(
        tz=tz,
        grading=GradingPolicy(
            resolve_within=GradeDurations(general=g, important=i, hot=h, major=m)
        ),
    )
    start = datetime(2025, 1, 1, tzinfo=ZoneInfo(tz)) + timedelta(minutes=15 * quarter_hours)
    start = start.astimezone(UTC).astimezone(ZoneInfo(tz))  # a real instant, not a wall-clock gap
    flags = {
        "plain": {},
        "important": {"needs_other_departments": True},
        "hot": {"media_risk": True},
        "major": {"media_exposed": True},
    }[kind]
    by_grade, by_sla = both_dues(policy, start, **flags)
    assert by_grade.astimezone(UTC) == by_sla.astimezone(UTC)


def test_hot_escalation_one_week_then_major_on_28_february() -> None:
    """Unresolved from 2025-01-31 10:00: HOT at 02-07 10:00, MAJOR at 02-28 10:00 (month clamp)."""
    c = complaint(sh(2025, 1, 31, 10))
    assert grade(c, at=sh(2025, 2, 7, 9, 59)).grade is Grade.GENERAL
    hot = grade(c, at=sh(2025, 2, 7, 10))
    assert (hot.grade, hot.next_escalation_at) == (Grade.HOT, sh(2025, 2, 28, 10))
    assert grade(c, at=sh(2025, 2, 28, 10)).grade is Grade.MAJOR


def test_major_escalation_on_29_february_in_a_leap_year() -> None:
    """Unresolved from 2024-01-31 10:00: one calendar month later is 2024-02-29 10:00."""
    c = complaint(sh(2024, 1, 31, 10))
    assert grade(c, at=sh(2024, 2, 7, 10)).next_escalation_at == sh(2024, 2, 29, 10)


def test_resolve_by_after_escalation_equals_the_regraded_sla_due() -> None:
    """Escalated to MAJOR on 02-28: resolve_by is received + 72 h = 02-03 10:00, as the SLA says."""
    received = sh(2025, 1, 31, 10)
    decision = grade(complaint(received), at=sh(2025, 2, 28, 10))
    item = Timeline(
        [
            Event(EventKind.RECEIVED, received),
            Event(EventKind.REGRADED, sh(2025, 2, 7, 10), grade="hot"),
            Event(EventKind.REGRADED, sh(2025, 2, 28, 10), grade="major"),
        ],
        kind="complaint",
        grade="general",
    )
    assert decision.resolve_by == sla_due("resolution", item) == sh(2025, 2, 3, 10)


# --- grade() and the SLA disagree under some accepted policies (defects) --------------------------


def _complaint_sets(change: object) -> tuple[TargetSet, ...]:
    sets = []
    for s in SlaPolicy().sets:
        if "complaint" in s.kinds:
            s = attrs.evolve(
                s, targets=tuple(change(t) if t.name == "resolution" else t for t in s.targets)
            )
        sets.append(s)
    return tuple(sets)


def _refused_or_agrees(build: object, received: datetime, **timeline: str) -> None:
    try:
        policy = build()  # type: ignore[operator]
    except ValidationError:
        return  # refusing the policy is one way to keep the engines in agreement
    decision = grade(complaint(received), at=received, policy=policy)
    item = arrived(received, "complaint", grade=decision.grade.value, **timeline)
    assert decision.resolve_by == sla_due("resolution", item, policy)


def test_resolution_on_the_desk_calendar_is_refused_or_agrees() -> None:
    """GENERAL Mon 09:00 with resolution moved to the desk calendar: refused, or Tue 09:00 both."""
    sets = _complaint_sets(lambda t: attrs.evolve(t, calendar="desk"))
    _refused_or_agrees(lambda: Policy(sla=SlaPolicy(sets=sets)), sh(2025, 3, 3, 9))


def test_wall_clock_resolution_over_dst_is_refused_or_agrees() -> None:
    """GENERAL 2025-03-08 12:00 EST: 24 real hours is 03-09 13:00 EDT in both, or refused."""
    sets = _complaint_sets(
        lambda t: attrs.evolve(t, allowance=Allowance.wall(t.allowance.duration))
    )
    _refused_or_agrees(
        lambda: Policy(tz="America/New_York", sla=SlaPolicy(sets=sets)),
        datetime(2025, 3, 8, 12, tzinfo=NY),
    )


def test_a_tier_only_complaint_set_is_refused_or_agrees() -> None:
    """A tier-A complaint set allowing 12 h: refused, or grade() and SLA agree for a tier-A item."""
    vip = TargetSet(
        "complaint.vip",
        (
            SlaTarget(
                "resolution",
                EventKind.RECEIVED,
                EventKind.RESOLVED,
                Allowance.business(timedelta(hours=12)),
                calendar="24x7",
            ),
        ),
        kinds=("complaint",),
        tiers=("A",),
    )
    _refused_or_agrees(
        lambda: Policy(sla=SlaPolicy(sets=(vip, *SlaPolicy().sets))), sh(2025, 3, 3, 9), tier="A"
    )


def test_a_company_24x7_calendar_with_holidays_is_refused_or_agrees() -> None:
    """MAJOR 2025-09-30 10:00 with [calendars.24x7] holidays = CN: refused, or 10-03 10:00 both."""
    try:
        policy = Policy.from_toml('[calendars."24x7"]\nholidays = "CN"\n')
    except PolicyError:  # loading reports every refusal as a PolicyError
        return
    assert both_dues(policy, sh(2025, 9, 30, 10), media_exposed=True) == (
        sh(2025, 10, 3, 10),
        sh(2025, 10, 3, 10),
    )


# --- "not overnight" with a minimum lead (RULES §5, turn 2) ---------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (sh(2025, 3, 3, 17), sh(2025, 3, 4, 9)),  # 1.5 h left < 2 h: 1.5 h + 0.5 h from 08:30
        (sh(2025, 3, 3, 16, 30), sh(2025, 3, 3, 18, 30)),  # exactly 2 h left: the close
        (sh(2025, 3, 3, 16, 31), sh(2025, 3, 4, 8, 31)),  # 1 h 59 left, 1 min next morning
        (sh(2025, 3, 3, 18, 29), sh(2025, 3, 4, 10, 29)),  # 1 min left, 1 h 59 next morning
        (sh(2025, 3, 3, 20), sh(2025, 3, 4, 18, 30)),  # at night: starts 08:30, that day's close
        (sh(2025, 10, 1, 17), sh(2025, 10, 2, 9)),  # the desk works on National Day
    ],
)
def test_public_minor_repair_not_overnight_with_two_hours_of_desk_time(
    received: datetime, due: datetime
) -> None:
    """Desk 08:30-18:30 every day: the close, unless < 2 h remain; then start + 2 h of desk time."""
    assert sla_due("fixed", arrived(received, "repair.public.minor")) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (sh(2025, 3, 3, 23, 50), sh(2025, 3, 4, 7, 50)),
        (sh(2025, 3, 3, 2), sh(2025, 3, 4)),
        (sh(2025, 3, 3, 16), sh(2025, 3, 4)),  # exactly 8 h left: midnight
        (sh(2025, 3, 3, 16, 1), sh(2025, 3, 4, 0, 1)),
    ],
)
def test_emergency_not_overnight_with_eight_hours(received: datetime, due: datetime) -> None:
    """Emergency on 24x7: midnight of the day received, never less than 8 h."""
    assert sla_due("fixed", arrived(received, "repair.emergency")) == due


def test_emergency_lead_counts_real_hours_over_dst() -> None:
    """New York 2025-03-08 23:50 EST + 8 real hours (clocks jump at 02:00) is 08:50 EDT."""
    item = arrived(datetime(2025, 3, 8, 23, 50, tzinfo=NY), "repair.emergency")
    found = sla_due("fixed", item, Policy(tz="America/New_York"))
    assert found is not None
    assert found.astimezone(UTC) == datetime(2025, 3, 9, 12, 50, tzinfo=UTC)


# --- overlays (RULES §5, turn 2) ------------------------------------------------------------------


def test_tier_a_request_dispatch_30_minutes_on_site_1_hour() -> None:
    """Tier A request Mon 10:00: dispatch 10:30, on site 11:00 (desk time)."""
    item = arrived(sh(2025, 3, 3, 10), "request", tier="A")
    assert (sla_due("dispatch", item), sla_due("on_site", item)) == (
        sh(2025, 3, 3, 10, 30),
        sh(2025, 3, 3, 11),
    )


def test_tier_a_overlay_leaves_complaint_resolution_alone() -> None:
    """A tier-A GENERAL complaint Mon 10:00 is still due Tue 10:00."""
    item = arrived(sh(2025, 3, 3, 10), "complaint", grade="general", tier="A")
    assert sla_due("resolution", item) == sh(2025, 3, 4, 10)


# --- callbacks (RULES §6) -------------------------------------------------------------------------

CONTACT = POLICY.calendar("contact")


def test_a_2100_service_gets_its_phone_callback_next_day_0900_to_2000() -> None:
    """Service done Mon 21:00: phone window Tue 09:00 to Tue 20:00 (not 21:00)."""
    plan = plan_after_service("WO-1", customer_id="C-1", completed_at=sh(2025, 3, 3, 21),
                              calendar=CONTACT, policy=POLICY)  # fmt: skip
    phone = plan.tasks[0]
    assert (phone.earliest, phone.due) == (sh(2025, 3, 4, 9), sh(2025, 3, 4, 20))


def test_calling_hours_have_no_lunch_gap() -> None:
    """Service done Mon 12:30: calling opens at once and is due Tue 12:30."""
    plan = plan_after_service("WO-1", customer_id="C-1", completed_at=sh(2025, 3, 3, 12, 30),
                              calendar=CONTACT, policy=POLICY)  # fmt: skip
    phone = plan.tasks[0]
    assert (phone.earliest, phone.due) == (sh(2025, 3, 3, 12, 30), sh(2025, 3, 4, 12, 30))


def test_spring_festival_greeting_goes_out_on_the_day_itself() -> None:
    """Spring Festival 2026 is 02-17, a public holiday: greet 09:00-20:00 that day."""
    plan = plan_vip_care("JK0001", customer_id="C-1", birthdays={}, card_expires=date(2030, 1, 1),
                         year=2026, calendar=CONTACT, policy=POLICY)  # fmt: skip
    spring = next(t for t in plan.tasks if "Spring Festival" in t.id)
    assert (spring.earliest, spring.due) == (sh(2026, 2, 17, 9), sh(2026, 2, 17, 20))


def test_routine_rounds_avoid_the_national_day_holiday() -> None:
    """The Q4 2025 officer call opens on the first calling day after 10-01..10-08: 10-09 09:00."""
    plan = plan_rounds(year=2025, areas={"north": ["H-1"]}, calendar=CONTACT, policy=POLICY)
    q4 = next(t for t in plan.tasks if t.id.endswith("2025-10"))
    assert q4.earliest == sh(2025, 10, 9, 9)


# --- labels (RULES §§1, 3) ------------------------------------------------------------------------


def test_six_months_overdue_is_long_arrears_not_a_finding_of_malice() -> None:
    """6 months overdue, no finding: tier D, reason long_arrears saying it is no finding."""
    decision = classify_tier(TierFacts(months_in_arrears=6), on=date(2025, 6, 1))
    (reason,) = [r for r in decision.reasons if r.rule.startswith("tier.d.")]
    assert (decision.tier, reason.rule) == (Tier.D, "tier.d.long_arrears")
    assert "treated as malicious by policy" in reason.message
    assert "not a finding of malice" in reason.message


def test_long_arrears_of_a_vip_recommend_a_review_not_revocation() -> None:
    """A VIP 7 months overdue without a finding: no ground, a review is recommended."""
    programme = VipProgramme(MemorySequenceAllocator())
    facts = TierFacts(government_official=True, months_in_arrears=7)
    advice = programme.recommend_revocation(facts, on=date(2025, 6, 1))
    assert (advice.recommended, advice.grounds, advice.review) == (False, (), True)


def test_a_finding_of_malice_is_the_revocation_ground() -> None:
    """With the explicit finding: revocation recommended on the ground of malicious arrears."""
    programme = VipProgramme(MemorySequenceAllocator())
    facts = TierFacts(government_official=True, months_in_arrears=2, malicious_arrears=True)
    advice = programme.recommend_revocation(facts, on=date(2025, 6, 1))
    assert (advice.recommended, advice.grounds) == (True, (RevocationGround.MALICIOUS_ARREARS,))


def test_renewal_opens_on_the_expiry_day_by_default_and_earlier_if_configured() -> None:
    """Expiry 2027-02-28: opens that day; with a 30-day window on 2027-01-29."""
    assert VipPolicy().renewal_opens(date(2027, 2, 28)) == date(2027, 2, 28)
    assert VipPolicy(renewal_window_days=30).renewal_opens(date(2027, 2, 28)) == date(2027, 1, 29)


# --- survey dimensions and KPIs (RULES §7) --------------------------------------------------------


def test_the_seven_dimensions_weigh_equally_and_002_45_ones_are_optional() -> None:
    """Seven of 001 §2.1 on at 1/7 each; switching on light makes eight at 1/8; one greening."""
    policy = SatisfactionPolicy()
    assert len(policy.weights) == 7
    assert set(policy.weights.values()) == {1 / 7}
    assert policy.switch_on("light").weights["light"] == 1 / 8
    assert [n for n in policy.dimensions if "green" in n] == ["greening"]


def test_callback_handling_below_100_percent_misses_its_target() -> None:
    """49 of 50 callback issues handled: 98 %, n 50, target 100 %, missed."""
    figures = ServiceFigures("Lakeside", date(2025, 1, 1), callback_handling=Attainment(49, 50))
    found = KpiScorecard.build([], [figures], by=GroupBy.QUARTER).group("2025-Q1")[
        Kpi.CALLBACK_HANDLING_RATE
    ]
    assert (found.value, found.n, found.target, found.status) == (0.98, 50, 1.0, KpiStatus.MISSED)
    assert found.interval is not None


@pytest.mark.parametrize(("complaints", "status"), [(9, KpiStatus.MET), (10, KpiStatus.MISSED)])
def test_complaint_rate_must_stay_below_one_percent(complaints: int, status: KpiStatus) -> None:
    """9 of 1000 households (0.9 %) meets < 1 %; 10 of 1000 (exactly 1 %) misses it."""
    figures = ServiceFigures("Lakeside", date(2025, 1, 1), households=1000, complaints=complaints)
    found = KpiScorecard.build([], [figures]).group()[Kpi.COMPLAINT_RATE]
    assert (found.n, found.status) == (1000, status)


def test_two_proportion_comparison_by_hand() -> None:
    """180/200 -> 194/200: pooled 0.935, se 0.024653, z 2.8395, two-sided p 0.00452."""
    change = compare_rate(Attainment(180, 200), Attainment(194, 200))
    assert (change.method, round(change.z, 3), round(change.p_value, 5)) == (
        "two-proportion",
        2.839,
        0.00452,
    )


# --- citations (RULES: the citation rule) ---------------------------------------------------------


def test_a_docs_page_names_the_source_documents_by_title() -> None:
    """Some docs page names 000, 002 and 004 by their titles, so '002 §40' can be looked up."""
    titles = (
        "物业客户关系维护服务方案实施路径",
        "物业管理企业客户关系维护制度",
        "2025年物业管理与客户服务流程指南",
    )
    pages = [p.read_text(encoding="utf-8") for p in DOCS.glob("*.rst")]
    assert any(all(t in page for t in titles) for page in pages)


@pytest.mark.parametrize(
    "field",
    [
        "complaint_role",  # 002 §42 names 人事行政部, not the desk staff
        "complaint_callback_within",  # 000 §3.2 states 24 h after a service, not a complaint
        "festivals",  # 002 §33 says only 重要节日; the four are ours
        "service_role",
        "visits_per_year_by_tier",
        "card_expiry_reminder_lead",
        "daily_capacity",
    ],
)
def test_callback_defaults_that_no_seed_states_are_decisions(field: str) -> None:
    """A callback default whose value no seed text states cites Decision in its policy key."""
    key = describe(f"callbacks.{field}")
    assert key is not None
    assert key.source == "Decision"


def test_callback_handling_target_cites_the_seed() -> None:
    """The 100 % callback-handling target cites the article that states it, not Decision."""
    key = describe("satisfaction.targets.callback_handling_rate")
    assert key is not None
    assert key.source == "002 住宅区回访制度 一.4"


def test_supervisor_roles_cite_decision() -> None:
    """The per-grade supervisors are a Decision (RULES §4), in the policy key too."""
    key = describe("grading.supervisor_roles.hot")
    assert key is not None
    assert "Decision" in key.source
