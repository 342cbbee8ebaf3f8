"""seed_demo: two hosted businesses, four people, a draft and two sent orders; once; DEBUG only."""

import datetime
import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from purchase_orders.contents import terms_of
from purchase_orders.enkash import payloads
from purchase_orders.exceptions import NotAllowed
from purchase_orders.lifecycle import BUYER
from purchase_orders.models import (
    ApprovalRequest,
    Business,
    Invitation,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.sandbox.directory import Directory, make_entries
from purchase_orders.selectors import (
    get_purchase_order_page,
    get_purchase_order_with_contents,
    get_viewer,
    milestones_due,
)
from purchase_orders.services.approvals import approve_purchase_order, submit_for_approval
from purchase_orders.services.purchase_orders import send_purchase_order
from purchase_orders.services.warnings import MSME_PAYMENT, purchase_order_warnings
from purchase_orders.totals import find_total_mismatches
from purchase_orders.validators import validate_gstin
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[3]


@pytest.fixture
def seed(settings):
    settings.DEBUG = True
    # Full-strength password hashing would take most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def run() -> str:
        out = StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    return run


def every_row() -> dict:
    """Return every row of every table the portal and auth keep, by model."""
    models = [*apps.get_app_config("purchase_orders").get_models(), get_user_model()]
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models
    }


def test_creates_two_hosted_businesses_in_different_states_with_valid_gstins(seed):
    seed()

    businesses = list(Business.objects.order_by("state_code"))
    assert [business.state_code for business in businesses] == ["27", "29"]
    for business in businesses:
        assert validate_gstin(business.gstin) is None
        assert business.gstin[:2] == business.state_code
        assert business.is_hosted is True
        business.full_clean()


def test_creates_buyer_approver_supplier_and_admin_with_the_demo_password(seed):
    seed()

    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == {"buyer", "approver", "supplier", "admin"}
    for user in users.values():
        assert user.check_password("demo-pass-123") is True
        assert "@" in user.email
    assert (users["admin"].is_superuser, users["admin"].is_staff) == (True, True)
    assert not users["buyer"].is_staff and not users["supplier"].is_staff
    memberships = set(
        Membership.objects.values_list("user__username", "role", "business__state_code")
    )
    assert memberships == {
        ("buyer", "buyer", "29"),
        ("buyer", "admin", "29"),
        ("approver", "approver", "29"),
        ("supplier", "supplier", "27"),
        ("supplier", "admin", "27"),
    }
    assert users["approver"].get_full_name() == "Meera Iyer"
    assert users["approver"].email == "meera.iyer@nandi-precision.example.in"


def test_the_buyer_needs_an_approver_over_fifty_thousand_rupees(seed):
    seed()

    buyer = Business.objects.get(state_code="29")
    assert buyer.approval_limit == Decimal("50000.00")
    assert buyer.approvers_may_approve_own is False
    totals = {order.buyer_po_number: order.total_po_value for order in PurchaseOrder.objects.all()}
    assert totals["PO/DEMO/0001"] > buyer.approval_limit >= totals["PO/DEMO/0002"]
    assert totals["PO/DEMO/0003"] > buyer.approval_limit


def test_the_businesses_have_their_pan_and_the_buyer_its_terms_and_a_pending_invitation(seed):
    seed()

    for business in Business.objects.all():
        assert business.pan == business.gstin[2:12]
    buyer = Business.objects.get(state_code="29")
    assert buyer.default_terms.startswith("1. Quote our PO number on every invoice")
    invitation = Invitation.objects.get()
    assert (invitation.business, invitation.email, invitation.roles) == (
        buyer,
        "ravi.kumar@nandi-precision.example.in",
        ["buyer"],
    )
    assert (invitation.state, invitation.invited_by.username) == ("pending", "buyer")
    # The demo's orders start with the buyer's default terms.
    for order in PurchaseOrder.objects.all():
        assert terms_of(order.po_infos) == buyer.default_terms


def orders_by_number() -> dict[str, PurchaseOrder]:
    return {order.buyer_po_number: order for order in PurchaseOrder.objects.all()}


