"""``propcrm whatif --db PATH --policy FILE``: what another policy would change, and for whom.

Opens the database read-only, replays its stored events under the baseline
policy (the defaults, or ``--baseline FILE``) and under ``--policy FILE`` with
:func:`propcrm.services.what_if`, and prints the differences: complaints whose
grade, escalation or timeliness changes, each measure against its target,
work-order targets and callbacks that change, and the KPIs of the scorecard
that change, per community. ``--json`` prints the same report as JSON.
Exits 0, or 2 with a message naming the argument at fault.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import cattrs

from propcrm._time import SystemClock, zone
from propcrm.errors import PolicyError, PropcrmError, ValidationError
from propcrm.policy import Policy
from propcrm.satisfaction import Attainment, Indicator, Kpi
from propcrm.services import Period, WhatIfReport, what_if
from propcrm.storage.sqlite import SqliteStore

__all__ = ["add_parser", "render"]

EXIT_OK = 0
EXIT_INVALID = 2


class _RefusedError(Exception):
    """An argument is at fault: the message names it."""


def add_parser(commands: Any) -> None:
    """Add the ``whatif`` command to the ``propcrm`` subcommands."""
    parser = commands.add_parser(
        "whatif",
        help="show what another policy would change in a database's stored events",
        description=(
            "Replay the complaints, work orders, callbacks and surveys a database holds "
            "under the baseline policy and under another one, and show what changes and "
            "for whom. The database is opened read-only."
        ),
    )
    parser.add_argument("--db", required=True, help="a database the desks wrote (SQLite file)")
    parser.add_argument("--policy", required=True, help="the policy to try (.toml or .json)")
    parser.add_argument(
        "--baseline", help="the policy the desks ran (.toml or .json); the defaults if left out"
    )
    parser.add_argument(
        "--at",
        help="evaluate at this moment (ISO 8601; without an offset, in the policy's zone); now "
        "if left out",
    )
    parser.add_argument(
        "--period",
        help="the period the scorecards cover: a month 2025-07 or a quarter 2025-Q3; the month "
        "of --at if left out",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``propcrm whatif``; returns the exit status."""
    try:
        report = _report(args)
    except _RefusedError as e:
        sys.stderr.write(f"{e}\n")
        return EXIT_INVALID
    sys.stdout.write(_json(report) if args.json else render(report))
    return EXIT_OK


def _report(args: argparse.Namespace) -> WhatIfReport:
    policy = _policy(args.policy, "--policy")
    baseline = Policy() if args.baseline is None else _policy(args.baseline, "--baseline")
    at = _moment(args.at, policy)
    period = _period(args.period)
    path = Path(args.db)
    if not path.is_file():
        raise _RefusedError(
            f"--db: no database file at {args.db}; give the path of a database the desks wrote"
        )
    try:
        store = SqliteStore(path, read_only=True)
    except PropcrmError as e:
        raise _RefusedError(f"--db: {e}") from e
    try:
        return what_if(store, policy=policy, at=at, baseline=baseline, period=period)
    except PropcrmError as e:
        raise _RefusedError(f"--policy: the stored events cannot be replayed under it: {e}") from e
    finally:
        store.close()


def _policy(file: str, name: str) -> Policy:
    try:
        return Policy.load(file)
    except PolicyError as e:
        raise _RefusedError(f"{name}: {e}") from e


def _period(text: str | None) -> Period | None:
    if text is None:
        return None
    try:
        return Period.parse(text)
    except ValidationError as e:
        raise _RefusedError(f"--period: {str(e).removeprefix('period: ')}") from e


def _moment(text: str | None, policy: Policy) -> datetime:
    if text is None:
        return SystemClock(policy.tz).now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _RefusedError(
            f"--at: {text!r} is not an ISO 8601 moment; write e.g. 2025-06-30T18:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone(policy.tz))


# --- text --------------------------------------------------------------------------------------


def _share(value: Attainment) -> str:
    if not value.total:
        return "no decided items"
    return f"{value.met / value.total:.1%} ({value.met}/{value.total})".replace("%", " %")


def _goal(target: float | None) -> str:
    return "none" if target is None else f"{target:.0%}".replace("%", " %")


def _number(kpi: Kpi, value: float, digits: int = 1) -> str:
    return f"{value:.1f}" if kpi in _POINTS else f"{value:.{digits}%}".replace("%", " %")


def _indicator(kpi: Kpi, found: Indicator) -> str:
    if found.value is None:
        return found.status.value
    return f"{_number(kpi, found.value)} {found.status.value}"


_POINTS = frozenset({Kpi.NPS, Kpi.SATISFACTION_INDEX})


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="minutes")


