"""Hypothesis strategies for propcrm's domain types, for your own property tests.

Each strategy is a function returning ``SearchStrategy[T]`` and takes
keyword-only arguments, checked when the strategy is built.

>>> from hypothesis import given
>>> from propcrm.testing.strategies import policies
>>> @given(policies())
... def test_round_trip(policy):
...     assert type(policy).from_toml(policy.to_toml()) == policy
>>> test_round_trip()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from propcrm._sla_timeline import GRADES, TIERS
from propcrm.calendar import BusinessCalendar, CalendarPolicy, CalendarSpec, WorkWeek
from propcrm.callbacks import (
    CallbackKind,
    CallbackPolicy,
    CallbackTask,
    CompletedRepair,
    StaffMember,
    Subject,
    SubjectKind,
)
from propcrm.complaints import (
    Complaint,
    Grade,
    GradeDurations,
    GradeRoles,
    GradingPolicy,
)
from propcrm.customers import (
    Customer,
    CustomerPolicy,
    Household,
    Member,
    Relation,
    SegmentPolicy,
    Tier,
    TierFacts,
    TierPolicy,
)
from propcrm.errors import ValidationError
from propcrm.policy import Policy
from propcrm.privacy import Confidentiality, PersonalData, PersonalKind
from propcrm.roles import Role
from propcrm.satisfaction import (
    Attainment,
    Kpi,
    SatisfactionPolicy,
    ServiceFigures,
    SurveyDimension,
    SurveyResponse,
)
from propcrm.sla import (
    Allowance,
    Event,
    EventKind,
    SlaPolicy,
    SlaTarget,
    TargetSet,
    Timeline,
)
from propcrm.vip import MAX_SEQUENCE, CardNumber, VipBenefits, VipCard, VipLevel, VipPolicy
from propcrm.work_orders import WorkOrder

__all__ = [
    "allowances",
    "attainments",
    "business_calendars",
    "calendar_policies",
    "callback_policies",
    "callback_tasks",
    "card_numbers",
    "card_prefixes",
    "complaints",
    "completed_repairs",
    "customer_policies",
    "customers",
    "grading_policies",
    "households",
    "members",
    "nps_answers",
    "personal_data",
    "policies",
    "role_shares",
    "satisfaction_policies",
    "segment_policies",
    "service_figures",
    "sla_policies",
    "sla_targets",
    "staff_members",
    "survey_responses",
    "tier_facts",
    "tier_policies",
    "time_zones",
    "timelines",
    "vip_cards",
    "vip_policies",
    "work_weeks",
]

_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Urumqi",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
)
_EARLIEST = date(1920, 1, 1)
_LATEST = date(2100, 12, 31)

Hours = tuple[tuple[int, int], ...]


def time_zones() -> st.SearchStrategy[str]:
    """IANA zone names, China's first, plus zones with daylight saving time."""
    return st.sampled_from(_ZONES)


_ROLES = st.sampled_from([role.value for role in Role])
_KEY_FIELDS = ("community", "category", "subject", "channel")
_HOURS = st.integers(min_value=1, max_value=240).map(lambda h: timedelta(hours=h))


@st.composite
def _grading(draw: st.DrawFn) -> GradingPolicy:
    hot_people = draw(st.integers(min_value=2, max_value=9))
    major_months = draw(st.integers(min_value=1, max_value=12))
    roles = st.builds(GradeRoles, _ROLES, _ROLES, _ROLES, _ROLES)
    return GradingPolicy(
        collective_hot_people=hot_people,
        collective_major_people=draw(st.integers(min_value=hot_people + 1, max_value=50)),
        repeat_complainants=draw(st.integers(min_value=2, max_value=10)),
        repeat_window_months=draw(st.integers(min_value=1, max_value=12)),
        major_after_months=major_months,
        hot_after=timedelta(hours=draw(st.integers(1, 28 * 24 * major_months - 1))),
        same_complaint_key=tuple(
            draw(st.lists(st.sampled_from(_KEY_FIELDS), min_size=1, max_size=4, unique=True))
        ),
        categories=tuple(draw(st.lists(st.sampled_from(_CATEGORIES), unique=True))),
        handler_roles=draw(roles),
        supervisor_roles=draw(roles),
        resolve_within=draw(st.builds(GradeDurations, _HOURS, _HOURS, _HOURS, _HOURS)),
        task_force_from=draw(st.sampled_from(Grade)),
        callback_after_handling=draw(st.booleans()),
    )


def grading_policies() -> st.SearchStrategy[GradingPolicy]:
    """Valid :class:`~propcrm.complaints.GradingPolicy` values, every setting varied.

    Durations are whole hours, so they round-trip through TOML and JSON.
    """
    return _grading()


def _check_grid(grid_minutes: int, max_per_day: int) -> None:
    if not isinstance(grid_minutes, int) or grid_minutes < 1 or 1440 % grid_minutes:
        raise ValueError(f"grid_minutes must divide a day (1440 minutes), got {grid_minutes!r}")
    if not isinstance(max_per_day, int) or max_per_day < 1:
        raise ValueError(f"max_per_day must be an integer >= 1, got {max_per_day!r}")


