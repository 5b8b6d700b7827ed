"""The contract's part for access control: the audit trail and consents.

:class:`~propcrm.testing.contract.StoreContract` inherits :class:`AccessContract`,
so every adapter keeps the trail append-only, numbered in order and listable,
and keeps consents with their scope.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from propcrm.privacy import Confidentiality, PersonalKind
from propcrm.records import AuditAction, AuditEntry, Consent, RecordKind

__all__ = ["AccessContract"]

_T0 = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _entry(n: int, actor_id: str = "desk-1", customer_id: str = "c1") -> AuditEntry:
    return AuditEntry(
        at=_T0 + timedelta(minutes=n), actor_id=actor_id, roles=["desk_staff"],
        action=AuditAction.REVEAL, record=RecordKind.CUSTOMER, record_id=customer_id,
        customer_id=customer_id, purpose=f"callback {n}", kind=PersonalKind.PHONE,
        level=Confidentiality.CONFIDENTIAL,
    )  # fmt: skip


class AccessContract:
    """The audit trail and consents, as every adapter must keep them."""

    def test_the_trail_numbers_entries_in_the_order_appended(self, store: Any) -> None:
        """Three appends get ids 1, 2, 3 (as sortable text) and read back whole."""
        ids = [store.audit_trail.append(_entry(n)).id for n in (1, 2, 3)]
        assert ids == ["000000000001", "000000000002", "000000000003"]
        assert store.audit_trail.get(ids[1]) == attrs.evolve(_entry(2), id=ids[1])

    def test_the_trail_lists_per_customer_and_per_actor(self, store: Any) -> None:
        """customer_id= and actor_id= select the entries of one customer or one person."""
        store.audit_trail.append(_entry(1, "desk-1", "c1"))
        store.audit_trail.append(_entry(2, "vip-1", "c2"))
        store.audit_trail.append(_entry(3, "desk-1", "c2"))
        by_customer = store.audit_trail.list(customer_id="c2").items
        by_actor = store.audit_trail.list(actor_id="desk-1", order_by="at").items
        assert [e.purpose for e in by_customer] == ["callback 2", "callback 3"]
        assert [e.purpose for e in by_actor] == ["callback 1", "callback 3"]

    def test_the_trail_has_no_way_to_change_or_remove(self, store: Any) -> None:
        """The trail's repository offers neither update nor remove."""
        assert not hasattr(store.audit_trail, "update")
        assert not hasattr(store.audit_trail, "remove")

    def test_an_entry_appended_in_a_rolled_back_transaction_is_gone(self, store: Any) -> None:
        """A failed transaction takes its entries with it."""

        def failing() -> None:
            with store.transaction():
                store.audit_trail.append(_entry(1))
                raise RuntimeError("the command failed")

        with pytest.raises(RuntimeError):
            failing()
        assert len(store.audit_trail) == 0

    def test_in_transaction_says_whether_a_block_is_open(self, store: Any) -> None:
        """False outside, True inside nested blocks, False again once they end."""
        seen = [store.in_transaction()]
        with store.transaction():
            seen.append(store.in_transaction())
            with store.transaction():
                seen.append(store.in_transaction())
        assert [*seen, store.in_transaction()] == [False, True, True, False]

    def test_a_consent_reads_back_with_its_scope_and_withdrawal(self, store: Any) -> None:
        """Recipient, kinds, purpose and dates survive; active= lists those not withdrawn."""
        consent = Consent(
            "K1", customer_id="c1", recipient="安居装修", kinds=["phone", "address"],
            purpose="renovation quotes", given_at=_T0, recorded_by="desk-1",
        )  # fmt: skip
        stored = store.consents.add(consent)
        store.consents.update(attrs.evolve(stored, withdrawn_at=_T0 + timedelta(days=1)))
        store.consents.add(attrs.evolve(consent, id="K2"))
        assert store.consents.get("K1").kinds == (PersonalKind.PHONE, PersonalKind.ADDRESS)
        assert [c.id for c in store.consents.list(customer_id="c1", active=True).items] == ["K2"]
