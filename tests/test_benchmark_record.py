"""benchmarks/record.py writes the README's tables from a run: checked on a tiny hand-made run."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "record.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_record", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


record = _load()


def _bench(
    file: str, group: str, name: str, stats: tuple[float, float, float], **extra: Any
) -> dict[str, Any]:
    median, low, high = stats
    return {
        "fullname": f"benchmarks/bench_{file}.py::{name}",
        "name": name,
        "group": group,
        "extra_info": extra,
        "stats": {"median": median, "min": low, "max": high, "rounds": 5},
    }


def _run(**changes: Any) -> dict[str, Any]:
    run = {
        "datetime": "2026-12-06T13:31:55.123456",
        "machine_info": {
            "python_implementation": "CPython",
            "python_version": "3.11.7",
            "system": "Linux",
            "machine": "x86_64",
            "cpu": {"brand_raw": "AMD EPYC 7B13", "count": 2},
        },
        "load_average": {"start": [1.5, 2.0, 2.5], "end": [3.25, 2.75, 2.5]},
        "timer": "time.process_time",
        "benchmarks": [
            _bench("demo", "add", "test_ours", (0.002, 0.0019, 0.0031), label="ours", calls=1000),
            _bench("demo", "build", "test_build", (0.0425, 0.04, 0.05)),
            _bench(
                "demo",
                "add",
                "test_theirs",
                (0.5, 0.45, 0.6),
                label="theirs",
                calls=1000,
                baseline_for="ours",
                note="differs on 3 of 1000",
            ),
            _bench("other", "add", "test_elsewhere", (9.0, 9.0, 9.0)),
        ],
    }
    run.update(changes)
    return run


EXPECTED = """\
Measured 2026-12-06 13:31 UTC, CPython 3.11.7, Linux x86_64, AMD EPYC 7B13, 2 CPUs; \
load average 1.50 / 2.00 / 2.50 at the start, 3.25 / 2.75 / 2.50 at the end (1 / 5 / 15 min); \
timer time.process_time.

| group | benchmark | calls a round | rounds | median | min | max | calls/s (median) \
| median / subject's |
|---|---|---:|---:|---:|---:|---:|---:|---:|
| add | ours | 1,000 | 5 | 2.00 µs | 1.90 µs | 3.10 µs | 500,000 |  |
| add | theirs | 1,000 | 5 | 500 µs | 450 µs | 600 µs | 2,000 | ×250.0 ours |
| build | test_build | 1 | 5 | 42.5 ms | 40.0 ms | 50.0 ms | 24 |  |

- theirs: differs on 3 of 1000
"""


def test_render_writes_rows_per_call_with_same_run_ratio() -> None:
    """Rows per call, grouped in run order, a baseline's ratio of medians, other files out."""
    assert record.render(_run(), "demo") == EXPECTED


def test_render_says_when_the_load_was_not_recorded() -> None:
    """A JSON written by pytest-benchmark alone has no load average, and the header says so."""
    run = _run()
    del run["load_average"]
    first = record.render(run, "demo").splitlines()[0]
    assert "load average not recorded;" in first


def test_render_says_when_the_date_was_not_recorded() -> None:
    """A run without its date is headed as measured at an unrecorded time."""
    run = _run()
    del run["datetime"]
    assert record.render(run, "demo").startswith("Measured at an unrecorded time, CPython")


def test_render_refuses_a_baseline_without_its_subject() -> None:
    """A baseline whose subject did not run cannot give a ratio: the error says to run the file."""
    run = _run()
    run["benchmarks"] = run["benchmarks"][1:]
    with pytest.raises(ValueError, match="did not run in group 'add': run the whole file"):
        record.render(run, "demo")


def test_render_refuses_a_run_without_the_file() -> None:
    """Asking for a table whose file is not in the run names the file to run."""
    with pytest.raises(ValueError, match="no benchmark of bench_sla.py"):
        record.render(_run(), "sla")


def test_replace_table_keeps_the_prose_around_the_markers() -> None:
    """Only the text between the table's markers changes."""
    text = "intro\n<!-- table:demo -->\nold | row\n<!-- /table -->\noutro\n"
    got = record.replace_table(text, "demo", "new table\n")
    assert got == "intro\n<!-- table:demo -->\n\nnew table\n\n<!-- /table -->\noutro\n"


def test_replace_table_needs_exactly_one_block() -> None:
    """A README without the table's markers is refused with the markers to add."""
    with pytest.raises(ValueError, match="has 0 blocks for table 'demo'"):
        record.replace_table("no markers here\n", "demo", "table\n")


def test_format_time_picks_the_unit() -> None:
    """Three significant figures in the largest unit below the value."""
    assert [record.format_time(t) for t in (2.5, 0.0123, 4.56e-6, 7.5e-8)] == [
        "2.50 s",
        "12.3 ms",
        "4.56 µs",
        "75.0 ns",
    ]


def test_render_gives_each_interleaved_contender_its_own_row() -> None:
    """Rounds 3, 1, 2 ms and 6, 9, 3 ms of 1,000 calls: medians 2 and 6 µs, ratio ×3.00."""
    interleaved = [
        {"label": "mine", "calls": 1000, "times": [0.003, 0.001, 0.002]},
        {"label": "floor", "calls": 1000, "times": [0.006, 0.009, 0.003], "baseline_for": "mine"},
    ]
    bench = _bench("pair", "add", "test_pair", (1.0, 1.0, 1.0), interleaved=interleaved)
    rows = record.render(_run(benchmarks=[bench]), "pair").splitlines()[4:6]
    assert rows == [
        "| add | mine | 1,000 | 3 | 2.00 µs | 1.00 µs | 3.00 µs | 500,000 |  |",
        "| add | floor | 1,000 | 3 | 6.00 µs | 3.00 µs | 9.00 µs | 166,667 | ×3.00 mine |",
    ]


def test_an_interleaved_benchmarks_note_is_listed_once_under_its_first_contender() -> None:
    """The note of a run of two contenders appears once, as "- mine: 3 answers differ"."""
    interleaved = [
        {"label": "mine", "calls": 10, "times": [0.001]},
        {"label": "theirs", "calls": 10, "times": [0.002], "baseline_for": "mine"},
    ]
    bench = _bench(
        "pair", "add", "test_pair", (1.0, 1.0, 1.0), interleaved=interleaved,
        note="3 answers differ",
    )  # fmt: skip
    text = record.render(_run(benchmarks=[bench]), "pair")
    assert [line for line in text.splitlines() if line.startswith("- ")] == [
        "- mine: 3 answers differ"
    ]
