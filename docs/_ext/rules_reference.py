"""The rules reference, generated at build time from the default policy and the key descriptions.

``.. policy-defaults:: grading`` renders every default of one capability (a
top-level table of the policy, or ``tz``) with its meaning, unit, Chinese term
and source, read from :mod:`propcrm._policy_keys`. ``.. policy-defaults:: sla``
also lists the default target sets, which follow ``grading.resolve_within``.
``.. access-roles::`` renders who may read and reveal what, from the default
:class:`propcrm.access.AccessPolicy`. Nothing is written to disk, so nothing
generated is committed or can drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from propcrm import Policy
from propcrm._policy_file import inline
from propcrm._policy_keys import KeyInfo, describe, entry
from propcrm._policy_load import converter
from propcrm.access import AccessPolicy
from propcrm.roles import Role

_SPECIAL = re.compile(r"([\\*`|_])")


def _text(value: str) -> str:
    """Plain text with reStructuredText's markup characters escaped."""
    return _SPECIAL.sub(r"\\\1", value)


def _literal(value: object) -> str:
    if isinstance(value, str) and value.startswith("the "):  # a note, not a value
        return _text(value)
    text = inline(value)
    return f"``{text}``" if text.strip() else "(empty)"


def _own(path: str) -> bool:
    """Whether ``path`` has an entry of its own, not one for any name a company chooses."""
    found = entry(path)
    return found is not None and "*" not in found


def _rows(data: Mapping[str, Any], prefix: str) -> list[tuple[str, object, KeyInfo, str]]:
    """(path, default, description, source) for every default under ``prefix``.

    A table whose keys are described only generically (a default calendar, a
    survey dimension) is one row; a list of tables is one row per item, citing
    the item's own ``source`` where it has one.
    """
    rows: list[tuple[str, object, KeyInfo, str]] = []
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        info = describe(path)
        assert info is not None, f"no description for {path}"
        if isinstance(value, Mapping) and value:
            children = [f"{path}.{k}" for k in value]
            if _own(path) and not any(_own(c) for c in children):
                rows.append((path, dict(value), info, info.source))
            else:
                rows.extend(_rows(value, path))
        elif path == "sla.overlays":  # listed with the target sets they adjust
            rows.append((path, f"the {len(value)} overlays below", info, info.source))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value):
                rows.append((f"{path}[{i}]", dict(item), info, item.get("source", info.source)))
        else:
            rows.append((path, value, info, info.source))
    return rows


def _allowance(a: Mapping[str, Any]) -> str:
    kind = a["kind"]
    if kind == "close_of_day":
        day = "the same working day" if not a["days"] else f"{a['days']} working days on"
        lead = f", at least {a['lead']}" if a["lead"] != "0s" else ""
        return f"close of {day}{lead}"
    if kind == "appointment":
        grace = f" + {a['grace']}" if a["grace"] != "0s" else ""
        return f"the appointment{grace}; else {a['duration']} of business time"
    return f"{a['duration']} of {'business' if kind == 'business' else 'wall-clock'} time"


def _table(header: list[str], rows: list[list[str]], widths: str) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return [*lines, ""]


def defaults_table(capability: str) -> list[str]:
    """The reStructuredText lines of one capability's defaults."""
    data = Policy().to_file_mapping()
    if capability not in data:
        known = ", ".join(data)
        raise ValueError(f"unknown capability {capability!r}; the policy's tables are: {known}")
    rows = [
        [
            f"``{path}``",
            _literal(value),
            _text(f"{i.meaning}{f' ({i.unit})' if i.unit else ''}"),
            _text(i.zh),
            _text(source),
        ]
        for path, value, i, source in _rows({capability: data[capability]}, "")
    ]
    lines = _table(["key", "default", "meaning (unit)", "中文", "source"], rows, "22 22 32 10 14")
    if capability == "sla":
        lines += _sla_sets()
    return lines


