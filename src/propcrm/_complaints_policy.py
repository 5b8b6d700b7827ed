"""The grading policy (RULES §4) and what it compiles to for the hot path.

Every default cites the seed article whose text states it, or "Decision";
the complaints guide tabulates them.

Public in :mod:`propcrm.complaints`; this module is private.
"""

from datetime import datetime, timedelta, tzinfo
from operator import attrgetter
from typing import Any, Protocol

from attrs import field, frozen

from propcrm._complaints_types import GRADES, Grade
from propcrm._months import add_months
from propcrm._slices import policy_slice
from propcrm._time import format_duration
from propcrm._validators import instance_of, int_at_least, int_between, is_bool, positive_duration
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.roles import Role

__all__ = [
    "DEFAULT_POLICY",
    "SOURCE",
    "GradeDurations",
    "GradeRoles",
    "GradingPolicy",
    "HasGrading",
    "grading_of",
    "plan_of",
]

#: The article every grading reason cites: the four grades and their criteria.
SOURCE = "002 §40"

# The complaint fields a "same complaint" key may be built from.
KEY_FIELDS = ("community", "category", "subject", "channel")
_GENERAL, _IMPORTANT, _HOT, _MAJOR = 0, 1, 2, 3

_KNOWN_ROLES = frozenset(r.value for r in Role)


def _role_value(value: Role | str) -> str:
    return value.value if isinstance(value, Role) else value


def _known_role(instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, str) or value not in _KNOWN_ROLES:
        raise ValidationError.expected(
            attribute.name,
            f"a role, one of {', '.join(r.value for r in Role)}",
            value,
            "see propcrm.roles.Role",
        )


def _role(default: Role) -> Any:
    return field(default=default.value, converter=_role_value, validator=_known_role)


@frozen
class GradeRoles:
    """A role for each grade, from the responsibility table of 002 §41.

    A policy stores each role as its :class:`~propcrm.roles.Role` value string
    (``"general_manager"``); a :class:`~propcrm.roles.Role` is accepted too, and
    an unknown role is a :class:`~propcrm.errors.ValidationError` listing the
    known ones. Indexing by grade gives the :class:`~propcrm.roles.Role`.

    The defaults are the handlers of 002 §41 (具体实施): MAJOR 总经理
    (``general_manager``), HOT 总经理助理 (``assistant_general_manager``),
    IMPORTANT 项目经理 (``project_manager``). For GENERAL the table names 客户主管
    and 物管员; choosing ``customer_supervisor`` of the two is a Decision.

    >>> from propcrm.complaints import Grade, GradeRoles
    >>> GradeRoles()[Grade.MAJOR]
    <Role.GENERAL_MANAGER: 'general_manager'>
    """

    __module__ = "propcrm.complaints"  # public there; this module is private

    general: str = _role(Role.CUSTOMER_SUPERVISOR)
    important: str = _role(Role.PROJECT_MANAGER)
    hot: str = _role(Role.ASSISTANT_GENERAL_MANAGER)
    major: str = _role(Role.GENERAL_MANAGER)

    def __getitem__(self, grade: Grade) -> Role:
        return Role(getattr(self, grade.value))


def _supervisors() -> GradeRoles:
    """Decision (RULES §4): 002 §41's supervision column (效果监督) is garbled.

    It names 客户主管 and 综合部经理; propcrm gives the customer supervisor the
    GENERAL and IMPORTANT grades and the general-affairs manager HOT and MAJOR.
    """
    return GradeRoles(
        general=Role.CUSTOMER_SUPERVISOR,
        important=Role.CUSTOMER_SUPERVISOR,
        hot=Role.GENERAL_AFFAIRS_MANAGER,
        major=Role.GENERAL_AFFAIRS_MANAGER,
    )


@frozen
class GradeDurations:
    """A resolution allowance for each grade, in clock hours on a 24x7 clock.

    GENERAL 24 h, IMPORTANT 48 h and MAJOR 72 h are 000 §3.2's (一般投诉 24小时,
    重要投诉 48小时, 重大投诉 72小时); HOT 48 h is a Decision (RULES §4). That the
    hours run around the clock is a Decision too (RULES §4, turn 2).
    """

    __module__ = "propcrm.complaints"  # public there; this module is private

    general: timedelta = field(default=timedelta(hours=24), validator=positive_duration)
    important: timedelta = field(default=timedelta(hours=48), validator=positive_duration)
    hot: timedelta = field(default=timedelta(hours=48), validator=positive_duration)
    major: timedelta = field(default=timedelta(hours=72), validator=positive_duration)

    def __getitem__(self, grade: Grade) -> timedelta:
        value: timedelta = getattr(self, grade.value)
        return value


