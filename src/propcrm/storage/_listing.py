"""Listing a repository: filters by name, one order, keyset pages.

``repo.list(community="东区", open=True, order_by="received_at", limit=50)``
returns a :class:`Page`; pass its ``next`` cursor as ``after=`` for the next
page. Keyset paging (``WHERE (order, id) > (last order, last id)``) reads each
page in the time of its size, however deep it is, and never skips nor repeats
an entity that stays put while you page.

Each listable table declares its :class:`Listing`: which filters exist (each a
column, a comparison and how to turn the caller's value into the column's),
and which orders. Adapters run the resulting conditions with
``Engine.page``; the values are always bound as parameters, and the columns
come from the declaration, never from the caller.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from attrs import frozen

from propcrm._time import require_aware
from propcrm.errors import ValidationError
from propcrm.storage._codec import epoch_micros
from propcrm.storage._engine import Operator, Repo, Scalar, storable_text

__all__ = [
    "Condition",
    "Cursor",
    "Filter",
    "Listing",
    "ListingRepo",
    "Page",
    "any_filters",
    "as_flag",
    "as_instant",
    "as_text",
    "as_value_of",
    "checked_limit",
    "keyset_sql",
    "keyset_start",
    "list_page",
]

T = TypeVar("T")

Condition = tuple[str, Operator, Scalar]
"""One condition on a column: ``(column, operator, value)``."""

_DEFAULT_LIMIT = 100
_LARGEST_LIMIT = 10_000


@frozen
class Filter:
    """A filter callers name: the column it tests, how, and how to read the value."""

    column: str
    op: Operator
    convert: Callable[[object, str], Scalar]


@frozen
class Listing:
    """What ``list()`` offers on one table: filters and orders, by name.

    Attributes:
        filters: The filters, by keyword name.
        orders: The orders, by name, each a column (``"id"`` is always offered).
    """

    filters: Mapping[str, Filter]
    orders: Mapping[str, str]


@frozen
class Cursor:
    """Where a page ended: pass it as ``after=`` to get the next page.

    Attributes:
        order_by: The order the page was listed in (a cursor fits only that order).
        value: The order column's value of the last entity.
        id: The id of the last entity.
    """

    order_by: str
    value: Scalar
    id: str


@frozen
class Page(Generic[T]):
    """One page of a listing.

    Attributes:
        items: The entities, in the listing's order.
        next: The cursor for the next page, ``None`` when this page is the last.
    """

    items: tuple[T, ...]
    next: Cursor | None


class PagingEngine(Protocol[T]):
    """What an adapter provides to list one table."""

    def page(
        self,
        conditions: Sequence[Condition],
        order: str,
        limit: int,
        after: tuple[Scalar, str] | None,
    ) -> list[tuple[Scalar, T]]:
        """Up to ``limit`` entities meeting every condition, ordered by ``order`` then id,
        after ``after`` (an order value and id), each with its order value."""
        ...


class ListingRepo(Repo[T]):
    """A repository whose entities can be listed with filters and keyset pages."""

    __slots__ = ()
    LISTING: Listing

    def list(
        self,
        *,
        order_by: str = "id",
        limit: int = _DEFAULT_LIMIT,
        after: Cursor | None = None,
        **where: object,
    ) -> Page[T]:
        """Return one page of the entities that pass every filter in ``where``.

        Args:
            order_by: The order, one of the repository's orders (``"id"`` by default).
            limit: The page size, 1 to 10,000.
            after: The ``next`` cursor of the previous page; ``None`` for the first.
            **where: Filters by name (see the repository's documentation).

        Raises:
            ValidationError: An unknown filter or order, a value of the wrong
                type, a limit out of range, or a cursor of another order.
        """
        return list_page(self._engine, self.LISTING, order_by, limit, after, where)

    def list_any(
        self, filters: Iterable[Mapping[str, object]], *, order_by: str = "id"
    ) -> builtins.list[T]:
        """Return every entity that passes all the filters of at least one mapping, once each.

        Each mapping is what ``list(**where)`` takes, and every mapping names the
        same filters; the store reads them together, a few statements for
        thousands of mappings, instead of one listing each. Not paged: the
        filters must bound what they find.

        Args:
            filters: The filter mappings, e.g. one ``{"community": ...,
                "received_from": ..., "received_before": ...}`` per key.
            order_by: The order of the result, one of the repository's orders.

        Raises:
            ValidationError: ``filters`` is not an iterable of mappings, the
                mappings name different filters, or as for ``list()``.
        """
        listing = self.LISTING
        column = _order_column(listing, order_by)
        tests, rows = any_filters(listing, filters)
        if not rows:
            return []
        order = () if column == "id" else (column,)
        finding: Any = self._engine
        found: builtins.list[T] = finding.select_any(tests, rows, order)
        return found


def list_page(
    engine: object,
    listing: Listing,
    order_by: str,
    limit: int,
    after: Cursor | None,
    where: Mapping[str, object],
) -> Page[Any]:
    """One page of ``engine``'s table: what :meth:`ListingRepo.list` runs.

    Shared with repositories that list without being a full :class:`Repo`
    (the append-only audit trail has no update or remove).
    """
    conditions: list[Condition] = []
    for name, value in where.items():
        spec = listing.filters.get(name)
        if spec is None:
            raise ValidationError.expected(
                name, f"one of the filters {sorted(listing.filters)}", value
            )
        conditions.append((spec.column, spec.op, spec.convert(value, name)))
    column = _order_column(listing, order_by)
    limit = checked_limit(limit)
    start = keyset_start(after, order_by)
    paging: Any = engine
    rows: list[tuple[Scalar, Any]] = paging.page(conditions, column, limit + 1, start)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = None
    if more:
        value, last = rows[-1]
        cursor = Cursor(order_by, value, last.id)
    return Page(tuple(entity for _, entity in rows), cursor)


def _order_column(listing: Listing, order_by: object) -> str:
    """The column of the order named ``order_by``."""
    column = (
        None
        if not isinstance(order_by, str)
        else "id"
        if order_by == "id"
        else listing.orders.get(order_by)
    )
    if column is None:
        raise ValidationError.expected(
            "order_by", f"one of {sorted(['id', *listing.orders])}", order_by
        )
    return column


def checked_limit(limit: object) -> int:
    """``limit`` if it is a page size ``list()`` accepts (1 to 10,000)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= _LARGEST_LIMIT:
        raise ValidationError.expected("limit", f"an integer from 1 to {_LARGEST_LIMIT}", limit)
    return limit


def keyset_start(after: object, order_by: str) -> tuple[Scalar, str] | None:
    """The order value and id a page starts after, from the previous page's cursor.

    Every order but ``"id"`` is an instant column (microseconds, an integer);
    the ``"id"`` order's value is the id itself. A cursor holding anything else
    came from no page: it is refused, so both stores answer it alike.
    """
    if after is None:
        return None
    if not isinstance(after, Cursor) or after.order_by != order_by or not _fits(after):
        raise ValidationError.expected(
            "after",
            f"the next cursor of a page listed by {order_by!r}",
            after,
            "page on in the order you started with",
        )
    return (after.value, after.id)


def _fits(cursor: Cursor) -> bool:
    """Whether ``cursor`` holds what a page of its order ends with."""
    if not isinstance(cursor.id, str):
        return False
    if cursor.order_by == "id":
        return cursor.value == cursor.id
    return isinstance(cursor.value, int) and not isinstance(cursor.value, bool)


def as_text(value: object, name: str) -> Scalar:
    """A text filter value."""
    return storable_text(value, name)


def as_flag(value: object, name: str) -> Scalar:
    """A yes/no filter value, stored as 1 or 0."""
    if not isinstance(value, bool):
        raise ValidationError.expected(name, "True or False", value)
    return int(value)


def as_instant(value: object, name: str) -> Scalar:
    """An aware datetime filter value, stored as microseconds since the epoch."""
    return epoch_micros(require_aware(value, name))


def as_value_of(kind: type[Enum]) -> Callable[[object, str], Scalar]:
    """A filter value that is a member of the enum ``kind``, stored as its value."""

    def convert(value: object, name: str) -> Scalar:
        if not isinstance(value, kind):
            raise ValidationError.expected(
                name, f"a {kind.__name__}", value, f"one of {[m.name for m in kind]}"
            )
        result: Scalar = value.value
        return result

    return convert


def keyset_sql(
    table: str,
    conditions: Sequence[Condition],
    order: str,
    after: tuple[Scalar, str] | None,
    columns: Sequence[str] = ("body",),
) -> tuple[str, tuple[Scalar, ...]]:
    """The SQL of one keyset page and its parameters, the page size (``LIMIT ?``) last.

    Each row holds the order column's value, then ``columns`` (the encoded
    entity unless told). Columns and operators come from the table's declared
    listing, never from callers; values are bound.
    """
    tests = [f"{column} {op} ?" for column, op, _ in conditions]
    params: list[Scalar] = [value for _, _, value in conditions]
    if after is not None:
        if order == "id":
            tests.append("id > ?")
            params.append(after[1])
        else:
            tests.append(f"({order} > ? OR ({order} = ? AND id > ?))")
            params.extend((after[0], after[0], after[1]))
    where = " AND ".join(tests) or "TRUE"
    keys = "id" if order == "id" else f"{order}, id"
    selected = ", ".join([order, *columns])
    sql = f"SELECT {selected} FROM {table} WHERE {where} ORDER BY {keys} LIMIT ?"
    return sql, tuple(params)


def any_filters(
    listing: Listing, filters: Iterable[Mapping[str, object]]
) -> tuple[list[tuple[str, Operator]], list[tuple[Scalar, ...]]]:
    """Check ``filters`` as ``list_any()`` takes them; return the column tests and their values.

    Raises:
        ValidationError: ``filters`` is not an iterable of mappings, a mapping
            names an unknown filter or other filters than the first, or a value
            has the wrong type.
    """
    if not isinstance(filters, Iterable) or isinstance(filters, str | bytes | Mapping):
        raise ValidationError.expected(
            "filters", "an iterable of filter mappings", filters, "e.g. [{'community': ...}]"
        )
    names: tuple[str, ...] | None = None
    named: set[str] = set()
    converts: list[tuple[str, Callable[[object, str], Scalar]]] = []
    rows: list[tuple[Scalar, ...]] = []
    for i, where in enumerate(filters):
        # Thousands of mappings a call (one per key): a dict is checked without the ABC.
        if type(where) is not dict and not isinstance(where, Mapping):
            raise ValidationError.expected(f"filters[{i}]", "a mapping of filters", where)
        if names is None:
            names = tuple(where)
            for name in names:
                if name not in listing.filters:
                    raise ValidationError.expected(
                        name, f"one of the filters {sorted(listing.filters)}", where[name]
                    )
            named = set(names)
            converts = [(n, listing.filters[n].convert) for n in names]
        elif where.keys() != named:
            raise ValidationError.expected(
                f"filters[{i}]",
                f"the filters of the first mapping ({', '.join(names)})",
                sorted(where),
                "read mappings of other filters with another list_any()",
            )
        try:
            rows.append(tuple([convert(where[n], n) for n, convert in converts]))
        except ValidationError:
            # Among thousands of mappings, say which one: convert again, naming it.
            for n, convert in converts:
                convert(where[n], f"filters[{i}].{n}")
            raise
    tests = [(listing.filters[n].column, listing.filters[n].op) for n in names or ()]
    return tests, rows
