"""Create the demo: two businesses, their people, an admin, purchase orders, an invitation.

Only for local work and demonstrations: the users get a published password,
so the command refuses to run unless DEBUG is on. It creates what is missing
and leaves everything that exists as it is, so running it again changes
nothing.

The buyer has an approval limit of ₹50,000.00 and an approver: an order
over it is submitted by the buyer and approved, then sent, by the approver,
as on the pages; the draft is over it too, so it waits to be submitted.

With ``--sandbox-directory FILE`` it also writes the directory the demo's
EnKash sandbox starts with (``enkash_sandbox --directory FILE``): every
business hosted here, as the network knows them, and a few businesses
elsewhere on the network (``REMOTE_BUSINESSES``) for a buyer to find under
Suppliers. The file is rewritten only when its contents would change.
"""

import dataclasses
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from purchase_orders import lifecycle
from purchase_orders.contents import (
    AddressContents,
    ChargeContents,
    Contents,
    Header,
    LineContents,
    MilestoneContents,
    TaxContents,
)
from purchase_orders.models import Business, Invitation, Membership, PurchaseOrder, SupplierLink
from purchase_orders.selectors import approval_needed
from purchase_orders.services.approvals import approve_purchase_order, submit_for_approval
from purchase_orders.services.drafts import complete_contents, create_draft
from purchase_orders.services.invitations import invite_colleague
from purchase_orders.services.purchase_orders import (
    send_purchase_order,
)
from purchase_orders.totals import to_money

DEMO_PASSWORD = "demo-pass-123"

BUYER_B2B_ID = "DEMO-B2B-KA-NANDI"
SUPPLIER_B2B_ID = "DEMO-B2B-MH-SAHYADRI"

NANDI_TERMS = (
    "1. Quote our PO number on every invoice, delivery challan and package.\n"
    "2. Goods are accepted after inspection at our stores; rejected goods are returned at "
    "the supplier's cost.\n"
    "3. Payment as per the milestones of the order, within 45 days of an accepted invoice.\n"
    "4. Disputes are subject to the jurisdiction of the courts at Bengaluru."
)
# A colleague the demo buyer has invited, who has not answered yet.
INVITED_COLLEAGUE = ("ravi.kumar@nandi-precision.example.in", [Membership.Role.BUYER.value])

BUSINESSES = {
    BUYER_B2B_ID: {
        "legal_name": "Nandi Precision Engineering Private Limited",
        "trade_name": "Nandi Precision",
        "gstin": "29AABCN1234F1ZS",
        "pan": "AABCN1234F",
        "state_code": "29",
        "address_type": "OFFICE",
        "address_line1": "Plot 42, 2nd Phase, Peenya Industrial Area",
        "address_line2": "Tumkur Road",
        "city": "Bengaluru",
        "state": "Karnataka",
        "pincode": "560058",
        "phone_number": "8041234567",
        "email": "purchase@nandi-precision.example.in",
        "default_terms": NANDI_TERMS,
        "approval_limit": Decimal("50000.00"),
    },
    SUPPLIER_B2B_ID: {
        "legal_name": "Sahyadri Industrial Supplies Private Limited",
        "trade_name": "Sahyadri Industrial",
        "gstin": "27AADCS5678K1ZQ",
        "pan": "AADCS5678K",
        "state_code": "27",
        "address_type": "OFFICE",
        "address_line1": "Gat No. 118, Chakan MIDC Phase II",
        "address_line2": "Khed",
        "city": "Pune",
        "state": "Maharashtra",
        "pincode": "410501",
        "phone_number": "2135678901",
        "email": "sales@sahyadri-industrial.example.in",
        # An MSME: the draft's balance, due 51 days ahead, shows the 43B(h) warning.
        "udyam_number": "UDYAM-MH-26-0012345",
    },
}

