"""Business-time arithmetic: propcrm against pandas and businesstimedelta.

Run (a minute or two):

    python -m pytest benchmarks/bench_calendar.py --no-cov --benchmark-only -p no:cacheprovider

Workload (issue 4): 100,000 random starts over 2025-2026 (fixed seed) on the
calendar Asia/Shanghai ``mon-fri 08:30-12:00,13:30-18:00`` with China's
holidays and make-up working days; durations from {30 min, 2 h, 8 h, 24 h,
48 h, 72 h}; ``elapsed`` ends up to 14 days after the start. The same starts
and durations run on a Hong Kong calendar (``holidays="HK"``, Asia/Hong_Kong,
the same week) in the same run, so the two countries' speeds compare directly.

Each benchmark times a whole batch; the summary printed at the end divides by
the batch size (µs per call). The baselines are too slow for 100,000 calls a
round, so the groups that compare libraries use the first 1,000 items of the
same workload for every contender, and the ``100k`` groups time propcrm on
all of it. The baselines are optional (``pip install propcrm[bench]``); a
missing one is skipped with a message.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from floors import CalendarFloor
from interleave import Contender, interleaved
from propcrm import BusinessCalendar, ProvisionalCalendarWarning

SHANGHAI = ZoneInfo("Asia/Shanghai")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
WEEK = "mon-fri 08:30-12:00,13:30-18:00"
YEARS = [2025, 2026]
SEED = 20251001
SIZE = 100_000
SAMPLE = 1_000
SECOND = timedelta(seconds=1)
DURATIONS = [timedelta(minutes=m) for m in (30, 120, 480, 1440, 2880, 4320)]
WINDOW_US = (datetime(2027, 1, 1, tzinfo=SHANGHAI) - datetime(2025, 1, 1, tzinfo=SHANGHAI)) // (
    timedelta(microseconds=1)
)

_rows: list[tuple[str, str, int, float, float]] = []
_notes: list[str] = []


def _workload() -> tuple[list[datetime], list[timedelta], list[datetime]]:
    rng = random.Random(SEED)
    origin = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    starts, durations, ends = [], [], []
    for _ in range(SIZE):
        start = origin + timedelta(microseconds=rng.randrange(WINDOW_US))
        starts.append(start)
        durations.append(rng.choice(DURATIONS))
        ends.append(start + timedelta(microseconds=rng.randrange(14 * 86_400_000_000)))
    return starts, durations, ends


STARTS, DURATIONS_OF, ENDS = _workload()
STARTS_UTC = [s.astimezone(UTC) for s in STARTS]
ENDS_UTC = [e.astimezone(UTC) for e in ENDS]
STARTS_HK = [s.astimezone(HONG_KONG) for s in STARTS]
ENDS_HK = [e.astimezone(HONG_KONG) for e in ENDS]


def _china() -> BusinessCalendar:
    # Deadlines late in 2026 run into 2027, whose schedule is not yet official.
    with pytest.warns(ProvisionalCalendarWarning):
        return BusinessCalendar.china(WEEK, years=[*YEARS, YEARS[-1] + 1])


def _hong_kong() -> BusinessCalendar:
    return BusinessCalendar(WEEK, tz=HONG_KONG, holidays="HK", years=[*YEARS, YEARS[-1] + 1])


def _holiday_dates() -> list[date]:
    return sorted(holidays.China(years=[*YEARS, YEARS[-1] + 1]))  # type: ignore[attr-defined]


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not _rows:
        return
    with capture.global_and_fixture_disabled():
        _write_summary(reporter)


def _write_summary(reporter: Any) -> None:
    reporter.write_line("")
    reporter.write_line("business-time arithmetic, µs per call (min / mean of rounds)")
    fastest: dict[str, float] = {}
    for group, _name, _batch, best, _mean in _rows:
        fastest[group] = min(fastest.get(group, best), best)
    for group, name, batch, best, mean in sorted(_rows):
        ratio = best / fastest[group]
        reporter.write_line(
            f"  {group:<26} {name:<32} {batch:>7} calls  "
            f"{best:10.2f} / {mean:10.2f} µs  x{ratio:,.1f}"
        )
    for note in _notes:
        reporter.write_line(f"  {note}")


def _record(benchmark: Any, name: str, batch: int) -> None:
    stats = benchmark.stats.stats
    _rows.append((benchmark.group, name, batch, stats.min / batch * 1e6, stats.mean / batch * 1e6))


def _run(
    benchmark: Any,
    name: str,
    batch: int,
    work: Callable[[], object],
    rounds: int,
    baseline_for: str | None = None,
) -> Any:
    """Time WORK; benchmarks/record.py reads the label, the calls and the baseline's subject."""
    benchmark.extra_info.update({"label": name, "calls": batch})
    if baseline_for is not None:
        benchmark.extra_info["baseline_for"] = baseline_for
    result = benchmark.pedantic(work, rounds=rounds, iterations=1, warmup_rounds=1)
    _record(benchmark, name, batch)
    return result


