"""The public strategies module: one face, typed strategies, arguments checked when built."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from hypothesis import strategies as st

import propcrm.testing
from propcrm.errors import ValidationError
from propcrm.testing import strategies
from propcrm.testing.strategies import (
    attainments,
    business_calendars,
    callback_tasks,
    card_numbers,
    complaints,
    completed_repairs,
    customers,
    households,
    members,
    nps_answers,
    personal_data,
    role_shares,
    service_figures,
    sla_policies,
    sla_targets,
    staff_members,
    survey_responses,
    tier_facts,
    timelines,
    vip_cards,
    work_orders,
    work_weeks,
)


def _public_strategies() -> list[str]:
    return list(strategies.__all__)


@pytest.mark.parametrize("name", _public_strategies())
def test_every_strategy_is_shown_as_the_public_modules_own(name: str) -> None:
    """Each name in ``__all__`` is presented as ``propcrm.testing.strategies.<name>``."""
    assert getattr(strategies, name).__module__ == "propcrm.testing.strategies"


@pytest.mark.parametrize("name", _public_strategies())
def test_every_strategy_returns_a_typed_search_strategy(name: str) -> None:
    """Each strategy is annotated ``-> SearchStrategy[...]`` and returns one."""
    function = getattr(strategies, name)
    hints = typing.get_type_hints(function)
    assert typing.get_origin(hints["return"]) is st.SearchStrategy
    assert isinstance(function(), st.SearchStrategy)


@pytest.mark.parametrize("name", _public_strategies())
def test_every_strategy_argument_is_keyword_only(name: str) -> None:
    """No strategy takes a positional argument."""
    parameters = inspect.signature(getattr(strategies, name)).parameters.values()
    assert [p.name for p in parameters if p.kind is not p.KEYWORD_ONLY] == []


def test_work_orders_is_exported() -> None:
    """``work_orders`` is listed in ``__all__`` with every other strategy."""
    assert "work_orders" in strategies.__all__


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: role_shares(min_roles=0), "min_roles"),
        (lambda: role_shares(min_roles=3, max_roles=2), "max_roles"),
        (lambda: role_shares(max_roles=6), "max_roles"),
        (lambda: work_weeks(grid_minutes=7), "grid_minutes"),
        (lambda: work_weeks(max_per_day=0), "max_per_day"),
        (lambda: work_weeks(night="yes"), "night"),  # type: ignore[arg-type]
        (lambda: work_weeks(allow_empty=None), "allow_empty"),  # type: ignore[arg-type]
        (lambda: business_calendars(days=0), "days"),
        (lambda: business_calendars(start=datetime(2025, 1, 1)), "start"),
        (lambda: business_calendars(zones=["UTC"]), "zones"),  # type: ignore[arg-type]
        (lambda: personal_data(kind="fax"), "kind"),  # type: ignore[arg-type]
        (lambda: tier_facts(min_day=date(2030, 1, 1), max_day=date(2020, 1, 1)), "max_day"),
        (lambda: customers(facts=3), "facts"),  # type: ignore[arg-type]
        (lambda: members(relation="cousin"), "relation"),  # type: ignore[arg-type]
        (lambda: members(born_from="1990-01-01"), "born_from"),  # type: ignore[arg-type]
        (lambda: households(born_until=date(1900, 1, 1)), "born_until"),
        (lambda: card_numbers(level=7), "level"),  # type: ignore[arg-type]
        (lambda: vip_cards(validity_years=0), "validity_years"),
        (lambda: nps_answers(min_size=-1), "min_size"),
        (lambda: nps_answers(min_size=5, max_size=2), "max_size"),
        (lambda: attainments(max_total=-1), "max_total"),
        (lambda: survey_responses(communities=()), "communities"),
        (lambda: service_figures(communities="Lakeside"), "communities"),
        (lambda: complaints(received_at=datetime(2025, 1, 1)), "received_at"),  # type: ignore[arg-type]
        (lambda: complaints(open_only=1), "open_only"),  # type: ignore[arg-type]
        (lambda: completed_repairs(kinds=()), "kinds"),
        (lambda: completed_repairs(tz="Mars/Olympus"), "tz"),
        (lambda: callback_tasks(roles=("",)), "roles"),
        (lambda: staff_members(max_capacity=-1), "max_capacity"),
        (lambda: sla_targets(calendars=()), "calendars"),
        (lambda: sla_targets(name=5), "name"),  # type: ignore[arg-type]
        (lambda: sla_policies(resolve_within={"hot": 1}), "resolve_within"),  # type: ignore[arg-type]
        (lambda: timelines(max_events=0), "max_events"),
        (lambda: timelines(kinds=()), "kinds"),
        (lambda: timelines(step=timedelta(hours=-1)), "step"),
        (lambda: timelines(reasons=(3,)), "reasons"),  # type: ignore[arg-type]
        (lambda: work_orders(timeline="repair"), "timeline"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_argument_is_a_validation_error_naming_it(
    build: Callable[[], object], argument: str
) -> None:
    """A bad argument fails when the strategy is built, with a ValidationError naming it."""
    with pytest.raises(ValidationError) as raised:
        build()
    assert (raised.value.field, str(raised.value).startswith(f"{argument}: ")) == (argument, True)


def test_role_shares_says_how_many_roles_there_are() -> None:
    """``role_shares(min_roles=0)`` says the range it accepts: 1 to the five roles."""
    message = r"^min_roles: expected an integer from 1 to 5, got 0$"
    with pytest.raises(ValidationError, match=message):
        role_shares(min_roles=0)


def _testing_modules() -> list[str]:
    names = [propcrm.testing.__name__]
    prefix = propcrm.testing.__name__ + "."
    names += [m.name for m in pkgutil.walk_packages(propcrm.testing.__path__, prefix)]
    return names


@pytest.mark.parametrize("module", _testing_modules())
def test_docstring_examples_import_what_they_use(module: str) -> None:
    """Every example in the testing package runs in an empty namespace."""
    found = doctest.DocTestFinder().find(importlib.import_module(module), globs={})
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in found:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