# Businesses elsewhere on the network, known to the demo's sandbox only: a
# buyer finds them by GSTIN or B2B ID under Suppliers, as the network
# describes them (name, alias, state, PIN code, B2B IDs; ONBOARDING.md W3),
# and orders from them: their own platform, played by the sandbox, takes the
# orders sent to them.
REMOTE_BUSINESSES = (
    {
        "name": "Kaveri Castings Private Limited",
        "alias": "Kaveri Castings",
        "state": "Tamil Nadu",
        "pincode": "641021",
        "gstin": "33AAECK4321M1ZM",
        "b2bIds": [
            {"value": "DEMO-B2B-TN-KAVERI", "description": "Coimbatore foundry"},
            {"value": "DEMO-B2B-TN-KAVERI-HOSUR", "description": "Hosur machining unit"},
        ],
        "elsewhere": True,
    },
    {
        "name": "Ganga Packaging Industries",
        "alias": "Ganga Packaging",
        "state": "Uttar Pradesh",
        "pincode": "201301",
        "gstin": "09AAFFG2468H1Z9",
        "b2bIds": [{"value": "DEMO-B2B-UP-GANGA", "description": "Noida plant"}],
        "elsewhere": True,
    },
)

# username -> (user fields, business B2B ID and roles, or None for the admin)
USERS = {
    "buyer": (
        {"first_name": "Asha", "last_name": "Rao", "email": "asha.rao@nandi-precision.example.in"},
        (BUYER_B2B_ID, (Membership.Role.BUYER, Membership.Role.ADMIN)),
    ),
    "approver": (
        {
            "first_name": "Meera",
            "last_name": "Iyer",
            "email": "meera.iyer@nandi-precision.example.in",
        },
        (BUYER_B2B_ID, (Membership.Role.APPROVER,)),
    ),
    "supplier": (
        {
            "first_name": "Vikram",
            "last_name": "Patil",
            "email": "vikram.patil@sahyadri-industrial.example.in",
        },
        (SUPPLIER_B2B_ID, (Membership.Role.SUPPLIER, Membership.Role.ADMIN)),
    ),
    "admin": (
        {
            "first_name": "Portal",
            "last_name": "Administrator",
            "email": "admin@procurement.example.in",
            "is_staff": True,
            "is_superuser": True,
        },
        None,
    ),
}

DELIVERY_ADDRESS = {
    "purpose": "DELIVERY",
    "address_type": "WAREHOUSE",
    "address_line1": "Stores, Gate 3, Plot 42, 2nd Phase, Peenya Industrial Area",
    "address_line2": "Tumkur Road",
    "city": "Bengaluru",
    "state": "Karnataka",
    "country": "India",
    "pincode": "560058",
}


def line(
    description: str,
    hsn_code: str,
    quantity: str,
    unit: str,
    unit_price: str,
    gst_rate: int,
    *,
    is_service: bool = False,
    discount: str = "",
    cess_rate: str = "",
) -> LineContents:
    """Return one line's contents, totals still to compute."""
    return LineContents(
        product_description=description,
        is_service=is_service,
        hsn_code=hsn_code,
        quantity=Decimal(quantity),
        unit=unit,
        unit_price=Decimal(unit_price),
        gst_rate=Decimal(gst_rate),
        origin_country="India",
        value_details=[{"type": "DISCOUNT", "value": Decimal(discount)}] if discount else [],
        other_taxes=(
            [TaxContents(name="Compensation cess", rate=Decimal(cess_rate))] if cess_rate else []
        ),
    )


@dataclass(frozen=True)
class DemoOrder:
    number: str
    status: str
    subject: str
    delivery_in_days: int
    lines: tuple[LineContents, ...]
    other_charges: tuple[tuple[str, str], ...] = ()
    shipping_terms: str = ""
    shipping_bearing_party: str = ""
    # What the shipping terms say the shipping costs; the same amount is its
    # line among the other charges (the total counts only those).
    shipping_charges: str = "0"


