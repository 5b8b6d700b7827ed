"""One table of :class:`~propcrm.storage.sqlite.SqliteStore`: reads and writes of one entity.

Each table holds ``id``, ``version``, the entity's query columns and the encoded
entity (``body``). Private: :mod:`propcrm.storage.sqlite` builds the repositories on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Generic, Protocol, TypeVar

import cattrs

from propcrm.errors import ConflictError, NotFoundError, shown
from propcrm.storage._codec import decode, encode
from propcrm.storage._engine import (
    Operator,
    Query,
    Scalar,
    Table,
    sequence_id,
    stale,
    stamper,
)
from propcrm.storage._listing import Condition, keyset_sql

__all__ = ["SqliteTable", "TableDatabase"]

T = TypeVar("T")

_SMALLEST_INTEGER, _LARGEST_INTEGER = -(2**63), 2**63 - 1
_IDS_A_STATEMENT = 500  # ids bound in one ``IN (...)``: far below every server's limit
_VALUES_A_STATEMENT = 2_000  # values bound in one statement of select_any()


class TableDatabase(Protocol):
    """What a table needs from the store: its converter, statements, a transaction, sequences."""

    _converter: cattrs.Converter

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]: ...

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any: ...

    def _executemany(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None: ...

    def _next_in_sequence(self, name: str, limit: int | None = None) -> int | None: ...

    def transaction(self) -> AbstractContextManager[None]: ...


class SqliteTable(Generic[T]):
    """One table: ``id``, ``version``, the query columns and the encoded entity (``body``)."""

    def __init__(self, store: TableDatabase, table: Table[T]) -> None:
        self._store = store
        self._table = table
        self._name = table.entity.__name__
        self._stamped = stamper(table)
        names = [column.name for column in table.columns]
        t = table.name
        self._get = f"SELECT version, body FROM {t} WHERE id = ?"
        self._insert = (
            f"INSERT INTO {t} (id, version, {', '.join([*names, 'body'])}) "
            f"VALUES ({', '.join('?' * (len(names) + 3))})"
        )
        self._update = (
            f"UPDATE {t} SET version = ?, "
            f"{', '.join(f'{n} = ?' for n in [*names, 'body'])} WHERE id = ? AND version = ?"
        )
        self._get_many = f"SELECT id, body FROM {t} WHERE id IN"
        self._version = f"SELECT version FROM {t} WHERE id = ?"
        self._delete = f"DELETE FROM {t} WHERE id = ?"
        self._count = f"SELECT count(*) FROM {t}"
        self._selects = {query.name: _select_sql(t, query) for query in table.queries}

    @property
    def table(self) -> Table[T]:
        return self._table

    def get(self, id: str) -> T:
        rows = self._store._query(self._get, (id,))
        if not rows:
            raise NotFoundError(f"no {self._name} with id {shown(id)}")
        return decode(self._store._converter, rows[0][1], self._table.entity)

    def get_many(self, ids: Sequence[str]) -> list[T]:
        bodies: dict[str, str] = {}
        for start in range(0, len(ids), _IDS_A_STATEMENT):
            chunk = tuple(dict.fromkeys(ids[start : start + _IDS_A_STATEMENT]))
            sql = f"{self._get_many} ({', '.join('?' * len(chunk))})"
            bodies.update(self._store._query(sql, chunk))
        converter, cls = self._store._converter, self._table.entity
        found = []
        for id in ids:
            body = bodies.get(id)
            if body is None:
                raise NotFoundError(f"no {self._name} with id {shown(id)}")
            found.append(decode(converter, body, cls))
        return found

    def add(self, entity: T) -> T:
        if self._table.versioned:
            entity = self._stamped(entity, 1)
        id = entity.id  # type: ignore[attr-defined]
        body = encode(self._store._converter, entity)
        try:
            self._store._execute(self._insert, (id, 1, *self._table.values(entity), body))
        except ConflictError as e:
            if self._exists(id) is None:
                raise
            raise ConflictError(
                f"a {self._name} with id {id!r} already exists; use update() to change it"
            ) from e.__cause__
        return entity

    def append(self, entity: T) -> str:
        body = encode(self._store._converter, entity)
        with self._store.transaction():
            id = self._new_id()
            self._store._execute(self._insert, (id, 1, *self._table.values(entity), body))
        return id

    def add_all(self, entities: Iterable[T]) -> int:
        converter, values, versioned = (
            self._store._converter,
            self._table.values,
            self._table.versioned,
        )
        count = 0

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for entity in entities:
                count += 1
                if versioned:
                    id = entity.id  # type: ignore[attr-defined]
                    yield (id, 1, *values(entity), encode(converter, entity, 1))
                else:
                    yield (self._new_id(), 1, *values(entity), encode(converter, entity))

        with self._store.transaction():
            try:
                self._store._executemany(self._insert, rows())
            except ConflictError as e:
                raise ConflictError(
                    f"a {self._name} with one of the ids given already exists; nothing was added"
                ) from e.__cause__
        return count

    def update(self, entity: T) -> T:
        id = entity.id  # type: ignore[attr-defined]
        given = entity.version  # type: ignore[attr-defined]
        entity = self._stamped(entity, given + 1)
        body = encode(self._store._converter, entity)
        params = (given + 1, *self._table.values(entity), body, id, given)
        # A version SQLite cannot hold matches no stored row: a conflict, found below.
        if _fits(given + 1) and self._store._execute(self._update, params).rowcount == 1:
            return entity
        current = self._exists(id)
        if current is None:
            raise NotFoundError(f"no {self._name} with id {shown(id)} to update")
        raise stale(self._name, id, given, current)

    def remove(self, id: str, version: int | None) -> None:
        if version is None:
            removed = self._store._execute(self._delete, (id,)).rowcount
        elif _fits(version):
            sql = self._delete + " AND version = ?"
            removed = self._store._execute(sql, (id, version)).rowcount
        else:
            removed = 0  # no stored version is that large: a conflict, found below
        if removed:
            return
        current = self._exists(id)
        if current is None:
            raise NotFoundError(f"no {self._name} with id {shown(id)} to remove")
        raise stale(self._name, id, version, current)  # type: ignore[arg-type]

    def select(self, query: Query, params: Mapping[str, Scalar]) -> list[T]:
        sql = self._selects[query.name]
        rows = self._store._query(sql, tuple(params[w.param] for w in query.where))
        converter, cls = self._store._converter, self._table.entity
        return [decode(converter, body, cls) for (body,) in rows]

    def select_any(
        self,
        where: Sequence[tuple[str, Operator]],
        params: Sequence[tuple[Scalar, ...]],
        order: Sequence[str],
    ) -> list[T]:
        found: dict[str, tuple[tuple[Any, ...], str]] = {}
        for id, *keys, body in self._any(where, params, order):
            found[id] = ((*(_nulls_first(k) for k in keys), id), body)
        converter, cls = self._store._converter, self._table.entity
        return [decode(converter, body, cls) for _, body in sorted(found.values())]

    def select_any_rows(
        self, where: Sequence[tuple[str, Operator]], params: Sequence[tuple[Scalar, ...]]
    ) -> list[tuple[str, tuple[Scalar, ...], str]]:
        columns = [column.name for column in self._table.columns]
        found = {
            id: (id, tuple(values), body) for id, *values, body in self._any(where, params, columns)
        }
        return [found[id] for id in sorted(found)]

    def _any(
        self,
        where: Sequence[tuple[str, Operator]],
        params: Sequence[tuple[Scalar, ...]],
        columns: Sequence[str],
    ) -> Iterator[Any]:
        """Rows (id, ``columns``, body) passing all of ``where`` with any ``params``."""
        width = len(where)
        selected = ", ".join(f"t.{column}" for column in ("id", *columns))
        if not width:  # mappings that name no filter: every row passes
            yield from self._store._query(f"SELECT {selected}, t.body FROM {self._table.name} AS t")
            return
        names = ", ".join(f"p{i}" for i in range(width))
        tests = " AND ".join(f"t.{column} {op} p.p{i}" for i, (column, op) in enumerate(where))
        row = f"({', '.join('?' * width)})"
        per_statement = max(1, _VALUES_A_STATEMENT // width)
        for start in range(0, len(params), per_statement):
            chunk = params[start : start + per_statement]
            sql = (
                f"WITH p({names}) AS (VALUES {', '.join([row] * len(chunk))}) "
                f"SELECT {selected}, t.body FROM p JOIN {self._table.name} AS t ON {tests}"
            )
            yield from self._store._query(sql, tuple(value for one in chunk for value in one))

    def count(self) -> int:
        return int(self._store._query(self._count)[0][0])

    def page(
        self,
        conditions: Sequence[Condition],
        order: str,
        limit: int,
        after: tuple[Scalar, str] | None,
    ) -> list[tuple[Scalar, T]]:
        sql, params = keyset_sql(self._table.name, conditions, order, after)
        rows = self._store._query(sql, (*params, limit))
        converter, cls = self._store._converter, self._table.entity
        return [(value, decode(converter, body, cls)) for value, body in rows]

    def page_values(
        self,
        conditions: Sequence[Condition],
        order: str,
        limit: int,
        after: tuple[Scalar, str] | None,
        columns: Sequence[str],
    ) -> list[tuple[Scalar, ...]]:
        sql, params = keyset_sql(self._table.name, conditions, order, after, ("id", *columns))
        return [tuple(row) for row in self._store._query(sql, (*params, limit))]

    def _new_id(self) -> str:
        return sequence_id(self._store._next_in_sequence(self._table.name) or 0)

    def _exists(self, id: str) -> int | None:
        rows = self._store._query(self._version, (id,))
        return int(rows[0][0]) if rows else None


def _nulls_first(value: Scalar) -> tuple[bool, Scalar]:
    """A sort key that puts ``NULL`` first, as SQL's ascending order does."""
    return (value is not None, value)


def _fits(version: int) -> bool:
    """Whether ``version`` fits SQLite's 64-bit INTEGER."""
    return _SMALLEST_INTEGER <= version <= _LARGEST_INTEGER


def _select_sql(table: str, query: Query) -> str:
    where = " AND ".join(f"{w.column} {w.op} ?" for w in query.where) or "TRUE"
    order = ", ".join([*query.order_by, "id"])
    return f"SELECT body FROM {table} WHERE {where} ORDER BY {order}"