def test_creates_a_draft_and_two_sent_orders_waiting_for_the_network(seed):
    seed()

    orders = orders_by_number()
    assert set(orders) == {"PO/DEMO/0001", "PO/DEMO/0002", "PO/DEMO/0003"}
    draft, sent = orders["PO/DEMO/0003"], [orders["PO/DEMO/0001"], orders["PO/DEMO/0002"]]
    # Sent through the services: pending, the network has not acknowledged them yet.
    for order in sent:
        assert (order.status, order.version) == ("DRAFT", 0)
        assert (order.pending_action, order.pending_message.kind) == ("SEND", "req-send")
        assert order.pending_since == order.pending_message.created_at
        assert order.sent_at is None and order.delivered_at is None
    assert (draft.status, draft.version, draft.pending_action) == ("DRAFT", 0, "")
    assert draft.sent_at is None
    for order in orders.values():
        assert order.buyer.state_code == "29" and order.supplier.state_code == "27"
        assert order.created_by.username == "buyer"
        assert order.get_absolute_url() == f"/purchase-orders/{order.object_id}/"


def test_the_sent_orders_await_confirmation_once_the_network_acknowledges_them(seed):
    seed()

    for number in ("PO/DEMO/0001", "PO/DEMO/0002"):
        order = acknowledged(PurchaseOrder.objects.get(buyer_po_number=number))
        assert (order.status, order.version, order.pending_action) == ("CREATED", 1, "")
        assert order.sent_at is not None and order.delivered_at is not None


def test_orders_have_realistic_consistent_contents(seed):
    seed()

    rates, cess_lines = set(), 0
    for order in PurchaseOrder.objects.all():
        fresh = get_purchase_order_with_contents(pk=order.pk)
        lines = list(fresh.lines.all())
        assert len(lines) >= 3
        assert all(len(line.hsn_code) in (4, 6, 8) for line in lines)
        rates |= {line.gst_rate for line in lines}
        cess_lines += sum(1 for line in lines if line.other_taxes.all())
        assert [address.purpose for address in fresh.addresses.all()] == ["DELIVERY"]
        milestones = [milestone.due_amount for milestone in fresh.milestones.all()]
        assert len(milestones) == 2
        assert sum(milestones) == fresh.total_po_value > Decimal(0)
        parsed = payloads.parse_purchase_order(payloads.build_purchase_order(fresh))
        assert find_total_mismatches(parsed) == []
    assert rates == {Decimal(5), Decimal(12), Decimal(18), Decimal(28)}
    assert cess_lines == 1


def test_the_buyer_has_a_payment_due_this_week_and_the_draft_warns_of_a_late_msme_payment(
    seed,
):
    seed()
    for number in ("PO/DEMO/0001", "PO/DEMO/0002"):
        acknowledged(PurchaseOrder.objects.get(buyer_po_number=number))
    buyer = get_viewer(get_user_model().objects.get(username="buyer"))

    due = milestones_due(viewer=buyer, role=BUYER, today=timezone.localdate())
    draft = get_purchase_order_page(
        viewer=buyer,
        object_id=PurchaseOrder.objects.get(buyer_po_number="PO/DEMO/0003").object_id,
    )

    assert sorted(milestone.purchase_order.buyer_po_number for milestone in due) == [
        "PO/DEMO/0001",
        "PO/DEMO/0002",
    ]
    assert [warning.kind for warning in purchase_order_warnings(purchase_order=draft)] == [
        MSME_PAYMENT
    ]
    assert Business.objects.get(udyam_number="UDYAM-MH-26-0012345").trade_name == (
        "Sahyadri Industrial"
    )


def test_the_orders_are_dated_the_day_their_history_begins(seed):
    seed()

    today = timezone.localdate()
    for order in PurchaseOrder.objects.all():
        assert order.order_date == today, order.buyer_po_number
        written = [timezone.localdate(change.created_at) for change in order.status_changes.all()]
        assert set(written) <= {today}, order.buyer_po_number
        advance = order.milestones.order_by("due_on").first()
        assert advance.due_on == today + datetime.timedelta(days=7)
    office = orders_by_number()["PO/DEMO/0002"]
    assert office.subject == f"Office, pantry and printer supplies, {today:%B}"


