"""Validators for Indian tax and address formats, with messages a buyer understands."""

import re

from django.core.exceptions import ValidationError

# GST state codes (first two digits of a GSTIN), as published by the GST Council.
GST_STATE_CODES = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "25": "Daman and Diu",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "28": "Andhra Pradesh (before 2014)",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "97": "Other Territory",
    "99": "Centre Jurisdiction",
}
STATE_CODE_CHOICES = sorted((code, f"{code} – {name}") for code, name in GST_STATE_CODES.items())

GSTIN_PATTERN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
HSN_SAC_PATTERN = re.compile(r"^(?:[0-9]{4}|[0-9]{6}|[0-9]{8})$")
PINCODE_PATTERN = re.compile(r"^[1-9][0-9]{5}$")
_GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin_check_digit(first_fourteen: str) -> str:
    """Return the check character for the first 14 characters of a GSTIN."""
    total = 0
    for index, char in enumerate(first_fourteen):
        product = _GSTIN_ALPHABET.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return _GSTIN_ALPHABET[(36 - total % 36) % 36]


def validate_gstin(value: str) -> None:
    """Check a GSTIN's shape, state code and check digit."""
    if not GSTIN_PATTERN.match(value or ""):
        raise ValidationError(
            "Enter a 15-character GSTIN such as 29ABCDE1234F1Z5: two-digit state "
            "code, the 10-character PAN, entity number, Z and a check character.",
            code="gstin_format",
        )
    if value[:2] not in GST_STATE_CODES:
        raise ValidationError(
            "The GSTIN starts with %(code)s, which is not a GST state code.",
            code="gstin_state",
            params={"code": value[:2]},
        )
    if gstin_check_digit(value[:14]) != value[14]:
        raise ValidationError(
            "This GSTIN's last character does not match its check digit; "
            "please check it for typing mistakes.",
            code="gstin_checksum",
        )


def validate_state_code(value: str) -> None:
    """Check that a value is a two-digit GST state code such as 29."""
    if value not in GST_STATE_CODES:
        raise ValidationError(
            "Enter a two-digit GST state code, such as 29 for Karnataka.",
            code="state_code",
        )


def validate_state_matches_gstin(*, state_code: str, gstin: str) -> None:
    """Check that a state code agrees with the first two digits of the GSTIN."""
    if gstin and state_code and gstin[:2] != state_code:
        raise ValidationError(
            "The state code %(state)s does not match the GSTIN, which is registered "
            "in state %(gstin_state)s.",
            code="state_gstin_mismatch",
            params={"state": state_code, "gstin_state": gstin[:2]},
        )


def validate_hsn_sac(value: str) -> None:
    """Check an HSN (goods) or SAC (services) code: 4, 6 or 8 digits."""
    if not HSN_SAC_PATTERN.match(value or ""):
        raise ValidationError(
            "Enter an HSN or SAC code of 4, 6 or 8 digits, such as 8471 or 998314.",
            code="hsn_sac",
        )


def validate_pincode(value: str) -> None:
    """Check an Indian PIN code: six digits, not starting with 0."""
    if not PINCODE_PATTERN.match(value or ""):
        raise ValidationError("Enter a six-digit PIN code, such as 560001.", code="pincode")


PAN_PATTERN = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")
# L/U (listed or not), industry code, state, year, ownership, serial number.
CIN_PATTERN = re.compile(r"^[LU][0-9]{5}[A-Z]{2}[0-9]{4}[A-Z]{3}[0-9]{6}$")
UDYAM_PATTERN = re.compile(r"^UDYAM-[A-Z]{2}-[0-9]{2}-[0-9]{7}$")


def validate_pan(value: str) -> None:
    """Check a PAN: five letters, four digits, a letter (ABCDE1234F)."""
    if not PAN_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            "Enter a PAN of ten characters: five letters, four digits and a letter, "
            "such as AABCN1234F.",
            code="pan",
        )


def validate_cin(value: str) -> None:
    """Check a Corporate Identity Number: 21 characters, such as U29100KA2009PTC049563."""
    if not CIN_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            "Enter a CIN of 21 characters, such as U29100KA2009PTC049563.", code="cin"
        )


def validate_udyam_number(value: str) -> None:
    """Check an Udyam (MSME) registration number, such as UDYAM-KR-03-0012345."""
    if not UDYAM_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            "Enter an Udyam registration number such as UDYAM-KR-03-0012345.", code="udyam"
        )


def comparable_name(name: str) -> str:
    """Return a business's name as two are compared: case and runs of spaces aside."""
    return " ".join(name.split()).casefold()


def state_code_for(state: str) -> str:
    """Return the GST state code a state is written as (a code or a name), or "".

    "29", "Karnataka" and "KARNATAKA" are all 29; a name is compared with
    case, runs of spaces and "&" for "and" aside.
    """
    state = (state or "").strip()
    if state in GST_STATE_CODES:
        return state
    wanted = comparable_name(state.replace("&", " and "))
    for code, name in GST_STATE_CODES.items():
        if comparable_name(name) == wanted:
            return code
    return ""
