"""MemoryStore, SqliteStore and PostgresStore agree: the same random operations, the same outcomes.

A hypothesis state machine applies each step (add, update with any version,
remove, get, draw a card number, answer a survey, begin/commit/roll back a
nested transaction) to every store and checks that results, errors, counts and
every query agree after each step. The PostgreSQL run needs a server (see
``postgres_server``).
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from postgres_server import emptied
from propcrm.errors import PropcrmError
from propcrm.satisfaction import SurveyResponse
from propcrm.storage.memory import MemoryStore
from propcrm.storage.postgres import PostgresStore
from propcrm.storage.sqlite import SqliteStore
from propcrm.testing.contract import SAMPLES, Sample
from propcrm.vip import VipLevel

NUMBERS = st.integers(1, 6)
TEXTS = st.sampled_from(["x", "it's", "'; DROP TABLE x; --", "物业 😀", "NUL\x00", "100%_"])
SAMPLE = st.sampled_from(SAMPLES)
COMMUNITIES = st.sampled_from(["东区", "西区", "%"])


class StoresAgree(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.stores: list[Any] = [MemoryStore(), SqliteStore(":memory:")]
        self.open: list[list[AbstractContextManager[None]]] = []

    def _agree(self, operation: Callable[[Any], object]) -> None:
        outcomes = []
        for store in self.stores:
            try:
                outcomes.append(("ok", operation(store)))
            except PropcrmError as e:
                outcomes.append(("error", type(e)))
        assert all(outcome == outcomes[0] for outcome in outcomes[1:])

    @rule(sample=SAMPLE, id=NUMBERS, text=TEXTS)
    def add(self, sample: Sample[Any], id: str, text: str) -> None:
        self._agree(lambda store: getattr(store, sample.repository).add(sample.make(id, text)))

    @rule(sample=SAMPLE, id=NUMBERS, text=TEXTS, version=st.integers(1, 4))
    def update(self, sample: Sample[Any], id: str, text: str, version: int) -> None:
        entity = attrs.evolve(sample.make(id, text), version=version)
        self._agree(lambda store: getattr(store, sample.repository).update(entity))

    @rule(sample=SAMPLE, id=NUMBERS, version=st.none() | st.integers(1, 4))
    def remove(self, sample: Sample[Any], id: str, version: int | None) -> None:
        self._agree(lambda store: getattr(store, sample.repository).remove(id, version=version))

    @rule(sample=SAMPLE, id=NUMBERS)
    def get(self, sample: Sample[Any], id: str) -> None:
        self._agree(lambda store: getattr(store, sample.repository).get(id))

    @rule(level=st.sampled_from(VipLevel))
    def allocate(self, level: VipLevel) -> None:
        self._agree(lambda store: store.card_numbers.allocate("JK", level))

    @rule(community=COMMUNITIES, day=st.integers(1, 28))
    def answer(self, community: str, day: int) -> None:
        response = SurveyResponse(f"H-{day}", community, date(2025, 2, day), recommend=day % 11)
        self._agree(lambda store: store.survey_responses.add(response))

    @precondition(lambda self: len(self.open) < 3)
    @rule()
    def begin(self) -> None:
        level = [store.transaction() for store in self.stores]
        for context in level:
            context.__enter__()
        self.open.append(level)

    @precondition(lambda self: self.open)
    @rule()
    def commit(self) -> None:
        for context in self.open.pop():
            context.__exit__(None, None, None)

    @precondition(lambda self: self.open)
    @rule()
    def roll_back(self) -> None:
        error = RuntimeError("roll back")
        for context in self.open.pop():
            assert not context.__exit__(RuntimeError, error, None)

    @invariant()
    def contents_agree(self) -> None:
        for sample in SAMPLES:
            repos = [getattr(store, sample.repository) for store in self.stores]
            assert len({len(repo) for repo in repos}) == 1
            found = [sample.queries(repo) for repo in repos]
            assert all(queries == found[0] for queries in found[1:])
        surveys = [
            [
                store.survey_responses.for_community(community, date(2025, 2, 1), date(2025, 2, 15))
                for community in ("东区", "%")
            ]
            for store in self.stores
        ]
        assert all(answers == surveys[0] for answers in surveys[1:])

    def teardown(self) -> None:
        while self.open:
            self.commit()
        for store in self.stores:
            store.close()


StoresAgree.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestStoresAgree = StoresAgree.TestCase


class StoresAgreeWithPostgres(StoresAgree):
    conninfo = ""

    def __init__(self) -> None:
        super().__init__()
        self.stores.append(PostgresStore(emptied(self.conninfo)))


class TestStoresAgreeWithPostgres(StoresAgreeWithPostgres.TestCase):
    @pytest.fixture(autouse=True)
    def _server(self, postgres_shared: str) -> None:
        StoresAgreeWithPostgres.conninfo = postgres_shared


TestStoresAgreeWithPostgres.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None
)
