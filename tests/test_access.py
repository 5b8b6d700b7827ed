"""Who may see what: the access policy's defaults, its decisions and how it loads."""

from itertools import product

import pytest

from propcrm.access import AccessPolicy, decide_read, decide_reveal, level_of
from propcrm.errors import PolicyError, ValidationError
from propcrm.policy import Policy
from propcrm.privacy import Confidentiality, PersonalKind
from propcrm.roles import Role

# The default policy, written out by hand from RULES §8 (and the docs' table), not read
# from the code: the highest level each role reads, and the kinds it reveals in clear.
READS = """
general_manager            secret
assistant_general_manager  confidential
service_centre_manager     secret
project_manager            confidential
general_affairs_manager    internal
office_director            confidential
customer_supervisor        confidential
department_head            internal
engineering_supervisor     internal
repair_lead                internal
technician                 internal
property_officer           internal
vip_assistant              secret
desk_staff                 confidential
monitoring_room            internal
"""
REVEALS = """
general_manager            phone id_number address
service_centre_manager     phone id_number address
vip_assistant              phone id_number address
customer_supervisor        phone address
desk_staff                 phone address
property_officer           phone address
"""
ORDER = ["public", "internal", "confidential", "secret"]


def _table(text: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in text.strip().splitlines()}


CEILING = {role: words[0] for role, words in _table(READS).items()}
KINDS = _table(REVEALS)


def test_the_hand_table_names_every_role_once() -> None:
    """The table above covers the whole role vocabulary: the matrix below misses no one."""
    assert sorted(CEILING) == sorted(r.value for r in Role)


@pytest.mark.parametrize(
    ("role", "level"), list(product(list(Role), list(Confidentiality))), ids=str
)
def test_read_matrix(role: Role, level: Confidentiality) -> None:
    """Each role reads exactly the levels up to its ceiling in the hand-written table."""
    expected = ORDER.index(level.value) <= ORDER.index(CEILING[role.value])
    assert decide_read([role], level).allowed is expected


@pytest.mark.parametrize(("role", "kind"), list(product(list(Role), list(PersonalKind))), ids=str)
def test_reveal_matrix(role: Role, kind: PersonalKind) -> None:
    """Each role reveals exactly the kinds the hand-written table gives it."""
    expected = kind.value in KINDS.get(role.value, [])
    assert decide_reveal([role], kind).allowed is expected


def test_levels_are_ordered_public_internal_confidential_secret() -> None:
    """The four levels of RULES §8 rank from public to secret, with their Chinese names."""
    levels = sorted(Confidentiality, reverse=True)
    assert [(c.value, c.label) for c in levels] == [
        ("secret", "机密"),
        ("confidential", "秘密"),
        ("internal", "内部"),
        ("public", "公开"),
    ]


def test_a_level_does_not_compare_with_text() -> None:
    """Comparing a level with its value text is a TypeError, never a silent answer."""
    with pytest.raises(TypeError):
        assert Confidentiality.SECRET > "public"  # type: ignore[operator]


def test_several_roles_read_what_the_highest_reads() -> None:
    """A technician who is also VIP assistant reads secret records."""
    assert decide_read(["technician", "vip_assistant"], Confidentiality.SECRET).allowed


def test_no_roles_read_public_only() -> None:
    """A person with no role reads public records and nothing above."""
    assert [decide_read([], level).allowed for level in Confidentiality] == [
        True,
        False,
        False,
        False,
    ]


def test_a_refusal_names_the_roles_that_may_read() -> None:
    """A secret record refused to the desk names the three roles cleared to secret."""
    decision = decide_read(["desk_staff"], Confidentiality.SECRET)
    assert (decision.allowed, decision.needed) == (
        False,
        ("general_manager", "service_centre_manager", "vip_assistant"),
    )
    assert decision.reasons[0].rule == "access.read.refused"


def test_a_forged_level_is_read_by_nobody() -> None:
    """A level that is not a Confidentiality counts as above every level, even for the GM."""
    assert level_of("top_secret") is None
    decision = decide_read(["general_manager"], level_of("top_secret"))
    assert (decision.allowed, decision.needed) == (False, ())


def test_the_assigned_technician_sees_address_and_phone_not_the_id_number() -> None:
    """While dispatched to an open order a technician reveals its address and phone only."""
    allowed = [
        decide_reveal(["technician"], kind, assigned_open_order=True).allowed
        for kind in (PersonalKind.ADDRESS, PersonalKind.PHONE, PersonalKind.ID_NUMBER)
    ]
    assert allowed == [True, True, False]


def test_the_assignment_helps_only_a_technician() -> None:
    """A repair lead named on an open order gains nothing from it."""
    assert not decide_reveal(["repair_lead"], "address", assigned_open_order=True).allowed


def test_an_unknown_role_is_refused_with_the_known_ones() -> None:
    """A role outside the vocabulary is a ValidationError listing the roles."""
    with pytest.raises(ValidationError, match="use one of general_manager"):
        decide_read(["janitor"], Confidentiality.PUBLIC)


def test_an_unknown_kind_is_refused() -> None:
    """Revealing a kind propcrm does not know is a ValidationError naming kind."""
    with pytest.raises(ValidationError, match="^kind: "):
        decide_reveal(["desk_staff"], "blood_type")  # type: ignore[arg-type]


def test_roles_given_as_text_are_not_split_into_letters() -> None:
    """A single role string is refused as roles: it would be read letter by letter."""
    with pytest.raises(ValidationError, match="^roles: expected a list"):
        decide_read("desk_staff", Confidentiality.PUBLIC)


def test_a_company_raises_the_technician_to_confidential() -> None:
    """A policy file that sets one role's level keeps every other default."""
    policy = Policy.from_toml('[access.levels]\ntechnician = "confidential"')
    assert policy.access.levels["technician"] is Confidentiality.CONFIDENTIAL
    assert policy.access.levels["desk_staff"] is Confidentiality.CONFIDENTIAL
    assert decide_read(["technician"], Confidentiality.CONFIDENTIAL, policy=policy).allowed


def test_a_policy_file_with_an_unknown_level_names_its_path() -> None:
    """An unknown level in a company's file is a PolicyError at access.levels.<role>."""
    with pytest.raises(PolicyError, match=r"access\.levels\.desk_staff"):
        Policy.from_toml('[access.levels]\ndesk_staff = "top"')


def test_the_purpose_length_must_be_sensible() -> None:
    """A purpose limit of 0 characters is refused."""
    with pytest.raises(ValidationError, match="max_purpose_length"):
        AccessPolicy(max_purpose_length=0)


def test_the_policy_round_trips_through_toml() -> None:
    """Writing the default policy out and reading it back gives the same access policy."""
    assert Policy.from_toml(Policy().to_toml()).access == AccessPolicy()


def test_a_slice_of_the_wrong_type_is_refused() -> None:
    """Passing another capability's slice as policy names the expected one."""
    with pytest.raises(ValidationError, match="expected a AccessPolicy, got a SlaPolicy"):
        decide_read([], Confidentiality.PUBLIC, policy=Policy().sla)
