"""Pictures drawn at build time from propcrm itself, so they cannot drift from the code.

``.. propcrm-picture:: NAME`` draws one of:

* ``national-day`` — the office calendar around China's National Day 2025, day by
  day: working intervals, the holiday and the make-up working days (调休), asked
  of :meth:`propcrm.calendar.BusinessCalendar.working_intervals` and
  :meth:`~propcrm.calendar.BusinessCalendar.closed_reason`;
* ``escalation`` — an unresolved complaint's grade over its first six weeks, asked
  of :func:`propcrm.complaints.grade` once an hour of the period;
* ``sla-clock`` — the states of an SLA target's clock (the members of
  :class:`propcrm.sla.SlaState`) and the events that move it (Graphviz);
* ``layers`` — the layers of the package and how many imports cross between
  them, read from the source with :mod:`ast` (Graphviz).

Charts (matplotlib) and diagrams (Graphviz's ``dot``, from Debian's package) are SVG
inlined into the page with their text kept as text, so Chinese renders with the
reader's CJK font and stays searchable, and the page needs no other file to show them.
"""

from __future__ import annotations

import ast
import io
import shutil
import subprocess
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

_SRC = Path(__file__).resolve().parents[2] / "src" / "propcrm"
_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
_WEEKDAYS = "一二三四五六日"


def _svg(figure: object) -> str:
    """The figure as an inline ``<svg>`` element, text kept as text."""
    import matplotlib.pyplot as plt

    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[arg-type]
    text = out.getvalue()
    return text[text.index("<svg") :]


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "propcrm",  # the same SVG on every build
            "font.family": "sans-serif",
            "font.sans-serif": _FONTS,
            "font.size": 9,
        }
    )
    return plt


def national_day() -> str:
    """The office calendar from 26 September to 12 October 2025, one row a day."""
    from propcrm.policy import Policy

    calendar = Policy().calendar("office")
    zone = ZoneInfo("Asia/Shanghai")
    first = date(2025, 9, 26)
    days = [first + timedelta(days=n) for n in range(17)]
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.5, 5.2))
    for row, day in enumerate(days):
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        intervals = list(calendar.working_intervals(start, start + timedelta(days=1)))
        for opens, closes in intervals:
            left = opens.hour + opens.minute / 60
            width = (closes - opens).total_seconds() / 3600
            axes.barh(row, width, left=left, height=0.6, color="#2f7ed8")
        if intervals and day.weekday() >= 5:
            note, colour = "调休 make-up working day", "#c0392b"
        elif intervals:
            note, colour = "", "black"
        else:
            reason = calendar.closed_reason(day)
            holiday = reason.facts.get("holiday") if reason is not None else None
            note = f"休 {holiday}" if holiday else "休 weekend"
            colour = "#7f8c8d"
        if note:
            axes.text(18.8, row, note, va="center", fontsize=8, color=colour)
    labels = [f"{d.month}/{d.day} 周{_WEEKDAYS[d.weekday()]}" for d in days]
    axes.set_yticks(range(len(days)), labels)
    axes.set_ylim(len(days) - 0.4, -0.6)
    axes.set_xlim(6, 30)
    axes.set_xticks(range(6, 20, 2), [f"{h:02d}:00" for h in range(6, 20, 2)])
    axes.set_title("国庆节 2025: the office calendar, working time in blue")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def escalation() -> str:
    """The grade of one unresolved complaint, evaluated hourly for six weeks."""
    from propcrm.complaints import Complaint, Grade, grade

    zone = ZoneInfo("Asia/Shanghai")
    received = datetime(2025, 3, 3, 9, tzinfo=zone)
    complaint = Complaint(
        "C-1",
        community="东区",
        category="noise",
        subject="pump room",
        complainant_ids=("cust-1",),
        received_at=received,
    )
    ladder = [Grade.GENERAL, Grade.IMPORTANT, Grade.HOT, Grade.MAJOR]
    hours = range(42 * 24 + 1)
    levels = [ladder.index(grade(complaint, at=received + timedelta(hours=h)).grade) for h in hours]
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.5, 3.0))
    axes.step([h / 24 for h in hours], levels, where="post", color="#c0392b", linewidth=2)
    changes = [h for h in hours[1:] if levels[h] != levels[h - 1]]
    for h in changes:
        axes.axvline(h / 24, color="#bbbbbb", linestyle=":")
        moment = received + timedelta(hours=h)
        axes.annotate(
            f"{moment:%m-%d %H:%M}",
            (h / 24, levels[h]),
            xytext=(4, -12),
            textcoords="offset points",
            fontsize=8,
        )
    axes.set_yticks(range(len(ladder)), [f"{g.label} {g.name}" for g in ladder])
    axes.set_ylim(-0.5, len(ladder) - 0.5)
    axes.set_xlabel("days since it was received (Mon 2025-03-03 09:00), still unresolved")
    axes.set_title("An unresolved complaint escalates: +1 week 热点投诉, +1 month 重大投诉")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


