"""The supplier directory: ask the network for a supplier, add it, remove it.

A buyer finds a supplier by asking the network (Business Onboarding's
Search Entity, ``enkash/searches.py``) which business holds a GSTIN or a
B2B ID. The question is a ``SupplierSearch`` written with its outbound
message in one transaction; the outbox delivers it, and the answer arrives
as a webhook (``services/inbound/searches.py``). The buyer then picks one of
the B2B IDs found: a business already known here (hosted on this portal, or
a remote one another buyer added) is linked as it is; a new one is created
as a remote party (``is_hosted`` off), completed with what the network does
not say (legal name, GSTIN, address), and still receives purchase orders
over the network. A business elsewhere never takes the GSTIN of one hosted
here (``services/inbound/trust.py`` holds the same rule for what arrives).
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from purchase_orders.enkash import conventions, encoding, payloads, searches
from purchase_orders.exceptions import DirectoryError, NotAllowed
from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    SupplierLink,
    SupplierSearch,
)
from purchase_orders.selectors import holds_role
from purchase_orders.services.outbound.queueing import enqueue_delivery
from purchase_orders.validators import GST_STATE_CODES, validate_gstin

Parameter = SupplierSearch.Parameter


@dataclass(frozen=True)
class SupplierDetails:
    """What the buyer completes of a new supplier: the network gives none of it for sure."""

    legal_name: str
    gstin: str
    state_code: str
    trade_name: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    pincode: str = ""
    phone_number: str = ""
    email: str = ""


def _ensure_buyer(user: AbstractBaseUser, buyer: Business) -> None:
    if not holds_role(user, buyer, Membership.Role.BUYER):
        raise NotAllowed(f"Only a buyer of {buyer} can change its suppliers.")


def normalized_value(*, parameter: str, value: str) -> str:
    """Return a GSTIN or B2B ID as the network is asked for it, or raise DirectoryError.

    A GSTIN must be well formed, of a GST state and with its check
    character; a B2B ID 1 to 100 characters with no backslash or double quote.
    """
    value = (value or "").strip()
    if parameter == Parameter.GSTIN:
        value = value.upper()
        try:
            validate_gstin(value)
        except ValidationError as error:
            raise DirectoryError(error.messages[0], path=("value",)) from None
        return value
    if parameter == Parameter.B2B_ID:
        if not re.fullmatch(conventions.B2B_ID_PATTERN, value):
            raise DirectoryError(
                "Enter a B2B ID of 1 to 100 characters, without a backslash or a double quote.",
                path=("value",),
            )
        return value
    raise DirectoryError("Search by GSTIN or by B2B ID.", path=("parameter",))


def _ensure_not_own(buyer: Business, *, parameter: str, value: str) -> None:
    """Refuse to look for the buying business itself: it is not its own supplier."""
    own = buyer.gstin if parameter == Parameter.GSTIN else buyer.b2b_id
    if value == own:
        words = "GSTIN" if parameter == Parameter.GSTIN else "B2B ID"
        raise DirectoryError(
            f"{value} is the {words} of {buyer} itself; a business is not its own supplier. "
            f"Enter the supplier's {words}.",
            path=("value",),
        )


@transaction.atomic
def ask_network_for_supplier(
    *, buyer: Business, asked_by: AbstractBaseUser, parameter: str, value: str
) -> SupplierSearch:
    """Ask the network which business holds a GSTIN or B2B ID, for a buying business.

    The search and its outbound message are written together; the message
    is queued for delivery once committed, and the answer comes later.
    """
    _ensure_buyer(asked_by, buyer)
    value = normalized_value(parameter=parameter, value=value)
    _ensure_not_own(buyer, parameter=parameter, value=value)
    object_id = conventions.new_search_object_id()
    body = searches.build_search_request(
        object_id=object_id,
        initiator=getattr(settings, conventions.INITIATOR_ENTITY_SETTING),
        requestor_b2b_id=buyer.b2b_id,
        parameter=parameter,
        value=value,
        device=payloads.build_device(),
    )
    message = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.SEARCH_ENTITY,
        req_msg_id=conventions.new_req_msg_id(),
        object_id=object_id,
        object_version=0,
        body=encoding.dumps(body),
    )
    search = SupplierSearch.objects.create(
        buyer=buyer,
        requested_by=asked_by,
        parameter=parameter,
        value=value,
        requestor_b2b_id=buyer.b2b_id,
        object_id=object_id,
        outbound_message=message,
    )
    # Lost after the commit, the message is still found by the outbox sweep.
    transaction.on_commit(lambda: enqueue_delivery(message_id=message.pk), robust=True)
    return search


def record_search_not_asked(*, message: OutboundMessage) -> SupplierSearch | None:
    """Mark failed the search whose message the network refused or that could not be delivered.

    Called in the transaction that settles or gives up on the message; the
    network's words, if it gave any, are kept on the search.
    """
    search = (
        SupplierSearch.objects.select_for_update()
        .filter(outbound_message_id=message.pk, state=SupplierSearch.State.ASKED)
        .first()
    )
    if search is None:
        return None
    # The network's words, if it refused; an undelivered message has none
    # (its page says so from the message's state).
    search.state = SupplierSearch.State.FAILED
    search.error_code = message.error_code
    search.error_detail = message.error_detail
    search.error_field = message.error_field
    search.answered_at = timezone.now()
    search.save(update_fields=["state", "error_code", "error_detail", "error_field", "answered_at"])
    return search


def _known_business(b2b_id: str) -> Business | None:
    return Business.objects.filter(b2b_id=b2b_id).first()


def _state_name(state_code: str) -> str:
    return GST_STATE_CODES.get(state_code, "")


def _new_remote_business(*, b2b_id: str, details: SupplierDetails, entity: dict) -> Business:
    """Create the remote party a buyer completed; raise DirectoryError naming the field."""
    gstin = details.gstin.strip().upper()
    hosted = Business.objects.filter(is_hosted=True, gstin=gstin).first()
    if hosted is not None:
        raise DirectoryError(
            f"The GSTIN {gstin} is registered on this portal by {hosted}, under the B2B ID "
            f"{hosted.b2b_id}. A business elsewhere on the network cannot use it; if you "
            f"meant {hosted}, search for its B2B ID.",
            path=("gstin",),
        )
    business = Business(
        b2b_id=b2b_id,
        is_hosted=False,
        legal_name=details.legal_name.strip(),
        trade_name=details.trade_name.strip(),
        gstin=gstin,
        state_code=details.state_code,
        address_type="OFFICE",
        address_line1=details.address_line1.strip(),
        address_line2=details.address_line2.strip(),
        city=details.city.strip(),
        state=_state_name(details.state_code) or (entity.get("state") or "").strip(),
        pincode=details.pincode.strip(),
        phone_number=details.phone_number.strip(),
        email=details.email.strip(),
    )
    try:
        business.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DirectoryError(messages[0], path=(field,)) from None
    business.save()
    return business


@transaction.atomic
def add_supplier_from_search(
    *,
    search: SupplierSearch,
    b2b_id: str,
    added_by: AbstractBaseUser,
    details: SupplierDetails | None = None,
) -> SupplierLink:
    """Put the business the network found under ``b2b_id`` in the search's buyer's directory.

    A business known here by that B2B ID is linked as it is (its details are
    its own, not the buyer's to change); otherwise ``details`` make a new
    remote party. Nothing is saved if anything is refused.
    """
    search = SupplierSearch.objects.select_for_update().select_related("buyer").get(pk=search.pk)
    buyer = search.buyer
    _ensure_buyer(added_by, buyer)
    if search.state != SupplierSearch.State.ANSWERED:
        raise DirectoryError(
            "The network has not listed any business for this search; ask it again.",
            path=("b2b_id",),
        )
    entity = search.entity_of(b2b_id)
    if entity is None:
        raise DirectoryError(
            "Choose one of the B2B IDs the network listed for this search.", path=("b2b_id",)
        )
    supplier = _known_business(b2b_id)
    if supplier is None:
        if details is None:
            raise DirectoryError(
                "Complete the supplier's details: the network does not give them.",
                path=("legal_name",),
            )
        if search.parameter == Parameter.GSTIN and details.gstin.strip().upper() != search.value:
            raise DirectoryError(
                f"The network found this business by the GSTIN {search.value}; "
                "its details must carry that GSTIN.",
                path=("gstin",),
            )
        try:
            # A savepoint: another buyer adding the same B2B ID at the same
            # moment makes it first, and it is then linked.
            with transaction.atomic():
                supplier = _new_remote_business(b2b_id=b2b_id, details=details, entity=entity)
        except IntegrityError:
            supplier = _known_business(b2b_id)
            if supplier is None:
                raise
    if supplier.pk == buyer.pk:
        raise DirectoryError(
            f"{b2b_id} is the B2B ID of {buyer} itself; a business is not its own supplier.",
            path=("b2b_id",),
        )
    link, _ = SupplierLink.objects.get_or_create(
        buyer=buyer, supplier=supplier, defaults={"added_by": added_by}
    )
    return link


@transaction.atomic
def remove_supplier(*, link: SupplierLink, removed_by: AbstractBaseUser) -> Business:
    """Take a supplier out of a buying business's directory; return the supplier.

    Its business stays (other buyers may have it), and so do the orders
    sent to it, each with the details it was sent with.
    """
    _ensure_buyer(removed_by, link.buyer)
    link = (
        SupplierLink.objects.select_for_update()
        .select_related("buyer", "supplier")
        .filter(pk=link.pk)
        .first()
    )
    if link is None:
        raise DirectoryError("This supplier is no longer in your directory.", path=())
    supplier = link.supplier
    link.delete()
    return supplier
