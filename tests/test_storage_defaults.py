"""Stored defaults are part of the storage format: changing one must be deliberate.

Stores leave attributes equal to their default out of the stored text and
restore them from the class on reading. If a stored attribute's default
changed, rows written before would silently read the new default. This test
pins every default reachable from a stored entity; when it fails, write a
migration that fills the old default into existing rows, then regenerate the
pin with ``python tests/test_storage_defaults.py``.
"""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path
from typing import Any

import attrs

from propcrm.storage._access_tables import TABLES

PIN = Path(__file__).with_name("stored_defaults.json")


def _stored(cls: object) -> bool:
    """Whether stores keep ``cls`` as a mapping of its attributes: attrs values, named tuples."""
    return isinstance(cls, type) and (
        attrs.has(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields"))
    )


def _classes(cls: type, seen: dict[str, type]) -> None:
    """Every attrs class or named tuple reachable from ``cls`` through its attributes' types."""
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name in seen or not _stored(cls):
        return
    seen[name] = cls
    hints = typing.get_type_hints(cls)
    names = [a.name for a in attrs.fields(cls)] if attrs.has(cls) else list(hints)
    for attribute in names:
        stack = [hints[attribute]]
        while stack:
            hint = stack.pop()
            if _stored(hint):
                _classes(hint, seen)
            stack.extend(typing.get_args(hint))


def stored_defaults() -> dict[str, dict[str, str]]:
    """The default of every attribute of every stored class, as repr text."""
    seen: dict[str, type] = {}
    for table in TABLES:
        _classes(table.entity, seen)
    found: dict[str, dict[str, str]] = {}
    for name, cls in sorted(seen.items()):
        defaults: dict[str, str] = {}
        if not attrs.has(cls):  # a named tuple
            defaults = {key: repr(value) for key, value in cls._field_defaults.items()}  # type: ignore[attr-defined]
            found[name] = defaults
            continue
        for attribute in attrs.fields(cls):
            default: Any = attribute.default
            if default is attrs.NOTHING:
                continue
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory() if not default.takes_self else "<takes self>"
            defaults[attribute.name] = repr(default)
        found[name] = defaults
    return found


def test_stored_defaults_are_pinned() -> None:
    """A changed default of a stored attribute fails here until a migration is written."""
    assert json.loads(PIN.read_text(encoding="utf-8")) == stored_defaults()


if __name__ == "__main__":  # regenerate the pin after writing the migration
    PIN.write_text(json.dumps(stored_defaults(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    sys.stdout.write(f"wrote {PIN}\n")
