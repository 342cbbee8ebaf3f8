"""Fixtures: webhooks the network delivers, signed as the sandbox signs them."""

import copy
import uuid
from collections.abc import Callable

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from purchase_orders import lifecycle
from purchase_orders.enkash import conventions, encoding, kinds, payloads, signing
from purchase_orders.models import Business, PurchaseOrder
from purchase_orders.selectors import get_purchase_order_with_contents


def webhook_url(kind: str, *, trailing_slash: bool = False) -> str:
    """Return a webhook's path: its kind's (``kinds.py``), else under the purchase orders'."""
    path = kinds.webhook_path(kind) if kind in kinds.KINDS else conventions.API_PREFIX + kind
    return path + ("/" if trailing_slash else "")


def as_bytes(body) -> bytes:
    """Return a body as sent: dicts and lists as the network's JSON, text as UTF-8."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return encoding.dumps(body).encode()


def answer(response) -> dict:
    """Return a webhook answer's JSON, numbers as Decimal."""
    assert response["Content-Type"] == "application/json"
    return encoding.loads(response.content)


def answered_error(response) -> tuple[str, str, str]:
    """Return (errorCd, errorDtl, errorField) a refusal names, in either documented shape.

    A request webhook's answer has them in payload.resp; a response webhook's
    keeps its string payload and names them in response_message.
    """
    return conventions.envelope_error(answer(response))


