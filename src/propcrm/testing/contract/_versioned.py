"""The contract of every versioned repository, run once per aggregate of :data:`SAMPLES`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propcrm.customers import Customer
from propcrm.errors import ConflictError, NotFoundError, ValidationError
from propcrm.testing.contract._samples import (
    HOSTILE_IDS,
    HOSTILE_TEXTS,
    Sample,
    sample_complaint,
    sample_household,
)
from propcrm.testing.contract._support import (
    HUGE_VERSIONS,
    SHARED_SUITE,
    SURROGATE,
    exists,
    refused,
    repo_of,
)


class VersionedRepositoryContract:
    """What every versioned repository promises: versions, conflicts, copies, hostile values."""

    def test_added_entity_reads_back_equal_at_version_1(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """add() stores version 1 whatever the entity carried; get() returns an equal copy."""
        repo = repo_of(store, sample)
        stored = repo.add(attrs.evolve(sample.make(1, "hello"), version=7))
        assert stored.version == 1
        assert repo.get(stored.id) == stored

    def test_add_all_stores_every_entity_at_version_1(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """add_all() is add() for many: same copies, version 1, count returned."""
        repo = repo_of(store, sample)
        given = [attrs.evolve(sample.make(n, f"t{n}"), version=3) for n in (1, 2, 3)]
        assert repo.add_all(given) == 3
        assert [repo.get(e.id) for e in given] == [attrs.evolve(e, version=1) for e in given]

    def test_add_all_with_a_known_id_adds_nothing(self, store: Any, sample: Sample[Any]) -> None:
        """One duplicate id makes add_all() a ConflictError and adds none of the others."""
        repo = repo_of(store, sample)
        repo.add(sample.make(1, "first"))
        with pytest.raises(ConflictError, match="nothing was added"):
            repo.add_all([sample.make(2, "x"), sample.make(1, "again")])
        assert len(repo) == 1

    def test_update_bumps_the_version(self, store: Any, sample: Sample[Any]) -> None:
        """update() from the current version stores the change as the next version."""
        repo = repo_of(store, sample)
        stored = repo.add(sample.make(1, "before"))
        updated = repo.update(sample.change(stored, "after"))
        assert (updated.version, sample.text(repo.get(stored.id))) == (2, "after")

    def test_stale_update_is_a_conflict_and_changes_nothing(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """Two writers from the same version: the second gets ConflictError, the first wins."""
        repo = repo_of(store, sample)
        first = repo.add(sample.make(1, "original"))
        second = repo.get(first.id)
        repo.update(sample.change(first, "winner"))
        with pytest.raises(ConflictError, match="read it again"):
            repo.update(sample.change(second, "loser"))
        now = repo.get(first.id)
        assert (now.version, sample.text(now)) == (2, "winner")

    def test_duplicate_id_is_a_conflict(self, store: Any, sample: Sample[Any]) -> None:
        """add() never overwrites an existing entity."""
        repo = repo_of(store, sample)
        first = repo.add(sample.make(1, "first"))
        with pytest.raises(ConflictError, match="already exists"):
            repo.add(sample.make(1, "second"))
        assert sample.text(repo.get(first.id)) == "first"

    def test_missing_ids_are_not_found(self, store: Any, sample: Sample[Any]) -> None:
        """get, update and remove of an unknown id raise NotFoundError."""
        repo = repo_of(store, sample)
        ghost = attrs.evolve(sample.make(9, "boo"), version=1)
        with pytest.raises(NotFoundError):
            repo.get(ghost.id)
        with pytest.raises(NotFoundError):
            repo.update(ghost)
        with pytest.raises(NotFoundError):
            repo.remove(ghost.id)

    def test_get_many_reads_copies_in_the_order_given(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """get_many() returns what get() returns for each id, in the order asked, repeats too."""
        repo = repo_of(store, sample)
        one, _, three = (repo.add(sample.make(n, f"t{n}")) for n in (1, 2, 3))
        ids = [three.id, one.id, three.id]
        assert repo.get_many(ids) == [three, one, three]

    def test_get_many_with_an_unknown_id_is_not_found(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """One id without an entity makes get_many() a NotFoundError; none is an empty list."""
        repo = repo_of(store, sample)
        known = repo.add(sample.make(1, "x"))
        ghost = sample.make(9, "boo")
        with pytest.raises(NotFoundError):
            repo.get_many([known.id, ghost.id])
        assert repo.get_many([]) == []

    def test_get_many_refuses_ids_that_are_not_text(self, store: Any, sample: Sample[Any]) -> None:
        """A single string, or an id that is not a string, is named in the ValidationError."""
        repo = repo_of(store, sample)
        with pytest.raises(ValidationError, match=r"ids: expected an iterable"):
            repo.get_many("abc")
        with pytest.raises(ValidationError, match=r"ids\[1\]"):
            repo.get_many(["a", 7])  # type: ignore[list-item]

    def test_remove_deletes_and_checks_a_given_version(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """remove() with a stale version is a conflict; with the current one it deletes."""
        repo = repo_of(store, sample)
        one = repo.add(sample.make(1, "x"))
        two = repo.add(sample.make(2, "y"))
        with pytest.raises(ConflictError):
            repo.remove(one.id, version=5)
        repo.remove(one.id, version=1)
        repo.remove(two.id)
        assert len(repo) == 0

    def test_reads_are_copies(self, store: Any, sample: Sample[Any]) -> None:
        """Changing an entity you added or read changes nothing stored."""
        repo = repo_of(store, sample)
        given = sample.make(1, "kept")
        repo.add(given)
        sample.change(given, "changed after add")
        sample.change(repo.get(given.id), "changed after get")
        assert sample.text(repo.get(given.id)) == "kept"

    def test_hostile_texts_round_trip(self, store: Any, sample: Sample[Any]) -> None:
        """Quotes, SQL, NUL, emoji, wildcards and 1 MB strings come back unchanged."""
        repo = repo_of(store, sample)
        ids = [repo.add(sample.make(n, text)).id for n, text in enumerate(HOSTILE_TEXTS, 1)]
        assert [sample.text(repo.get(id)) for id in ids] == list(HOSTILE_TEXTS)

    def test_hostile_ids_round_trip(self, store: Any, sample: Sample[Any]) -> None:
        """Ids with %, _, quotes and SQL are stored and found exactly (free-text ids only)."""
        if sample.with_id is None:
            pytest.skip("this aggregate's ids are derived, not free text")
        repo = repo_of(store, sample)
        for n, id in enumerate(HOSTILE_IDS, 1):
            repo.add(sample.with_id(sample.make(n, id), id))
        assert [sample.text(repo.get(id)) for id in HOSTILE_IDS] == list(HOSTILE_IDS)
        with pytest.raises(NotFoundError):
            repo.get("100")

    def test_invalid_text_is_refused_and_nothing_is_written(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """A lone surrogate cannot be stored; the store is left as it was."""
        repo = repo_of(store, sample)
        with pytest.raises(ValidationError):
            repo.add(sample.make(1, "bad \ud800"))
        assert len(repo) == 0

    def test_ids_that_cannot_be_utf8_are_refused(self, store: Any, sample: Sample[Any]) -> None:
        """get() or remove() of an id with a lone surrogate is a ValidationError naming ``id``."""
        repo = repo_of(store, sample)
        repo.add(sample.make(1, "kept"))
        assert [
            refused(lambda: repo.get(SURROGATE)),
            refused(lambda: repo.remove(SURROGATE)),
        ] == [
            "id",
            "id",
        ]
        assert len(repo) == 1

    def test_versions_beyond_64_bits_are_conflicts(self, store: Any, sample: Sample[Any]) -> None:
        """No stored version can equal one outside 64 bits: update and remove are conflicts."""
        repo = repo_of(store, sample)
        stored = repo.add(sample.make(1, "kept"))
        for version in HUGE_VERSIONS:
            changed = attrs.evolve(sample.change(repo.get(stored.id), "lost"), version=version)
            with pytest.raises(ConflictError, match="read it again"):
                repo.update(changed)
        for version in (*HUGE_VERSIONS, -(2**63) - 1):
            with pytest.raises(ConflictError, match="read it again"):
                repo.remove(stored.id, version=version)
        now = repo.get(stored.id)
        assert (now.version, sample.text(now)) == (1, "kept")
        with pytest.raises(NotFoundError):
            repo.update(attrs.evolve(sample.make(2, "ghost"), version=2**63))

    def test_arguments_of_the_wrong_type_are_refused_by_name(
        self, store: Any, sample: Sample[Any]
    ) -> None:
        """None or another aggregate's entity is a ValidationError naming the argument."""
        repo = repo_of(store, sample)
        stored = repo.add(sample.make(1, "kept"))
        other = (
            Customer("c-x", "王芳")
            if sample.repository != "customers"
            else sample_household(2, "x")
        )
        calls: list[Callable[[], object]] = [
            lambda: repo.add(None),
            lambda: repo.add(other),
            lambda: repo.update(None),
            lambda: repo.add_all(None),  # type: ignore[arg-type]
            lambda: repo.add_all([sample.make(3, "lost"), None]),
            lambda: repo.get(None),  # type: ignore[arg-type]
            lambda: repo.remove(None),  # type: ignore[arg-type]
            lambda: repo.remove(stored.id, version="1"),  # type: ignore[arg-type]
            lambda: repo.remove(stored.id, version=True),
        ]
        expected = ["entity", "entity", "entity", "entities", "entities[1]", "id", "id"]
        assert [refused(call) for call in calls] == [*expected, "version", "version"]
        assert [entity.id for entity in [repo.get(stored.id)]] == [stored.id]
        assert len(repo) == 1

    def test_a_skipped_wall_time_keeps_its_side_of_the_gap(self, store: Any) -> None:
        """02:30 on a spring-forward day, fold=1 or 0, comes back with its wall time and offset."""
        zone = ZoneInfo("America/New_York")
        for n, fold in enumerate((1, 0), 1):
            moment = datetime(2025, 3, 9, 2, 30, fold=fold, tzinfo=zone)  # does not exist
            store.complaints.add(attrs.evolve(sample_complaint(n, "gap"), received_at=moment))
            back = store.complaints.get(f"cmp-{n}").received_at
            assert (back.replace(tzinfo=None), back.fold, back.utcoffset(), back.tzinfo) == (
                datetime(2025, 3, 9, 2, 30),  # noqa: DTZ001 - the wall time itself
                fold,
                timedelta(hours=-4 if fold else -5),
                zone,
            )

    @settings(max_examples=25, suppress_health_check=SHARED_SUITE)
    @given(data=st.data())
    def test_any_entity_round_trips(
        self, store: Any, sample: Sample[Any], data: st.DataObject
    ) -> None:
        """Every valid entity (datetimes, dates, enums, nested values) comes back equal."""
        repo = repo_of(store, sample)
        entity = data.draw(sample.entities())
        if exists(repo, entity.id):
            repo.remove(entity.id)
        stored = repo.add(entity)
        assert repo.get(entity.id) == stored == attrs.evolve(entity, version=1)
