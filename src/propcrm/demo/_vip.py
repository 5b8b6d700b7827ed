"""The demo's VIP cards: the register at the start, and each month's issues and renewals.

Cards are made by the :class:`~propcrm.vip.VipProgramme` engine, numbered by
the store's ``card_numbers`` and kept in ``store.vip_cards``, each card in one
store transaction so a refused card leaves no number taken. This module is
private.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from propcrm.customers import Customer, Tier
from propcrm.demo._portfolio import Resident
from propcrm.storage import Store
from propcrm.vip import CardNumbersExhaustedError, VipLevel, VipProgramme

__all__ = ["vip_month"]

_OFFICE = "vip-office"


def _level(customer: Customer) -> VipLevel:
    facts = customer.facts
    if facts.government_official:
        return VipLevel.GOVERNMENT_OFFICIAL
    return VipLevel.GROUP_LEADERSHIP if facts.special_relationship else VipLevel.OTHER


def vip_month(
    store: Store,
    programme: VipProgramme,
    key_customers: Sequence[Resident],
    *,
    start: date,
    end: date,
    first: bool,
    rng: random.Random,
) -> None:
    """Issue and renew the VIP cards of one month ``[start, end)``.

    In the first month the existing register is loaded: most key customers
    (tier A) already hold a card issued on a day of the last three years, so
    some expire during the run. Every month, one in six key customers without a
    card gets one, and the cards expiring in the month are renewed on their
    expiry day for the holders who come back (most do). A level whose 999
    numbers are used up issues and renews no more cards.
    """
    for resident in key_customers:
        if resident.tier is not Tier.A:
            continue
        customer = resident.customer
        held = store.vip_cards.held_by(customer.id)
        current = [c for c in held if c.change is None]
        if not held:
            if first and rng.random() < 0.8:
                on = start - timedelta(days=rng.randint(1, 3 * 365 - 1))
            elif rng.random() < 1 / 6:
                on = start + timedelta(days=rng.randrange((end - start).days))
            else:
                continue
            try:
                with store.transaction():
                    store.vip_cards.add(
                        programme.issue(customer, level=_level(customer), on=on, by=_OFFICE)
                    )
            except CardNumbersExhaustedError:
                continue
        elif current and start <= current[0].expires_on < end and rng.random() < 0.75:
            card = current[0]
            try:
                with store.transaction():
                    renewal = programme.renew(card, customer, on=card.expires_on, by=_OFFICE)
                    store.vip_cards.update(renewal.old)
                    store.vip_cards.add(renewal.new)
            except CardNumbersExhaustedError:
                continue
