"""The default service levels: RULES.md §5's table, §4's resolution by grade, the tier-A overlay.

Below :mod:`propcrm.sla` (it imports only the lower SLA modules). The sets with
the default resolution allowances are built once; other allowances (a
company's ``grading.resolve_within``) build their own. Every ``source`` is a
seed article whose text states the value, or "Decision" with the RULES section.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from propcrm._sla_targets import RESOLUTION, Allowance, Overlay, SlaTarget, TargetSet
from propcrm._sla_timeline import APPOINTMENT, EventKind
from propcrm.complaints import Grade, GradeDurations

__all__ = ["DEFAULT_OVERLAYS", "PROPERTY_TYPES", "default_sets"]

#: 004 §2.1: differentiated standards by customer type (住宅、商业、写字楼).
PROPERTY_TYPES = ("residential", "commercial", "office")

_3_1_2 = "000 §3.2"  # "3-1-2": answer within 3 min, dispatch within 1 h, on site within 2 h
_IN_HOME = "002 入户维修 4.2.1"  # on site within 15 min or at the appointment; faults within 8 h
_PUBLIC = "002 入户维修 4.2.2"  # public facilities: minor not overnight, medium 1-3, major 2-5 days
_PUBLIC_KINDS = ("repair.public.minor", "repair.public.medium", "repair.public.major")


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
        name: str, allowance: Allowance, calendar: str = "desk", source: str = _3_1_2, **kw: Any
    ) -> SlaTarget:
        kw.setdefault("start", received)
        kw.setdefault("stop", resolved)
        return SlaTarget(name, allowance=allowance, calendar=calendar, source=source, **kw)

    dispatch = target("dispatch", hours(timedelta(hours=1)), stop=EventKind.DISPATCHED)
    on_site = target("on_site", hours(timedelta(hours=2)), stop=EventKind.ARRIVED)
    # Complaint clocks run on 24x7 clock hours (RULES.md §4, Decision turn 2): the desk is
    # staffed around the clock and the sources quote plain hours.
    closed_loop = target(
        "closed_loop",
        hours(timedelta(hours=48)),
        "24x7",
        stop=EventKind.CLOSED,
        pause_on=customer,
        source="000 §3.1",
    )

    def complaint(grade: Grade, source: str = _3_1_2) -> TargetSet:
        resolution = target(
            RESOLUTION, hours(resolve_within[grade]), "24x7", pause_on=customer, source=source
        )
        return TargetSet(
            f"complaint.{grade.value}",
            (closed_loop, resolution),
            kinds=("complaint",),
            grades=(grade.value,) if grade is not Grade.GENERAL else (),
        )

    def public(size: str, fixed: Allowance, source: str = _PUBLIC) -> TargetSet:
        return TargetSet(
            f"repair.public.{size}",
            (dispatch, on_site, target("fixed", fixed, source=source)),
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
            # 急修不过夜 (001 §3.1) with at least 8 h (Decision, RULES.md §5 turn 2): received
            # 23:50, due 07:50; received 02:00, due midnight.
            (
                target(
                    "fixed",
                    Allowance.same_day(lead=timedelta(hours=8)),
                    "24x7",
                    source="001 §3.1; lead: Decision (RULES §5)",
                ),
            ),
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
                    source=_IN_HOME,
                ),
                # waiting for an agreed visit does not count (RULES.md §5); dispatching
                # the order to a technician does not wait for it
                target(
                    "fixed",
                    hours(timedelta(hours=8)),
                    pause_on=(*customer, APPOINTMENT),
                    source=_IN_HOME,
                ),
            ),
            kinds=("repair.in_home",),
        ),
        # 小修不过夜 by the desk's close, with a minimum lead of 2 h of desk time (Decision,
        # RULES §5): received Mon 17:00 with the desk closing 18:30, due Tue 09:00.
        public(
            "minor",
            Allowance.same_day(lead=timedelta(hours=2)),
            f"{_PUBLIC}; lead: Decision (RULES §5)",
        ),
        public("medium", Allowance.wall(timedelta(days=3))),
        public("major", Allowance.wall(timedelta(days=5))),
        complaint(Grade.IMPORTANT),
        complaint(Grade.HOT, source="Decision (RULES §4)"),
        complaint(Grade.MAJOR),
        complaint(Grade.GENERAL),
        TargetSet("request", (dispatch, on_site), kinds=("request",)),
    )


_STANDARD = GradeDurations()  # general 24h, important 48h, hot 48h, major 72h (RULES.md §4)
DEFAULT_SETS = _build(_STANDARD)

#: Tier A (VIP, 002 §31 priority): dispatch within 30 minutes and on site within 1 hour of
#: service time instead of 1 h and 2 h (RULES.md §5, Decision turn 2). In-home repairs keep
#: their own on-site target (15 minutes after dispatch, or the appointment).
DEFAULT_OVERLAYS = (
    Overlay(
        "tier_a.dispatch",
        {"dispatch": Allowance.business(timedelta(minutes=30))},
        tiers=("A",),
        source="Decision (RULES §5)",
    ),
    Overlay(
        "tier_a.on_site",
        {"on_site": Allowance.business(timedelta(hours=1))},
        tiers=("A",),
        kinds=("request", *_PUBLIC_KINDS),
        source="Decision (RULES §5)",
    ),
)
