"""Each version and status change keeps the name of the person who wrote it, as it was then."""

import pytest
from django.urls import reverse

from purchase_orders.models import PurchaseOrderVersion, StatusChange
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import confirm_purchase_order, send_purchase_order
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(trading_pair):
    for user, (first, last) in (
        (trading_pair.buyer_user, ("Asha", "Rao")),
        (trading_pair.supplier_user, ("", "")),
    ):
        user.first_name, user.last_name = first, last
        user.save()
    return trading_pair


def test_a_send_and_its_acknowledgement_record_the_senders_name(named, draft_purchase_order):
    order = acknowledged(
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=named.buyer_user)
    )

    rows = StatusChange.objects.filter(purchase_order=order).order_by("pk")
    assert [(row.stage, row.actor_name, row.actor_username) for row in rows] == [
        ("attempted", "Asha Rao", named.buyer_user.username),
        ("applied", "Asha Rao", named.buyer_user.username),
    ]
    version = PurchaseOrderVersion.objects.get(purchase_order=order, version=1)
    assert (version.created_by_name, version.created_by_username) == (
        "Asha Rao",
        named.buyer_user.username,
    )


def test_a_person_without_a_full_name_is_recorded_by_username(named, sent_purchase_order):
    confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=named.supplier_user,
        accept=True,
        remarks="",
        expected_version=1,
    )

    row = StatusChange.objects.filter(action="ACCEPT").get()
    assert row.actor_name == row.actor_username == named.supplier_user.username


def test_a_network_outcome_names_nobody(named, draft_purchase_order):
    order = send_purchase_order(purchase_order=draft_purchase_order, sent_by=named.buyer_user)
    order.refresh_from_db()
    settle_outbound_message(message=order.pending_message, succeeded=False)

    refusal = StatusChange.objects.filter(purchase_order=order).order_by("pk").last()
    assert (refusal.stage, refusal.actor_id, refusal.actor_name, refusal.actor_username) == (
        StatusChange.Stage.REFUSED,
        None,
        "",
        "",
    )


def test_the_page_shows_the_name_recorded_even_after_the_person_is_renamed_and_deactivated(
    named, draft_purchase_order, client
):
    order = acknowledged(
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=named.buyer_user)
    )
    named.buyer_user.first_name, named.buyer_user.is_active = "Ashwini", False
    named.buyer_user.save()
    client.force_login(named.supplier_user)

    page = client.get(reverse("purchase_orders:detail", args=[order.object_id])).content.decode()

    assert f"By Asha Rao of {named.buyer}" in page
    assert "Ashwini" not in page