ORDERS = (
    DemoOrder(
        number="PO/DEMO/0001",
        status=PurchaseOrder.Status.CREATED,
        subject="Machining consumables for CNC line 2",
        delivery_in_days=9,
        lines=(
            line("Solid carbide end mill, 10 mm, 4 flute", "82077090", "40", "NOS", "1450.00", 18),
            line(
                "Water-soluble cutting oil, 20 litre drum", "27101980", "12", "DRUM", "3890.50", 18
            ),
            line("Cotton knitted safety gloves", "61161000", "200", "PAIR", "42.75", 5),
            line(
                "Angular contact bearing set for spindle, 7014",
                "84821020",
                "4",
                "SET",
                "12680.00",
                18,
                discount="1500.00",
            ),
        ),
        other_charges=(("FREIGHT", "2400.00"),),
        shipping_terms="Door delivery to the buyer's stores; freight as quoted, on the invoice.",
        shipping_bearing_party="BUYER",
        shipping_charges="2400.00",
    ),
    DemoOrder(
        number="PO/DEMO/0002",
        status=PurchaseOrder.Status.CREATED,
        # The month the demo is seeded in, as the order date is.
        subject="Office, pantry and printer supplies, {month}",
        delivery_in_days=14,
        lines=(
            line("A4 copier paper, 75 gsm, ream of 500", "48025690", "50", "REAM", "245.00", 12),
            line("Laser toner cartridge, 2,600 pages", "84439959", "6", "NOS", "3250.00", 18),
            line(
                "Aerated soft drink, 300 ml can, case of 24",
                "22021010",
                "10",
                "CASE",
                "540.00",
                28,
                cess_rate="12",
            ),
            line("Packaged drinking water, 20 litre jar", "22011010", "40", "JAR", "75.00", 18),
        ),
        shipping_terms="Supplier delivers with its own vehicle.",
        shipping_bearing_party="SUPPLIER",
    ),
    DemoOrder(
        number="PO/DEMO/0003",
        status=PurchaseOrder.Status.DRAFT,
        subject="Electrical spares and DG set maintenance",
        delivery_in_days=21,
        lines=(
            line("Miniature circuit breaker, 32 A, C curve", "85362030", "24", "NOS", "310.00", 18),
            line("LED panel light, 2 x 2 ft, 36 W", "94051900", "30", "NOS", "1150.00", 12),
            line(
                "Annual maintenance of 125 kVA DG set",
                "998719",
                "1",
                "JOB",
                "18000.00",
                18,
                is_service=True,
            ),
        ),
    ),
)


def demo_contents(order: DemoOrder, *, buyer, supplier) -> Contents:
    """Return a demo order's contents, totals computed and milestones set."""
    # Every demo order is written, and the sent ones sent, when seed_demo
    # runs: its order date is that day, as its history's dates are. An older
    # order date beside a history of today would read as sent back then.
    today = timezone.localdate()
    order_date = today
    delivery_date = today + datetime.timedelta(days=order.delivery_in_days)
    contents = complete_contents(
        contents=Contents(
            header=Header(
                buyer_po_number=order.number,
                order_date=order_date,
                delivery_date=delivery_date,
                subject=order.subject.format(month=f"{today:%B}"),
                shipping_terms=order.shipping_terms,
                shipping_bearing_party=order.shipping_bearing_party,
                shipping_charges=Decimal(order.shipping_charges),
                po_infos=[{"detailType": "COST_CENTRE", "detailValue": "CC-210 Production"}],
            ),
            addresses=[AddressContents(**DELIVERY_ADDRESS)],
            lines=[
                dataclasses.replace(entry, serial_no=str(index + 1))
                for index, entry in enumerate(order.lines)
            ],
            other_charges=[
                ChargeContents(charge_type=charge_type, amount=Decimal(amount))
                for charge_type, amount in order.other_charges
            ],
        ),
        buyer=buyer,
        supplier=supplier,
    )
    # Milestones need the total, which only the lines' totals give.
    total = contents.header.total_po_value
    advance = to_money(total * Decimal("0.30"))
    # The advance falls due a week after the order: PO/DEMO/0002's is due this
    # week, on the buyer's home page.
    contents.milestones = [
        MilestoneContents(due_on=order_date + datetime.timedelta(days=7), due_amount=advance),
        MilestoneContents(
            due_on=delivery_date + datetime.timedelta(days=30), due_amount=total - advance
        ),
    ]
    return contents


