"""Shared test configuration: hypothesis profiles.

``CI=true`` selects the ``ci`` profile: derandomized (the same examples every
run) and without deadlines, so a slow shared machine cannot fail a test.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

# The shipped contract suite asserts in a package module: show its values on failure.
pytest.register_assert_rewrite("propcrm.testing.contract")

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")
