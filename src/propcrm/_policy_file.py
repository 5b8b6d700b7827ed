"""Policy files as plain data: the one merge rule, the commented TOML dump, the diff.

A company's file is merged over the defaults by one rule, for every table at any
depth: a key the file names replaces the default; a table merges key by key; a
list replaces the whole default list. A keyed table (one whose keys are names a
company chooses, such as the repair kinds) that the top-level ``replace`` list
names is taken whole instead, so a company can leave out default entries; a
dump lists there every keyed table that has fewer keys than its defaults.

The dump writes every key with a comment from :mod:`propcrm._policy_keys`
(meaning, unit, 中文, source), numbers as written, and values derived from
others as comments only, so that each value is edited in one place.

>>> from propcrm._policy_file import as_written, merge, replaced
>>> merge({"a": {"x": 1, "y": 2}, "l": [1, 2]}, {"a": {"y": 3}, "l": [4]})
{'a': {'x': 1, 'y': 3}, 'l': [4]}
>>> merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}}, frozenset({"a"}))
{'a': {'y': 3}}
>>> replaced({"a": {"x": 1, "y": 2}, "b": {"z": 1}}, {"a": {"y": 3}, "b": {"z": 2}})
['a']
>>> as_written({"weight": 1.0, "share": 0.1})
{'weight': 1, 'share': 0.1}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tomlkit
from attrs import frozen
from tomlkit.items import Table

from propcrm._policy_keys import KEYS, describe, entry

__all__ = [
    "REPLACE",
    "Change",
    "Derived",
    "as_written",
    "changes",
    "dumps",
    "inline",
    "merge",
    "replaced",
]

#: The top-level key listing the keyed tables a file gives whole.
REPLACE = "replace"

HEADER = (
    "propcrm policy. Above each key: its meaning (unit) · Chinese term · the source",
    "article of its default, or Decision where propcrm chose one the sources do not state.",
    "One merge rule: a company file overrides only the keys it names, at any depth, and",
    "keeps the default of every key it leaves out. A table merges key by key; a list",
    "replaces the whole default list; a keyed table named in 'replace' is taken whole,",
    "without the default entries it leaves out. Keep only what you change.",
)


@frozen
class Derived:
    """A value that follows from others: written as a comment, never as data.

    Attributes:
        path: The dotted path of the key, e.g. ``"sla.sets"``.
        value: Its current (derived) value, as plain data.
        note: Why it is not written and how to write it instead.
    """

    path: str
    value: object
    note: tuple[str, ...]


@frozen
class Change:
    """One key a company changed: its dotted path, the default and the company's value.

    ``None`` stands for a key that one side does not have.
    """

    path: str
    default: object
    company: object


def merge(
    base: object, over: object, whole: frozenset[str] = frozenset(), path: str = ""
) -> object:
    """``over`` merged onto ``base`` by the one rule: tables merge, everything else replaces.

    A table whose dotted path is in ``whole`` replaces its default too (see
    :data:`REPLACE`); ``path`` is the dotted path of ``base`` itself.
    """
    if not (isinstance(base, Mapping) and isinstance(over, Mapping)) or path in whole:
        return over
    merged = dict(base)
    for key, value in over.items():
        sub = f"{path}.{key}" if path else str(key)
        merged[key] = merge(base[key], value, whole, sub) if key in base else value
    return merged


def replaced(base: object, data: object, path: str = "") -> list[str]:
    """The dotted paths of the tables of ``data`` that leave out keys ``base`` has.

    Merged over ``base``, such a table would get those keys back; a dump names
    it in :data:`REPLACE` so that it reloads as it is.
    """
    if not (isinstance(base, Mapping) and isinstance(data, Mapping)):
        return []
    if path and any(key not in data for key in base):
        return [path]
    found: list[str] = []
    for key, value in data.items():
        if key in base:
            found += replaced(base[key], value, f"{path}.{key}" if path else str(key))
    return found


def as_written(value: object) -> object:
    """Plain data with whole floats as integers: ``1.0`` is written ``1``, and reads back equal."""
    if isinstance(value, Mapping):
        return {k: as_written(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_written(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def dumps(data: Mapping[str, object], derived: Sequence[Derived] = ()) -> str:
    """The TOML document of ``data`` with a comment above every described key."""
    document = tomlkit.document()
    for line in HEADER:
        document.add(tomlkit.comment(line))
    document.add(tomlkit.nl())
    _fill(document, data, "", set(), {d.path: d for d in derived})
    return tomlkit.dumps(document)


def _fill(
    table: tomlkit.TOMLDocument | Table,
    data: Mapping[str, object],
    prefix: str,
    seen: set[str],
    derived: Mapping[str, Derived],
) -> None:
    """Add ``data``'s keys to ``table``: values first, then tables and lists of tables.

    A key's comment is written at its first occurrence only, so the keys of the
    items of a list, or of the calendars, are described once.
    """
    values = [(k, v) for k, v in data.items() if not _is_table(v) and not _are_tables(v)]
    tables = [(k, v) for k, v in data.items() if _is_table(v) or _are_tables(v)]
    for key, value in values:
        path = f"{prefix}.{key}" if prefix else key
        _comment(table, path, seen)
        table.add(key, _item(value))
    for key, value in tables:
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            sub = tomlkit.table()
            _comment(sub, path, seen)
            _fill(sub, value, path, seen, derived)
            table.add(key, sub)
        else:
            assert isinstance(value, list)
            array = tomlkit.aot()
            for i, item in enumerate(value):
                element = tomlkit.table()
                if i == 0:
                    _comment(element, path, seen)
                _fill(element, item, f"{path}[{i}]", seen, derived)
                array.append(element)
            table.add(key, array)
    for path, written in derived.items():
        parent, _, key = path.rpartition(".")
        if parent == prefix:
            _comment_out(table, key, written)


def _comment(table: tomlkit.TOMLDocument | Table, path: str, seen: set[str]) -> None:
    found = entry(path)
    if found is not None and found not in seen:
        seen.add(found)
        table.add(tomlkit.comment(KEYS[found].comment()))


def _comment_out(table: tomlkit.TOMLDocument | Table, key: str, written: Derived) -> None:
    """Write a derived value as commented-out TOML, after a note saying why."""
    info = describe(written.path)
    if info is not None:
        table.add(tomlkit.comment(info.comment()))
    for line in written.note:
        table.add(tomlkit.comment(line))
    text = tomlkit.dumps({written.path.split(".")[0]: _nest(written.path, written.value)})
    header = f"[{written.path.rpartition('.')[0]}]"
    for line in text.splitlines():
        if line.strip() and line != header:
            table.add(tomlkit.comment(line))


def _nest(path: str, value: object) -> object:
    """``{"b": {"c": value}}`` for the path ``a.b.c``: the value under its parent tables."""
    for part in reversed(path.split(".")[1:]):
        value = {part: value}
    return as_written(value)


def _item(value: object) -> object:
    """A value as tomlkit writes it: tables inside lists inline, empty tables inline."""
    if isinstance(value, Mapping):
        inline_table = tomlkit.inline_table()
        inline_table.update({k: _item(v) for k, v in value.items()})
        return inline_table
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        array.extend(_item(v) for v in value)
        return array
    return value


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping) and bool(value)


def _are_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def inline(value: object) -> str:
    """``value`` as one line of TOML; ``(none)`` for a key that is not there."""
    if value is None:
        return "(none)"
    return str(tomlkit.item(_item(value)).as_string())


def changes(base: object, other: object, path: str = "") -> list[Change]:
    """Every key whose value differs, by dotted path; lists of tables item by item."""
    if isinstance(base, Mapping) or isinstance(other, Mapping):
        if not (isinstance(base, Mapping | None) and isinstance(other, Mapping | None)):
            return [Change(path, base, other)]
        old: Mapping[str, object] = base or {}
        new: Mapping[str, object] = other or {}
        found: list[Change] = []
        for key in [*old, *(k for k in new if k not in old)]:
            found += changes(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return found
    if isinstance(base, list) and isinstance(other, list) and _are_tables(base + other):
        found = []
        for i in range(max(len(base), len(other))):
            found += changes(
                base[i] if i < len(base) else None,
                other[i] if i < len(other) else None,
                f"{path}[{i}]",
            )
        return found
    return [] if base == other else [Change(path, base, other)]
