"""Review of the complaint history's time handling across zones, and of grading's caches.

The history counts distinct complainants of one key whose received instant lies in
``(window start, t]``, the window start being ``t`` less ``repeat_window_months``
calendar months on ``t``'s own wall clock; moments compare as instants, whatever
their zone and in the hour a daylight-saving change repeats.
"""

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from hypothesis import given, settings
from hypothesis import strategies as st

from propcrm._months import add_months
from propcrm.complaints import (
    Complainants,
    Complaint,
    ComplaintHistory,
    Grade,
    GradeDecision,
    GradingPolicy,
    grade,
)
from propcrm.errors import ValidationError

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
HONOLULU_FIXED = timezone(timedelta(hours=-10))
ZONES: list[tzinfo] = [UTC, SH, NY, LONDON, SYDNEY, SAO_PAULO, HONOLULU_FIXED]

# UTC instants around the changes the history must order by instant.
ANCHORS = [
    (datetime(2025, 11, 2, 6, tzinfo=UTC), NY),  # New York repeats 01:00-02:00 (05:00Z-07:00Z)
    (datetime(2025, 12, 2, 6, tzinfo=UTC), NY),  # ... a month later: windows start in that hour
    (datetime(2026, 11, 2, 6, tzinfo=UTC), NY),  # ... a year later (12-month windows)
    (datetime(2025, 10, 26, 1, tzinfo=UTC), LONDON),  # London repeats 01:00-02:00 (00:00Z-02:00Z)
    (datetime(2025, 11, 26, 1, tzinfo=UTC), LONDON),
    (datetime(2025, 4, 5, 16, tzinfo=UTC), SYDNEY),  # Sydney repeats 02:00-03:00 (15:00Z-17:00Z)
    (datetime(2025, 5, 5, 16, tzinfo=UTC), SYDNEY),
    (datetime(2019, 2, 17, 2, tzinfo=UTC), SAO_PAULO),  # repeats 23:00 of 16 Feb (01:00Z-03:00Z)
    (datetime(2019, 3, 17, 2, tzinfo=UTC), SAO_PAULO),
    (datetime(2020, 1, 15, 2, tzinfo=UTC), SAO_PAULO),  # steady from 2020; its window reaches 2019
    (datetime(2021, 1, 15, 2, tzinfo=UTC), SAO_PAULO),
    (datetime(2025, 12, 31, 20, tzinfo=UTC), SH),  # the turn of the year
    (datetime(2026, 1, 31, 20, tzinfo=UTC), HONOLULU_FIXED),
]
KEYS = [("东区", "noise", "pump room"), ("东区", "noise", "lift")]


def _local(instant: datetime, zone: tzinfo, fold_one: bool) -> datetime:
    """``instant`` on ``zone``'s clock; with ``fold_one``, fold=1 where that keeps the instant."""
    moment = instant.astimezone(zone)
    if fold_one and moment.replace(fold=1).astimezone(UTC) == instant:
        moment = moment.replace(fold=1)
    return moment


# Mostly near one anchor, in its own zone, so that repeated hours are drawn together.
ANCHOR = st.one_of(st.just(0), st.integers(0, len(ANCHORS) - 1))
ZONE = st.one_of(st.none(), st.sampled_from(ZONES))  # None: the anchor's own zone

ITEM = st.tuples(
    ANCHOR,
    st.integers(-9, 9).map(lambda k: timedelta(minutes=10 * k)),
    ZONE,
    st.booleans(),  # fold=1 where it keeps the instant
    st.sampled_from(range(len(KEYS))),
    st.lists(st.sampled_from("abcd"), min_size=0, max_size=3, unique=True),
    st.booleans(),  # as Complainants (received in UTC, as a store gives it)
    st.sampled_from(["none", "start", "after", "reach"]),  # a derived neighbour
    ZONE,  # the neighbour's zone
    st.integers(-1, 1).map(lambda k: timedelta(minutes=k)),
)


