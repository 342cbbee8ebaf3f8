"""The OpenAPI description of the webhook API: one operation per kind, with examples.

Request bodies are the strict serializers of ``serializers``; answers are
described by the envelope serializers below. Examples are the network's own
documented bodies (``enkash/examples/``, copied unchanged from the spec); for the
kinds EnKash has not documented, they are derived from the nearest documented
one, and say so.
"""

import copy

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiRequest,
    OpenApiResponse,
)
from rest_framework import serializers

from purchase_orders.enkash import answers, conventions
from purchase_orders.enkash.kinds import (
    BUSINESS_ONBOARDING,
    CONFIRMATION,
    KINDS,
    PURCHASE_ORDER,
    REQUEST_KINDS,
    STATUS,
    object_key,
)

from .authentication import REFUSAL_DETAIL
from .serializers import (
    AdditionalInfoSerializer,
    B2BIdsSerializer,
    PoConfirmationSerializer,
    PoStatusSerializer,
    PurchaseOrderSerializer,
    RespSerializer,
)

REQUEST_TAG = "Request webhooks (req-*)"
RESPONSE_TAG = "Response webhooks (resp-*)"
ONBOARDING_TAG = "Business onboarding webhooks"


class WebhookAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe ``WebhookAuthentication`` in the schema's security section."""

    target_class = "purchase_orders.api.authentication.WebhookAuthentication"
    name = "webhookAuthentication"

    def get_security_definition(self, auto_schema):
        if settings.ENKASH_WEBHOOK_AUTH_MODE == conventions.WEBHOOK_AUTH_HEADER:
            header = settings.ENKASH_WEBHOOK_AUTH_HEADER
            description = f"The shared webhook secret in the {header} header."
        else:
            header = conventions.WEBHOOK_SIGNATURE_HEADER
            description = (
                "Standard Webhooks: the headers webhook-id, webhook-timestamp and "
                "webhook-signature (v1,<base64 HMAC-SHA256 of "
                '"{webhook-id}.{webhook-timestamp}.{raw body}">), the timestamp within '
                f"{settings.ENKASH_WEBHOOK_TOLERANCE_SECONDS} seconds."
            )
        return {"type": "apiKey", "in": "header", "name": header, "description": description}


# -- answers -------------------------------------------------------------------------


class ResponseWebhookAnswerSerializer(serializers.Serializer):
    """What a response webhook is answered: the plain envelope, its payload a string (W2).

    Applied, it is the documented SUCCESS envelope; refused, the payload is
    FAILURE and the response_code is not 0.
    """

    payload = serializers.CharField(help_text=f"SUCCESS, or {conventions.RESPONSE_REFUSAL_PAYLOAD}")
    response_code = serializers.IntegerField(help_text="0, or 400, 401, 409, 422 or 500.")
    response_message = serializers.CharField(
        help_text="SUCCESS, or the error code, the field at fault and the detail: "
        '"<errorCd> at <errorField>: <errorDtl>" ("<errorCd>: <errorDtl>" without a field).'
    )


def shape_schema(shape) -> dict:
    """Return the JSON schema of a documented shape: exactly its keys, each of its type."""
    if isinstance(shape, dict):
        return {
            "type": "object",
            "properties": {key: shape_schema(sub_shape) for key, sub_shape in shape.items()},
            "required": list(shape),
            "additionalProperties": False,
        }
    if isinstance(shape, list):
        return {"type": "array", "items": shape_schema(shape[0])}
    return {"type": "string"} if isinstance(shape, str) else {"type": "number"}


def refusal_schema(kind: str) -> dict:
    """Return the schema of a request kind's answer to a body refused as it came.

    The body is echoed wherever its values have the documented type, so the
    answer holds to the documented shape and types only, not to what the
    request's serializer asks of a value (lengths, ranges, choices).
    """
    return {
        "type": "object",
        "properties": {
            "response_code": {"type": "integer", "description": "Never 0."},
            "response_message": {"type": "string"},
            "payload": shape_schema(answers.payload_shape(kind)),
        },
        "required": ["response_code", "response_message", "payload"],
        "additionalProperties": False,
    }


