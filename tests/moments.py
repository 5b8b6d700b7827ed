"""Helpers for tests of answers a calendar may have remembered."""

from __future__ import annotations

from datetime import datetime


def fresh(moment: datetime) -> datetime:
    """An equal datetime that is another object, so no calendar can have remembered it."""
    copy = datetime.fromisoformat(moment.isoformat()).replace(tzinfo=moment.tzinfo)
    copy = copy.replace(fold=moment.fold)
    assert copy is not moment
    assert copy == moment
    return copy
