"""Helpers the contract suite's tests share: rolling back on purpose, reading refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck

from propcrm.errors import NotFoundError, ValidationError
from propcrm.satisfaction import SurveyResponse
from propcrm.storage import Repository
from propcrm.testing.contract._samples import Sample
from propcrm.vip import CardStatus, RevocationGround, StatusChange

T = TypeVar("T")

# Each example adds to the one store the fixture made (ids are freed first), and the same
# test runs under every adapter's subclass: both are how a shared suite works.
SHARED_SUITE = [HealthCheck.function_scoped_fixture, HealthCheck.differing_executors]


class AbortError(Exception):
    """Raised by the suite to roll a transaction back."""


SURROGATE = "\ud800"  # a lone surrogate: a str that has no UTF-8 form
HUGE_VERSIONS = (2**63 - 1, 2**63, 2**70)  # the next version (or the version) needs > 64 bits


def refused(call: Callable[[], object]) -> str:
    """Run ``call``, which must raise ValidationError, and return the field it names."""
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.field


def abort_after(store: Any, work: Callable[[], object]) -> None:
    with store.transaction():
        work()
        raise AbortError


def repo_of(store: Any, sample: Sample[T]) -> Repository[T]:
    return getattr(store, sample.repository)  # type: ignore[no-any-return]


def exists(repo: Repository[Any], id: str) -> bool:
    try:
        repo.get(id)
    except NotFoundError:
        return False
    return True


def revocation(on: date) -> StatusChange:
    return StatusChange(CardStatus.REVOKED, on, "主任", "test", RevocationGround.MALICIOUS_ARREARS)


def response_on(community: str, day: int) -> SurveyResponse:
    return SurveyResponse(f"H-{day}", community, date(2025, 3, day), recommend=9, overall=5)
