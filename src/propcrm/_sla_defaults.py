"""The default service-level targets: RULES.md §5's table, and §4's resolution by grade.

Kept apart from :mod:`propcrm.sla` only to keep that module short. The table with
the default resolution allowances is built once, the first time a default
:class:`~propcrm.sla.SlaPolicy` is made; other allowances (a company's
``grading.resolve_within``) build their own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from propcrm._sla_clock import APPOINTMENT
from propcrm.complaints import Grade, GradeDurations
from propcrm.sla import Allowance, EventKind, SlaTarget, TargetSet


def default_sets(resolve_within: GradeDurations | None = None) -> tuple[TargetSet, ...]:
    """The default target sets, complaint resolution allowed ``resolve_within`` per grade."""
    if resolve_within is None or resolve_within == _STANDARD:
        return DEFAULT_SETS
    return _build(resolve_within)


def _build(resolve_within: GradeDurations) -> tuple[TargetSet, ...]:
    """Every row of RULES.md §5's table (and §4's resolution by grade)."""
    received, resolved = EventKind.RECEIVED, EventKind.RESOLVED
    customer = ("waiting_on_customer",)
    hours = Allowance.business

    def target(
        name: str, allowance: Allowance, calendar: str = "desk", source: str = "000 §3.2", **kw: Any
    ) -> SlaTarget:
        kw.setdefault("start", received)
        kw.setdefault("stop", resolved)
        return SlaTarget(name, allowance=allowance, calendar=calendar, source=source, **kw)

    dispatch = target("dispatch", hours(timedelta(hours=1)), stop=EventKind.DISPATCHED)
    on_site = target("on_site", hours(timedelta(hours=2)), stop=EventKind.ARRIVED)
    closed_loop = target(
        "closed_loop",
        hours(timedelta(hours=48)),
        stop=EventKind.CLOSED,
        pause_on=customer,
        source="000 §3.1",
    )

    def complaint(grade: Grade, source: str = "000 §3.2") -> TargetSet:
        resolution = target(
            "resolution", hours(resolve_within[grade]), pause_on=customer, source=source
        )
        return TargetSet(
            f"complaint.{grade.value}",
            (closed_loop, resolution),
            kinds=("complaint",),
            grades=(grade.value,) if grade is not Grade.GENERAL else (),
        )

    def public(size: str, fixed: Allowance) -> TargetSet:
        return TargetSet(
            f"repair.public.{size}",
            (dispatch, on_site, target("fixed", fixed, source="002")),
            kinds=(f"repair.public.{size}",),
        )

    return (
        TargetSet(
            "call",
            (target("answer", hours(timedelta(minutes=3)), "24x7", stop=EventKind.ANSWERED),),
            kinds=("call",),
        ),
        TargetSet(
            "repair.emergency",
            (target("fixed", Allowance.same_day(), "24x7", source="002"),),
            kinds=("repair.emergency",),
        ),
        TargetSet(
            "repair.in_home",
            (
                dispatch,
                target(
                    "on_site",
                    Allowance.appointment(timedelta(minutes=15)),
                    start=EventKind.DISPATCHED,
                    stop=EventKind.ARRIVED,
                    source="000 §3.2",
                ),
                # waiting for an agreed visit does not count (RULES.md §5); dispatching
                # the order to a technician does not wait for it
                target(
                    "fixed",
                    hours(timedelta(hours=8)),
                    pause_on=(*customer, APPOINTMENT),
                    source="002",
                ),
            ),
            kinds=("repair.in_home",),
        ),
        public("minor", Allowance.same_day()),
        public("medium", Allowance.wall(timedelta(days=3))),
        public("major", Allowance.wall(timedelta(days=5))),
        complaint(Grade.IMPORTANT),
        complaint(Grade.HOT, source=""),
        complaint(Grade.MAJOR),
        complaint(Grade.GENERAL),
        TargetSet("request", (dispatch, on_site)),
    )


_STANDARD = GradeDurations()  # general 24h, important 48h, hot 48h, major 72h (RULES.md §4)
DEFAULT_SETS = _build(_STANDARD)