def _answer_serializer(
    name: str, object_key: str, object_serializer
) -> type[serializers.Serializer]:
    """Return the serializer of a request webhook's rich answer (SPEC §2.2 W3, W7)."""
    payload = type(
        f"{name}AnswerPayloadSerializer",
        (serializers.Serializer,),
        {
            "b2bIds": B2BIdsSerializer(),
            "resp": RespSerializer(),
            object_key: object_serializer(),
            "additionalInfos": AdditionalInfoSerializer(many=True),
        },
    )
    return type(
        f"{name}AnswerSerializer",
        (serializers.Serializer,),
        {
            "__doc__": "What a request webhook is answered: b2bIds, resp, the object and "
            "additionalInfos. A refusal has the same shape, with resp.result FAILURE and "
            "a non-zero response_code.",
            "response_code": serializers.IntegerField(),
            "response_message": serializers.CharField(),
            "payload": payload(),
        },
    )


PurchaseOrderAnswerSerializer = _answer_serializer(
    "PurchaseOrder", PURCHASE_ORDER, PurchaseOrderSerializer
)
ConfirmationAnswerSerializer = _answer_serializer(
    "Confirmation", CONFIRMATION, PoConfirmationSerializer
)
StatusChangeAnswerSerializer = _answer_serializer("StatusChange", STATUS, PoStatusSerializer)

# A request webhook's answer carries its business object.
ANSWER_SERIALIZERS = {
    PURCHASE_ORDER: PurchaseOrderAnswerSerializer,
    CONFIRMATION: ConfirmationAnswerSerializer,
    STATUS: StatusChangeAnswerSerializer,
}

RESPONSE_DESCRIPTION = (
    "Settles the request sent from here, found by resp.reqMsgId (else by objectId, "
    "kind and objectVersion.newVersion): result SUCCESS acknowledges it; anything else "
    "records errorCd, errorDtl and errorField and undoes the change it announced."
)
COMMON_DESCRIPTION = (
    "\n\nEach delivery is stored once: a repeat (same webhook-id, or same body without "
    "one) is answered exactly as the first time and not applied again. A refusal is "
    "HTTP {refusal_status} with a non-zero response_code; an unreadable body is HTTP 400 "
    "naming the field in errorField; a fault of the portal's own is HTTP 500, to be "
    "delivered again."
)


def is_onboarding(kind: str) -> bool:
    return KINDS[kind].group == BUSINESS_ONBOARDING


# -- examples --------------------------------------------------------------------------


def request_example(kind: str) -> tuple[dict, str]:
    """Return (body, note) of the example for a kind's webhook body.

    A kind EnKash documents shows its example (``kinds.MessageKind.example``);
    the others are made from the nearest documented one, and say so.
    """
    example = KINDS[kind].example
    if example == KINDS["req-send"].example:
        return answers.documented(example), "The send API's documented body."
    if example:
        return answers.documented(example), "EnKash's documented example."
    if kind == "req-edit":
        body = copy.deepcopy(request_example("req-send")[0])
        body["purchaseOrder"]["objectVersion"] = {"currentVersion": 1, "newVersion": 2}
        return body, "Not documented by EnKash: the send body at the next version."
    if kind == "resp-edit":
        return request_example("resp-send")[0], "Not documented by EnKash: as resp-send."
    body = copy.deepcopy(request_example("resp-status-change")[0])
    del body[STATUS]
    body[CONFIRMATION] = request_example("req-confirm")[0][CONFIRMATION]
    return body, "Not documented by EnKash: as resp-status-change, with poConfirmation."


