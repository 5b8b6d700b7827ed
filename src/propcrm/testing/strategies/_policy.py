"""The strategy for a whole :class:`~propcrm.policy.Policy`, from every capability's own."""

from __future__ import annotations

from hypothesis import strategies as st

from propcrm.policy import Policy
from propcrm.testing.strategies._calendar import calendar_policies
from propcrm.testing.strategies._callbacks import callback_policies
from propcrm.testing.strategies._common import time_zones
from propcrm.testing.strategies._complaints import grading_policies
from propcrm.testing.strategies._customers import customer_policies, vip_policies
from propcrm.testing.strategies._satisfaction import satisfaction_policies
from propcrm.testing.strategies._sla import sla_policies

__all__ = ["policies"]


def policies() -> st.SearchStrategy[Policy]:
    """Valid :class:`~propcrm.policy.Policy` trees, every sub-policy varied.

    The SLA policy agrees with the grading policy's resolution allowances.
    """
    return grading_policies().flatmap(
        lambda grading: st.builds(
            Policy,
            tz=time_zones(),
            customers=customer_policies(),
            vip=vip_policies(),
            satisfaction=satisfaction_policies(),
            grading=st.just(grading),
            callbacks=callback_policies(),
            calendars=calendar_policies(),
            sla=sla_policies(resolve_within=grading.resolve_within),
        )
    )