def _sla_sets() -> list[str]:
    """The default target sets: one row per target (they follow ``grading.resolve_within``)."""
    policy = Policy()
    sets = converter.unstructure(policy.sla.sets)
    lines = [
        "The default target sets (``sla.sets``), tried in this order. The complaint",
        "resolution targets follow ``grading.resolve_within``; each target cites its own",
        "source (``sla.sets[].targets[].source``):",
        "",
    ]
    rows = []
    for s in sets:
        applies = ", ".join(s["kinds"])
        if s["grades"]:
            applies += f" (grade {', '.join(s['grades'])})"
        for t in s["targets"]:
            rows.append(
                [
                    f"``{s['name']}``",
                    _text(applies),
                    f"``{t['name']}``",
                    _text(f"{t['start']} to {t['stop']}: {_allowance(t['allowance'])}"),
                    f"``{t['calendar']}``",
                    _text(t["source"]),
                ]
            )
    header = ["set", "kinds", "target", "clock and allowance", "calendar", "source"]
    lines += _table(header, rows, "16 16 10 32 8 18")
    lines += [
        "The default overlays (``sla.overlays``), applied in order to the targets of the set",
        "found; they never touch a complaint resolution target:",
        "",
    ]
    rows = []
    for o in converter.unstructure(policy.sla.overlays):
        applies = [
            f"{what} {', '.join(o[key])}"
            for what, key in (
                ("tier", "tiers"),
                ("property type", "property_types"),
                ("kinds", "kinds"),
            )
            if o[key]
        ]
        adjusts = "; ".join(f"{name}: {_allowance(a)}" for name, a in o["targets"].items())
        rows.append([f"``{o['name']}``", _text(", ".join(applies) or "every item"),
                     _text(adjusts), _text(o["source"])])  # fmt: skip
    return lines + _table(["overlay", "applies to", "adjusts", "source"], rows, "16 30 36 18")


def access_table() -> list[str]:
    """The reStructuredText lines of the default access policy; equal rights share a row.

    Rows run from the most to the least a role may see; the technician dispatched to an
    open work order comes last, with what it reveals from that order's slip.
    """
    access = AccessPolicy()
    rights: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for role, level in access.levels.items():
        kinds = tuple(k.value for k in access.reveal.get(role, ()))
        rights.setdefault((level.value, kinds), []).append(role)
    rank = {level.value: level.rank for level in type(access.audit_above)}
    zh = {level.value: level.label for level in type(access.audit_above)}
    ordered = sorted(rights.items(), key=lambda item: (-rank[item[0][0]], -len(item[0][1])))
    labels = {role.value: role.label for role in Role}
    rows = [
        [
            ", ".join(f"``{role}`` ({labels[role]})" for role in roles),
            _text(f"{level} ({zh[level]})"),
            _text(", ".join(kind.replace("_", " ") for kind in kinds) or "nothing"),
        ]
        for (level, kinds), roles in ordered
    ]
    assigned = ", ".join(k.value.replace("_", " ") for k in access.assigned_technician_kinds)
    rows.append(
        [
            "the ``technician`` dispatched to an open work order",
            "its repair slip",
            _text(f"{assigned}, from that slip only"),
        ]
    )
    return _table(["roles", "reads up to", "reveals in clear"], rows, "50 20 30")


class AccessRoles(SphinxDirective):
    """``.. access-roles::``: who reads and reveals what under the default access policy."""

    def run(self) -> list[nodes.Node]:
        container = nodes.container(classes=["access-roles"])
        self.state.nested_parse(
            StringList(access_table(), "<access-roles>"), self.content_offset, container
        )
        return [container]


class PolicyDefaults(SphinxDirective):
    """``.. policy-defaults:: <capability>``: the defaults of one top-level table."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        lines = defaults_table(self.arguments[0])
        container = nodes.container(classes=["policy-defaults"])
        self.state.nested_parse(
            StringList(lines, "<policy-defaults>"), self.content_offset, container
        )
        return [container]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("policy-defaults", PolicyDefaults)
    app.add_directive("access-roles", AccessRoles)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}


__all__ = ["access_table", "defaults_table", "setup"]
