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

    Party.objects.bulk_create(
        Party(purchase_order=purchase_order, **party) for party in parsed["parties"].values()
    )
    PurchaseOrderAddress.objects.bulk_create(
        PurchaseOrderAddress(purchase_order=purchase_order, **address)
        for address in parsed["addresses"]
    )
    lines = [
        LineItem(purchase_order=purchase_order, **{k: v for k, v in line.items() if k != "other_taxes"})
        for line in parsed["lines"]
    ]
    # bulk_create sets primary keys on PostgreSQL and SQLite alike.
    LineItem.objects.bulk_create(lines)
    LineItemTax.objects.bulk_create(
        LineItemTax(line=line, **tax)
        for line, data in zip(lines, parsed["lines"])
        for tax in data["other_taxes"]
    )
    OtherCharge.objects.bulk_create(
        OtherCharge(purchase_order=purchase_order, **charge) for charge in parsed["other_charges"]
    )
    PaymentMilestone.objects.bulk_create(
        PaymentMilestone(purchase_order=purchase_order, **milestone)
        for milestone in parsed["milestones"]
    )
    return purchase_order


def record_version(
    *,
    purchase_order: PurchaseOrder,
    reason: str = "",
    created_by: AbstractBaseUser | None = None,
    created_by_business: Business | None = None,
) -> PurchaseOrderVersion:
    """Store a full snapshot of the purchase order's current version."""
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    snapshot = {
        "purchaseOrder": payloads.build_purchase_order(fresh),
        "additionalInfos": fresh.additional_infos,
    }
    version, _ = PurchaseOrderVersion.objects.update_or_create(
        purchase_order=purchase_order,
        version=purchase_order.version,
        defaults={
            "snapshot": snapshot,
            "reason": reason,
            "created_by": created_by if created_by and created_by.is_authenticated else None,
            "created_by_business": created_by_business,
        },
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
