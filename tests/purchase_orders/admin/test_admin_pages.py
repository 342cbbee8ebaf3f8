"""Every admin page renders for a superuser on the demo data; records stay read-only."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from purchase_orders.models import (
    BusinessChange,
    InboundEvent,
    Invitation,
    InvitationSendCount,
    OutboundMessage,
    Party,
    PurchaseOrder,
    PurchaseOrderVersion,
    Reminder,
    StatusChange,
)
from purchase_orders.services.purchase_orders import confirm_purchase_order
from purchase_orders.templatetags.portal import format_inr
from tests.factories import PurchaseOrderFactory
from tests.purchase_orders.admin.conftest import outbound_message

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
# Records of what happened (the task queue's too), and parts of a purchase
# order edited on its page.
NO_ADD_PAGE = {
    "django_tasks_database.DBTaskResult",
    "purchase_orders.ApprovalRequest",
    "purchase_orders.BusinessChange",
    "purchase_orders.FlaggedDelivery",
    "purchase_orders.InboundEvent",
    "purchase_orders.Invitation",
    "purchase_orders.InvitationSendCount",
    "purchase_orders.LineItem",
    "purchase_orders.LineItemTax",
    "purchase_orders.OtherCharge",
    "purchase_orders.OutboundMessage",
    "purchase_orders.Party",
    "purchase_orders.PaymentMilestone",
    "purchase_orders.PurchaseOrderAddress",
    "purchase_orders.PurchaseOrderVersion",
    "purchase_orders.Reminder",
    "purchase_orders.StatusChange",
    "purchase_orders.SupplierSearch",
}
RECORDS = (
    PurchaseOrderVersion,
    StatusChange,
    OutboundMessage,
    InboundEvent,
    Invitation,
    BusinessChange,
    InvitationSendCount,
    Reminder,
)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_of_the_portal_is_registered():
    from django.apps import apps

    portal_models = set(apps.get_app_config("purchase_orders").get_models())

    assert portal_models <= set(admin.site._registry)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_renders_with_rows_and_with_a_search(superuser_client, model):
    response = superuser_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == model._default_manager.count() > 0
    assert superuser_client.get(admin_url(model, "changelist"), {"q": "DEMO"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_add_page_renders_or_is_refused_for_records(superuser_client, model):
    response = superuser_client.get(admin_url(model, "add"))

    assert response.status_code == (403 if model._meta.label in NO_ADD_PAGE else 200)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_change_page_of_every_row_renders(superuser_client, model):
    for pk in model._default_manager.values_list("pk", flat=True):
        response = superuser_client.get(admin_url(model, "change", pk))

        assert response.status_code == 200, (model._meta.label, pk)


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model._meta.label)
def test_records_are_shown_read_only_and_cannot_be_deleted(superuser_client, model):
    record = model._default_manager.first()

    page = superuser_client.get(admin_url(model, "change", record.pk))
    post = superuser_client.post(admin_url(model, "change", record.pk), {})
    delete = superuser_client.get(admin_url(model, "delete", record.pk))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert delete.status_code == 403
    assert model._default_manager.filter(pk=record.pk).exists()


def test_a_draft_is_editable_and_a_sent_order_only_viewable(superuser_client, demo):
    draft = superuser_client.get(admin_url(PurchaseOrder, "change", demo.draft.pk))
    sent = superuser_client.get(admin_url(PurchaseOrder, "change", demo.sent.pk))

    assert 'name="_save"' in draft.content.decode()
    assert 'name="_save"' not in sent.content.decode()
    assert (
        superuser_client.post(admin_url(PurchaseOrder, "change", demo.sent.pk)).status_code == 403
    )
    assert superuser_client.get(admin_url(PurchaseOrder, "delete", demo.sent.pk)).status_code == 403
    assert (
        superuser_client.get(admin_url(PurchaseOrder, "delete", demo.draft.pk)).status_code == 200
    )


def test_orders_cannot_be_deleted_in_bulk(superuser_client, demo):
    url = admin_url(PurchaseOrder, "changelist")

    page = superuser_client.get(url)
    superuser_client.post(
        url,
        {"action": "delete_selected", "_selected_action": [demo.sent.pk], "post": "yes"},
    )

    assert "delete_selected" not in page.content.decode()
    assert PurchaseOrder.objects.filter(pk=demo.sent.pk).exists()


def test_sent_order_page_shows_its_versions_status_changes_and_messages(superuser_client, demo):
    page = superuser_client.get(admin_url(PurchaseOrder, "change", demo.accepted.pk))
    content = page.content.decode()

    assert "Sent to the supplier." in content
    assert "ACCEPT" in content
    assert demo.acknowledged_message.req_msg_id in content
    assert admin_url(InboundEvent, "change", demo.event.pk) in content
    assert format_inr(demo.accepted.total_po_value) in content


def test_changelist_shows_totals_in_rupees_with_two_decimals(superuser_client, demo):
    content = superuser_client.get(admin_url(PurchaseOrder, "changelist")).content.decode()

    for order in (demo.draft, demo.sent, demo.accepted):
        assert f'<td class="field-total">{format_inr(order.total_po_value)}</td>' in content


def changelist_row(content: str, purchase_order: PurchaseOrder) -> str:
    """Return the HTML of the change list's row of one purchase order."""
    link = admin_url(PurchaseOrder, "change", purchase_order.pk)
    return next(row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", content, re.S) if link in row)


def test_changelist_shows_the_action_waiting_for_the_network(superuser_client, demo):
    confirm_purchase_order(
        purchase_order=demo.sent,
        confirmed_by=get_user_model().objects.get(username="supplier"),
        accept=True,
        remarks="",
        expected_version=1,
    )
    url = admin_url(PurchaseOrder, "changelist")

    content = superuser_client.get(url).content.decode()

    assert re.search(r'<th[^>]*class="[^"]*column-pending_action[^"]*"', content)
    pending = changelist_row(content, demo.sent)
    assert '<td class="field-pending_action">Confirm</td>' in pending
    assert (
        '<td class="field-status_and_version">Sent, awaiting confirmation'
        '<span class="block quiet">version 1</span></td>'
    ) in pending
    assert '<td class="field-status_and_version">Draft</td>' in changelist_row(content, demo.draft)
    for settled in (demo.draft, demo.accepted):
        assert '<td class="field-pending_action">-</td>' in changelist_row(content, settled)
    waiting = superuser_client.get(url, {"pending_action__exact": "ACCEPT"}).content.decode()
    assert demo.sent.buyer_po_number in waiting
    assert demo.accepted.buyer_po_number not in waiting


@pytest.mark.parametrize(
    ("query", "only_the_sent_order"),
    [
        (lambda demo: demo.sent.object_id, True),
        (lambda demo: demo.sent.buyer_po_number, True),
        (lambda demo: demo.sent.buyer.gstin, False),
        (lambda demo: demo.sent.supplier.b2b_id, False),
    ],
    ids=["object id", "PO number", "buyer GSTIN", "supplier B2B ID"],
)
def test_purchase_orders_are_found_by_number_object_id_gstin_and_b2b_id(
    superuser_client, demo, query, only_the_sent_order
):
    other = PurchaseOrderFactory()

    response = superuser_client.get(admin_url(PurchaseOrder, "changelist"), {"q": query(demo)})

    found = set(response.context["cl"].result_list)
    assert other not in found
    assert found == ({demo.sent} if only_the_sent_order else {demo.draft, demo.sent, demo.accepted})


def test_purchase_orders_are_filtered_by_status_and_supplier(superuser_client, demo):
    url = admin_url(PurchaseOrder, "changelist")

    by_status = superuser_client.get(url, {"status__exact": "ACCEPTED"})
    by_supplier = superuser_client.get(url, {"supplier__id__exact": demo.sent.supplier_id})

    assert list(by_status.context["cl"].result_list) == [demo.accepted]
    assert by_supplier.context["cl"].result_count == 3


def test_messages_are_found_by_req_msg_id_and_filtered_by_state(superuser_client, demo):
    url = admin_url(OutboundMessage, "changelist")

    found = superuser_client.get(url, {"q": demo.failed_message.req_msg_id})
    failed = superuser_client.get(url, {"state__exact": "failed"})

    assert list(found.context["cl"].result_list) == [demo.failed_message]
    assert list(failed.context["cl"].result_list) == [demo.failed_message]


@pytest.mark.parametrize(
    "model",
    [PurchaseOrder, OutboundMessage, StatusChange, PurchaseOrderVersion],
    ids=lambda model: model._meta.label,
)
def test_changelist_queries_do_not_grow_with_rows(superuser_client, demo, model):
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as few:
        superuser_client.get(url)

    for _ in range(4):
        order = PurchaseOrderFactory(buyer=demo.sent.buyer, supplier=demo.sent.supplier, sent=True)
        outbound_message(order)
        StatusChange.objects.create(purchase_order=order, to_status="CREATED", version=1)
        PurchaseOrderVersion.objects.create(purchase_order=order, version=1, snapshot={})
    with CaptureQueriesContext(connection) as many:
        response = superuser_client.get(url)

    assert response.context["cl"].result_count > 4
    assert len(many) == len(few)


def test_every_model_is_named_in_words_with_its_plural(superuser_client):
    content = superuser_client.get(reverse("admin:index")).content.decode()

    assert ">Other taxes<" in content
    assert "taxs" not in content
    for model in REGISTERED:
        plural = str(model._meta.verbose_name_plural)
        assert not plural.endswith(("xs", "ys")) or plural.endswith("ays"), plural


def test_status_changes_name_both_statuses_and_the_action_in_words(superuser_client, demo):
    content = superuser_client.get(admin_url(StatusChange, "changelist")).content.decode()
    sent = StatusChange.objects.filter(purchase_order=demo.sent, from_status="DRAFT").first()

    row = next(
        row
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", content, re.S)
        if admin_url(StatusChange, "change", sent.pk) in row
    )
    assert '<td class="field-from_status">Draft</td>' in row
    assert '<td class="field-to_status">Sent, awaiting confirmation</td>' in row
    assert '<td class="field-action_label">Send to supplier</td>' in row
    assert "DRAFT" not in row
    # The filter by action names them so too, and filters.
    assert ">Send to supplier</a>" in content.split('id="changelist-filter"')[1]
    sends = superuser_client.get(admin_url(StatusChange, "changelist"), {"action": "SEND"})
    assert {change.action for change in sends.context["cl"].result_list} == {"SEND"}
    order_page = superuser_client.get(admin_url(PurchaseOrder, "change", demo.sent.pk))
    assert ">DRAFT<" not in order_page.content.decode()


def test_message_bodies_are_shown_without_inline_styles(superuser_client, demo):
    page = superuser_client.get(admin_url(OutboundMessage, "change", demo.failed_message.pk))
    content = page.content.decode()

    assert '<pre class="preformatted">' in content
    assert "style=" not in content
    assert "/static/css/admin.css" in content


def test_parties_name_their_state_and_place_of_supply(superuser_client, demo):
    content = superuser_client.get(admin_url(Party, "changelist")).content.decode()

    assert '<td class="field-state_name">29 – Karnataka</td>' in content
    assert '<td class="field-supply">29 – Karnataka</td>' in content
