"""Complaint grading at its boundaries: resolution on the deadline, the facts of escalation
reasons, and the errors that name the argument at fault.

RULES § 4 (002 § 40): an unresolved complaint, delayed by the company, is HOT one week
after it was received and MAJOR one calendar month after; "still not resolved" means
the resolution came after the deadline, so a complaint resolved exactly on it does not
escalate. Defaults: HOT after 7 days, MAJOR after 1 month. Times are in Shanghai.
"""

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from propcrm import Policy
from propcrm.complaints import (
    Complaint,
    ComplaintHistory,
    Grade,
    GradeDurations,
    GradingPolicy,
    grade,
    sweep,
)
from propcrm.errors import CalendarRangeError, ValidationError

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 3, 9, tzinfo=SH)  # received Monday 3 March 2025, 09:00
WEEK = datetime(2025, 3, 10, 9, tzinfo=SH)  # T0 + 7 days: the HOT deadline
MONTH = datetime(2025, 4, 3, 9, tzinfo=SH)  # T0 + 1 calendar month: the MAJOR deadline


class NoOffset(tzinfo):
    """A zone that gives no UTC offset: a datetime in it is not really aware."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> None:
        return None


def complaint(
    cid: str = "K-1", *, who: str = "cust-1", at: datetime = T0, **kw: object
) -> Complaint:
    return Complaint(
        cid,
        community="Garden",
        category="noise",
        subject="pump room",
        complainant_ids=(who,),
        received_at=at,
        **kw,  # type: ignore[arg-type]
    )


# --- resolution exactly on a deadline ------------------------------------------------------


def test_resolved_exactly_at_one_week_and_graded_then_is_general() -> None:
    """Resolved at T0 + 7 days, graded at that moment: resolved in time, no HOT."""
    decision = grade(complaint(resolved_at=WEEK), at=WEEK)
    assert decision.grade is Grade.GENERAL


def test_resolved_exactly_at_one_month_stays_hot_not_major() -> None:
    """Resolved at T0 + 1 month, graded later: the week passed unresolved, the month did not."""
    decision = grade(complaint(resolved_at=MONTH), at=MONTH + timedelta(days=1))
    assert decision.grade is Grade.HOT


def test_a_resolution_recorded_for_the_week_deadline_promises_no_escalation() -> None:
    """Graded on day 1 with a resolution recorded for T0 + 7 days: nothing will escalate."""
    decision = grade(complaint(resolved_at=WEEK), at=T0 + timedelta(days=1))
    assert (decision.next_escalation_at, decision.next_grade) == (None, None)


def test_an_open_complaint_promises_hot_at_one_week() -> None:
    """Open on day 1: HOT at T0 + 7 days if nothing changes."""
    decision = grade(complaint(), at=T0 + timedelta(days=1))
    assert (decision.next_escalation_at, decision.next_grade) == (WEEK, Grade.HOT)


def test_a_litigated_complaint_repeated_by_three_stays_major() -> None:
    """Litigation makes it MAJOR; three complainants in the month add HOT but never lower it."""
    history = ComplaintHistory()
    for i, who in enumerate(("cust-1", "cust-2", "cust-3")):
        history.add(complaint(f"K-{i}", who=who))
    decision = grade(complaint(litigation_filed=True), at=T0, history=history)
    assert decision.grade is Grade.MAJOR
    assert [r.rule for r in decision.reasons] == [
        "complaint.major.litigation_filed",
        "complaint.hot.repeated",
    ]


def test_a_collective_reason_gives_the_policy_s_threshold() -> None:
    """Five people with a HOT threshold of 4: 'a collective complaint by 5 people (>= 4): HOT'."""
    policy = GradingPolicy(collective_hot_people=4)
    decision = grade(complaint(headcount=5), at=T0, policy=policy)
    assert decision.reasons[0].message == "a collective complaint by 5 people (>= 4): HOT"


def test_a_major_collective_reason_gives_the_policy_s_threshold() -> None:
    """Eleven people with a MAJOR threshold of 11: '... by 11 people (>= 11): MAJOR'."""
    policy = GradingPolicy(collective_major_people=11)
    decision = grade(complaint(headcount=11), at=T0, policy=policy)
    assert decision.reasons[0].message == "a collective complaint by 11 people (>= 11): MAJOR"


def test_the_deadline_is_in_elapsed_hours_across_a_new_year_offset_change() -> None:
    """Cancún went from UTC-5 to UTC-6 on 4 Jan 1983 05:00 UTC; 96 h from 31 Dec 12:00
    (17:00 UTC) is 4 Jan 17:00 UTC, shown as 11:00 at UTC-6 (not the wall-clock 12:00)."""
    cancun = ZoneInfo("America/Cancun")
    policy = GradingPolicy(resolve_within=GradeDurations(general=timedelta(hours=96)))
    received = datetime(1982, 12, 31, 12, tzinfo=cancun)
    decision = grade(complaint(at=received), at=received, policy=policy)
    assert decision.resolve_by == datetime(1983, 1, 4, 11, tzinfo=cancun)
    assert decision.resolve_by.utcoffset() == timedelta(hours=-6)


# --- the facts of the escalation reasons --------------------------------------------------


def test_the_hot_escalation_reason_gives_receipt_and_deadline() -> None:
    """Open at T0 + 8 days: 'complaint.hot.unresolved' with received_at and since = T0 + 7 d."""
    decision = grade(complaint(), at=WEEK + timedelta(days=1))
    (reason,) = decision.reasons
    assert reason.rule == "complaint.hot.unresolved"
    assert reason.message == "still unresolved 7d after it was received, the company's delay: HOT"
    assert reason.facts == {"received_at": T0, "since": WEEK}


def test_the_major_escalation_reason_gives_receipt_and_deadline() -> None:
    """Open at T0 + 1 month + 1 day: 'complaint.major.unresolved', since = 3 April 09:00."""
    decision = grade(complaint(), at=MONTH + timedelta(days=1))
    (reason,) = decision.reasons
    assert reason.rule == "complaint.major.unresolved"
    assert reason.facts == {"received_at": T0, "since": MONTH}


def test_a_decision_is_for_the_moment_asked() -> None:
    """The decision records the moment of evaluation it was made for."""
    at = T0 + timedelta(hours=5)
    assert grade(complaint(), at=at).at == at


# --- errors naming the argument -----------------------------------------------------------


def test_a_moment_before_receipt_is_refused_and_shown() -> None:
    """Graded an hour before it was received: the message gives received_at and the moment."""
    with pytest.raises(ValidationError) as caught:
        grade(complaint(), at=T0 - timedelta(hours=1))
    assert caught.value.field == "at"
    assert str(caught.value) == (
        "at: expected a moment at or after the complaint's received_at "
        "(2025-03-03 09:00:00+08:00), got datetime.datetime(2025, 3, 3, 8, 0, "
        "tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))"
    )


def test_a_category_outside_the_policy_is_refused_with_the_fix() -> None:
    """Categories repair and fees, a noise complaint: the message lists them and says how."""
    policy = GradingPolicy(categories=("repair", "fees"))
    with pytest.raises(ValidationError) as caught:
        grade(complaint(), at=T0, policy=policy)
    assert str(caught.value) == (
        "category: expected one of the policy's categories (repair, fees), got 'noise'; "
        "add it to grading.categories or correct the complaint"
    )


def test_a_history_of_another_type_is_refused_with_an_example() -> None:
    """A list instead of a ComplaintHistory: the message shows it and how to build one."""
    with pytest.raises(ValidationError) as caught:
        grade(complaint(), at=T0, history=[])  # type: ignore[arg-type]
    assert str(caught.value) == (
        "history: expected a ComplaintHistory or None, got []; e.g. ComplaintHistory(policy=policy)"
    )


def test_a_history_with_another_key_is_refused_showing_its_key() -> None:
    """A history keyed on community only, graded under the default key: its key is shown."""
    history = ComplaintHistory(policy=GradingPolicy(same_complaint_key=("community",)))
    with pytest.raises(ValidationError) as caught:
        grade(complaint(), at=T0, history=history)
    assert str(caught.value) == (
        "history: expected a ComplaintHistory built with the same key and window as the "
        "policy, got ('community',)"
    )


def test_something_that_is_not_a_complaint_is_refused_naming_complaint() -> None:
    """grade('K-1'): 'complaint: expected a Complaint'."""
    with pytest.raises(ValidationError) as caught:
        grade("K-1", at=T0)  # type: ignore[arg-type]
    assert str(caught.value) == "complaint: expected a Complaint, got 'K-1'"


def test_a_moment_that_is_not_a_datetime_is_refused_naming_at() -> None:
    """A date string for at: 'at: expected a timezone-aware datetime'."""
    with pytest.raises(ValidationError) as caught:
        grade(complaint(), at="2025-03-03")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "at: expected a timezone-aware datetime, got '2025-03-03'; "
        "pass a datetime.datetime with tzinfo"
    )


def test_a_moment_whose_zone_gives_no_offset_is_refused_naming_at() -> None:
    """A tzinfo whose utcoffset() is None passes for aware until compared: refused as naive."""
    with pytest.raises(ValidationError) as caught:
        grade(complaint(), at=datetime(2025, 3, 3, 10, tzinfo=NoOffset()))
    assert caught.value.field == "at"
    assert str(caught.value).startswith("at must be timezone-aware (got 2025-03-03 10:00:00)")


def test_a_naive_moment_is_refused_naming_at() -> None:
    """A moment without a zone: 'at must be timezone-aware'."""
    with pytest.raises(ValidationError) as caught:
        grade(complaint(), at=datetime(2025, 3, 3, 10))
    assert caught.value.field == "at"
    assert str(caught.value).startswith("at must be timezone-aware (got 2025-03-03 10:00:00)")


def test_a_complaint_near_year_9999_is_refused_naming_received_at() -> None:
    """Received on 31 December 9999: its deadlines leave the calendar; received_at is named."""
    late = complaint(at=datetime(9999, 12, 31, 9, tzinfo=SH))
    with pytest.raises(CalendarRangeError) as caught:
        grade(late, at=datetime(9999, 12, 31, 10, tzinfo=SH))
    assert str(caught.value).startswith(
        "received_at: datetime.datetime(9999, 12, 31, 9, 0, "
        "tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai')) is too close to the limits"
    )


# --- sweep --------------------------------------------------------------------------------


def test_a_sweep_item_that_is_not_a_pair_is_refused_and_shown() -> None:
    """A bare complaint id in the list: 'open_complaints: expected ... pairs, got ('K-1',)'."""
    with pytest.raises(ValidationError) as caught:
        sweep([("K-1",)], at=T0)  # type: ignore[list-item]
    assert caught.value.field == "open_complaints"
    assert str(caught.value) == (
        "open_complaints: expected (complaint, grade held) pairs, got ('K-1',)"
    )


def test_a_sweep_pair_without_a_complaint_is_refused() -> None:
    """A pair of an id and a grade: the first item must be a Complaint."""
    with pytest.raises(ValidationError, match=r"^open_complaints: expected \(complaint, grade"):
        sweep([("K-1", Grade.GENERAL)], at=T0)  # type: ignore[list-item]


def test_a_sweep_that_is_not_a_list_is_refused_naming_open_complaints() -> None:
    """A string instead of a list of pairs: refused before anything is graded."""
    with pytest.raises(ValidationError) as caught:
        sweep("K-1", at=T0)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "open_complaints: expected (complaint, grade held) pairs, got 'K-1'; pass a list or tuple"
    )


def test_a_held_grade_that_is_not_a_grade_names_the_complaint() -> None:
    """('K-1' complaint, 'general'): 'grade: expected a Grade, got 'general'; for complaint K-1'."""
    with pytest.raises(ValidationError) as caught:
        sweep([(complaint(), "general")], at=T0)  # type: ignore[list-item]
    assert str(caught.value) == "grade: expected a Grade, got 'general'; for complaint K-1"


def test_a_naive_sweep_moment_is_refused_naming_at() -> None:
    """A sweep moment without a zone: 'at must be timezone-aware'."""
    with pytest.raises(ValidationError) as caught:
        sweep([], at=datetime(2025, 3, 3, 10))
    assert caught.value.field == "at"


def test_a_sweep_with_the_root_policy_uses_its_grading() -> None:
    """A company's 2-day HOT: an open complaint swept at T0 + 3 days has risen to HOT."""
    policy = Policy(grading=GradingPolicy(hot_after=timedelta(days=2)))
    (escalation,) = sweep([(complaint(), Grade.GENERAL)], at=T0 + timedelta(days=3), policy=policy)
    assert (escalation.previous, escalation.grade) == (Grade.GENERAL, Grade.HOT)


