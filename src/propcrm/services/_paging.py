"""Reading a whole listing of the store, page by page: the one loop the services share.

Private to :mod:`propcrm.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from propcrm.storage import Cursor, Page

__all__ = ["PAGE", "all_pages"]

T = TypeVar("T")

#: How many records one read of a listing asks the store for.
PAGE = 1000


def all_pages(read: Callable[[Cursor | None], Page[T]]) -> list[T]:
    """Every item of a listing, read page by page (``read(after)`` returns one page)."""
    found: list[T] = []
    after = None
    while True:
        page = read(after)
        found.extend(page.items)
        if page.next is None:
            return found
        after = page.next
