"""The lines of one purchase order as its page reads them: a page of them, searched.

A big order's page shows one page of lines, read by SQL's LIMIT and
OFFSET; its totals still add up every line, from the few columns they
need (``line_inputs``), without building a model for each.
"""

from collections import defaultdict

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from purchase_orders.models import LineItem, LineItemTax, PurchaseOrder
from purchase_orders.totals import LineInput, discount_of

# What a search of an order's lines looks in: what a line is known by.
LINE_SEARCH_FIELDS = (
    "product_description",
    "hsn_code",
    "serial_no",
    "bar_code",
    "order_line_reference",
    "product_serial_number",
    "batch_number",
)


def list_purchase_order_lines(
    *, purchase_order: PurchaseOrder, search: str = ""
) -> QuerySet[LineItem]:
    """Return an order's lines in their order, with their taxes, those matching ``search``.

    ``search`` matches part of a line's description, HSN/SAC code, serial
    number, bar code, line reference, product serial or batch number, in
    any case.
    """
    queryset = LineItem.objects.filter(purchase_order=purchase_order).order_by("position", "id")
    words = " ".join(search.split())
    if words:
        match = Q()
        for name in LINE_SEARCH_FIELDS:
            match |= Q(**{f"{name}__icontains": words})
        queryset = queryset.filter(match)
    return queryset.prefetch_related("other_taxes")


def page_of_lines(
    *, purchase_order: PurchaseOrder, search: str = "", number=None, per_page: int
) -> Page:
    """Return one page of an order's lines (the last for a number past it, the first for none)."""
    lines = list_purchase_order_lines(purchase_order=purchase_order, search=search)
    return Paginator(lines, per_page).get_page(number)


def line_inputs(purchase_order: PurchaseOrder) -> list[LineInput]:
    """Return what the totals need of each of an order's lines, in two queries."""
    rates = defaultdict(list)
    taxes = LineItemTax.objects.filter(line__purchase_order=purchase_order).order_by(
        "line_id", "position", "id"
    )
    for line_id, rate in taxes.values_list("line_id", "rate"):
        rates[line_id].append(rate or 0)
    rows = (
        LineItem.objects.filter(purchase_order=purchase_order)
        .order_by("position", "id")
        .values_list("id", "quantity", "unit_price", "gst_rate", "value_details")
    )
    return [
        LineInput.from_values(
            quantity=quantity,
            unit_price=unit_price,
            gst_rate=gst_rate,
            discount=discount_of(value_details),
            other_tax_rates=rates[line_id],
        )
        for line_id, quantity, unit_price, gst_rate, value_details in rows
    ]
