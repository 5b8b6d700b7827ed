"""Personal data (002 §21, RULES §8): masked by kind, closed to serialisers, compared by digest."""

import copy
import hashlib
import pickle

import attrs
import cattrs
import pytest

from propcrm.customers import Customer
from propcrm.errors import ValidationError
from propcrm.privacy import PersonalData, PersonalKind, WithheldError
from propcrm.storage._codec import decode, encode, make_converter

PHONE, ID_NUMBER, ADDRESS = PersonalKind.PHONE, PersonalKind.ID_NUMBER, PersonalKind.ADDRESS


# --- masking rules, worked out by hand ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),  # 11-digit mobile: first 3 and last 4
        ("138 1234 5678", "138****5678"),  # spaces are not digits
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),  # the country prefix stays in view
        ("+8613812345678", "+86 138****5678"),
        ("0086 138 1234 5678", "+86 138****5678"),
    ],
)
def test_mobile_numbers_show_their_network_prefix_and_last_four(value: str, masked: str) -> None:
    """A Chinese mobile number, however written, keeps digits 1-3 and 8-11 only."""
    assert str(PersonalData(PHONE, value)) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("1381234567", "****4567"),  # 10 digits: not a mobile number, last 4 only
        ("010-12345678", "****5678"),  # a landline with its area code
        ("0755 1234 5678", "****5678"),  # 12 digits
        ("+86 10 1234 5678", "+86 ****5678"),
        ("12345678", "****5678"),  # 8 digits: the shortest that shows anything
    ],
)
def test_other_numbers_show_only_their_last_four_digits(value: str, masked: str) -> None:
    """A number that is not an 11-digit mobile shows 4 digits at most."""
    assert str(PersonalData(PHONE, value)) == masked


@pytest.mark.parametrize("value", ["1234567", "110", "+86 1234567", "x"])
def test_phone_numbers_under_eight_digits_are_masked_entirely(value: str) -> None:
    """7 digits or fewer: showing the last 4 would leave 3 or fewer hidden."""
    assert str(PersonalData(PHONE, value)) == "****"


def test_id_numbers_show_their_first_and_last_characters() -> None:
    """An 18-character ID number keeps its first and last characters."""
    assert str(PersonalData(ID_NUMBER, "11010119900101123X")) == "1****X"


def test_id_numbers_of_eight_characters_show_their_ends() -> None:
    """8 characters is the shortest ID number that shows anything."""
    assert str(PersonalData(ID_NUMBER, "E1234567")) == "E****7"


def test_id_numbers_under_eight_characters_are_masked_entirely() -> None:
    """7 characters: nothing is shown."""
    assert str(PersonalData(ID_NUMBER, "E123456")) == "****"


def test_addresses_show_their_first_three_characters() -> None:
    """An address keeps its first 3 characters, usually the city."""
    assert str(PersonalData(ADDRESS, "北京市朝阳区建国路1号")) == "北京市****"


def test_addresses_of_eight_characters_show_their_start() -> None:
    """8 characters is the shortest address that shows anything."""
    assert str(PersonalData(ADDRESS, "建国路88号院3")) == "建国路****"


def test_addresses_under_eight_characters_are_masked_entirely() -> None:
    """7 characters: the start would be most of it, so nothing is shown."""
    assert str(PersonalData(ADDRESS, "建国路88号院")) == "****"


def test_surrounding_blanks_do_not_count_towards_the_length() -> None:
    """Padding does not make a short ID number long enough to show its ends."""
    assert str(PersonalData(ID_NUMBER, "  E123456   ")) == "****"


# --- serialisers keep the mask ---------------------------------------------------------------


def _customer() -> Customer:
    return Customer("c-1", "王芳", phone="13812345678", id_number="11010119900101123X")


def test_attrs_asdict_shows_only_the_masked_form() -> None:
    """attrs.asdict walks the attrs fields, which hold the kind and the masked form."""
    assert attrs.asdict(_customer())["phone"] == {"kind": PHONE, "masked": "138****5678"}


def test_cattrs_unstructure_shows_only_the_masked_form() -> None:
    """A public cattrs converter gives JSON-ready masked data."""
    data = cattrs.Converter().unstructure(_customer())
    assert (data["phone"], data["id_number"]) == (
        {"kind": "phone", "masked": "138****5678"},
        {"kind": "id_number", "masked": "1****X"},
    )


