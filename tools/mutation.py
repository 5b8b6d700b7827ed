"""Mutation-test one rule-engine module and record the outcome for the documentation.

Run from the project root, one module at a time (a run takes minutes on two cores,
so it is not part of the test suite or CI)::

    python tools/mutation.py src/propcrm/_callback_shares.py
    python tools/mutation.py src/propcrm/_sla_clock.py --jobs 2

The script copies ``src/``, ``tests/``, ``docs/`` and ``pyproject.toml`` into a temporary
directory, narrows the ``[tool.mutmut]`` table of the copy to the one module and the
test files that exercise it (``ENGINE_TESTS`` below, or ``--tests``), runs
``mutmut run`` there and removes the copy: the work tree is never mutated. It then
replaces the module's entry in ``docs/mutation/results.json`` — counts, kill rate,
run time, mutmut version and every surviving mutant with its diff and, when
``docs/mutation/triage.toml`` explains it, the triage note. The documentation page
``docs/mutation.rst`` is rendered from that file when the docs are built.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import tomlkit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "mutation" / "results.json"
TRIAGE = ROOT / "docs" / "mutation" / "triage.toml"

# The test files that exercise each rule engine. mutmut first runs these once to learn
# which test reaches which function, then runs only those tests against each mutant.
ENGINE_TESTS: dict[str, tuple[str, ...]] = {
    "_complaints_grade": (
        "tests/test_complaints.py",
        "tests/test_complaint_grade_boundaries.py",
        "tests/test_review_rules.py",
    ),
    "_customer_segments": (
        "tests/test_customers.py",
        "tests/test_customer_segment_reasons.py",
        "tests/test_member_age_checks.py",
        "tests/test_review_rules.py",
    ),
    "_vip_cards": (
        "tests/test_vip.py",
        "tests/test_vip_card_messages.py",
        "tests/test_review_rules.py",
    ),
    "_vip_policy": (
        "tests/test_vip.py",
        "tests/test_vip_benefit_reasons.py",
        "tests/test_review_rules.py",
    ),
    "_vip_numbers": ("tests/test_vip.py", "tests/test_vip_number_checks.py"),
    "_sla_clock": ("tests/test_sla.py", "tests/test_sla_rules.py", "tests/test_sla_clock.py"),
    "_sla_targets": (
        "tests/test_sla.py",
        "tests/test_sla_rules.py",
        "tests/test_sla_target_checks.py",
    ),
    "_callback_planners": (
        "tests/test_callbacks.py",
        "tests/test_callback_balance.py",
        "tests/test_callback_planner_reasons.py",
    ),
    "_callback_shares": ("tests/test_callbacks.py", "tests/test_callback_balance.py"),
    "_satisfaction_scores": (
        "tests/test_satisfaction.py",
        "tests/test_satisfaction_dimensions.py",
        "tests/test_satisfaction_score_checks.py",
    ),
}

# mutmut's exit codes per mutant, grouped the way the results page counts them.
KILLED_CODES = frozenset({1, 3})
SURVIVED_CODES = frozenset({0})
TIMEOUT_CODES = frozenset({24, -24, 36, 152, 255})
NO_TESTS_CODES = frozenset({5, 33})


class MutationError(Exception):
    """A run that cannot start or whose output cannot be read."""


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "module", help="path of the module to mutate, e.g. src/propcrm/_sla_clock.py"
    )
    parser.add_argument(
        "--tests",
        nargs="+",
        help="test files to run (default: the module's entry in ENGINE_TESTS)",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="mutants tested in parallel (default: 1)"
    )
    return parser.parse_args(argv)


def _module_path(text: str) -> Path:
    path = (ROOT / text).resolve()
    package = ROOT / "src" / "propcrm"
    if path.suffix != ".py" or not path.is_file() or path.parent != package:
        raise MutationError(
            f"module: {text!r} is not a module of src/propcrm; pass a path such as "
            "src/propcrm/_sla_clock.py"
        )
    return path.relative_to(ROOT)


def _test_files(module: Path, given: list[str] | None) -> list[str]:
    if given:
        tests = list(given)
    elif module.stem in ENGINE_TESTS:
        tests = list(ENGINE_TESTS[module.stem])
    else:
        raise MutationError(
            f"tests: no test files are listed for {module.stem} in ENGINE_TESTS; "
            "pass them with --tests tests/test_x.py ..."
        )
    missing = [test for test in tests if not (ROOT / test).is_file()]
    if missing:
        raise MutationError(f"tests: {', '.join(missing)} not found; pass existing test files")
    return tests


def _prepare_copy(work: Path, module: Path, tests: list[str]) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for folder in ("src", "tests", "docs"):  # some rule tests read the docs pages
        shutil.copytree(ROOT / folder, work / folder, ignore=ignore)
    document = tomlkit.parse((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mutmut = document["tool"]["mutmut"]
    mutmut["only_mutate"] = [module.as_posix()]
    mutmut["pytest_add_cli_args_test_selection"] = tests
    (work / "pyproject.toml").write_text(tomlkit.dumps(document), encoding="utf-8")


def _mutmut() -> str:
    beside = Path(sys.executable).parent / "mutmut"
    found = str(beside) if beside.is_file() else shutil.which("mutmut")
    if found is None:
        raise MutationError("mutmut is not installed; install the dev extra: pip install -e .[dev]")
    return found


def _run_mutmut(work: Path, jobs: int) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["CI"] = "true"  # the derandomized hypothesis profile: the same examples every run
    done = subprocess.run(
        [_mutmut(), "run", "--max-children", str(jobs)],
        cwd=work,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        tail = "\n".join(f"{done.stdout}\n{done.stderr}".strip().splitlines()[-40:])
        raise MutationError(f"mutmut run failed (exit status {done.returncode}):\n{tail}")


def _diff(work: Path, mutant: str) -> str:
    shown = subprocess.run(
        [_mutmut(), "show", mutant], cwd=work, check=True, capture_output=True, text=True
    )
    lines = shown.stdout.strip().splitlines()
    return "\n".join(line for line in lines if not line.startswith("# "))


def _triage_notes() -> list[dict[str, str]]:
    if not TRIAGE.is_file():
        return []
    data = tomllib.loads(TRIAGE.read_text(encoding="utf-8"))
    notes: list[dict[str, str]] = data.get("equivalent", [])
    return notes


def triage_note(mutant: str, diff: str, notes: list[dict[str, str]]) -> str | None:
    """The note explaining a survivor, if one names the mutant and its changed line."""
    lines = diff.splitlines()
    added = {line[1:].strip() for line in lines if line.startswith("+") and line[:3] != "+++"}
    for note in notes:
        if note["mutant"] == mutant and note["changed_to"].strip() in added:
            return note["why"]
    return None


def _summarise(
    work: Path, module: Path, tests: list[str], seconds: float, jobs: int
) -> dict[str, Any]:
    meta = work / "mutants" / (module.as_posix() + ".meta")
    if not meta.is_file():
        raise MutationError(f"mutmut left no results for {module}; was the module mutated?")
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    notes = _triage_notes()
    counts = {"killed": 0, "survived": 0, "timeout": 0, "no_tests": 0, "other": 0}
    survivors = []
    for mutant, code in sorted(codes.items()):
        if code in KILLED_CODES:
            counts["killed"] += 1
        elif code in TIMEOUT_CODES:
            counts["timeout"] += 1
        else:
            kind = "survived" if code in SURVIVED_CODES else "no_tests"
            if code not in SURVIVED_CODES and code not in NO_TESTS_CODES:
                kind = "other"
            counts[kind] += 1
            diff = _diff(work, mutant)
            survivors.append(
                {
                    "id": mutant,
                    "status": kind,
                    "diff": diff,
                    "triage": triage_note(mutant, diff, notes),
                }
            )
    total = len(codes)
    caught = counts["killed"] + counts["timeout"]
    equivalent = sum(1 for survivor in survivors if survivor["triage"] is not None)
    return {
        "module": module.as_posix(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "mutmut_version": version("mutmut"),
        "python_version": ".".join(str(part) for part in sys.version_info[:3]),
        "tests": tests,
        "jobs": jobs,
        "run_seconds": round(seconds),
        "total": total,
        **counts,
        "equivalent": equivalent,
        "kill_rate": round(100 * caught / total, 1) if total else None,
        "kill_rate_without_equivalent": (
            round(100 * caught / (total - equivalent), 1) if total - equivalent else None
        ),
        "command": f"python tools/mutation.py {module.as_posix()} --jobs {jobs}",
        "survivors": survivors,
    }


def record(entry: dict[str, Any], results: Path = RESULTS) -> None:
    """Replace the module's entry in the results file, keeping the other modules' entries."""
    data: dict[str, Any] = (
        json.loads(results.read_text(encoding="utf-8")) if results.is_file() else {}
    )
    modules: dict[str, Any] = data.get("modules", {})
    modules[entry["module"]] = entry
    data["modules"] = dict(sorted(modules.items()))
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Mutate one module, record its outcome and print a one-line summary."""
    args = _parse_args(argv)
    try:
        if args.jobs < 1:
            raise MutationError(f"--jobs: {args.jobs} is not a positive count; pass 1 or more")
        module = _module_path(args.module)
        tests = _test_files(module, args.tests)
        with tempfile.TemporaryDirectory(prefix="propcrm-mutation-") as temporary:
            work = Path(temporary)
            _prepare_copy(work, module, tests)
            started = time.monotonic()
            _run_mutmut(work, args.jobs)
            entry = _summarise(work, module, tests, time.monotonic() - started, args.jobs)
    except MutationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    record(entry)
    untriaged = [s["id"] for s in entry["survivors"] if s["triage"] is None]
    print(
        f"{entry['module']}: {entry['kill_rate']} % of {entry['total']} mutants killed "
        f"in {entry['run_seconds']} s; {len(untriaged)} survivors without a triage note"
    )
    for mutant in untriaged:
        print(f"  {mutant}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
