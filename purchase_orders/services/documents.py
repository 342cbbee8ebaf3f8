"""Write a purchase order's contents and keep a snapshot of each version."""

import copy

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from purchase_orders import lifecycle, search
from purchase_orders.contents import Contents, field_values, with_header_of
from purchase_orders.enkash import payloads
from purchase_orders.exceptions import InvalidPurchaseOrder
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
from purchase_orders.models.history import recorded_names
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.totals import apply_computed_totals


@transaction.atomic
def replace_contents(*, purchase_order: PurchaseOrder, contents: Contents) -> PurchaseOrder:
    """Replace a saved purchase order's parties, addresses, lines, charges and milestones.

    The contents' header is not applied here (the caller decides which
    header fields it may change).
    """
    purchase_order.parties.all().delete()
    purchase_order.addresses.all().delete()
    purchase_order.lines.all().delete()
    purchase_order.other_charges.all().delete()
    purchase_order.milestones.all().delete()
    return add_contents(purchase_order=purchase_order, contents=contents)


def _rows(model, purchase_order: PurchaseOrder, items: list) -> list:
    """Return unsaved rows of ``model`` for a list of contents, positioned as listed."""
    return [
        model(purchase_order=purchase_order, position=position, **field_values(item))
        for position, item in enumerate(items)
    ]


def add_contents(*, purchase_order: PurchaseOrder, contents: Contents) -> PurchaseOrder:
    """Write the contents of a purchase order that has none yet (just created, or emptied).

    One insert per kind of row, in the caller's transaction.
    """
    Party.objects.bulk_create(
        Party(purchase_order=purchase_order, **field_values(party))
        for party in contents.parties.values()
    )
    PurchaseOrderAddress.objects.bulk_create(
        _rows(PurchaseOrderAddress, purchase_order, contents.addresses)
    )
    lines = [
        LineItem(
            purchase_order=purchase_order,
            position=position,
            **field_values(line, exclude=("other_taxes",)),
        )
        for position, line in enumerate(contents.lines)
    ]
    # bulk_create sets primary keys on PostgreSQL and SQLite alike.
    LineItem.objects.bulk_create(lines)
    taxes = [
        [
            LineItemTax(line=line, position=position, **field_values(tax))
            for position, tax in enumerate(line_contents.other_taxes)
        ]
        for line, line_contents in zip(lines, contents.lines, strict=True)
    ]
    LineItemTax.objects.bulk_create(tax for line_taxes in taxes for tax in line_taxes)
    OtherCharge.objects.bulk_create(_rows(OtherCharge, purchase_order, contents.other_charges))
    PaymentMilestone.objects.bulk_create(
        _rows(PaymentMilestone, purchase_order, contents.milestones)
    )
    # The caller has set the header it keeps on the instance (and, saving it
    # first, may have set these words too: then nothing more is written). A
    # later save() of the instance writes the same words again.
    text = search_text_of(purchase_order, contents)
    if text != purchase_order.search_text:
        purchase_order.search_text = text
        PurchaseOrder.objects.filter(pk=purchase_order.pk).update(search_text=text)
    return purchase_order


def search_text_of(purchase_order: PurchaseOrder, contents: Contents) -> str:
    """Return the search column of an order with these contents and its header as set."""
    return _search_text(purchase_order, contents.parties.values(), contents.lines)


def _search_text(purchase_order: PurchaseOrder, parties, lines) -> str:
    return search.search_text(
        [
            purchase_order.buyer_po_number,
            purchase_order.subject,
            *search.business_values(purchase_order.buyer),
            *search.business_values(purchase_order.supplier),
            *(value for party in parties for value in search.party_values(party)),
            *(value for line in lines for value in search.line_values(line)),
        ]
    )


def reindex_for_search(purchase_orders: QuerySet[PurchaseOrder], *, batch_size: int = 500) -> int:
    """Write the search column of purchase orders from what is saved; return how many.

    For changes made around ``add_contents``: a business's new names, a
    draft's lines edited in the admin.
    """
    count = 0
    pks = list(purchase_orders.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        # Each batch is read under lock, so that a draft saved meanwhile waits
        # and writes its own words after these, never under them.
        with transaction.atomic():
            batch = list(
                PurchaseOrder.objects.filter(pk__in=pks[start : start + batch_size])
                .select_for_update(of=("self",))
                .select_related("buyer", "supplier")
                .prefetch_related("parties", "lines")
            )
            for purchase_order in batch:
                purchase_order.search_text = _search_text(
                    purchase_order, purchase_order.parties.all(), purchase_order.lines.all()
                )
            PurchaseOrder.objects.bulk_update(batch, ["search_text"])
        count += len(batch)
    return count


def record_version(
    *,
    purchase_order: PurchaseOrder,
    reason: str = "",
    created_by: AbstractBaseUser | None = None,
    created_by_business: Business | None = None,
    built: dict | None = None,
    contents: Contents | None = None,
    first: bool = False,
    approved_by: AbstractBaseUser | None = None,
) -> PurchaseOrderVersion:
    """Store a full snapshot of the purchase order's current version.

    ``built`` is the order's ``purchaseOrder`` object as the network carries
    it, if the caller has built it already; otherwise it is built from the
    ``contents`` just written, with the order's header, or else read from
    the database. ``first`` says that the order was just created, so that no
    snapshot of this version exists yet. ``approved_by`` is the approver
    who let a version over the buyer's approval limit go out.
    """
    if built is None and contents is not None:
        built = payloads.build_contents(with_header_of(purchase_order, contents))
    elif built is None:
        built = payloads.build_purchase_order(
            get_purchase_order_with_contents(pk=purchase_order.pk)
        )
    created_by = created_by if created_by and created_by.is_authenticated else None
    created_by_name, created_by_username = recorded_names(created_by)
    approved_by = approved_by if approved_by and approved_by.is_authenticated else None
    approved_by_name, approved_by_username = recorded_names(approved_by)
    values = {
        "snapshot": payloads.build_snapshot(built, purchase_order.additional_infos),
        "reason": reason,
        "created_by": created_by,
        "created_by_name": created_by_name,
        "created_by_username": created_by_username,
        "created_by_business": created_by_business,
        "approved_by": approved_by,
        "approved_by_name": approved_by_name,
        "approved_by_username": approved_by_username,
        "approved_at": timezone.now() if approved_by else None,
    }
    if first:
        return PurchaseOrderVersion.objects.create(
            purchase_order=purchase_order, version=purchase_order.version, **values
        )
    version, _ = PurchaseOrderVersion.objects.update_or_create(
        purchase_order=purchase_order, version=purchase_order.version, defaults=values
    )
    return version


def contents_for_edit(purchase_order: PurchaseOrder, contents: Contents) -> Contents:
    """Return a copy of a sent order's edited contents, its parties and identity kept.

    Totals are computed from the lines; a party naming another business is
    refused.
    """
    contents = copy.deepcopy(contents)
    for role, business in (
        (lifecycle.BUYER, purchase_order.buyer),
        (lifecycle.SUPPLIER, purchase_order.supplier),
    ):
        party = contents.parties[role]
        if party.b2b_id and party.b2b_id != business.b2b_id:
            raise InvalidPurchaseOrder(
                f"An edit cannot change the {role}; send a new purchase "
                "order to another business instead.",
                path=("parties", role),
            )
        party.b2b_id = business.b2b_id
        party.role = role
    contents.header.object_id = purchase_order.object_id
    contents.header.buyer_po_number = purchase_order.buyer_po_number
    return apply_computed_totals(contents)