def row_counts() -> dict[str, int]:
    """Return how many rows every model of the project holds (a proxy holds its model's)."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


def key_shape(value):
    """Return the keys of a JSON value at every level (lists by their first item)."""
    if isinstance(value, dict):
        return {key: key_shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [key_shape(value[0])] if value else []
    return "value"


@pytest.fixture
def webhook_client() -> Client:
    return Client()


@pytest.fixture
def signed_post(webhook_client) -> Callable:
    """Return ``post(kind, body, ...)``: deliver a webhook signed as the sandbox signs it.

    ``body`` is a dict (written as the network writes JSON), text or raw
    bytes. ``msg_id`` is the webhook-id (a new one unless given), ``secret``
    defaults to ENKASH_WEBHOOK_SECRET at call time, ``timestamp`` to now;
    ``headers`` are added or override the signature headers.
    """

    def post(
        kind: str,
        body,
        *,
        msg_id: str | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
        headers: dict | None = None,
        trailing_slash: bool = False,
        content_type: str = "application/json",
        client: Client | None = None,
    ):
        raw = as_bytes(body)
        signed = signing.signature_headers(
            secret=settings.ENKASH_WEBHOOK_SECRET if secret is None else secret,
            msg_id=msg_id or f"msg_{uuid.uuid4().hex}",
            body=raw,
            timestamp=timestamp,
        )
        return (client or webhook_client).post(
            webhook_url(kind, trailing_slash=trailing_slash),
            data=raw,
            content_type=content_type,
            headers={**signed, **(headers or {})},
        )

    return post


# -- bodies built from purchase orders held here -------------------------------------


# What the counterparty's platform adds beside the object, as the documented examples do.
ADDITIONAL_INFOS = [{"name": "channel", "value": "ERP"}]


def send_body(purchase_order: PurchaseOrder) -> dict:
    """Return the req-send (or req-edit) body the network carries for a purchase order."""
    return payloads.build_send_request(get_purchase_order_with_contents(pk=purchase_order.pk))


def elsewhere(business) -> None:
    """Make a business one that trades on another platform, not hosted here.

    A business hosted here acts only through this portal: the network's
    request acting for it is refused unless this portal sent it. So the
    side that acts in a webhook built below is made remote first.
    """
    Business.objects.filter(pk=business.pk).update(is_hosted=False)
    business.is_hosted = False


def confirm_body(purchase_order: PurchaseOrder, action: str, *, remarks: str = "") -> dict:
    """Return the req-confirm body of a supplier's answer to a purchase order as it stands here.

    The supplier answers on its own platform: it is made remote (``elsewhere``).
    """
    elsewhere(purchase_order.supplier)
    body = payloads.build_confirm_request(
        get_purchase_order_with_contents(pk=purchase_order.pk),
        supplier_response=action,
        remarks=remarks,
        from_status=purchase_order.status,
    )
    transition = network_transition(action)
    body["poConfirmation"]["poStatusTransition"]["newStatus"] = (
        transition.to_status if transition else purchase_order.status
    )
    body["additionalInfos"] = ADDITIONAL_INFOS
    return body


def network_transition(action: str):
    """Return the network's move for an action, or None (unknown there, or the portal's own)."""
    if action not in lifecycle.NETWORK_ACTIONS:
        return None
    return lifecycle.TRANSITIONS_BY_ACTION[action]


def status_change_body(purchase_order: PurchaseOrder, action: str, *, remarks: str = "") -> dict:
    """Return the req-status-change body of a buyer's action on a purchase order here.

    The buyer acts on its own platform: it is made remote (``elsewhere``).
    """
    elsewhere(purchase_order.buyer)
    body = payloads.build_status_change_request(
        get_purchase_order_with_contents(pk=purchase_order.pk),
        buyer_action=action,
        remarks=remarks,
        from_status=purchase_order.status,
    )
    transition = network_transition(action)
    body["poStatus"]["poStatusTransition"]["newStatus"] = (
        transition.to_status if transition else purchase_order.status
    )
    body["additionalInfos"] = ADDITIONAL_INFOS
    return body


def sent_elsewhere_body(trading_pair, *, lines: int = 3) -> dict:
    """Return the req-send body of a purchase order raised on another platform, not held here.

    Its buyer is made remote (``elsewhere``).
    """
    elsewhere(trading_pair.buyer)
    purchase_order = trading_pair.purchase_order(sent=True, lines=lines)
    body = send_body(purchase_order)
    body["purchaseOrder"]["objectId"] = conventions.new_object_id()
    body["purchaseOrder"]["buyerPONumber"] = "ERP/2026/000123"
    body["additionalInfos"] = ADDITIONAL_INFOS
    return body


def edited_body(trading_pair, purchase_order: PurchaseOrder, *, lines: int = 3) -> dict:
    """Return a req-edit body moving a purchase order to the next version with other lines.

    The buyer edits on its own platform: it is made remote (``elsewhere``).
    """
    elsewhere(purchase_order.buyer)
    other = trading_pair.purchase_order(lines=lines)
    body = send_body(other)
    target = body["purchaseOrder"]
    target["objectId"] = purchase_order.object_id
    target["buyerPONumber"] = purchase_order.buyer_po_number
    target["subject"] = "Office supplies, revised"
    target["objectVersion"] = {
        "currentVersion": purchase_order.version,
        "newVersion": purchase_order.version + 1,
    }
    target["poStatusTransition"] = {"currentStatus": purchase_order.status, "newStatus": "CREATED"}
    other.delete()
    return body


def response_body(request_body: dict, *, req_msg_id: str, result: str = "SUCCESS", **error) -> dict:
    """Return the resp-* body answering a request body: its object, with a resp block."""
    body = copy.deepcopy(request_body)
    body.pop("device", None)
    return {
        "b2bIds": body.pop("b2bIds"),
        "resp": {
            "reqMsgId": req_msg_id,
            "result": result,
            "errorCd": error.get("error_code"),
            "errorDtl": error.get("error_detail"),
            "errorField": error.get("error_field"),
        },
        **body,
    }


# What the network found for a supplier search, as the documented example has it.
FOUND_ENTITY = {
    "name": "Kaveri Castings Private Limited",
    "alias": "Kaveri Castings",
    "state": "Tamil Nadu",
    "pincode": "641021",
    "b2bIds": [{"value": "KAVERI-CBE-01", "description": "Coimbatore works"}],
}


def search_answer_body(search, *, entities=(FOUND_ENTITY,), result="SUCCESS", **resp) -> dict:
    """Return the respSearchEntity body answering a supplier search asked from here."""
    return {
        "objectId": search.object_id,
        "resp": {
            "reqMsgId": search.outbound_message.req_msg_id,
            "result": result,
            "errorCd": resp.get("errorCd", ""),
            "errorDtl": resp.get("errorDtl", ""),
            "errorField": resp.get("errorField", ""),
        },
        "respParams": {"entityInfo": [copy.deepcopy(entity) for entity in entities]},
        "onboardingB2BIds": {"requestorB2BId": search.requestor_b2b_id},
        "search": {
            "criteria": [
                {"searchParameter": search.parameter, "operator": "EXACT", "value": search.value}
            ]
        },
    }