# --- several criteria at once, and the caches of the compiled policy ---------------------------


def _earlier_pump_room_complaints(history: ComplaintHistory, *people: str) -> None:
    """One complaint about 东区's pump room by each of ``people``, 1, 2, ... days before T0."""
    for n, who in enumerate(people, start=1):
        history.add(
            Complaint(f"E{n}", community="东区", category="noise", subject="pump room",
                      complainant_ids=(who,), received_at=T0 - timedelta(days=n))
        )  # fmt: skip


def test_every_criterion_that_applies_gives_its_reason_in_order() -> None:
    """002 §40: each criterion met adds its reason, most severe first, none replacing another."""
    history = ComplaintHistory()
    _earlier_pump_room_complaints(history, "b", "c")
    complaint = Complaint(
        "C1", community="东区", category="noise", subject="pump room", complainant_ids=("a",),
        received_at=T0, headcount=10, litigation_filed=True, media_exposed=True,
        litigation_risk=True, media_risk=True, second_after_handling=True,
        needs_other_departments=True,
    )  # fmt: skip
    # 40 days unresolved: past the week (HOT) and the calendar month (MAJOR, 3 April 09:00).
    decision = grade(complaint, at=T0 + timedelta(days=40), history=history)
    assert decision.grade == Grade.MAJOR
    assert [r.rule for r in decision.reasons] == [
        "complaint.major.litigation_filed",
        "complaint.major.media_exposed",
        "complaint.major.collective",
        "complaint.major.unresolved",
        "complaint.hot.litigation_risk",
        "complaint.hot.media_risk",
        "complaint.hot.repeated",
        "complaint.important.second_complaint",
        "complaint.important.other_departments",
    ]


