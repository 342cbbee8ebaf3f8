"""A purchase order as a document: what its printable view and its PDF show.

One version's document is read from one source: the order's saved contents
for the version it stands at (or a draft), the version's snapshot for any
other. Both are read into ``Contents`` and turned into the same
``PurchaseOrderDocument``, so the print view, the PDF a person downloads and
the PDF attached to an e-mail say the same thing.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import Http404

from purchase_orders import lifecycle
from purchase_orders.contents import (
    LINE_COLUMNS,
    Contents,
    LineContents,
    PartyContents,
    TaxContents,
    line_from_values,
    read_contents,
    terms_of,
    without_terms,
)
from purchase_orders.enkash import payloads
from purchase_orders.labels import state_words
from purchase_orders.models import LineItem, LineItemTax, PurchaseOrder, PurchaseOrderVersion
from purchase_orders.totals import (
    ZERO,
    LineInput,
    LineTotals,
    Totals,
    compute_totals,
    contents_are_intra_state,
)

from .purchase_orders import get_visible_purchase_order, purchase_orders_with_parts
from .viewers import Viewer

# How a document stands with the network, said on its first page.
ACKNOWLEDGED = "acknowledged"
DRAFT = "draft"
WAITING_APPROVAL = "waiting_approval"
NOT_ACKNOWLEDGED = "not_acknowledged"
SUPERSEDED = "superseded"
NOTICES = {
    DRAFT: "Draft: not sent to the supplier",
    WAITING_APPROVAL: "Waiting for approval: not sent to the supplier",
    NOT_ACKNOWLEDGED: "Not yet acknowledged by the network",
    SUPERSEDED: "Superseded by version {current}",
}


def pan_of(party: PartyContents, business=None) -> str:
    """Return a party's PAN: the one inside its GSTIN, else its business profile's."""
    gstin = (party.gstin or "").strip().upper()
    if len(gstin) == 15:
        return gstin[2:12]
    return (getattr(business, "pan", "") or "").upper()


@dataclass(frozen=True)
class DocumentParty:
    """The buyer or the supplier as the document names them."""

    party: PartyContents
    pan: str
    # The GST state as "29 – Karnataka" (the address's own state is ``state``).
    gst_state: str

    def __getattr__(self, name):
        # Everything else is the party's own (legal_name, gstin, address…).
        return getattr(self.party, name)


@dataclass(frozen=True)
class DocumentLine:
    number: int
    line: LineContents
    totals: LineTotals
    gst_half_rate: Decimal

    @property
    def other_taxes(self):
        return list(zip(self.line.other_taxes, self.totals.other_tax_amounts, strict=True))


@dataclass
class HsnRow:
    """The tax of the lines of one HSN/SAC code at one GST rate."""

    hsn_code: str
    gst_rate: Decimal
    taxable_value: Decimal = ZERO
    cgst_amount: Decimal = ZERO
    sgst_amount: Decimal = ZERO
    igst_amount: Decimal = ZERO
    other_taxes_amount: Decimal = ZERO

    @property
    def gst_half_rate(self) -> Decimal:
        return self.gst_rate / 2

    @property
    def total_tax(self) -> Decimal:
        return self.cgst_amount + self.sgst_amount + self.igst_amount + self.other_taxes_amount


@dataclass(frozen=True)
class PurchaseOrderDocument:
    """One version of a purchase order, as a document prints it."""

    purchase_order: PurchaseOrder
    contents: Contents
    version: int
    standing: str
    buyer: DocumentParty
    supplier: DocumentParty
    totals: Totals
    lines: list[DocumentLine]
    hsn_summary: list[HsnRow]
    terms: str
    details: list[dict] = field(default_factory=list)

    @property
    def header(self):
        return self.contents.header

    @property
    def place_of_supply(self) -> str:
        return state_words(self.contents.buyer.place_of_supply)

    @property
    def is_intra_state(self) -> bool:
        return self.totals.is_intra_state

    @property
    def is_acknowledged(self) -> bool:
        return self.standing == ACKNOWLEDGED

    @property
    def was_issued(self) -> bool:
        """Return whether the network acknowledged this version (then or before a later one)."""
        return self.standing in (ACKNOWLEDGED, SUPERSEDED)

    @property
    def issue_note(self) -> str:
        """Say at the foot of the document whether it was issued on the network."""
        if self.was_issued:
            return f"Issued on the Bharat Connect B2B network, ID {self.purchase_order.object_id}."
        # What it is instead stands at its head (the notice).
        return "Not issued on the Bharat Connect B2B network."

    @property
    def notice(self) -> str:
        """Say plainly what the document is not, when it is not the order as sent."""
        return NOTICES.get(self.standing, "").format(current=self.purchase_order.version)

    @property
    def status_words(self) -> str:
        if self.standing == ACKNOWLEDGED:
            return self.purchase_order.get_status_display()
        return self.notice

    @property
    def filename(self) -> str:
        """Return the file's name: PO-DEMO-0001-v1.pdf (…-draft.pdf before version 1)."""
        number = re.sub(r"[^A-Za-z0-9]+", "-", self.header.buyer_po_number).strip("-") or "PO"
        suffix = f"v{self.version}" if self.version else "draft"
        return f"{number}-{suffix}.pdf"


