"""E-mails to the other business: who gets them, and the link they carry."""

import pytest
from django.core import mail

from purchase_orders.services import notifications

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("event", "to"),
    [
        (notifications.SENT, "supplier_user"),
        (notifications.EDITED, "supplier_user"),
        (notifications.STATUS_CHANGED, "supplier_user"),
        (notifications.ACCEPTED, "buyer_user"),
        (notifications.REJECTED, "buyer_user"),
    ],
)
def test_each_event_mails_the_other_side_a_link_to_the_page(
    trading_pair, draft_purchase_order, settings, event, to
):
    settings.PORTAL_BASE_URL = "https://procurement.example.in/"

    sent = notifications.notify(purchase_order=draft_purchase_order, event=event)

    assert sent == 1
    (email,) = mail.outbox
    assert email.to == [getattr(trading_pair, to).email]
    link = f"https://procurement.example.in{draft_purchase_order.get_absolute_url()}"
    assert f"\nOpen it in the portal: {link}\n" in email.body
