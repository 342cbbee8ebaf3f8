"""Indian formats: GSTIN (with its check digit), state codes, HSN/SAC codes, PIN codes."""

import pytest
from django.core.exceptions import ValidationError

from purchase_orders.models import Business
from purchase_orders.validators import (
    STATE_CODE_CHOICES,
    gstin_check_digit,
    validate_cin,
    validate_gstin,
    validate_hsn_sac,
    validate_pan,
    validate_pincode,
    validate_state_code,
    validate_state_matches_gstin,
    validate_udyam_number,
)

GSTIN_FORMAT_MESSAGE = (
    "Enter a 15-character GSTIN such as 29ABCDE1234F1Z5: two-digit state code, the "
    "10-character PAN, entity number, Z and a check character."
)
GSTIN_CHECKSUM_MESSAGE = (
    "This GSTIN's last character does not match its check digit; please check it for "
    "typing mistakes."
)
HSN_MESSAGE = "Enter an HSN or SAC code of 4, 6 or 8 digits, such as 8471 or 998314."
PINCODE_MESSAGE = "Enter a six-digit PIN code, such as 560001."


def error_of(validator, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    "gstin",
    [
        "27AAPFU0939F1ZV",  # the sample GSTIN the GST portal's guides print
        "29AABCN1234F1ZS",
        "27AADCS5678K1ZQ",
        "29AAGCR4375J1ZU",
        "99AABCN1234F1ZL",  # Centre Jurisdiction
    ],
)
def test_valid_gstins_pass(gstin):
    assert validate_gstin(gstin) is None


def test_check_digit_is_computed_from_the_first_fourteen_characters():
    assert gstin_check_digit("27AAPFU0939F1Z") == "V"
    assert gstin_check_digit("29AABCN1234F1Z") == "S"


@pytest.mark.parametrize("wrong_last", ["T", "0", "A", "Z"])
def test_a_wrong_check_digit_is_refused(wrong_last):
    error = error_of(validate_gstin, "29AABCN1234F1Z" + wrong_last)

    assert error.messages == [GSTIN_CHECKSUM_MESSAGE]
    assert error.code == "gstin_checksum"


def test_two_swapped_characters_are_caught_by_the_check_digit():
    error = error_of(validate_gstin, "29AABCN2134F1ZS")

    assert error.code == "gstin_checksum"


@pytest.mark.parametrize(
    "gstin",
    [
        "",
        "29AABCN1234F1Z",  # 14 characters
        "29AABCN1234F1ZSX",  # 16 characters
        "29aabcn1234f1zs",  # lower case
        "29AABCN1234F0ZS",  # entity number 0
        "29AABCN1234F1XS",  # no Z in the 14th place
        "2AAABCN1234F1ZS",  # letter in the state code
        "29AAB1N1234F1ZS",  # digit inside the PAN's letters
        " 29AABCN1234F1ZS",
    ],
)
def test_malformed_gstins_are_refused_with_the_format_message(gstin):
    error = error_of(validate_gstin, gstin)

    assert error.messages == [GSTIN_FORMAT_MESSAGE]
    assert error.code == "gstin_format"


def test_a_gstin_from_no_gst_state_is_refused_even_with_a_good_check_digit():
    gstin = "00AABCN1234F1ZC"
    assert gstin_check_digit(gstin[:14]) == gstin[14]

    error = error_of(validate_gstin, gstin)

    assert error.messages == ["The GSTIN starts with 00, which is not a GST state code."]
    assert error.code == "gstin_state"


@pytest.mark.parametrize("code", ["01", "07", "27", "29", "33", "36", "38", "97", "99"])
def test_gst_state_codes_pass(code):
    assert validate_state_code(code) is None


@pytest.mark.parametrize("code", ["", "0", "00", "39", "29 ", "KA", "290"])
def test_other_state_codes_are_refused(code):
    error = error_of(validate_state_code, code)

    assert error.messages == ["Enter a two-digit GST state code, such as 29 for Karnataka."]


def test_state_code_choices_name_each_state():
    choices = dict(STATE_CODE_CHOICES)

    assert choices["29"] == "29 – Karnataka"
    assert choices["27"] == "27 – Maharashtra"
    assert list(choices) == sorted(choices)


