"""What makes a draft a draft in the admin, and how its parts are kept whole."""

from django.db import transaction
from django.db.models import Prefetch

from purchase_orders import lifecycle
from purchase_orders.contents import field_values
from purchase_orders.models import LineItem, LineItemTax, Party, PurchaseOrder
from purchase_orders.services import documents
from purchase_orders.services.drafts import snapshot_party
from purchase_orders.totals import totals_for_purchase_order

# Columns the totals function computes; never typed in.
COMPUTED_LINE_FIELDS = ("total_amount", "assessment_amount", "total_item_value")
# A draft's lines are editable forms on its admin page up to this many; beyond,
# the page would weigh megabytes, so they are shown read-only and paged, and
# changed in the portal's form or one at a time on each line's admin page.
MAX_EDITABLE_LINES = 100


def is_draft(purchase_order: PurchaseOrder | None) -> bool:
    """Say whether the order is a draft that admin may change.

    A draft whose send waits for the network is not: its req-send message
    was built from its contents, and a change now would differ from what
    the supplier receives (the portal's own edit refuses it too).
    """
    return purchase_order is None or (
        purchase_order.status == PurchaseOrder.Status.DRAFT and not purchase_order.pending_action
    )


def has_editable_lines(purchase_order: PurchaseOrder | None) -> bool:
    """Say whether the order's admin page edits its lines: a draft of few enough lines."""
    if purchase_order is None:
        return True
    if not is_draft(purchase_order):
        return False
    if not hasattr(purchase_order, "_admin_line_count"):
        purchase_order._admin_line_count = purchase_order.lines.count()
    return purchase_order._admin_line_count <= MAX_EDITABLE_LINES


@transaction.atomic
def refresh_draft(purchase_order: PurchaseOrder) -> None:
    """Give a draft the parties of its businesses and recompute its totals.

    A missing party, or one of another business (the supplier was changed),
    is copied from the business, the buyer's place of supply defaulting to
    its own state as the portal's form does, so that a draft made here can be
    sent from the portal like any other. Line, tax and order totals are then
    computed from the lines.
    """
    present = dict(purchase_order.parties.values_list("role", "b2b_id"))
    businesses = {
        lifecycle.BUYER: purchase_order.buyer,
        lifecycle.SUPPLIER: purchase_order.supplier,
    }
    for role, business in businesses.items():
        if present.get(role) == business.b2b_id:
            continue
        purchase_order.parties.filter(role=role).delete()
        party = snapshot_party(business, role=role)
        if role == lifecycle.BUYER:
            party.place_of_supply = business.state_code
        Party.objects.create(purchase_order=purchase_order, **field_values(party))
    fresh = PurchaseOrder.objects.prefetch_related(
        "parties",
        "other_charges",
        Prefetch("lines", queryset=LineItem.objects.prefetch_related("other_taxes")),
    ).get(pk=purchase_order.pk)
    totals = totals_for_purchase_order(fresh)
    lines, taxes = list(fresh.lines.all()), []
    for line, line_totals in zip(lines, totals.lines, strict=True):
        line.total_amount = line_totals.total_amount
        line.assessment_amount = line_totals.assessment_amount
        line.total_item_value = line_totals.total_item_value
        for tax, amount in zip(line.other_taxes.all(), line_totals.other_tax_amounts, strict=True):
            tax.amount = amount
            taxes.append(tax)
    LineItem.objects.bulk_update(lines, COMPUTED_LINE_FIELDS)
    LineItemTax.objects.bulk_update(taxes, ["amount"])
    PurchaseOrder.objects.filter(pk=purchase_order.pk).update(total_po_value=totals.total_po_value)
    purchase_order.total_po_value = totals.total_po_value
    documents.reindex_for_search(PurchaseOrder.objects.filter(pk=purchase_order.pk))
