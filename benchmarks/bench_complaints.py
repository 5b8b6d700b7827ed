"""Complaint grading throughput: stateless, streaming with history, and a naive rescan.

The stream follows the issue's shape: 200 communities x 30 categories x 5
subjects, complainants drawn from a pool of 300,000 per million complaints,
and bursts on a few keys. The default is 200,000 complaints over 73 days,
which keeps the density of the full 1,000,000-over-a-year stream (the same
number of complaints per key per month, and so the same number of live
complaints in a one-month window); set ``PROPCRM_BENCH_COMPLAINTS=1000000``
for the full year.

The naive baseline grades each complaint of a tail sample by rescanning every
earlier complaint of the stream for the same key; the streaming index grades
the same sample, side by side in the same run, and the report gives the ratio.
Both must reach the same decisions.

Run:
    python -m pytest benchmarks/bench_complaints.py --no-cov --benchmark-only \
        -p no:cacheprovider --benchmark-timer=time.process_time
"""

from __future__ import annotations

import copy
import os
import random
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import islice
from operator import attrgetter
from zoneinfo import ZoneInfo

import pytest

from floors import GradingFloor
from interleave import interleaved
from propcrm.complaints import Complaint, ComplaintHistory, Grade, GradeDecision, grade

N = int(os.environ.get("PROPCRM_BENCH_COMPLAINTS", "200000"))
TAIL = 200  # the complaints the side-by-side group grades (the naive rescan is slow)
SH = ZoneInfo("Asia/Shanghai")
KEY = attrgetter("community", "category", "subject")  # the default same-complaint key


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
                complainant_ids=named,
                headcount=headcount,
                received_at=start + span * x,
                litigation_risk=roll > 0.995,
                media_risk=0.99 < roll <= 0.993,
                needs_other_departments=0.9 < roll <= 0.93,
                second_after_handling=0.8 < roll <= 0.82,
            )
        )
    return out


def _naive_grade(stream: list[Complaint], i: int) -> GradeDecision:
    """Rescan every earlier complaint of the stream for the same key: what the index saves."""
    c = stream[i]
    key = KEY(c)
    history = ComplaintHistory()
    for earlier in islice(stream, i):
        if KEY(earlier) == key:
            history.add(earlier)
    history.add(c)
    return grade(c, at=c.received_at, history=history)


@pytest.fixture(scope="module")
def stream() -> list[Complaint]:
    return _stream(N)


@pytest.fixture(scope="module")
def year_stream(stream: list[Complaint]) -> list[Complaint]:
    """The full year of 1,000,000 complaints (the scaling group's largest size)."""
    return stream if len(stream) >= 1_000_000 else _stream(1_000_000)


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    lines: dict[str, str] = {}
    yield lines
    streaming, naive = FIGURES.get("streaming, tail"), FIGURES.get("naive rescan, tail")
    if streaming and naive:
        lines["naive / streaming, tail"] = f"{naive / streaming:,.0f}x (same run, same complaints)"
    writer = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if writer is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
            writer.write_line("")
            writer.write_line(f"complaint grading, {N:,} complaints:")
            for name, line in lines.items():
                writer.write_line(f"  {name:<26} {line}")


FIGURES: dict[str, float] = {}  # µs per complaint by group member, for the ratio


def _label(benchmark: object, label: str, calls: int, baseline_for: str | None = None) -> None:
    """What benchmarks/record.py shows: the row's label, complaints a round, its subject."""
    info = benchmark.extra_info  # type: ignore[attr-defined]
    info.update({"label": label, "calls": calls})
    if baseline_for is not None:
        info["baseline_for"] = baseline_for


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

    _label(benchmark, "stateless `grade()`", len(stream))
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
            if grade(c, at=c.received_at, history=history).grade is not Grade.GENERAL:
                count += 1
        hot.append(count)

    _label(benchmark, "streaming: `history.add()` + `grade(history=...)`", len(stream))
    benchmark.pedantic(run, rounds=3, iterations=1)  # type: ignore[attr-defined]
    us = _per_complaint(benchmark, len(stream))
    benchmark.extra_info["us_per_complaint"] = us  # type: ignore[attr-defined]
    benchmark.extra_info["note"] = (  # type: ignore[attr-defined]
        f"{hot[0]:,} of {len(stream):,} complaints graded above GENERAL"
    )
    report["streaming with history"] = (
        f"{us:6.2f} µs/complaint  ({1e6 / us:,.0f}/s; {hot[0]:,} graded above GENERAL)"
    )


# --- against the floors, garbage collector on, every decision kept ---------------------------


@pytest.mark.benchmark(group="whole stream, gc on, decisions kept, interleaved")
def test_against_floors(benchmark: object, stream: list[Complaint]) -> None:
    """grade() with and without history against the floors, each keeping what it returns."""

    def stateless() -> list[object]:
        return [grade(c, at=c.received_at) for c in stream]

    def floor_stateless() -> list[object]:
        floor_grade = GradingFloor().grade
        return [floor_grade(c) for c in stream]

    def streaming() -> list[object]:
        history = ComplaintHistory(streaming=True)
        add, kept = history.add, []
        for c in stream:
            add(c)
            kept.append(grade(c, at=c.received_at, history=history))
        return kept

    def floor_streaming() -> list[object]:
        floor = GradingFloor()
        add, floor_grade, kept = floor.add, floor.grade, []
        for c in stream:
            add(c)
            kept.append(floor_grade(c, history=True))
        return kept

    n = len(stream)
    got = interleaved(
        benchmark,
        [("floor: prebuilt answers", n, floor_stateless, None),
         ("stateless `grade()`", n, stateless, "floor: prebuilt answers"),
         ("floor: streaming window + prebuilt answers", n, floor_streaming, None),
         ("streaming: `history.add()` + `grade(history=...)`", n, streaming,
          "floor: streaming window + prebuilt answers")],
        rounds=5,
    )  # fmt: skip
    grades = [d.grade.value for d in got["streaming: `history.add()` + `grade(history=...)`"]]  # type: ignore[attr-defined]
    assert grades == got["floor: streaming window + prebuilt answers"]
    assert [d.grade.value for d in got["stateless `grade()`"]] == got["floor: prebuilt answers"]  # type: ignore[attr-defined]


