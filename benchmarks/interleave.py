"""Interleaved rounds: several contenders timed in turn, round after round, in one benchmark.

On a shared machine the load changes from second to second; timing one contender's
rounds and then the other's puts that change into their ratio. Here every round
times each contender once, in alternating order, on the process's CPU time
(``time.process_time``). Before each is timed, its previous round's results are freed
and the garbage collector runs, so that no contender pays for freeing or collecting
another's (the collector stays on while it works). benchmarks/record.py writes one row
per contender with the median, min and max of its own rounds
(``extra_info["interleaved"]``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

#: label, calls a round, the work, and the label of the row it is a baseline for (or None)
Contender = tuple[str, int, Callable[[], object], str | None]


def interleaved(benchmark: Any, contenders: list[Contender], rounds: int) -> dict[str, object]:
    """Time CONTENDERS in turn for ROUNDS rounds after one warm-up; return their last results."""
    times: dict[str, list[float]] = {label: [] for label, *_ in contenders}
    results: dict[str, object] = {}
    for _label, _calls, work, _subject in contenders:  # warm-up: caches, tables, imports
        work()

    def one_round(order: list[Contender]) -> None:
        for label, _calls, work, _subject in order:
            # What the last round kept is freed, and the garbage of every contender is
            # collected, before the clock starts: each is timed on its own work, with the
            # collector on, from the same clean state.
            results.pop(label, None)
            gc.collect()
            start = time.process_time()
            results[label] = work()
            times[label].append(time.process_time() - start)

    def all_rounds() -> None:
        for r in range(rounds):
            one_round(contenders if r % 2 == 0 else contenders[::-1])

    benchmark.pedantic(all_rounds, rounds=1, iterations=1)
    benchmark.extra_info["interleaved"] = [
        {
            "label": label,
            "calls": calls,
            "times": times[label],
            **({"baseline_for": subject} if subject else {}),
        }
        for label, calls, _work, subject in contenders
    ]
    return results
