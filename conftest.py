"""Names every docstring example may use, as Sphinx's doctest setup gives them too."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict[str, object]) -> None:
    doctest_namespace.update(
        date=date,
        datetime=datetime,
        time=time,
        timedelta=timedelta,
        timezone=timezone,
        ZoneInfo=ZoneInfo,
    )
