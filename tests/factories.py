"""factory_boy factories for the portal's models."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from purchase_orders.enkash import conventions
from purchase_orders.models import (
    Business,
    LineItem,
    Membership,
    OutboundMessage,
    Party,
    PaymentMilestone,
    PurchaseOrder,
    PurchaseOrderAddress,
    SupplierLink,
    SupplierSearch,
)
from purchase_orders.services import documents
from purchase_orders.totals import LineInput, compute_totals, is_intra_state
from purchase_orders.validators import gstin_check_digit

DEMO_PASSWORD = "demo-pass-123"


def make_gstin(state_code: str, sequence: int) -> str:
    """Return a valid GSTIN for a state, distinct per sequence number."""
    letters = "".join(chr(ord("A") + (sequence // 26**i) % 26) for i in range(5))
    body = f"{state_code}{letters}{sequence % 10000:04d}P1Z"
    return body + gstin_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.in")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    b2b_id = factory.Sequence(lambda n: f"B2B{n:08d}")
    state_code = "29"
    gstin = factory.LazyAttributeSequence(lambda business, n: make_gstin(business.state_code, n))
    legal_name = factory.Sequence(lambda n: f"Business {n} Private Limited")
    trade_name = factory.Sequence(lambda n: f"Business {n}")
    address_type = "OFFICE"
    address_line1 = "12, 3rd Cross, Industrial Area"
    city = "Bengaluru"
    state = "Karnataka"
    country = "India"
    pincode = "560058"
    phone_number = "9876543210"
    email = factory.Sequence(lambda n: f"accounts{n}@example.in")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)
    role = Membership.Role.BUYER


def link_supplier(buyer: Business, supplier: Business) -> SupplierLink | None:
    """Put a supplier in a buyer's directory, as ordering from it needs (once per pair)."""
    if buyer.pk == supplier.pk:
        return None
    link, _ = SupplierLink.objects.get_or_create(buyer=buyer, supplier=supplier)
    return link


def make_search(buyer: Business, *, parameter: str = "GSTIN", value: str = "", **fields):
    """Record a supplier search of a buyer, with its outbound message, as the service writes it.

    Nothing is queued for delivery: a test that wants the network asked uses
    ``services.suppliers.ask_network_for_supplier``.
    """
    value = value or make_gstin("33", 9000 + SupplierSearch.objects.count())
    object_id = conventions.new_search_object_id()
    message = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.SEARCH_ENTITY,
        req_msg_id=conventions.new_req_msg_id(),
        object_id=object_id,
        object_version=0,
        body="{}",
    )
    return SupplierSearch.objects.create(
        buyer=buyer,
        parameter=parameter,
        value=value,
        requestor_b2b_id=buyer.b2b_id,
        object_id=object_id,
        outbound_message=message,
        **fields,
    )


def party_from_business(business: Business, *, role: str, place_of_supply: str = "") -> dict:
    return {
        "role": role,
        "b2b_id": business.b2b_id,
        "gstin": business.gstin,
        "legal_name": business.legal_name,
        "trade_name": business.trade_name,
        "state_code": business.state_code,
        "place_of_supply": place_of_supply,
        "address_type": business.address_type,
        "address_line1": business.address_line1,
        "address_line2": business.address_line2,
        "city": business.city,
        "state": business.state,
        "country": business.country,
        "pincode": business.pincode,
        "contact_type": business.contact_type,
        "country_code": business.country_code,
        "phone_number": business.phone_number,
        "email": business.email,
    }


def add_parties_and_address(purchase_order) -> None:
    """Copy the buyer and the supplier onto a purchase order, and give it a delivery address."""
    Party.objects.create(
        purchase_order=purchase_order,
        **party_from_business(
            purchase_order.buyer, role="buyer", place_of_supply=purchase_order.buyer.state_code
        ),
    )
    Party.objects.create(
        purchase_order=purchase_order,
        **party_from_business(purchase_order.supplier, role="supplier"),
    )
    PurchaseOrderAddress.objects.create(
        purchase_order=purchase_order,
        purpose="DELIVERY",
        address_type="WAREHOUSE",
        address_line1="Plot 7, KIADB",
        city="Bengaluru",
        state="Karnataka",
        country="India",
        pincode="560099",
    )


class PurchaseOrderFactory(factory.django.DjangoModelFactory):
    """A purchase order with consistent parties, lines, totals and milestones.

    ``lines`` sets how many lines (default 2); traits ``sent`` and
    ``accepted`` put it in those states at version 1.
    """

    class Meta:
        model = PurchaseOrder
        skip_postgeneration_save = True

    class Params:
        sent = factory.Trait(
            status=PurchaseOrder.Status.CREATED, previous_status="CREATED", version=1
        )
        accepted = factory.Trait(
            status=PurchaseOrder.Status.ACCEPTED, previous_status="CREATED", version=1
        )

    object_id = factory.LazyFunction(conventions.new_object_id)
    buyer = factory.SubFactory(BusinessFactory)
    supplier = factory.SubFactory(
        BusinessFactory, state_code="27", city="Pune", state="Maharashtra", pincode="411001"
    )
    buyer_po_number = factory.Sequence(lambda n: f"PO/2026-27/{n:05d}")
    order_date = datetime.date(2026, 11, 23)
    delivery_date = datetime.date(2026, 12, 15)
    subject = "Office supplies"

    @factory.post_generation
    def lines(purchase_order, create, extracted, **kwargs):
        if not create:
            return
        count = 2 if extracted is None else extracted
        link_supplier(purchase_order.buyer, purchase_order.supplier)
        add_parties_and_address(purchase_order)
        inputs = [
            LineInput(
                quantity=Decimal(index + 1) * 10,
                unit_price=Decimal("125.50") + index,
                gst_rate=Decimal(18),
            )
            for index in range(count)
        ]
        totals = compute_totals(
            lines=inputs,
            intra_state=is_intra_state(
                supplier_state_code=purchase_order.supplier.state_code,
                place_of_supply=purchase_order.buyer.state_code,
            ),
        )
        LineItem.objects.bulk_create(
            LineItem(
                purchase_order=purchase_order,
                position=index,
                serial_no=str(index + 1),
                product_description=f"A4 copier paper, 75 gsm, box {index + 1}",
                hsn_code="48025690",
                unit="BOX",
                quantity=line.quantity,
                unit_price=line.unit_price,
                gst_rate=line.gst_rate,
                total_amount=line_totals.total_amount,
                assessment_amount=line_totals.assessment_amount,
                total_item_value=line_totals.total_item_value,
            )
            for index, (line, line_totals) in enumerate(zip(inputs, totals.lines, strict=True))
        )
        purchase_order.total_po_value = totals.total_po_value
        purchase_order.save(update_fields=["total_po_value"])
        # The search column, as the services keep it with the contents.
        documents.reindex_for_search(PurchaseOrder.objects.filter(pk=purchase_order.pk))
        purchase_order.refresh_from_db(fields=["search_text"])
        if count:
            PaymentMilestone.objects.create(
                purchase_order=purchase_order,
                due_on=datetime.date(2026, 12, 31),
                due_amount=totals.total_po_value,
            )
