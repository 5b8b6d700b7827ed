"""Write the result tables of benchmarks/README.md from a benchmark run, never by hand.

Run the benchmark files (one pytest process each) and rewrite their tables:

    python benchmarks/record.py calendar complaints

or rewrite a table from a pytest-benchmark JSON file that already exists:

    python benchmarks/record.py --json run.json calendar

A table lives in the README between ``<!-- table:NAME -->`` and ``<!-- /table -->``;
NAME is the benchmark file without ``bench_`` and ``.py``. The table gets a header line
(date, Python, platform and processor, CPU count, the load average at the start and the
end of the run, the timer) and one row per benchmark: median, min and max of the rounds,
divided by the calls a round makes when the benchmark says so (``extra_info["calls"]``).
A benchmark that names the row it is a baseline for (``extra_info["baseline_for"]``, a
label of the same group) gets the ratio of its median to that row's, both from the same
run. Notes a
benchmark leaves in ``extra_info["note"]`` are listed under the table.

A benchmark that timed several contenders in interleaved rounds (benchmarks/interleave.py)
leaves ``extra_info["interleaved"]``: one entry per contender with its label, calls a
round, the CPU time of each of its rounds and, for a baseline, its subject. Each becomes
a row of its own, its median, min and max taken from its own rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
TIMERS = ("time.perf_counter", "time.process_time")


def marker(name: str) -> re.Pattern[str]:
    """The block of the README that holds table NAME, markers included."""
    return re.compile(rf"(<!-- table:{re.escape(name)} -->\n).*?(<!-- /table -->)", flags=re.DOTALL)


def format_time(seconds: float) -> str:
    """A duration with three significant figures in s, ms, µs or ns."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{_three(seconds / scale)} {unit}"
    return f"{_three(seconds / 1e-9)} ns"


