"""Fixtures: the buyer and supplier pages, their people and their forms."""

import functools
import html
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client

from purchase_orders.enkash import conventions
from purchase_orders.forms import LINE_LISTS, PARTS
from purchase_orders.models import Business, Membership, OutboundMessage, PurchaseOrder
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    PurchaseOrderFactory,
    UserFactory,
    link_supplier,
)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Name static files without the manifest that only ``collectstatic`` writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class People:
    """A buyer (Karnataka), a supplier (Maharashtra) and an outsider, one person each.

    The buyer's business admin and its approver, each holding that one role
    there and nothing else, are made when a test first asks for them.
    """

    buyer: Business
    supplier: Business
    outsider: Business
    buyer_user: object
    supplier_user: object
    outsider_user: object
    clients: dict = field(default_factory=dict)
    approver: object = None

    @property
    def approver_user(self):
        if self.approver is None:
            self.approver = MembershipFactory(
                user=UserFactory(
                    username="meera",
                    first_name="Meera",
                    last_name="Iyer",
                    email="meera@example.in",
                ),
                business=self.buyer,
                role=Membership.Role.APPROVER,
            ).user
        return self.approver

    @property
    def approver_client(self) -> Client:
        return self.client(self.approver_user)

    def client(self, user) -> Client:
        """Return a test client signed in as a user (one per user)."""
        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = client
        return self.clients[user.pk]

    @property
    def buyer_client(self) -> Client:
        return self.client(self.buyer_user)

    @property
    def supplier_client(self) -> Client:
        return self.client(self.supplier_user)

    @property
    def outsider_client(self) -> Client:
        return self.client(self.outsider_user)

    @functools.cached_property
    def admin_user(self):
        """Return the buyer's business admin (made when first asked for): no other role."""
        return MembershipFactory(
            user=UserFactory(username="bina", first_name="Bina", last_name="Shetty"),
            business=self.buyer,
            role=Membership.Role.ADMIN,
        ).user

    @property
    def admin_client(self) -> Client:
        return self.client(self.admin_user)

    def purchase_order(self, **kwargs) -> PurchaseOrder:
        """Create a purchase order from the buyer to the supplier (a draft unless told)."""
        kwargs.setdefault("buyer", self.buyer)
        kwargs.setdefault("supplier", self.supplier)
        kwargs.setdefault("created_by", self.buyer_user)
        return PurchaseOrderFactory(**kwargs)

    def message(self, purchase_order: PurchaseOrder, **kwargs) -> OutboundMessage:
        """Record an outbound message of a purchase order, as the outbox would hold it."""
        kwargs.setdefault("kind", OutboundMessage.Kind.SEND)
        kwargs.setdefault("object_version", purchase_order.version)
        return OutboundMessage.objects.create(
            purchase_order=purchase_order,
            req_msg_id=conventions.new_req_msg_id(),
            object_id=purchase_order.object_id,
            body="{}",
            **kwargs,
        )


@pytest.fixture
def people(db, settings) -> People:
    # Full-strength password hashing would take most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    buyer = BusinessFactory(
        legal_name="Kaveri Textiles Private Limited", trade_name="Kaveri Textiles"
    )
    supplier = BusinessFactory(
        legal_name="Sahyadri Paper Mills Limited",
        trade_name="Sahyadri Paper",
        state_code="27",
        city="Pune",
        state="Maharashtra",
        pincode="411001",
    )
    outsider = BusinessFactory(legal_name="Elsewhere Traders LLP", trade_name="Elsewhere Traders")
    # The buyer orders from the supplier: it is in the buyer's directory.
    link_supplier(buyer, supplier)
    outsider_user = UserFactory(username="olga")
    for role in Membership.Role.values:
        MembershipFactory(user=outsider_user, business=outsider, role=role)
    return People(
        buyer=buyer,
        supplier=supplier,
        outsider=outsider,
        buyer_user=MembershipFactory(
            user=UserFactory(username="asha", first_name="Asha"),
            business=buyer,
            role=Membership.Role.BUYER,
        ).user,
        supplier_user=MembershipFactory(
            user=UserFactory(username="sunil", first_name="Sunil"),
            business=supplier,
            role=Membership.Role.SUPPLIER,
        ).user,
        outsider_user=outsider_user,
    )


