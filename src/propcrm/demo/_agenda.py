"""The demo's agenda: things to do at given instants, done in time order at the clock's time.

A month of the portfolio is a pile of scheduled steps (a repair is dispatched,
a complaint handled, a callback made); each step may schedule the next. Steps
run in time order, the clock set to each step's instant first, so every desk
command is stamped with the moment it happens. This module is private.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime

from propcrm._time import FixedClock

__all__ = ["Agenda"]


class Agenda:
    """Scheduled steps, run in time order (ties in the order they were scheduled)."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self._steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self._count = 0

    def at(self, when: datetime, step: Callable[[], None]) -> None:
        """Schedule ``step`` at ``when``."""
        self._count += 1
        heapq.heappush(self._steps, (when, self._count, step))

    def run_until(self, end: datetime, tick: Callable[[], None] | None = None) -> int:
        """Run every step scheduled before ``end``; later ones wait. Returns how many ran."""
        ran = 0
        while self._steps and self._steps[0][0] < end:
            when, _, step = heapq.heappop(self._steps)
            self.clock.set(when)
            step()
            ran += 1
            if tick is not None:
                tick()
        return ran

    def __len__(self) -> int:
        return len(self._steps)
