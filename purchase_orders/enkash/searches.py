"""Business Onboarding's Search Entity on the wire: the request's body and the answer's.

Pure functions, as ``payloads`` is for purchase orders: the request is built
from plain values and the answer (``respSearchEntity``, ONBOARDING.md W3,
validated by its serializer) is read into a typed ``ReceivedSearchAnswer``.
The request's body is inferred (A4): the webhook echoes ``objectId``,
``onboardingB2BIds`` and ``search``, and the other onboarding APIs (A1-A3)
add ``initiatorEntity`` and ``device``. The choices are in ``conventions``.
"""

from purchase_orders.contents import FieldPath
from purchase_orders.received import (
    Criterion,
    FoundB2BId,
    FoundEntity,
    ReceivedSearchAnswer,
    Verdict,
)

from . import conventions

# The answer's own parts, as a refusal names them (``errorField``).
FIELD_NAMES = {
    (): "",
    ("object_id",): "objectId",
    ("resp", "req_msg_id"): "resp.reqMsgId",
    ("requestor_b2b_id",): "onboardingB2BIds.requestorB2BId",
    ("criteria",): "search.criteria",
}


def build_criteria(*, parameter: str, value: str) -> list[dict]:
    """Return ``search.criteria``: one exact criterion."""
    return [
        {
            "searchParameter": parameter,
            "operator": conventions.SEARCH_OPERATOR_EXACT,
            "value": value,
        }
    ]


def build_search_request(
    *,
    object_id: str,
    initiator: str,
    requestor_b2b_id: str,
    parameter: str,
    value: str,
    device: dict,
) -> dict:
    """Return the body of ``search-entity``: who asks, for whom, and what for.

    ``device`` is the ``device`` object every request carries
    (``payloads.build_device``).
    """
    return {
        "initiatorEntity": initiator,
        "objectId": object_id,
        "device": device,
        "onboardingB2BIds": {"requestorB2BId": requestor_b2b_id},
        "search": {"criteria": build_criteria(parameter=parameter, value=value)},
    }


def parse_search_answer(kind: str, data: dict) -> ReceivedSearchAnswer:
    """Return the typed answer of a validated ``respSearchEntity`` body."""
    resp = data["resp"]
    found = (data.get("respParams") or {}).get("entityInfo") or []
    return ReceivedSearchAnswer(
        kind=kind,
        object_id=data.get("objectId") or "",
        requestor_b2b_id=data["onboardingB2BIds"]["requestorB2BId"],
        criteria=tuple(
            Criterion(
                parameter=entry["searchParameter"],
                operator=entry["operator"],
                value=entry["value"],
            )
            for entry in data["search"]["criteria"]
        ),
        verdict=Verdict(
            req_msg_id=resp["reqMsgId"] or "",
            succeeded=resp["result"] == conventions.RESULT_SUCCESS,
            error_code=resp.get("errorCd") or "",
            error_detail=resp.get("errorDtl") or "",
            error_field=resp.get("errorField") or "",
        ),
        entities=tuple(
            FoundEntity(
                name=entity.get("name") or "",
                alias=entity.get("alias") or "",
                state=entity.get("state") or "",
                pincode=entity.get("pincode") or "",
                b2b_ids=tuple(
                    FoundB2BId(value=b2b_id["value"], description=b2b_id.get("description") or "")
                    for b2b_id in entity.get("b2bIds") or []
                ),
            )
            for entity in found
        ),
    )


def error_field(path: FieldPath) -> str:
    """Return the ``errorField`` of a part of a search's answer."""
    return FIELD_NAMES[tuple(path)]


def entity_as_data(entity: FoundEntity) -> dict:
    """Return a found business as the network described it, for storing as JSON."""
    return {
        "name": entity.name,
        "alias": entity.alias,
        "state": entity.state,
        "pincode": entity.pincode,
        "b2bIds": [
            {"value": b2b_id.value, "description": b2b_id.description} for b2b_id in entity.b2b_ids
        ],
    }