def test_the_shipping_charges_are_the_freight_among_the_charges(seed):
    seed()

    for order in PurchaseOrder.objects.all():
        freight = sum(
            (charge.amount for charge in order.other_charges.filter(charge_type="FREIGHT")),
            Decimal(0),
        )
        assert order.shipping_charges == freight, order.buyer_po_number
    first = orders_by_number()["PO/DEMO/0001"]
    assert first.shipping_charges == Decimal("2400.00")


def test_sent_orders_have_their_version_and_status_history(seed):
    seed()

    orders = orders_by_number()
    draft = orders["PO/DEMO/0003"]
    for number in ("PO/DEMO/0001", "PO/DEMO/0002"):
        order = orders[number]
        version = PurchaseOrderVersion.objects.get(purchase_order=order)
        assert version.version == 1
        assert version.created_by.username == "buyer"
        snapshot = version.snapshot["purchaseOrder"]
        assert snapshot["objectId"] == order.object_id
        assert snapshot["poStatusTransition"] == {
            "currentStatus": "CREATED",
            "newStatus": "CREATED",
        }
    history = {
        number: list(
            StatusChange.objects.filter(purchase_order=orders[number]).values_list(
                "from_status", "to_status", "action", "stage", "actor__username", "message"
            )
        )
        for number in ("PO/DEMO/0001", "PO/DEMO/0002")
    }
    # Over the limit: submitted by the buyer, approved and so sent by the approver.
    assert history["PO/DEMO/0001"] == [
        ("DRAFT", "AWAITING_APPROVAL", "SUBMIT", "applied", "buyer", None),
        ("AWAITING_APPROVAL", "DRAFT", "APPROVE", "applied", "approver", None),
        (
            "DRAFT",
            "CREATED",
            "SEND",
            "attempted",
            "approver",
            orders["PO/DEMO/0001"].pending_message_id,
        ),
    ]
    assert history["PO/DEMO/0002"] == [
        (
            "DRAFT",
            "CREATED",
            "SEND",
            "attempted",
            "buyer",
            orders["PO/DEMO/0002"].pending_message_id,
        )
    ]
    approved = PurchaseOrderVersion.objects.get(purchase_order=orders["PO/DEMO/0001"])
    assert (approved.approved_by.username, approved.approved_by_name) == ("approver", "Meera Iyer")
    request = ApprovalRequest.objects.get()
    assert (request.purchase_order, request.state, request.decided_by.username) == (
        orders["PO/DEMO/0001"],
        "approved",
        "approver",
    )
    assert request.message == orders["PO/DEMO/0001"].pending_message
    direct = PurchaseOrderVersion.objects.get(purchase_order=orders["PO/DEMO/0002"])
    assert (direct.approved_by, direct.approved_by_name) == (None, "")
    assert not PurchaseOrderVersion.objects.filter(purchase_order=draft).exists()
    assert not StatusChange.objects.filter(purchase_order=draft).exists()


def test_sent_orders_have_their_network_messages_queued_in_order(seed):
    seed()

    queued = list(
        OutboundMessage.objects.order_by("pk").values_list(
            "purchase_order__buyer_po_number", "kind", "object_version", "state"
        )
    )
    assert queued == [
        ("PO/DEMO/0001", "req-send", 1, "queued"),
        ("PO/DEMO/0002", "req-send", 1, "queued"),
    ]


def test_the_demo_draft_is_sent_once_the_demo_approver_approves_it(seed):
    seed()
    draft = PurchaseOrder.objects.get(buyer_po_number="PO/DEMO/0003")
    users = {user.username: user for user in get_user_model().objects.all()}

    with pytest.raises(NotAllowed) as refused:
        send_purchase_order(purchase_order=draft, sent_by=users["buyer"])
    submit_for_approval(purchase_order=draft, submitted_by=users["buyer"])
    approve_purchase_order(purchase_order=draft, approved_by=users["approver"])

    assert refused.value.message.startswith(
        "Total ₹68,659.20 is over Nandi Precision's approval limit of ₹50,000.00."
    )
    draft.refresh_from_db()
    assert (draft.status, draft.pending_action) == ("DRAFT", "SEND")
    sent = acknowledged(draft)
    assert (sent.status, sent.version) == ("CREATED", 1)


