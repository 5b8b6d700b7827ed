"""The contract's part for night duty and the VIP office: night entries and VIP archives.

:class:`~propcrm.testing.contract.StoreContract` inherits :class:`OfficeContract`
and adds :data:`OFFICE_SAMPLES` to its samples, so every adapter keeps the night
log (personal data, nested assignments) and the archives (birthdays, events)
like every other aggregate.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from propcrm.explain import Reason
from propcrm.privacy import PersonalData, PersonalKind
from propcrm.records import (
    NightAssignment,
    NightEntry,
    NightEntryState,
    NightRoute,
    VipArchive,
    VipArchiveEvent,
    VipArchiveEventKind,
)
from propcrm.testing.contract._records import RecordSample, _ids, _pages, _strategy

__all__ = ["OFFICE_SAMPLES", "OfficeContract"]

_T0 = datetime(2025, 3, 3, 18, 40, tzinfo=ZoneInfo("Asia/Shanghai"))
_HOUR = timedelta(hours=1)
_STATES = tuple(NightEntryState)


def _entry(n: int, text: str) -> NightEntry:
    state = _STATES[n % 3]
    assignment = None
    if state is not NightEntryState.OPEN or n % 2:
        assignment = NightAssignment(
            NightRoute.WORK_ORDER, decided_by="night-1", decided_at=_T0 + n * _HOUR,
            category="house", address=PersonalData(PersonalKind.ADDRESS, f"东区{n}号楼1201"),
            callback_kind="leak",
        )  # fmt: skip
    return NightEntry(
        f"N-{n}",
        community=("东区", "西区")[n % 2],
        night_of=date(2025, 3, 3) + timedelta(days=n // 12),
        logged_at=_T0 + n * _HOUR,
        logged_by="night-1",
        customer_id=f"cust-{n % 3}",
        caller=PersonalData(PersonalKind.PHONE, "13812345678"),
        content=text if text.strip() else f"call {n}",
        emergency=n % 5 == 0,
        state=state,
        assignment=assignment,
        work_order_id=None if state is NightEntryState.OPEN else f"night:N-{n}",
        reasons=(Reason("night.window", f"logged {n}", {"n": n}, "002"),),
    )


def _archive(n: int, text: str) -> VipArchive:
    event = VipArchiveEvent(
        VipArchiveEventKind.ISSUED, at=_T0 + n * _HOUR, on=date(2025, 3, 3), actor_id="va-1",
        command_id=f"issue-{n}", card_id=f"JK2{n % 1000:03d}", note=text,
        policy_fingerprint="0123456789abcdef",
    )  # fmt: skip
    return VipArchive(
        f"cust-{n}",
        community=("东区", "西区")[n % 2],
        assistant_id="va-1",
        opened_at=_T0 + n * _HOUR,
        card_id=event.card_id,
        birthdays={"self": date(1970, 1 + n % 12, 1 + n % 28)},
        events=(event,),
    )


def _note_of(archive: VipArchive) -> str:
    return archive.events[0].note


def _set_note(archive: VipArchive, text: str) -> VipArchive:
    event = attrs.evolve(archive.events[0], note=text)
    return attrs.evolve(archive, events=(event,))


OFFICE_SAMPLES = (
    RecordSample(
        "night_entries",
        _entry,
        lambda e: e.content,
        lambda e, t: attrs.evolve(e, content=t),
        _strategy(_entry),
        lambda repo: [
            _pages(repo),
            _pages(repo, community="西区", order_by="logged_at"),
            _pages(repo, state=NightEntryState.OPEN, night_of=date(2025, 3, 3)),
        ],
        lambda e, id: attrs.evolve(e, id=id),
    ),
    RecordSample(
        "vip_archives",
        _archive,
        _note_of,
        _set_note,
        _strategy(_archive),
        lambda repo: [
            _pages(repo),
            _pages(repo, community="东区", order_by="opened_at"),
            _pages(repo, card_id="JK2002"),
        ],
        lambda a, id: attrs.evolve(a, id=id),
    ),
)
"""Night duty's and the VIP office's samples, in the shape of :class:`RecordSample`."""


class OfficeContract:
    """Night entries and VIP archives, as every adapter must keep them."""

    def test_a_night_entry_reads_back_with_its_phone_and_assignment(self, store: Any) -> None:
        """The caller's clear phone and the assignment's clear address survive the store."""
        store.night_entries.add(_entry(1, ""))
        entry = store.night_entries.get("N-1")
        assert entry.assignment is not None
        assert (entry.caller.reveal(), entry.assignment.address.reveal()) == (
            "13812345678",
            "东区1号楼1201",
        )

    def test_open_entries_of_a_night_list_by_community(self, store: Any) -> None:
        """state= and night_of= combine: open entries (n % 3 == 0) of the first night (n < 12)."""
        store.night_entries.add_all(_entry(n, "") for n in range(1, 16))
        page = store.night_entries.list(state=NightEntryState.OPEN, night_of=date(2025, 3, 3))
        assert _ids(page.items) == ["N-3", "N-6", "N-9"]

    def test_an_archive_keeps_birthdays_and_events(self, store: Any) -> None:
        """Birthdays come back as dates and each event with its policy fingerprint."""
        store.vip_archives.add(_archive(4, "lost on a trip"))
        archive = store.vip_archives.get("cust-4")
        assert (archive.birthdays, archive.events[0].policy_fingerprint, archive.card_ids) == (
            {"self": date(1970, 5, 5)},
            "0123456789abcdef",
            ("JK2004",),
        )

    def test_archives_list_by_card(self, store: Any) -> None:
        """card_id= finds the archive holding that card."""
        store.vip_archives.add_all(_archive(n, "") for n in range(1, 6))
        assert _ids(store.vip_archives.list(card_id="JK2003").items) == ["cust-3"]
