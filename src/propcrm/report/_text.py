"""The report as text, the way a service-centre manager reads it. This module is private."""

from __future__ import annotations

from propcrm._stats import percent
from propcrm.complaints import Grade
from propcrm.report._figures import Estimate, Report
from propcrm.roles import Role

__all__ = ["render_text"]


def _share(part: int, whole: int, goal: float | None = None) -> str:
    return percent(part / whole, goal) if whole else "—"


def _points(e: Estimate) -> str:
    return f"{e.value:+.1f} (95 % CI {e.low:+.1f} to {e.high:+.1f}; n={e.n:,})"


def _rate(e: Estimate) -> str:
    return f"{e.value:.1%} (95 % CI {e.low:.1%} to {e.high:.1%}; n={e.n:,})"


def _role(value: str) -> str:
    try:
        return f"{value} ({Role(value).label})"
    except ValueError:
        return value


def render_text(report: Report) -> str:
    """Every section of ``report`` as plain text, one line per figure."""
    r = report
    out = [
        f"propcrm report — {r.scope}, {r.period}, as of {r.as_of:%Y-%m-%d %H:%M %Z}",
        "",
        "Customers by tier",
    ]
    total = sum(r.tiers.values())
    out += [f"  {tier}: {n:,} ({_share(n, total)})" for tier, n in r.tiers.items()]
    out += [
        "",
        f"VIP office: {r.vip_archives:,} VIP archives",
        f"  cards issued in the period: {r.vip_issued:,}; renewed: {r.vip_renewed:,}",
        f"  valid now: {r.vip_active:,}; expiring within the reminder lead: {r.vip_expiring:,}",
        f"  expiry reminders written in the period: {r.vip_reminders:,}",
    ]
    for kind, (due, reached) in r.vip_care.items():
        out.append(f"  family care, {kind} calls due in the period: {due:,}, reached {reached:,}")
    out += [
        "",
        f"Complaints: {sum(r.grades.values()):,}",
    ]
    for grade in Grade:
        n = r.grades.get(grade.value, 0)
        reasons = ", ".join(f"{rule} ×{k}" for rule, k in r.top_reasons.get(grade.value, []))
        out.append(f"  {grade.value} ({grade.label}): {n:,}" + (f" — {reasons}" if reasons else ""))
    out += [
        f"  escalated by the sweep: {r.escalations:,}; collective: {r.collective:,}; "
        f"media risk: {r.media_risk:,}; second complaints: {r.second_complaints:,}",
        "",
        "SLA attainment (decided items; target in brackets)",
    ]
    for row in r.sla:
        verdict = "pass" if row.total and row.met / row.total >= row.goal else "FAIL"
        out.append(
            f"  {row.family} · {row.target}: {_share(row.met, row.total, row.goal)} "
            f"({row.met:,}/{row.total:,}) [{row.goal:.0%}] {verdict if row.total else ''}".rstrip()
        )
    planned = sum(p for p, _ in r.callbacks.values())
    out += ["", f"Callbacks: {planned:,} planned"]
    for role, (n, reached) in r.callbacks.items():
        out.append(
            f"  {_role(role)}: {n:,} ({_share(n, planned)} of all), reached {_share(reached, n)}"
        )
    out.append(f"  coverage of customers owed a callback, by month [{r.coverage_goal:.0%}]:")
    for month, reached, owed, share in r.coverage:
        mark = "pass" if share >= r.coverage_goal else "FAIL"
        out.append(f"    {month}: {percent(share, r.coverage_goal)} ({reached:,}/{owed:,}) {mark}")
    out += ["", "Satisfaction"]
    for name, e in r.nps.items():
        out.append(f"  NPS {name or 'all communities'}: {_points(e)}")
    for name, e in r.csat.items():
        out.append(f"  CSAT {name or 'all communities'}: {_rate(e)}")
    out += ["", "Notifications (outbox)"]
    for kind, (written, delivered) in r.notifications.items():
        out.append(f"  {kind}: {written:,} written, {delivered:,} delivered")
    if not r.notifications:
        out.append("  none")
    out += ["", "KPI scorecard (targets from the policy)"]
    for kpi, value, target, verdict, n in r.scorecard:
        out.append(f"  {kpi}: {value} [target {target}] {verdict} (n={n:,})")
    return "\n".join(out) + "\n"
