"""GST state codes and GSTINs, as the network reads them.

The sandbox keeps its own table and its own check-digit arithmetic rather
than the portal's validators: were both sides to share one reading, a
mistake in it would pass every test.

A GSTIN is 15 characters: the two-digit state code of the registration, the
holder's ten-character PAN (five letters, four digits, a letter), the
entity's number within that PAN (1-9, then A-Z), ``Z``, and a check
character computed over the first fourteen (modulus 36, weights 1 and 2
alternating, each product's base-36 digits added).
"""

import re

# The GST Council's state codes: the first two digits of a GSTIN and the
# codes a place of supply is written in. 25 (Daman and Diu) and 28 (undivided
# Andhra Pradesh) survive in GSTINs issued before their merger and split;
# 97 is "Other Territory" and 99 the Centre's own jurisdiction.
STATE_NAMES = {
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
    "28": "Andhra Pradesh (before the division)",
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
STATE_CODES = frozenset(STATE_NAMES)

GSTIN_LENGTH = 15
SHAPE = re.compile(r"[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]")
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def check_character(first_fourteen: str) -> str:
    """Return the check character that completes the first 14 characters of a GSTIN."""
    total = 0
    for position, char in enumerate(first_fourteen):
        weight = 1 if position % 2 == 0 else 2
        carry, digit = divmod(BASE36.index(char) * weight, 36)
        total += carry + digit
    return BASE36[-total % 36]


def state_code_problem(value: str) -> str | None:
    """Return what is wrong with a state code, completing "<field> ...", or None."""
    if value in STATE_CODES:
        return None
    return f'must be a two-digit GST state code such as "29", not {value!r}.'


def gstin_problem(value: str) -> str | None:
    """Return what is wrong with a GSTIN, completing "<field> ...", or None."""
    if not value.strip():
        return "must not be empty."
    if not SHAPE.fullmatch(value):
        return (
            f"must be a 15-character GSTIN such as 29ABCDE1234F1Z5 (state code, PAN, "
            f"entity number, Z, check character), not {value!r}."
        )
    if value[:2] not in STATE_CODES:
        return f"starts with {value[:2]}, which is not a GST state code."
    expected = check_character(value[:14])
    if value[14] != expected:
        return f"ends with {value[14]}, but its check character is {expected}."
    return None
