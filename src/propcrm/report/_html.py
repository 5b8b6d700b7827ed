"""The report as one self-contained HTML page, its charts drawn by matplotlib as inline SVG.

The page loads nothing at view time: no script, no stylesheet, no font, no
image from anywhere — the charts are ``<svg>`` elements in the page, their
text kept as text (``svg.fonttype = "none"``) in a font family list that
starts with CJK-capable fonts, so Chinese labels stay readable and
searchable. The page shows counts and rates only: no customer's name, phone,
ID number or address. matplotlib comes with the ``report`` extra
(``pip install 'propcrm[report]'``). This module is private.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from propcrm.complaints import Grade
from propcrm.errors import PropcrmError
from propcrm.report._figures import Report
from propcrm.report._text import render_text

__all__ = ["CHART_IDS", "FONT_FAMILIES", "render_html"]

FONT_FAMILIES = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "DejaVu Sans",
    "sans-serif",
]
"""The font families chart text asks for, first found first: CJK-capable ones lead."""

CHART_IDS = ("complaints-by-grade", "sla-attainment", "nps-by-community", "callback-coverage")
"""The ``id`` of each chart's ``<figure>``, in page order."""

_COLOURS = {"general": "#8fb8de", "important": "#f2c14e", "hot": "#f78154", "major": "#b4436c"}
_STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
figure { margin: 1.5em 0; } figcaption { color: #555; font-size: 0.9em; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; }
.FAIL { color: #b00020; font-weight: bold; } .pass { color: #1b7f3b; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.85em; }
"""


class ReportExtraMissingError(PropcrmError):
    """matplotlib is not installed: the HTML report needs the ``report`` extra."""


def _matplotlib() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - the test environment has the extra
        raise ReportExtraMissingError(
            "the HTML report draws its charts with matplotlib: "
            "pip install 'propcrm[report]' (or pip install matplotlib)"
        ) from e
    return Figure


def _svg(draw: Callable[[Any], None]) -> str:
    import matplotlib

    figure_class = _matplotlib()
    settings: dict[str, object] = {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": FONT_FAMILIES,
        "svg.hashsalt": "propcrm-report",  # the same ids on every run
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(settings):  # type: ignore[arg-type]
        figure = figure_class(figsize=(9, 3.8), layout="constrained")
        draw(figure.add_subplot())
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # authoring tool, date
    return text[text.index("<svg") :]


def _grades(report: Report) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        months = list(report.grades_by_month)
        bottom = [0] * len(months)
        for grade in Grade:
            counts = [report.grades_by_month[m].get(grade.value, 0) for m in months]
            ax.bar(months, counts, bottom=bottom, label=f"{grade.label} {grade.value}",
                   color=_COLOURS[grade.value])  # fmt: skip
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        ax.set_title("投诉等级（按月） Complaints by grade per month")
        ax.set_ylabel("complaints")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="x", labelrotation=45)
        ax.legend(fontsize="small", ncols=4)

    return draw


def _sla(report: Report) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        rows = [r for r in report.sla if r.total]
        labels = [f"{'工单' if r.family == 'work orders' else '投诉'} {r.target}" for r in rows]
        shares = [100 * r.met / r.total for r in rows]
        colours = [
            "#1b7f3b" if s >= 100 * r.goal else "#b00020" for s, r in zip(shares, rows, strict=True)
        ]
        ax.bar(labels, shares, color=colours)
        ax.axhline(95, color="#333", linestyle="--", linewidth=1, label="95 % 及时率目标")
        ax.axhline(100, color="#888", linestyle=":", linewidth=1, label="100 % 投诉处理及时率目标")
        ax.set_ylim(min([80.0, *shares]) - 5, 102)
        ax.set_title("SLA 达成率 SLA attainment per target")
        ax.set_ylabel("% met")
        ax.legend(fontsize="small", loc="lower left")

    return draw


def _nps(report: Report) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        names = [n for n in report.nps if n]
        values = [report.nps[n].value for n in names]
        # The adjusted-Wald interval is centred on the adjusted score, so with few
        # answers the raw score can lie outside it (all promoters: +100 above the
        # interval): draw the interval and the point each as they are.
        low = [report.nps[n].low for n in names]
        high = [report.nps[n].high for n in names]
        ax.vlines(names, low, high, color="#3a6ea5", linewidth=2)
        ax.plot(names, values, "o", color="#3a6ea5")
        if "" in report.nps:
            ax.axhline(report.nps[""].value, color="#888", linestyle=":", label="全部 all")
            ax.legend(fontsize="small")
        ax.set_title("各小区 NPS（95 % 置信区间） NPS per community with 95 % intervals")
        ax.set_ylabel("NPS (points)")

    return draw


def _coverage(report: Report) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        months = [m for m, *_ in report.coverage]
        shares = [100 * share for *_, share in report.coverage]
        ax.plot(months, shares, marker="o", color="#3a6ea5", label="回访覆盖率 coverage")
        goal = 100 * report.coverage_goal
        ax.axhline(goal, color="#b00020", linestyle="--", label=f"{goal:.0f} % 目标 target")
        ax.set_ylim(min([goal, *shares]) - 10, 101)
        ax.set_title("回访覆盖率 Callback coverage per month")
        ax.set_ylabel("% of customers owed a callback, reached")
        ax.tick_params(axis="x", labelrotation=45)
        ax.legend(fontsize="small", loc="lower left")

    return draw


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{html.escape(str(c))}">{html.escape(str(c))}</td>' for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def render_html(report: Report) -> str:
    """The report as a self-contained HTML page with its four charts.

    Raises:
        ReportExtraMissingError: matplotlib is not installed.
    """
    charts = (
        (_grades(report), "Complaints by grade per month (highest grade each complaint reached)."),
        (_sla(report), "Share of decided items that met each SLA target; the dashed line is 95 %."),
        (_nps(report), "NPS per community with its 95 % adjusted-Wald interval."),
        (
            _coverage(report),
            "Customers owed a callback in the month who were reached, against 85 %.",
        ),
    )
    figures = "".join(
        f'<figure id="{chart_id}">{_svg(draw)}'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for chart_id, (draw, caption) in zip(CHART_IDS, charts, strict=True)
    )
    title = f"propcrm report — {report.scope}, {report.period}"
    scorecard = _table(("KPI", "value", "target", "verdict", "n"), report.scorecard)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>As of {report.as_of:%Y-%m-%d %H:%M %Z}. Every figure is computed from the stored "
        "records by propcrm's engines; the page shows counts and rates, no personal data.</p>"
        f"<h2>Charts</h2>{figures}<h2>KPI scorecard</h2>{scorecard}"
        f"<h2>The full report</h2><pre>{html.escape(render_text(report))}</pre>"
        "</body></html>\n"
    )