def test_a_pickle_carries_no_clear_value() -> None:
    """The pickled bytes hold the masked form and not the number."""
    data = pickle.dumps(_customer())
    assert (b"13812345678" in data, b"138****5678" in data) == (False, True)


def test_a_copy_from_a_pickle_shows_the_mask_and_withholds_the_value() -> None:
    """Its reveal() raises WithheldError, saying where the clear value can come from."""
    phone = pickle.loads(pickle.dumps(PersonalData(PHONE, "13812345678")))
    assert repr(phone) == "PersonalData(phone='138****5678')"
    with pytest.raises(WithheldError, match="pickle"):
        phone.reveal()


def test_a_withheld_copy_equals_only_withheld_copies_that_show_the_same() -> None:
    """Withheld copies compare by kind and mask; never with a clear value (no guess oracle)."""
    original = PersonalData(PHONE, "13812345678")
    withheld = pickle.loads(pickle.dumps(original))
    same_mask = PersonalData(PHONE, "13899995678").withheld()  # other middle digits
    other_mask = PersonalData(PHONE, "13912345678").withheld()
    address = PersonalData(PersonalKind.ADDRESS, "138****5678 is not an address").withheld()
    assert [
        withheld == original,
        original == withheld,
        withheld == original.withheld(),
        withheld == same_mask,
        withheld == other_mask,
        withheld == address,
        hash(withheld) == hash(same_mask),
    ] == [False, False, True, True, False, False, True]


def test_deep_copies_keep_the_clear_value() -> None:
    """A copy within the process is the same value, not a pickle."""
    customer = _customer()
    assert copy.deepcopy(customer).phone.reveal() == "13812345678"  # type: ignore[union-attr]


def test_the_storage_converter_keeps_the_clear_value() -> None:
    """Storage writes the clear value through its own converter and reads it back."""
    converter = make_converter()
    text = encode(converter, _customer())
    assert '"phone":{"kind":"phone","value":"13812345678"}' in text
    assert decode(converter, text, Customer) == _customer()


def test_storage_refuses_a_withheld_copy() -> None:
    """Storing a customer rebuilt from a pickle would lose the number: it is refused."""
    withheld = pickle.loads(pickle.dumps(_customer()))
    with pytest.raises(ValidationError, match="phone: expected personal data with its clear value"):
        encode(make_converter(), withheld)


# --- equality by keyed digest ----------------------------------------------------------------


def test_equal_kinds_and_values_are_equal_and_hash_alike() -> None:
    """Two values with the same kind and clear value are equal, with one hash."""
    first, second = PersonalData(PHONE, "13812345678"), PersonalData("phone", "13812345678")
    assert (first == second, hash(first) == hash(second)) == (True, True)


def test_different_values_or_kinds_are_not_equal() -> None:
    """Another number, or the same text of another kind, is a different value."""
    phone = PersonalData(PHONE, "13812345678")
    assert phone != PersonalData(PHONE, "13812345679")
    assert phone != PersonalData(ID_NUMBER, "13812345678")


def test_equality_never_compares_with_the_clear_text() -> None:
    """A plain string is not equal to personal data, even the very number."""
    assert (PersonalData(PHONE, "13812345678") == "13812345678") is False


def test_the_hash_is_not_the_hash_of_the_clear_value() -> None:
    """hash() gives nothing to test a guessed number against."""
    phone = PersonalData(PHONE, "13812345678")
    assert hash(phone) not in (hash("13812345678"), hash((PHONE, "13812345678")))


def test_the_digest_is_keyed() -> None:
    """The digest is not the plain SHA-256 of the value, which anyone could compute."""
    phone = PersonalData(PHONE, "13812345678")
    plain = {hashlib.sha256(t.encode()).digest() for t in ("13812345678", "phone\x0013812345678")}
    assert phone._digest not in plain


def test_a_shallow_copy_is_the_value_itself() -> None:
    """copy.copy of an immutable value gives the same object, clear value included."""
    phone = PersonalData(PHONE, "13812345678")
    assert copy.copy(phone) is phone
