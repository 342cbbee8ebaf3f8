"""Business Onboarding's Search Entity as the sandbox reads it: the request, and its answer.

EnKash's page of the API came back empty (ONBOARDING.md A4), so the request
is read as the webhook echoes it (W3) and as the other onboarding APIs are
(A1-A3): exactly the keys of ``SEARCH_SHAPE``, each a string, with
``initiatorEntity`` non-empty, ``objectId`` "ORG" and 32 letters and digits
(A1's pattern read as a literal prefix), ``device.tag.name`` GEOCODE,
``requestorB2BId`` a B2B ID, and one to ``MAX_CRITERIA`` criteria, each
GSTIN, B2BID or PAN, ``EXACT``, with a value of its kind. The answer is
the documented webhook: the businesses of the directory that match every
criterion (none: an empty ``entityInfo``), or FAILURE when the sandbox is
told to refuse.
"""

import re

from purchase_orders.enkash import conventions

from .directory import PAN, SEARCH_PARAMETERS
from .gstin import gstin_problem
from .invalid import Invalid
from .validation import check_shape

SEARCH_SHAPE = {
    "initiatorEntity": "string",
    "objectId": "string",
    "device": {"tag": {"name": "string", "value": "string"}},
    "onboardingB2BIds": {"requestorB2BId": "string"},
    "search": {
        "criteria": [{"searchParameter": "string", "operator": "string", "value": "string"}]
    },
}
OBJECT_ID = re.compile(
    rf"{conventions.SEARCH_OBJECT_ID_PREFIX}[A-Za-z0-9]{{{conventions.SEARCH_OBJECT_ID_LENGTH}}}"
)
PAN_SHAPE = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")
MAX_CRITERIA = 5


def _b2b_id_problem(value: str) -> str | None:
    if re.fullmatch(conventions.B2B_ID_PATTERN, value) and value.strip():
        return None
    return "must be 1 to 100 characters without a backslash or a double quote."


def validate_search_request(body) -> None:
    """Raise ``Invalid`` unless ``body`` is a Search Entity request as the sandbox reads it."""
    if not isinstance(body, dict):
        raise Invalid("", "The body must be a JSON object.")
    check_shape(body, SEARCH_SHAPE, path="", pattern="")
    if not body["initiatorEntity"].strip():
        raise Invalid("initiatorEntity", "initiatorEntity must not be empty.")
    if not OBJECT_ID.fullmatch(body["objectId"]):
        raise Invalid(
            "objectId",
            f"objectId must be {conventions.SEARCH_OBJECT_ID_PREFIX} followed by "
            f"{conventions.SEARCH_OBJECT_ID_LENGTH} letters and digits, not {body['objectId']!r}.",
        )
    if body["device"]["tag"]["name"] != conventions.DEVICE_TAG_NAME:
        raise Invalid("device.tag.name", f"device.tag.name must be {conventions.DEVICE_TAG_NAME}.")
    problem = _b2b_id_problem(body["onboardingB2BIds"]["requestorB2BId"])
    if problem:
        raise Invalid(
            "onboardingB2BIds.requestorB2BId", f"onboardingB2BIds.requestorB2BId {problem}"
        )
    criteria = body["search"]["criteria"]
    if not 1 <= len(criteria) <= MAX_CRITERIA:
        raise Invalid("search.criteria", f"search.criteria must hold 1 to {MAX_CRITERIA} criteria.")
    for index, criterion in enumerate(criteria):
        _check_criterion(criterion, path=f"search.criteria[{index}]")


def _check_criterion(criterion: dict, *, path: str) -> None:
    parameter, value = criterion["searchParameter"], criterion["value"]
    if parameter not in SEARCH_PARAMETERS:
        raise Invalid(
            f"{path}.searchParameter",
            f"{path}.searchParameter must be one of {', '.join(SEARCH_PARAMETERS)}, "
            f"not {parameter!r}.",
        )
    if criterion["operator"] != conventions.SEARCH_OPERATOR_EXACT:
        raise Invalid(
            f"{path}.operator",
            f"{path}.operator must be {conventions.SEARCH_OPERATOR_EXACT}, "
            f"not {criterion['operator']!r}.",
        )
    if parameter == conventions.SEARCH_PARAMETER_GSTIN:
        problem = gstin_problem(value)
    elif parameter == PAN:
        problem = None if PAN_SHAPE.fullmatch(value) else f"must be a PAN, not {value!r}."
    else:
        problem = _b2b_id_problem(value)
    if problem:
        raise Invalid(f"{path}.value", f"{path}.value {problem}")


def search_answer(
    request: dict,
    *,
    req_msg_id: str,
    found: list[dict],
    error_code: str = "",
    error_detail: str = "",
    error_field: str = "",
) -> dict:
    """Return the ``respSearchEntity`` body answering a request (W3's keys, in its order).

    A refusal (``error_code``) lists nothing: ``respParams`` is left out.
    """
    body = {
        "objectId": request["objectId"],
        "resp": conventions.resp_block(
            req_msg_id=req_msg_id,
            error_code=error_code,
            error_detail=error_detail,
            error_field=error_field,
        ),
    }
    if not error_code:
        body["respParams"] = {"entityInfo": found}
    body["onboardingB2BIds"] = request["onboardingB2BIds"]
    body["search"] = request["search"]
    return body