def test_state_code_must_match_the_gstin():
    error = error_of(validate_state_matches_gstin, state_code="27", gstin="29AABCN1234F1ZS")

    assert error.messages == [
        "The state code 27 does not match the GSTIN, which is registered in state 29."
    ]
    assert error.code == "state_gstin_mismatch"


@pytest.mark.parametrize(
    ("state_code", "gstin"),
    [("29", "29AABCN1234F1ZS"), ("", "29AABCN1234F1ZS"), ("29", "")],
)
def test_matching_or_missing_state_codes_pass(state_code, gstin):
    assert validate_state_matches_gstin(state_code=state_code, gstin=gstin) is None


def test_business_names_the_state_code_field_when_it_disagrees_with_the_gstin():
    business = Business(
        b2b_id="B2B-1", gstin="29AABCN1234F1ZS", legal_name="Nandi", state_code="27"
    )

    with pytest.raises(ValidationError) as caught:
        business.clean()

    assert caught.value.message_dict == {
        "state_code": [
            "The state code 27 does not match the GSTIN, which is registered in state 29."
        ]
    }


def test_business_full_clean_reports_a_wrong_check_digit_on_the_gstin_field():
    business = Business(
        b2b_id="B2B-1", gstin="29AABCN1234F1ZT", legal_name="Nandi", state_code="29"
    )

    with pytest.raises(ValidationError) as caught:
        business.full_clean(validate_unique=False)

    assert caught.value.message_dict["gstin"] == [GSTIN_CHECKSUM_MESSAGE]


@pytest.mark.parametrize("code", ["8471", "998314", "48025690", "0401"])
def test_hsn_and_sac_codes_of_four_six_or_eight_digits_pass(code):
    assert validate_hsn_sac(code) is None


@pytest.mark.parametrize(
    "code", ["", "84", "847", "84713", "8471301", "847130100", "84 71", "HSN8471", "8471.30"]
)
def test_hsn_and_sac_codes_of_other_lengths_are_refused(code):
    error = error_of(validate_hsn_sac, code)

    assert error.messages == [HSN_MESSAGE]
    assert error.code == "hsn_sac"


@pytest.mark.parametrize("pincode", ["560001", "110001", "411001", "999999"])
def test_six_digit_pincodes_pass(pincode):
    assert validate_pincode(pincode) is None


@pytest.mark.parametrize(
    "pincode", ["", "060001", "56001", "5600011", "56OO01", "560 001", "560-001"]
)
def test_other_pincodes_are_refused(pincode):
    error = error_of(validate_pincode, pincode)

    assert error.messages == [PINCODE_MESSAGE]
    assert error.code == "pincode"


def test_business_reports_a_bad_pincode_on_the_pincode_field():
    business = Business(
        b2b_id="B2B-1",
        gstin="29AABCN1234F1ZS",
        legal_name="Nandi",
        state_code="29",
        pincode="56001",
    )

    with pytest.raises(ValidationError) as caught:
        business.clean()

    assert caught.value.message_dict == {"pincode": [PINCODE_MESSAGE]}


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (validate_pan, "AABCN1234F", ["AABCN1234", "aabcn1234f", "AABC11234F", "AABCN1234F\n"]),
        (
            validate_cin,
            "U29100KA2009PTC049563",
            ["U29100KA2009PTC04956", "X29100KA2009PTC049563", "U29100KA2009PTC049563 "],
        ),
        (
            validate_udyam_number,
            "UDYAM-KR-03-0012345",
            ["UDYAM-KR-3-0012345", "UDYAM-KR-03-001234", "udyam-kr-03-0012345"],
        ),
    ],
)
def test_pan_cin_and_udyam_numbers_are_checked_whole(validator, good, bad):
    validator(good)
    for value in bad:
        assert "such as" in error_of(validator, value).message


def test_business_pan_must_be_the_one_inside_its_gstin():
    business = Business(
        b2b_id="B2B-1",
        gstin="29AABCN1234F1ZS",
        legal_name="Nandi",
        state_code="29",
        pan="AABCN9999F",
    )

    with pytest.raises(ValidationError) as caught:
        business.clean()

    assert caught.value.message_dict == {
        "pan": ["The PAN must be the one inside the GSTIN (AABCN1234F)."]
    }
    business.pan = "AABCN1234F"
    business.clean()
