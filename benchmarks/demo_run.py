"""Time `propcrm demo` at given sizes and write the table of benchmarks/README.md, never by hand.

Each size runs once as its own process under ``/usr/bin/time -v`` (GNU time),
which reports the wall-clock and CPU time and the peak resident memory; the table
between ``<!-- table:demo-run -->`` and ``<!-- /table -->`` is rewritten from
those runs, with the date, Python, machine, CPU count and load average:

    python benchmarks/demo_run.py 2000x12 100000x12

Each SIZE is HOUSEHOLDSxMONTHS. The databases are written to a temporary
directory and removed.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
TIME = "/usr/bin/time"
MARKERS = re.compile(r"(<!-- table:demo-run -->\n).*?(<!-- /table -->)", flags=re.DOTALL)


def measure(households: int, months: int, where: Path) -> tuple[float, float, int]:
    """Run the demo once; return its wall-clock and CPU seconds and peak memory in KiB."""
    command = [
        TIME, "-v", sys.executable, "-m", "propcrm", "demo", "--db", str(where / "demo.sqlite3"),
        "--households", str(households), "--months", str(months),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    report = done.stderr
    wall = re.search(r"Elapsed \(wall clock\) time .*?: (?:(\d+):)?(\d+):([\d.]+)", report)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report)
    if wall is None or peak is None or len(cpu) != 2:
        raise SystemExit(f"{TIME} -v printed no time or memory:\n{report}")
    hours, minutes, seconds = wall.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return total, sum(float(c) for c in cpu), int(peak.group(1))


def table(rows: list[tuple[int, int, float, float, int]], load: tuple[str, str]) -> str:
    """The README table of the runs."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    lines = [
        f"Measured {when}, {platform.python_implementation()} {platform.python_version()}, "
        f"{machine}; load average {load[0]} at the start, {load[1]} at the end (1 / 5 / 15 min); "
        f"`{TIME} -v`, one run per size.",
        "",
        "| households | months | wall-clock time | CPU time (user + sys) | peak memory (RSS) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for households, months, seconds, cpu, kib in rows:
        lines.append(
            f"| {households:,} | {months} | {seconds:,.1f} s | {cpu:,.1f} s "
            f"| {kib / 1024:,.0f} MiB |"
        )
    return "\n".join(lines)


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main(sizes: list[str]) -> int:
    """Measure each size and rewrite the README's table."""
    if not sizes or not all(re.fullmatch(r"\d+x\d+", s) for s in sizes):
        print("usage: python benchmarks/demo_run.py HOUSEHOLDSxMONTHS ...", file=sys.stderr)
        return 2
    start = _load()
    rows = []
    for size in sizes:
        households, months = (int(n) for n in size.split("x"))
        with tempfile.TemporaryDirectory() as where:
            seconds, cpu, kib = measure(households, months, Path(where))
        print(f"{households:,} × {months} months: {seconds:.1f} s ({cpu:.1f} s CPU), {kib:,} KiB")
        rows.append((households, months, seconds, cpu, kib))
    text = README.read_text(encoding="utf-8")
    if not MARKERS.search(text):
        raise SystemExit("benchmarks/README.md has no <!-- table:demo-run --> markers")
    new = MARKERS.sub(
        lambda m: f"{m.group(1)}\n{table(rows, (start, _load()))}\n\n{m.group(2)}", text
    )
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
