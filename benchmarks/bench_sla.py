"""SLA evaluation throughput: work orders of 4-8 events, one by one and through the batch path.

Run:
    python -m pytest benchmarks/bench_sla.py --no-cov --benchmark-only -p no:cacheprovider \
        --benchmark-timer=time.process_time

Each round evaluates the next batch of 10,000 items of a fixed pool of 100,000
generated work orders and complaints; items/s = 10,000 / median round time
(in ``extra_info``; see benchmarks/README.md). One warm-up round fills the caches.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from propcrm import Policy
from propcrm.sla import Event, EventKind, SlaEvaluator, SlaPolicy, Timeline, evaluate

SH = ZoneInfo("Asia/Shanghai")
POOL = 100_000
BATCH = 10_000
ROUNDS = 8
AT = datetime(2025, 12, 31, 12, tzinfo=SH)
E = EventKind
KINDS = ("repair.in_home", "repair.public.minor", "repair.public.medium", "complaint")


def _item(rng: random.Random) -> Timeline:
    """A plausible work order or complaint with 4-8 events, received during 2025."""
    t = datetime(2025, 1, 2, 0, tzinfo=SH) + timedelta(minutes=rng.randrange(360 * 24 * 60))
    kind = rng.choice(KINDS)
    events = [Event(E.RECEIVED, t)]

    def later(low: int, high: int) -> datetime:
        nonlocal t
        t += timedelta(minutes=rng.randint(low, high))
        return t

    if kind == "complaint":
        if rng.random() < 0.3:
            events.append(Event(E.REGRADED, later(10, 300), grade=rng.choice(("important", "hot"))))
        events.append(Event(E.PAUSED, later(10, 600), reason="waiting_on_customer"))
        events.append(Event(E.RESUMED, later(30, 3000)))
        events.append(Event(E.RESOLVED, later(30, 1500)))
        events.append(Event(E.CLOSED, later(10, 1500)))
    else:
        if kind == "repair.in_home" and rng.random() < 0.4:
            appointment = t + timedelta(hours=rng.randint(2, 30))
            events.append(Event(E.APPOINTMENT_SET, later(1, 10), appointment=appointment))
        events.append(Event(E.DISPATCHED, later(5, 90)))
        events.append(Event(E.ARRIVED, later(5, 180)))
        # only in-home targets pause on the customer (public repairs do not wait for one)
        if kind == "repair.in_home" and rng.random() < 0.5:
            events.append(Event(E.PAUSED, later(10, 120), reason="waiting_on_customer"))
            events.append(Event(E.RESUMED, later(30, 2000)))
        events.append(Event(E.RESOLVED, later(30, 600)))
    grade = "general" if kind == "complaint" else ""
    return Timeline(events, kind=kind, grade=grade, tier=rng.choice("ABCD"))


@pytest.fixture(scope="module")
def pool() -> list[Timeline]:
    rng = random.Random(20251124)
    return [_item(rng) for _ in range(POOL)]


@pytest.fixture(scope="module")
def calendars() -> dict[str, Any]:
    """The default named calendars (desk, 24x7, office with China's holidays), warmed up."""
    policy = Policy()
    years = range(2025, 2027)
    return {name: policy.calendar(name, years=years) for name in ("24x7", "desk", "office")}


def _batches(pool: list[Timeline]):  # type: ignore[no-untyped-def]
    """A callable giving the next 10,000 items of the pool each time, wrapping around."""
    offsets = iter(range(0, 10**9, BATCH))

    def take() -> list[Timeline]:
        start = next(offsets) % POOL
        return pool[start : start + BATCH]

    return take


@pytest.mark.benchmark(group="sla: 10,000 items per round")
def test_evaluate_one_by_one(benchmark, pool, calendars) -> None:  # type: ignore[no-untyped-def]
    """evaluate() per item: resolves the policy's targets and calendars every call."""
    policy = SlaPolicy()
    take = _batches(pool)

    def run() -> int:
        return sum(
            len(evaluate(item, at=AT, policy=policy, calendars=calendars)) for item in take()
        )

    benchmark.extra_info.update(label="`evaluate()` one item at a time", calls=BATCH)
    benchmark.pedantic(run, rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info["items/s"] = round(BATCH / benchmark.stats.stats.median)


@pytest.mark.benchmark(group="sla: 10,000 items per round")
def test_evaluate_many_batch(benchmark, pool, calendars) -> None:  # type: ignore[no-untyped-def]
    """SlaEvaluator.evaluate_many: targets and calendars resolved once for the batch."""
    evaluator = SlaEvaluator(policy=Policy(), calendars=calendars)
    take = _batches(pool)

    def run() -> int:
        return len(evaluator.evaluate_many(take(), at=AT))

    benchmark.extra_info.update(label="`SlaEvaluator.evaluate_many()`", calls=BATCH)
    benchmark.pedantic(run, rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info["items/s"] = round(BATCH / benchmark.stats.stats.median)


@pytest.mark.benchmark(group="scaling: evaluate_many, items per call")
@pytest.mark.parametrize("items", [1_000, 10_000, 100_000, 1_000_000])
def test_evaluate_many_scaling(benchmark, pool, calendars, items) -> None:  # type: ignore[no-untyped-def]
    """One evaluate_many() call on the first ITEMS items of the pool, or the pool over again.

    1,000,000 items are the 100,000 of the pool ten times over: every status is kept,
    so the call holds ten times the results, as a call on a million distinct items would.
    """
    evaluator = SlaEvaluator(policy=Policy(), calendars=calendars)
    part = pool[:items] if items <= POOL else pool * (items // POOL)

    def run() -> int:
        return len(evaluator.evaluate_many(part, at=AT))

    again = "" if items <= POOL else f" (the pool {items // POOL} times over)"
    benchmark.extra_info.update(label=f"`evaluate_many()`, {items:,} items{again}", calls=items)
    benchmark.pedantic(run, rounds=5 if items < POOL else 3, warmup_rounds=1)
