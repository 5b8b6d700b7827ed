"""MemoryStore: the whole store in process memory, for tests, demos and small tools.

It keeps the same promises as :class:`~propcrm.storage.sqlite.SqliteStore`:
entities are encoded with the same converter (what you read is a copy, never
the object you stored), versions are checked, and ``with store.transaction():``
commits on success and undoes everything on any exception, nesting included.
The contract suite (:mod:`propcrm.testing.contract`) holds both to it.

One thread at a time: the store has no locks.

>>> from propcrm.storage.memory import MemoryStore
>>> store = MemoryStore()
>>> with store.transaction():
...     pass
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from propcrm.errors import ConflictError, NotFoundError, shown
from propcrm.storage._catalog import (
    CardNumbers,
)
from propcrm.storage._codec import decode, encode, make_converter
from propcrm.storage._engine import (
    Operator,
    Query,
    Scalar,
    Table,
    sequence_id,
    stale,
    stamper,
)
from propcrm.storage._listing import Condition
from propcrm.storage._wiring import Repositories

if TYPE_CHECKING:
    from propcrm.storage import Store

__all__ = ["MemoryStore"]

T = TypeVar("T")

_Row = tuple[int, tuple[Scalar, ...], str]  # version, query-column values, encoded entity


class MemoryStore(Repositories):
    """A store held in memory; nothing survives the process.

    Attributes are the repositories, as described by :class:`propcrm.storage.Store`.
    """

    def __init__(self) -> None:
        self._converter = make_converter()
        # Undo journal of the open transaction: (table, id, row before or None).
        self._journal: list[tuple[_MemoryTable[Any], str, _Row | None]] = []
        self._marks: list[int] = []
        self._sequences: dict[str, int] = {}
        self._sequence_journal: list[tuple[str, int | None]] = []
        self._sequence_marks: list[int] = []
        self._wire_repositories(self._table, self)
        self.card_numbers = CardNumbers(self)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: commit on success, undo on any exception; nests like savepoints."""
        self._marks.append(len(self._journal))
        self._sequence_marks.append(len(self._sequence_journal))
        try:
            yield
        except BaseException:
            self._undo(self._marks.pop(), self._sequence_marks.pop())
            raise
        self._marks.pop()
        self._sequence_marks.pop()
        if not self._marks:
            self._journal.clear()
            self._sequence_journal.clear()

    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` block is open: its writes may still be undone."""
        return bool(self._marks)

    def close(self) -> None:
        """Do nothing: there is nothing to release (kept for the shape of a store)."""

    def _table(self, table: Table[T]) -> _MemoryTable[T]:
        return _MemoryTable(self, table)

    def _record(self, table: _MemoryTable[Any], id: str, before: _Row | None) -> None:
        if self._marks:
            self._journal.append((table, id, before))

    def _next_in_sequence(self, name: str, limit: int | None = None) -> int | None:
        before = self._sequences.get(name)
        value = (before or 0) + 1
        if limit is not None and value > limit:
            return None
        if self._sequence_marks:
            self._sequence_journal.append((name, before))
        self._sequences[name] = value
        return value

    def _undo(self, mark: int, sequence_mark: int) -> None:
        while len(self._journal) > mark:
            table, id, before = self._journal.pop()
            table._restore(id, before)
        while len(self._sequence_journal) > sequence_mark:
            name, value = self._sequence_journal.pop()
            if value is None:
                del self._sequences[name]
            else:
                self._sequences[name] = value

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _MemoryTable(Generic[T]):
    """One table: rows by id, plus a hash index per declared query's equality columns."""

    def __init__(self, store: MemoryStore, table: Table[T]) -> None:
        self._store = store
        self._table = table
        self._stamped = stamper(table)
        self._rows: dict[str, _Row] = {}
        self._positions = {column.name: i for i, column in enumerate(table.columns)}
        self._indexes: dict[tuple[str, ...], dict[tuple[Scalar, ...], set[str]]] = {
            query.equal_columns: {} for query in table.queries if query.equal_columns
        }

    @property
    def table(self) -> Table[T]:
        return self._table

    def get(self, id: str) -> T:
        row = self._rows.get(id)
        if row is None:
            raise NotFoundError(f"no {self._table.entity.__name__} with id {shown(id)}")
        return self._entity(row)

    def get_many(self, ids: Sequence[str]) -> list[T]:
        return [self.get(id) for id in ids]

    def add(self, entity: T) -> T:
        id = _id(entity)
        if id in self._rows:
            raise ConflictError(
                f"a {self._table.entity.__name__} with id {id!r} already exists; "
                "use update() to change it"
            )
        if self._table.versioned:
            entity = self._stamped(entity, 1)
        self._put(id, (1, self._table.values(entity), encode(self._store._converter, entity)))
        return entity

    def append(self, entity: T) -> str:
        with self._store.transaction():
            id = self._new_id()
            self._put(id, (1, self._table.values(entity), encode(self._store._converter, entity)))
        return id

    def add_all(self, entities: Iterable[T]) -> int:
        count = 0
        converter = self._store._converter
        with self._store.transaction():
            for entity in entities:
                id = _id(entity) if self._table.versioned else self._new_id()
                if id in self._rows:
                    raise ConflictError(
                        f"a {self._table.entity.__name__} with id {id!r} already exists; "
                        "nothing was added"
                    )
                self._put(id, (1, self._table.values(entity), encode(converter, entity, 1)))
                count += 1
        return count

    def update(self, entity: T) -> T:
        id = _id(entity)
        row = self._rows.get(id)
        if row is None:
            raise NotFoundError(f"no {self._table.entity.__name__} with id {shown(id)} to update")
        given = entity.version  # type: ignore[attr-defined]
        if row[0] != given:
            raise stale(self._table.entity.__name__, id, given, row[0])
        entity = self._stamped(entity, given + 1)
        body = encode(self._store._converter, entity)
        self._put(id, (given + 1, self._table.values(entity), body))
        return entity

    def remove(self, id: str, version: int | None) -> None:
        row = self._rows.get(id)
        if row is None:
            raise NotFoundError(f"no {self._table.entity.__name__} with id {shown(id)} to remove")
        if version is not None and row[0] != version:
            raise stale(self._table.entity.__name__, id, version, row[0])
        self._put(id, None)

    def select(self, query: Query, params: Mapping[str, Scalar]) -> list[T]:
        if query.equal_columns:
            key = tuple(params[w.param] for w in query.where if w.op == "=")
            ids: Any = self._indexes[query.equal_columns].get(key, ())
        else:
            ids = self._rows
        tests = [(self._positions[w.column], w.op, params[w.param]) for w in query.where]
        hits = []
        for id in ids:
            row = self._rows[id]
            if _matches(row[1], tests):
                hits.append((id, row))
        order = [self._positions[name] for name in query.order_by]
        hits.sort(key=lambda hit: (*(_sort_key(hit[1][1][i]) for i in order), hit[0]))
        return [self._entity(row) for _, row in hits]

    def select_any(
        self,
        where: Sequence[tuple[str, Operator]],
        params: Sequence[tuple[Scalar, ...]],
        order: Sequence[str],
    ) -> list[T]:
        hits = self._any(where, params)
        order_at = [self._positions[name] for name in order]
        hits.sort(key=lambda hit: (*(_sort_key(hit[1][1][i]) for i in order_at), hit[0]))
        return [self._entity(row) for _, row in hits]

    def select_any_rows(
        self, where: Sequence[tuple[str, Operator]], params: Sequence[tuple[Scalar, ...]]
    ) -> list[tuple[str, tuple[Scalar, ...], str]]:
        return sorted((id, row[1], row[2]) for id, row in self._any(where, params))

    def _any(
        self, where: Sequence[tuple[str, Operator]], params: Sequence[tuple[Scalar, ...]]
    ) -> list[tuple[str, _Row]]:
        """The rows passing all of ``where`` with any of ``params``, each once."""
        positions = [self._positions[column] for column, _ in where]
        equal = [i for i, (_, op) in enumerate(where) if op == "="]
        wanted: dict[tuple[Scalar, ...], list[tuple[Scalar, ...]]] = {}
        for values in params:  # grouped by what the rows must equal: one pass over the rows
            wanted.setdefault(tuple(values[i] for i in equal), []).append(values)
        hits = []
        for id, row in self._rows.items():
            for values in wanted.get(tuple(row[1][positions[i]] for i in equal), ()):
                tests = [(positions[i], op, values[i]) for i, (_, op) in enumerate(where)]
                if _matches(row[1], tests):
                    hits.append((id, row))
                    break
        return hits

    def count(self) -> int:
        return len(self._rows)

    def page(
        self,
        conditions: Sequence[Condition],
        order: str,
        limit: int,
        after: tuple[Scalar, str] | None,
    ) -> list[tuple[Scalar, T]]:
        hits = self._hits(conditions, order, limit, after)
        return [(value, self._entity(row)) for value, _, row in hits]

    def page_values(
        self,
        conditions: Sequence[Condition],
        order: str,
        limit: int,
        after: tuple[Scalar, str] | None,
        columns: Sequence[str],
    ) -> list[tuple[Scalar, ...]]:
        positions = [self._positions[name] for name in columns]
        hits = self._hits(conditions, order, limit, after)
        return [(value, id, *(row[1][i] for i in positions)) for value, id, row in hits]

    def _hits(
        self,
        conditions: Sequence[Condition],
        order: str,
        limit: int,
        after: tuple[Scalar, str] | None,
    ) -> list[tuple[Scalar, str, _Row]]:
        """The first ``limit`` rows meeting ``conditions`` after ``after``, in order."""
        tests = [(self._positions[column], op, value) for column, op, value in conditions]
        position = None if order == "id" else self._positions[order]
        hits = []
        for id, row in self._rows.items():
            if _matches(row[1], tests):
                value: Scalar = id if position is None else row[1][position]
                hits.append((_sort_key(value), id, value, row))
        if after is not None:
            mark = (_sort_key(after[1] if position is None else after[0]), after[1])
            hits = [hit for hit in hits if (hit[0], hit[1]) > mark]
        hits.sort(key=lambda hit: (hit[0], hit[1]))
        return [(value, id, row) for _, id, value, row in hits[:limit]]

    def _new_id(self) -> str:
        return sequence_id(self._store._next_in_sequence(self._table.name) or 0)

    def _entity(self, row: _Row) -> T:
        return decode(self._store._converter, row[2], self._table.entity)

    def _put(self, id: str, row: _Row | None) -> None:
        before = self._rows.get(id)
        self._store._record(self, id, before)
        self._restore(id, row)

    def _restore(self, id: str, row: _Row | None) -> None:
        before = self._rows.pop(id, None)
        for columns, index in self._indexes.items():
            if before is not None:
                key = self._key(before, columns)
                bucket = index[key]
                bucket.discard(id)
                if not bucket:
                    del index[key]
            if row is not None:
                index.setdefault(self._key(row, columns), set()).add(id)
        if row is not None:
            self._rows[id] = row

    def _key(self, row: _Row, columns: tuple[str, ...]) -> tuple[Scalar, ...]:
        return tuple(row[1][self._positions[name]] for name in columns)


def _id(entity: object) -> str:
    return entity.id  # type: ignore[attr-defined,no-any-return]


def _matches(values: tuple[Scalar, ...], tests: Sequence[tuple[int, str, Scalar]]) -> bool:
    for position, op, param in tests:
        value = values[position]
        if value is None or param is None:
            return False
        if op == "=":
            if value != param:
                return False
        elif op == "<":
            if not value < param:  # type: ignore[operator]
                return False
        elif op == "<=":
            if not value <= param:  # type: ignore[operator]
                return False
        elif op == ">":
            if not value > param:  # type: ignore[operator]
                return False
        elif not value >= param:  # type: ignore[operator]
            return False
    return True


def _sort_key(value: Scalar) -> tuple[bool, Scalar]:
    # SQLite sorts NULL first in ascending order.
    return (value is not None, value)


if TYPE_CHECKING:  # the adapter has the shape of the port

    def _is_a_store(store: MemoryStore) -> Store:
        return store
