"""The demo's run: a portfolio loaded into a store, then lived month by month through the desks.

First the VIP register: the :class:`~propcrm.services.VipOffice` issued most
key customers a card over the years before the run. Then each month: repairs
and complaints arrive at every hour of every day; each is walked through
:class:`~propcrm.services.WorkOrderDesk` and
:class:`~propcrm.services.ComplaintDesk` step by step, those of the night
through the :class:`~propcrm.services.NightDesk` (logged, an emergency
dispatched at once, the rest handed over in the morning); every evening the
complaint desk's sweep escalates what waited too long and the outbox is
delivered; a twelfth of the households answer the satisfaction survey; the VIP
office plans family care, sweeps the cards about to expire into reminders,
issues cards and renews the ones expiring. This module is private.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from propcrm._time import FixedClock
from propcrm.customers import Tier
from propcrm.demo._agenda import Agenda
from propcrm.demo._complaints import ComplaintScript
from propcrm.demo._night import NightScript, monitoring_room
from propcrm.demo._portfolio import COMMUNITIES, Community, Portfolio, Resident, build_portfolio
from propcrm.demo._vip import VipScript, assistant
from propcrm.demo._work_orders import PRICE_LIST, RepairScript, Staff
from propcrm.policy import Policy
from propcrm.records import Notification
from propcrm.satisfaction import SurveyResponse
from propcrm.services import (
    Actor,
    CommandRunner,
    ComplaintDesk,
    NightDesk,
    VipOffice,
    WorkOrderDesk,
    deliver_pending,
)
from propcrm.storage import Store

__all__ = ["LOAD_COMMAND", "REPAIRS_PER_HOUSEHOLD_MONTH", "START", "run"]

LOAD_COMMAND = "demo.load_portfolio"
"""The command that loads the portfolio; its record marks a database as the demo's."""

START = date(2025, 1, 1)
"""The first day the demo lives through."""

REGISTER_YEARS = 3
"""The years before :data:`START` over which the VIP register's cards were issued."""

REPAIRS_PER_HOUSEHOLD_MONTH = 0.03
"""Work orders a household raises in a month, on average."""

COMPLAINTS_PER_HOUSEHOLD_MONTH = 0.004
"""Complaints a household makes in a month, on average."""

_HEADQUARTERS = "headquarters"


def _staff(community: str, n: int) -> Staff:
    where = [community]
    return Staff(
        clerk=Actor(f"desk-{n}", roles=["desk_staff"], communities=where),
        crew=Actor(f"repair-{n}", roles=["repair_lead"], communities=where),
        supervisor=Actor(f"engineering-{n}", roles=["engineering_supervisor"], communities=where),
        manager=Actor(f"centre-{n}", roles=["service_centre_manager"], communities=where),
    )