class Command(BaseCommand):
    help = (
        "Create the demo businesses, the users buyer, approver, supplier and admin (password "
        f"{DEMO_PASSWORD}) and demo purchase orders: a draft and two sent (one approved by "
        "the approver), which await the supplier's confirmation once the network has "
        "delivered them, and an invitation the buyer sent a colleague. Creates only what "
        "is missing. DEBUG only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sandbox-directory",
            type=Path,
            help="Also write the directory of businesses the demo's EnKash sandbox knows "
            "(for enkash_sandbox --directory) to this JSON file.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with a published password, so it runs only "
                "with DEBUG on (DEBUG=true)."
            )
        with transaction.atomic():
            created = self.seed()
        if options["sandbox_directory"]:
            path = options["sandbox_directory"]
            if write_sandbox_directory(path):
                created.append(f"the sandbox's directory in {path}")
        if options["verbosity"] > 0:
            if created:
                for item in created:
                    self.stdout.write(f"Created {item}.")
            else:
                self.stdout.write("The demo data is already there; nothing was changed.")
            self.stdout.write(
                f"Sign in as buyer, approver, supplier or admin with the password {DEMO_PASSWORD}."
            )

    def seed(self) -> list[str]:
        """Create whatever of the demo is missing; return a description of each thing made."""
        created = []
        businesses = {}
        for b2b_id, fields in BUSINESSES.items():
            business = Business.objects.filter(b2b_id=b2b_id).first()
            if business is None:
                business = Business(b2b_id=b2b_id, is_hosted=True, **fields)
                business.full_clean()
                business.save()
                created.append(f"business {business} ({b2b_id})")
            businesses[b2b_id] = business

        users = {}
        User = get_user_model()
        for username, (fields, membership) in USERS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, **fields)
                user.set_password(DEMO_PASSWORD)
                user.save()
                created.append(f"user {username}")
            users[username] = user
            if membership:
                b2b_id, roles = membership
                for role in roles:
                    _, is_new = Membership.objects.get_or_create(
                        user=user, business=businesses[b2b_id], role=role
                    )
                    if is_new:
                        created.append(
                            f"membership of {username} as {role.label.lower()} of "
                            f"{businesses[b2b_id]}"
                        )

        buyer, supplier = businesses[BUYER_B2B_ID], businesses[SUPPLIER_B2B_ID]
        _, is_new = SupplierLink.objects.get_or_create(
            buyer=buyer, supplier=supplier, defaults={"added_by": users["buyer"]}
        )
        if is_new:
            created.append(f"{supplier} in the supplier directory of {buyer}")
        email, roles = INVITED_COLLEAGUE
        if not Invitation.objects.filter(business=buyer, email=email).exists():
            invite_colleague(business=buyer, email=email, roles=roles, invited_by=users["buyer"])
            created.append(f"an invitation to {email} to join {buyer}")
        for order in ORDERS:
            if PurchaseOrder.objects.filter(buyer=buyer, buyer_po_number=order.number).exists():
                continue
            purchase_order = self.create_order(
                order,
                buyer=buyer,
                supplier=supplier,
                buyer_user=users["buyer"],
                approver_user=users["approver"],
            )
            state = (
                lifecycle.STAGE_LABELS[lifecycle.ATTEMPTED]
                if purchase_order.is_pending
                else purchase_order.get_status_display()
            )
            created.append(f"purchase order {order.number} ({state})")
        return created

    def create_order(self, order: DemoOrder, *, buyer, supplier, buyer_user, approver_user):
        """Make one demo purchase order through the services, as its people would have.

        So its versions, history and network messages are those the portal
        keeps for any order: the sent ones' messages are queued for the
        network, and they are "waiting for the network" until the demo's
        worker delivers them. One over the buyer's approval limit is
        submitted by the buyer and approved (and so sent) by the approver.
        """
        purchase_order = create_draft(
            buyer=buyer,
            supplier=supplier,
            created_by=buyer_user,
            contents=demo_contents(order, buyer=buyer, supplier=supplier),
        )
        if order.status == PurchaseOrder.Status.DRAFT:
            return purchase_order
        if approval_needed(
            business=buyer, total=purchase_order.total_po_value, approver_of_own=False
        ):
            submit_for_approval(purchase_order=purchase_order, submitted_by=buyer_user)
            return approve_purchase_order(purchase_order=purchase_order, approved_by=approver_user)
        return send_purchase_order(purchase_order=purchase_order, sent_by=buyer_user)


def sandbox_directory() -> list[dict]:
    """Return the businesses the demo's network knows: those hosted here, then the remote ones."""
    hosted = [
        {
            "name": business.legal_name,
            "alias": business.trade_name,
            "state": business.state,
            "pincode": business.pincode,
            "gstin": business.gstin,
            "b2bIds": [{"value": business.b2b_id, "description": business.city}],
        }
        for business in Business.objects.filter(is_hosted=True).order_by("b2b_id")
    ]
    return [*hosted, *REMOTE_BUSINESSES]


def write_sandbox_directory(path: Path) -> bool:
    """Write the sandbox's directory to ``path``; return whether the file changed."""
    text = json.dumps(sandbox_directory(), indent=2, ensure_ascii=False) + "\n"
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True