def management_data(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def purchase_order_form_data(
    *,
    buyer: Business,
    supplier: Business,
    lines: list[dict],
    milestones: list[dict] = (),
    charges: list[dict] = (),
    intent: str = "save",
    **fields,
) -> dict:
    """Return what the purchase-order form posts, with each list's management form.

    Each line needs ``product_description``, ``hsn_code``, ``quantity`` and
    ``unit_price``; the GST rate defaults to 18%. A line's own lists
    (``other_taxes``, ``value_details``, ``rates``, ``attributes``) are lists
    of rows, posted with their counts.
    """
    data = {
        "buyer": str(buyer.pk),
        "supplier": str(supplier.pk),
        "buyer_po_number": "",
        "order_date": "2026-11-23",
        "delivery_date": "2026-12-15",
        "subject": "Paper for the printing unit",
        "buyer_gstin": "",
        "place_of_supply": buyer.state_code,
        "shipping_terms": "FOR destination",
        "shipping_bearing_party": "SUPPLIER",
        "shipping_charges": "",
        "intent": intent,
    }
    data.update(fields)
    rows = {"lines": list(lines), "milestones": list(milestones), "other_charges": list(charges)}
    for prefix in PARTS:
        entries = rows.get(prefix, [])
        data.update(management_data(prefix, len(entries)))
        for index, entry in enumerate(entries):
            if prefix == "lines":
                entry = {"gst_rate": "18", "unit": "NOS", **entry}
            for name, value in entry.items():
                if name in LINE_LISTS:
                    data.update(list_data(f"{prefix}-{index}-{name}", value))
                else:
                    data[f"{prefix}-{index}-{name}"] = str(value)
    return data


def list_data(prefix: str, rows: list[dict]) -> dict:
    """Return what one list posts: its counts and each row's fields."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = str(value)
    return data


@pytest.fixture
def form_data():
    return purchase_order_form_data


THREE_LINES = [
    {
        "product_description": "A4 copier paper, 75 gsm",
        "hsn_code": "48025690",
        "quantity": "10",
        "unit": "BOX",
        "unit_price": "1250.00",
    },
    {
        "product_description": "Printer toner, black",
        "hsn_code": "32151190",
        "quantity": "2.5",
        "unit": "KGS",
        "unit_price": "3999.99",
        "discount": "500.01",
    },
    {
        "product_description": "Annual printer maintenance",
        "hsn_code": "998719",
        "quantity": "1",
        "unit_price": "15000",
        "gst_rate": "12",
        "is_service": "on",
    },
]
# THREE_LINES worked out by hand, each tax rounded half-up to the paisa:
# line 1: 10 x 1,250.00 = 12,500.00, GST 18% = 2,250.00 (1,125.00 + 1,125.00);
# line 2: 2.5 x 3,999.99 = 9,999.975 -> 9,999.98, less 500.01 = 9,499.97;
#         18% = 1,709.9946 -> IGST 1,709.99, or 854.9973 -> 855.00 twice = 1,710.00;
# line 3: 15,000.00, GST 12% = 1,800.00 (900.00 + 900.00).
THREE_LINES_TAXABLE = Decimal("36999.97")
THREE_LINES_TOTAL_IGST = Decimal("42759.96")
THREE_LINES_TOTAL_CGST_SGST = Decimal("42759.97")


@pytest.fixture
def three_lines():
    return [dict(line) for line in THREE_LINES]


def profile_form_data(business: Business, **changes) -> dict:
    """Return what the profile form posts for a business as it is, with some changes."""
    data = {
        name: getattr(business, name)
        for name in (
            "legal_name",
            "trade_name",
            "gstin",
            "state_code",
            "pan",
            "cin",
            "udyam_number",
            "address_type",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "country",
            "pincode",
            "contact_type",
            "country_code",
            "phone_number",
            "email",
            "default_terms",
        )
    }
    data["approval_limit"] = "" if business.approval_limit is None else str(business.approval_limit)
    if business.approvers_may_approve_own:
        data["approvers_may_approve_own"] = "on"
    data["reminder_after_days"] = (
        "" if business.reminder_after_days is None else str(business.reminder_after_days)
    )
    data.update(changes)
    return data


def error_next_to(content: str, field_id: str) -> str:
    """Return the text of the error list shown with a field (empty if none)."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', content, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""