def _key_fields(instance: object, attribute: Any, value: object) -> None:
    ok = (
        isinstance(value, tuple)
        and value
        and len(set(value)) == len(value)
        and all(name in KEY_FIELDS for name in value)
    )
    if not ok:
        raise ValidationError.expected(
            attribute.name,
            f"distinct field names from {', '.join(KEY_FIELDS)}",
            value,
            "e.g. ('community', 'category', 'subject')",
        )


def _categories(instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError.expected(
            attribute.name, "a list of category names (empty: any category)", value
        )


def _major_people(instance: "GradingPolicy", attribute: Any, value: int) -> None:
    int_at_least(2)(instance, attribute, value)
    if value <= instance.collective_hot_people:
        raise ValidationError.expected(
            attribute.name,
            f"more than collective_hot_people ({instance.collective_hot_people})",
            value,
        )


def _hot_after(instance: "GradingPolicy", attribute: Any, value: timedelta) -> None:
    positive_duration(instance, attribute, value)
    if value >= timedelta(days=28 * instance.major_after_months):
        raise ValidationError.expected(
            attribute.name,
            f"less than major_after_months ({instance.major_after_months} month(s))",
            value,
        )


_ROLES_HINT = "e.g. GradeRoles(major='general_manager')"


@frozen(slots=False)
class GradingPolicy:
    """The thresholds, roles and allowances of complaint grading (RULES §4, 002 §§40-42).

    The root policy holds it as ``policy.grading``. Each default's source is
    listed in the table of the complaints guide.

    Attributes:
        collective_hot_people: A collective complaint by at least this many people
            is HOT (002 §40: 3).
        collective_major_people: ... and by at least this many, MAJOR (002 §40: 10).
        repeat_complainants: The same complaint from at least this many different
            complainants within the repeat window is HOT (002 §40: 3).
        repeat_window_months: The repeat window, in calendar months (002 §40: 1).
        major_after_months: Unresolved (company's delay) this many calendar months
            after receipt: MAJOR (002 §40: 1).
        hot_after: Unresolved (company's delay) this long after receipt: HOT
            (002 §40: one week).
        same_complaint_key: The fields that make two complaints "the same", from
            ``community``, ``category``, ``subject`` and ``channel`` (Decision,
            RULES §4: the first three).
        categories: The allowed categories; empty allows any (Decision).
        handler_roles: Who handles each grade (投诉处理具体实施, 002 §41).
        supervisor_roles: Who supervises the outcome (投诉处理效果监督; Decision,
            as 002 §41's column is garbled).
        resolve_within: The resolution allowance of each grade, in clock hours
            (000 §3.2; HOT: Decision). The SLA's complaint targets take theirs
            from here.
        task_force_from: From this grade on, a dedicated task force handles it
            (000 §3.2: MAJOR, 成立专项小组).
        callback_after_handling: The complainant is called back after handling
            (002 §42).
    """

    __module__ = "propcrm.complaints"  # public there; this module is private

    collective_hot_people: int = field(default=3, validator=int_at_least(2))
    collective_major_people: int = field(default=10, validator=_major_people)
    repeat_complainants: int = field(default=3, validator=int_at_least(2))
    repeat_window_months: int = field(default=1, validator=int_between(1, 12))
    major_after_months: int = field(default=1, validator=int_between(1, 12))
    hot_after: timedelta = field(default=timedelta(days=7), validator=_hot_after)
    same_complaint_key: tuple[str, ...] = field(
        default=("community", "category", "subject"), validator=_key_fields
    )
    categories: tuple[str, ...] = field(default=(), validator=_categories)
    handler_roles: GradeRoles = field(
        factory=GradeRoles, validator=instance_of(GradeRoles, "a GradeRoles", _ROLES_HINT)
    )
    supervisor_roles: GradeRoles = field(
        factory=_supervisors, validator=instance_of(GradeRoles, "a GradeRoles", _ROLES_HINT)
    )
    resolve_within: GradeDurations = field(
        factory=GradeDurations,
        validator=instance_of(
            GradeDurations, "a GradeDurations", "e.g. GradeDurations(general=timedelta(hours=24))"
        ),
    )
    task_force_from: Grade = field(
        default=Grade.MAJOR, validator=instance_of(Grade, "a Grade", "e.g. Grade.MAJOR")
    )
    callback_after_handling: bool = field(default=True, validator=is_bool)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_plan", Plan(self))


# --- what a policy means for the hot path ------------------------------------------------------


class Plan:
    """A grading policy compiled once: thresholds by rank and ready-made reasons."""

    # Slots: grading reads a score of these per complaint, each a fixed offset away.
    __slots__ = (
        "_collective",
        "_unresolved",
        "allowances",
        "callback",
        "categories",
        "category_names",
        "general",
        "handlers",
        "hot_after",
        "hot_people",
        "hot_span",
        "key",
        "key_fields",
        "litigation_filed",
        "litigation_risk",
        "major_months",
        "major_people",
        "major_shift",
        "media_exposed",
        "media_risk",
        "month_floor",
        "other_departments",
        "repeat",
        "repeats",
        "second_flagged",
        "steady",
        "supervisors",
        "task_force",
        "window_months",
    )

    def __init__(self, policy: GradingPolicy) -> None:
        self.hot_people = policy.collective_hot_people
        self.major_people = policy.collective_major_people
        self.repeat = policy.repeat_complainants
        self.window_months = policy.repeat_window_months
        self.hot_after = policy.hot_after
        whole = policy.hot_after % timedelta(seconds=1) == timedelta(0)
        self.hot_span = format_duration(policy.hot_after) if whole else str(policy.hot_after)
        self.major_months = policy.major_after_months
        self.month_floor = timedelta(days=28 * policy.major_after_months)
        self.major_shift = (0, timedelta(0))  # (date ordinal, shift) of the last major_at
        # The last zone and year found to keep one UTC offset (grading's resolve_by).
        self.steady: tuple[tzinfo | None, int] = (None, 0)
        self.key_fields = policy.same_complaint_key
        self.key = attrgetter(*policy.same_complaint_key)
        # Reasons that depend only on the policy and a count are made once and shared,
        # each as its one-reason tuple: grading adds them up from the empty tuple, so a
        # decision with one such reason (most HOT complaints of a busy stream: a
        # repeat) shares the tuple too, and one with several gets a tuple of its own.
        self.repeats: dict[int, tuple[Reason]] = {}
        self._collective: dict[int, tuple[Reason]] = {}
        self._unresolved = tuple(
            (
                f"complaint.{grade.lower()}.unresolved",
                f"still unresolved {span} after it was received, the company's delay: {grade}",
            )
            for grade, span in (
                ("HOT", self.hot_span),
                ("MAJOR", f"{self.major_months} calendar month(s)"),
            )
        )
        self.categories = frozenset(policy.categories)
        self.category_names = policy.categories
        self.handlers = tuple(policy.handler_roles[g] for g in GRADES)
        self.supervisors = tuple(policy.supervisor_roles[g] for g in GRADES)
        self.allowances = tuple(policy.resolve_within[g] for g in GRADES)
        self.task_force = policy.task_force_from.rank
        self.callback = policy.callback_after_handling
        self.general = (
            Reason(
                "complaint.general",
                "no criterion of a higher grade applies: a general complaint (一般投诉)",
                {},
                SOURCE,
            ),
        )
        self.litigation_filed = _alone(_flag("major.litigation_filed", "it has led to litigation"))
        self.media_exposed = _alone(
            _flag("major.media_exposed", "it has been exposed by the media")
        )
        self.litigation_risk = _alone(_flag("hot.litigation_risk", "it may lead to litigation"))
        self.media_risk = _alone(_flag("hot.media_risk", "it may be exposed by the media"))
        self.other_departments = _alone(
            Reason(
                "complaint.important.other_departments",
                "it needs help from other specialist departments",
                {"needs_other_departments": True},
                SOURCE,
            )
        )
        self.second_flagged = _alone(
            _reason(
                "complaint.important.second_complaint",
                "a second complaint after the first was handled: IMPORTANT",
                {"repeat_of_id": None},
            )
        )

    def major_at(self, received: datetime) -> datetime:
        """``received`` plus ``major_after_months`` calendar months (the MAJOR deadline)."""
        day, shift = self.major_shift
        today = received.toordinal()
        if today != day:  # the shift in days depends only on the date: a one-date cache
            shift = add_months(received, self.major_months) - received
            self.major_shift = today, shift
        return received + shift

    def same_index(self, other: GradingPolicy) -> bool:
        """Whether a history built for ``other`` counts as this policy would."""
        return (
            other.same_complaint_key == self.key_fields
            and other.repeat_window_months == self.window_months
        )

    def collective(self, people: int, threshold: int, rank: int) -> tuple[Reason]:
        """The collective reason, shared by every complaint of as many people at that grade."""
        reason = self._collective.get(people * 4 + rank)
        if reason is None:
            grade = GRADES[rank].name
            reason = _alone(
                _reason(
                    f"complaint.{grade.lower()}.collective",
                    f"a collective complaint by {people} people (>= {threshold}): {grade}",
                    {"people": people, "threshold": threshold},
                )
            )
            self._collective[people * 4 + rank] = reason
        return reason

    def unresolved(self, received: datetime, since: datetime, rank: int) -> tuple[Reason]:
        rule, message = self._unresolved[rank == _MAJOR]
        return (_reason(rule, message, {"received_at": received, "since": since}),)

    def repeated(self, count: int) -> tuple[Reason]:
        """The repeat reason, shared by every complaint with as many complainants."""
        reason = self.repeats.get(count)
        if reason is None:
            reason = self.repeats[count] = _alone(
                _reason(
                    "complaint.hot.repeated",
                    f"the same complaint from {count} different complainants within "
                    f"{self.window_months} month(s) (>= {self.repeat}): HOT",
                    {
                        "complainants": count,
                        "threshold": self.repeat,
                        "window_months": self.window_months,
                        "key_fields": self.key_fields,
                    },
                )
            )
        return reason

    def second(self, repeat_of_id: str | None) -> tuple[Reason]:
        if repeat_of_id is None:
            return self.second_flagged
        return (
            _reason(
                "complaint.important.second_complaint",
                "a second complaint after the first was handled: IMPORTANT",
                {"repeat_of_id": repeat_of_id},
            ),
        )


def plan_of(policy: GradingPolicy) -> Plan:
    """The compiled form of ``policy``."""
    plan: Plan = policy._plan  # type: ignore[attr-defined]
    return plan


def _reason(rule: str, message: str, facts: dict[str, object]) -> Reason:
    """Build a reason from propcrm's own, known-good values without re-validating them.

    Grading builds a reason for about half of the complaints of a busy stream; the
    validators of :class:`Reason` guard user input and would double its cost here.
    """
    reason: Reason = object.__new__(Reason)
    _set_rule(reason, rule)
    _set_message(reason, message)
    _set_facts(reason, facts)
    _set_source(reason, SOURCE)
    return reason


# The slots of the frozen Reason, set directly: cheaper than object.__setattr__ by name.
_set_rule, _set_message, _set_facts, _set_source = (
    Reason.__dict__[name].__set__ for name in ("rule", "message", "facts", "source")
)


def _alone(reason: Reason) -> tuple[Reason]:
    """``reason`` as the one-reason tuple that grading adds to a decision's reasons."""
    return (reason,)


def _flag(rule: str, message: str) -> Reason:
    grade = rule.partition(".")[0].upper()
    return Reason(f"complaint.{rule}", f"{message}: {grade}", {"flag": True}, SOURCE)


#: The policy of the documented defaults, shared by every call that passes none.
DEFAULT_POLICY = GradingPolicy()


class HasGrading(Protocol):
    """Anything that holds a grading slice: the root :class:`~propcrm.policy.Policy`."""

    @property
    def grading(self) -> GradingPolicy:
        """The grading slice."""
        ...


def grading_of(policy: GradingPolicy | HasGrading | None) -> GradingPolicy:
    """The grading slice of ``policy``: the root policy, the slice itself, or ``None``.

    Raises:
        ValidationError: ``policy`` is none of these; one line naming ``policy.grading``.
    """
    if policy is None:
        return DEFAULT_POLICY  # built once: a GradingPolicy compiles its plan
    if type(policy) is GradingPolicy:
        return policy
    return policy_slice(policy, GradingPolicy, "grading")
