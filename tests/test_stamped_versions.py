"""A store stamps each record it writes with its version: a copy equal to attrs.evolve's."""

from typing import Any

import attrs
import pytest
from attrs import frozen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from propcrm._validators import revised
from propcrm.customers import Household
from propcrm.storage._access_tables import TABLES
from propcrm.storage._engine import stamper
from propcrm.testing.contract._samples import SAMPLES
from propcrm.work_orders import WorkOrder

_VERSIONED = {table.entity: table for table in TABLES if table.versioned}
_SAMPLED = [sample for sample in SAMPLES if type(sample.make(1, "x")) in _VERSIONED]


def test_every_versioned_aggregate_but_one_has_a_sample() -> None:
    """The round trip below covers the aggregates the contract suite builds: all but consents."""
    missing = set(_VERSIONED) - {type(sample.make(1, "x")) for sample in _SAMPLED}
    assert {cls.__name__ for cls in missing} == {"Consent"}


@pytest.mark.parametrize("sample", _SAMPLED, ids=lambda sample: sample.repository)
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), version=st.integers(1, 2**63 - 1))
def test_a_stamped_record_equals_the_evolved_one(sample: Any, data: Any, version: int) -> None:
    """Any valid record of any versioned aggregate, stamped: what attrs.evolve gives."""
    entity = data.draw(sample.entities())
    before = attrs.evolve(entity)
    stamped = stamper(_VERSIONED[type(entity)])(entity, version)
    assert type(stamped) is type(entity)
    assert stamped == attrs.evolve(entity, version=version)
    assert stamped.version == version
    assert entity == before  # the record given is left as it was


def test_a_stamped_mutable_record_is_a_copy() -> None:
    """A work order is mutable: changing the stamped copy leaves the original alone."""
    order = next(s for s in _SAMPLED if s.repository == "work_orders").make(1, "东区")
    stamped = stamper(_VERSIONED[WorkOrder])(order, 2)
    stamped.community = "西区"
    assert (order.community, order.version, stamped.version) == ("东区", 0, 2)


def test_a_subclass_is_stamped_by_evolve_and_keeps_its_class() -> None:
    """Only the table's own class is copied field by field: a subclass is evolved."""

    @frozen
    class Annotated(Household):
        note: str = ""

    sampled = next(s for s in _SAMPLED if s.repository == "households").make(1, "李")
    fields = {a.alias: getattr(sampled, a.name) for a in attrs.fields(Household) if a.init}
    household = Annotated(**fields, note="n")
    stamped = stamper(_VERSIONED[Household])(household, 4)
    assert (type(stamped), stamped.note, stamped.version) == (Annotated, "n", 4)


def test_revised_refuses_a_class_without_a_version() -> None:
    """A copy that sets the version needs a version field."""

    @frozen
    class Plain:
        id: str

    with pytest.raises(TypeError, match="Plain has no version field"):
        revised(Plain)


def test_revised_refuses_a_class_that_checks_its_fields_together() -> None:
    """A post-init hook could hold a rule about the version: such a class is evolved."""

    @frozen
    class Checked:
        version: int = 0

        def __attrs_post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="Checked makes or checks its fields as a whole"):
        revised(Checked)
