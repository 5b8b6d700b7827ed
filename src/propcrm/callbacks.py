"""Callbacks and care (回访 / 拜访): who calls whom back, when, and whether it was done.

After a service the customer is called back in three steps (phone within 24 h,
visit within a week, questionnaire within a month — 000 §3.2); after a repair
the callback comes within a week, sooner for safety facilities and leaks, and
is owned by a manager, a supervisor or the repair lead in fixed shares (002
回访工作制度); after a complaint is handled the complainant is called back
(002 §42). Routine rounds, residents' forums and VIP family care (亲情服务,
002 §33) are planned with :mod:`dateutil.rrule` and China's festival calendar.

Every planner returns :class:`CallbackTask` items whose times fall inside a
*contact-allowed calendar* (default: every day 09:00-20:00, no lunch gap,
closed on public holidays): a task whose window opens at night starts in the
next morning's window, and a task that cannot be reached before it is due is
reported, never quietly moved past its due time.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> task = CallbackTask(
...     id="work_order:WO-1:repair:visit", subject=Subject(SubjectKind.WORK_ORDER, "WO-1"),
...     kind=CallbackKind.VISIT, customer="C-1", owner_role="repair_lead",
...     earliest=datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
...     due=datetime(2025, 3, 5, 18, tzinfo=ZoneInfo("Asia/Shanghai")))
>>> done = record_outcome(task, Outcome(at=datetime(2025, 3, 4, 10, tzinfo=ZoneInfo("UTC")),
...                       reached=True, problem="tap still drips"), policy=CallbackPolicy())
>>> done.task.status, done.notice.due.isoformat()
(<TaskStatus.DONE: 'done'>, '2025-03-05T10:00:00+00:00')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum
from typing import Any, Protocol

import attrs
from attrs import define, field, frozen

from propcrm import _callback_balance as _balance
from propcrm import _callback_rounds as _rounds
from propcrm._callback_balance import Assignment, RoleShareAllocator, StaffMember
from propcrm._time import require_aware, zone
from propcrm._validators import (
    aware_datetime,
    int_at_least,
    non_empty_str,
    number_between,
    positive_duration,
)
from propcrm.calendar import BusinessCalendar, CalendarPolicy
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "Assignment",
    "BalancePlan",
    "CallbackKind",
    "CallbackPlan",
    "CallbackPolicy",
    "CallbackTask",
    "CompletedRepair",
    "ContactCalendar",
    "Coverage",
    "Outcome",
    "OutcomeResult",
    "RectificationNotice",
    "RoleShareAllocator",
    "StaffMember",
    "Subject",
    "SubjectKind",
    "TaskStatus",
    "Unscheduled",
    "balance",
    "coverage",
    "plan_after_complaint",
    "plan_after_repair",
    "plan_after_service",
    "plan_repair_callbacks",
    "plan_rounds",
    "plan_tier_visits",
    "plan_vip_care",
    "record_outcome",
]

_REPAIR_RULES = "002 回访工作制度"
_ROUNDS_RULES = "002 回访制度"


class ContactCalendar(Protocol):
    """The business-calendar operations callbacks need; a :class:`BusinessCalendar` has them.

    The contact calendar says when customers may be called or visited; by
    default it is the policy's calendar named ``"contact"`` (every day
    09:00-20:00, no lunch gap, closed over China's public holidays), built
    with :meth:`CallbackPolicy.build_contact_calendar`.
    """

    @property
    def tz(self) -> tzinfo:
        """The calendar's time zone."""
        ...

    def next_working_time(self, moment: datetime) -> datetime:
        """Return ``moment`` if it is working time, else the next working instant."""
        ...

    def close_of_day(self, moment: datetime) -> datetime:
        """Return the close of the working day containing ``moment`` (or of the next one)."""
        ...


class SubjectKind(Enum):
    """What a callback follows up."""

    WORK_ORDER = "work_order"
    COMPLAINT = "complaint"
    CUSTOMER = "customer"
    VIP_CARD = "vip_card"
    COMMUNITY = "community"


class CallbackKind(Enum):
    """How the customer is contacted."""

    PHONE = "phone"
    VISIT = "visit"
    QUESTIONNAIRE = "questionnaire"
    GREETING = "greeting"
    REMINDER = "reminder"
    FORUM = "forum"


class TaskStatus(Enum):
    """Where a callback task stands."""

    PLANNED = "planned"
    DONE = "done"
    UNREACHED = "unreached"


_PER_YEAR = (1, 2, 3, 4, 6, 12)


