"""Routine relationship work and VIP family care: a year of rounds, visits and greetings.

Private module: import these names from :mod:`propcrm.callbacks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from propcrm import _callback_rounds as _rounds
from propcrm._callback_policy import ROUNDS_RULES, CallbackPolicy
from propcrm._callback_tasks import (
    DECISION,
    CallbackKind,
    CallbackPlan,
    CallbackTask,
    Subject,
    SubjectKind,
    greeting_hours,
    make_task,
)
from propcrm._checks import require_date, require_instance, require_items, require_mapping
from propcrm._slices import policy_slice
from propcrm.calendar import BusinessCalendar
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = ["plan_rounds", "plan_tier_visits", "plan_vip_care"]


_IDS = "a list of household (customer) ids"


def plan_rounds(
    *,
    year: int,
    households: Iterable[str] = (),
    areas: Mapping[str, Iterable[str]] | None = None,
    communities: Iterable[str] = (),
    calendar: BusinessCalendar,
    policy: object = None,
) -> CallbackPlan:
    """Plan a year of routine relationship work (002 回访制度 2).

    The office director visits each of ``households`` 1-2 times a year (2(1));
    property officers call each household of their area every quarter (2(2));
    each of ``communities`` holds a residents' forum (住户座谈会) every quarter
    (2(3)). Each round's window is its share of the year (e.g. a quarter),
    on calling days only.

    Args:
        year: The year to plan.
        households: Households (customer ids) the director visits.
        areas: Area -> its households, for the officers' calls.
        communities: Communities that hold forums.
        calendar: The calling-hours calendar (``policy.calendar("contact")``).
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    _rounds.require_year(year)
    require_instance(calendar, BusinessCalendar, "calendar", "a BusinessCalendar")
    households = require_items(households, "households", str, _IDS)
    communities = require_items(communities, "communities", str, "a list of community names")
    by_area = {} if areas is None else require_mapping(areas, "areas", "a mapping of area -> ids")
    officers = [
        h for area, hs in by_area.items() for h in require_items(hs, f"areas[{area!r}]", str, _IDS)
    ]
    rounds = (
        ("director", "the office director visits each household",
         settings.director_visits_per_year, CallbackKind.VISIT, settings.director_role, "2(1)",
         [(h, SubjectKind.CUSTOMER, h) for h in households]),
        ("officer", "property officers call each household of their area",
         settings.officer_rounds_per_year, CallbackKind.PHONE, settings.officer_role, "2(2)",
         [(h, SubjectKind.CUSTOMER, h) for h in officers]),
        ("forum", "a residents' forum is held", settings.forums_per_year, CallbackKind.FORUM,
         settings.director_role, "2(3)", [(c, SubjectKind.COMMUNITY, "") for c in communities]),
    )  # fmt: skip
    tasks: list[CallbackTask] = []
    for name, what, per_year, kind, role, article, items in rounds:
        rule = Reason(
            f"callback.rounds.{name}",
            f"{what} {per_year} time(s) a year",
            {"per_year": per_year},
            f"{ROUNDS_RULES} {article}",
        )
        tasks += _rounds_plan(f"rounds.{name}", items, kind, role, per_year, year, calendar, rule)
    return CallbackPlan(tuple(tasks))


