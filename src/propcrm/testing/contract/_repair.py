"""The contract's part for the work-order desk: repair slips and allocator states.

:class:`~propcrm.testing.contract.StoreContract` inherits :class:`RepairContract`
and adds :data:`REPAIR_SAMPLES` to its samples, so every adapter keeps the
slips (personal data, charges) and the allocators' counts like every other aggregate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from propcrm.errors import NotFoundError
from propcrm.privacy import PersonalData, PersonalKind
from propcrm.records import AllocatorState, Charge, ChargeState, RepairCategory, RepairSlip
from propcrm.testing.contract._records import RecordSample, _ids, _pages, _strategy

__all__ = ["REPAIR_SAMPLES", "RepairContract"]

_T0 = datetime(2025, 3, 3, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
_HOUR = timedelta(hours=1)
_CATEGORIES = tuple(RepairCategory)


def _slip(n: int, text: str) -> RepairSlip:
    amount = Decimal(80 + n)
    charge = Charge(
        "pipe section", amount=amount, listed=False,
        state=ChargeState.AWAITING_MANAGER if amount > 100 else ChargeState.APPROVED,
        confirmed_by=text,
    )  # fmt: skip
    return RepairSlip(
        f"WO-{n}",
        community=("东区", "西区")[n % 2],
        customer_id=f"cust-{n % 3}",
        address=PersonalData(PersonalKind.ADDRESS, f"上海市浦东新区东区{n}号楼1201"),
        contact=PersonalData(PersonalKind.PHONE, "13812345678"),
        content=f"leak {n}",
        category=_CATEGORIES[n % 4],
        received_at=_T0 + n * _HOUR,
        received_by="night-1",
        charge=charge,
        signed_off_at=_T0 + (n + 5) * _HOUR if n % 3 == 0 else None,
    )


def _allocator(n: int, text: str) -> AllocatorState:
    return AllocatorState(f"repair_callbacks:{n}", counts={text: n})


def _present(repo: Any, ids: list[str]) -> list[str]:
    """The ids of ``ids`` the repository holds, in order."""
    found = []
    for id in ids:
        try:
            found.append(repo.get(id).id)
        except NotFoundError:
            continue
    return found


REPAIR_SAMPLES = (
    RecordSample(
        "repair_slips",
        _slip,
        lambda s: s.charge.confirmed_by,
        lambda s, t: attrs.evolve(s, charge=attrs.evolve(s.charge, confirmed_by=t)),
        _strategy(_slip),
        lambda repo: [
            _pages(repo),
            _pages(repo, community="西区", order_by="received_at"),
            _pages(repo, category=RepairCategory.HOUSE, signed_off=False),
        ],
        lambda s, id: attrs.evolve(s, id=id),
    ),
    RecordSample(
        "allocator_states",
        _allocator,
        lambda a: next(iter(a.counts)),
        lambda a, t: attrs.evolve(a, counts={t: sum(a.counts.values())}),
        _strategy(_allocator),
        lambda repo: [_present(repo, [f"repair_callbacks:{n}" for n in range(1, 4)])],
        lambda a, id: attrs.evolve(a, id=id),
    ),
)
"""The work-order desk's samples, in the shape of :class:`RecordSample`."""


class RepairContract:
    """Repair slips and allocator states, as every adapter must keep them."""

    def test_a_slip_reads_back_with_its_personal_data_and_charge(self, store: Any) -> None:
        """The clear address, the phone and the charge's Decimal amount survive the store."""
        store.repair_slips.add(_slip(1, "mgr-1"))
        slip = store.repair_slips.get("WO-1")
        assert (slip.address.reveal(), slip.contact.reveal(), slip.charge.amount) == (
            "上海市浦东新区东区1号楼1201",
            "13812345678",
            Decimal("81"),
        )

    def test_slips_list_by_category_and_sign_off(self, store: Any) -> None:
        """category= and signed_off= combine: house slips (n % 4 == 0) not signed off."""
        store.repair_slips.add_all(_slip(n, "") for n in range(1, 13))
        # house: 4, 8, 12; signed off: n % 3 == 0 -> 12 is; 4 and 8 remain
        assert _ids(
            store.repair_slips.list(category=RepairCategory.HOUSE, signed_off=False).items
        ) == ["WO-4", "WO-8"]

    def test_allocator_counts_read_back(self, store: Any) -> None:
        """An allocator's counts per role come back as stored."""
        store.allocator_states.add(
            AllocatorState("repair_callbacks:东区", counts={"repair_lead": 3})
        )
        assert store.allocator_states.get("repair_callbacks:东区").counts == {"repair_lead": 3}
