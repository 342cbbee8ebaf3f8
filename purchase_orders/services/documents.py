"""Write a purchase order's contents and keep a snapshot of each version."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from purchase_orders.enkash import payloads
from purchase_orders.models import (
    Business,
    LineItem,
    LineItemTax,
    OtherCharge,
    Party,
    PaymentMilestone,
    PurchaseOrder,
    PurchaseOrderAddress,
    PurchaseOrderVersion,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.totals import LineInput, compute_totals, is_intra_state

# The related sets a purchase order's network message is built from.
CONTENTS = ("parties", "addresses", "lines", "other_charges", "milestones")


@transaction.atomic
def replace_contents(*, purchase_order: PurchaseOrder, parsed: dict) -> PurchaseOrder:
    """Replace a saved purchase order's parties, addresses, lines, charges and milestones.

    ``parsed`` has the shape ``payloads.parse_purchase_order`` returns; its
    ``fields`` are not applied here (the caller decides which header fields
    it may change).
    """
    purchase_order.parties.all().delete()
    purchase_order.addresses.all().delete()
    purchase_order.lines.all().delete()
    purchase_order.other_charges.all().delete()
    purchase_order.milestones.all().delete()
    return add_contents(purchase_order=purchase_order, parsed=parsed)


def add_contents(*, purchase_order: PurchaseOrder, parsed: dict) -> PurchaseOrder:
    """Write the contents of a purchase order that has none yet (just created, or emptied).

    One insert per kind of row, in the caller's transaction. The rows
    written stand in for the order's prefetched contents, so that its
    snapshot and message are built without reading them back.
    """
    parties = Party.objects.bulk_create(
        Party(purchase_order=purchase_order, **party) for party in parsed["parties"].values()
    )
    addresses = PurchaseOrderAddress.objects.bulk_create(
        PurchaseOrderAddress(purchase_order=purchase_order, **address)
        for address in parsed["addresses"]
    )
    lines = [
        LineItem(
            purchase_order=purchase_order,
            **{name: value for name, value in line.items() if name != "other_taxes"},
        )
        for line in parsed["lines"]
    ]
    # bulk_create sets primary keys on PostgreSQL and SQLite alike.
    LineItem.objects.bulk_create(lines)
    taxes = [
        [LineItemTax(line=line, **tax) for tax in data["other_taxes"]]
        for line, data in zip(lines, parsed["lines"], strict=True)
    ]
    LineItemTax.objects.bulk_create(tax for line_taxes in taxes for tax in line_taxes)
    for line, line_taxes in zip(lines, taxes, strict=True):
        _hold_related(line, "other_taxes", line_taxes)
    charges = OtherCharge.objects.bulk_create(
        OtherCharge(purchase_order=purchase_order, **charge) for charge in parsed["other_charges"]
    )
    milestones = PaymentMilestone.objects.bulk_create(
        PaymentMilestone(purchase_order=purchase_order, **milestone)
        for milestone in parsed["milestones"]
    )
    for name, rows in zip(
        CONTENTS, (parties, addresses, lines, charges, milestones), strict=True
    ):
        _hold_related(purchase_order, name, rows)
    return purchase_order


def _hold_related(instance, name: str, rows: list) -> None:
    """Make ``rows`` what ``instance.<name>.all()`` returns, as prefetch_related would."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(name, None)
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache[name] = queryset


def contents_loaded(purchase_order: PurchaseOrder) -> bool:
    """Return whether a purchase order has its contents loaded, lines' taxes included."""
    cache = getattr(purchase_order, "_prefetched_objects_cache", {})
    return all(name in cache for name in CONTENTS) and all(
        "other_taxes" in getattr(line, "_prefetched_objects_cache", {})
        for line in cache["lines"]
    )


def with_contents(purchase_order: PurchaseOrder) -> PurchaseOrder:
    """Return the purchase order with its contents loaded: itself if they are, else read."""
    if contents_loaded(purchase_order):
        return purchase_order
    return get_purchase_order_with_contents(pk=purchase_order.pk)


def record_version(
    *,
    purchase_order: PurchaseOrder,
    reason: str = "",
    created_by: AbstractBaseUser | None = None,
    created_by_business: Business | None = None,
    built: dict | None = None,
    first: bool = False,
) -> PurchaseOrderVersion:
    """Store a full snapshot of the purchase order's current version.

    ``built`` is the order's ``purchaseOrder`` object as the network carries
    it, if the caller has built it already; otherwise it is built from the
    contents the order holds, if it holds them (``add_contents``,
    ``with_contents``), else from the database. ``first`` says that the
    order was just created, so that no snapshot of this version exists yet.
    """
    if built is None:
        built = payloads.build_purchase_order(with_contents(purchase_order))
    values = {
        "snapshot": {
            "purchaseOrder": built,
            "additionalInfos": purchase_order.additional_infos,
        },
        "reason": reason,
        "created_by": created_by if created_by and created_by.is_authenticated else None,
        "created_by_business": created_by_business,
    }
    if first:
        return PurchaseOrderVersion.objects.create(
            purchase_order=purchase_order, version=purchase_order.version, **values
        )
    version, _ = PurchaseOrderVersion.objects.update_or_create(
        purchase_order=purchase_order, version=purchase_order.version, defaults=values
    )
    return version


def apply_computed_totals(parsed: dict) -> dict:
    """Fill a parsed purchase order's line, tax and PO totals from its lines.

    Used where the portal itself writes a purchase order (forms, seed data):
    the stated totals are then the computed ones by construction.
    """
    parties = parsed["parties"]
    result = compute_totals(
        lines=[LineInput.from_fields(line, line.get("other_taxes", [])) for line in parsed["lines"]],
        other_charges=[charge["amount"] for charge in parsed["other_charges"]],
        intra_state=is_intra_state(
            supplier_state_code=parties["supplier"].get("state_code", ""),
            place_of_supply=parties["buyer"].get("place_of_supply", ""),
        ),
    )
    for line, line_totals in zip(parsed["lines"], result.lines):
        line["total_amount"] = line_totals.total_amount
        line["assessment_amount"] = line_totals.assessment_amount
        line["total_item_value"] = line_totals.total_item_value
        for tax, amount in zip(line.get("other_taxes", []), line_totals.other_tax_amounts):
            tax["amount"] = amount
    parsed["fields"]["total_po_value"] = result.total_po_value
    return parsed
