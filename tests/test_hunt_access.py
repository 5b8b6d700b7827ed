"""Attacks on the listing shared by the audit trail and every repository (keyset cursors)."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from propcrm.errors import ValidationError
from propcrm.records import AuditAction, AuditEntry, RecordKind
from propcrm.storage import Cursor
from propcrm.storage.memory import MemoryStore
from propcrm.storage.sqlite import SqliteStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A store with one audit entry, of either kind."""
    made: Any = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "a.db")
    with made.transaction():
        made.audit_trail.append(_entry())
    yield made
    if request.param == "sqlite":
        made.close()


def test_a_cursor_with_text_for_a_time_order_is_refused(store: Any) -> None:
    """A cursor holding text where the order is an instant is a foreign cursor: refused."""
    with pytest.raises(ValidationError, match="after"):
        store.audit_trail.list(order_by="at", after=Cursor("at", "zzz", "1"))


def test_a_cursor_without_a_value_is_refused(store: Any) -> None:
    """A cursor whose order value is None came from no page: refused alike by both stores."""
    with pytest.raises(ValidationError, match="after"):
        store.audit_trail.list(order_by="at", after=Cursor("at", None, "1"))


def test_an_id_cursor_with_a_number_is_refused(store: Any) -> None:
    """An id cursor's value is the last id (text): a number is a foreign cursor."""
    with pytest.raises(ValidationError, match="after"):
        store.audit_trail.list(after=Cursor("id", 5, "1"))


def test_a_real_cursor_pages_on_alike(store: Any) -> None:
    """The next cursor of a one-entry page over two entries gives the second, on both stores."""
    with store.transaction():
        store.audit_trail.append(_entry())
    page = store.audit_trail.list(order_by="at", limit=1)
    rest = store.audit_trail.list(order_by="at", limit=1, after=page.next)
    assert [e.id for e in page.items + rest.items] == ["000000000001", "000000000002"]
    assert rest.next is None


def _entry() -> AuditEntry:
    return AuditEntry(
        at=datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
        actor_id="desk-1",
        roles=["desk_staff"],
        action=AuditAction.READ,
        record=RecordKind.CUSTOMER,
        record_id="c-1",
        customer_id="c-1",
        purpose="callback",
    )


def test_every_listing_orders_by_an_instant_column() -> None:
    """A cursor's value is checked as microseconds: every order but "id" must be an *_us column."""
    from propcrm.storage import (
        _access_tables,
        _analysis_tables,
        _catalog,
        _office_tables,
        _records,
        _repair_tables,
    )
    from propcrm.storage._listing import Listing

    modules = (_access_tables, _analysis_tables, _catalog, _office_tables, _records, _repair_tables)
    listings = [
        value.LISTING
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type) and isinstance(getattr(value, "LISTING", None), Listing)
    ]
    columns = {column for listing in listings for column in listing.orders.values()}
    assert len(listings) >= 15
    assert columns
    assert all(column.endswith("_us") for column in columns), columns