def plan_tier_visits(
    tiers: Mapping[str, str],
    *,
    year: int,
    calendar: BusinessCalendar,
    policy: object = None,
) -> CallbackPlan:
    """Plan relationship visits (拜访) by customer tier; the frequencies are a Decision.

    By default tier A monthly, B and D quarterly, C yearly (RULES § 6; 002
    § 10 exists as a heading only). Tier-A (VIP) visits are owned by the VIP
    assistant (002 § 19, § 35), the others by the property officers.

    Args:
        tiers: Customer id -> tier label ``"A"`` .. ``"D"``.
        year: The year to plan.
        calendar: The calling-hours calendar (``policy.calendar("contact")``).
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    _rounds.require_year(year)
    tasks: list[CallbackTask] = []
    given = require_mapping(tiers, "tiers", "a mapping of customer id -> tier 'A'..'D'")
    for customer_id, tier in given.items():
        if tier not in ("A", "B", "C", "D"):
            raise ValidationError.expected(f"tiers.{customer_id}", "a tier 'A'..'D'", tier)
        per_year = settings.visits_per_year_by_tier.get(tier, 0)
        if per_year == 0:
            continue
        rule = Reason(
            f"callback.rounds.tier_{tier.lower()}",
            f"tier {tier} customers are visited {per_year} time(s) a year",
            {"tier": tier, "per_year": per_year},
            DECISION,
        )
        role = settings.vip_role if tier == "A" else settings.officer_role
        items = [(customer_id, SubjectKind.CUSTOMER, customer_id)]
        tasks += _rounds_plan(
            "tier", items, CallbackKind.VISIT, role, per_year, year, calendar, rule
        )
    return CallbackPlan(tuple(tasks))


def plan_vip_care(
    card_id: str,
    *,
    customer_id: str,
    birthdays: Mapping[str, date],
    card_expires: date,
    year: int,
    calendar: BusinessCalendar,
    policy: object = None,
) -> CallbackPlan:
    """Plan a VIP's family care for a year (亲情服务, 002 § 33) and the card-expiry reminder.

    Greetings go out **on the day itself**, within the calendar's calling
    hours, public holidays and other closed days included (RULES § 6): each
    festival of the policy's ``festivals`` (dates from China's holiday
    calendar) and each birthday of the VIP and family (a 29 February birthday
    is greeted on 28 February in common years). The expiry reminder
    (``card_expires`` is the first day the card is invalid, 002 § 26) is a
    routine callback: it runs on calling days from ``card_expiry_reminder_lead``
    before the expiry, and is planned in the year that window starts.

    Args:
        card_id: The VIP card.
        customer_id: The VIP customer.
        birthdays: Person (e.g. ``"self"``, ``"spouse"``) -> date of birth.
        card_expires: The card's first invalid day.
        year: The year to plan.
        calendar: The calling-hours calendar (``policy.calendar("contact")``).
        policy: The root policy, a :class:`CallbackPolicy` or ``None`` (defaults).
    """
    settings = policy_slice(policy, CallbackPolicy, "callbacks")
    _rounds.require_year(year)
    require_date(card_expires, "card_expires")
    require_instance(calendar, BusinessCalendar, "calendar", "a BusinessCalendar")
    people = require_mapping(birthdays, "birthdays", "a mapping of person -> date of birth")
    tz = calendar.tz
    every_day = greeting_hours(calendar)
    subject = Subject(SubjectKind.VIP_CARD, card_id)
    tasks: list[CallbackTask] = []
    found, missing = _rounds.festival_days(settings.festivals, year)
    occasions = [(f"festival:{name}", day, name) for name, day in found]
    for person, born in sorted(people.items(), key=lambda item: str(item[0])):
        if require_date(born, f"birthdays.{person}").year > year:
            continue  # not born yet in the planned year
        occasions.append((f"birthday:{person}", _rounds.birthday_in(born, year), person))
    for label, day, what in occasions:
        midnight = _rounds.midnight(day, tz)
        opens = every_day.next_working_time(midnight)
        rule = Reason(
            f"callback.vip.{label.split(':')[0]}",
            f"greet the VIP on {what} ({day.isoformat()}), on the day itself",
            {"occasion": label, "day": day.isoformat()},
            "002 §33",
        )
        task = make_task(
            subject,
            CallbackKind.GREETING,
            customer_id,
            settings.vip_role,
            opens if opens.date() == day else midnight,
            _rounds.midnight(day + timedelta(days=1), tz),
            every_day,
            rule,
            family="vip",
            suffix=f"{label}:{year}",
        )
        tasks.append(task)
    expires = _rounds.midnight(card_expires, tz)
    starts = _rounds.plus(expires, -settings.card_expiry_reminder_lead)
    if starts.year == year:
        rule = Reason(
            "callback.vip.card_expiry",
            f"remind the VIP that the card expires on {card_expires.isoformat()} "
            "and re-verify for renewal",
            {"card_expires": card_expires.isoformat(), "lead": settings.card_expiry_reminder_lead},
            "002 §26",
        )
        tasks.append(
            make_task(
                subject,
                CallbackKind.REMINDER,
                customer_id,
                settings.vip_role,
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


def _rounds_plan(
    family: str,
    items: Iterable[tuple[str, SubjectKind, str]],
    kind: CallbackKind,
    role: str,
    per_year: int,
    year: int,
    calendar: BusinessCalendar,
    rule: Reason,
) -> list[CallbackTask]:
    periods = _rounds.periods(year, per_year, calendar.tz)
    return [
        make_task(
            Subject(subject_kind, item),
            kind,
            customer_id,
            role,
            opens,
            closes,
            calendar,
            rule,
            family=family,
            suffix=f"{opens:%Y-%m}",
        )
        for item, subject_kind, customer_id in items
        for opens, closes in periods
    ]