# --- propcrm on the whole workload --------------------------------------------------------


@pytest.mark.benchmark(group="add, 100k")
def test_add_calendar_zone(benchmark: Any) -> None:
    cal = _china()
    add = cal.add

    def work() -> list[datetime]:
        return [add(s, d) for s, d in zip(STARTS, DURATIONS_OF, strict=True)]

    results = _run(benchmark, "propcrm, Asia/Shanghai inputs", SIZE, work, rounds=5)
    assert [cal.elapsed(s, r) for s, r in zip(STARTS[:SAMPLE], results, strict=False)] == (
        DURATIONS_OF[:SAMPLE]
    )


@pytest.mark.benchmark(group="add, 100k")
def test_add_utc(benchmark: Any) -> None:
    add = _china().add

    def work() -> list[datetime]:
        return [add(s, d) for s, d in zip(STARTS_UTC, DURATIONS_OF, strict=True)]

    _run(benchmark, "propcrm, UTC inputs", SIZE, work, rounds=5)


@pytest.mark.benchmark(group="elapsed, 100k")
def test_elapsed_calendar_zone(benchmark: Any) -> None:
    elapsed = _china().elapsed

    def work() -> list[timedelta]:
        return [elapsed(s, e) for s, e in zip(STARTS, ENDS, strict=True)]

    _run(benchmark, "propcrm, Asia/Shanghai inputs", SIZE, work, rounds=5)


@pytest.mark.benchmark(group="elapsed, 100k")
def test_elapsed_utc(benchmark: Any) -> None:
    elapsed = _china().elapsed

    def work() -> list[timedelta]:
        return [elapsed(s, e) for s, e in zip(STARTS_UTC, ENDS_UTC, strict=True)]

    _run(benchmark, "propcrm, UTC inputs", SIZE, work, rounds=5)


@pytest.mark.benchmark(group="add, 100k")
def test_add_hong_kong(benchmark: Any) -> None:
    cal = _hong_kong()
    add = cal.add

    def work() -> list[datetime]:
        return [add(s, d) for s, d in zip(STARTS_HK, DURATIONS_OF, strict=True)]

    results = _run(benchmark, "propcrm Hong Kong, HK inputs", SIZE, work, rounds=5)
    assert [cal.elapsed(s, r) for s, r in zip(STARTS_HK[:SAMPLE], results, strict=False)] == (
        DURATIONS_OF[:SAMPLE]
    )


@pytest.mark.benchmark(group="elapsed, 100k")
def test_elapsed_hong_kong(benchmark: Any) -> None:
    elapsed = _hong_kong().elapsed

    def work() -> list[timedelta]:
        return [elapsed(s, e) for s, e in zip(STARTS_HK, ENDS_HK, strict=True)]

    _run(benchmark, "propcrm Hong Kong, HK inputs", SIZE, work, rounds=5)


@pytest.mark.benchmark(group="build")
def test_build_four_year_hong_kong_calendar(benchmark: Any) -> None:
    def work() -> BusinessCalendar:
        return BusinessCalendar(WEEK, tz=HONG_KONG, holidays="HK", years=range(2023, 2027))

    _run(benchmark, "propcrm, Hong Kong 2023-2026", 1, work, rounds=20)


@pytest.mark.benchmark(group="build")
def test_build_four_year_china_calendar(benchmark: Any) -> None:
    def work() -> BusinessCalendar:
        return BusinessCalendar.china(WEEK, years=range(2023, 2027))

    _run(benchmark, "propcrm, China 2023-2026", 1, work, rounds=20)


# --- propcrm against its pure-Python floor, interleaved ------------------------------------------

FLOOR_ROUNDS = 15


@pytest.mark.benchmark(group="add vs floor, 100k, interleaved")
def test_add_against_floor(benchmark: Any) -> None:
    cal = _china()
    floor = CalendarFloor(cal, [*YEARS, YEARS[-1] + 1])
    add, floor_add = cal.add, floor.add

    def ours() -> list[datetime]:
        return [add(s, d) for s, d in zip(STARTS, DURATIONS_OF, strict=True)]

    def theirs() -> list[datetime]:
        return [floor_add(s, d) for s, d in zip(STARTS, DURATIONS_OF, strict=True)]

    got = interleaved(
        benchmark,
        [("floor: prefix sums in seconds + bisect", SIZE, theirs, None),
         ("propcrm `add`, Asia/Shanghai inputs", SIZE, ours,
          "floor: prefix sums in seconds + bisect")],
        FLOOR_ROUNDS,
    )  # fmt: skip
    assert (
        got["propcrm `add`, Asia/Shanghai inputs"] == got["floor: prefix sums in seconds + bisect"]
    )