def test_running_it_twice_changes_nothing(seed):
    first = seed()
    before = every_row()

    second = seed()

    assert every_row() == before
    assert "Created purchase order PO/DEMO/0001 (Sent, waiting for the network)." in first
    assert "Created purchase order PO/DEMO/0002 (Sent, waiting for the network)." in first
    assert "Created purchase order PO/DEMO/0003 (Draft)." in first
    assert "Created user approver." in first
    assert "Created membership of approver as approver of Nandi Precision." in first
    assert second.splitlines() == [
        "The demo data is already there; nothing was changed.",
        "Sign in as buyer, approver, supplier or admin with the password demo-pass-123.",
    ]


def test_it_completes_what_is_missing_and_keeps_what_exists(seed):
    seed()
    buyer = get_user_model().objects.get(username="buyer")
    buyer.set_password("changed-by-the-user-1")
    buyer.save()
    kept = {
        number: order.pk for number, order in orders_by_number().items() if number != "PO/DEMO/0003"
    }
    PurchaseOrder.objects.filter(buyer_po_number="PO/DEMO/0003").delete()

    out = seed()

    buyer.refresh_from_db()
    assert buyer.check_password("changed-by-the-user-1") is True
    orders = orders_by_number()
    assert set(orders) == {"PO/DEMO/0001", "PO/DEMO/0002", "PO/DEMO/0003"}
    assert {number: orders[number].pk for number in kept} == kept
    assert orders["PO/DEMO/0003"].pending_action == ""
    assert OutboundMessage.objects.count() == 2
    assert out.splitlines()[0] == "Created purchase order PO/DEMO/0003 (Draft)."


def test_nandi_orders_from_sahyadri_which_is_in_its_supplier_directory(seed):
    seed()

    nandi = Business.objects.get(b2b_id="DEMO-B2B-KA-NANDI")
    assert [link.supplier.b2b_id for link in nandi.supplier_links.all()] == ["DEMO-B2B-MH-SAHYADRI"]


def test_it_writes_the_sandboxs_directory_once(seed, settings, tmp_path):
    path = tmp_path / "sandbox-directory.json"
    seed()

    first = StringIO()
    call_command("seed_demo", "--sandbox-directory", str(path), stdout=first)
    written = path.read_text()
    again = StringIO()
    call_command("seed_demo", "--sandbox-directory", str(path), stdout=again)

    assert f"Created the sandbox's directory in {path}." in first.getvalue()
    assert again.getvalue().startswith("The demo data is already there; nothing was changed.")
    assert path.read_text() == written
    entries = json.loads(written)
    # The two businesses hosted here, as the network knows them, then two elsewhere.
    assert [entry["b2bIds"][0]["value"] for entry in entries] == [
        "DEMO-B2B-KA-NANDI",
        "DEMO-B2B-MH-SAHYADRI",
        "DEMO-B2B-TN-KAVERI",
        "DEMO-B2B-UP-GANGA",
    ]
    assert entries[0]["gstin"] == "29AABCN1234F1ZS"
    # The sandbox takes every entry by its own rules; the remote ones are not businesses here.
    assert len(Directory(make_entries(entries)).all()) == 4
    assert not Business.objects.filter(b2b_id__in=["DEMO-B2B-TN-KAVERI", "DEMO-B2B-UP-GANGA"])
    for entry in entries[2:]:
        assert validate_gstin(entry["gstin"]) is None


def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as caught:
        call_command("seed_demo")

    assert str(caught.value) == (
        "seed_demo creates users with a published password, so it runs only with DEBUG "
        "on (DEBUG=true)."
    )
    assert every_row() == {label: [] for label in every_row()}


def test_manage_py_exits_non_zero_with_debug_off():
    env = {**os.environ, "DEBUG": "false"}

    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "runs only with DEBUG on" in result.stderr
