"""Audit: records cannot be altered from admin, and what admin changes is logged."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from purchase_orders.models import (
    ApprovalRequest,
    InboundEvent,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from tests.purchase_orders.admin.conftest import demo, superuser_client  # noqa: F401 (fixtures)
from tests.purchase_orders.admin.test_draft_editing import form_data
from tests.purchase_orders.admin.test_retry_delivery import retry

pytestmark = pytest.mark.django_db

RECORDS = [PurchaseOrderVersion, StatusChange, ApprovalRequest, OutboundMessage, InboundEvent]


def admin_url(obj, view: str) -> str:
    return reverse(f"admin:purchase_orders_{obj._meta.model_name}_{view}", args=[obj.pk])


def snapshot(obj) -> dict:
    return type(obj).objects.filter(pk=obj.pk).values().get()


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_a_record_cannot_be_changed_or_deleted_from_admin_even_by_a_superuser(
    superuser_client, demo, model
):
    record = model.objects.filter(purchase_order=demo.sent).first() or model.objects.first()
    before = snapshot(record)
    page = superuser_client.get(admin_url(record, "change"))

    changed = superuser_client.post(admin_url(record, "change"), {"state": "failed"})
    deleted = superuser_client.post(admin_url(record, "delete"), {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert snapshot(record) == before


def test_a_sent_purchase_order_cannot_be_changed_from_admin(superuser_client, demo):
    before = snapshot(demo.sent)

    response = superuser_client.post(admin_url(demo.sent, "change"), {"subject": "Altered"})

    assert response.status_code == 403
    assert snapshot(demo.sent) == before


def test_retrying_a_message_from_admin_is_logged(superuser_client, demo):
    retry(superuser_client, demo.failed_message)

    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(OutboundMessage),
        object_id=str(demo.failed_message.pk),
    )
    assert (entry.action_flag, entry.user.username) == (CHANGE, "admin")
    assert entry.get_change_message() == "Retried delivery."


def test_changing_a_draft_in_admin_is_logged(superuser_client, demo):
    url = admin_url(demo.draft, "change")
    data = form_data(superuser_client.get(url))
    data["subject"] = "Bearings, second quote"

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert PurchaseOrder.objects.get(pk=demo.draft.pk).subject == "Bearings, second quote"
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(PurchaseOrder),
        object_id=str(demo.draft.pk),
    )
    assert entry.action_flag == CHANGE
    assert "Subject" in entry.get_change_message()
