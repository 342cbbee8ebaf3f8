"""The stamps the pages poll (``purchase_order_stamp``, ``page_stamp``, ``inbox_stamp``).

Each changes whenever its page would, and a page carries the same stamp as
the endpoint that reports it.
"""

import pytest
from django.urls import reverse

from purchase_orders.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_the_page_stamp_changes_when_the_order_changes(people):
    purchase_order = people.purchase_order(sent=True, lines=1)
    url = reverse("purchase_orders:stamp", args=[purchase_order.object_id])
    people.message(purchase_order, state=OutboundMessage.State.SENT)
    before = people.supplier_client.get(url).json()["stamp"]
    page = people.supplier_client.get(purchase_order.get_absolute_url()).content.decode()
    assert f'data-stamp="{before}"' in page

    people.message(purchase_order, state=OutboundMessage.State.QUEUED)

    assert people.supplier_client.get(url).json()["stamp"] != before


def test_the_inbox_stamp_changes_when_a_purchase_order_arrives(people):
    url = reverse("purchase_orders:inbox-stamp")
    before = people.supplier_client.get(url).json()["stamp"]

    people.purchase_order(sent=True, lines=0)

    assert people.supplier_client.get(url).json()["stamp"] != before
