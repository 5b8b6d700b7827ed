"""The demo's VIP office: the register, each month's issues and renewals, reminders and care.

Every step is a :class:`~propcrm.services.VipOffice` command by the
community's VIP assistant at its own instant: cards issued (with the
household's birthdays in the VIP's archive) and renewed on their expiry day,
the daily expiry sweep writing reminders into the outbox, and each month's
family-care planning putting greetings and reminder calls into the callback
queue. This module is private.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from propcrm.customers import Customer, Household, Relation
from propcrm.demo._agenda import Agenda
from propcrm.demo._portfolio import Resident
from propcrm.errors import NotFoundError
from propcrm.services import Actor, VipOffice
from propcrm.vip import CardNumbersExhaustedError, VipLevel

__all__ = ["VipScript", "assistant"]

RETURNING = 0.75
"""The share of VIPs who come back to renew on their card's expiry day."""


def assistant(community: str, n: int) -> Actor:
    """The VIP assistant (客户助理) of community number ``n`` (002 §§ 19, 35)."""
    return Actor(f"vip-{n}", roles=["vip_assistant"], communities=[community])


def _level(customer: Customer) -> VipLevel:
    facts = customer.facts
    if facts.government_official:
        return VipLevel.GOVERNMENT_OFFICIAL
    return VipLevel.GROUP_LEADERSHIP if facts.special_relationship else VipLevel.OTHER


def birthdays(household: Household) -> dict[str, date]:
    """The birthdays the archive keeps: the VIP's own and each family member's (002 § 33)."""
    found: dict[str, date] = {}
    for n, member in enumerate(household.members):
        person = "self" if member.relation is Relation.HEAD else f"{member.relation.value}-{n}"
        found[person] = member.birth_date
    return found


class VipScript:
    """Schedules the VIP office's commands on the agenda.

    Args:
        agenda: Where the steps go.
        office: The VIP office.
        rng: The run's random numbers.
        key_customers: The tier-A residents (the only ones who qualify, 002 § 25).
        households: Every household, by id.
        assistants: The VIP assistant of each community.
    """

    def __init__(
        self, agenda: Agenda, office: VipOffice, rng: random.Random, *,
        key_customers: Sequence[Resident], households: Mapping[str, Household],
        assistants: Mapping[str, Actor],
    ) -> None:  # fmt: skip
        self.agenda = agenda
        self.office = office
        self.rng = rng
        self.key_customers = key_customers
        self.households = households
        self.assistants = assistants
        self._holders: set[str] = set()
        self.tz = agenda.clock.now().tzinfo

    def _at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, self.rng.randrange(60)), self.tz)

    def register(self, start: date, *, years: int) -> None:
        """Schedule the register at ``start``: most key customers got a card in the past ``years``.

        Cards issued on a day of those years expire (validity ``vip.validity_years``)
        while the demo runs, so renewals and reminders have something to do.
        """
        for resident in self.key_customers:
            if self.rng.random() < 0.8:
                day = start - timedelta(days=self.rng.randint(1, 365 * years - 1))
                self._issue(resident, self._at(day, 10))

    def month(self, first: date, after: date) -> None:
        """Schedule one month ``[first, after)``: care planning, sweeps, issues and renewals."""
        days = (after - first).days
        for community, actor in self.assistants.items():
            plan = datetime.combine(first, time(8, 40), self.tz)
            self.agenda.at(plan, self._plan(community, actor))
            for n in range(days):
                sweep = datetime.combine(first + timedelta(days=n), time(8, 50), self.tz)
                self.agenda.at(sweep, self._sweep(actor))
        for resident in self.key_customers:
            if resident.customer.id not in self._holders and self.rng.random() < 1 / 6:
                on = first + timedelta(days=self.rng.randrange(days))
                self._issue(resident, self._at(on, 14))
        for card in self.office.store.vip_cards.expiring_between(first, after):
            if self.rng.random() < RETURNING:
                self.agenda.at(self._at(card.expires_on, 15), self._renew(card.customer_id))

    def _issue(self, resident: Resident, at: datetime) -> None:
        customer = resident.customer
        self._holders.add(customer.id)
        actor = self.assistants[resident.community]
        family = self.households[customer.household_id or ""]

        def step() -> None:
            try:
                self.office.issue(
                    command_id=f"vip:issue:{customer.id}:{at:%Y%m%d}", actor=actor,
                    customer_id=customer.id, community=resident.community,
                    level=_level(customer), birthdays=birthdays(family),
                )  # fmt: skip
            except CardNumbersExhaustedError:
                return  # the level's 999 numbers are used up: no card, nothing written

        self.agenda.at(at, step)

    def _renew(self, customer_id: str) -> Callable[[], None]:
        def step() -> None:
            try:
                archive = self.office.store.vip_archives.get(customer_id)
            except NotFoundError:
                return  # a card the office keeps no archive of
            try:
                self.office.renew(
                    command_id=f"vip:renew:{customer_id}:{self._now():%Y%m%d}",
                    actor=self.assistants[archive.community], customer_id=customer_id,
                )  # fmt: skip
            except CardNumbersExhaustedError:
                return  # the level's numbers are used up: the renewal changed nothing

        return step

    def _sweep(self, actor: Actor) -> Callable[[], None]:
        def step() -> None:
            self.office.sweep_expiries(
                command_id=f"vip:sweep:{actor.id}:{self._now():%Y%m%d}", actor=actor
            )

        return step

    def _plan(self, community: str, actor: Actor) -> Callable[[], None]:
        def step() -> None:
            now = self._now()
            self.office.plan_care(
                command_id=f"vip:care:{actor.id}:{now:%Y%m}", actor=actor, community=community,
                year=now.year,
            )  # fmt: skip

        return step

    def _now(self) -> datetime:
        return self.agenda.clock.now()
