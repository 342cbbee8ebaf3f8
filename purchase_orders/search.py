"""What the lists' search reads of a purchase order, and how a search is read.

The lists find an order by its PO number, its subject, either party's legal
and trade names and GSTIN (as written on the order and as the businesses
now have them), its lines' descriptions and HSN/SAC codes. Those words are
kept together on the order, in lower case, in ``PurchaseOrder.search_text``
(written with its contents by ``services/documents.py``), so that a search
reads one column: on PostgreSQL through a trigram index (migration 0016),
on SQLite by a plain scan.
"""

import re
from collections.abc import Iterable

# The words of different fields are kept apart, so that a search never
# matches across the end of one and the start of the next.
SEPARATOR = "\n"


def normalized(text: str) -> str:
    """Return text as the search column keeps it: lower case, single spaces."""
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def search_text(values: Iterable[str]) -> str:
    """Return the search column for a purchase order's searchable values, each once."""
    kept = dict.fromkeys(normalized(value) for value in values)
    kept.pop("", None)
    return SEPARATOR.join(kept)


def business_values(business) -> list[str]:
    """Return a business's searchable names and GSTIN."""
    return [business.legal_name, business.trade_name, business.gstin]


def party_values(party) -> list[str]:
    """Return the searchable names and GSTIN of a party as written on an order."""
    return [party.legal_name, party.trade_name, party.gstin]


def line_values(line) -> list[str]:
    """Return a line's searchable description and HSN/SAC code."""
    return [line.product_description, line.hsn_code]
