"""Complaint grading (投诉分级) and escalation: four grades, each with its reasons.

A complaint (投诉) is graded by the most severe criterion that applies (002 §40):

* **MAJOR** (重大投诉): it has led to litigation, it has been exposed by the
  media, it is a collective complaint by 10 or more people, or it is still not
  effectively resolved one calendar month after it was made, for reasons
  attributable to the company;
* **HOT** (热点投诉): it may lead to litigation or media exposure, the same
  complaint came from 3 or more different complainants within one month, it is
  a collective complaint by 3 or more people, or it is still unresolved one
  week after it was made, for reasons attributable to the company;
* **IMPORTANT** (重要投诉): a second complaint after the first was handled, or
  one that needs help from other specialist departments;
* **GENERAL** (一般投诉): everything else.

Grading depends on the complaint, the history of earlier complaints
(:class:`ComplaintHistory`) and the moment of evaluation: an unresolved
complaint escalates to HOT at +1 week and to MAJOR at +1 calendar month, and
:func:`grade` says when the next escalation will happen if nothing changes.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> received = datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
>>> c = Complaint("C1", community="Garden", category="noise", subject="pump room",
...               complainants=("cust-1",), received_at=received)
>>> d = grade(c, at=received)
>>> d.grade, d.grade.label, d.handler_role, d.resolve_within
(<Grade.GENERAL: 'general'>, '一般投诉', 'customer_supervisor', datetime.timedelta(days=1))
>>> d.next_escalation_at, d.next_grade
(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai')), \
<Grade.HOT: 'hot'>)
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import total_ordering
from operator import attrgetter, itemgetter
from typing import Any, Protocol

from attrs import define, field, frozen, setters

from propcrm._time import format_duration, require_aware
from propcrm._validators import (
    aware_datetime,
    int_at_least,
    int_between,
    is_bool,
    is_str,
    non_empty_str,
    optional,
    positive_duration,
)
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "Complaint",
    "ComplaintHistory",
    "Escalation",
    "Grade",
    "GradeDecision",
    "GradeDurations",
    "GradeRoles",
    "GradingPolicy",
    "SupportsAdd",
    "grade",
    "sweep",
]

SOURCE = "002 §40"

# The complaint fields a "same complaint" key may be built from.
_KEY_FIELDS = ("community", "category", "subject", "channel")


@total_ordering
class Grade(Enum):
    """The four complaint grades, ordered ``GENERAL < IMPORTANT < HOT < MAJOR``.

    >>> Grade.HOT > Grade.IMPORTANT, Grade.MAJOR.label
    (True, '重大投诉')
    """

    GENERAL = "general"
    IMPORTANT = "important"
    HOT = "hot"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        """0 for GENERAL up to 3 for MAJOR."""
        return _GRADES.index(self)

    @property
    def label(self) -> str:
        """The Chinese name of the grade, e.g. ``"热点投诉"``."""
        return _LABELS[self.rank]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Grade):
            return NotImplemented
        return self.rank < other.rank


_GRADES = (Grade.GENERAL, Grade.IMPORTANT, Grade.HOT, Grade.MAJOR)
_LABELS = ("一般投诉", "重要投诉", "热点投诉", "重大投诉")
_GENERAL, _IMPORTANT, _HOT, _MAJOR = 0, 1, 2, 3


class SupportsAdd(Protocol):
    """Anything that adds a duration to a moment, such as a business calendar.

    A business calendar's ``add`` returns the deadline in business time; without
    one, :func:`grade` adds the allowance in wall-clock time.
    """

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Return the moment ``duration`` after ``start``."""
        ...


