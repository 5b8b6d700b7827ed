"""The mutation-testing page and its triage notes, rendered from recorded results."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


PAGE = _load("mutation_page", ROOT / "docs" / "_ext" / "mutation_page.py")
TOOL = _load("mutation_tool", ROOT / "tools" / "mutation.py")

DIFF = "--- a.py\n+++ a.py\n@@ -1 +1 @@\n-    return x < 1\n+    return x <= 1"
ENTRY = {
    "module": "src/propcrm/_a.py",
    "date": "2026-01-02",
    "mutmut_version": "3.8.1",
    "python_version": "3.11.7",
    "tests": ["tests/test_a.py"],
    "jobs": 2,
    "run_seconds": 40,
    "total": 20,
    "killed": 17,
    "survived": 2,
    "timeout": 1,
    "no_tests": 0,
    "other": 0,
    "equivalent": 1,
    "kill_rate": 90.0,
    "kill_rate_without_equivalent": 94.7,
    "command": "python tools/mutation.py src/propcrm/_a.py --jobs 2",
    "survivors": [
        {"id": "a.x_f__mutmut_1", "status": "survived", "diff": DIFF, "triage": "Same\n value."},
        {"id": "a.x_f__mutmut_2", "status": "survived", "diff": DIFF, "triage": None},
    ],
}


def test_the_summary_row_shows_the_recorded_numbers() -> None:
    """The table row of a module lists its recorded counts, rates and run time in order."""
    lines = PAGE.render({"modules": {"src/propcrm/_a.py": ENTRY}})
    row = lines[lines.index("   * - ``src/propcrm/_a.py``") :][:12]
    cells = [line.removeprefix("     - ") for line in row[1:]]
    expected = ["2026-01-02", "3.8.1", "20", "17", "1", "2", "0", "1", "90.0", "94.7", "40"]
    assert cells == expected


def test_each_survivor_shows_its_triage_and_diff() -> None:
    """A triaged survivor shows its note on one line, an untriaged one says so; both show diffs."""
    text = "\n".join(PAGE.render({"modules": {"src/propcrm/_a.py": ENTRY}}))
    assert "   Equivalent: Same value." in text
    assert "   Not yet triaged." in text
    assert text.count("      +    return x <= 1") == 2
    assert "   $ python tools/mutation.py src/propcrm/_a.py --jobs 2" in text


def test_no_results_yet_says_so() -> None:
    """An empty results file renders one sentence, not an empty table."""
    assert PAGE.render({}) == ["No module has been mutation-tested yet."]


def test_a_triage_note_needs_the_same_mutant_and_changed_line() -> None:
    """A note applies only while the mutant's id and its changed line both still match."""
    notes = [{"mutant": "a.x_f__mutmut_1", "changed_to": "return x <= 1", "why": "Same."}]
    assert TOOL.triage_note("a.x_f__mutmut_1", DIFF, notes) == "Same."
    assert TOOL.triage_note("a.x_f__mutmut_2", DIFF, notes) is None
    changed = DIFF.replace("x <= 1", "x < 2")
    assert TOOL.triage_note("a.x_f__mutmut_1", changed, notes) is None


def test_recording_a_module_keeps_the_other_modules(tmp_path: Path) -> None:
    """Recording one module replaces its entry and leaves the others as they were."""
    results = tmp_path / "results.json"
    TOOL.record({"module": "b", "kill_rate": 50.0}, results)
    TOOL.record({"module": "a", "kill_rate": 80.0}, results)
    TOOL.record({"module": "b", "kill_rate": 95.0}, results)
    expected = '{\n  "modules": {\n    "a": {\n      "module": "a",\n      "kill_rate": 80.0\n'
    assert results.read_text(encoding="utf-8").startswith(expected)
    assert '"kill_rate": 95.0' in results.read_text(encoding="utf-8")
