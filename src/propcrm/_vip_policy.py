"""The VIP programme's settings and what a card brings: prefix, validity, renewal, benefits.

The public home of these names is :mod:`propcrm.vip`; this module is private.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from attrs import field, frozen
from dateutil.relativedelta import relativedelta

from propcrm._checks import beyond_dates, require_date, require_instance
from propcrm._validators import int_at_least, int_between
from propcrm._vip_cards import CardStatus, VipCard
from propcrm._vip_numbers import check_prefix, is_instance
from propcrm.errors import ValidationError
from propcrm.explain import Reason

__all__ = [
    "FAMILY_SOURCES",
    "NO_BENEFITS",
    "BenefitFamily",
    "Benefits",
    "VipBenefits",
    "VipPolicy",
    "card_benefits",
]


class BenefitFamily(Enum):
    """The five families of VIP benefits (002 §30); :attr:`label` is the Chinese name."""

    PRIORITY = "priority"
    DISCOUNT = "discount"
    CONSULTATION = "consultation"
    FAMILY_CARE = "family_care"
    EMERGENCY_AID = "emergency_aid"

    @property
    def label(self) -> str:
        """The family's Chinese name, e.g. ``"优先服务"``."""
        return _FAMILY_LABELS[self]


_FAMILY_LABELS = {
    BenefitFamily.PRIORITY: "优先服务",
    BenefitFamily.DISCOUNT: "优惠服务",
    BenefitFamily.CONSULTATION: "咨询服务",
    BenefitFamily.FAMILY_CARE: "亲情服务",
    BenefitFamily.EMERGENCY_AID: "紧急援助服务",
}

#: The article that lists each family's services.
FAMILY_SOURCES = {
    BenefitFamily.PRIORITY: "002 §31",
    BenefitFamily.DISCOUNT: "002 §32",
    BenefitFamily.CONSULTATION: "002 §30",
    BenefitFamily.FAMILY_CARE: "002 §33",
    BenefitFamily.EMERGENCY_AID: "002 §33",
}


def _items(instance: object, attribute: Any, value: Any) -> None:
    ok = isinstance(value, tuple) and all(isinstance(v, str) and v.strip() for v in value)
    if not ok or len(set(value)) != len(value):
        raise ValidationError.expected(attribute.name, "a list of distinct non-empty names", value)


@frozen
class VipBenefits:
    """The services of each benefit family (002 §§30-33); an empty family is not offered.

    002 §31 lets each office roll services out gradually, so the catalogue is
    the company's to edit. Each default list is the article's own list.

    Attributes:
        priority: Priority services (优先服务, 002 §31 items 1-6).
        discount: Discounts (优惠服务, 002 §32 items 1-5).
        consultation: Consultation (咨询服务, 002 §30).
        family_care: Family care and the value-added services (亲情服务,
            002 §33 items 1-5).
        emergency_aid: Emergency aid (紧急援助服务, 002 §33 item 6): cash within
            the policy's limit.
    """

    priority: tuple[str, ...] = field(
        default=(
            "fee_payment",
            "renovation_approval",
            "request_handling",
            "event_sign_up",
            "hand_over",
            "special_services",
        ),
        validator=_items,
    )
    discount: tuple[str, ...] = field(
        default=(
            "fee_discount",
            "free_utility_collection",
            "pricing_offers",
            "home_purchase_discount",
            "partner_merchant_discounts",
        ),
        validator=_items,
    )
    consultation: tuple[str, ...] = field(default=("property_consultation",), validator=_items)
    family_care: tuple[str, ...] = field(
        default=(
            "doorstep_fee_collection",
            "booking_service",
            "vip_salon",
            "festival_greetings",
            "birthday_greetings",
            "reminders",
        ),
        validator=_items,
    )
    emergency_aid: tuple[str, ...] = field(default=("cash_aid",), validator=_items)

    def of(self, family: BenefitFamily) -> tuple[str, ...]:
        """The services of one family."""
        require_instance(family, BenefitFamily, "family", "a BenefitFamily")
        items: tuple[str, ...] = getattr(self, family.value)
        return items

    @property
    def families(self) -> tuple[BenefitFamily, ...]:
        """The families with at least one service."""
        return tuple(f for f in BenefitFamily if self.of(f))


NO_BENEFITS = VipBenefits((), (), (), (), ())


