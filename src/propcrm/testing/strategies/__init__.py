"""Hypothesis strategies for propcrm's domain types, for your own property tests.

Each strategy is a function returning ``SearchStrategy[T]`` and takes
keyword-only arguments, checked when the strategy is built: a bad argument
raises :class:`~propcrm.errors.ValidationError` naming it, not an error deep
inside a test run.

>>> from hypothesis import HealthCheck, given, settings
>>> from propcrm.testing.strategies import policies
>>> @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
... @given(policies())
... def test_round_trip(policy):
...     assert type(policy).from_toml(policy.to_toml()) == policy
>>> test_round_trip()

A whole policy is a large value to generate: on a busy machine, relax
Hypothesis's speed check for it as above, or in your settings profile.

This module is the one to import from. The strategies live in private modules,
one per capability: calendars; complaints; customers, households and VIP
cards; callbacks; satisfaction; service levels and work orders; and the whole
policy built from every capability's own.
"""

from __future__ import annotations

from propcrm.testing.strategies._calendar import (
    business_calendars,
    calendar_policies,
    work_weeks,
)
from propcrm.testing.strategies._callbacks import (
    callback_policies,
    callback_tasks,
    completed_repairs,
    role_shares,
    staff_members,
)
from propcrm.testing.strategies._common import time_zones
from propcrm.testing.strategies._complaints import complaints, grading_policies
from propcrm.testing.strategies._customers import (
    card_numbers,
    card_prefixes,
    customer_policies,
    customers,
    households,
    members,
    personal_data,
    segment_policies,
    tier_facts,
    tier_policies,
    vip_cards,
    vip_policies,
)
from propcrm.testing.strategies._policy import policies
from propcrm.testing.strategies._satisfaction import (
    attainments,
    nps_answers,
    satisfaction_policies,
    service_figures,
    survey_responses,
)
from propcrm.testing.strategies._sla import (
    allowances,
    sla_policies,
    sla_targets,
    timelines,
    work_orders,
)

__all__ = [
    "allowances",
    "attainments",
    "business_calendars",
    "calendar_policies",
    "callback_policies",
    "callback_tasks",
    "card_numbers",
    "card_prefixes",
    "complaints",
    "completed_repairs",
    "customer_policies",
    "customers",
    "grading_policies",
    "households",
    "members",
    "nps_answers",
    "personal_data",
    "policies",
    "role_shares",
    "satisfaction_policies",
    "segment_policies",
    "service_figures",
    "sla_policies",
    "sla_targets",
    "staff_members",
    "survey_responses",
    "tier_facts",
    "tier_policies",
    "time_zones",
    "timelines",
    "vip_cards",
    "vip_policies",
    "work_orders",
    "work_weeks",
]

# Each strategy is documented and shown as ``propcrm.testing.strategies.<name>``.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