def _unique_ids(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(dict.fromkeys(value))
    except TypeError:  # not iterable (None, a number), or an unhashable id (a list)
        raise ValidationError.expected(
            "complainants",
            "a list of customer ids as non-empty strings",
            value,
            "e.g. ('cust-1', 'cust-2'); an empty list if nobody is named",
        ) from None


def _ids(instance: object, attribute: Any, value: tuple[str, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError.expected(
                attribute.name, "customer ids as non-empty strings", value
            )


def _headcount(instance: Complaint, attribute: Any, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError.expected("headcount", "an integer >= 0", value)
    named = len(instance.complainants)
    if value < named:
        raise ValidationError.expected(
            "headcount",
            f"at least the {named} named complainants",
            value,
            "count everyone who took part, or leave headcount unset",
        )


def _resolved_at(instance: Complaint, attribute: Any, value: datetime | None) -> None:
    if value is None:
        return
    require_aware(value, "resolved_at")
    if value < instance.received_at:
        raise ValidationError.expected(
            "resolved_at", f"a moment at or after received_at ({instance.received_at})", value
        )


def _keep_invariants(instance: Complaint, attribute: Any, value: Any) -> Any:
    """Re-check the cross-field rules on assignment, with the new value, before it is set.

    Each field's own validator sees the other fields as they are; this hook covers
    the two assignments those validators cannot see: more named complainants than
    the headcount, and a receipt moved after the resolution.
    """
    name = attribute.name
    if name == "complainants":
        headcount = instance.headcount
        if headcount is not None and len(value) > headcount:
            raise ValidationError.expected(
                "complainants",
                f"at most the headcount ({headcount}) of named complainants",
                value,
                "raise headcount first, or set it to None to count the named complainants",
            )
    elif name == "received_at":
        resolved = instance.resolved_at
        if resolved is not None and value > resolved:
            raise ValidationError.expected(
                "received_at",
                f"a moment at or before resolved_at ({resolved})",
                value,
                "correct resolved_at first, or set it to None",
            )
    return value


@define(on_setattr=[setters.convert, setters.validate, _keep_invariants])
class Complaint:
    """One complaint as received, with its handling state.

    Assigning a field checks the same rules as creating the complaint, so an
    invalid assignment raises :class:`~propcrm.errors.ValidationError` and
    leaves the complaint unchanged.

    Attributes:
        id: The complaint's id.
        community: The community (小区) it concerns.
        category: Its category, e.g. ``"noise"`` or ``"repair"``.
        subject: What exactly it is about, e.g. ``"pump room"``.
        complainants: The ids of the named complainants (投诉人); duplicates are dropped.
        headcount: How many people took part; a collective complaint (集体投诉) may
            name fewer people than took part. ``None`` means the named complainants.
        received_at: When it was received (aware).
        channel: How it came in, e.g. ``"phone"``.
        first_receiver: The staff member who received it first (首问负责人) and owns it
            until it is closed.
        litigation_filed: It has led to litigation (已经引发法律诉讼).
        media_exposed: It has been exposed by the media (已被媒体曝光).
        litigation_risk: It may lead to litigation.
        media_risk: It may be exposed by the media.
        needs_other_departments: It needs help from other specialist departments.
        second_after_handling: A second complaint after the first was handled
            (处理完毕后发生二次投诉); setting ``repeat_of`` says the same.
        repeat_of: The id of the earlier, handled complaint this one repeats.
        resolved_at: When it was effectively resolved; ``None`` while open.
        delay_attributable_to_company: Whether a delay in resolving it is the
            company's (由于公司原因). Presumed so until recorded otherwise.
        version: Optimistic-concurrency version for stores.
    """

    id: str = field(validator=non_empty_str)
    community: str = field(kw_only=True, validator=non_empty_str)
    category: str = field(kw_only=True, validator=non_empty_str)
    subject: str = field(kw_only=True, validator=non_empty_str)
    complainants: tuple[str, ...] = field(kw_only=True, converter=_unique_ids, validator=_ids)
    received_at: datetime = field(kw_only=True, validator=aware_datetime)
    headcount: int | None = field(default=None, kw_only=True, validator=_headcount)
    channel: str = field(default="phone", kw_only=True, validator=is_str)
    first_receiver: str = field(default="", kw_only=True, validator=is_str)
    litigation_filed: bool = field(default=False, kw_only=True, validator=is_bool)
    media_exposed: bool = field(default=False, kw_only=True, validator=is_bool)
    litigation_risk: bool = field(default=False, kw_only=True, validator=is_bool)
    media_risk: bool = field(default=False, kw_only=True, validator=is_bool)
    needs_other_departments: bool = field(default=False, kw_only=True, validator=is_bool)
    second_after_handling: bool = field(default=False, kw_only=True, validator=is_bool)
    repeat_of: str | None = field(default=None, kw_only=True, validator=optional(non_empty_str))
    resolved_at: datetime | None = field(default=None, kw_only=True, validator=_resolved_at)
    delay_attributable_to_company: bool = field(default=True, kw_only=True, validator=is_bool)
    version: int = field(default=0, kw_only=True, validator=int_at_least(0))

    @property
    def people(self) -> int:
        """How many people complained: ``headcount``, or the named complainants."""
        return len(self.complainants) if self.headcount is None else self.headcount

    @property
    def is_second_complaint(self) -> bool:
        """Whether it repeats a complaint that was already handled."""
        return self.second_after_handling or self.repeat_of is not None


def _instance_of(kind: type, hint: str) -> Any:
    def check(instance: object, attribute: Any, value: object) -> None:
        if not isinstance(value, kind):
            raise ValidationError.expected(attribute.name, f"a {kind.__name__}", value, hint)

    return check


@frozen
class GradeRoles:
    """A role for each grade (the responsibility table of 002 §41).

    Roles are ids a company maps to people, e.g. ``"general_manager"`` (总经理).
    """

    general: str = field(default="customer_supervisor", validator=non_empty_str)
    important: str = field(default="project_manager", validator=non_empty_str)
    hot: str = field(default="assistant_general_manager", validator=non_empty_str)
    major: str = field(default="general_manager", validator=non_empty_str)

    def __getitem__(self, grade: Grade) -> str:
        value: str = getattr(self, grade.value)
        return value


def _supervisors() -> GradeRoles:
    return GradeRoles(
        general="customer_supervisor",
        important="customer_supervisor",
        hot="general_affairs_manager",
        major="general_affairs_manager",
    )


@frozen
class GradeDurations:
    """A resolution allowance for each grade (000 §3.2; HOT is propcrm's decision)."""

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
        and all(name in _KEY_FIELDS for name in value)
    )
    if not ok:
        raise ValidationError.expected(
            attribute.name,
            f"distinct field names from {', '.join(_KEY_FIELDS)}",
            value,
            "e.g. ('community', 'category', 'subject')",
        )


def _categories(instance: object, attribute: Any, value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError.expected(
            attribute.name, "a list of category names (empty: any category)", value
        )


def _major_people(instance: GradingPolicy, attribute: Any, value: int) -> None:
    int_at_least(2)(instance, attribute, value)
    if value <= instance.collective_hot_people:
        raise ValidationError.expected(
            attribute.name,
            f"more than collective_hot_people ({instance.collective_hot_people})",
            value,
        )


def _hot_after(instance: GradingPolicy, attribute: Any, value: timedelta) -> None:
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
    """The thresholds, roles and allowances of complaint grading (RULES §4, 002 §§40-41).

    Attributes:
        collective_hot_people: A collective complaint by at least this many people is HOT.
        collective_major_people: ... and by at least this many, MAJOR.
        repeat_complainants: The same complaint from at least this many different
            complainants within the repeat window is HOT.
        repeat_window_months: The repeat window, in calendar months.
        major_after_months: Unresolved (company's delay) this many calendar months after
            receipt: MAJOR.
        hot_after: Unresolved (company's delay) this long after receipt: HOT.
        same_complaint_key: The fields that make two complaints "the same", from
            ``community``, ``category``, ``subject`` and ``channel``.
        categories: The allowed categories; empty allows any.
        handler_roles: Who handles each grade (投诉处理具体实施).
        supervisor_roles: Who supervises the outcome (投诉处理效果监督).
        resolve_within: The resolution allowance of each grade.
        task_force_from: From this grade on, a dedicated task force handles it.
        callback_after_handling: The complainant is called back after handling (002 §42).
    """

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
        factory=GradeRoles, validator=_instance_of(GradeRoles, _ROLES_HINT)
    )
    supervisor_roles: GradeRoles = field(
        factory=_supervisors, validator=_instance_of(GradeRoles, _ROLES_HINT)
    )
    resolve_within: GradeDurations = field(
        factory=GradeDurations,
        validator=_instance_of(GradeDurations, "e.g. GradeDurations(general=timedelta(hours=24))"),
    )
    task_force_from: Grade = field(
        default=Grade.MAJOR, validator=_instance_of(Grade, "e.g. Grade.MAJOR")
    )
    callback_after_handling: bool = field(default=True, validator=is_bool)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_plan", _Plan(self))


# Without slots, attrs fills the instance dict directly: half the cost of building one.
@frozen(slots=False)
class GradeDecision:
    """The grade of a complaint at a moment, and everything that follows from it.

    Attributes:
        complaint_id: The graded complaint.
        grade: The most severe grade whose criteria apply.
        reasons: Every rule that fired, most severe first (a GENERAL decision has one).
        at: The moment of evaluation.
        next_escalation_at: When the grade rises if nothing changes; ``None`` if it
            cannot rise by time (resolved, delay not the company's, or already MAJOR).
        next_grade: The grade it rises to then, or ``None``.
        handler_role: Who handles it.
        supervisor_role: Who supervises the outcome.
        resolve_within: The resolution allowance of the grade.
        resolve_by: ``received_at`` plus the allowance, on the calendar if one was given.
        task_force: Whether a dedicated task force handles it.
        callback_due_after_handling: The complainant is to be called back after handling.
        owner: The first receiver (首问负责人), who owns it until it is closed.
    """

    complaint_id: str
    grade: Grade
    reasons: tuple[Reason, ...]
    at: datetime
    next_escalation_at: datetime | None
    next_grade: Grade | None
    handler_role: str
    supervisor_role: str
    resolve_within: timedelta
    resolve_by: datetime
    task_force: bool
    callback_due_after_handling: bool
    owner: str


@frozen
class Escalation:
    """A complaint whose grade rose in a :func:`sweep`.

    Attributes:
        complaint_id: The complaint.
        previous: The grade it had.
        decision: Its new grading; ``decision.grade`` is above ``previous``.
    """

    complaint_id: str
    previous: Grade
    decision: GradeDecision

    @property
    def grade(self) -> Grade:
        """The new grade."""
        return self.decision.grade


class ComplaintHistory:
    """The index behind "the same complaint from ≥ 3 different complainants within a month".

    Two modes:

    * unordered (default): complaints may be added in any order; every complaint
      is kept.
    * ``streaming=True``: complaints must be added in order of ``received_at``;
      entries older than any later window can reach are dropped, so memory stays
      bounded by the window. Grade a complaint after adding every complaint
      received at the same instant (the window includes them) and never ask about
      a complaint older than the newest one added.

    The window of a complaint received at ``t`` is ``(t - n months, t]`` with
    ``n = policy.repeat_window_months``, in calendar months on the wall clock of
    ``t`` (Mar 31 - 1 month = Feb 28).

    Args:
        policy: The grading policy whose key and window this history uses;
            ``None`` for the defaults.
        streaming: Whether complaints arrive in time order (see above).
    """

    __slots__ = (
        "_count",
        "_day",
        "_evict_at",
        "_index",
        "_key",
        "_last",
        "_latest",
        "_months",
        "_queue",
        "_reach",
        "_shift",
        "_start",
        "policy",
        "streaming",
    )

    def __init__(self, policy: GradingPolicy | None = None, *, streaming: bool = False) -> None:
        if policy is None:
            policy = _DEFAULT_POLICY
        elif not isinstance(policy, GradingPolicy):
            raise ValidationError.expected("policy", "a GradingPolicy", policy)
        self.policy = policy
        self.streaming = streaming
        plan: _Plan = policy._plan  # type: ignore[attr-defined]
        self._key = plan.key
        self._months = -policy.repeat_window_months
        # No window of a later complaint starts earlier than 31 days per month (plus a
        # day of daylight-saving slack) before this one: a safe, zone-free eviction bound.
        self._reach = timedelta(days=31 * policy.repeat_window_months + 1)
        self._index: dict[object, Any] = {}
        self._queue: deque[tuple[datetime, object, tuple[str, ...]]] = deque()
        self._evict_at = _LONG_AGO  # when to look at the queue's oldest entries again
        self._latest: datetime | None = None
        self._last: Complaint | None = None  # the newest complaint added (streaming) ...
        self._count = 0  # ... and its complainants_within()
        self._start: datetime | None = None  # ... and its window start, if computed
        self._day = 0  # the date (ordinal) of the newest window start computed ...
        self._shift = timedelta(0)  # ... and the window's length in days on that date

    def __len__(self) -> int:
        """The number of complaints held (the live complaints in streaming mode)."""
        if self.streaming:
            return len(self._queue)
        return sum(len(v) for v in self._index.values()) if self._index else 0

    def add(self, complaint: Complaint) -> None:
        """Record a complaint.

        Raises:
            ValidationError: in streaming mode, ``complaint`` is older than the newest one.
        """
        t = complaint.received_at
        key = self._key(complaint)
        complainants = complaint.complainants
        if not self.streaming:
            entries = self._index.setdefault(key, [])
            for who in complainants:
                bisect.insort(entries, (t, who), key=_TIME)
            self._latest = t if self._latest is None or t > self._latest else self._latest
            return
        if self._latest is not None and t < self._latest:
            raise ValidationError.expected(
                "received_at",
                f"a moment at or after the newest complaint ({self._latest})",
                t,
                "add complaints in time order, or use ComplaintHistory(streaming=False)",
            )
        self._latest = t
        if t >= self._evict_at:
            self._evict(t)
        self._queue.append((t, key, complainants))
        index = self._index
        seen = index.get(key)
        if seen is None:
            index[key] = dict.fromkeys(complainants, t)
            self._last, self._count, self._start = complaint, len(complainants), None
            return
        for who in complainants:
            if who in seen:
                del seen[who]  # re-insert so the dict stays ordered by latest time
            seen[who] = t
        # Count now, while the key is at hand: grading usually asks next. The window's
        # length in days depends only on the date, so it is computed once a day.
        day = t.toordinal()
        if day != self._day:
            self._day, self._shift = day, t - _add_months(t, self._months)
        start = t - self._shift
        self._last, self._count, self._start = complaint, _count_after(seen, start), start

    def _evict(self, t: datetime) -> None:
        """Drop what no window of a complaint received at or after ``t`` can reach."""
        queue = self._queue
        bound = t - self._reach
        index = self._index
        while queue and queue[0][0] <= bound:
            old, old_key, old_who = queue.popleft()
            seen = index.get(old_key)
            if seen is None:  # emptied by an earlier entry of the same instant
                continue
            for who in old_who:
                if seen.get(who) == old:
                    del seen[who]
            if not seen:
                del index[old_key]
        # Evict in batches, once the oldest entry is an hour past reach: one comparison
        # per complaint instead of a subtraction and a look at the queue.
        self._evict_at = (queue[0][0] if queue else t) + self._reach + _EVICTION_BATCH

    def extend(self, complaints: Iterable[Complaint]) -> None:
        """Record several complaints (in time order in streaming mode)."""
        for complaint in complaints:
            self.add(complaint)

    def complainants_within(self, complaint: Complaint) -> int:
        """Distinct complainants of the same complaint in its window, its own included.

        Raises:
            ValidationError: in streaming mode, ``complaint`` is older than the newest one.
        """
        if self.streaming and complaint is self._last:
            return self._count
        return self._within(complaint, _add_months(complaint.received_at, self._months))

    def _within(self, complaint: Complaint, start: datetime) -> int:
        t = complaint.received_at
        key = self._key(complaint)
        own = complaint.complainants
        if self.streaming:
            if self._latest is not None and t < self._latest:
                raise ValidationError.expected(
                    "received_at",
                    f"a moment at or after the newest complaint ({self._latest})",
                    t,
                    "a streaming history answers only for its newest complaints",
                )
            seen = self._index.get(key)
            if not seen:
                return len(own)
            count = _count_after(seen, start)
            for who in own:
                when = seen.get(who)
                if when is None or when <= start:
                    count += 1
            return count
        entries = self._index.get(key)
        if not entries:
            return len(own)
        lo = bisect.bisect_right(entries, start, key=_TIME)
        hi = bisect.bisect_right(entries, t, key=_TIME)
        names = {who for _, who in entries[lo:hi]}
        names.update(own)
        return len(names)


def grade(
    complaint: Complaint,
    *,
    at: datetime,
    history: ComplaintHistory | None = None,
    policy: GradingPolicy | None = None,
    calendar: SupportsAdd | None = None,
) -> GradeDecision:
    """Grade ``complaint`` as of ``at`` (002 §40) and say who handles it and by when.

    Args:
        complaint: The complaint to grade.
        at: The moment of evaluation (aware), not before ``received_at``.
        history: Earlier complaints, for the repeat criterion; without it the
            complaint's own complainants are all that count.
        policy: The grading policy; ``None`` for the defaults.
        calendar: Computes ``resolve_by`` in business time; without it the
            allowance is added in wall-clock time.

    Returns:
        The decision, with every reason.

    Raises:
        ValidationError: ``at`` is naive or before ``received_at``, the category is
            not allowed by the policy, ``policy`` is not a :class:`GradingPolicy`, or
            ``history`` is not a :class:`ComplaintHistory` or uses another key or window.
    """
    if policy is None:
        policy = _DEFAULT_POLICY
    try:
        plan: _Plan = policy._plan  # type: ignore[attr-defined]
    except AttributeError:  # costs nothing unless raised
        raise ValidationError.expected(
            "policy", "a GradingPolicy or None", policy, "e.g. GradingPolicy() or policy.grading"
        ) from None
    if type(at) is not datetime or at.tzinfo is None:
        require_aware(at, "at")
    received = complaint.received_at
    if received > at:
        raise ValidationError.expected(
            "at", f"a moment at or after the complaint's received_at ({received})", at
        )
    if plan.categories and complaint.category not in plan.categories:
        raise ValidationError.expected(
            "category",
            f"one of the policy's categories ({', '.join(policy.categories)})",
            complaint.category,
            "add it to grading.categories or correct the complaint",
        )
    rank = _GENERAL
    reasons: list[Reason] = []
    people = complaint.headcount
    if people is None:
        people = len(complaint.complainants)

    # Escalation by time (only while unresolved, and only for the company's delay): a
    # deadline counts if it passed by ``at`` and before the complaint was resolved.
    delayed = complaint.delay_attributable_to_company
    resolved = complaint.resolved_at
    still_open = resolved is None or resolved > at
    week_at = received + plan.hot_after
    month_at: datetime | None = None
    month_passed = week_passed = False
    if delayed and week_at <= at and (still_open or week_at < resolved):  # type: ignore[operator]
        week_passed = True
        if received + plan.month_floor <= at:
            month_at = plan.major_at(received)
            month_passed = month_at <= at and (still_open or month_at < resolved)  # type: ignore[operator]

    # MAJOR (重大投诉)
    if complaint.litigation_filed:
        rank = _MAJOR
        reasons.append(plan.litigation_filed)
    if complaint.media_exposed:
        rank = _MAJOR
        reasons.append(plan.media_exposed)
    if people >= plan.major_people:
        rank = _MAJOR
        reasons.append(plan.collective(people, plan.major_people, _MAJOR))
    if month_passed:
        rank = _MAJOR
        reasons.append(plan.unresolved(received, month_at, _MAJOR))  # type: ignore[arg-type]
    # HOT (热点投诉)
    if complaint.litigation_risk:
        rank = rank if rank > _HOT else _HOT
        reasons.append(plan.litigation_risk)
    if complaint.media_risk:
        rank = rank if rank > _HOT else _HOT
        reasons.append(plan.media_risk)
    if history is not None:
        if not isinstance(history, ComplaintHistory):
            raise ValidationError.expected(
                "history", "a ComplaintHistory or None", history, "e.g. ComplaintHistory(policy)"
            )
        if history.policy is not policy and not plan.same_index(history.policy):
            raise ValidationError.expected(
                "history",
                "a ComplaintHistory built with the same key and window as the policy",
                history.policy.same_complaint_key,
            )
        if history.streaming and complaint is history._last:
            count, start = history._count, history._start
        else:
            start = _add_months(received, -plan.window_months)
            count = history._within(complaint, start)
        if count >= plan.repeat:
            rank = rank if rank > _HOT else _HOT
            start = start or _add_months(received, -plan.window_months)
            reasons.append(plan.repeated(count, start))
    if plan.hot_people <= people < plan.major_people:
        rank = rank if rank > _HOT else _HOT
        reasons.append(plan.collective(people, plan.hot_people, _HOT))
    if week_passed and not month_passed:
        rank = rank if rank > _HOT else _HOT
        reasons.append(plan.unresolved(received, week_at, _HOT))
    # IMPORTANT (重要投诉)
    if complaint.second_after_handling or complaint.repeat_of is not None:
        rank = rank if rank > _IMPORTANT else _IMPORTANT
        reasons.append(plan.second(complaint.repeat_of))
    if complaint.needs_other_departments:
        rank = rank if rank > _IMPORTANT else _IMPORTANT
        reasons.append(plan.other_departments)

    next_at: datetime | None = None
    next_grade: Grade | None = None
    if delayed and still_open and rank < _MAJOR:
        # A resolution already recorded for later stops the clock: promise an
        # escalation only if the complaint is still unresolved at that moment.
        if rank < _HOT:
            candidate, rises_to = week_at, Grade.HOT
        else:
            candidate, rises_to = month_at or plan.major_at(received), Grade.MAJOR
        if resolved is None or resolved > candidate:
            next_at, next_grade = candidate, rises_to
    allowance = plan.allowances[rank]
    return GradeDecision(
        complaint.id,
        _GRADES[rank],
        tuple(reasons) if reasons else plan.general,
        at,
        next_at,
        next_grade,
        plan.handlers[rank],
        plan.supervisors[rank],
        allowance,
        received + allowance if calendar is None else calendar.add(received, allowance),
        rank >= plan.task_force,
        plan.callback,
        complaint.first_receiver,
    )


def sweep(
    open_complaints: Iterable[tuple[Complaint, Grade]],
    *,
    at: datetime,
    policy: GradingPolicy | None = None,
    calendar: SupportsAdd | None = None,
) -> list[Escalation]:
    """Regrade open complaints at ``at`` and return those whose grade rose, with why.

    Each complaint comes with the grade it holds. Time and the complaint's own
    flags are re-evaluated; the repeat criterion was settled when it was graded
    on receipt, so the held grade is kept as a floor.

    Args:
        open_complaints: ``(complaint, grade held)`` pairs.
        at: The moment of the sweep (aware).
        policy: The grading policy; ``None`` for the defaults.
        calendar: As for :func:`grade`.

    Returns:
        One :class:`Escalation` per complaint whose grade rose, in input order.
    """
    require_aware(at, "at")
    found: list[Escalation] = []
    for complaint, held in open_complaints:
        if not isinstance(held, Grade):
            raise ValidationError.expected(
                "grade", "a Grade", held, f"for complaint {complaint.id}"
            )
        decision = grade(complaint, at=at, policy=policy, calendar=calendar)
        if decision.grade > held:
            found.append(Escalation(complaint.id, held, decision))
    return found


# --- private helpers ---------------------------------------------------------------------------

_TIME = itemgetter(0)
_LONG_AGO = datetime.min.replace(tzinfo=UTC)  # before any complaint
_EVICTION_BATCH = timedelta(hours=1)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months on its wall clock, clamping the day.

    The same as ``moment + relativedelta(months=months)`` (Jan 31 + 1 month = Feb 28),
    several times faster: one subtraction of a ready-made ``timedelta``.
    """
    year, month, day = moment.year, moment.month, moment.day
    if months == -1:  # the window start: the common case, without a loop
        if month == 3:
            before = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
        else:
            before = _DAYS_IN_MONTH[month - 2]  # month 1 reads December's 31
        return moment - _DAYS[day if day > before else before]
    if months == 1:  # the escalation to MAJOR of a HOT complaint: the other common case
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        length = 29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1]
        after = 29 if month == 1 and leap else _DAYS_IN_MONTH[month % 12]  # 12 reads Jan
        return moment + _DAYS[length - day + after if day > after else length]
    days = 0
    if months >= 0:
        for _ in range(months):
            days += _month_length(year, month)
            month += 1
            if month == 13:
                year, month = year + 1, 1
        last = _month_length(year, month)
        if day > last:
            days -= day - last
    else:
        for _ in range(-months):
            month -= 1
            if month == 0:
                year, month = year - 1, 12
            days -= _month_length(year, month)
        last = _month_length(year, month)
        if day > last:
            days -= day - last
    return moment + _DAYS[days] if -400 < days < 400 else moment + timedelta(days=days)


def _month_length(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


_DAYS = {d: timedelta(days=d) for d in range(-399, 400)}


def _count_after(seen: dict[str, datetime], start: datetime) -> int:
    """How many of ``seen`` (complainant -> latest time, oldest first) are after ``start``.

    Counts the few entries at or before ``start`` from the old end: eviction keeps
    at most a few days of them, while the window may hold a hundred on a busy key.
    """
    stale = 0
    for when in seen.values():
        if when > start:
            break
        stale += 1
    return len(seen) - stale


class _Plan:
    """What a policy means for the hot path, computed once per policy."""

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
        self._major_shift = (0, timedelta(0))  # (date ordinal, shift) of the last major_at
        self.key_fields = policy.same_complaint_key
        self.key = attrgetter(*policy.same_complaint_key)
        # Repeats are most HOT complaints of a busy stream: their messages are made once.
        self.repeated_messages = {
            n: self.repeated_message(n) for n in range(self.repeat, self.repeat + 200)
        }
        self.categories = frozenset(policy.categories)
        self.handlers = tuple(policy.handler_roles[g] for g in _GRADES)
        self.supervisors = tuple(policy.supervisor_roles[g] for g in _GRADES)
        self.allowances = tuple(policy.resolve_within[g] for g in _GRADES)
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
        self.litigation_filed = _flag("major.litigation_filed", "it has led to litigation")
        self.media_exposed = _flag("major.media_exposed", "it has been exposed by the media")
        self.litigation_risk = _flag("hot.litigation_risk", "it may lead to litigation")
        self.media_risk = _flag("hot.media_risk", "it may be exposed by the media")
        self.other_departments = Reason(
            "complaint.important.other_departments",
            "it needs help from other specialist departments",
            {"needs_other_departments": True},
            SOURCE,
        )

    def major_at(self, received: datetime) -> datetime:
        """``received`` plus ``major_after_months`` calendar months (the MAJOR deadline)."""
        day, shift = self._major_shift
        today = received.toordinal()
        if today != day:  # the shift in days depends only on the date: a one-date cache
            shift = _add_months(received, self.major_months) - received
            self._major_shift = today, shift
        return received + shift

    def same_index(self, other: GradingPolicy) -> bool:
        return (
            other.same_complaint_key == self.key_fields
            and other.repeat_window_months == self.window_months
        )

    def collective(self, people: int, threshold: int, rank: int) -> Reason:
        grade = _GRADES[rank].name
        return _reason(
            f"complaint.{grade.lower()}.collective",
            f"a collective complaint by {people} people (>= {threshold}): {grade}",
            {"people": people, "threshold": threshold},
            SOURCE,
        )

    def unresolved(self, received: datetime, since: datetime, rank: int) -> Reason:
        if rank == _MAJOR:
            rule, span = "complaint.major.unresolved", f"{self.major_months} calendar month(s)"
        else:
            rule, span = "complaint.hot.unresolved", self.hot_span
        grade = _GRADES[rank].name
        return _reason(
            rule,
            f"still unresolved {span} after it was received, the company's delay: {grade}",
            {"received_at": received, "since": since},
            SOURCE,
        )

    def repeated(self, count: int, start: datetime) -> Reason:
        message = self.repeated_messages.get(count)
        if message is None:
            message = self.repeated_message(count)
        return _reason(
            "complaint.hot.repeated",
            message,
            {
                "complainants": count,
                "threshold": self.repeat,
                "window_start": start,
                "key_fields": self.key_fields,
            },
            SOURCE,
        )

    def repeated_message(self, count: int) -> str:
        return (
            f"the same complaint from {count} different complainants within "
            f"{self.window_months} month(s) (>= {self.repeat}): HOT"
        )

    def second(self, repeat_of: str | None) -> Reason:
        return _reason(
            "complaint.important.second_complaint",
            "a second complaint after the first was handled: IMPORTANT",
            {"repeat_of": repeat_of},
            SOURCE,
        )


def _reason(rule: str, message: str, facts: dict[str, object], source: str) -> Reason:
    """Build a reason from propcrm's own, known-good values without re-validating them.

    Grading builds a reason for about half of the complaints of a busy stream; the
    validators of :class:`Reason` guard user input and would double its cost here.
    """
    reason: Reason = object.__new__(Reason)
    _set_rule(reason, rule)
    _set_message(reason, message)
    _set_facts(reason, facts)
    _set_source(reason, source)
    return reason


# The slots of the frozen Reason, set directly: cheaper than object.__setattr__ by name.
_set_rule, _set_message, _set_facts, _set_source = (
    Reason.__dict__[name].__set__ for name in ("rule", "message", "facts", "source")
)


def _flag(rule: str, message: str) -> Reason:
    grade = rule.partition(".")[0].upper()
    return Reason(f"complaint.{rule}", f"{message}: {grade}", {"flag": True}, SOURCE)


_DEFAULT_POLICY = GradingPolicy()
