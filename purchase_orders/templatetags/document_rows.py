"""The rows of a printed purchase order's lines, written in Python rather than by the template.

A document prints every line, and a 3,000-line order's lines written
cell by cell through the template language took seconds and over a
megabyte; written here, each line is one short row of plain cells (the
stylesheet aligns the columns, ``static/css/document.css``), a few times
quicker. What each cell shows is what ``includes/document.html`` showed.
"""

import html
from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

from purchase_orders.labels import code_words
from purchase_orders.totals import DISCOUNT_TYPE

from .portal import format_inr, indian_number, money, percent

register = template.Library()

NO_AMOUNT = "—"


def escape(value) -> str:
    # The standard library's, as Django's ``escape`` is, without marking each piece safe.
    return html.escape(str(value))


@lru_cache(maxsize=256)
def rate_words(rate: Decimal) -> str:
    # An order has a few rates (GST, cess) for its many lines.
    return percent(rate)


def _small(text: str) -> str:
    return f"<br><small>{text}</small>"


def _description(line) -> str:
    parts = [escape(line.product_description)]
    parts += [
        _small(f"{escape(code_words(detail.get('type')))} {format_inr(detail.get('value'))}")
        for detail in line.value_details
        if str(detail.get("type", "")).upper() != DISCOUNT_TYPE
    ]
    parts += [
        _small(f"Rate {escape(code_words(rate.get('type')))}: {indian_number(rate.get('value'))}")
        for rate in line.rates
    ]
    parts += [
        _small(f"{escape(attribute.get('name', ''))}: {escape(attribute.get('value', ''))}")
        for attribute in line.attributes
    ]
    return "".join(parts)


def line_row(row, *, intra_state: bool) -> str:
    """Return one line of a document as a table row (a ``DocumentLine``)."""
    line, computed = row.line, row.totals
    if intra_state:
        half = rate_words(row.gst_half_rate)
        gst = (
            f"<td>{half}<br>{money(computed.cgst_amount)}</td>"
            f"<td>{half}<br>{money(computed.sgst_amount)}</td>"
        )
    else:
        gst = f"<td>{rate_words(line.gst_rate)}<br>{money(computed.igst_amount)}</td>"
    other_taxes = "<br>".join(
        f"{escape(tax.name)} {rate_words(tax.rate)}: {money(amount)}"
        for tax, amount in row.other_taxes
    )
    discount = money(computed.discount_amount) if computed.discount_amount else NO_AMOUNT
    return (
        f"<tr><td>{escape(line.serial_no or row.number)}</td><td>{_description(line)}</td>"
        f"<td>{escape(line.hsn_code)}</td>"
        f"<td>{indian_number(line.quantity)}{_small(escape(line.unit))}</td>"
        f"<td>{money(line.unit_price)}</td><td>{discount}</td>"
        f"<td>{money(computed.assessment_amount)}</td>{gst}"
        f"<td>{other_taxes or NO_AMOUNT}</td><td>{money(computed.total_item_value)}</td></tr>\n"
    )


@register.simple_tag
def document_line_rows(document) -> str:
    """Write the rows of every line of a ``PurchaseOrderDocument``."""
    intra_state = document.is_intra_state
    return mark_safe("".join(line_row(row, intra_state=intra_state) for row in document.lines))