def test_a_new_policy_names_the_count_of_repeating_complainants() -> None:
    """002 §40: a policy's first repeat reason says how many complainants (4), not a cached one."""
    policy = GradingPolicy(repeat_window_months=2)  # a policy of its own: nothing cached yet
    history = ComplaintHistory(policy=policy)
    _earlier_pump_room_complaints(history, "b", "c", "d")
    complaint = Complaint(
        "C1", community="东区", category="noise", subject="pump room", complainant_ids=("a",),
        received_at=T0,
    )  # fmt: skip
    (reason,) = grade(complaint, at=T0, history=history, policy=policy).reasons
    assert reason.message.startswith("the same complaint from 4 different complainants within 2")


def test_clock_hours_cross_a_daylight_saving_change_after_a_steady_year() -> None:
    """RULES §4: 24 clock hours from 16 Feb 2019 12:00 in São Paulo end 17 Feb 11:00 (DST ended)."""
    sao_paulo = ZoneInfo("America/Sao_Paulo")
    policy = GradingPolicy()  # its own plan: the steady (zone, year) it learns stays here
    steady = Complaint(
        "C2020", community="东区", category="noise", subject="lift", complainant_ids=("a",),
        received_at=datetime(2020, 6, 1, 12, tzinfo=sao_paulo),
    )  # fmt: skip
    grade(steady, at=steady.received_at, policy=policy)  # São Paulo keeps UTC-3 in 2020
    crossing = Complaint(
        "C2019", community="东区", category="noise", subject="lift", complainant_ids=("a",),
        received_at=datetime(2019, 2, 16, 12, tzinfo=sao_paulo),  # UTC-2 until 17 Feb 00:00
    )  # fmt: skip
    due = grade(crossing, at=crossing.received_at, policy=policy).resolve_by
    assert due == datetime(2019, 2, 17, 11, tzinfo=sao_paulo)
    assert due.utcoffset() == timedelta(hours=-3)


