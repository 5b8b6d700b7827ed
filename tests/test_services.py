"""The services' foundations: actors, the command runner and policy fingerprints."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from propcrm import FixedClock
from propcrm.complaints import GradingPolicy
from propcrm.errors import PermissionDeniedError, PropcrmError, ValidationError
from propcrm.policy import Policy
from propcrm.records import ComplaintCase
from propcrm.roles import Role
from propcrm.services import Actor, CommandRunner, ComplaintDesk, policy_fingerprint
from propcrm.storage.memory import MemoryStore

AT = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
CLERK = Actor("desk-1", roles=["desk_staff"], communities=["东区"])


class BoomError(Exception):
    """A failure in the middle of a command."""


def test_an_actor_takes_roles_by_value_or_member() -> None:
    """Role text and Role members give the same actor."""
    assert Actor("p", roles=["vip_assistant"], communities=["东区"]) == Actor(
        "p", roles=[Role.VIP_ASSISTANT], communities="东区"
    )


def test_an_unknown_role_is_refused_listing_the_known_ones() -> None:
    """A role outside the vocabulary names ``roles`` and the known roles."""
    with pytest.raises(ValidationError, match="roles: .*desk_staff"):
        Actor("p", roles=["janitor"], communities=["东区"])


@pytest.mark.parametrize("communities", [[], [""], None])
def test_an_actor_acts_for_at_least_one_community(communities: Any) -> None:
    """No community, a blank one or None is refused, naming ``communities``."""
    with pytest.raises(ValidationError, match="communities"):
        Actor("p", roles=[], communities=communities)


def test_require_refuses_another_community() -> None:
    """require() raises PermissionDeniedError, a PropcrmError, carrying who and where."""
    with pytest.raises(PermissionDeniedError) as caught:
        CLERK.require("西区")
    error = caught.value
    assert (error.actor_id, error.community, isinstance(error, PropcrmError)) == (
        "desk-1",
        "西区",
        True,
    )


def test_equal_policies_have_equal_fingerprints() -> None:
    """Two policies built alike hash alike; 16 hex digits."""
    fingerprint = policy_fingerprint(Policy())
    assert (fingerprint == policy_fingerprint(Policy()), len(fingerprint)) == (True, 16)


def test_a_loaded_policy_equal_to_the_defaults_has_their_fingerprint() -> None:
    """An empty policy file loads weights as 1.0, the defaults hold 1: one fingerprint."""
    loaded = Policy.from_toml("")
    assert policy_fingerprint(loaded) == policy_fingerprint(Policy())


def test_another_policy_has_another_fingerprint() -> None:
    """Changing one rule (HOT after 5 days) changes the fingerprint."""
    other = attrs.evolve(Policy(), grading=GradingPolicy(hot_after=timedelta(days=5)))
    assert policy_fingerprint(other) != policy_fingerprint(Policy())


def test_a_fingerprint_needs_a_policy() -> None:
    """Anything but a Policy is refused."""
    with pytest.raises(ValidationError, match="policy"):
        policy_fingerprint({})  # type: ignore[arg-type]


def test_the_runner_needs_a_clock_and_a_policy() -> None:
    """A clock without now() or a policy of another type is refused at construction."""
    with pytest.raises(ValidationError, match="clock"):
        CommandRunner(MemoryStore(), clock=AT)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="policy"):
        CommandRunner(MemoryStore(), clock=FixedClock(AT), policy=GradingPolicy())  # type: ignore[arg-type]


@pytest.mark.parametrize("command_id", ["", "  ", None])
def test_a_command_needs_a_command_id(command_id: Any) -> None:
    """A blank or missing command id is refused before anything runs."""
    runner = CommandRunner(MemoryStore(), clock=FixedClock(AT))
    with pytest.raises(ValidationError, match="command_id"):
        runner.run("x", command_id=command_id, actor=CLERK, result_type=str, work=str)


def test_a_command_needs_an_actor() -> None:
    """An actor that is not an Actor is refused."""
    runner = CommandRunner(MemoryStore(), clock=FixedClock(AT))
    with pytest.raises(ValidationError, match="actor"):
        runner.run("x", command_id="c", actor="desk-1", result_type=str, work=str)  # type: ignore[arg-type]


def test_the_command_runs_at_the_clocks_time_and_is_logged() -> None:
    """work() gets the clock's time; the log keeps the name, actor and time."""
    store = MemoryStore()
    runner = CommandRunner(store, clock=FixedClock(AT))
    result = runner.run("echo", command_id="c", actor=CLERK, result_type=str, work=str)
    record = store.commands.get("c")
    assert (result, record.name, record.actor_id, record.at) == (
        str(AT),
        "echo",
        "desk-1",
        AT,
    )