def answer_example(kind: str) -> tuple[dict, str]:
    """Return (body, note) of the example of a kind's successful answer."""
    if KINDS[kind].answer_example:
        return answers.documented(KINDS[kind].answer_example), "EnKash's documented example."
    if kind in REQUEST_KINDS:
        answer = answers.webhook_answer(kind, req_msg_id="string", body=_answer_body(kind))
        return answer, "Not documented by EnKash: the same shape as req-confirm's answer."
    return answer_example("resp-send")[0], "As resp-send's."


def _answer_body(kind: str) -> dict | None:
    """Return the example body a kind's answer echoes (a response's answer echoes nothing)."""
    return request_example(kind)[0] if kind in REQUEST_KINDS else None


def refusal_example(kind: str) -> dict:
    """Return an example of a kind's refusal."""
    if is_onboarding(kind):
        return answers.webhook_answer(
            kind,
            req_msg_id="string",
            error_code=conventions.ERROR_SEARCH_NOT_FOUND,
            error_detail="No supplier search ORG" + "0" * 32 + " was asked from here.",
            error_field="objectId",
        )
    if kind in REQUEST_KINDS:
        return answers.webhook_answer(
            kind,
            req_msg_id="string",
            body=_answer_body(kind),
            error_code=conventions.ERROR_STALE_VERSION,
            error_detail="The message is based on version 0, but the purchase order here is "
            "at version 1.",
            error_field=f"{object_key(kind)}.objectVersion.currentVersion",
        )
    return answers.webhook_answer(
        kind,
        req_msg_id="string",
        error_code=conventions.ERROR_MESSAGE_NOT_FOUND,
        error_detail=f"No req-{kind.removeprefix('resp-')} request string for purchase order "
        "string version 0 was sent from here.",
        error_field="resp.reqMsgId",
    )


def early_example(kind: str) -> dict:
    """Return an example of a kind's refusal for now: its purchase order is not here yet."""
    return answers.webhook_answer(
        kind,
        req_msg_id="string",
        body=_answer_body(kind),
        error_code=conventions.ERROR_PO_NOT_FOUND,
        error_detail="No purchase order string is known here (yet); deliver this message "
        "again after the purchase order itself.",
        error_field=f"{object_key(kind)}.objectId",
        response_code=conventions.RESPONSE_CODE_NOT_YET,
    )


def invalid_example(kind: str) -> dict:
    """Return an example of a kind's refusal of a body that is not its shape."""
    field, detail = f"{object_key(kind)}.objectVersion.newVersion", "Must be a whole JSON number."
    if is_onboarding(kind):
        field, detail = "search.criteria[0].value", "Must not be empty."
    return answers.webhook_answer(
        kind,
        req_msg_id="string",
        body=_answer_body(kind),
        error_code=conventions.ERROR_INVALID_FIELD,
        error_detail=f"{field}: {detail}",
        error_field=field,
        response_code=conventions.RESPONSE_CODE_INVALID,
    )


def unauthenticated_example(kind: str) -> dict:
    """Return an example of a kind's refusal of a delivery not authenticated: nothing echoed."""
    return answers.webhook_answer(
        kind,
        req_msg_id="",
        error_code=conventions.ERROR_UNAUTHENTICATED,
        error_detail=REFUSAL_DETAIL,
        response_code=conventions.RESPONSE_CODE_UNAUTHENTICATED,
    )


def _example(name: str, value: dict, note: str = "", **kwargs) -> OpenApiExample:
    return OpenApiExample(name, value=value, description=note, **kwargs)