def _build(
    items: list[tuple[Any, ...]], months: int
) -> list[tuple[datetime, Complaint | Complainants]]:
    """Complaints (and Complainants) with their UTC instants, in instant order."""
    drawn: list[tuple[datetime, tuple[str, str, str], tuple[str, ...], bool, tzinfo, bool]] = []
    for index, offset, zone_drawn, fold_one, key, who, light, derive, other_drawn, nudge in items:
        anchor, home = ANCHORS[index]
        zone = home if zone_drawn is None else zone_drawn
        other = home if other_drawn is None else other_drawn
        instant = anchor + offset
        names = tuple(who)
        drawn.append((instant, KEYS[key], names, bool(light), zone, bool(fold_one)))
        local = _local(instant, zone, bool(fold_one))
        if derive == "start":  # at (or a minute about) this complaint's window start
            start = add_months(local, -months).astimezone(UTC) + nudge
            drawn.append((start, KEYS[key], ("e",), False, other, bool(fold_one)))
        elif derive == "after":  # a later complaint whose window starts about here
            later = add_months(_local(instant, other, bool(fold_one)), months)
            drawn.append((later.astimezone(UTC) + nudge, KEYS[key], ("e",), False, other, True))
        elif derive == "reach":  # at the streaming history's eviction reach
            reach = timedelta(days=31 * months + 1, hours=1)
            drawn.append((instant + reach + nudge * 60, KEYS[key], ("f",), False, other, False))
    drawn.sort(key=lambda row: row[0])  # stable: equal instants keep their drawn order
    built: list[tuple[datetime, Complaint | Complainants]] = []
    for i, (instant, key, names, light, zone, fold_one) in enumerate(drawn):
        if light:
            built.append(
                (instant, Complainants(f"C{i}", *key, "phone", names, instant.astimezone(UTC)))
            )
            continue
        complaint = Complaint(
            f"C{i}",
            community=key[0],
            category=key[1],
            subject=key[2],
            complainant_ids=names,
            received_at=_local(instant, zone, fold_one),
        )
        built.append((instant, complaint))
    return built


def _naive(
    rows: list[tuple[datetime, Complaint | Complainants]], complaint: Complaint, months: int
) -> int:
    """Distinct complainants of the key in (window start, t], compared as instants."""
    t = complaint.received_at
    start = add_months(t, -months).astimezone(UTC)
    end = t.astimezone(UTC)
    key = (complaint.community, complaint.category, complaint.subject)
    names = set(complaint.complainant_ids)
    for instant, other in rows:
        if (other.community, other.category, other.subject) == key and start < instant <= end:
            names.update(other.complainant_ids)
    return len(names)


@settings(max_examples=150, deadline=None)
@given(st.lists(ITEM, min_size=2, max_size=10), st.sampled_from([1, 2, 12]), st.randoms())
def test_streaming_unordered_and_a_naive_recount_agree_in_mixed_zones(
    items: list[tuple[Any, ...]], months: int, rnd: object
) -> None:
    """Both modes count what a recount by instants counts, in every zone and repeated hour."""
    rows = _build(items, months)
    policy = GradingPolicy(repeat_window_months=months)
    streaming = ComplaintHistory(policy=policy, streaming=True)
    unordered = ComplaintHistory(policy=policy)
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    unordered.extend(c for _, c in shuffled)
    for i, (instant, complaint) in enumerate(rows):
        streaming.add(complaint)
        if isinstance(complaint, Complaint):  # counted as added: the complaints so far
            assert streaming.complainants_within(complaint) == _naive(
                rows[: i + 1], complaint, months
            )
        if i + 1 < len(rows) and rows[i + 1][0] == instant:
            continue  # the instant's last complaint is not added yet
        for j in range(i, -1, -1):  # every complaint of this instant, all of it added
            if rows[j][0] != instant:
                break
            same = rows[j][1]
            if isinstance(same, Complaint):
                expected = _naive(rows, same, months)
                assert streaming.complainants_within(same) == expected
                decision = grade(same, at=same.received_at, history=streaming, policy=policy)
                counted = [r.facts["complainants"] for r in decision.reasons if "repeat" in r.rule]
                assert counted == ([expected] if expected >= 3 else [])
    for _, complaint in rows:
        if isinstance(complaint, Complaint):
            assert unordered.complainants_within(complaint) == _naive(rows, complaint, months)


