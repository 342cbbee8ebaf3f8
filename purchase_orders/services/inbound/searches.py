"""Apply the network's answer to a supplier search asked from here (``respSearchEntity``).

The answer is matched to its search (``conventions``, "Correlation"): by
its ``objectId``, else by ``resp.reqMsgId``, else by the echoed criteria and
requestor. A search named by its objectId must have been asked by the
requestor and for the criteria the answer echoes: anything else is refused,
and changes nothing. An answer to a search already answered is acknowledged
and not applied again; the first answer stands.
"""

from django.utils import timezone

from purchase_orders.enkash import conventions, searches
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.models import InboundEvent, OutboundMessage, SupplierSearch
from purchase_orders.received import ReceivedSearchAnswer
from purchase_orders.services.outbound import settle_outbound_message

State = SupplierSearch.State


def find_search(message: ReceivedSearchAnswer) -> SupplierSearch:
    """Return the search an answer is for, locked; raise PurchaseOrderError if none is."""
    searches_here = SupplierSearch.objects.select_for_update().select_related("outbound_message")
    if message.object_id:
        search = searches_here.filter(object_id=message.object_id).first()
        if search is None:
            raise PurchaseOrderError(
                f"No supplier search {message.object_id} was asked from here.",
                path=("object_id",),
                code=conventions.ERROR_SEARCH_NOT_FOUND,
            )
        return search
    if message.verdict.req_msg_id:
        search = searches_here.filter(
            outbound_message__req_msg_id=message.verdict.req_msg_id
        ).first()
        if search is not None:
            return search
    search = None
    if len(message.criteria) == 1:
        criterion = message.criteria[0]
        search = (
            searches_here.filter(
                requestor_b2b_id=message.requestor_b2b_id,
                parameter=criterion.parameter,
                value=criterion.value,
                state=State.ASKED,
            )
            .order_by("-pk")
            .first()
        )
    if search is None:
        asked = ", ".join(f"{c.parameter} {c.value}" for c in message.criteria)
        raise PurchaseOrderError(
            f"No supplier search for {asked} by {message.requestor_b2b_id} is waiting for an "
            "answer here.",
            path=("criteria",),
            code=conventions.ERROR_SEARCH_NOT_FOUND,
        )
    return search


def _ensure_same_search(search: SupplierSearch, message: ReceivedSearchAnswer) -> None:
    """Refuse an answer whose requestor or criteria are not those the search asked with."""
    if message.requestor_b2b_id != search.requestor_b2b_id:
        raise PurchaseOrderError(
            f"Supplier search {search.object_id} was asked by {search.requestor_b2b_id}, not "
            f"by {message.requestor_b2b_id}.",
            path=("requestor_b2b_id",),
            code=conventions.ERROR_PARTY_MISMATCH,
        )
    asked = [(search.parameter, conventions.SEARCH_OPERATOR_EXACT, search.value)]
    echoed = [(c.parameter, c.operator, c.value) for c in message.criteria]
    if echoed != asked:
        raise PurchaseOrderError(
            f"Supplier search {search.object_id} asked for {search.parameter} "
            f"{search.value}, not for {', '.join(f'{p} {v}' for p, _, v in echoed)}.",
            path=("criteria",),
            code=conventions.ERROR_SEARCH_NOT_FOUND,
        )


def _is_answered(search: SupplierSearch) -> bool:
    """Whether the search already has the network's answer (not only a failed delivery)."""
    if search.state in (State.ANSWERED, State.NO_MATCH):
        return True
    return search.state == State.FAILED and (
        search.outbound_message.state == OutboundMessage.State.REJECTED
    )


def apply_search_response(*, event: InboundEvent, message: ReceivedSearchAnswer) -> SupplierSearch:
    """Record the network's answer on the search it answers, and settle its message.

    A SUCCESS lists the businesses found (``answered``), or none
    (``no match``); anything else keeps the network's words (``failed``).
    An answer that comes after the portal gave up delivering the request
    (the network had it after all) is applied.
    """
    search = find_search(message)
    event.outbound_message = search.outbound_message
    _ensure_same_search(search, message)
    if _is_answered(search):
        return search
    verdict = message.verdict
    settle_outbound_message(
        message=search.outbound_message,
        succeeded=verdict.succeeded,
        error_code=verdict.error_code,
        error_detail=verdict.error_detail,
        error_field=verdict.error_field,
    )
    search.refresh_from_db()
    if verdict.succeeded:
        search.results = [searches.entity_as_data(entity) for entity in message.entities]
        search.state = State.ANSWERED if search.results else State.NO_MATCH
        search.error_code = search.error_detail = search.error_field = ""
    else:
        search.state = State.FAILED
        search.error_code = verdict.error_code
        search.error_detail = verdict.error_detail
        search.error_field = verdict.error_field
    search.answered_at = timezone.now()
    search.save(
        update_fields=[
            "results",
            "state",
            "error_code",
            "error_detail",
            "error_field",
            "answered_at",
        ]
    )
    return search