def _three(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def header(run: dict[str, Any]) -> str:
    """One line saying when, on what and under which load the figures were measured."""
    machine = run.get("machine_info", {})
    cpu = machine.get("cpu", {})
    processor = cpu.get("brand_raw") or machine.get("processor") or "unknown processor"
    load = run.get("load_average")
    if load:
        start, end = load["start"], load["end"]
        load_text = (
            f"load average {start[0]:.2f} / {start[1]:.2f} / {start[2]:.2f} at the start, "
            f"{end[0]:.2f} / {end[1]:.2f} / {end[2]:.2f} at the end (1 / 5 / 15 min)"
        )
    else:
        load_text = "load average not recorded"
    stamp = run.get("datetime")  # pytest-benchmark writes UTC in ISO 8601
    when = f"{stamp[:16].replace('T', ' ')} UTC" if stamp else "at an unrecorded time"
    return (
        f"Measured {when}, "
        f"{machine.get('python_implementation', 'Python')} "
        f"{machine.get('python_version', '?')}, {machine.get('system', '?')} "
        f"{machine.get('machine', '?')}, {processor}, {cpu.get('count', '?')} CPUs; "
        f"{load_text}; timer {run.get('timer', 'not recorded')}."
    )


def _label(bench: dict[str, Any]) -> str:
    return str(bench.get("extra_info", {}).get("label") or bench["name"])


def _per_call(bench: dict[str, Any], key: str) -> float:
    calls = bench.get("extra_info", {}).get("calls", 1)
    return float(bench["stats"][key]) / calls


def _rows(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """BENCH itself, or one row per contender of its interleaved rounds."""
    contenders = bench.get("extra_info", {}).get("interleaved")
    if not contenders:
        return [bench]
    note = bench.get("extra_info", {}).get("note")
    rows = []
    for i, contender in enumerate(contenders):
        times = contender["times"]
        stats = {
            "median": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "rounds": len(times),
        }
        extra = {k: v for k, v in contender.items() if k != "times"}
        if note and i == 0:  # the benchmark's own note, once, under its first contender
            extra["note"] = note
        rows.append({**bench, "name": contender["label"], "stats": stats, "extra_info": extra})
    return rows


def render(run: dict[str, Any], name: str) -> str:
    """The table of benchmark file bench_NAME.py in RUN, header and notes included."""
    benches = [
        row
        for b in run["benchmarks"]
        if b["fullname"].split("::")[0].endswith(f"bench_{name}.py")
        for row in _rows(b)
    ]
    groups = list(dict.fromkeys(b["group"] for b in benches))
    benches.sort(key=lambda b: groups.index(b["group"]))  # stable: run order within a group
    if not benches:
        raise ValueError(f"the run has no benchmark of bench_{name}.py: run that file first")
    medians = {(b["group"], _label(b)): _per_call(b, "median") for b in benches}
    lines = [
        header(run),
        "",
        "| group | benchmark | calls a round | rounds | median | min | max | calls/s (median) "
        "| median / subject's |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for b in benches:
        extra = b.get("extra_info", {})
        subject = extra.get("baseline_for")
        ratio = ""
        if subject is not None:
            if (b["group"], subject) not in medians:
                raise ValueError(
                    f"{b['name']} is a baseline for {subject!r}, which did not run in group "
                    f"{b['group']!r}: run the whole file"
                )
            times_over = _per_call(b, "median") / medians[b["group"], subject]
            ratio = f"×{times_over:,.{2 if times_over < 10 else 1}f} {subject}"
        times = [format_time(_per_call(b, key)) for key in ("median", "min", "max")]
        lines.append(
            f"| {b['group']} | {_label(b)} | {extra.get('calls', 1):,} | {b['stats']['rounds']} "
            f"| {' | '.join(times)} | {1 / _per_call(b, 'median'):,.0f} | {ratio} |"
        )
        if extra.get("note"):
            notes.append(f"- {_label(b)}: {extra['note']}")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def replace_table(text: str, name: str, table: str) -> str:
    """TEXT with the block of table NAME replaced by TABLE; the block must exist once."""
    pattern = marker(name)
    found = len(pattern.findall(text))
    if found != 1:
        raise ValueError(
            f"the README has {found} blocks for table {name!r}: it needs exactly one, "
            f"'<!-- table:{name} -->' ... '<!-- /table -->'"
        )
    return pattern.sub(lambda m: m.group(1) + "\n" + table + "\n" + m.group(2), text)


def run_file(name: str, timer: str, extra: list[str]) -> dict[str, Any]:
    """Run benchmarks/bench_NAME.py with pytest-benchmark and return its JSON with the load."""
    path = HERE / f"bench_{name}.py"
    if not path.exists():
        raise ValueError(f"no benchmark file {path.name}: name one of bench_*.py without affixes")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        start = os.getloadavg()
        subprocess.run(
            [
                sys.executable, "-m", "pytest", str(path), "--no-cov", "--benchmark-only",
                "-p", "no:cacheprovider", f"--benchmark-timer={timer}",
                f"--benchmark-json={out}", *extra,
            ],
            check=True,
        )  # fmt: skip
        end = os.getloadavg()
        run: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    run["load_average"] = {"start": list(start), "end": list(end)}
    run["timer"] = timer
    run.setdefault("datetime", datetime.now(UTC).isoformat())
    run.setdefault("machine_info", {}).setdefault("processor", platform.processor())
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", help="tables to rewrite: calendar, complaints, ...")
    parser.add_argument("--json", type=Path, help="read this pytest-benchmark JSON, run nothing")
    parser.add_argument("--timer", choices=TIMERS, default="time.process_time")
    parser.add_argument("--save", type=Path, help="also keep each run's JSON in this directory")
    parser.add_argument("--readme", type=Path, default=README)
    args, extra = parser.parse_known_args(argv)
    tables: dict[str, str] = {}
    for name in args.names:
        if args.json is not None:
            run = json.loads(args.json.read_text(encoding="utf-8"))
        else:
            run = run_file(name, args.timer, extra)
            if args.save is not None:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{name}.json").write_text(json.dumps(run, indent=1), "utf-8")
        tables[name] = render(run, name)
    # Read the README only now: the runs take minutes, and it may have been edited meanwhile.
    text = args.readme.read_text(encoding="utf-8")
    for name, table in tables.items():
        text = replace_table(text, name, table)
    args.readme.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