def test_a_repeated_hour_orders_a_later_instant_after_an_earlier_wall_time() -> None:
    """New York 01:50 EDT precedes 01:10 EST; a streaming history takes them in that order."""
    history = ComplaintHistory(streaming=True)
    first = datetime(2025, 11, 2, 1, 50, tzinfo=NY)
    second = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=NY)
    for i, (moment, who) in enumerate(((first, "a"), (second, "b"))):
        history.add(
            Complaint(
                f"C{i}",
                community="东区",
                category="noise",
                subject="lift",
                complainant_ids=(who,),
                received_at=moment,
            )
        )
    assert len(history) == 2


def test_lengths_agree_between_modes() -> None:
    """Two complaints, of three complainants in all, make a length of two in either mode."""
    at = datetime(2025, 3, 3, 9, tzinfo=SH)
    complaints = [
        Complaint(
            "C1",
            community="东区",
            category="noise",
            subject="lift",
            complainant_ids=("a", "b"),
            received_at=at,
        ),
        Complaint(
            "C2",
            community="东区",
            category="noise",
            subject="lift",
            complainant_ids=("c",),
            received_at=at + timedelta(hours=1),
        ),
    ]
    unordered, streaming = ComplaintHistory(), ComplaintHistory(streaming=True)
    unordered.extend(complaints)
    streaming.extend(complaints)
    assert (len(unordered), len(streaming)) == (2, 2)


def test_a_zone_that_cannot_be_hashed_is_counted_and_graded() -> None:
    """A dateutil zone (a standard tzinfo, unhashable) is counted and due 24 clock hours later."""
    zone = dateutil_tz.gettz("America/New_York")
    assert zone is not None
    complaint = Complaint(
        "C",
        community="东区",
        category="noise",
        subject="lift",
        complainant_ids=("a",),
        received_at=datetime(2025, 11, 1, 2, 30, tzinfo=zone),
    )
    history = ComplaintHistory(streaming=True)
    history.add(complaint)
    due = grade(complaint, at=complaint.received_at, history=history).resolve_by
    assert (history.complainants_within(complaint), due.astimezone(UTC)) == (
        1,
        datetime(2025, 11, 2, 6, 30, tzinfo=UTC),  # 02:30 EDT + 24 h = 01:30 EST
    )


# --- grading: resolve_by and the caches ------------------------------------------------------

GRADED = st.tuples(
    ANCHOR,
    st.integers(-48, 48).map(lambda k: timedelta(minutes=30 * k)),
    ZONE,
    st.booleans(),
    st.lists(st.sampled_from("abcdefghijk"), min_size=0, max_size=11, unique=True),
    st.booleans(),  # litigation risk: HOT, 48 h
)


def _graded(row: tuple[Any, ...], i: int) -> Complaint:
    index, offset, zone_drawn, fold_one, who, risk = row
    anchor, home = ANCHORS[index]
    zone = home if zone_drawn is None else zone_drawn
    return Complaint(
        f"G{i}",
        community="东区",
        category="noise",
        subject="lift",
        complainant_ids=tuple(who),
        received_at=_local(anchor + offset, zone, bool(fold_one)),
        litigation_risk=bool(risk),
    )


def _exact(decision: GradeDecision) -> str:
    """Every field, moments with their fold and offset (== on one zone ignores the fold)."""
    return repr(decision) + repr(
        [
            (d.utcoffset(), d.fold)
            for d in (decision.at, decision.resolve_by, decision.next_escalation_at)
            if d is not None
        ]
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(GRADED, min_size=1, max_size=6), st.lists(GRADED, max_size=6))
def test_resolve_by_is_the_allowance_after_receipt_whatever_the_caches_hold(
    rows: list[tuple[Any, ...]], warm: list[tuple[Any, ...]]
) -> None:
    """resolve_by is received_at + allowance as an instant, and caches change no decision."""
    warmed = GradingPolicy()
    for i, row in enumerate(warm):
        complaint = _graded(row, 100 + i)
        grade(complaint, at=complaint.received_at + timedelta(days=40), policy=warmed)
    for i, row in enumerate(rows):
        complaint = _graded(row, i)
        at = complaint.received_at + timedelta(days=8)
        decision = grade(complaint, at=at, policy=warmed)
        fresh = grade(complaint, at=at, policy=GradingPolicy())
        received = complaint.received_at
        assert decision.resolve_by.tzinfo is received.tzinfo
        assert decision.resolve_by.astimezone(UTC) == received.astimezone(UTC) + (
            decision.resolve_within
        )
        assert decision == fresh
        assert _exact(decision) == _exact(fresh)