@frozen
class VipPolicy:
    """Settings of the VIP programme (``[vip]`` in a policy file).

    Attributes:
        card_prefix: The group's two capital letters at the start of every card
            number. Default ``"JK"`` (002 §23).
        validity_years: How long a card is valid, in calendar years. Default 3
            (002 §26).
        renewal_window_days: Renewal opens this many days before a card expires.
            Default 0: renewal opens on the expiry day, as 002 §26 renews a card
            after expiry (到期后) (Decision, RULES § 3); a company may open it
            earlier.
        emergency_aid_limit: The most cash emergency aid per case, in yuan (元).
            Default 2000 (Decision: 002 §33 item 6 says "within a limit"
            (限额内) but names none).
        benefits: The services of each benefit family (002 §§30-33).

    >>> from datetime import date
    >>> from propcrm.vip import VipPolicy
    >>> VipPolicy().expiry(date(2024, 2, 29))
    datetime.date(2027, 2, 28)
    """

    card_prefix: str = field(default="JK", validator=check_prefix)
    validity_years: int = field(default=3, validator=int_between(1, 20))
    renewal_window_days: int = field(default=0, validator=int_between(0, 366))
    emergency_aid_limit: int = field(default=2000, validator=int_at_least(0))
    benefits: VipBenefits = field(factory=VipBenefits, validator=is_instance(VipBenefits))

    def expiry(self, on: date) -> date:
        """The first invalid day of a card issued on ``on`` (002 §26, RULES § 3).

        ``on`` plus ``validity_years`` calendar years; a card issued on
        29 February expires on 28 February.

        Raises:
            ValidationError: ``on`` is not a date.
        """
        require_date(on, "on")
        try:
            expires: date = on + relativedelta(years=self.validity_years)
        except (ValueError, OverflowError) as e:  # past year 9999
            raise beyond_dates("on", on) from e
        return expires

    def renewal_opens(self, expires_on: date) -> date:
        """The first day a card expiring on ``expires_on`` may be renewed (002 §26).

        >>> from datetime import date
        >>> from propcrm.vip import VipPolicy
        >>> VipPolicy().renewal_opens(date(2027, 2, 28))
        datetime.date(2027, 2, 28)
        >>> VipPolicy(renewal_window_days=30).renewal_opens(date(2027, 2, 28))
        datetime.date(2027, 1, 29)

        Raises:
            ValidationError: ``expires_on`` is not a date.
        """
        require_date(expires_on, "expires_on")
        try:
            opens: date = expires_on - relativedelta(days=self.renewal_window_days)
        except (ValueError, OverflowError) as e:  # before year 1
            raise beyond_dates("expires_on", expires_on) from e
        return opens


@frozen
class Benefits:
    """What a card brings on a day, and why.

    Attributes:
        card_id: The card's id, e.g. ``"JK1001"``.
        on: The day.
        services: The services of each family; all empty when the card brings nothing.
        emergency_aid_limit: Cash emergency aid available per case, in yuan; 0 when none.
        reasons: Why.
    """

    card_id: str
    on: date
    services: VipBenefits
    emergency_aid_limit: int
    reasons: tuple[Reason, ...]

    @property
    def families(self) -> tuple[BenefitFamily, ...]:
        """The benefit families available; empty when none."""
        return self.services.families


def card_benefits(
    current: VipCard, policy: VipPolicy, on: date, in_managed_community: bool
) -> Benefits:
    """What ``current`` brings on ``on`` under ``policy`` (002 §§26-34), with the reasons."""
    if not current.is_valid_on(on):
        status = current.status_on(on)
        source = {CardStatus.REVOKED: "002 §28", CardStatus.REPLACED: "002 §27"}
        reason = Reason(
            "vip.benefits.card_not_valid",
            f"card {current.id} is not valid on {on} ({status.value})"
            if on >= current.issued_on
            else f"card {current.id} is not valid before {current.issued_on}",
            {
                "status": status.value,
                "issued_on": current.issued_on,
                "ends_on": current.ends_on,
            },
            source.get(status, "002 §26"),
        )
        return Benefits(current.id, on, NO_BENEFITS, 0, (reason,))
    if not in_managed_community:
        reason = Reason(
            "vip.benefits.outside_managed_communities",
            "VIP services apply only inside the company's managed communities",
            {"in_managed_community": False},
            "002 §34",
        )
        return Benefits(current.id, on, NO_BENEFITS, 0, (reason,))
    offered = policy.benefits
    reasons = tuple(
        Reason(
            f"vip.benefits.{family.value}",
            f"{family.label}: {', '.join(offered.of(family))}",
            {"services": list(offered.of(family))},
            FAMILY_SOURCES[family],
        )
        for family in offered.families
    )
    aid = policy.emergency_aid_limit if offered.emergency_aid else 0
    return Benefits(current.id, on, offered, aid, reasons)


# Public in propcrm.vip: set after each class is built, so that attrs compiles their
# methods with this module's names (it copies the globals of ``__module__``).
for _public in (BenefitFamily, VipBenefits, VipPolicy, Benefits):
    _public.__module__ = "propcrm.vip"