def _count(rng: random.Random, mean: float) -> int:
    """A count with this mean and a Poisson-like spread."""
    return max(0, round(rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0


def _instant(rng: random.Random, day: date, tz: ZoneInfo, *, night_share: float) -> datetime:
    """A moment of ``day``: mostly in the day, ``night_share`` of the time at night."""
    if rng.random() < night_share:
        minute = rng.choice((rng.randint(20 * 60, 24 * 60 - 1), rng.randint(0, 7 * 60)))
    else:
        minute = rng.randint(7 * 60, 20 * 60 - 1)
    return datetime.combine(day, time(minute // 60, minute % 60), tz)


def _survey(
    rng: random.Random,
    resident: Resident,
    community: Community,
    day: date,
    dimensions: tuple[str, ...],
) -> SurveyResponse:
    mood = community.mood + (0.1 if resident.tier is Tier.A else 0.0)
    mood -= 0.25 if resident.tier is Tier.D else 0.0
    recommend = max(0, min(10, round(rng.gauss(6 + 4 * mood, 2))))
    overall = max(1, min(5, round(rng.gauss(3 + 1.8 * mood, 0.8))))
    ratings = {d: max(1, min(5, overall + rng.choice((-1, 0, 0, 1)))) for d in dimensions}
    return SurveyResponse(
        resident.customer.household_id or resident.customer.id,
        community.name,
        day,
        tier=resident.tier.value,
        recommend=recommend,
        overall=overall,
        ratings=ratings,
    )


def run(
    store: Store,
    *,
    households: int,
    months: int,
    seed: int,
    policy: Policy | None = None,
    tick: Callable[[str, int], None] | None = None,
) -> Portfolio:
    """Load an invented portfolio into ``store`` and live ``months`` months of it.

    ``tick(stage, steps)`` is told of progress: ``("load", n)`` once the
    portfolio is stored, then ``("month", n)`` after each month with the desk
    steps it took. Returns the portfolio.
    """
    policy = Policy() if policy is None else policy
    tz = ZoneInfo(str(policy.tz))
    rng = random.Random(f"run:{seed}")
    portfolio = build_portfolio(households, seed=seed, start=START, policy=policy)
    began = START - relativedelta(years=REGISTER_YEARS)
    clock = FixedClock(datetime.combine(began, time(0), tz))
    office = Actor(
        _HEADQUARTERS, roles=["customer_supervisor"], communities=[c.name for c in COMMUNITIES]
    )

    def load(at: datetime) -> int:
        store.households.add_all(portfolio.households)
        return store.customers.add_all(r.customer for r in portfolio.residents)

    CommandRunner(store, clock=clock, policy=policy).run(
        LOAD_COMMAND, command_id=LOAD_COMMAND, actor=office, result_type=int, work=load
    )
    if tick is not None:
        tick("load", len(portfolio.residents))

    agenda = Agenda(clock)
    staff = {c.name: _staff(c.name, n) for n, c in enumerate(COMMUNITIES, start=1)}
    work_orders = WorkOrderDesk(store, clock=clock, policy=policy, price_list=PRICE_LIST)
    complaint_desk = ComplaintDesk(store, clock=clock, policy=policy)
    night = NightScript(
        agenda,
        NightDesk(
            store, clock=clock, policy=policy, work_orders=work_orders, complaints=complaint_desk
        ),
        desk_hours=policy.calendar("desk"),
        watch={c.name: monitoring_room(c.name, n) for n, c in enumerate(COMMUNITIES, start=1)},
        clerks={name: people.clerk for name, people in staff.items()},
    )
    repairs = RepairScript(
        agenda, work_orders, rng, desk_hours=policy.calendar("desk"),
        contact_hours=policy.calendar("contact"), night=night,
    )  # fmt: skip
    complaints = ComplaintScript(
        agenda, complaint_desk, rng, contact_hours=policy.calendar("contact"), night=night
    )
    vip = VipScript(
        agenda, VipOffice(store, clock=clock, policy=policy), rng,
        key_customers=[r for r in portfolio.residents if r.tier is Tier.A],
        households={h.id: h for h in portfolio.households},
        assistants={c.name: assistant(c.name, n) for n, c in enumerate(COMMUNITIES, start=1)},
    )  # fmt: skip
    dimensions = policy.satisfaction.enabled
    sent: list[Notification] = []

    vip.register(START, years=REGISTER_YEARS)
    agenda.run_until(datetime.combine(START, time(0), tz))
    for month in range(months):
        first = START + relativedelta(months=month)
        after = START + relativedelta(months=month + 1)
        days = (after - first).days
        vip.month(first, after)
        for community in COMMUNITIES:
            residents = portfolio.by_community[community.name]
            if not residents:
                continue
            people = staff[community.name]
            for _ in range(_count(rng, len(residents) * REPAIRS_PER_HOUSEHOLD_MONTH)):
                who = rng.choice(residents)
                at = _instant(rng, first + timedelta(days=rng.randrange(days)), tz, night_share=0.2)
                repairs.receive(
                    at, staff=people, customer_id=who.customer.id, community=community.name,
                    property_type=community.property_type,
                    address=who.customer.address or "未登记", phone=who.customer.phone or "未登记",
                )  # fmt: skip
            for _ in range(_count(rng, len(residents) * COMPLAINTS_PER_HOUSEHOLD_MONTH)):
                at = _instant(rng, first + timedelta(days=rng.randrange(days)), tz, night_share=0.1)
                complaints.receive(
                    at, staff=people, community=community.name, subjects=community.subjects,
                    residents=residents,
                )  # fmt: skip
            answers = [
                _survey(rng, r, community, first + timedelta(days=rng.randrange(days)), dimensions)
                for r in residents
                if r.index % 12 == month % 12 and rng.random() < 0.8
            ]
            store.survey_responses.add_all(answers)
        for day in range(days):
            evening = datetime.combine(first + timedelta(days=day), time(23, 30), tz)
            agenda.at(
                evening, _evening(complaints.desk, office, sent, clock, f"sweep:{evening:%Y%m%d}")
            )
        steps = agenda.run_until(datetime.combine(after, time(0), tz))
        if tick is not None:
            tick("month", steps)
    return portfolio


def _evening(
    desk: ComplaintDesk, office: Actor, sent: list[Notification], clock: FixedClock, command_id: str
) -> Callable[[], None]:
    """The day's sweep of open complaints, then the outbox delivered (here: kept in ``sent``)."""

    def deliver(notification: Notification) -> None:
        sent.append(notification)

    def step() -> None:
        desk.sweep(command_id=command_id, actor=office)
        deliver_pending(desk.store, deliver, clock=clock)

    return step