def test_resolve_by_in_a_changing_zone_after_a_steady_zone_filled_the_cache() -> None:
    """After Shanghai filled the steady cache, 1 Nov 02:30 EDT is due at 01:30 EST."""
    policy = GradingPolicy()
    shanghai = Complaint(
        "S",
        community="东区",
        category="noise",
        subject="lift",
        complainant_ids=(),
        received_at=datetime(2025, 6, 1, 9, tzinfo=SH),
    )
    grade(shanghai, at=shanghai.received_at, policy=policy)
    late = Complaint(
        "N",
        community="东区",
        category="noise",
        subject="lift",
        complainant_ids=(),
        received_at=datetime(2025, 11, 1, 2, 30, tzinfo=NY),
    )
    due = grade(late, at=late.received_at, policy=policy).resolve_by
    assert due.astimezone(UTC) == datetime(2025, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST


def _received_in_new_york(wall: datetime) -> Complaint:
    return Complaint(
        "C",
        community="东区",
        category="noise",
        subject="lift",
        complainant_ids=("a",),
        received_at=wall.replace(tzinfo=NY),
    )


def test_grade_at_one_instant_is_the_same_on_the_complaints_clock_and_in_utc() -> None:
    """Received 2 Oct 01:30 EDT; at 01:10 EST on 2 Nov (06:10Z) the month (05:30Z) has passed."""
    complaint = _received_in_new_york(datetime(2025, 10, 2, 1, 30))
    at = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=NY)
    on_its_clock = grade(complaint, at=at)
    in_utc = grade(complaint, at=at.astimezone(UTC))
    assert (on_its_clock.grade, in_utc.grade) == (Grade.MAJOR, Grade.MAJOR)


def test_grade_at_a_later_instant_of_the_repeated_hour_is_not_refused() -> None:
    """Received 01:50 EDT, graded at 01:10 EST (20 minutes later): a GENERAL complaint."""
    complaint = _received_in_new_york(datetime(2025, 11, 2, 1, 50))
    at = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=NY)
    assert grade(complaint, at=at).grade == Grade.GENERAL


def test_a_resolution_in_the_repeated_hour_is_compared_by_instant() -> None:
    """Received 2 Oct 01:30 EDT, resolved 2 Nov 01:10 EST (06:10Z): the month ran out at 05:30Z."""
    complaint = _received_in_new_york(datetime(2025, 10, 2, 1, 30))
    complaint.resolved_at = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=NY)
    decision = grade(complaint, at=datetime(2025, 11, 10, 9, tzinfo=NY))
    assert decision.grade == Grade.MAJOR
    assert decision.next_escalation_at is None


# --- errors still name the argument ----------------------------------------------------------


def test_a_naive_moment_in_complainants_is_refused_by_name() -> None:
    """extend() names complaints[1].received_at when the second Complainants is naive."""
    good = Complainants(
        "C1", "东区", "noise", "lift", "phone", ("a",), datetime(2025, 1, 1, tzinfo=UTC)
    )
    naive = good._replace(complaint_id="C2", received_at=datetime(2025, 1, 2))
    history = ComplaintHistory(streaming=True)
    with pytest.raises(ValidationError) as caught:
        history.extend([good, naive])
    assert caught.value.field == "complaints[1].received_at"
    assert len(history) == 0


def test_a_naive_evaluation_moment_is_refused_by_name() -> None:
    """grade(at=naive) names ``at``."""
    complaint = Complaint(
        "C",
        community="东区",
        category="noise",
        subject="lift",
        complainant_ids=(),
        received_at=datetime(2025, 1, 1, tzinfo=SH),
    )
    with pytest.raises(ValidationError) as caught:
        grade(complaint, at=datetime(2025, 1, 2))
    assert caught.value.field == "at"


def test_a_wrong_type_given_to_add_is_refused_by_name() -> None:
    """add(a string) names ``complaint``."""
    with pytest.raises(ValidationError) as caught:
        ComplaintHistory().add("C1")  # type: ignore[arg-type]
    assert caught.value.field == "complaint"
