"""What the report reads from a store: the records of one scope and period.

Complaints, their events and grade decisions, repair slips with their work
orders, callback tasks and the outbox are read through the store's
repositories. The store's ports list neither customers nor survey answers by
community, so their ids are read from the database file's own tables
(read-only) and each record is then read through the store. This module is
private.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from attrs import define

from propcrm.callbacks import CallbackTask
from propcrm.customers import Customer
from propcrm.records import CaseEvent, ComplaintCase, GradeRecord, Notification, RepairSlip
from propcrm.satisfaction import SurveyResponse
from propcrm.storage import Cursor, Page
from propcrm.storage.sqlite import SqliteStore
from propcrm.work_orders import WorkOrder

__all__ = ["Records", "read_records"]

T = TypeVar("T")
_PAGE = 1000
_EVER = (date(1, 1, 1), date(9999, 12, 31))


@define
class Records:
    """The records of one scope (a community or all) and one period ``[start, end)``."""

    communities: list[str]
    customers: list[Customer]
    cases: list[ComplaintCase]
    events: dict[str, list[CaseEvent]]
    grades: dict[str, list[GradeRecord]]
    slips: list[RepairSlip]
    orders: dict[str, WorkOrder]
    tasks: dict[str, CallbackTask]
    responses: list[SurveyResponse]
    notifications: list[Notification]
    households: dict[str, set[str]]  # community -> households its records know, at any time


def _pages(list_page: Callable[..., Page[T]], **where: object) -> Iterator[T]:
    after: Cursor | None = None
    while True:
        page = list_page(limit=_PAGE, after=after, **where)
        yield from page.items
        if page.next is None:
            return
        after = page.next


def _ids(path: Path, sql: str) -> list[str]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute(sql)]
    finally:
        connection.close()


def read_records(
    store: SqliteStore,
    path: Path,
    *,
    community: str | None,
    start: datetime,
    end: datetime,
) -> Records:
    """Read everything the report needs for ``community`` (or all) received in ``[start, end)``."""
    scope = {} if community is None else {"community": community}
    cases: list[ComplaintCase] = list(
        _pages(store.complaint_cases.list, received_from=start, received_before=end, **scope)
    )
    slips: list[RepairSlip] = [
        s for s in _pages(store.repair_slips.list, **scope) if start <= s.received_at < end
    ]
    task_ids = [c.callback_task_id for c in cases if c.callback_task_id]
    task_ids += [s.callback_task_id for s in slips if s.callback_task_id]
    surveyed = _ids(path, "SELECT DISTINCT community FROM survey_responses ORDER BY community")
    known = sorted({*surveyed, *(c.community for c in cases), *(s.community for s in slips)})
    communities = known if community is None else [community]
    first, last = start.date(), end.date()
    answered = [
        r
        for name in communities
        for r in store.survey_responses.for_community(name, _EVER[0], _EVER[1])
    ]
    responses = [r for r in answered if first <= r.answered_on < last]
    customers = [store.customers.get(i) for i in _ids(path, "SELECT id FROM customers ORDER BY id")]
    households: dict[str, set[str]] = {name: set() for name in communities}
    household_of = {c.id: c.household_id or c.id for c in customers}
    for r in answered:  # every answer, of any period: the households a community serves
        households[r.community].add(r.household_id)
    for community_of, customer_id in [
        *((c.community, c.customer_id) for c in cases),
        *((s.community, s.customer_id) for s in slips),
    ]:
        households[community_of].add(household_of.get(customer_id, customer_id))
    if community is not None:
        customers = [c for c in customers if (c.household_id or c.id) in households[community]]
    notes: list[Notification] = [
        n for n in _pages(store.notifications.list, **scope) if start <= n.created_at < end
    ]
    return Records(
        communities=communities,
        customers=customers,
        cases=cases,
        events={c.id: store.case_events.of_complaint(c.id) for c in cases},
        grades={c.id: store.grade_records.history(c.id) for c in cases},
        slips=slips,
        orders={s.id: store.work_orders.get(s.id) for s in slips},
        tasks={i: store.callback_tasks.get(i) for i in task_ids},
        responses=responses,
        notifications=notes,
        households=households,
    )