def _hsn_summary(lines: list[DocumentLine]) -> list[HsnRow]:
    rows: dict[tuple[str, Decimal], HsnRow] = {}
    for document_line in lines:
        line, totals = document_line.line, document_line.totals
        rate = Decimal(line.gst_rate or 0).normalize()
        key = (line.hsn_code or "", rate)
        row = rows.setdefault(key, HsnRow(hsn_code=key[0], gst_rate=rate))
        row.taxable_value += totals.assessment_amount
        row.cgst_amount += totals.cgst_amount
        row.sgst_amount += totals.sgst_amount
        row.igst_amount += totals.igst_amount
        row.other_taxes_amount += sum(totals.other_tax_amounts, ZERO)
    return [rows[key] for key in sorted(rows)]


def _standing(purchase_order: PurchaseOrder, version: int) -> str:
    if version > purchase_order.version:
        waiting = purchase_order.waiting_approval
        if waiting is not None and waiting.version == version:
            return WAITING_APPROVAL
        return NOT_ACKNOWLEDGED
    if version and version < purchase_order.version:
        return SUPERSEDED
    if purchase_order.status == lifecycle.AWAITING_APPROVAL:
        return WAITING_APPROVAL
    if purchase_order.is_draft:
        return NOT_ACKNOWLEDGED if purchase_order.pending_action else DRAFT
    return ACKNOWLEDGED


def build_document(
    *, purchase_order: PurchaseOrder, contents: Contents, version: int
) -> PurchaseOrderDocument:
    """Return the document of one version's contents of a purchase order."""
    intra_state = contents_are_intra_state(contents)
    totals = compute_totals(
        lines=[LineInput.from_line(line) for line in contents.lines],
        other_charges=[charge.amount for charge in contents.other_charges],
        intra_state=intra_state,
    )
    lines = [
        DocumentLine(
            number=index,
            line=line,
            totals=line_totals,
            gst_half_rate=Decimal(line.gst_rate or 0).normalize() / 2,
        )
        for index, (line, line_totals) in enumerate(
            zip(contents.lines, totals.lines, strict=True), start=1
        )
    ]
    return PurchaseOrderDocument(
        purchase_order=purchase_order,
        contents=contents,
        version=version,
        standing=_standing(purchase_order, version),
        buyer=DocumentParty(
            party=contents.buyer,
            pan=pan_of(contents.buyer, purchase_order.buyer),
            gst_state=state_words(contents.buyer.state_code),
        ),
        supplier=DocumentParty(
            party=contents.supplier,
            pan=pan_of(contents.supplier, purchase_order.supplier),
            gst_state=state_words(contents.supplier.state_code),
        ),
        totals=totals,
        lines=lines,
        hsn_summary=_hsn_summary(lines),
        terms=terms_of(contents.header.po_infos),
        details=without_terms(contents.header.po_infos),
    )


