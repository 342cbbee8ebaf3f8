"""The webhook endpoints the network calls: ``POST /api/v0/purchase-order/<kind>`` and
``POST /api/v0/business-onboarding/respSearchEntity``.

A delivery goes through, in order: the body-size cap, authentication
(``WebhookAuthentication``, before the database is touched), parsing with
Decimal amounts, storing the raw event once, the strict serializer of its
kind, and one service from the table of kinds (``enkash/kinds.py``). The view
is glue: it decides nothing about purchase orders.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpResponse
from rest_framework.exceptions import APIException, ParseError, UnsupportedMediaType
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from procurement.logging import note_req_msg_id
from purchase_orders.enkash import answers, conventions, messages
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.services import inbound

from .authentication import REFUSAL_DETAIL, IsAuthenticatedDelivery, WebhookAuthentication
from .parsers import NetworkJSONParser
from .renderers import JSONOnlyNegotiation, NetworkJSONRenderer
from .schema import WebhookSchema
from .serializers import first_error
from .serializers.validation import validate

logger = logging.getLogger(__name__)

JSON = "application/json"

# errorCd of the refusals that happen before a body is read, by HTTP status.
TRANSPORT_ERROR_CODES = {
    401: conventions.ERROR_UNAUTHENTICATED,
    403: conventions.ERROR_UNAUTHENTICATED,
    405: conventions.ERROR_METHOD_NOT_ALLOWED,
    413: conventions.ERROR_BODY_TOO_LARGE,
    415: conventions.ERROR_UNSUPPORTED_MEDIA_TYPE,
}


class MalformedContentLength(ParseError):
    default_detail = "The Content-Length header is not a number of bytes."


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The body is larger than this endpoint accepts."
    default_code = "body_too_large"


def webhook_exception_handler(exc, context):
    """Answer every refusal DRF raises in the network's envelope, never in DRF's own shape.

    These refusals happen before the body is read (or while reading it), so a
    request webhook's answer has the documented payload with blanks.
    """
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    kind = getattr(context.get("view"), "kind", "")
    response = exception_handler(exc, context)
    if response is None:
        logger.error("Webhook view failed", exc_info=exc)
        return Response(
            unread_answer(
                kind,
                error_code=conventions.ERROR_INTERNAL,
                error_detail=inbound.INTERNAL_ERROR_DETAIL,
                response_code=conventions.RESPONSE_CODE_ERROR,
            ),
            status=500,
        )
    unauthenticated = response.status_code in (401, 403)
    response.data = unread_answer(
        kind,
        error_code=TRANSPORT_ERROR_CODES.get(response.status_code, conventions.ERROR_INVALID_FIELD),
        error_detail=REFUSAL_DETAIL if unauthenticated else str(getattr(exc, "detail", exc)),
        response_code=(
            conventions.RESPONSE_CODE_UNAUTHENTICATED
            if unauthenticated
            else conventions.RESPONSE_CODE_INVALID
        ),
    )
    return response


def unread_answer(kind: str, **error) -> dict:
    """Return the refusal of a delivery of ``kind`` whose body was not read."""
    if kind not in KINDS:
        return conventions.refusal_envelope(req_msg_id="", **error)
    return answers.webhook_answer(kind, req_msg_id="", **error)


class WebhookView(APIView):
    """Receive one kind of webhook (``kind``), store it once and apply it."""

    kind = ""
    authentication_classes = [WebhookAuthentication]
    permission_classes = [IsAuthenticatedDelivery]
    parser_classes = [NetworkJSONParser]
    renderer_classes = [NetworkJSONRenderer]
    content_negotiation_class = JSONOnlyNegotiation
    throttle_classes = []
    http_method_names = ["post"]
    schema = WebhookSchema()

    @classmethod
    def as_view(cls, **initkwargs):
        # Outside ATOMIC_REQUESTS (DRF views are already csrf-exempt): the
        # event is stored in its own transaction so that it survives a
        # failure to apply it, and its answer is committed before it is sent.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_exception_handler(self):
        return webhook_exception_handler

    def initial(self, request, *args, **kwargs):
        # The cap comes first: authentication reads the whole body.
        refuse_large_body(request)
        super().initial(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # A repeat of a delivery already answered (authenticated like any
        # other) gets the same answer, without reading its body again.
        event = inbound.find_repeat(
            kind=self.kind, body=request.body, webhook_id=request.auth.webhook_id
        )
        answered = None if event is None else inbound.first_answer(event)
        if answered is None:
            data, invalid = read_body(request)
            if event is None:
                event, is_new = inbound.record_event(
                    kind=self.kind,
                    body=request.body,
                    headers=request.headers,
                    remote_addr=request.META.get("REMOTE_ADDR"),
                    webhook_id=request.auth.webhook_id,
                    data=data,
                )
                # Stored, and perhaps answered, by a concurrent copy since the look-up.
                answered = None if is_new else inbound.first_answer(event)
        note_req_msg_id(event.req_msg_id)
        if answered is not None:
            return HttpResponse(answered.body, status=answered.status, content_type=JSON)
        message = None
        if invalid is None:
            validated, errors = validate(KINDS[self.kind].serializer, data)
            if validated is None:
                invalid = invalid_message(errors, kind=self.kind)
            else:
                message = messages.parse_message(self.kind, validated)
        answer = inbound.process_event(event=event, message=message, invalid=invalid)
        # The stored text itself, so that a repeat gets exactly the same bytes.
        return HttpResponse(answer.body, status=answer.status, content_type=JSON)


def refuse_large_body(request) -> None:
    """Raise PayloadTooLarge when the body exceeds ENKASH_WEBHOOK_MAX_BODY_BYTES."""
    limit = settings.ENKASH_WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        # Django reads the body by this header, and cannot.
        raise MalformedContentLength() from None
    try:
        too_large = declared > limit or len(request.body) > limit
    except RequestDataTooBig:
        too_large = True
    if too_large:
        logger.warning(
            "Refused a webhook delivery to %s from %s: body of %s bytes over the %s-byte limit",
            request.path,
            request.META.get("REMOTE_ADDR", "?"),
            declared,
            limit,
        )
        raise PayloadTooLarge()


def read_body(request) -> tuple[dict | None, inbound.InvalidMessage | None]:
    """Return the parsed body, or why it cannot be read."""
    try:
        data = request.data
    except UnsupportedMediaType as error:
        return None, inbound.InvalidMessage(
            f"Send the body as {JSON}. {error.detail}",
            status=415,
            code=conventions.ERROR_UNSUPPORTED_MEDIA_TYPE,
            is_read=False,
        )
    except ParseError as error:
        return None, inbound.InvalidMessage(str(error.detail), field=getattr(error, "field", ""))
    if not isinstance(data, dict):
        return None, inbound.InvalidMessage("The body must be a JSON object.")
    return data, None


def invalid_message(errors, *, kind: str) -> inbound.InvalidMessage:
    """Turn a serializer's errors into a refusal naming the first field at fault."""
    found = first_error(errors)
    if found is None:
        return inbound.InvalidMessage(f"The body is not a {kind} message.")
    path, detail = found
    return inbound.InvalidMessage(f"{path}: {detail}" if path else detail, field=path)
