"""Grading a complaint at a moment, and sweeping open complaints for escalations.

Public in :mod:`propcrm.complaints`; this module is private.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple

from attrs import frozen

from propcrm._checks import beyond_dates, require_aware, require_instance, require_items
from propcrm._complaints_history import ComplaintHistory
from propcrm._complaints_policy import (
    DEFAULT_POLICY,
    GradingPolicy,
    HasGrading,
    Plan,
    grading_of,
)
from propcrm._complaints_types import GRADES, Complaint, Grade
from propcrm._time import steady_offset
from propcrm.errors import ValidationError
from propcrm.explain import Reason
from propcrm.roles import Role

__all__ = ["Escalation", "GradeDecision", "grade", "sweep"]

_GENERAL, _IMPORTANT, _HOT, _MAJOR = 0, 1, 2, 3  # ranks: GRADES[_HOT] is Grade.HOT


class GradeDecision(NamedTuple):
    """The grade of a complaint at a moment, and everything that follows from it.

    A named tuple, so immutable and cheap: grading builds one per complaint, and
    a caller that keeps many (a day's stream, a sweep) holds one small object each.
    Stores keep it as a mapping of its fields (see :mod:`propcrm.storage`).

    Attributes:
        complaint_id: The graded complaint.
        grade: The most severe grade whose criteria apply.
        reasons: Every rule that fired, most severe first (a GENERAL decision has one).
        at: The moment of evaluation.
        next_escalation_at: When the grade rises if nothing changes; ``None`` if it
            cannot rise by time (resolved, delay not the company's, or already MAJOR).
        next_grade: The grade it rises to then, or ``None``.
        handler_role: Who handles it (002 §41).
        supervisor_role: Who supervises the outcome.
        resolve_within: The resolution allowance of the grade.
        resolve_by: ``received_at`` plus the allowance in clock hours on a 24x7
            clock: the instant the allowance has elapsed (RULES §4).
        task_force: Whether a dedicated task force handles it (000 §3.2).
        callback_due_after_handling: The complainant is to be called back after
            handling (002 §42).
        owner_id: The first receiver (首问负责人), who owns it until it is closed.

    .. versionchanged:: Unreleased
       A named tuple instead of an attrs class (same fields, same order).
    """

    complaint_id: str
    grade: Grade
    reasons: tuple[Reason, ...]
    at: datetime
    next_escalation_at: datetime | None
    next_grade: Grade | None
    handler_role: Role
    supervisor_role: Role
    resolve_within: timedelta
    resolve_by: datetime
    task_force: bool
    callback_due_after_handling: bool
    owner_id: str


GradeDecision.__module__ = "propcrm.complaints"  # public there; this module is private
#: Builds a decision from its fields in order without the named tuple's own
#: ``__new__`` (a Python-level call): grading's one allocation per complaint.
_decision = tuple.__new__


@frozen
class Escalation:
    """A complaint whose grade rose in a :func:`sweep`.

    Attributes:
        complaint_id: The complaint.
        previous: The grade it had.
        decision: Its new grading; ``decision.grade`` is above ``previous``.
    """

    __module__ = "propcrm.complaints"  # public there; this module is private

    complaint_id: str
    previous: Grade
    decision: GradeDecision

    @property
    def grade(self) -> Grade:
        """The new grade."""
        return self.decision.grade


_PAIRS = "(complaint, grade held) pairs"


def grade(
    complaint: Complaint,
    *,
    at: datetime,
    history: ComplaintHistory | None = None,
    policy: GradingPolicy | HasGrading | None = None,
) -> GradeDecision:
    """Grade ``complaint`` as of ``at`` (002 §40) and say who handles it and by when.

    ``resolve_by`` is ``received_at`` plus the grade's allowance in clock hours
    on a 24x7 clock (RULES §4): the service desk is staffed around the clock,
    so a GENERAL complaint received Monday 09:00 is due Tuesday 09:00.

    Args:
        complaint: The complaint to grade.
        at: The moment of evaluation (aware), not before ``received_at``.
        history: Earlier complaints, for the repeat criterion; without it the
            complaint's own complainants are all that count.
        policy: The root policy or its grading slice (``policy.grading``);
            ``None`` for the defaults.

    Returns:
        The decision, with every reason.

    Raises:
        ValidationError: ``at`` is naive or before ``received_at``, the category is
            not allowed by the policy, ``policy`` is neither the root policy nor a
            :class:`GradingPolicy`, or ``history`` is not a :class:`ComplaintHistory`
            or uses another key or window.
    """
    if type(complaint) is not Complaint and not isinstance(complaint, Complaint):
        require_instance(complaint, Complaint, "complaint", "a Complaint")
    grading = DEFAULT_POLICY if policy is None else grading_of(policy)
    plan: Plan = grading._plan  # type: ignore[attr-defined]  # the compiled policy
    if type(at) is not datetime:
        require_aware(at, "at")
    try:
        return _decide(complaint, at, history, grading, plan)
    except TypeError:  # ``at`` is naive, or its tzinfo gives no offset: it compares with
        require_aware(at, "at")  # no received_at (always aware), which _decide does first
        raise
    except OverflowError as e:
        raise beyond_dates("received_at", complaint.received_at) from e


def _decide(
    complaint: Complaint,
    at: datetime,
    history: ComplaintHistory | None,
    grading: GradingPolicy,
    plan: Plan,
) -> GradeDecision:
    """The body of :func:`grade`, once the arguments are checked."""
    received = complaint.received_at
    resolved = complaint.resolved_at
    # Moments are compared as ``now`` and ``resolved``: as given where the complaint's
    # zone keeps one offset through them (a fixed offset; China's since 1992), so its
    # wall clock orders them as their instants; else in UTC, since Python compares two
    # moments of one zone by wall clock, which the hour a change repeats misorders.
    now = at
    zone = received.tzinfo
    steady = plan.steady  # the last (zone, year) known to keep one offset
    if (
        type(zone) is not timezone
        and not (
            zone is steady[0]
            and received.year == at.year == steady[1]
            and (resolved is None or resolved.year == steady[1])
        )
        and not _steady_through(zone, received, at, resolved)
        and at.utcoffset() is not None  # a naive ``at``: the comparison below refuses it
    ):
        now = at.astimezone(UTC)
        resolved = None if resolved is None else resolved.astimezone(UTC)
    if received > now:
        raise ValidationError.expected(
            "at", f"a moment at or after the complaint's received_at ({received})", at
        )
    if plan.categories and complaint.category not in plan.categories:
        raise ValidationError.expected(
            "category",
            f"one of the policy's categories ({', '.join(plan.category_names)})",
            complaint.category,
            "add it to grading.categories or correct the complaint",
        )
    rank = _GENERAL
    reasons: tuple[Reason, ...] = ()  # added up from the policy's one-reason tuples
    people = complaint.headcount
    if people is None:
        people = len(complaint.complainant_ids)

    # Escalation by time (only while unresolved, and only for the company's delay): a
    # deadline counts if it passed by ``at`` and before the complaint was resolved.
    delayed = complaint.delay_attributable_to_company
    still_open = resolved is None or resolved > now
    week_at = received + plan.hot_after
    month_at: datetime | None = None
    month_passed = week_passed = False
    if delayed and week_at <= now and (still_open or week_at < resolved):  # type: ignore[operator]
        week_passed = True
        if received + plan.month_floor <= now:
            month_at = plan.major_at(received)
            month_passed = month_at <= now and (still_open or month_at < resolved)  # type: ignore[operator]

    # MAJOR (重大投诉)
    if complaint.litigation_filed:
        rank = _MAJOR
        reasons += plan.litigation_filed
    if complaint.media_exposed:
        rank = _MAJOR
        reasons += plan.media_exposed
    if people >= plan.major_people:
        rank = _MAJOR
        reasons += plan.collective(people, plan.major_people, _MAJOR)
    if month_passed:
        rank = _MAJOR
        reasons += plan.unresolved(received, month_at, _MAJOR)  # type: ignore[arg-type]
    # HOT (热点投诉)
    if complaint.litigation_risk:
        rank = rank if rank > _HOT else _HOT
        reasons += plan.litigation_risk
    if complaint.media_risk:
        rank = rank if rank > _HOT else _HOT
        reasons += plan.media_risk
    if history is not None:
        if type(history) is not ComplaintHistory and not isinstance(history, ComplaintHistory):
            raise ValidationError.expected(
                "history",
                "a ComplaintHistory or None",
                history,
                "e.g. ComplaintHistory(policy=policy)",
            )
        if history.policy is not grading and not plan.same_index(history.policy):
            raise ValidationError.expected(
                "history",
                "a ComplaintHistory built with the same key and window as the policy",
                history.policy.same_complaint_key,
            )
        if history.streaming and complaint is history._last:  # counted as it was added
            count = history._count
        else:
            count = history._tally(complaint)[0]
        if count >= plan.repeat:
            rank = rank if rank > _HOT else _HOT
            reasons += plan.repeats.get(count) or plan.repeated(count)
    if plan.hot_people <= people < plan.major_people:
        rank = rank if rank > _HOT else _HOT
        reasons += plan.collective(people, plan.hot_people, _HOT)
    if week_passed and not month_passed:
        rank = rank if rank > _HOT else _HOT
        reasons += plan.unresolved(received, week_at, _HOT)
    # IMPORTANT (重要投诉)
    if complaint.second_after_handling or complaint.repeat_of_id is not None:
        rank = rank if rank > _IMPORTANT else _IMPORTANT
        reasons += plan.second(complaint.repeat_of_id)
    if complaint.needs_other_departments:
        rank = rank if rank > _IMPORTANT else _IMPORTANT
        reasons += plan.other_departments

    next_at: datetime | None = None
    next_grade: Grade | None = None
    if delayed and still_open and rank < _MAJOR:
        # A resolution already recorded for later stops the clock: promise an
        # escalation only if the complaint is still unresolved at that moment.
        if rank < _HOT:
            candidate, rises_to = week_at, GRADES[_HOT]
        elif month_at is not None:
            candidate, rises_to = month_at, GRADES[_MAJOR]
        else:  # plan.major_at(received), its one-date cache read here: most HOT complaints
            day, shift = plan.major_shift
            candidate = received + shift if received.toordinal() == day else plan.major_at(received)
            rises_to = GRADES[_MAJOR]
        if resolved is None or resolved > candidate:
            next_at, next_grade = candidate, rises_to
    allowance = plan.allowances[rank]
    due = received + allowance  # on the wall clock: right unless the offset changes between
    if type(zone) is not timezone and (
        zone is not steady[0] or not received.year == due.year == steady[1]
    ):
        due = _clock_hours_after(received, allowance)
        year = received.year
        if due.year == year and steady_offset(zone, year) is not None:
            plan.steady = zone, year
    return _decision(
        GradeDecision,
        (
            complaint.id,
            GRADES[rank],
            reasons or plan.general,  # () + a shared one-reason tuple is that tuple
            at,
            next_at,
            next_grade,
            plan.handlers[rank],
            plan.supervisors[rank],
            allowance,
            due,
            rank >= plan.task_force,
            plan.callback,
            complaint.first_receiver_id,
        ),
    )


_STEADY_YEARS = 2  # the most years _steady_through looks ahead of the complaint's


def _steady_through(
    zone: tzinfo | None, received: datetime, at: datetime, resolved: datetime | None
) -> bool:
    """Whether ``zone`` keeps one offset from ``received``'s year to the last of the others'.

    Looks at most a few years ahead: moments further apart are compared in UTC.
    """
    first = received.year
    last = max(at.year, first if resolved is None else resolved.year)
    if last - first > _STEADY_YEARS:
        return False
    offset = steady_offset(zone, first)
    return offset is not None and all(
        steady_offset(zone, year) == offset for year in range(first + 1, last + 1)
    )


def _clock_hours_after(start: datetime, allowance: timedelta) -> datetime:
    """The instant ``allowance`` of real time after ``start``, on ``start``'s clock.

    Python adds a duration to an aware datetime on its wall clock; across a
    daylight-saving change that is an hour more or less than the allowance, and
    it may land on a wall time that is skipped. So the sum is taken in UTC,
    unless the offset cannot change in between: a fixed-offset zone, or a year
    in which the zone keeps one offset (China's since 1992), where the wall-clock
    sum is the same instant at a fraction of the cost.
    """
    due = start + allowance
    zone = start.tzinfo
    if type(zone) is timezone:  # a fixed offset, UTC included: wall time is elapsed time
        return due
    if due.year == start.year and steady_offset(zone, start.year) is not None:
        return due
    return (start.astimezone(UTC) + allowance).astimezone(zone)


def sweep(
    open_complaints: Iterable[tuple[Complaint, Grade]],
    *,
    at: datetime,
    policy: GradingPolicy | HasGrading | None = None,
) -> list[Escalation]:
    """Regrade open complaints at ``at`` and return those whose grade rose, with why.

    Each complaint comes with the grade it holds. Time and the complaint's own
    flags are re-evaluated; the repeat criterion was settled when it was graded
    on receipt, so the held grade is kept as a floor.

    Args:
        open_complaints: ``(complaint, grade held)`` pairs.
        at: The moment of the sweep (aware).
        policy: The root policy or its grading slice; ``None`` for the defaults.

    Returns:
        One :class:`Escalation` per complaint whose grade rose, in input order.

    Raises:
        ValidationError: ``at`` is naive, a held grade is not a :class:`Grade`, or
            ``policy`` is neither the root policy nor a :class:`GradingPolicy`.
    """
    require_aware(at, "at")
    grading = grading_of(policy)
    pairs = require_items(open_complaints, "open_complaints", tuple, _PAIRS)
    found: list[Escalation] = []
    for pair in pairs:
        if len(pair) != 2 or not isinstance(pair[0], Complaint):
            raise ValidationError.expected("open_complaints", _PAIRS, pair)
        complaint, held = pair
        if not isinstance(held, Grade):
            raise ValidationError.expected(
                "grade", "a Grade", held, f"for complaint {complaint.id}"
            )
        decision = grade(complaint, at=at, policy=grading)
        if decision.grade > held:
            found.append(Escalation(complaint.id, held, decision))
    return found


grade.__module__ = sweep.__module__ = "propcrm.complaints"  # public there
