"""The callback policy (RULES § 6): every number and role of the callback rules, as data.

Private module: import :class:`CallbackPolicy` from :mod:`propcrm.callbacks`.
"""

# Annotations are evaluated here, not postponed: the classes are shown as
# propcrm.callbacks.<name>, so their type hints must resolve without this module.

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from attrs import field, frozen

from propcrm import _callback_rounds as _rounds
from propcrm._validators import int_at_least, non_empty_str, number_between, positive_duration
from propcrm.errors import ValidationError

__all__ = ["REPAIR_RULES", "ROUNDS_RULES", "CallbackPolicy"]

#: The appended regulation on repair callbacks in 002.
REPAIR_RULES = "002 回访工作制度"
#: The appended regulation on routine callbacks in 002.
ROUNDS_RULES = "002 回访制度"
#: The Dongke plan appended to 002.
DONGKE = "002 东科物业客户关系管理维护方案"

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
        if not isinstance(kind, str) or not kind.strip():
            raise ValidationError.expected(attribute.name, "non-empty repair kind names", kind)
        if not isinstance(within, timedelta) or within <= timedelta(0):
            raise ValidationError.expected(
                f"{attribute.name}.{kind}", "a positive duration", within
            )


def _role_share_table(value: object) -> object:
    """Keys given as :class:`~propcrm.roles.Role` members are stored as their value strings."""
    if isinstance(value, dict):
        return {getattr(k, "value", k): v for k, v in value.items()}
    return value


def _role_shares(instance: object, attribute: Any, value: Any) -> None:
    _rounds.share_weights(value, attribute.name)


def _role(instance: object, attribute: Any, value: Any) -> None:
    _rounds.role_value(value, attribute.name)


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
    """Every number and role of the callback rules (RULES § 6), with documented defaults.

    Durations are elapsed time (``"24h"``, ``"7d"``); a month is 30 days.
    Roles are value strings of :class:`~propcrm.roles.Role`. The source of
    each default (the seed article whose text states it, or "Decision") is in
    the rules reference (``propcrm policy show`` prints it too).

    Attributes:
        service_phone_within: Phone callback after a service: 24 h.
        service_visit_within: Visit after a service: a week.
        service_questionnaire_within: Questionnaire after a service: a month, 30 days.
        repair_within: Repair callback by repair kind, the known repair kinds:
            ordinary 7 days, safety 2, leak 3. A company adds kinds.
        rectification_within: A problem found becomes a written notice within 24 h.
        complaint_callback_within: Callback after a complaint is handled: 24 h, the
            phone callback after a service.
        role_shares: Minimum share of repair callbacks per owner role:
            ``service_centre_manager`` 10 %, ``engineering_supervisor`` 30 %,
            ``repair_lead`` 60 % (经理/主管/维修负责人). Other roles of
            :class:`~propcrm.roles.Role` may own them; a share of ``0`` leaves a
            role out (a policy file merges with the default roles, so it writes
            ``engineering_supervisor = 0`` to give that share to another role).
        service_role: Role owning the three-step callback: ``desk_staff``.
        complaint_role: Role owning complaint callbacks, the customer-service office:
            ``desk_staff``.
        director_role: The office director, ``office_director``.
        officer_role: The property officers, ``property_officer``.
        vip_role: The VIP assistant, ``vip_assistant``.
        director_visits_per_year: Director's visits to each household: once (the
            rule says 1-2).
        officer_rounds_per_year: Officers' calls to each household of their area: 4,
            each quarter.
        forums_per_year: Residents' forums (住户座谈会) per community: 4.
        visits_per_year_by_tier: Relationship visits per customer by tier (0: none):
            A 12, B 4, C 1, D 4.
        festivals: China's festivals that get a VIP greeting, by holiday name.
        card_expiry_reminder_lead: How long before a VIP card expires the reminder
            starts: 30 days.
        daily_capacity: Callbacks one person can do in a day, unless set per person: 40.
        coverage_target: Share of customers to reach each month: 85 %.
        contact_calendar: Name of the calling-hours calendar in the policy's calendars:
            ``"contact"``; build it with ``policy.calendar(name)``.
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
        factory=lambda: {
            "service_centre_manager": 0.1,
            "engineering_supervisor": 0.3,
            "repair_lead": 0.6,
        },
        converter=_role_share_table,
        validator=_role_shares,
    )
    service_role: str = field(default="desk_staff", converter=_rounds.role_text, validator=_role)
    complaint_role: str = field(default="desk_staff", converter=_rounds.role_text, validator=_role)
    director_role: str = field(
        default="office_director",
        converter=_rounds.role_text,
        validator=_role,
    )
    officer_role: str = field(
        default="property_officer",
        converter=_rounds.role_text,
        validator=_role,
    )
    vip_role: str = field(default="vip_assistant", converter=_rounds.role_text, validator=_role)
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
    card_expiry_reminder_lead: timedelta = field(
        default=timedelta(days=30), validator=positive_duration
    )
    daily_capacity: int = field(default=40, validator=int_at_least(1))
    coverage_target: float = field(default=0.85, validator=number_between(0.0, 1.0))
    contact_calendar: str = field(default="contact", validator=non_empty_str)

    def repair_window(self, kind: str) -> timedelta:
        """The callback window of a repair ``kind``.

        >>> from propcrm.callbacks import CallbackPolicy
        >>> CallbackPolicy().repair_window("leak")
        datetime.timedelta(days=3)

        Raises:
            ValidationError: ``kind`` is not a known repair kind; the message lists them.
        """
        within = self.repair_within.get(kind) if isinstance(kind, str) else None
        if within is None:
            raise ValidationError.expected(
                "kind",
                f"one of the repair kinds {sorted(self.repair_within)}",
                kind,
                "add the kind under [callbacks.repair_within] or use a known one",
            )
        return within
