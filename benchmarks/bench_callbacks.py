"""Plan callbacks for 100,000 completed repairs and balance them over 50 staff for a month.

Run: python -m pytest benchmarks/bench_callbacks.py --no-cov --benchmark-only -p no:cacheprovider
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from propcrm import BusinessCalendar, Policy
from propcrm.callbacks import (
    CallbackPolicy,
    CallbackTask,
    CompletedRepair,
    RoleShareAllocator,
    StaffMember,
    balance,
    plan_repair_callbacks,
)

REPAIRS = 100_000
SH = ZoneInfo("Asia/Shanghai")
POLICY = CallbackPolicy(daily_capacity=80)
START = date(2025, 3, 1)
DAYS = 31


def _contact() -> BusinessCalendar:
    company = Policy()
    return company.calendar(company.callbacks.contact_calendar, years=[2025])


CALENDAR = _contact()


def _repairs() -> list[CompletedRepair]:
    rng = random.Random(8)
    base = datetime(2025, 3, 1, tzinfo=SH)
    kinds = ["ordinary"] * 8 + ["safety", "leak"]
    return sorted(
        (
            CompletedRepair(
                f"WO-{i}",
                f"C-{rng.randrange(20_000)}",
                base + timedelta(minutes=rng.randrange(28 * 24 * 60)),
                rng.choice(kinds),
                f"T-{rng.randrange(40)}",
            )
            for i in range(REPAIRS)
        ),
        key=lambda r: r.completed_at,
    )


STAFF = [
    StaffMember(f"{role}-{i}", role)
    for role, count in (
        ("service_centre_manager", 5),
        ("engineering_supervisor", 15),
        ("repair_lead", 30),
    )
    for i in range(count)
]


def _plan(repairs: list[CompletedRepair]) -> tuple[CallbackTask, ...]:
    allocator = RoleShareAllocator.from_policy(POLICY)
    return plan_repair_callbacks(
        repairs, allocator=allocator, policy=POLICY, calendar=CALENDAR
    ).tasks


def _naive_balance(tasks: tuple[CallbackTask, ...]) -> int:
    """Baseline: scan every day and every person for each task (same rule, no index)."""
    left = {
        (s.id, START + timedelta(days=d)): POLICY.daily_capacity for s in STAFF for d in range(DAYS)
    }
    placed = 0
    for task in sorted(tasks, key=lambda t: (t.due, t.earliest, t.id)):
        day = max(START, task.earliest.date())
        done = False
        while not done and day < START + timedelta(days=DAYS) and day <= task.due.date():
            best = max(
                (s for s in STAFF if s.role == task.owner_role),
                key=lambda s: left[s.id, day],
            )
            if left[best.id, day] > 0:
                left[best.id, day] -= 1
                placed += 1
                done = True
            day += timedelta(days=1)
    return placed


@pytest.fixture(scope="module")
def repairs() -> list[CompletedRepair]:
    return _repairs()


@pytest.fixture(scope="module")
def tasks(repairs: list[CompletedRepair]) -> tuple[CallbackTask, ...]:
    return _plan(repairs)


@pytest.mark.benchmark(group="plan 100k repair callbacks")
def test_plan_repair_callbacks(benchmark, repairs) -> None:  # type: ignore[no-untyped-def]
    """Plan one callback per repair, owners by role share, windows on the contact calendar."""
    benchmark.extra_info.update(label="`plan_repair_callbacks`", calls=REPAIRS)
    planned = benchmark.pedantic(_plan, args=(repairs,), rounds=3, iterations=1)
    benchmark.extra_info["items_per_s"] = round(REPAIRS / benchmark.stats.stats.mean)
    assert len(planned) == REPAIRS


@pytest.mark.benchmark(group="balance 100k over 50 staff x 31 days")
def test_balance(benchmark, tasks) -> None:  # type: ignore[no-untyped-def]
    """Heap per role and day, with a skip pointer over full days."""

    def run() -> int:
        plan = balance(tasks, STAFF, start=START, days=DAYS, policy=POLICY, calendar=CALENDAR)
        return len(plan.assignments)

    benchmark.extra_info.update(label="`balance`", calls=REPAIRS)
    placed = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["items_per_s"] = round(REPAIRS / benchmark.stats.stats.mean)
    benchmark.extra_info["assigned"] = placed
    assert placed > REPAIRS // 2


@pytest.mark.benchmark(group="balance 100k over 50 staff x 31 days")
def test_balance_naive_baseline(benchmark, tasks) -> None:  # type: ignore[no-untyped-def]
    """Baseline for comparison: a linear scan of days and people for every task."""
    benchmark.extra_info.update(
        label="naive: scan days and people for each task", calls=REPAIRS, baseline_for="`balance`"
    )
    placed = benchmark.pedantic(_naive_balance, args=(tasks,), rounds=3, iterations=1)
    benchmark.extra_info["items_per_s"] = round(REPAIRS / benchmark.stats.stats.mean)
    assert placed > REPAIRS // 2


@pytest.mark.benchmark(group="end to end: plan + balance 100k")
def test_plan_and_balance(benchmark, repairs) -> None:  # type: ignore[no-untyped-def]
    """The whole job: plan the callbacks of a month's repairs and give them to 50 people."""

    def run() -> int:
        plan = balance(
            _plan(repairs), STAFF, start=START, days=DAYS, policy=POLICY, calendar=CALENDAR
        )
        return len(plan.assignments) + len(plan.late) + len(plan.deferred)

    benchmark.extra_info.update(label="plan, then balance", calls=REPAIRS)
    handled = benchmark.pedantic(run, rounds=2, iterations=1)
    benchmark.extra_info["items_per_s"] = round(REPAIRS / benchmark.stats.stats.mean)
    assert handled == REPAIRS