def test_an_exception_in_work_leaves_nothing() -> None:
    """A command that fails after writing rolls back its writes and its command id."""
    store = MemoryStore()
    desk = ComplaintDesk(store, clock=FixedClock(AT))

    def work(at: datetime) -> ComplaintCase:
        store.complaint_cases.add(
            ComplaintCase(
                "C-1", community="东区", customer_id="c", summary="s", received_at=at,
                owner_id="desk-1",
            )
        )  # fmt: skip
        raise BoomError

    with pytest.raises(BoomError):
        desk.runner.run("x", command_id="c", actor=CLERK, result_type=ComplaintCase, work=work)
    assert (len(store.complaint_cases), store.commands.find("c")) == (0, None)


def test_the_desk_stamps_decisions_with_its_policy() -> None:
    """Every stored grade decision carries the fingerprint of the desk's policy."""
    store = MemoryStore()
    policy = attrs.evolve(Policy(), grading=GradingPolicy(hot_after=timedelta(days=5)))
    desk = ComplaintDesk(store, clock=FixedClock(AT), policy=policy)
    desk.register(
        command_id="r", actor=CLERK, complaint_id="C-1", community="东区", customer_id="c",
        summary="noise", category="noise", subject="pump",
    )  # fmt: skip
    [record] = store.grade_records.history("C-1")
    assert record.policy_fingerprint == policy_fingerprint(policy)


def test_an_actor_may_hold_one_role_given_as_text() -> None:
    """roles="desk_staff" is the one role DESK_STAFF."""
    assert Actor("p", roles="desk_staff", communities="东区").roles == frozenset({Role.DESK_STAFF})


def test_the_runner_needs_a_store() -> None:
    """A value without the store's repositories is refused at construction, naming ``store``."""
    with pytest.raises(ValidationError, match="^store: expected a Store"):
        CommandRunner({}, clock=FixedClock(AT))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "value"),
    [("name", ""), ("result_type", "ComplaintCase"), ("work", "not callable")],
)
def test_a_command_checks_its_name_result_type_and_work(name: str, value: object) -> None:
    """A blank name, a result type that is no class or work that cannot be called is refused."""
    runner = CommandRunner(MemoryStore(), clock=FixedClock(AT))
    arguments: dict[str, Any] = {"command_id": "c", "actor": CLERK, "result_type": str, "work": str}
    with pytest.raises(ValidationError, match=f"^{name}: "):
        runner.run(**{"name": "x", **arguments, name: value})


def test_a_retried_command_id_still_checks_the_actor() -> None:
    """A command id done before does not let an argument that is not an Actor through."""
    desk = ComplaintDesk(MemoryStore(), clock=FixedClock(AT))
    reply = {"reply_id": "R-1", "community": "东区", "customer_id": "c1", "question": "when?"}
    desk.promise_reply(command_id="p", actor=CLERK, due=AT + timedelta(days=1), **reply)
    with pytest.raises(ValidationError, match="^actor: expected an Actor"):
        desk.promise_reply(command_id="p", actor="desk-1", due=AT + timedelta(days=1), **reply)  # type: ignore[arg-type]


def test_acts_for_refuses_a_community_that_is_not_text() -> None:
    """A list given for a community is a ValidationError naming ``community``."""
    with pytest.raises(ValidationError, match="^community: "):
        CLERK.acts_for(["东区"])  # type: ignore[arg-type]


def test_departments_given_as_one_string_are_refused() -> None:
    """Departments must be a list: a string would be read one character at a time."""
    desk = ComplaintDesk(MemoryStore(), clock=FixedClock(AT))
    with pytest.raises(ValidationError, match="^departments: "):
        desk.register(
            command_id="r", actor=CLERK, complaint_id="C-1", community="东区", customer_id="c1",
            summary="noise", category="noise", subject="pump", departments="engineering",
        )  # type: ignore[arg-type]  # fmt: skip