def test_clock_hours_in_a_zone_with_daylight_saving_are_never_taken_as_steady() -> None:
    """RULES §4: after a June complaint, 24 clock hours from 1 Nov 2025 12:00 EDT end 11:00 EST."""
    new_york = ZoneInfo("America/New_York")
    policy = GradingPolicy()
    for day in (
        datetime(2025, 6, 1, 12, tzinfo=new_york),
        datetime(2025, 11, 1, 12, tzinfo=new_york),
    ):
        complaint = Complaint(
            "C1", community="东区", category="noise", subject="lift", complainant_ids=("a",),
            received_at=day,
        )  # fmt: skip
        due = grade(complaint, at=day, policy=policy).resolve_by
    assert due == datetime(2025, 11, 2, 11, tzinfo=new_york)  # 2 Nov 02:00 EDT became 01:00 EST


def test_grading_takes_a_subclass_of_complaint_history() -> None:
    """A host's own ComplaintHistory subclass is a ComplaintHistory: grading counts with it."""

    class CountedHistory(ComplaintHistory):
        __slots__ = ()

    history = CountedHistory()
    _earlier_pump_room_complaints(history, "b", "c")
    complaint = Complaint(
        "C1", community="东区", category="noise", subject="pump room", complainant_ids=("a",),
        received_at=T0,
    )  # fmt: skip
    assert grade(complaint, at=T0, history=history).grade == Grade.HOT


def test_a_complaint_in_the_last_year_datetime_holds_is_graded() -> None:
    """A GENERAL complaint of 1 June 9999 is due 24 clock hours later (000 §3.2), no overflow."""
    received = datetime(9999, 6, 1, 9, tzinfo=SH)
    complaint = Complaint(
        "C9999", community="东区", category="noise", subject="lift", complainant_ids=("a",),
        received_at=received,
    )  # fmt: skip
    decision = grade(complaint, at=received + timedelta(hours=1), policy=GradingPolicy())
    assert (decision.grade, decision.resolve_by) == (
        Grade.GENERAL,
        datetime(9999, 6, 2, 9, tzinfo=SH),
    )