def _check_per_year(value: object, name: str) -> None:
    if isinstance(value, bool) or value not in _PER_YEAR:
        raise ValidationError.expected(
            name, "1, 2, 3, 4, 6 or 12 times a year", value, "rounds split the year evenly"
        )


def _per_year(instance: object, attribute: Any, value: Any) -> None:
    _check_per_year(value, attribute.name)


def _tier_frequencies(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict) or not set(value) <= {"A", "B", "C", "D"}:
        raise ValidationError.expected(attribute.name, "a table keyed by tiers A-D", value)
    for tier, count in value.items():
        if isinstance(count, bool) or count != 0:
            _check_per_year(count, f"{attribute.name}.{tier}")


def _durations_by_kind(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, dict) or not value:
        raise ValidationError.expected(attribute.name, "a non-empty table of durations", value)
    for kind, within in value.items():
        if not isinstance(within, timedelta) or within <= timedelta(0):
            raise ValidationError.expected(
                f"{attribute.name}.{kind}", "a positive duration", within
            )


def _role_shares(instance: object, attribute: Any, value: Any) -> None:
    _rounds.share_weights(value, attribute.name)


def _festival_tuple(value: object) -> tuple[str, ...]:
    """Festival names as a tuple; one string would otherwise split into letters."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError.expected(
            "festivals",
            "a list of festival names",
            value,
            "pass a list such as ['National Day'], even for one festival",
        )
    return tuple(value)


def _festivals(instance: object, attribute: Any, value: Any) -> None:
    known = _rounds.festival_names()
    for name in value:
        if not isinstance(name, str) or name.lower() not in {k.lower() for k in known}:
            raise ValidationError.expected(
                attribute.name,
                "names of China's public holidays",
                name,
                f"use names such as {', '.join(sorted(known))}",
            )


@frozen
class CallbackPolicy:
    """Every number of the callback rules (RULES §6), with the defaults of the sources.

    Durations are elapsed time (``"24h"``, ``"7d"``); a month is 30 days.

    Attributes:
        service_phone_within: Phone callback after a service (000 §3.2).
        service_visit_within: Visit after a service (000 §3.2).
        service_questionnaire_within: Questionnaire after a service (000 §3.2).
        repair_within: Repair callback by repair kind (002 回访工作制度 §2).
        rectification_within: A problem found becomes a written notice within this (§4).
        complaint_callback_within: Callback after a complaint is handled (002 §42).
        role_shares: Minimum share of repair callbacks per owner role (§1).
        service_role: Role owning the three-step callback.
        complaint_role: Role owning complaint callbacks (the customer-service office).
        director_role: Role of the office director (管理处主任).
        officer_role: Role of the property officers (物管员).
        vip_role: Role of the VIP assistant (客户助理, 002 §19).
        director_visits_per_year: Director's visits to each household (1-2 a year).
        officer_rounds_per_year: Officers' calls to each household of their area.
        forums_per_year: Residents' forums (住户座谈会) per community.
        visits_per_year_by_tier: Relationship visits per customer by tier (0: none).
        festivals: China's festivals that get a VIP greeting, by holiday name.
        greeting_lead: How long before a festival or birthday the greeting may go out
            (7 days by default, so a festival inside a closed holiday break, such as
            Mid-Autumn on 2025-10-06, can still be greeted on the working days before it).
        card_expiry_reminder_lead: How long before a VIP card expires the reminder starts.
        daily_capacity: Callbacks one person can do in a day, unless set per person.
        coverage_target: Share of customers to reach each month (Dongke plan, 002).
        contact_calendar: Name of the contact-allowed calendar in ``Policy.calendars``.
    """

    service_phone_within: timedelta = field(
        default=timedelta(hours=24), validator=positive_duration
    )
    service_visit_within: timedelta = field(default=timedelta(days=7), validator=positive_duration)
    service_questionnaire_within: timedelta = field(
        default=timedelta(days=30), validator=positive_duration
    )
    repair_within: dict[str, timedelta] = field(
        factory=lambda: {
            "ordinary": timedelta(days=7),
            "safety": timedelta(days=2),
            "leak": timedelta(days=3),
        },
        validator=_durations_by_kind,
    )
    rectification_within: timedelta = field(
        default=timedelta(hours=24), validator=positive_duration
    )
    complaint_callback_within: timedelta = field(
        default=timedelta(hours=24), validator=positive_duration
    )
    role_shares: dict[str, float] = field(
        factory=lambda: {"manager": 0.1, "supervisor": 0.3, "repair_lead": 0.6},
        validator=_role_shares,
    )
    service_role: str = field(default="customer_service", validator=non_empty_str)
    complaint_role: str = field(default="customer_service", validator=non_empty_str)
    director_role: str = field(default="office_director", validator=non_empty_str)
    officer_role: str = field(default="property_officer", validator=non_empty_str)
    vip_role: str = field(default="vip_assistant", validator=non_empty_str)
    director_visits_per_year: int = field(default=1, validator=_per_year)
    officer_rounds_per_year: int = field(default=4, validator=_per_year)
    forums_per_year: int = field(default=4, validator=_per_year)
    visits_per_year_by_tier: dict[str, int] = field(
        factory=lambda: {"A": 12, "B": 4, "C": 1, "D": 4}, validator=_tier_frequencies
    )
    festivals: tuple[str, ...] = field(
        default=("Spring Festival", "Dragon Boat Festival", "Mid-Autumn Festival", "National Day"),
        converter=_festival_tuple,
        validator=_festivals,
    )
    greeting_lead: timedelta = field(default=timedelta(days=7), validator=positive_duration)
    card_expiry_reminder_lead: timedelta = field(
        default=timedelta(days=30), validator=positive_duration
    )
    daily_capacity: int = field(default=40, validator=int_at_least(1))
    coverage_target: float = field(default=0.85, validator=number_between(0.0, 1.0))
    contact_calendar: str = field(default="contact", validator=non_empty_str)

    def build_contact_calendar(
        self,
        calendars: CalendarPolicy,
        default_tz: str | tzinfo = "Asia/Shanghai",
        *,
        years: Iterable[int] | None = None,
    ) -> BusinessCalendar:
        """Build the contact-allowed calendar this policy names from ``calendars``.

        >>> from zoneinfo import ZoneInfo
        >>> from propcrm import Policy
        >>> policy = Policy()
        >>> contact = policy.callbacks.build_contact_calendar(policy.calendars, policy.timezone)
        >>> contact.next_working_time(datetime(2025, 9, 30, 21, tzinfo=ZoneInfo("Asia/Shanghai")))
        datetime.datetime(2025, 10, 9, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))

        Raises:
            ValidationError: ``calendars`` has no calendar of that name.
        """
        spec = calendars.get(self.contact_calendar)
        if spec is None:
            raise ValidationError.expected(
                "contact_calendar",
                f"one of the policy's calendars {sorted(calendars)}",
                self.contact_calendar,
                f"add it as [calendars.{self.contact_calendar}] or name another",
            )
        return spec.build(default_tz, years=years)


@frozen
class Subject:
    """What a callback follows up: a kind and the id of that record."""

    kind: SubjectKind
    id: str = field(validator=non_empty_str)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


@frozen
class Outcome:
    """What a callback found.

    Attributes:
        at: When the contact happened (or was attempted).
        reached: Whether the customer was reached.
        satisfied: Whether the customer was satisfied (only if reached).
        problem: The problem found, if any (实地查看维修项目; ``""`` for none).
        signed_by: Who signed the callback record (请被回访人签名), if anyone.
        note: Free text: improvement suggestions, the charge checked, ...
    """

    at: datetime = field(validator=aware_datetime)
    reached: bool
    satisfied: bool = False
    problem: str = ""
    signed_by: str = ""
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.reached and (self.satisfied or self.problem or self.signed_by):
            raise ValidationError.expected(
                "reached",
                "True when satisfaction, a problem or a signature is recorded",
                self.reached,
                "record an unreached attempt without them",
            )

    @property
    def problem_found(self) -> bool:
        """Whether the callback found a problem to rectify."""
        return bool(self.problem.strip())


def _reasons(value: Iterable[Reason]) -> tuple[Reason, ...]:
    return tuple(value)


@define
class CallbackTask:
    """One callback (回访) to make: whom, about what, how, within which window, by whom.

    Attributes:
        id: Stable id ``{subject}:{family}:{kind}[:{period or occasion}]``,
            e.g. ``"work_order:WO-1:repair:visit"``; the rule family
            (``service``, ``repair``, ``complaint``, ``rounds.director``,
            ``rounds.officer``, ``rounds.forum``, ``tier``, ``vip``) keeps
            the tasks of different planners for one subject apart.
        subject: The record followed up.
        kind: Phone, visit, questionnaire, greeting, reminder or forum.
        customer: The customer (or household) contacted; ``""`` for a forum.
        owner_role: The role that owns the callback.
        earliest: First contact-allowed instant of the window.
        due: When the rule says it must be done by.
        staff: The person assigned, ``""`` until assigned.
        technician: The person whose work is followed up (gets rectification notices).
        status: Planned, done or unreached.
        outcome: What the callback found, once recorded.
        reasons: Why the task exists and why its window is what it is.
        version: Optimistic-concurrency version for storage.
    """

    id: str = field(validator=non_empty_str)
    subject: Subject
    kind: CallbackKind
    customer: str
    owner_role: str = field(validator=non_empty_str)
    earliest: datetime = field(validator=aware_datetime)
    due: datetime = field(validator=aware_datetime)
    staff: str = ""
    technician: str = ""
    status: TaskStatus = TaskStatus.PLANNED
    outcome: Outcome | None = None
    reasons: tuple[Reason, ...] = field(default=(), converter=_reasons)
    version: int = field(default=1, validator=int_at_least(1))

    @property
    def fits_window(self) -> bool:
        """Whether contact-allowed time exists before :attr:`due` (else it was reported)."""
        return self.earliest < self.due


@frozen
class RectificationNotice:
    """A written notice to the technician (整改通知) after a callback found a problem.

    Attributes:
        task_id: The callback that found the problem.
        subject: What was followed up.
        technician: Who must rectify (``""`` when unknown).
        problem: What was found.
        issued_at: When the callback found it.
        due: When the written notice must reach the technician (within 24 h by default).
        reasons: The rule behind it.
    """

    task_id: str
    subject: Subject
    technician: str
    problem: str
    issued_at: datetime
    due: datetime
    reasons: tuple[Reason, ...]


@frozen
class OutcomeResult:
    """The task with its outcome recorded, and the rectification notice if one is owed."""

    task: CallbackTask
    notice: RectificationNotice | None
    reasons: tuple[Reason, ...]


@frozen
class CallbackPlan:
    """Tasks a planner produced, with plan-level notes.

    Attributes:
        tasks: The planned tasks, each with its reasons.
        notes: Anything the planner could not do (e.g. a festival missing in a year).
    """

    tasks: tuple[CallbackTask, ...]
    notes: tuple[Reason, ...] = ()

    @property
    def late(self) -> tuple[CallbackTask, ...]:
        """Tasks with no contact-allowed time before their due time (reported, not hidden)."""
        return tuple(t for t in self.tasks if not t.fits_window)


@frozen
class CompletedRepair:
    """A finished repair that needs its callback.

    Attributes:
        order_id: The work order.
        customer: The customer whose repair it was.
        completed_at: When the repair was completed.
        kind: The repair kind, a key of ``CallbackPolicy.repair_within``.
        technician: Who did the repair.
    """

    order_id: str = field(validator=non_empty_str)
    customer: str = field(validator=non_empty_str)
    completed_at: datetime = field(validator=aware_datetime)
    kind: str = "ordinary"
    technician: str = ""


@frozen
class Unscheduled:
    """A task the balancer could not place in time, and why."""

    task: CallbackTask
    reason: Reason


@frozen
class BalancePlan:
    """What :func:`balance` decided.

    Attributes:
        assignments: Tasks given to people, each on a day inside its window.
        late: Tasks that cannot be done in time (no person with the role, a
            ``staff`` id not among the staff, no capacity, or no contact time
            before the due time) — reported, never scheduled late.
        deferred: Tasks whose window lies beyond the planning horizon.
    """

    assignments: tuple[Assignment, ...]
    late: tuple[Unscheduled, ...]
    deferred: tuple[CallbackTask, ...]

    def load(self) -> dict[tuple[str, date], int]:
        """Count the tasks given to each (person, day)."""
        out: dict[tuple[str, date], int] = {}
        for a in self.assignments:
            out[a.staff, a.day] = out.get((a.staff, a.day), 0) + 1
        return out


@frozen
class Coverage:
    """Share of customers reached by a callback in a month, against the target.

    Attributes:
        month: The first day of the month.
        customers: How many customers there are.
        reached: How many were reached at least once in the month.
        share: ``reached / customers``.
        target: The policy target (85 % by default).
        met: Whether ``share >= target``.
        unreached: The customers not reached, sorted.
        reasons: Why it is met or not.
    """

    month: date
    customers: int
    reached: int
    share: float
    target: float
    met: bool
    unreached: tuple[str, ...]
    reasons: tuple[Reason, ...]


# --- planners ------------------------------------------------------------------------------


def plan_after_service(
    order_id: str,
    *,
    customer: str,
    completed_at: datetime,
    policy: CallbackPolicy,
    calendar: ContactCalendar,
    technician: str = "",
) -> CallbackPlan:
    """Plan the three-step callback (三次回访) after a completed service (000 §3.2).

    A phone call within 24 h, a visit within a week and a questionnaire within
    a month, each counted from ``completed_at``.
    """
    start = require_aware(completed_at, "completed_at")
    steps = (
        (CallbackKind.PHONE, policy.service_phone_within),
        (CallbackKind.VISIT, policy.service_visit_within),
        (CallbackKind.QUESTIONNAIRE, policy.service_questionnaire_within),
    )
    subject = Subject(SubjectKind.WORK_ORDER, order_id)
    tasks = tuple(
        _task(
            subject,
            kind,
            customer,
            policy.service_role,
            start,
            _rounds.plus(start, within),
            calendar,
            Reason(
                f"callback.service.{kind.value}",
                f"{kind.value} callback within {_rounds.human(within)} of the service",
                {"completed_at": start.isoformat(), "within": within},
                "000 §3.2",
            ),
            family="service",
            technician=technician,
        )
        for kind, within in steps
    )
    return CallbackPlan(tasks)


def plan_after_repair(
    repair: CompletedRepair,
    *,
    owner_role: str,
    policy: CallbackPolicy,
    calendar: ContactCalendar,
) -> CallbackPlan:
    """Plan the callback visit after a repair, due by repair kind (002 回访工作制度 §2).

    Ordinary repairs within 7 days, safety facilities within 2, leaks within 3.
    The visit inspects the repair, asks about the technician and the charge,
    and gets a signature (§3).

    Raises:
        ValidationError: ``repair.kind`` is not a key of ``policy.repair_within``.
    """
    return CallbackPlan((_repair_task(repair, owner_role, policy, calendar, {}),))


def plan_repair_callbacks(
    repairs: Iterable[CompletedRepair],
    *,
    allocator: RoleShareAllocator,
    policy: CallbackPolicy,
    calendar: ContactCalendar,
) -> CallbackPlan:
    """Plan one callback per repair, owners drawn from ``allocator`` (002 回访工作制度 §1-2).

    The allocator advances by one per repair; store its ``counts`` to resume.
    """
    rules: dict[tuple[str, str], Reason] = {}
    return CallbackPlan(
        tuple(_repair_task(r, allocator.assign(), policy, calendar, rules) for r in repairs)
    )


def plan_after_complaint(
    complaint_id: str,
    *,
    customer: str,
    handled_at: datetime,
    policy: CallbackPolicy,
    calendar: ContactCalendar,
) -> CallbackPlan:
    """Plan the callback to a complainant after the complaint is handled (002 §42)."""
    start = require_aware(handled_at, "handled_at")
    within = policy.complaint_callback_within
    reason = Reason(
        "callback.complaint",
        f"complaint handled: call the complainant back within {_rounds.human(within)} "
        "to hear their view of the handling",
        {"handled_at": start.isoformat(), "within": within},
        "002 §42",
    )
    subject = Subject(SubjectKind.COMPLAINT, complaint_id)
    task = _task(
        subject,
        CallbackKind.PHONE,
        customer,
        policy.complaint_role,
        start,
        _rounds.plus(start, within),
        calendar,
        reason,
        family="complaint",
    )
    return CallbackPlan((task,))


def plan_rounds(
    *,
    year: int,
    households: Iterable[str] = (),
    areas: Mapping[str, Iterable[str]] | None = None,
    communities: Iterable[str] = (),
    policy: CallbackPolicy,
    calendar: ContactCalendar,
) -> CallbackPlan:
    """Plan a year of routine relationship work (002 回访制度 2).

    The office director visits each of ``households`` 1-2 times a year (2(1));
    property officers call each household of their area every quarter (2(2));
    each of ``communities`` holds a residents' forum (住户座谈会) every quarter
    (2(3)). Each round's window is its share of the year (e.g. a quarter).

    Args:
        year: The year to plan.
        households: Households the director visits.
        areas: Area -> its households, for the officers' calls.
        communities: Communities that hold forums.
        policy: The callback policy (``*_per_year`` settings).
        calendar: The contact-allowed calendar.
    """
    _rounds.require_year(year)
    officers = [h for hs in (areas or {}).values() for h in hs]
    rounds = (
        ("director", "the office director visits each household", policy.director_visits_per_year,
         CallbackKind.VISIT, policy.director_role, "2(1)",
         [(h, SubjectKind.CUSTOMER, h) for h in households]),
        ("officer", "property officers call each household of their area",
         policy.officer_rounds_per_year, CallbackKind.PHONE, policy.officer_role, "2(2)",
         [(h, SubjectKind.CUSTOMER, h) for h in officers]),
        ("forum", "a residents' forum is held", policy.forums_per_year, CallbackKind.FORUM,
         policy.director_role, "2(3)", [(c, SubjectKind.COMMUNITY, "") for c in communities]),
    )  # fmt: skip
    tasks: list[CallbackTask] = []
    for name, what, per_year, kind, role, article, items in rounds:
        rule = Reason(
            f"callback.rounds.{name}",
            f"{what} {per_year} time(s) a year",
            {"per_year": per_year},
            f"{_ROUNDS_RULES} {article}",
        )
        tasks += _rounds_plan(f"rounds.{name}", items, kind, role, per_year, year, calendar, rule)
    return CallbackPlan(tuple(tasks))


def plan_tier_visits(
    tiers: Mapping[str, str], *, year: int, policy: CallbackPolicy, calendar: ContactCalendar
) -> CallbackPlan:
    """Plan relationship visits (拜访) by customer tier (002 §5, §10; frequencies are policy).

    Tier-A (VIP) visits are owned by the VIP assistant (002 §19, §35), the
    others by the property officers.

    Args:
        tiers: Customer id -> tier label ``"A"`` .. ``"D"``.
        year: The year to plan.
        policy: The callback policy (``visits_per_year_by_tier``).
        calendar: The contact-allowed calendar.
    """
    _rounds.require_year(year)
    tasks: list[CallbackTask] = []
    for customer, tier in tiers.items():
        if tier not in ("A", "B", "C", "D"):
            raise ValidationError.expected(f"tiers.{customer}", "a tier 'A'..'D'", tier)
        per_year = policy.visits_per_year_by_tier.get(tier, 0)
        if per_year == 0:
            continue
        rule = Reason(
            f"callback.rounds.tier_{tier.lower()}",
            f"tier {tier} customers are visited {per_year} time(s) a year",
            {"tier": tier, "per_year": per_year},
            "002 §10",
        )
        role = policy.vip_role if tier == "A" else policy.officer_role
        items = [(customer, SubjectKind.CUSTOMER, customer)]
        tasks += _rounds_plan(
            "tier", items, CallbackKind.VISIT, role, per_year, year, calendar, rule
        )
    return CallbackPlan(tuple(tasks))


def plan_vip_care(
    card_id: str,
    *,
    customer: str,
    birthdays: Mapping[str, date],
    card_expires: date,
    year: int,
    policy: CallbackPolicy,
    calendar: ContactCalendar,
) -> CallbackPlan:
    """Plan a VIP's family care for a year (亲情服务, 002 §33) and the card-expiry reminder.

    Greetings go out in the contact window from ``greeting_lead`` before each
    festival of ``policy.festivals`` (dates from China's holiday calendar) and
    each birthday of the VIP and family (a 29 February birthday is greeted on
    28 February in common years), until the end of the day itself. The expiry
    reminder (``card_expires`` is the first day the card is invalid, 002 §26)
    runs from ``card_expiry_reminder_lead`` before it, and is planned in the
    year that window starts.

    Args:
        card_id: The VIP card.
        customer: The VIP customer.
        birthdays: Person (e.g. ``"self"``, ``"spouse"``) -> date of birth.
        card_expires: The card's first invalid day.
        year: The year to plan.
        policy: The callback policy.
        calendar: The contact-allowed calendar.
    """
    _rounds.require_year(year)
    tz = calendar.tz
    subject = Subject(SubjectKind.VIP_CARD, card_id)
    tasks: list[CallbackTask] = []
    found, missing = _rounds.festival_days(policy.festivals, year)
    occasions = [(f"festival:{name}", day, name) for name, day in found]
    for person, born in sorted(birthdays.items()):
        if _rounds.require_date(born, f"birthdays.{person}").year > year:
            continue  # not born yet in the planned year
        occasions.append((f"birthday:{person}", _rounds.birthday_in(born, year), person))
    for label, day, what in occasions:
        end = _rounds.midnight(day + timedelta(days=1), tz)
        rule = Reason(
            f"callback.vip.{label.split(':')[0]}",
            f"greet the VIP on {what} ({day.isoformat()})",
            {"occasion": label, "day": day.isoformat()},
            "002 §33",
        )
        task = _task(
            subject,
            CallbackKind.GREETING,
            customer,
            policy.vip_role,
            _rounds.plus(_rounds.midnight(day, tz), -policy.greeting_lead),
            end,
            calendar,
            rule,
            family="vip",
            suffix=f"{label}:{year}",
        )
        tasks.append(task)
    _rounds.require_date(card_expires, "card_expires")
    expires = _rounds.midnight(card_expires, tz)
    starts = _rounds.plus(expires, -policy.card_expiry_reminder_lead)
    if starts.year == year:
        rule = Reason(
            "callback.vip.card_expiry",
            f"remind the VIP that the card expires on {card_expires.isoformat()} "
            "and re-verify for renewal",
            {"card_expires": card_expires.isoformat(), "lead": policy.card_expiry_reminder_lead},
            "002 §26",
        )
        tasks.append(
            _task(
                subject,
                CallbackKind.REMINDER,
                customer,
                policy.vip_role,
                starts,
                expires,
                calendar,
                rule,
                family="vip",
                suffix=f"card_expiry:{card_expires.isoformat()}",
            )
        )
    notes = tuple(
        Reason(
            "callback.vip.festival_missing",
            f"{name!r} is not in China's holiday calendar for {year}; no greeting planned",
            {"festival": name, "year": year},
            "002 §33",
        )
        for name in missing
    )
    return CallbackPlan(tuple(tasks), notes)


# --- outcomes, balancing, coverage ---------------------------------------------------------


def record_outcome(
    task: CallbackTask, outcome: Outcome, *, policy: CallbackPolicy
) -> OutcomeResult:
    """Record what a callback found; a problem found owes a rectification notice.

    The notice is due ``policy.rectification_within`` (24 h) after the
    callback (002 回访工作制度 §4). The task is not changed in place: the
    result holds a new version.

    Raises:
        ValidationError: the task already has an outcome.
    """
    if task.outcome is not None:
        raise ValidationError.expected(
            "task", "a task without an outcome", task.id, "a callback's outcome is recorded once"
        )
    status = TaskStatus.DONE if outcome.reached else TaskStatus.UNREACHED
    reasons: list[Reason] = []
    if outcome.at > task.due:
        reasons.append(
            Reason(
                "callback.done_late",
                f"the callback happened after its due time {task.due.isoformat()}",
                {"at": outcome.at.isoformat(), "due": task.due.isoformat()},
            )
        )
    notice = None
    if outcome.problem_found:
        due = _rounds.plus(outcome.at, policy.rectification_within)
        why = Reason(
            "callback.rectification",
            f"problem found on the callback: notify the technician in writing "
            f"within {_rounds.human(policy.rectification_within)}",
            {"problem": outcome.problem, "due": due.isoformat()},
            f"{_REPAIR_RULES} §4",
        )
        reasons.append(why)
        notice = RectificationNotice(
            task.id, task.subject, task.technician, outcome.problem, outcome.at, due, (why,)
        )
    done = attrs.evolve(task, status=status, outcome=outcome, version=task.version + 1)
    return OutcomeResult(done, notice, tuple(reasons))


def balance(
    tasks: Iterable[CallbackTask],
    staff: Sequence[StaffMember],
    *,
    start: date,
    days: int,
    policy: CallbackPolicy,
    calendar: ContactCalendar,
) -> BalancePlan:
    """Give tasks to people, earliest due first, within each person's daily capacity.

    A task goes to a person with its ``owner_role`` (or to its ``staff`` if
    already set) on the first contact day of its window with capacity left,
    to the person with the most capacity left that day. What cannot be done
    before its due time is reported in ``late``, never scheduled late; tasks
    whose window lies beyond ``start + days`` are ``deferred``. A task whose
    ``staff`` is not one of ``staff`` is reported in ``late`` with the rule
    ``callback.balance.unknown_staff``, whenever it is due.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValidationError.expected("days", "an integer >= 1", days)
    _rounds.require_date(start, "start")
    placed, refused, deferred = _balance.balance_core(
        tasks, staff, start=start, days=days, capacity=policy.daily_capacity, calendar=calendar
    )
    return BalancePlan(
        tuple(Assignment(task.id, person, day) for task, person, day in placed),
        tuple(
            Unscheduled(task, Reason(f"callback.balance.{rule}", message, facts))
            for task, rule, message, facts in refused
        ),
        tuple(deferred),
    )


def coverage(
    customers: Iterable[str],
    tasks: Iterable[CallbackTask],
    *,
    month: date,
    tz: str | tzinfo,
    policy: CallbackPolicy,
) -> Coverage:
    """Share of customers reached by any callback in ``month`` (Dongke plan ≥ 85 %, 002).

    A customer counts as reached when a task for them has a reached outcome
    whose time falls in the month, in zone ``tz``.

    Raises:
        ValidationError: ``customers`` is empty.
    """
    zone_ = zone(tz)
    everyone = set(customers)
    if not everyone:
        raise ValidationError.expected("customers", "at least one customer id", [])
    first = _rounds.require_date(month, "month").replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    reached = {
        t.customer
        for t in tasks
        if t.outcome is not None
        and t.outcome.reached
        and t.customer in everyone
        and first <= t.outcome.at.astimezone(zone_).date() < after
    }
    share = len(reached) / len(everyone)
    met = share >= policy.coverage_target
    reason = Reason(
        "callback.coverage." + ("met" if met else "below_target"),
        f"{len(reached)} of {len(everyone)} customers reached in {first:%Y-%m} "
        f"({share:.1%}; target {policy.coverage_target:.0%})",
        {"reached": len(reached), "customers": len(everyone), "target": policy.coverage_target},
        "002 东科方案 5.1",
    )
    return Coverage(
        first,
        len(everyone),
        len(reached),
        share,
        policy.coverage_target,
        met,
        tuple(sorted(everyone - reached)),
        (reason,),
    )


# --- private helpers -----------------------------------------------------------------------


def _task(
    subject: Subject,
    kind: CallbackKind,
    customer: str,
    owner_role: str,
    opens: datetime,
    due: datetime,
    calendar: ContactCalendar,
    reason: Reason,
    *,
    family: str,
    technician: str = "",
    suffix: str = "",
) -> CallbackTask:
    """Build a task whose window starts at the first contact-allowed instant.

    Its id is ``{subject}:{family}:{kind}[:{suffix}]``: the rule family keeps
    the tasks of different planners for one subject apart.
    """
    tz = calendar.tz
    opens = opens.astimezone(tz)
    due = due.astimezone(tz)
    earliest = calendar.next_working_time(opens)
    reasons = [reason]
    if earliest != opens:
        reasons.append(
            Reason(
                "callback.contact_window.moved",
                f"no contact at {opens:%Y-%m-%d %H:%M}; starts at the next contact-allowed "
                f"time {earliest:%Y-%m-%d %H:%M}",
                {"opens": opens.isoformat(), "earliest": earliest.isoformat()},
            )
        )
    if earliest >= due:
        reasons.append(
            Reason(
                "callback.contact_window.past_due",
                f"no contact-allowed time before the due time {due:%Y-%m-%d %H:%M}: "
                f"the first is {earliest:%Y-%m-%d %H:%M}",
                {"earliest": earliest.isoformat(), "due": due.isoformat()},
            )
        )
    task_id = f"{subject}:{family}:{kind.value}" + (f":{suffix}" if suffix else "")
    return CallbackTask(
        task_id,
        subject,
        kind,
        customer,
        owner_role,
        earliest,
        due,
        technician=technician,
        reasons=tuple(reasons),
    )


def _repair_task(
    repair: CompletedRepair,
    owner_role: str,
    policy: CallbackPolicy,
    calendar: ContactCalendar,
    rules: dict[tuple[str, str], Reason],
) -> CallbackTask:
    """The repair's callback visit; ``rules`` caches the reason per (kind, role)."""
    within = policy.repair_within.get(repair.kind)
    if within is None:
        raise ValidationError.expected(
            "kind", f"one of the repair kinds {sorted(policy.repair_within)}", repair.kind
        )
    reason = rules.get((repair.kind, owner_role))
    if reason is None:
        reason = rules[repair.kind, owner_role] = Reason(
            f"callback.repair.{repair.kind}",
            f"{repair.kind} repair: callback within {_rounds.human(within)}, owned by {owner_role}",
            {"kind": repair.kind, "within": within, "owner_role": owner_role},
            f"{_REPAIR_RULES} §2",
        )
    subject = Subject(SubjectKind.WORK_ORDER, repair.order_id)
    start = repair.completed_at
    due = _rounds.plus(start, within)
    return _task(subject, CallbackKind.VISIT, repair.customer, owner_role, start, due, calendar,
                 reason, family="repair", technician=repair.technician)  # fmt: skip


def _rounds_plan(
    family: str,
    items: Iterable[tuple[str, SubjectKind, str]],
    kind: CallbackKind,
    role: str,
    per_year: int,
    year: int,
    calendar: ContactCalendar,
    rule: Reason,
) -> list[CallbackTask]:
    periods = _rounds.periods(year, per_year, calendar.tz)
    return [
        _task(
            Subject(subject_kind, item),
            kind,
            customer,
            role,
            opens,
            closes,
            calendar,
            rule,
            family=family,
            suffix=f"{opens:%Y-%m}",
        )
        for item, subject_kind, customer in items
        for opens, closes in periods
    ]
