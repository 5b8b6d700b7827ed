"""The contract of the queries each aggregate's repository answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from propcrm.complaints import Complainants
from propcrm.errors import ValidationError
from propcrm.roles import Role
from propcrm.sla import Event, EventKind, Timeline
from propcrm.testing.contract._samples import (
    DAY,
    T0,
    ids_of,
    sample_card,
    sample_complaint,
    sample_customer,
    sample_task,
    sample_work_order,
)
from propcrm.testing.contract._support import SURROGATE, refused, revocation
from propcrm.vip import VipLevel
from propcrm.work_orders import WorkOrderState


class QueryContract:
    """What each repository's own queries promise, and how they check their arguments."""

    def test_complaints_by_key_in_a_half_open_window(self, store: Any) -> None:
        """in_window() takes start, not end, only that key, oldest first (002 §40)."""
        store.complaints.add_all(sample_complaint(n, "") for n in range(1, 9))
        start, end = T0 + timedelta(hours=3), T0 + timedelta(hours=7)
        found = store.complaints.in_window("东区", "noise", "pump room 1", start=start, end=end)
        assert ids_of(found) == ["cmp-3", "cmp-5"]
        assert store.complaints.in_window("东区", "noise", "pump room %", start=T0, end=end) == []

    def test_window_bounds_are_instants_whatever_their_zone(self, store: Any) -> None:
        """The same instant written in another zone bounds the window identically."""
        store.complaints.add(sample_complaint(1, ""))
        start = (T0 + timedelta(hours=1)).astimezone(ZoneInfo("America/New_York"))
        end = start + timedelta(microseconds=1)
        assert ids_of(
            store.complaints.in_window("东区", "noise", "pump room 1", start=start, end=end)
        ) == ["cmp-1"]

    def test_open_complaints_due_before_a_moment(self, store: Any) -> None:
        """open_due_before() skips resolved complaints and those not yet due."""
        store.complaints.add_all(sample_complaint(n, "") for n in range(1, 8))
        due = store.complaints.open_due_before(T0 + timedelta(hours=7), within=timedelta(hours=2))
        assert ids_of(due) == ["cmp-1", "cmp-2", "cmp-4"]

    def test_list_any_unites_windows_of_several_keys(self, store: Any) -> None:
        """Each mapping is a list() filter; the result holds what any of them finds, in order."""
        store.complaints.add_all(sample_complaint(n, "") for n in range(1, 9))
        hour = timedelta(hours=1)
        found = store.complaints.list_any(
            [
                {"subject": "pump room 1", "received_from": T0 + 3 * hour,
                 "received_before": T0 + 7 * hour},
                {"subject": "pump room 0", "received_from": T0 + 6 * hour,
                 "received_before": T0 + 9 * hour},
            ],
            order_by="received_at",
        )  # fmt: skip
        assert ids_of(found) == ["cmp-3", "cmp-5", "cmp-6", "cmp-8"]

    def test_list_any_gives_an_entity_found_twice_once(self, store: Any) -> None:
        """Two mappings that find the same complaints give each of them once, by id."""
        store.complaints.add_all(sample_complaint(n, "") for n in range(1, 9))
        twice = [{"subject": "pump room 1"}, {"subject": "pump room 1"}]
        assert ids_of(store.complaints.list_any(twice)) == ["cmp-1", "cmp-3", "cmp-5", "cmp-7"]
        assert store.complaints.list_any([]) == []

    def test_complainants_any_reads_who_complained_and_when(self, store: Any) -> None:
        """complainants_any() gives each found complaint's key, channel, complainants, instant."""
        store.complaints.add_all(sample_complaint(n, "") for n in range(1, 9))
        store.complaints.add(
            attrs.evolve(
                sample_complaint(9, ""), channel="wechat", complainant_ids=("cust-7", "cust-8")
            )
        )
        hour = timedelta(hours=1)
        found = store.complaints.complainants_any(
            [{"subject": "pump room 1", "received_from": T0 + 3 * hour,
              "received_before": T0 + 10 * hour}]
        )  # fmt: skip
        # 9 October 2025 08:30 in Shanghai (UTC+8) is 00:30 UTC; cmp-n comes n hours later.
        utc = [datetime(2025, 10, 9, h, 30, tzinfo=UTC) for h in (3, 5, 7, 9)]
        assert found == [
            Complainants("cmp-3", "东区", "noise", "pump room 1", "phone", ("cust-0",), utc[0]),
            Complainants("cmp-5", "东区", "noise", "pump room 1", "phone", ("cust-2",), utc[1]),
            Complainants("cmp-7", "东区", "noise", "pump room 1", "phone", ("cust-1",), utc[2]),
            Complainants(
                "cmp-9", "东区", "noise", "pump room 1", "wechat", ("cust-7", "cust-8"), utc[3]
            ),
        ]
        assert store.complaints.complainants_any([]) == []

    def test_complainants_any_checks_filters_as_list_any_does(self, store: Any) -> None:
        """Mappings naming different filters, or an unknown one, are a ValidationError."""
        with pytest.raises(ValidationError, match=r"filters\[1\]"):
            store.complaints.complainants_any([{"subject": "a"}, {"open": True}])
        with pytest.raises(ValidationError, match="one of the filters"):
            store.complaints.complainants_any([{"colour": "red"}])

    def test_list_any_refuses_mixed_and_unknown_filters(self, store: Any) -> None:
        """Mappings naming different filters, or an unknown one, are a ValidationError."""
        mixed = [{"subject": "pump room 1"}, {"subject": "pump room 1", "open": True}]
        with pytest.raises(ValidationError, match=r"filters\[1\]"):
            store.complaints.list_any(mixed)
        with pytest.raises(ValidationError, match="one of the filters"):
            store.complaints.list_any([{"colour": "red"}])
        with pytest.raises(ValidationError, match="filters"):
            store.complaints.list_any({"subject": "pump room 1"})
        with pytest.raises(ValidationError, match="order_by"):
            store.complaints.list_any([], order_by="colour")

    def test_complaint_queries_refuse_naive_moments(self, store: Any) -> None:
        """A naive datetime is refused with the argument's name."""
        with pytest.raises(ValidationError, match=r"^at must be timezone-aware"):
            store.complaints.open_due_before(datetime(2025, 1, 1), within=DAY)  # noqa: DTZ001
        with pytest.raises(ValidationError, match="within"):
            store.complaints.open_due_before(T0, within=2)

    def test_callback_tasks_due_on_a_day_per_staff_member(self, store: Any) -> None:
        """due_on(on, staff_id=) takes the tasks due from midnight to midnight in the zone."""
        store.callback_tasks.add_all(sample_task(n, "") for n in range(1, 13))
        day = T0.date() + DAY  # tasks 1-5 fall due on 10 October in Shanghai
        found = store.callback_tasks.due_on(day, tz="Asia/Shanghai", staff_id="staff-1")
        assert ids_of(found) == ["task-1", "task-4"]
        by_role = store.callback_tasks.due_on(day, tz="Asia/Shanghai", role="repair_lead")
        assert ids_of(by_role) == ["task-2", "task-4"]

    def test_callback_tasks_list_by_owner_role_and_due_period(self, store: Any) -> None:
        """list(owner_role=, due_from=, due_before=) takes that role's tasks due in the period."""
        store.callback_tasks.add_all(sample_task(n, "") for n in range(1, 9))
        page = store.callback_tasks.list(
            owner_role=Role.REPAIR_LEAD, due_from=T0 + timedelta(hours=27),
            due_before=T0 + timedelta(hours=42), order_by="due",
        )  # fmt: skip
        assert ids_of(list(page.items)) == ["task-2", "task-4"]
        assert ids_of(list(store.callback_tasks.list(staff_id="staff-0").items)) == [
            "task-3",
            "task-6",
        ]

    def test_customers_list_by_household(self, store: Any) -> None:
        """list(household_id=) takes that household's customers, by id."""
        store.customers.add_all(sample_customer(n, "王") for n in range(1, 6))
        found = store.customers.list(household_id="hh-1")
        assert ids_of(list(found.items)) == ["cust-1", "cust-3", "cust-5"]
        assert len(store.customers.list(limit=2).items) == 2

    def test_the_day_of_a_callback_depends_on_the_zone(self, store: Any) -> None:
        """The same tasks fall on other days when the day is taken in another zone."""
        store.callback_tasks.add_all(sample_task(n, "") for n in range(1, 13))
        day = T0.date() + DAY
        in_berlin = store.callback_tasks.due_on(day, tz="Europe/Berlin", staff_id="staff-1")
        assert ids_of(in_berlin) == ["task-1", "task-4", "task-7"]

    def test_due_on_needs_exactly_one_owner(self, store: Any) -> None:
        """Neither or both of staff_id= and role= is refused."""
        with pytest.raises(ValidationError, match="exactly one"):
            store.callback_tasks.due_on(T0.date(), tz="UTC")
        with pytest.raises(ValidationError, match="exactly one"):
            store.callback_tasks.due_on(T0.date(), tz="UTC", staff_id="a", role="b")

    def test_due_on_takes_a_role_of_the_vocabulary(self, store: Any) -> None:
        """role= takes a Role or its text; a role outside propcrm.roles.Role is refused."""
        store.callback_tasks.add_all(sample_task(n, "") for n in range(1, 13))
        day = T0.date() + DAY
        by_role = store.callback_tasks.due_on(day, tz="Asia/Shanghai", role=Role.REPAIR_LEAD)
        assert ids_of(by_role) == ["task-2", "task-4"]
        with pytest.raises(ValidationError, match=r"^role: .*repair_lead"):
            store.callback_tasks.due_on(day, tz="Asia/Shanghai", role="manager")

    def test_work_orders_by_state(self, store: Any) -> None:
        """in_state() follows each timeline, oldest first, and moves with updates."""
        store.work_orders.add_all(sample_work_order(n, "东区") for n in range(1, 9))
        assert ids_of(store.work_orders.in_state(WorkOrderState.ON_SITE)) == ["WO-2", "WO-6"]
        order = store.work_orders.get("WO-2")
        order.timeline = Timeline(
            [*order.timeline.events, Event(EventKind.RESOLVED, order.received_at + DAY)],
            kind=order.timeline.kind,
        )
        store.work_orders.update(order)
        assert ids_of(store.work_orders.in_state(WorkOrderState.ON_SITE)) == ["WO-6"]
        resolved = store.work_orders.in_state(WorkOrderState.RESOLVED)
        assert ids_of(resolved) == ["WO-2", "WO-3", "WO-7"]

    def test_work_order_states_are_checked(self, store: Any) -> None:
        """An unknown state is refused, not answered with nothing."""
        with pytest.raises(ValidationError, match="WorkOrderState"):
            store.work_orders.in_state("lost")

    def test_customers_are_found_by_household(self, store: Any) -> None:
        """in_household() returns exactly that household's customers, by id."""
        store.customers.add_all(sample_customer(n, "王芳") for n in range(1, 6))
        assert ids_of(store.customers.in_household("hh-1")) == ["cust-1", "cust-3", "cust-5"]
        assert store.customers.in_household("hh-%") == []

    def test_cards_are_found_by_holder(self, store: Any) -> None:
        """held_by() returns a holder's cards, earliest expiry first."""
        store.vip_cards.add_all(sample_card(n, "客户助理") for n in (1, 4, 7))
        assert ids_of(store.vip_cards.held_by("cust-1")) == ["JK2004", "JK2007", "JK2001"]

    def test_cards_of_many_holders_are_found_together(self, store: Any) -> None:
        """held_by_any() maps each holder asked to held_by(); one without a card to []."""
        store.vip_cards.add_all(sample_card(n, "客户助理") for n in (1, 2, 4, 7))
        held = store.vip_cards.held_by_any(["cust-1", "cust-0", "cust-1"])
        found = {holder: ids_of(cards) for holder, cards in held.items()}
        assert found == {"cust-1": ["JK2004", "JK2007", "JK2001"], "cust-0": []}

    def test_expiring_cards_are_half_open_and_skip_ended_cards(self, store: Any) -> None:
        """expiring_between(start, end) takes start, not end, and ignores ended cards."""
        first = sample_card(1, "客户助理")
        store.vip_cards.add(first)
        start = first.expires_on
        on_end = sample_card(2, "客户助理")
        on_end.expires_on = start + timedelta(days=10)
        store.vip_cards.add(on_end)
        ended = sample_card(3, "客户助理")
        ended.expires_on = start
        store.vip_cards.add(attrs.evolve(ended, change=revocation(ended.issued_on)))
        expiring = store.vip_cards.expiring_between(start, start + timedelta(days=10))
        assert ids_of(expiring) == ["JK2001"]

    def test_query_arguments_are_checked(self, store: Any) -> None:
        """A datetime where a date is expected is refused, not silently compared."""
        with pytest.raises(ValidationError, match="start"):
            store.vip_cards.expiring_between(datetime(2025, 1, 1, tzinfo=UTC), date(2026, 1, 1))

    def test_query_texts_that_cannot_be_utf8_are_refused(self, store: Any) -> None:
        """A lone surrogate in a query's text is a ValidationError naming the argument."""
        bad, day = SURROGATE, T0.date()
        calls: dict[str, Callable[[], object]] = {
            "household_id": lambda: store.customers.in_household(bad),
            "community": lambda: store.complaints.in_window(bad, "n", "s", start=T0, end=T0),
            "category": lambda: store.complaints.in_window("c", bad, "s", start=T0, end=T0),
            "subject": lambda: store.complaints.in_window("c", "n", bad, start=T0, end=T0),
            "staff_id": lambda: store.callback_tasks.due_on(day, tz="UTC", staff_id=bad),
            "role": lambda: store.callback_tasks.due_on(day, tz="UTC", role=bad),
            "customer_id": lambda: store.vip_cards.held_by(bad),
            "prefix": lambda: store.card_numbers.allocate(bad, VipLevel.OTHER),
            "id": lambda: store.survey_responses.get(bad),
            "community ": lambda: store.survey_responses.for_community(bad, day, day),
        }
        assert [name.strip() for name in calls] == [refused(call) for call in calls.values()]

    def test_query_arguments_that_are_not_text_are_refused(self, store: Any) -> None:
        """None where text is expected is a ValidationError naming the argument."""
        day = T0.date()
        calls: dict[str, Callable[[], object]] = {
            "household_id": lambda: store.customers.in_household(None),
            "community": lambda: store.complaints.in_window(None, "n", "s", start=T0, end=T0),
            "staff_id": lambda: store.callback_tasks.due_on(day, tz="UTC", staff_id=3),
            "customer_id": lambda: store.vip_cards.held_by(None),
            "prefix": lambda: store.card_numbers.allocate(None, VipLevel.OTHER),
            "response": lambda: store.survey_responses.add(None),
            "responses": lambda: store.survey_responses.add_all(None),
            "responses[0]": lambda: store.survey_responses.add_all([None]),
        }
        assert list(calls) == [refused(call) for call in calls.values()]
        assert len(store.survey_responses) == 0
