"""Pages ask the database the same number of queries however big the data grows."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from purchase_orders.admin.drafts import MAX_EDITABLE_LINES
from purchase_orders.models import PaymentMilestone, PurchaseOrder
from purchase_orders.views.purchase_order import LINES_PER_PAGE
from tests.performance.conftest import add_cess_to_every_line, bulk_purchase_orders

pytestmark = pytest.mark.django_db

LIST = reverse("purchase_orders:list")
INBOX = reverse("purchase_orders:inbox")
ADMIN_LIST = reverse("admin:purchase_orders_purchaseorder_changelist")
# What the lists are asked for: as they open, sorted, filtered and searched.
LIST_VARIANTS = [{}, {"sort": "total"}, {"sort": "-number"}, {"status": "CREATED"}, {"q": "BULK/0"}]


def assert_same_queries(few, many) -> None:
    assert len(many) == len(few), "\n".join(many.queries)


@pytest.mark.parametrize("viewer", ["buyer", "supplier"])
def test_the_purchase_order_page_takes_as_many_queries_for_500_lines_as_for_10(
    people, counted_get, viewer
):
    small = people.purchase_order(lines=10, sent=True)
    large = people.purchase_order(lines=500, sent=True)
    for purchase_order in (small, large):
        add_cess_to_every_line(purchase_order)
    client = people.client(getattr(people, f"{viewer}_user"))

    few = counted_get(client, small.get_absolute_url())
    many = counted_get(client, large.get_absolute_url())

    assert_same_queries(few, many)
    # One page of lines is read and shown; the totals still add up all 500.
    assert len(many.response.context["line_rows"]) == LINES_PER_PAGE < 500
    assert len(many.response.context["totals"].lines) == 500
    assert "A4 copier paper, 75 gsm, box 100\n" in many.response.content.decode()
    assert "A4 copier paper, 75 gsm, box 101\n" not in many.response.content.decode()
    last_page = counted_get(client, f"{large.get_absolute_url()}?lines_page=5")
    searched = counted_get(client, f"{large.get_absolute_url()}?lines_q=box+499")
    assert len(last_page) == len(searched) == len(few)
    assert "A4 copier paper, 75 gsm, box 500\n" in last_page.response.content.decode()
    assert [line.serial_no for line, _, _ in searched.response.context["line_rows"]] == ["499"]


def test_the_buyer_list_and_the_inbox_take_as_many_queries_for_10000_orders_as_for_10(
    people, counted_get
):
    bulk_purchase_orders(buyer=people.buyer, supplier=people.supplier, count=10)
    pages = [
        (client, url, params)
        for client, url in ((people.buyer_client, LIST), (people.supplier_client, INBOX))
        for params in LIST_VARIANTS
    ]
    few = [counted_get(client, url, **params) for client, url, params in pages]

    bulk_purchase_orders(buyer=people.buyer, supplier=people.supplier, count=9990, start=10)
    many = [counted_get(client, url, **params) for client, url, params in pages]

    for small, large in zip(few, many, strict=True):
        assert_same_queries(small, large)
    assert many[0].response.context["page"].paginator.count == 10000
    assert len(many[0].response.context["purchase_orders"]) == 25
    assert many[len(LIST_VARIANTS)].response.context["page"].paginator.count == 10000


def test_the_home_page_takes_as_many_queries_for_many_payments_due_as_for_one(people, counted_get):
    today = timezone.localdate()

    def payments_due(count: int, start: int) -> None:
        bulk_purchase_orders(buyer=people.buyer, supplier=people.supplier, count=count, start=start)
        PaymentMilestone.objects.bulk_create(
            PaymentMilestone(
                purchase_order=order,
                due_on=today + datetime.timedelta(days=order.pk % 8),
                due_amount=Decimal("1180.00"),
            )
            for order in PurchaseOrder.objects.filter(milestones__isnull=True)
        )

    payments_due(1, 0)
    few = [
        counted_get(client, reverse("home"))
        for client in (people.buyer_client, people.supplier_client)
    ]
    payments_due(499, 1)
    many = [
        counted_get(client, reverse("home"))
        for client in (people.buyer_client, people.supplier_client)
    ]

    for small, large in zip(few, many, strict=True):
        assert_same_queries(small, large)
    assert len(many[0].response.context["payments_due"]) == 11
    assert len(many[1].response.context["payments_to_receive"]) == 11


def test_the_admin_change_list_takes_as_many_queries_for_10000_orders_as_for_10(
    people, admin_client, counted_get
):
    bulk_purchase_orders(buyer=people.buyer, supplier=people.supplier, count=10)
    few = [counted_get(admin_client, ADMIN_LIST, **params) for params in ({}, {"o": "-7"})]

    bulk_purchase_orders(buyer=people.buyer, supplier=people.supplier, count=9990, start=10)
    many = [counted_get(admin_client, ADMIN_LIST, **params) for params in ({}, {"o": "-7"})]

    for small, large in zip(few, many, strict=True):
        assert_same_queries(small, large)
    assert many[0].response.context["cl"].result_count == 10000


# A draft's lines are editable forms, slow to render, up to MAX_EDITABLE_LINES;
# a sent order's, and a bigger draft's, are read-only rows, 50 a page, so the
# bigger draft is compared with the smallest paged one.
@pytest.mark.parametrize(
    ("status", "few_lines", "lines"),
    [
        (PurchaseOrder.Status.DRAFT, 10, MAX_EDITABLE_LINES),
        (PurchaseOrder.Status.DRAFT, MAX_EDITABLE_LINES + 1, 500),
        (PurchaseOrder.Status.CREATED, 10, 500),
    ],
)
def test_the_admin_change_page_takes_as_many_queries_for_many_lines_as_for_few(
    people, admin_client, counted_get, status, few_lines, lines
):
    sent = status != PurchaseOrder.Status.DRAFT
    small = people.purchase_order(lines=few_lines, sent=sent)
    large = people.purchase_order(lines=lines, sent=sent)
    url = "admin:purchase_orders_purchaseorder_change"
    # The first request also looks up the content type, which is then cached.
    counted_get(admin_client, reverse(url, args=[small.pk]))

    few = counted_get(admin_client, reverse(url, args=[small.pk]))
    many = counted_get(admin_client, reverse(url, args=[large.pk]))

    assert_same_queries(few, many)
    last = f"A4 copier paper, 75 gsm, box {lines}<"
    if lines <= MAX_EDITABLE_LINES:
        assert f'value="{last[:-1]}"' in many.response.content.decode()
        return
    # Its last page, and a search, ask as many queries again.
    paged = [
        counted_get(admin_client, reverse(url, args=[large.pk]), **params)
        for params in ({"lines_page": "10"}, {"lines_q": f"box {lines}"})
    ]
    for response in paged:
        assert_same_queries(few, response)
        assert last in response.response.content.decode()
    assert last not in many.response.content.decode()
