"""What the report reads from a store: the records of one scope and period.

Everything is read through the store's ports, so any store the desks wrote
(SQLite, PostgreSQL) gives the same records: complaints, their events and
grade decisions, repair slips with their work orders, callback tasks, the
outbox, the customers, the survey answers, and the VIP archives with the
family-care calls planned for them. This module is private.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TypeVar

from attrs import define

from propcrm.callbacks import CallbackTask, SubjectKind, TaskStatus
from propcrm.customers import Customer
from propcrm.records import (
    CaseEvent,
    ComplaintCase,
    GradeRecord,
    Notification,
    RepairSlip,
    VipArchive,
    VipArchiveEvent,
)
from propcrm.roles import Role
from propcrm.satisfaction import SurveyResponse
from propcrm.storage import Cursor, Page, Store
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
    archives: list[VipArchive]  # the VIP archives of the scope, whenever opened
    vip_events: list[VipArchiveEvent]  # their card events in the period
    care: list[CallbackTask]  # the VIP family-care calls due in the period


def _pages(list_page: Callable[..., Page[T]], **where: object) -> Iterator[T]:
    after: Cursor | None = None
    while True:
        page = list_page(limit=_PAGE, after=after, **where)
        yield from page.items
        if page.next is None:
            return
        after = page.next


def read_records(
    store: Store,
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
    answered = [
        r
        for r in store.survey_responses.answered_between(*_EVER)
        if community is None or r.community == community
    ]
    known = sorted({*(r.community for r in answered), *(c.community for c in cases),
                    *(s.community for s in slips)})  # fmt: skip
    communities = known if community is None else [community]
    first, last = start.date(), end.date()
    responses = [r for r in answered if first <= r.answered_on < last]
    customers: list[Customer] = list(_pages(store.customers.list))
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
    archives: list[VipArchive] = list(_pages(store.vip_archives.list, **scope))
    cards = {a.card_id for a in archives} | {
        e.card_id for a in archives for e in a.events if e.card_id
    }
    due = _pages(
        store.callback_tasks.list, owner_role=Role.VIP_ASSISTANT, due_from=start, due_before=end
    )
    care: list[CallbackTask] = [  # a cancelled call (its card revoked) is not due
        t
        for t in due
        if t.subject.kind is SubjectKind.VIP_CARD
        and t.subject.record_id in cards
        and t.status is not TaskStatus.CANCELLED
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
        archives=archives,
        vip_events=[e for a in archives for e in a.events if start <= e.at < end],
        care=care,
    )
