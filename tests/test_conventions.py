"""The conventions every capability shares: the policy slice and the role vocabulary."""

from __future__ import annotations

import attrs
import pytest

from propcrm._slices import ROOT_MARKER, policy_slice
from propcrm.errors import ValidationError
from propcrm.roles import Role


@attrs.frozen
class _Tiers:
    threshold: int = 2


@attrs.frozen
class _Customers:
    tiers: _Tiers = attrs.Factory(_Tiers)


@attrs.frozen
class _Root:
    customers: _Customers = attrs.Factory(_Customers)


setattr(_Root, ROOT_MARKER, True)


def test_none_gives_the_defaults() -> None:
    """``policy=None`` means the documented defaults of the slice."""
    assert policy_slice(None, _Tiers, "customers.tiers") == _Tiers()


def test_the_slice_itself_is_taken_as_is() -> None:
    """The capability's own slice is used unchanged."""
    tiers = _Tiers(threshold=5)
    assert policy_slice(tiers, _Tiers, "customers.tiers") is tiers


def test_the_root_policy_gives_its_slice_by_path() -> None:
    """The root policy is walked down the dotted path to the slice."""
    root = _Root(_Customers(_Tiers(threshold=7)))
    assert policy_slice(root, _Tiers, "customers.tiers") == _Tiers(threshold=7)


def test_a_wrong_object_is_one_short_line_naming_the_path() -> None:
    """A wrong slice is refused in one line that names the type and the path to it."""
    with pytest.raises(ValidationError) as caught:
        policy_slice(_Customers(), _Tiers, "customers.tiers")
    message = str(caught.value)
    assert message == (
        "policy: expected a _Tiers, got a _Customers; "
        "pass policy.customers.tiers or the whole Policy"
    )
    assert caught.value.field == "policy"


def test_the_error_names_the_callers_argument() -> None:
    """The caller's argument name leads the message."""
    with pytest.raises(ValidationError, match=r"^rules: expected a _Tiers, got a str"):
        policy_slice("x" * 10_000, _Tiers, "customers.tiers", argument="rules")


def test_the_error_never_shows_the_value() -> None:
    """A huge wrong object does not make a huge message."""
    with pytest.raises(ValidationError) as caught:
        policy_slice(list(range(100_000)), _Tiers, "customers.tiers")
    assert len(str(caught.value)) < 300


def test_roles_round_trip_through_their_value() -> None:
    """A role is stored as its value string and read back from it."""
    assert Role("engineering_supervisor") is Role.ENGINEERING_SUPERVISOR
    assert str(Role.VIP_ASSISTANT) == "vip_assistant"


def test_every_role_has_a_chinese_title() -> None:
    """Each role in the vocabulary carries its title from the seeds."""
    assert Role.SERVICE_CENTRE_MANAGER.label == "物业服务中心经理"
    assert all(role.label for role in Role)


def test_an_unknown_role_is_refused() -> None:
    """A role outside the vocabulary is not a role."""
    with pytest.raises(ValueError, match="'janitor' is not a valid Role"):
        Role("janitor")