@pytest.mark.benchmark(group="scaling: streaming grading, complaints")
@pytest.mark.parametrize("items", [1_000, 10_000, 100_000, 1_000_000])
def test_streaming_scaling(
    benchmark: object, stream: list[Complaint], items: int, request: pytest.FixtureRequest
) -> None:
    """The first ITEMS complaints of a stream, graded with history, decisions kept.

    Beyond the stream's length, the full year at the same density (built for this group).
    """
    source = stream if items <= len(stream) else request.getfixturevalue("year_stream")
    part = source[:items]

    def run() -> list[GradeDecision]:
        history = ComplaintHistory(streaming=True)
        kept = []
        for c in part:
            history.add(c)
            kept.append(grade(c, at=c.received_at, history=history))
        return kept

    _label(benchmark, f"streaming, first {items:,} complaints", items)
    benchmark.pedantic(run, rounds=5 if items <= 10_000 else 3, iterations=1)  # type: ignore[attr-defined]


# --- side by side on the last complaints of the stream ---------------------------------------


def _tail(stream: list[Complaint]) -> range:
    return range(len(stream) - TAIL, len(stream))


@pytest.fixture(scope="module")
def warm_history(stream: list[Complaint]) -> ComplaintHistory:
    history = ComplaintHistory(streaming=True)
    history.extend(stream[: len(stream) - TAIL])
    return history


def _streaming_tail(stream: list[Complaint], history: ComplaintHistory) -> list[GradeDecision]:
    decisions = []
    for i in _tail(stream):
        c = stream[i]
        history.add(c)
        decisions.append(grade(c, at=c.received_at, history=history))
    return decisions


@pytest.mark.benchmark(group=f"last {TAIL} complaints")
def test_tail_stateless(benchmark: object, stream: list[Complaint], report: dict[str, str]) -> None:
    """Stateless grading of the tail."""
    tail = [stream[i] for i in _tail(stream)]

    def run() -> None:
        for c in tail:
            grade(c, at=c.received_at)

    _label(benchmark, "stateless `grade()`", TAIL)
    benchmark.pedantic(run, rounds=20, iterations=1)  # type: ignore[attr-defined]


@pytest.mark.benchmark(group=f"last {TAIL} complaints")
def test_tail_streaming(
    benchmark: object,
    stream: list[Complaint],
    warm_history: ComplaintHistory,
    report: dict[str, str],
) -> None:
    """Streaming grading of the tail, on a history holding the rest of the stream."""

    def setup() -> tuple[tuple[list[Complaint], ComplaintHistory], dict[str, object]]:
        return (stream, copy.deepcopy(warm_history)), {}

    _label(benchmark, "streaming (history copied per round)", TAIL)
    benchmark.pedantic(_streaming_tail, setup=setup, rounds=10, iterations=1)  # type: ignore[attr-defined]
    us = FIGURES["streaming, tail"] = _per_complaint(benchmark, TAIL)
    report["streaming, tail"] = f"{us:6.2f} µs/complaint"


@pytest.mark.benchmark(group=f"last {TAIL} complaints")
def test_tail_naive_rescan(
    benchmark: object,
    stream: list[Complaint],
    warm_history: ComplaintHistory,
    report: dict[str, str],
) -> None:
    """Naive: rescan every earlier complaint of the stream for each complaint of the tail."""

    def run() -> list[GradeDecision]:
        return [_naive_grade(stream, i) for i in _tail(stream)]

    _label(
        benchmark, "naive rescan of every earlier complaint + `grade()`", TAIL,
        baseline_for="streaming (history copied per round)",
    )  # fmt: skip
    naive = benchmark.pedantic(run, rounds=2, iterations=1)  # type: ignore[attr-defined]
    assert naive == _streaming_tail(stream, copy.deepcopy(warm_history))
    us = FIGURES["naive rescan, tail"] = _per_complaint(benchmark, TAIL)
    report["naive rescan, tail"] = (
        f"{us:9,.0f} µs/complaint  (scans all {len(stream) - TAIL:,}+ earlier complaints)"
    )


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

    _label(benchmark, "build the streaming index over the whole stream (tracemalloc on)", 1)
    current, peak, history = benchmark.pedantic(  # type: ignore[attr-defined]
        lambda: _measure(build), rounds=1, iterations=1
    )
    live = len(history)
    benchmark.extra_info.update(  # type: ignore[attr-defined]
        {"peak_bytes": peak, "current_bytes": current, "live_complaints": live}
    )
    benchmark.extra_info["note"] = (  # type: ignore[attr-defined]
        f"tracemalloc peak {peak / 2**20:.1f} MiB, final {current / 2**20:.1f} MiB for "
        f"{live:,} live complaints ({current / live / 1024:.2f} KiB each)"
    )
    report["streaming index memory"] = (
        f"peak {peak / 2**20:6.1f} MiB, final {current / 2**20:.1f} MiB for {live:,} live "
        f"complaints ({current / live / 1024:.2f} KiB each)"
    )