class WebhookSchema(AutoSchema):
    """Describe each webhook view by its ``kind``: one operation per kind."""

    @property
    def kind(self) -> str:
        return self.view.kind

    def get_operation_id(self) -> str:
        return "webhook_" + self.kind.replace("-", "_")

    def get_summary(self) -> str:
        return KINDS[self.kind].summary

    def get_description(self) -> str:
        kind = KINDS[self.kind]
        return (kind.description or RESPONSE_DESCRIPTION) + COMMON_DESCRIPTION.format(
            refusal_status=kind.refusal_status
        )

    def get_tags(self) -> list[str]:
        if is_onboarding(self.kind):
            return [ONBOARDING_TAG]
        return [REQUEST_TAG if self.kind in REQUEST_KINDS else RESPONSE_TAG]

    def get_request_serializer(self):
        body, note = request_example(self.kind)
        return OpenApiRequest(
            KINDS[self.kind].serializer, examples=[_example(self.kind, body, note)]
        )

    def get_response_serializers(self):
        if is_onboarding(self.kind):
            return self._onboarding_responses()
        answer, note = answer_example(self.kind)
        is_request = self.kind in REQUEST_KINDS
        # A request's refusal has its answer's shape (of a valid body, the serializer's;
        # else the documented types only); a response's keeps the plain envelope.
        answer_of_valid_body = (
            ANSWER_SERIALIZERS[object_key(self.kind)]
            if is_request
            else ResponseWebhookAnswerSerializer
        )
        refusal = refusal_schema(self.kind) if is_request else ResponseWebhookAnswerSerializer
        return {
            200: OpenApiResponse(
                answer_of_valid_body,
                description="Applied (response_code 0), or refused (non-zero response_code, "
                "the reason in payload.resp of a request's answer, in response_message of a "
                "response's).",
                examples=[
                    _example("Applied", answer, note),
                    _example("Refused", refusal_example(self.kind)),
                ],
            ),
            400: OpenApiResponse(
                refusal,
                description="The body is not JSON, not an object, or not this kind's shape.",
                examples=[_example("Invalid field", invalid_example(self.kind))],
            ),
            401: OpenApiResponse(
                refusal,
                description="The delivery could not be authenticated; nothing was stored.",
                examples=[_example("Not authenticated", unauthenticated_example(self.kind))],
            ),
            409: OpenApiResponse(
                answer_of_valid_body,
                description="Arrived before a message it depends on (the purchase order "
                "itself, or an earlier version or status): refused for now with "
                "response_code 409 and not recorded as answered; deliver it again later.",
                examples=[_example("Arrived early", early_example(self.kind))],
            ),
            413: OpenApiResponse(refusal, description="The body is too large."),
            415: OpenApiResponse(refusal, description="The body is not JSON."),
            500: OpenApiResponse(
                refusal,
                description="A fault of the portal's own; the delivery is kept, deliver it again.",
            ),
        }

    def _onboarding_responses(self) -> dict:
        """Describe the answers of an onboarding webhook: the plain envelope, refusals 4xx."""
        answer, note = answer_example(self.kind)
        envelope = ResponseWebhookAnswerSerializer
        refused = KINDS[self.kind].refusal_status
        return {
            200: OpenApiResponse(
                envelope,
                description="Applied: the documented SUCCESS envelope (response_code 0).",
                examples=[_example("Applied", answer, note)],
            ),
            400: OpenApiResponse(
                envelope,
                description="The body is not JSON, not an object, or not this kind's shape.",
                examples=[_example("Invalid field", invalid_example(self.kind))],
            ),
            401: OpenApiResponse(
                envelope,
                description="The delivery could not be authenticated; nothing was stored.",
                examples=[_example("Not authenticated", unauthenticated_example(self.kind))],
            ),
            refused: OpenApiResponse(
                envelope,
                description="Refused: no such search was asked from here, or it was asked "
                "by another requestor or for other criteria (response_code "
                f"{conventions.RESPONSE_CODE_REFUSED}, the reason in response_message).",
                examples=[_example("Refused", refusal_example(self.kind))],
            ),
            413: OpenApiResponse(envelope, description="The body is too large."),
            415: OpenApiResponse(envelope, description="The body is not JSON."),
            500: OpenApiResponse(
                envelope,
                description="A fault of the portal's own; the delivery is kept, deliver it again.",
            ),
        }