# The lines' lists, kept as JSON.
LINE_LISTS = ("value_details", "rates", "attributes")


def read_saved_lines(purchase_order: PurchaseOrder) -> list[LineContents]:
    """Return the contents of a saved order's lines, read as rows in two queries.

    A document reads every line once, and models are not needed for that:
    rows make a 3,000-line order's document several times quicker to read.
    """
    taxes = defaultdict(list)
    tax_rows = LineItemTax.objects.filter(line__purchase_order=purchase_order).order_by(
        "line_id", "position", "id"
    )
    for line_id, name, rate, amount in tax_rows.values_list("line_id", "name", "rate", "amount"):
        taxes[line_id].append(TaxContents(name=name, rate=rate, amount=amount))
    # A line's lists are mostly empty: read as text, and decoded only when not.
    columns = [name for name in LINE_COLUMNS if name not in LINE_LISTS]
    texts = {f"{name}_text": Cast(name, TextField()) for name in LINE_LISTS}
    rows = (
        LineItem.objects.filter(purchase_order=purchase_order)
        .order_by("position", "id")
        .values("id", *columns, **texts)
    )
    lines = []
    for row in rows:
        for name in LINE_LISTS:
            text = row.pop(f"{name}_text")
            row[name] = json.loads(text, parse_float=Decimal) if text and text != "[]" else []
        lines.append(line_from_values(row, taxes[row["id"]]))
    return lines


def version_document(
    *, purchase_order: PurchaseOrder, version: int | None = None
) -> PurchaseOrderDocument:
    """Return the document of one version of a purchase order, or raise Http404.

    Without ``version``, or with the version the order stands at, the order's
    saved contents (the caller loads its parts: ``purchase_orders_with_parts``;
    its lines are read here); any other version is read from its snapshot (or
    its approval request's, while it waits for an approver).
    """
    if version is None or version == purchase_order.version:
        return build_document(
            purchase_order=purchase_order,
            contents=read_contents(purchase_order, lines=read_saved_lines(purchase_order)),
            version=purchase_order.version,
        )
    snapshot = (
        PurchaseOrderVersion.objects.filter(purchase_order=purchase_order, version=version)
        .values_list("snapshot", flat=True)
        .first()
    )
    waiting = purchase_order.waiting_approval
    if snapshot is None and waiting is not None and waiting.version == version:
        # A version waiting for approval is kept on its request until it goes out.
        snapshot = waiting.snapshot
    if snapshot is None:
        raise Http404("No such version.")
    return build_document(
        purchase_order=purchase_order, contents=payloads.parse_snapshot(snapshot), version=version
    )


def get_purchase_order_version_document(
    *, viewer: Viewer, object_id: str, version: int | None = None
) -> PurchaseOrderDocument:
    """Return the document of a version of an order the viewer sees, or raise Http404.

    A version on its way to the network (or waiting for approval) is the
    buying side's alone, as on the comparison page: the supplier has only
    what the network delivered.
    """
    purchase_order = get_visible_purchase_order(
        viewer=viewer,
        object_id=object_id,
        queryset=purchase_orders_with_parts().select_related("waiting_approval"),
    )
    if version is not None and version > purchase_order.version:
        buying_side = (
            lifecycle.BUYER in viewer.roles_for(purchase_order)
            or purchase_order.buyer_id in viewer.approver_ids
        )
        if not buying_side:
            raise Http404("No such version.")
    return version_document(purchase_order=purchase_order, version=version)


def get_purchase_order_document_for_mail(
    *, purchase_order_id: int, version: int
) -> PurchaseOrderDocument:
    """Return the document of the version an e-mail is about (no viewer: the worker's)."""
    purchase_order = (
        purchase_orders_with_parts().select_related("waiting_approval").get(pk=purchase_order_id)
    )
    return version_document(purchase_order=purchase_order, version=version)
