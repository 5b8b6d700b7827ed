"""What :class:`~propcrm.sla.SlaEvaluator` resolves once per target and per target set.

Part of :mod:`propcrm.sla`: a target's :class:`Plan` (its fields read as plain
attributes, its calendar looked up, its not-started status built once), the
allowance spans of a regraded or appointed item, and the check of an item's
pause reasons against its targets.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from propcrm._sla_status import SlaState, TargetStatus
from propcrm._sla_targets import REOPENABLE, Allowance, AllowanceKind, SlaCalendar, SlaTarget
from propcrm._sla_timeline import TimelineIndex
from propcrm.errors import ValidationError

__all__ = ["Era", "Plan", "Span", "check_reasons", "pause_reasons", "spans"]

_ZERO = timedelta(0)


class Plan:
    """A target and what evaluating it needs, resolved once per evaluator."""

    __slots__ = (
        "allowance", "business", "cal", "calendar", "duration", "name", "not_started", "pause_on",
        "provisional", "reopenable", "runs_key", "source", "start", "start_key", "stop", "tz",
        "warnings",
    )  # fmt: skip

    def __init__(self, target: SlaTarget, cal: SlaCalendar) -> None:
        self.name, self.start, self.stop = target.name, target.start, target.stop
        self.allowance, self.calendar, self.cal = target.allowance, target.calendar, cal
        self.business = target.allowance.kind is AllowanceKind.BUSINESS
        self.duration = target.allowance.duration
        self.reopenable = target.stop in REOPENABLE
        self.pause_on, self.warnings, self.source = target.pause_on, target.warnings, target.source
        #: What the targets of one item share (see SlaEvaluator._evaluate): the clock's
        #: start on a calendar, and the business time between the pauses for these reasons.
        self.start_key = (target.calendar, target.start)
        self.runs_key = (target.calendar, target.start, target.pause_on)
        self.tz = cal.tz
        self.provisional: dict[int, bool] = {}  # by the due date's year
        self.not_started = TargetStatus(
            self.name, SlaState.NOT_STARTED, None, None, None, _ZERO, _ZERO, None, False,
            self.warnings, self.source,
        )  # fmt: skip


Era = tuple[datetime | None, dict[str, Plan], datetime | None]
Span = tuple[datetime | None, Allowance, datetime | None]


def spans(name: str, eras: list[Era]) -> list[Span]:
    """Stretches of time with one allowance (and appointment) in force for target ``name``."""
    found: list[Span] = []
    last: tuple[Allowance, datetime | None] | None = None
    for era_start, targets, appointment in eras:
        target = targets.get(name)
        if target is None:
            key = None
        else:
            kind = target.allowance.kind
            key = (target.allowance, appointment if kind is AllowanceKind.APPOINTMENT else None)
        if key != last and key is not None:
            found.append((era_start, *key))
        last = key
    return found


def pause_reasons(eras: list[Era]) -> frozenset[str]:
    """Every reason one of the targets in force in ``eras`` pauses on."""
    return frozenset(
        reason for _, plans, _ in eras for p in plans.values() for reason in p.pause_on
    )


def check_reasons(index: TimelineIndex, cut: int, known: frozenset[str], kind: str) -> None:
    """Refuse a pause for a reason none of the item's targets pauses on (it would pause nothing)."""
    for i, reason in index.reasons:
        if i >= cut:
            return
        if reason not in known:
            what = f"{kind!r} target" if kind else "target"
            raise ValidationError(
                f"events[{i}].reason",
                f"events[{i}].reason: no {what} pauses on {reason!r}; known pause reasons: "
                f"{', '.join(sorted(known)) or 'none'}; fix the event or add the reason to "
                "a target's pause_on in policy.sla",
                reason,
            )
