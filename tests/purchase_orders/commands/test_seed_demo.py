"""seed_demo: two hosted businesses, three people, orders in three states; once only; DEBUG only."""

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

from purchase_orders.enkash import payloads
from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.totals import find_total_mismatches
from purchase_orders.validators import validate_gstin

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


def test_creates_buyer_supplier_and_admin_with_the_demo_password(seed):
    seed()

    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == {"buyer", "supplier", "admin"}
    for user in users.values():
        assert user.check_password("demo-pass-123") is True
        assert "@" in user.email
    assert (users["admin"].is_superuser, users["admin"].is_staff) == (True, True)
    assert not users["buyer"].is_staff and not users["supplier"].is_staff
    memberships = set(
        Membership.objects.values_list("user__username", "role", "business__state_code")
    )
    assert memberships == {("buyer", "buyer", "29"), ("supplier", "supplier", "27")}


def test_creates_a_draft_a_sent_and_an_accepted_order(seed):
    seed()

    orders = {order.status: order for order in PurchaseOrder.objects.all()}
    assert set(orders) == {"DRAFT", "CREATED", "ACCEPTED"}
    assert (orders["DRAFT"].version, orders["CREATED"].version, orders["ACCEPTED"].version) == (
        0,
        1,
        1,
    )
    # Sent through the services: on their way, not yet delivered by the network.
    assert orders["CREATED"].sent_at is not None and orders["CREATED"].delivered_at is None
    assert orders["DRAFT"].sent_at is None
    for order in orders.values():
        assert order.buyer.state_code == "29" and order.supplier.state_code == "27"
        assert order.created_by.username == "buyer"
        assert order.get_absolute_url() == f"/purchase-orders/{order.object_id}/"


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


def test_sent_orders_have_their_version_and_status_history(seed):
    seed()

    sent = PurchaseOrder.objects.get(status="CREATED")
    accepted = PurchaseOrder.objects.get(status="ACCEPTED")
    draft = PurchaseOrder.objects.get(status="DRAFT")
    for order in (sent, accepted):
        version = PurchaseOrderVersion.objects.get(purchase_order=order)
        assert version.version == 1
        assert version.created_by.username == "buyer"
        snapshot = version.snapshot["purchaseOrder"]
        assert snapshot["objectId"] == order.object_id
        assert snapshot["poStatusTransition"] == {
            "currentStatus": "CREATED",
            "newStatus": "CREATED",
        }
    assert list(
        StatusChange.objects.filter(purchase_order=accepted).values_list(
            "from_status", "to_status", "action", "actor__username"
        )
    ) == [("DRAFT", "CREATED", "SEND", "buyer"), ("CREATED", "ACCEPTED", "ACCEPT", "supplier")]
    assert StatusChange.objects.filter(purchase_order=sent).count() == 1
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
        ("PO/DEMO/0001", "req-confirm", 1, "queued"),
        ("PO/DEMO/0002", "req-send", 1, "queued"),
    ]


def test_the_demo_draft_can_be_sent_by_the_demo_buyer(seed):
    from purchase_orders.services.purchase_orders import send_purchase_order

    seed()
    draft = PurchaseOrder.objects.get(status="DRAFT")

    sent = send_purchase_order(
        purchase_order=draft, sent_by=get_user_model().objects.get(username="buyer")
    )

    assert (sent.status, sent.version) == ("CREATED", 1)


def test_running_it_twice_changes_nothing(seed):
    first = seed()
    before = every_row()

    second = seed()

    assert every_row() == before
    assert "Created purchase order PO/DEMO/0001 (Accepted)." in first
    assert second.splitlines() == [
        "The demo data is already there; nothing was changed.",
        "Sign in as buyer, supplier or admin with the password demo-pass-123.",
    ]


def test_it_completes_what_is_missing_and_keeps_what_exists(seed):
    seed()
    buyer = get_user_model().objects.get(username="buyer")
    buyer.set_password("changed-by-the-user-1")
    buyer.save()
    PurchaseOrder.objects.filter(status="DRAFT").delete()

    seed()

    buyer.refresh_from_db()
    assert buyer.check_password("changed-by-the-user-1") is True
    assert PurchaseOrder.objects.filter(status="DRAFT").count() == 1
    assert PurchaseOrder.objects.count() == 3


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