_SLA_MOVES = (
    ("NOT_STARTED", "RUNNING", "start event:\\ncounts from the next\\nworking instant"),
    ("RUNNING", "PAUSED", "pause, for a reason\\nthe target stops for"),
    ("PAUSED", "RUNNING", "resume: the pause\\nis given back"),
    ("RUNNING", "MET", "stop event within\\nthe allowance"),
    ("PAUSED", "MET", "stop event\\nwhile paused"),
    ("RUNNING", "BREACHED", "the allowance runs out\\n(a breach stays a breach)"),
)


def sla_clock() -> str:
    """Graphviz source for the SLA clock's states; every state is a member of SlaState."""
    from propcrm.sla import SlaState

    names = {state.name for state in SlaState}
    used = {name for move in _SLA_MOVES for name in move[:2]}
    if used != names:
        raise ValueError(f"the picture's states {sorted(used)} are not SlaState's {sorted(names)}")
    lines = [
        "digraph sla {",
        '  rankdir=TB; node [shape=box, style="rounded,filled", fillcolor="#eef4fb",'
        ' fontname="Noto Sans CJK SC"]; edge [fontname="Noto Sans CJK SC", fontsize=10];',
        '  MET [fillcolor="#dff0d8"]; BREACHED [fillcolor="#f2dede"];',
    ]
    lines += [f'  {a} -> {b} [label="{label}"];' for a, b, label in _SLA_MOVES]
    lines.append("}")
    return "\n".join(lines)


_LAYERS = (
    ("foundation", ("errors", "_time", "_validators", "_slices", "explain", "roles", "_checks")),
    ("policy", ("policy", "_policy_keys", "_policy_file", "_policy_load")),
    ("storage", ("storage",)),
    ("services", ("services",)),
    ("testing", ("testing",)),
    ("command line", ("cli", "__main__", "demo", "report", "__init__")),
)


def _layer(module: str) -> str:
    """The layer of ``propcrm.<module>``; every other module is an engine."""
    head = module.split(".")[0]
    if head.startswith("_cli_"):
        return "command line"
    for layer, names in _LAYERS:
        if head in names:
            return layer
    return "engines"


def _imports() -> Counter[tuple[str, str]]:
    """How many import statements go from one layer to another, read from the source."""
    crossings: Counter[tuple[str, str]] = Counter()
    for path in sorted(_SRC.rglob("*.py")):
        module = ".".join(path.relative_to(_SRC).with_suffix("").parts)
        source = _layer(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module == "propcrm":
                targets = [f"propcrm.{alias.name}" for alias in node.names]  # a submodule
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                if target == "propcrm" or target.startswith("propcrm."):
                    inner = target.removeprefix("propcrm").removeprefix(".") or "__init__"
                    destination = _layer(inner)
                    if destination != source:
                        crossings[(source, destination)] += 1
    return crossings


def layers() -> str:
    """Graphviz source: the layers bottom to top, an arrow for each pair that imports."""
    order = ["command line", "testing", "services", "storage", "policy", "engines", "foundation"]
    lines = [
        "digraph layers {",
        '  rankdir=TB; node [shape=box, style="rounded,filled", fillcolor="#eef4fb",'
        ' fontname="Noto Sans CJK SC"]; edge [color="#888888", fontsize=9];',
    ]
    lines += [f'  "{name}";' for name in order]
    for (source, destination), count in sorted(_imports().items()):
        if order.index(source) > order.index(destination):
            raise ValueError(f"{source} imports {destination}: an upward import")
        lines.append(f'  "{source}" -> "{destination}" [label="{count}"];')
    lines.append("}")
    return "\n".join(lines)


_CHARTS = {"national-day": national_day, "escalation": escalation}
_GRAPHS = {"sla-clock": sla_clock, "layers": layers}


def _dot(source: str) -> str:
    """Graphviz source drawn as an inline ``<svg>`` element by Debian's ``dot``."""
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("Graphviz's dot is not installed: apt-get install graphviz")
    drawn = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, text=True, check=True)
    return drawn.stdout[drawn.stdout.index("<svg") :]


class Picture(SphinxDirective):
    """``.. propcrm-picture:: NAME``: one of the pictures above, drawn now."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name in _CHARTS:
            svg = _CHARTS[name]()
            return [nodes.raw("", f'<figure class="propcrm-picture">{svg}</figure>', format="html")]
        if name in _GRAPHS:
            svg = _dot(_GRAPHS[name]())
            return [nodes.raw("", f'<figure class="propcrm-picture">{svg}</figure>', format="html")]
        known = ", ".join(sorted({**_CHARTS, **_GRAPHS}))
        raise self.error(f"unknown picture {name!r}; known: {known}")


def setup(app: Sphinx) -> dict[str, object]:
    """Register the directive."""
    app.add_directive("propcrm-picture", Picture)
    return {"parallel_read_safe": True}
