"""What an SLA clock says at an instant: :class:`SlaState` and :class:`TargetStatus`.

Part of :mod:`propcrm.sla`, which re-exports the public names. Annotations are
evaluated here, not postponed, because :mod:`propcrm.sla` presents these
classes as its own.
"""

import bisect
from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from propcrm.explain import Reason

__all__ = ["SlaState", "TargetStatus"]


class SlaState(Enum):
    """Where a target's clock is."""

    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


class TargetStatus(NamedTuple):
    """One target's status at an instant.

    A named tuple, so immutable and cheap: evaluation builds one per target
    of every item, and a batch keeps them all.

    Attributes:
        target: The target's name.
        state: Not started, running, paused, met or breached (a breach stays a breach).
        started_at: When the clock started (the next working instant after the start event).
        due_at: The deadline in force; while paused, the deadline if resumed now.
        stopped_at: When the stop event happened (met or late), if it has; for a
            target whose stop event never came, when the item was resolved (or closed).
        elapsed: Business time counted so far (pauses excluded).
        allowed: The allowance in force, in business time.
        breached_at: When the clock first ran past its allowance in force.
        provisional: Whether ``due_at`` falls in a year with no official holiday schedule yet.
        warnings: The target's warning thresholds (see :attr:`warnings_passed`).
        source: The target's source article.

    .. versionchanged:: Unreleased
       A named tuple instead of an attrs class (same fields, same order).
    """

    target: str
    state: SlaState
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    elapsed: timedelta
    allowed: timedelta
    breached_at: datetime | None
    provisional: bool
    warnings: tuple[float, ...] = ()
    source: str = ""

    @property
    def remaining(self) -> timedelta:
        """Business time left; negative once overdue."""
        return self.allowed - self.elapsed

    @property
    def fraction(self) -> float:
        """``elapsed`` over ``allowed`` (0.0 before the start, 1.0 when nothing is allowed)."""
        if self.state is SlaState.NOT_STARTED:
            return 0.0
        return self.elapsed / self.allowed if self.allowed else 1.0

    @property
    def warnings_passed(self) -> tuple[float, ...]:
        """The warning thresholds already consumed, e.g. ``(0.5, 0.75)``."""
        return self.warnings[: bisect.bisect_right(self.warnings, self.fraction)]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the status is what it is, citing the target's source."""
        facts = {"due_at": self.due_at, "elapsed": self.elapsed, "breached_at": self.breached_at}
        if self.breached_at is not None and self.due_at is not None:
            when = f"breached at {self.breached_at.isoformat()} (due {self.due_at.isoformat()})"
        elif self.due_at is not None:
            when = f"{self.state.value}, due {self.due_at.isoformat()}"
        else:
            when = "the clock has not started"
        return (Reason(f"sla.{self.state.value}", f"{self.target}: {when}", facts, self.source),)
