"""A small TOML writer for the plain data a policy unstructures to.

The standard library reads TOML (:mod:`tomllib`) but does not write it. A
policy dumps to nested mappings of strings, numbers, booleans and lists, which
this module writes as tables (``[section]``), key/value lines, arrays, arrays
of tables (``[[section]]``) for lists of mappings, and inline tables for
mappings nested in other lists. ``tomllib.loads(dumps(data)) == data``
holds for every such mapping.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence

__all__ = ["dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def dumps(data: Mapping[str, object]) -> str:
    """Write ``data`` as a TOML document."""
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines).strip("\n") + "\n"


def _table(
    data: Mapping[str, object], path: tuple[str, ...], lines: list[str], *, element: bool = False
) -> None:
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, Mapping) and not _tables(v)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, Mapping)]
    arrays = [(k, v) for k, v in data.items() if _tables(v)]
    header = ".".join(_key(p) for p in path)
    if element:
        lines.extend(("", f"[[{header}]]"))
    elif path and (scalars or not (tables or arrays)):
        lines.extend(("", f"[{header}]"))
    for key, value in scalars:
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables:
        assert isinstance(value, Mapping)
        _table(value, (*path, key), lines)
    for key, value in arrays:
        assert isinstance(value, Sequence)
        for item in value:
            _table(item, (*path, key), lines, element=True)


def _tables(value: object) -> bool:
    """A non-empty list of tables, written as an array of tables (``[[name]]``)."""
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    # A JSON string is a valid TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML: {value!r}")