@pytest.mark.benchmark(group="elapsed vs floor, 100k, interleaved")
def test_elapsed_against_floor(benchmark: Any) -> None:
    cal = _china()
    floor = CalendarFloor(cal, [*YEARS, YEARS[-1] + 1])
    elapsed, floor_elapsed = cal.elapsed, floor.elapsed

    def ours() -> list[timedelta]:
        return [elapsed(s, e) for s, e in zip(STARTS, ENDS, strict=True)]

    def theirs() -> list[timedelta]:
        return [floor_elapsed(s, e) for s, e in zip(STARTS, ENDS, strict=True)]

    got = interleaved(
        benchmark,
        [("floor: prefix sums in seconds + bisect", SIZE, theirs, None),
         ("propcrm `elapsed`, Asia/Shanghai inputs", SIZE, ours,
          "floor: prefix sums in seconds + bisect")],
        FLOOR_ROUNDS,
    )  # fmt: skip
    assert (
        got["propcrm `elapsed`, Asia/Shanghai inputs"]
        == (got["floor: prefix sums in seconds + bisect"])
    )


# --- scaling: items, and years of table ----------------------------------------------------------


@pytest.mark.benchmark(group="scaling: add, items")
@pytest.mark.parametrize("items", [1_000, 10_000, 100_000, 1_000_000])
def test_add_scaling_items(benchmark: Any, items: int) -> None:
    add = _china().add
    starts = (STARTS * (items // SIZE + 1))[:items]
    durations = (DURATIONS_OF * (items // SIZE + 1))[:items]

    def work() -> list[datetime]:
        return [add(s, d) for s, d in zip(starts, durations, strict=True)]

    _run(benchmark, f"propcrm `add`, {items:,} items", items, work, rounds=5 if items < SIZE else 3)


@pytest.mark.benchmark(group="scaling: add and elapsed, years of table")
@pytest.mark.parametrize("years", [1, 5, 10, 20, 40])
@pytest.mark.parametrize("operation", ["add", "elapsed"])
def test_scaling_years(benchmark: Any, years: int, operation: str) -> None:
    """The same calls (starts in the first half of 2025) on a table of YEARS years from 2025."""
    cal = BusinessCalendar(WEEK, holidays="HK", tz=HONG_KONG, years=range(2025, 2025 + years))
    first_half = [i for i, s in enumerate(STARTS_HK) if s.month <= 6]
    starts = [STARTS_HK[i] for i in first_half]
    durations = [DURATIONS_OF[i] for i in first_half]
    ends = [ENDS_HK[i] for i in first_half]
    if operation == "add":
        add = cal.add

        def work() -> list[object]:
            return [add(s, d) for s, d in zip(starts, durations, strict=True)]
    else:
        elapsed = cal.elapsed

        def work() -> list[object]:
            return [elapsed(s, e) for s, e in zip(starts, ends, strict=True)]

    label = f"propcrm `{operation}`, {years} year(s) of table"
    _run(benchmark, label, len(starts), work, rounds=3)


# --- the same work by other libraries, on the first SAMPLE items -------------------------------

# pandas' CustomBusinessHour counts whole hours only, so every contender in the
# comparison groups uses the first SAMPLE items whose duration is whole hours.
_WHOLE = [i for i in range(SIZE) if DURATIONS_OF[i] % timedelta(hours=1) == timedelta(0)][:SAMPLE]


#: Interleaved rounds of each comparison; propcrm's share of a round is the sample
#: REPEAT times over, so that its few milliseconds are not a blip beside the others' seconds.
COMPARE_ROUNDS = 15
REPEAT = 20


def _libraries() -> tuple[Any, Any]:
    """pandas and businesstimedelta, each ``None`` when not installed; skip if neither is."""
    found = []
    for name in ("pandas", "businesstimedelta"):
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            found.append(None)
    if found == [None, None]:
        pytest.skip("pandas and businesstimedelta are not installed: pip install propcrm[bench]")
    return found[0], found[1]


@pytest.mark.benchmark(group="add, vs other libraries, interleaved")
def test_compare_add(benchmark: Any) -> None:
    pd, btd = _libraries()
    add = _china().add
    ours_items = [(STARTS[i], DURATIONS_OF[i]) for i in _WHOLE]

    def ours() -> list[datetime]:
        done: list[datetime] = []
        for _ in range(REPEAT):
            done = [add(s, d) for s, d in ours_items]
        return done

    contenders: list[Contender] = [("propcrm", len(ours_items) * REPEAT, ours, None)]
    if pd is not None:
        hols = _holiday_dates()
        offsets = {
            d: pd.offsets.CustomBusinessHour(
                n=d // timedelta(hours=1),
                start=["08:30", "13:30"],
                end=["12:00", "18:00"],
                holidays=hols,
                weekmask="Mon Tue Wed Thu Fri",
            )
            for d in DURATIONS[1:]
        }
        pd_items = [
            (pd.Timestamp(STARTS[i].replace(tzinfo=None)), offsets[DURATIONS_OF[i]]) for i in _WHOLE
        ]
        contenders.append(
            ("pandas CustomBusinessHour", len(pd_items), lambda: [s + o for s, o in pd_items],
             "propcrm")
        )  # fmt: skip
    if btd is not None:
        rules = _btd_rules(btd)
        deltas = {
            d: btd.BusinessTimeDelta(rules, hours=d // timedelta(hours=1)) for d in DURATIONS[1:]
        }
        btd_items = [(STARTS[i].replace(tzinfo=None), deltas[DURATIONS_OF[i]]) for i in _WHOLE]
        contenders.append(
            ("businesstimedelta", len(btd_items), lambda: [s + d for s, d in btd_items],
             "propcrm")
        )  # fmt: skip
    got: dict[str, Any] = interleaved(benchmark, contenders, COMPARE_ROUNDS)
    if pd is not None:
        answers = [r.to_pydatetime() for r in got["pandas CustomBusinessHour"]]
        _disagreements(benchmark, "add", "pandas", answers, next_opening=True)
    if btd is not None:
        answers = [r.replace(tzinfo=None) for r in got["businesstimedelta"]]
        _disagreements(benchmark, "add", "businesstimedelta", answers)


@pytest.mark.benchmark(group="elapsed, vs other libraries, interleaved")
def test_compare_elapsed(benchmark: Any) -> None:
    _pd, btd = _libraries()
    if btd is None:
        pytest.skip("businesstimedelta is not installed: pip install propcrm[bench]")
    elapsed = _china().elapsed
    ours_items = [(STARTS[i], ENDS[i]) for i in _WHOLE]

    def ours() -> list[timedelta]:
        done: list[timedelta] = []
        for _ in range(REPEAT):
            done = [elapsed(s, e) for s, e in ours_items]
        return done

    difference = _btd_rules(btd).difference
    btd_items = [(STARTS[i].replace(tzinfo=None), ENDS[i].replace(tzinfo=None)) for i in _WHOLE]
    got: dict[str, Any] = interleaved(
        benchmark,
        [("propcrm", len(ours_items) * REPEAT, ours, None),
         ("businesstimedelta", len(btd_items), lambda: [difference(s, e) for s, e in btd_items],
          "propcrm")],
        COMPARE_ROUNDS,
    )  # fmt: skip
    spans = [
        timedelta(hours=r.hours, seconds=r.seconds) // SECOND * SECOND
        for r in got["businesstimedelta"]
    ]
    _disagreements(benchmark, "elapsed", "businesstimedelta", spans)


def _btd_rules(btd: Any) -> Any:
    return btd.Rules(
        [
            btd.WorkDayRule(
                start_time=time(8, 30), end_time=time(18), working_days=[0, 1, 2, 3, 4]
            ),
            btd.LunchTimeRule(
                start_time=time(12), end_time=time(13, 30), working_days=[0, 1, 2, 3, 4]
            ),
            btd.HolidayRule(_holiday_dates()),
        ]
    )


def _disagreements(
    benchmark: Any, operation: str, library: str, results: list[Any], *, next_opening: bool = False
) -> None:
    """Count answers unlike propcrm's, and those a calendar without make-up days explains."""
    full = _china()
    # The same holidays as the baselines get, without China's make-up working days.
    bare = BusinessCalendar(WEEK, closed=_holiday_dates(), years=[*YEARS, YEARS[-1] + 1])
    differ = without_makeup = at_close = 0
    for i, got in zip(_WHOLE, results, strict=True):
        start = STARTS[i]
        if operation == "add":
            want = full.add(start, DURATIONS_OF[i]).replace(tzinfo=None)
            deadline = bare.add(start, DURATIONS_OF[i])
            plain = deadline.replace(tzinfo=None)
            reopened = bare.next_working_time(deadline).replace(tzinfo=None)
            at_close += next_opening and got != plain and got == reopened
        else:
            # businesstimedelta keeps whole seconds: compare at that resolution.
            want = full.elapsed(start, ENDS[i]) // SECOND * SECOND
            plain = bare.elapsed(start, ENDS[i]) // SECOND * SECOND
        differ += got != want
        without_makeup += got != plain
    note = (
        f"{operation}: {library} differs from propcrm on {differ} of {len(results)}; "
        f"without make-up days on {without_makeup}"
    )
    if next_opening:
        note += f" ({at_close} of them: a deadline exactly at a close, moved to the next opening)"
    _notes.append(note)
    earlier = benchmark.extra_info.get("note")
    benchmark.extra_info["note"] = f"{earlier}; {note}" if earlier else note
