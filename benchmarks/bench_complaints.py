"""Complaint grading throughput: stateless, streaming with history, and a naive rescan.

The stream follows the issue's shape: 200 communities x 30 categories x 5
subjects, complainants drawn from a pool of 300,000 per million complaints,
and bursts on a few keys. The default is 200,000 complaints over 73 days,
which keeps the density of the full 1,000,000-over-a-year stream (the same
number of complaints per key per month, and so the same number of live
complaints in a one-month window); set ``PROPCRM_BENCH_COMPLAINTS=1000000``
for the full year.

Run:
    python -m pytest benchmarks/bench_complaints.py --no-cov --benchmark-only -p no:cacheprovider
"""

from __future__ import annotations

import copy
import os
import random
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from propcrm.complaints import Complaint, ComplaintHistory, grade

N = int(os.environ.get("PROPCRM_BENCH_COMPLAINTS", "200000"))
TAIL = 500  # the complaints the side-by-side group grades (the naive rescan is slow)
SH = ZoneInfo("Asia/Shanghai")


def _stream(n: int, seed: int = 6) -> list[Complaint]:
    rng = random.Random(seed)
    span = timedelta(days=365) * n / 1_000_000
    start = datetime(2025, 1, 1, tzinfo=SH)
    communities = [f"community-{i}" for i in range(200)]
    categories = [f"category-{i}" for i in range(30)]
    subjects = [f"subject-{i}" for i in range(5)]
    people = [f"cust-{i}" for i in range(max(1000, 300_000 * n // 1_000_000))]
    bursty = [
        (rng.choice(communities), rng.choice(categories), rng.choice(subjects)) for _ in range(50)
    ]
    moments = sorted(rng.random() for _ in range(n))
    out = []
    for i, x in enumerate(moments):
        if rng.random() < 0.05:
            community, category, subject = rng.choice(bursty)
        else:
            community = rng.choice(communities)
            category = rng.choice(categories)
            subject = rng.choice(subjects)
        roll = rng.random()
        if roll < 0.01:  # a collective complaint naming a few of those who took part
            named = tuple(rng.sample(people, rng.randint(2, 3)))
            headcount: int | None = rng.randint(3, 15)
        else:
            named, headcount = (rng.choice(people),), None
        out.append(
            Complaint(
                f"C{i}",
                community=community,
                category=category,
                subject=subject,
                complainants=named,
                headcount=headcount,
                received_at=start + span * x,
                litigation_risk=roll > 0.995,
                media_risk=0.99 < roll <= 0.993,
                needs_other_departments=0.9 < roll <= 0.93,
                second_after_handling=0.8 < roll <= 0.82,
            )
        )
    return out


def _naive_count(stream: list[Complaint], i: int) -> int:
    """Rescan earlier complaints back to the window start: what an index saves."""
    c = stream[i]
    start = c.received_at - relativedelta(months=1)
    key = (c.community, c.category, c.subject)
    names = set(c.complainants)
    for j in range(i - 1, -1, -1):
        e = stream[j]
        if e.received_at <= start:
            break
        if (e.community, e.category, e.subject) == key:
            names.update(e.complainants)
    return len(names)


@pytest.fixture(scope="module")
def stream() -> list[Complaint]:
    return _stream(N)


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    lines: dict[str, str] = {}
    yield lines
    writer = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if writer is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
            writer.write_line("")
            writer.write_line(f"complaint grading, {N:,} complaints:")
            for name, line in lines.items():
                writer.write_line(f"  {name:<26} {line}")


def _per_complaint(benchmark: object, count: int) -> float:
    stats = benchmark.stats.stats  # type: ignore[attr-defined]
    return float(stats.min) / count * 1e6


# --- the whole stream ------------------------------------------------------------------------


@pytest.mark.benchmark(group="whole stream")
def test_stateless_stream(
    benchmark: object, stream: list[Complaint], report: dict[str, str]
) -> None:
    """Grade every complaint on receipt, without history."""

    def run() -> None:
        for c in stream:
            grade(c, at=c.received_at)

    benchmark.pedantic(run, rounds=3, iterations=1)  # type: ignore[attr-defined]
    us = _per_complaint(benchmark, len(stream))
    benchmark.extra_info["us_per_complaint"] = us  # type: ignore[attr-defined]
    report["stateless"] = f"{us:6.2f} µs/complaint  ({1e6 / us:,.0f}/s)"


@pytest.mark.benchmark(group="whole stream")
def test_streaming_stream(
    benchmark: object, stream: list[Complaint], report: dict[str, str]
) -> None:
    """Add every complaint to a streaming history and grade it against the history."""
    hot: list[int] = []

    def run() -> None:
        history = ComplaintHistory(streaming=True)
        count = 0
        for c in stream:
            history.add(c)
            if grade(c, at=c.received_at, history=history).grade.value != "general":
                count += 1
        hot.append(count)

    benchmark.pedantic(run, rounds=3, iterations=1)  # type: ignore[attr-defined]
    us = _per_complaint(benchmark, len(stream))
    benchmark.extra_info["us_per_complaint"] = us  # type: ignore[attr-defined]
    report["streaming with history"] = (
        f"{us:6.2f} µs/complaint  ({1e6 / us:,.0f}/s; {hot[0]:,} graded above GENERAL)"
    )


# --- side by side on the last complaints of the stream ---------------------------------------


def _tail(stream: list[Complaint]) -> range:
    return range(len(stream) - TAIL, len(stream))


@pytest.mark.benchmark(group=f"last {TAIL} complaints")
def test_tail_stateless(benchmark: object, stream: list[Complaint], report: dict[str, str]) -> None:
    """Stateless grading of the tail."""
    tail = [stream[i] for i in _tail(stream)]

    def run() -> None:
        for c in tail:
            grade(c, at=c.received_at)

    benchmark.pedantic(run, rounds=20, iterations=1)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def warm_history(stream: list[Complaint]) -> ComplaintHistory:
    history = ComplaintHistory(streaming=True)
    history.extend(stream[: len(stream) - TAIL])
    return history


@pytest.mark.benchmark(group=f"last {TAIL} complaints")
def test_tail_streaming(
    benchmark: object,
    stream: list[Complaint],
    warm_history: ComplaintHistory,
    report: dict[str, str],
) -> None:
    """Streaming grading of the tail, on a history holding the rest of the stream."""
    tail = [stream[i] for i in _tail(stream)]

    def setup() -> tuple[tuple[ComplaintHistory], dict[str, object]]:
        return (copy.deepcopy(warm_history),), {}

    def run(history: ComplaintHistory) -> None:
        for c in tail:
            history.add(c)
            grade(c, at=c.received_at, history=history)

    benchmark.pedantic(run, setup=setup, rounds=10, iterations=1)  # type: ignore[attr-defined]
    report["streaming, tail"] = f"{_per_complaint(benchmark, TAIL):6.2f} µs/complaint"


@pytest.mark.benchmark(group=f"last {TAIL} complaints")
def test_tail_naive_rescan(
    benchmark: object, stream: list[Complaint], report: dict[str, str]
) -> None:
    """Naive: rescan every earlier complaint of the window for each complaint of the tail."""

    def run() -> None:
        for i in _tail(stream):
            c = stream[i]
            _naive_count(stream, i)
            grade(c, at=c.received_at)

    benchmark.pedantic(run, rounds=3, iterations=1)  # type: ignore[attr-defined]
    report["naive rescan, tail"] = f"{_per_complaint(benchmark, TAIL):6.2f} µs/complaint"


# --- memory -----------------------------------------------------------------------------------


def _measure(build: Callable[[], ComplaintHistory]) -> tuple[int, int, ComplaintHistory]:
    tracemalloc.start()
    try:
        history = build()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return current, peak, history


@pytest.mark.benchmark(group="memory")
def test_streaming_index_memory(
    benchmark: object, stream: list[Complaint], report: dict[str, str]
) -> None:
    """Peak memory of the streaming index over the whole stream (tracemalloc)."""

    def build() -> ComplaintHistory:
        history = ComplaintHistory(streaming=True)
        history.extend(stream)
        return history

    current, peak, history = benchmark.pedantic(  # type: ignore[attr-defined]
        lambda: _measure(build), rounds=1, iterations=1
    )
    live = len(history)
    benchmark.extra_info.update(  # type: ignore[attr-defined]
        {"peak_bytes": peak, "current_bytes": current, "live_complaints": live}
    )
    report["streaming index memory"] = (
        f"peak {peak / 2**20:6.1f} MiB, final {current / 2**20:.1f} MiB for {live:,} live "
        f"complaints ({current / live / 1024:.2f} KiB each)"
    )