def _timely(value: bool | None) -> str:
    return {True: "on time", False: "late", None: "not due"}[value]


def render(report: WhatIfReport) -> str:
    """The report as text a manager reads: what changes, and for whom."""
    lines = [
        f"what if: policy {report.policy_fingerprint} against baseline "
        f"{report.baseline_fingerprint}, at {_when(report.at)}; scorecards of "
        f"{report.period.label}",
        f"read {report.complaints_read} complaints, {report.work_orders_read} work orders, "
        f"{report.callbacks_read} callbacks",
    ]
    if not report.baseline_ran_the_store:
        lines.append(
            "note: the stored grade decisions were made under policy "
            f"{', '.join(report.stored_fingerprints)}; give that policy as --baseline to compare "
            "with what the desks ran"
        )
    if not report.changed:
        lines.append("no change: the policy decides every stored event as the baseline does")
        return "\n".join(lines) + "\n"
    lines += _complaints(report)
    lines.append("measures:")
    for m in report.measures:
        target = "" if m.target is None else f" (target {_goal(m.target)})"
        if m.target != m.baseline_target:
            target = f" (target {_goal(m.baseline_target)} → {_goal(m.target)})"
        if m.changed:
            lines.append(f"  {m.name}: {_share(m.before)} → {_share(m.after)}{target}")
        else:
            lines.append(f"  {m.name}: unchanged, {_share(m.after)}{target}")
    if report.work_orders:
        lines.append(f"work-order targets ({len(report.work_orders)} change):")
    for t in report.work_orders:
        old = t.before.value if t.before else "-"
        new = t.after.value if t.after else "-"
        lines.append(f"  {t.work_order_id} {t.community} {t.target}: {old} → {new}")
    lines += _callbacks(report)
    if report.scorecard:
        lines.append(f"scorecard ({len(report.scorecard)} change):")
    for k in report.scorecard:
        goals = [_number(k.kpi, i.target, 0) for i in (k.before, k.after) if i.target is not None]
        target = f" (target {' → '.join(dict.fromkeys(goals))})" if goals else ""
        lines.append(
            f"  {k.community} {k.kpi.value}: {_indicator(k.kpi, k.before)} → "
            f"{_indicator(k.kpi, k.after)}{target}"
        )
    return "\n".join(lines) + "\n"


def _complaints(report: WhatIfReport) -> list[str]:
    lines = [f"complaints ({len(report.complaints)} change):"] if report.complaints else []
    for c in report.complaints:
        text = f"  {c.complaint_id} {c.community}: {c.before.grade.label} → {c.after.grade.label}"
        if c.before.escalated != c.after.escalated:
            text += f"; escalated {c.before.escalated} → {c.after.escalated}"
        if c.before.on_time != c.after.on_time:
            text += f"; {_timely(c.before.on_time)} → {_timely(c.after.on_time)}"
            text += f" (resolve by {_when(c.after.resolve_by)})"
        if c.after.grade < c.before.grade and c.dropped_reasons:
            text += f" (no longer: {c.dropped_reasons[0]})"
        elif c.new_reasons:
            text += f" (reason {c.new_reasons[0]})"
        lines.append(text)
    return lines


def _callbacks(report: WhatIfReport) -> list[str]:
    lines = [f"callbacks ({len(report.callbacks)} change):"] if report.callbacks else []
    for b in report.callbacks:
        parts = []
        if b.before.owner_role != b.after.owner_role:
            parts.append(f"owner {b.before.owner_role} → {b.after.owner_role}")
        if b.before.due != b.after.due:
            parts.append(f"due {_when(b.before.due)} → {_when(b.after.due)}")
        if b.before.on_time != b.after.on_time:
            parts.append(f"{_timely(b.before.on_time)} → {_timely(b.after.on_time)}")
        lines.append(f"  {b.subject_id} {b.community}: {'; '.join(parts)}")
    return lines


# --- JSON --------------------------------------------------------------------------------------


def _json(report: WhatIfReport) -> str:
    converter = cattrs.Converter()
    converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
    converter.register_unstructure_hook(timedelta, str)
    converter.register_unstructure_hook(Enum, lambda e: e.value)
    data = converter.unstructure(report)
    data["changed"] = report.changed
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
