"""The mutation-testing results page as reStructuredText, from the results data.

Kept free of Sphinx so the rendering can be tested on its own; the directive in
``mutation_results`` parses what :func:`render` returns.
"""

from __future__ import annotations

from typing import Any

_COLUMNS = (
    ("Module", "module"),
    ("Run on", "date"),
    ("mutmut", "mutmut_version"),
    ("Mutants", "total"),
    ("Killed", "killed"),
    ("Timed out", "timeout"),
    ("Survived", "survived"),
    ("Not reached", "no_tests"),
    ("Equivalent", "equivalent"),
    ("Kill rate %", "kill_rate"),
    ("Without equivalent %", "kill_rate_without_equivalent"),
    ("Run time s", "run_seconds"),
)


def _cell(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if value is None:
        return "—"
    if key == "module":
        return f"``{value}``"
    return str(value)


def render(results: dict[str, Any]) -> list[str]:
    """The reStructuredText of the results: a summary table, then each module's survivors."""
    modules: dict[str, dict[str, Any]] = results.get("modules", {})
    if not modules:
        return ["No module has been mutation-tested yet."]
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [None, *modules.values()]:
        cells = [title if row is None else _cell(row, key) for title, key in _COLUMNS]
        lines.append(f"   * - {cells[0]}")
        lines.extend(f"     - {cell}" for cell in cells[1:])
    lines.append("")
    for entry in modules.values():
        lines += [f".. rubric:: Survivors in ``{entry['module']}``", ""]
        lines += [
            f"Tests run: {', '.join(f'``{test}``' for test in entry['tests'])}; "
            f"{entry['jobs']} mutants at a time, Python {entry['python_version']}. "
            "To reproduce:",
            "",
            ".. code-block:: console",
            "",
            f"   $ {entry['command']}",
            "",
        ]
        survivors: list[dict[str, Any]] = entry["survivors"]
        if not survivors:
            lines += ["Every mutant was killed.", ""]
        for survivor in survivors:
            note = survivor["triage"]
            verdict = f"Equivalent: {' '.join(note.split())}" if note else "Not yet triaged."
            lines += [
                f"``{survivor['id']}`` ({survivor['status'].replace('_', ' ')})",
                "",
                f"   {verdict}",
                "",
                "   .. code-block:: diff",
                "",
                *[f"      {line}" for line in survivor["diff"].splitlines()],
                "",
            ]
    return lines
