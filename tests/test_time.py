"""Time at the boundary: the naive-datetime guard, durations and clocks."""

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propcrm import Clock, FixedClock, SystemClock, ValidationError
from propcrm._time import format_duration, parse_duration, require_aware, require_duration, zone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_naive_datetime_is_rejected_with_a_fix() -> None:
    """The guard names the field, shows the value and says how to attach a zone."""
    with pytest.raises(ValidationError) as info:
        require_aware(datetime(2025, 1, 1, 8), "start")
    assert str(info.value) == (
        "start must be timezone-aware (got 2025-01-01 08:00:00); "
        "attach a zone, e.g. ZoneInfo('Asia/Shanghai')"
    )
    assert info.value.field == "start"


def test_aware_datetime_passes_through() -> None:
    """An aware datetime comes back unchanged."""
    moment = datetime(2025, 1, 1, 8, tzinfo=SHANGHAI)
    assert require_aware(moment, "start") is moment


def test_non_datetime_is_rejected() -> None:
    """A date or a string is not a moment."""
    with pytest.raises(ValidationError, match="start: expected a timezone-aware datetime"):
        require_aware("2025-01-01T08:00", "start")


def test_duration_guard() -> None:
    """Durations must be timedeltas, not numbers of hours."""
    assert require_duration(timedelta(hours=1), "d") == timedelta(hours=1)
    with pytest.raises(ValidationError, match=r"d: expected a datetime.timedelta, got 8"):
        require_duration(8, "d")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48h", timedelta(hours=48)),
        ("1h30m", timedelta(minutes=90)),
        ("15min", timedelta(minutes=15)),
        ("3d", timedelta(days=3)),
        ("90s", timedelta(seconds=90)),
        ("1d 2h", timedelta(hours=26)),
        ("0s", timedelta(0)),
        ("1s500ms", timedelta(milliseconds=1500)),
        ("250us", timedelta(microseconds=250)),
        ("1m30s", timedelta(seconds=90)),
        ("2min5ms", timedelta(minutes=2, milliseconds=5)),
        ("1m 5ms", timedelta(minutes=1, milliseconds=5)),
        ("144h500ms", timedelta(days=6, milliseconds=500)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    """Compact durations parse to timedeltas."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "48", "h", "1.5h", "-3h", "3 hours", "3h x", "5ns", "1mss", "1 m s", 48]
)
def test_parse_duration_rejects_bad_text(text: object) -> None:
    """Anything but whole numbers with known units is an error that shows the text."""
    with pytest.raises(ValidationError, match="expected a duration"):
        parse_duration(text)  # type: ignore[arg-type]


@given(st.timedeltas(min_value=timedelta(0)))
def test_format_then_parse_is_identity(value: timedelta) -> None:
    """format_duration writes what parse_duration reads back, down to the microsecond."""
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize("value", [timedelta(seconds=-1), timedelta(microseconds=-5)])
def test_format_duration_rejects_negative_durations(value: timedelta) -> None:
    """A negative duration has no compact form."""
    with pytest.raises(ValidationError, match="a non-negative duration"):
        format_duration(value)


def test_parse_duration_refuses_what_no_timedelta_holds() -> None:
    """A duration beyond timedelta's range is an error naming the field, not an overflow."""
    with pytest.raises(ValidationError, match="within: expected a duration of at most"):
        parse_duration("99999999999999d", "within")


def test_zone_lookup() -> None:
    """Zone names resolve; tzinfo objects pass; unknown names say what to use."""
    assert zone("UTC") == ZoneInfo("UTC")
    assert zone(SHANGHAI) is SHANGHAI
    with pytest.raises(ValidationError, match="tz: expected an IANA time-zone name"):
        zone("Mars/Olympus")
    with pytest.raises(ValidationError, match="tz: expected an IANA time-zone name"):
        zone("")
    with pytest.raises(ValidationError, match="tz: expected an IANA time-zone name"):
        zone("../../etc/passwd")


def test_system_clock_is_aware_and_current() -> None:
    """The system clock reports an aware 'now' in its zone."""
    clock = SystemClock("Asia/Shanghai")
    before = datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo == SHANGHAI
    assert before <= now <= datetime.now(UTC)
    assert isinstance(clock, Clock)
    assert "Asia/Shanghai" in repr(clock)
    assert SystemClock().now().tzinfo is UTC


def test_fixed_clock_steps() -> None:
    """The fixed clock shows its time until advanced or set."""
    start = datetime(2025, 10, 9, 8, 30, tzinfo=SHANGHAI)
    clock = FixedClock(start)
    assert clock.now() == start
    assert clock.now() == start
    assert clock.advance(timedelta(minutes=90)) == start + timedelta(minutes=90)
    assert clock.now() == start + timedelta(minutes=90)
    assert clock.advance(timedelta(hours=-1)) == start + timedelta(minutes=30)
    clock.set(start)
    assert clock.now() == start
    assert isinstance(clock, Clock)
    assert repr(clock).startswith("FixedClock(")


def test_fixed_clock_rejects_naive_times_and_bad_steps() -> None:
    """A fixed clock takes aware datetimes and timedelta steps only."""
    with pytest.raises(ValidationError, match="at must be timezone-aware"):
        FixedClock(datetime(2025, 1, 1))
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError, match="at must be timezone-aware"):
        clock.set(datetime(2025, 1, 1))
    with pytest.raises(ValidationError, match="delta: expected a datetime.timedelta"):
        clock.advance(60)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(hours=24), "24h"),
        (timedelta(hours=72), "72h"),
        (timedelta(days=6, hours=23), "167h"),
        (timedelta(days=7), "7d"),
        (timedelta(days=30, minutes=5), "30d5m"),
        (timedelta(microseconds=5), "5us"),
        (timedelta(milliseconds=1500), "1s500ms"),
        (timedelta(days=6, microseconds=500000), "144h500ms"),
        (timedelta(days=7, microseconds=1001), "7d1ms1us"),
    ],
)
def test_format_duration_writes_hours_under_a_week(value: timedelta, text: str) -> None:
    """Allowances are quoted in hours (48h, not 2d) until they reach a week."""
    assert format_duration(value) == text


class _NoOffset(tzinfo):
    """A tzinfo whose ``utcoffset()`` is None: naive in disguise."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_a_tzinfo_without_an_offset_is_not_aware() -> None:
    """A datetime whose tzinfo gives no UTC offset is refused like a naive one."""
    moment = datetime(2025, 1, 1, 8, tzinfo=_NoOffset())
    with pytest.raises(ValidationError, match="^start must be timezone-aware"):
        require_aware(moment, "start")