def _day_hours(grid_minutes: int, max_per_day: int, night: bool) -> st.SearchStrategy[Hours]:
    steps = 1440 // grid_minutes

    @st.composite
    def day(draw: st.DrawFn) -> Hours:
        count = draw(st.integers(0, max_per_day))
        cuts = sorted(draw(st.sets(st.integers(0, steps), min_size=2 * count, max_size=2 * count)))
        hours = [
            (cuts[i] * grid_minutes, cuts[i + 1] * grid_minutes) for i in range(0, 2 * count, 2)
        ]
        if hours and night and draw(st.integers(0, 4)) == 0:
            opens = hours[-1][0]
            closes = draw(st.integers(1, max(1, opens // grid_minutes - 1))) * grid_minutes
            if closes < opens:
                hours[-1] = (opens, closes)
        return tuple(hours)

    return day()


def work_weeks(
    *, grid_minutes: int = 15, max_per_day: int = 2, night: bool = True, allow_empty: bool = True
) -> st.SearchStrategy[WorkWeek]:
    """Valid :class:`~propcrm.calendar.WorkWeek` values on a grid of minutes.

    Args:
        grid_minutes: Every open and close falls on a multiple of this (it must divide 1440).
        max_per_day: At most this many intervals a day.
        night: Whether intervals may run past midnight.
        allow_empty: Whether a week without any working time may come.
    """
    _check_grid(grid_minutes, max_per_day)
    days = st.tuples(*[_day_hours(grid_minutes, max_per_day, night)] * 7)

    def valid(week: tuple[Hours, ...]) -> bool:
        try:
            WorkWeek(week)
        except ValidationError:
            return False
        return allow_empty or any(week)

    return days.filter(valid).map(WorkWeek)


def business_calendars(
    *,
    zones: st.SearchStrategy[str] | None = None,
    start: date = date(2025, 1, 1),
    days: int = 60,
    grid_minutes: int = 15,
    max_per_day: int = 2,
) -> st.SearchStrategy[BusinessCalendar]:
    """:class:`~propcrm.calendar.BusinessCalendar` values with closures, extra days and overrides.

    Their special dates fall in ``days`` days from ``start``; every week has
    some working time. No public holidays are used, so the calendars do not
    depend on the installed ``holidays`` release.
    """
    _check_grid(grid_minutes, max_per_day)
    if not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be an integer >= 1, got {days!r}")
    dates = st.integers(0, days - 1).map(lambda n: start + timedelta(days=n))
    hours = _day_hours(grid_minutes, max_per_day, night=True).map(_text)
    return st.builds(
        BusinessCalendar,
        work_weeks(grid_minutes=grid_minutes, max_per_day=max_per_day, allow_empty=False),
        tz=zones if zones is not None else time_zones(),
        closed=st.frozensets(dates, max_size=4),
        extra_working=st.frozensets(dates, max_size=3),
        overrides=st.dictionaries(dates, hours, max_size=3),
    )


def calendar_policies() -> st.SearchStrategy[CalendarPolicy]:
    """:class:`~propcrm.calendar.CalendarPolicy` values: the defaults, changed and added to."""
    days = st.dates(date(2024, 1, 1), date(2027, 12, 31))
    specs = st.builds(
        CalendarSpec,
        week=work_weeks(grid_minutes=30),
        holidays=st.sampled_from(("CN", "HK", "US-NY", "none")),
        tz=st.just("") | time_zones(),
        closed=st.lists(days, max_size=3).map(tuple),
        extra_working=st.lists(days, max_size=2).map(tuple),
        overrides=st.dictionaries(
            days.map(date.isoformat),
            _day_hours(30, 2, night=True).map(_text),
            max_size=2,
        ),
    )
    names = st.sampled_from(("office", "desk", "repair", "night", "维修"))
    return st.dictionaries(names, specs, max_size=3).map(CalendarPolicy)


def policies() -> st.SearchStrategy[Policy]:
    """Valid :class:`~propcrm.policy.Policy` trees, every sub-policy varied.

    The SLA policy agrees with the grading policy's resolution allowances.
    """
    return grading_policies().flatmap(
        lambda grading: st.builds(
            Policy,
            tz=time_zones(),
            customers=customer_policies(),
            vip=vip_policies(),
            satisfaction=satisfaction_policies(),
            grading=st.just(grading),
            callbacks=callback_policies(),
            calendars=calendar_policies(),
            sla=sla_policies(resolve_within=grading.resolve_within),
        )
    )


# --- customers --------------------------------------------------------------------------------


def tier_policies() -> st.SearchStrategy[TierPolicy]:
    """Valid :class:`~propcrm.customers.TierPolicy` values: any order of D, A, B before C."""
    return st.builds(
        TierPolicy,
        precedence=st.permutations([Tier.D, Tier.A, Tier.B]).map(lambda p: (*p, Tier.C)),
        loyal_min_purchases=st.integers(1, 10),
        loyal_min_satisfaction=st.floats(0, 100, allow_nan=False),
        difficult_min_invalid_complaints=st.integers(1, 10),
        invalid_complaints_window_months=st.integers(1, 120),
        difficult_min_arrears_months=st.integers(1, 36),
        difficult_min_group_complaints_led=st.integers(1, 5),
        group_complaints_window_months=st.integers(1, 120),
        newly_signed_months=st.integers(0, 120),
    )


def segment_policies() -> st.SearchStrategy[SegmentPolicy]:
    """Valid :class:`~propcrm.customers.SegmentPolicy` values."""
    return st.builds(
        lambda child, single, elder_gap: SegmentPolicy(child, single, child + elder_gap),
        st.integers(1, 40),
        st.integers(1, 120),
        st.integers(1, 80),
    )


def customer_policies() -> st.SearchStrategy[CustomerPolicy]:
    """Valid :class:`~propcrm.customers.CustomerPolicy` values."""
    return st.builds(CustomerPolicy, tiers=tier_policies(), segments=segment_policies())


def personal_data(*, kind: PersonalKind | None = None) -> st.SearchStrategy[PersonalData]:
    """:class:`~propcrm.privacy.PersonalData` of ``kind`` (any kind if ``None``)."""
    kinds = st.sampled_from(PersonalKind) if kind is None else st.just(PersonalKind(kind))
    values = st.text(min_size=1, max_size=40).filter(str.strip)
    return st.builds(PersonalData, kinds, values)


def tier_facts(
    *, min_day: date = date(2000, 1, 1), max_day: date = date(2040, 12, 31)
) -> st.SearchStrategy[TierFacts]:
    """:class:`~propcrm.customers.TierFacts` whose dated facts fall in ``[min_day, max_day]``."""
    _check_days(min_day, max_day)
    days = st.dates(min_day, max_day)
    return st.builds(
        TierFacts,
        government_official=st.booleans(),
        special_relationship=st.booleans(),
        major_contribution=st.booleans(),
        purchases_from_group=st.integers(0, 6),
        group_employee_buyer=st.booleans(),
        satisfaction_score=st.none() | st.floats(0, 100, allow_nan=False),
        endorses_management=st.booleans(),
        invalid_complaints=st.lists(days, max_size=6).map(tuple),
        months_in_arrears=st.integers(0, 24),
        malicious_arrears=st.booleans(),
        group_complaints_led=st.lists(days, max_size=3).map(tuple),
        signed_on=st.none() | days,
    )


def customers(*, facts: st.SearchStrategy[TierFacts] | None = None) -> st.SearchStrategy[Customer]:
    """:class:`~propcrm.customers.Customer` entities with personal data and tier facts."""
    return st.builds(
        Customer,
        id=st.text("0123456789abcdef", min_size=1, max_size=12),
        name=st.text(min_size=1, max_size=10).filter(str.strip),
        phone=st.none() | personal_data(kind=PersonalKind.PHONE),
        id_number=st.none() | personal_data(kind=PersonalKind.ID_NUMBER),
        address=st.none() | personal_data(kind=PersonalKind.ADDRESS),
        facts=tier_facts() if facts is None else facts,
        confidentiality=st.sampled_from(Confidentiality),
        version=st.integers(0, 10),
    )


def members(
    *,
    relation: Relation | None = None,
    born_from: date = date(1920, 1, 1),
    born_until: date = date(2024, 12, 31),
) -> st.SearchStrategy[Member]:
    """Household :class:`~propcrm.customers.Member` values born in ``[born_from, born_until]``."""
    _check_days(born_from, born_until)
    relations = st.sampled_from(Relation) if relation is None else st.just(Relation(relation))
    return st.builds(
        Member,
        name=st.sampled_from(["王芳", "李伟", "张敏", "刘洋", "陈静"]),
        birth_date=st.dates(born_from, born_until),
        relation=relations,
        working=st.booleans(),
        resident=st.booleans(),
    )


def households(*, born_until: date = date(2024, 12, 31)) -> st.SearchStrategy[Household]:
    """Valid :class:`~propcrm.customers.Household` entities: one head, at most one spouse.

    Everyone is born on or before ``born_until``, so ages can be taken on any later day.
    """
    _check_days(_EARLIEST, born_until)
    head = members(relation=Relation.HEAD, born_until=born_until)
    spouse = st.lists(members(relation=Relation.SPOUSE, born_until=born_until), max_size=1)
    others = st.lists(
        st.sampled_from([Relation.CHILD, Relation.PARENT, Relation.OTHER]).flatmap(
            lambda r: members(relation=r, born_until=born_until)
        ),
        max_size=4,
    )
    return st.builds(
        lambda h, s, o, hid, active, level: Household(hid, (h, *s, *o), active, level),
        head,
        spouse,
        others,
        st.text("0123456789abcdef", min_size=1, max_size=12),
        st.booleans(),
        st.sampled_from(Confidentiality),
    )


# --- VIP --------------------------------------------------------------------------------------


def card_prefixes() -> st.SearchStrategy[str]:
    """Two capital ASCII letters, ``"JK"`` most often."""
    letters = st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z"))
    return st.just("JK") | st.tuples(letters, letters).map("".join)


def vip_policies() -> st.SearchStrategy[VipPolicy]:
    """Valid :class:`~propcrm.vip.VipPolicy` values, benefit catalogues varied."""
    names = st.lists(st.sampled_from(["a", "b", "c", "fee_payment", "cash_aid"]), unique=True)
    benefits = st.builds(VipBenefits, *(names.map(tuple) for _ in range(5)))
    return st.builds(
        VipPolicy,
        card_prefix=card_prefixes(),
        validity_years=st.integers(1, 20),
        renewal_window_days=st.integers(0, 366),
        emergency_aid_limit=st.integers(0, 100_000),
        benefits=st.just(VipBenefits()) | benefits,
    )


def card_numbers(
    *, prefix: str | None = None, level: VipLevel | None = None
) -> st.SearchStrategy[CardNumber]:
    """Valid :class:`~propcrm.vip.CardNumber` values, with ``prefix``/``level`` if given."""
    if prefix is not None:
        CardNumber(prefix, VipLevel.OTHER, 1)  # raises ValidationError for a bad prefix
    prefixes = card_prefixes() if prefix is None else st.just(prefix)
    levels = st.sampled_from(VipLevel) if level is None else st.just(VipLevel(level))
    return st.builds(CardNumber, prefixes, levels, st.integers(1, MAX_SEQUENCE))


def vip_cards(*, prefix: str | None = None, validity_years: int = 3) -> st.SearchStrategy[VipCard]:
    """Active :class:`~propcrm.vip.VipCard` entities valid for ``validity_years`` years."""
    bad = isinstance(validity_years, bool) or not isinstance(validity_years, int)
    if bad or validity_years < 1:
        raise ValidationError.expected("validity_years", "an integer >= 1", validity_years)
    return st.builds(
        lambda number, holder, issued: VipCard(
            number, holder, issued, issued + relativedelta(years=validity_years), "客户助理"
        ),
        card_numbers(prefix=prefix),
        st.text("0123456789abcdef", min_size=1, max_size=12),
        st.dates(date(2000, 1, 1), date(2070, 12, 31)),
    )


# --- private helpers --------------------------------------------------------------------------


def _check_days(first: date, last: date) -> None:
    if not isinstance(first, date) or not isinstance(last, date) or first > last:
        raise ValidationError.expected(
            "dates", "two dates, the first not after the second", (first, last)
        )


_RATE_KPIS = tuple(k.value for k in Kpi if k not in (Kpi.NPS, Kpi.SATISFACTION_INDEX))


@st.composite
def _dimensions(draw: st.DrawFn) -> dict[str, SurveyDimension]:
    # a policy file keeps the default dimensions it does not name, so every policy has them
    defaults = SatisfactionPolicy().dimensions
    names = draw(st.lists(st.sampled_from(sorted(defaults)), min_size=1, max_size=9, unique=True))
    chosen = dict(defaults)
    chosen.update({n: attrs.evolve(defaults[n], weight=draw(st.integers(0, 20))) for n in names})
    first = chosen[names[0]]
    chosen[names[0]] = attrs.evolve(first, enabled=True, weight=max(1, int(first.weight)))
    if draw(st.booleans()):
        chosen["parking"] = SurveyDimension("停车 parking", draw(st.integers(1, 5)))
    return chosen


@st.composite
def _satisfaction_policy(draw: st.DrawFn) -> SatisfactionPolicy:
    dimensions = draw(_dimensions())
    weighted = sum(1 for d in dimensions.values() if d.enabled and d.weight > 0)
    # a policy file keeps the default targets it does not name, so every policy has them
    targets = {**SatisfactionPolicy().targets}
    targets |= draw(
        st.dictionaries(
            st.sampled_from(_RATE_KPIS), st.floats(min_value=0, max_value=1), max_size=4
        )
    )
    if draw(st.booleans()):
        targets["nps"] = draw(st.floats(min_value=-100, max_value=100))
    return SatisfactionPolicy(
        confidence=draw(st.sampled_from([0.8, 0.9, 0.95, 0.99])),
        dimensions=dimensions,
        min_answered_dimensions=draw(st.integers(min_value=1, max_value=weighted)),
        satisfied_from=draw(st.integers(min_value=2, max_value=5)),
        loyal_from=draw(st.integers(min_value=1, max_value=10)),
        targets=targets,
    )


def satisfaction_policies() -> st.SearchStrategy[SatisfactionPolicy]:
    """Valid :class:`~propcrm.satisfaction.SatisfactionPolicy` values: the default
    dimensions with a random subset reweighted (some switched on), sometimes a
    company's own dimension, and the default targets with others for a random
    subset of KPIs."""
    return _satisfaction_policy()


def nps_answers(*, min_size: int = 1, max_size: int = 200) -> st.SearchStrategy[list[int]]:
    """Lists of 0-10 recommendation answers."""
    if not 0 <= min_size <= max_size:
        raise ValueError(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    return st.lists(st.integers(min_value=0, max_value=10), min_size=min_size, max_size=max_size)


def attainments(*, max_total: int = 1000) -> st.SearchStrategy[Attainment]:
    """``Attainment(met, total)`` pairs with ``0 <= met <= total <= max_total``."""
    if max_total < 0:
        raise ValueError(f"max_total must be >= 0, got {max_total}")
    return st.integers(min_value=0, max_value=max_total).flatmap(
        lambda total: st.builds(
            Attainment, met=st.integers(min_value=0, max_value=total), total=st.just(total)
        )
    )


_COMMUNITIES = ("Garden Court", "Lakeside", "翠湖花园")
_CORE_DIMENSIONS = SatisfactionPolicy().enabled
_TIERS = ("A", "B", "C", "D", "")
_DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


def survey_responses(
    *, communities: tuple[str, ...] = _COMMUNITIES
) -> st.SearchStrategy[SurveyResponse]:
    """Survey answers; any answer may be skipped (``None`` or a missing dimension)."""
    if not communities:
        raise ValueError("communities must name at least one community")
    rating = st.integers(min_value=1, max_value=5)
    return st.builds(
        SurveyResponse,
        household_id=st.from_regex(r"H-[0-9]{1,5}", fullmatch=True),
        community=st.sampled_from(communities),
        answered_on=_DAYS,
        tier=st.sampled_from(_TIERS),
        recommend=st.none() | st.integers(min_value=0, max_value=10),
        overall=st.none() | rating,
        ratings=st.dictionaries(st.sampled_from(_CORE_DIMENSIONS), rating),
    )


def service_figures(
    *, communities: tuple[str, ...] = _COMMUNITIES
) -> st.SearchStrategy[ServiceFigures]:
    """Monthly operational counts with consistent complaints and repeats."""
    if not communities:
        raise ValueError("communities must name at least one community")
    return st.integers(min_value=0, max_value=50).flatmap(
        lambda complaints: st.builds(
            ServiceFigures,
            community=st.sampled_from(communities),
            month=_DAYS,
            tier=st.sampled_from(_TIERS),
            households=st.integers(min_value=0, max_value=5000),
            complaints=st.just(complaints),
            repeat_complaints=st.integers(min_value=0, max_value=complaints),
            response_timeliness=attainments(),
            complaint_handling_timeliness=attainments(max_total=complaints),
            complaint_resolution_satisfaction=attainments(max_total=complaints),
        )
    )


_COMMUNITIES = ("Garden", "Lakeside", "Pine Court")
_CATEGORIES = ("noise", "repair", "security", "cleaning")
_SUBJECTS = ("pump room", "lift", "gate")
_RARELY = st.integers(min_value=0, max_value=5).map(lambda n: n == 0)


@st.composite
def _complaint(
    draw: st.DrawFn,
    received: st.SearchStrategy[datetime],
    complainant_ids: st.SearchStrategy[str],
    open_only: bool,
) -> Complaint:
    received_at = draw(received)
    named = draw(st.lists(complainant_ids, min_size=1, max_size=4, unique=True))
    extra = draw(st.none() | st.integers(min_value=0, max_value=12))
    resolved = None
    if not open_only:
        after = draw(st.none() | st.integers(min_value=0, max_value=60 * 24 * 3600))
        resolved = None if after is None else received_at + timedelta(seconds=after)
    repeat_of_id = "C-earlier" if draw(_RARELY) else None
    return Complaint(
        draw(st.uuids()).hex,
        community=draw(st.sampled_from(_COMMUNITIES)),
        category=draw(st.sampled_from(_CATEGORIES)),
        subject=draw(st.sampled_from(_SUBJECTS)),
        complainant_ids=tuple(named),
        headcount=None if extra is None else len(named) + extra,
        received_at=received_at,
        channel=draw(st.sampled_from(["phone", "desk", "wechat"])),
        first_receiver_id=draw(st.sampled_from(["", "staff-1", "staff-2"])),
        litigation_filed=draw(_RARELY),
        media_exposed=draw(_RARELY),
        litigation_risk=draw(_RARELY),
        media_risk=draw(_RARELY),
        needs_other_departments=draw(_RARELY),
        second_after_handling=draw(_RARELY),
        repeat_of_id=repeat_of_id,
        resolved_at=resolved,
        delay_attributable_to_company=draw(st.booleans()),
    )


def complaints(
    *,
    received_at: st.SearchStrategy[datetime] | None = None,
    complainant_ids: st.SearchStrategy[str] | None = None,
    open_only: bool = False,
) -> st.SearchStrategy[Complaint]:
    """Valid :class:`~propcrm.complaints.Complaint` values.

    Args:
        received_at: Moments of receipt (aware); by default whole minutes in
            2024-2026, Asia/Shanghai, which cross month ends and a leap day.
        complainant_ids: Customer ids; by default a handful, so that the same
            person and the same complaint recur.
        open_only: Only unresolved complaints.

    Raises:
        ValidationError: an argument is not a strategy.
    """
    for name, value in (("received_at", received_at), ("complainant_ids", complainant_ids)):
        if value is not None and not isinstance(value, st.SearchStrategy):
            raise ValidationError.expected(name, "a hypothesis strategy", value)
    if received_at is None:
        shanghai = ZoneInfo("Asia/Shanghai")
        received_at = st.integers(min_value=0, max_value=3 * 366 * 24 * 60).map(
            lambda m: datetime(2024, 1, 1, tzinfo=shanghai) + timedelta(minutes=m)
        )
    if complainant_ids is None:
        complainant_ids = st.sampled_from([f"cust-{i}" for i in range(8)])
    return _complaint(received_at, complainant_ids, open_only)


def _text(hours: Hours) -> str:
    return ",".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in hours)


# --- callbacks --------------------------------------------------------------------------------

_CALLBACK_ROLES = (
    "service_centre_manager",
    "engineering_supervisor",
    "repair_lead",
    "desk_staff",
    "vip_assistant",
)
_PER_YEAR = st.sampled_from((1, 2, 3, 4, 6, 12))
_FESTIVALS = (
    "Spring Festival",
    "Dragon Boat Festival",
    "Mid-Autumn Festival",
    "National Day",
    "Tomb-Sweeping Day",
    "Labor Day",
    "New Year's Day",
)


def _hours(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda h: timedelta(hours=h))


def role_shares(*, min_roles: int = 1, max_roles: int = 4) -> st.SearchStrategy[dict[str, float]]:
    """Role -> minimum share, each in (0, 1] with two decimals, summing to at most 1."""
    if not 1 <= min_roles <= max_roles <= len(_CALLBACK_ROLES):
        raise ValueError(f"need 1 <= min_roles <= max_roles <= {len(_CALLBACK_ROLES)}")

    def shares(cents: list[int]) -> dict[str, float]:
        return {role: c / 100 for role, c in zip(_CALLBACK_ROLES, cents, strict=False)}

    return (
        st.lists(st.integers(1, 100), min_size=min_roles, max_size=max_roles)
        .filter(lambda cents: sum(cents) <= 100)
        .map(shares)
    )


@st.composite
def _default_role_shares(draw: st.DrawFn) -> dict[str, float]:
    """Shares for the three default roles, in cents summing to at most 100, built directly."""
    manager = draw(st.integers(1, 98))
    supervisor = draw(st.integers(1, 99 - manager))
    repair_lead = draw(st.integers(1, 100 - manager - supervisor))
    cents = {
        "service_centre_manager": manager,
        "engineering_supervisor": supervisor,
        "repair_lead": repair_lead,
    }
    return {role: c / 100 for role, c in cents.items()}


def callback_policies() -> st.SearchStrategy[CallbackPolicy]:
    """Valid :class:`~propcrm.callbacks.CallbackPolicy` values, every setting varied."""
    return st.builds(
        CallbackPolicy,
        service_phone_within=_hours(1, 72),
        service_visit_within=_hours(24, 24 * 14),
        service_questionnaire_within=_hours(24, 24 * 45),
        # a policy file keeps the default entries of a table it does not name,
        # so every mapping holds them (the repair kinds, the roles, the tiers)
        repair_within=st.fixed_dictionaries(
            {kind: _hours(1, 24 * 10) for kind in ("ordinary", "safety", "leak")},
            optional={kind: _hours(1, 24 * 10) for kind in ("gas", "lift")},
        ),
        rectification_within=_hours(1, 72),
        complaint_callback_within=_hours(1, 96),
        role_shares=_default_role_shares(),
        director_visits_per_year=_PER_YEAR,
        officer_rounds_per_year=_PER_YEAR,
        forums_per_year=_PER_YEAR,
        visits_per_year_by_tier=st.fixed_dictionaries(
            {tier: st.sampled_from((0, 1, 2, 3, 4, 6, 12)) for tier in "ABCD"}
        ),
        festivals=st.lists(st.sampled_from(_FESTIVALS), unique=True).map(tuple),
        card_expiry_reminder_lead=_hours(24, 24 * 90),
        daily_capacity=st.integers(1, 200),
        coverage_target=st.integers(0, 100).map(lambda p: p / 100),
    )


def completed_repairs(
    *, kinds: tuple[str, ...] = ("ordinary", "safety", "leak"), tz: str = "Asia/Shanghai"
) -> st.SearchStrategy[CompletedRepair]:
    """Completed repairs in 2025-2026 at any minute of the day, of the given ``kinds``."""
    if not kinds:
        raise ValueError("kinds must name at least one repair kind")
    zone = ZoneInfo(tz)
    return st.builds(
        CompletedRepair,
        work_order_id=st.integers(1, 10**6).map(lambda n: f"WO-{n}"),
        customer_id=st.integers(1, 500).map(lambda n: f"C-{n}"),
        completed_at=_moments(zone),
        kind=st.sampled_from(kinds),
        technician_id=st.sampled_from(("T-1", "T-2", "T-3")),
    )


def callback_tasks(
    *, roles: tuple[str, ...] = ("repair_lead",), tz: str = "Asia/Shanghai"
) -> st.SearchStrategy[CallbackTask]:
    """Planned, unassigned callback tasks with windows from one hour to ten days.

    Ids are unique only by chance; draw lists with ``unique_by=lambda t: t.id``.
    """
    if not roles:
        raise ValueError("roles must name at least one owner role")
    zone = ZoneInfo(tz)

    def build(n: int, kind: CallbackKind, role: str, at: datetime, hours: int) -> CallbackTask:
        subject = Subject(SubjectKind.WORK_ORDER, f"WO-{n}")
        return CallbackTask(
            f"{subject}:{kind.value}",
            subject,
            kind,
            f"C-{n % 97}",
            role,
            at,
            at + timedelta(hours=hours),
        )

    return st.builds(
        build,
        st.integers(1, 10**6),
        st.sampled_from(CallbackKind),
        st.sampled_from(roles),
        _moments(zone),
        st.integers(1, 240),
    )


def staff_members(
    *, roles: tuple[str, ...] = ("repair_lead",), max_capacity: int = 5
) -> st.SearchStrategy[StaffMember]:
    """Staff with one of ``roles`` and a daily capacity from 0 to ``max_capacity`` (or none)."""
    if not roles or max_capacity < 0:
        raise ValueError("need at least one role and max_capacity >= 0")
    return st.builds(
        StaffMember,
        id=st.integers(1, 10**4).map(lambda n: f"S-{n}"),
        role=st.sampled_from(roles),
        daily_capacity=st.none() | st.integers(0, max_capacity),
    )


def _moments(zone: ZoneInfo) -> st.SearchStrategy[datetime]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    minutes = 2 * 365 * 24 * 60
    return st.integers(0, minutes).map(lambda m: (base + timedelta(minutes=m)).astimezone(zone))


# --- service levels ---------------------------------------------------------------------------


def _minutes(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda m: timedelta(minutes=m))


def allowances() -> st.SearchStrategy[Allowance]:
    """Every shape of :class:`~propcrm.sla.Allowance`, in whole minutes."""
    return st.one_of(
        _minutes(1, 7 * 24 * 60).map(Allowance.business),
        _minutes(1, 7 * 24 * 60).map(Allowance.wall),
        st.integers(0, 10).map(Allowance.working_days),
        _minutes(0, 12 * 60).map(Allowance.same_day),
        st.builds(Allowance.appointment, _minutes(1, 600), _minutes(0, 120)),
    )


_REASONS = ("waiting_on_customer", "waiting_on_parts")
_MILESTONES = (
    EventKind.RECEIVED,
    EventKind.ANSWERED,
    EventKind.DISPATCHED,
    EventKind.ARRIVED,
    EventKind.RESOLVED,
    EventKind.CLOSED,
)


def sla_targets(
    *, calendars: Sequence[str] = ("24x7", "desk", "office"), name: str | None = None
) -> st.SearchStrategy[SlaTarget]:
    """Valid :class:`~propcrm.sla.SlaTarget` values running on one of ``calendars``."""
    if not calendars:
        raise ValidationError.expected("calendars", "at least one calendar name", calendars)
    pairs = st.sampled_from(
        [(a, b) for i, a in enumerate(_MILESTONES[:4]) for b in _MILESTONES[i + 1 :]]
    )
    return st.builds(
        lambda pair, **kw: SlaTarget(start=pair[0], stop=pair[1], **kw),
        pairs,
        name=st.just(name) if name else st.sampled_from(("answer", "dispatch", "fixed", "x.y")),
        allowance=allowances(),
        calendar=st.sampled_from(tuple(calendars)),
        pause_on=st.lists(st.sampled_from(_REASONS), unique=True).map(tuple),
        warnings=st.lists(st.sampled_from((0.25, 0.5, 0.75, 0.9)), unique=True).map(
            lambda ws: tuple(sorted(ws))
        ),
        source=st.sampled_from(("", "000 §3.2")),
    )


def _target_sets() -> st.SearchStrategy[TargetSet]:
    return st.builds(
        TargetSet,
        name=st.sampled_from(("request", "repair", "complaint", "vip")),
        targets=st.lists(sla_targets(), max_size=3, unique_by=lambda t: t.name).map(tuple),
        kinds=st.lists(st.sampled_from(("repair.in_home", "request")), min_size=1, unique=True).map(
            tuple
        ),
        grades=st.lists(st.sampled_from(GRADES), unique=True).map(tuple),
        tiers=st.lists(st.sampled_from(TIERS), unique=True).map(tuple),
    )


def sla_policies(*, resolve_within: GradeDurations | None = None) -> st.SearchStrategy[SlaPolicy]:
    """Valid :class:`~propcrm.sla.SlaPolicy` values, the default among them.

    Args:
        resolve_within: Complaint resolution allowances the default's complaint sets
            take (:meth:`~propcrm.sla.SlaPolicy.default_for`); the other generated
            sets have no ``resolution`` target, so every value agrees with them.
    """
    sets = st.lists(_target_sets(), min_size=1, max_size=3, unique_by=lambda s: s.name)
    default = SlaPolicy() if resolve_within is None else SlaPolicy.default_for(resolve_within)
    return st.one_of(
        st.just(default),
        sets.map(lambda found: SlaPolicy(sets=tuple(found), overlays=())),
    )


_SHANGHAI = ZoneInfo("Asia/Shanghai")


@st.composite
def _timeline(
    draw: st.DrawFn,
    starts: st.SearchStrategy[datetime],
    kinds: Sequence[str],
    max_events: int,
    step: timedelta,
    reasons: Sequence[str],
    property_types: Sequence[str],
) -> Timeline:
    at = draw(starts)
    events = [Event(EventKind.RECEIVED, at)]
    paused = resolved = appointed = dispatched = False
    steps = st.integers(0, step // timedelta(minutes=1)).map(lambda m: timedelta(minutes=m))
    for _ in range(draw(st.integers(0, max_events - 1))):
        at += draw(steps)
        choices = [EventKind.ANSWERED, EventKind.DISPATCHED, EventKind.APPOINTMENT_SET]
        choices += [EventKind.REGRADED]
        choices += [EventKind.ARRIVED] if dispatched else []
        choices += [EventKind.APPOINTMENT_CHANGED] if appointed else []
        pausing = [EventKind.PAUSED] if reasons and not resolved else []
        choices += [EventKind.RESUMED] if paused else pausing
        choices += [EventKind.REOPENED, EventKind.CLOSED] if resolved else [EventKind.RESOLVED]
        kind = draw(st.sampled_from(choices))
        extra: dict[str, object] = {}
        if kind is EventKind.PAUSED:
            extra["reason"] = draw(st.sampled_from(tuple(reasons)))
        elif kind is EventKind.REGRADED:
            extra["grade"] = draw(st.sampled_from(GRADES))
        elif kind is EventKind.APPOINTMENT_SET or kind is EventKind.APPOINTMENT_CHANGED:
            extra["appointment"] = at + draw(steps)
        events.append(Event(kind, at, **extra))  # type: ignore[arg-type]
        dispatched = dispatched or kind is EventKind.DISPATCHED
        appointed = appointed or kind is EventKind.APPOINTMENT_SET
        if kind in (EventKind.PAUSED, EventKind.RESUMED):
            paused = kind is EventKind.PAUSED
        if kind in (EventKind.RESOLVED, EventKind.REOPENED):
            resolved = kind is EventKind.RESOLVED
    grade = draw(st.sampled_from(("", *GRADES)))
    tier = draw(st.sampled_from(("", *TIERS)))
    return Timeline(
        tuple(events),
        kind=draw(st.sampled_from(tuple(kinds))),
        grade=grade,
        tier=tier,
        property_type=draw(st.sampled_from(("", *property_types))),
    )


def timelines(
    *,
    kinds: Sequence[str] = ("repair.in_home", "repair.public.minor", "complaint", "call"),
    max_events: int = 8,
    starts: st.SearchStrategy[datetime] | None = None,
    step: timedelta = timedelta(hours=30),
    reasons: Sequence[str] = _REASONS,
    property_types: Sequence[str] = ("residential", "commercial", "office"),
) -> st.SearchStrategy[Timeline]:
    """Valid :class:`~propcrm.sla.Timeline` values: possible event sequences only.

    Args:
        kinds: Work-order kinds to draw from.
        max_events: At most this many events (the first is always ``received``).
        starts: When items are received; default whole minutes of 2025-2026 in Shanghai.
        step: The longest gap between two events (and from an event to an appointment).
        reasons: Pause reasons to draw from; empty for timelines that never pause.
        property_types: Property types to draw from (besides none).
    """
    if max_events < 1:
        raise ValidationError.expected("max_events", "an integer >= 1", max_events)
    if not kinds:
        raise ValidationError.expected("kinds", "at least one request kind", kinds)
    if starts is None:
        base = datetime(2025, 1, 1, tzinfo=_SHANGHAI)
        starts = st.integers(0, 700 * 24 * 60).map(lambda m: base + timedelta(minutes=m))
    return _timeline(starts, kinds, max_events, step, tuple(reasons), tuple(property_types))


def work_orders(
    *, timeline: st.SearchStrategy[Timeline] | None = None
) -> st.SearchStrategy[WorkOrder]:
    """:class:`~propcrm.work_orders.WorkOrder` entities around valid timelines.

    Args:
        timeline: The timelines to wrap; by default :func:`timelines` of repair kinds.

    Raises:
        ValidationError: ``timeline`` is not a strategy.
    """
    if timeline is None:
        timeline = timelines(kinds=("repair.in_home", "repair.public.minor"))
    elif not isinstance(timeline, st.SearchStrategy):
        raise ValidationError.expected("timeline", "a hypothesis strategy", timeline)
    return st.builds(
        WorkOrder,
        id=st.from_regex(r"WO-[0-9]{1,6}", fullmatch=True),
        timeline=timeline,
        callback_kind=st.sampled_from(["ordinary", "safety", "leak"]),
        community=st.sampled_from(["", "东区", "西区", "Block 7"]),
        customer_id=st.sampled_from(["", "C-1", "C-42"]),
        version=st.integers(0, 5),
    )
