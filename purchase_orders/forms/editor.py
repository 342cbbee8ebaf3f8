"""The whole purchase-order form: the header and every list, checked together."""

from decimal import Decimal

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME

from purchase_orders import lifecycle
from purchase_orders.contents import (
    AddressContents,
    Contents,
    FieldPath,
    Header,
    MilestoneContents,
    PartyContents,
    terms_of,
    with_terms,
    without_terms,
)
from purchase_orders.exceptions import PurchaseOrderError
from purchase_orders.forms.lines import LineForm
from purchase_orders.forms.parts import (
    AdditionalInfoForm,
    AddressForm,
    ContractReferenceForm,
    DocumentForm,
    MilestoneForm,
    OtherChargeForm,
    PartFormSet,
    PoInfoForm,
    filled_rows,
    marked_removed,
    number_rows,
)
from purchase_orders.forms.purchase_order import PurchaseOrderForm
from purchase_orders.models import PurchaseOrder
from purchase_orders.services.checks import milestones_mismatch
from purchase_orders.totals import DISCOUNT_TYPE, LineInput, compute_totals, is_intra_state

# prefix -> (form class, the name of one row, the text of its add button)
PARTS = {
    "lines": (LineForm, "Line", "Add line"),
    "addresses": (AddressForm, "Address", "Add address"),
    "other_charges": (OtherChargeForm, "Charge", "Add charge"),
    "milestones": (MilestoneForm, "Milestone", "Add milestone"),
    "contract_references": (ContractReferenceForm, "Reference", "Add reference"),
    "documents": (DocumentForm, "Document", "Add document"),
    "po_infos": (PoInfoForm, "PO detail", "Add PO detail"),
    "additional_infos": (AdditionalInfoForm, "Additional detail", "Add additional detail"),
}
# Where each list goes in the contents: prefix -> (place, key).
CONTENT_PLACES = {
    "lines": ("contents", "lines"),
    "addresses": ("contents", "addresses"),
    "other_charges": ("contents", "other_charges"),
    "milestones": ("contents", "milestones"),
    "contract_references": ("header", "contract_references"),
    "documents": ("header", "additional_documents"),
    "po_infos": ("header", "po_infos"),
    "additional_infos": ("header", "additional_infos"),
}
# The list of the contents each list of the form fills: key -> prefix.
LIST_PREFIXES = {key: prefix for prefix, (_, key) in CONTENT_PLACES.items()}
# Lists the form starts with one blank row of.
START_WITH_A_ROW = {"lines", "addresses"}
# Fields the services name that the form shows elsewhere.
FIELD_ALIASES = {"buyer_state_code": "buyer_gstin"}


def field_name(path: FieldPath) -> str:
    """Return the name of the form field that shows a part of the contents.

    ``("lines", 0, "hsn_code")`` is ``lines-0-hsn_code``, ``("parties",
    "buyer", "gstin")`` is ``buyer_gstin`` and ``("parties", "supplier")`` is
    ``supplier``; the buyer's place of supply is ``place_of_supply``.
    """
    head, *rest = path
    if head == "parties":
        role, names = rest[0], rest[1:]
        if not names:
            return str(role)
        return "place_of_supply" if names == ["place_of_supply"] else f"{role}_{names[0]}"
    if head in LIST_PREFIXES and rest:
        return "-".join(str(part) for part in (LIST_PREFIXES[head], *rest[:2]))
    return LIST_PREFIXES.get(head, str(head))


class PurchaseOrderEditor:
    """The whole purchase-order form: the header and every list, checked together."""

    def __init__(
        self,
        *,
        mode: str,
        buyers,
        suppliers,
        data=None,
        initial: dict | None = None,
        parts_initial: dict | None = None,
        extra_rows: dict | None = None,
        supplier_state: str = "",
    ):
        self.mode = mode
        self.is_bound = data is not None
        # Shown again from what was posted (a row added, lines imported): not saved.
        self.is_refilled = False
        # The state of a sent order's supplier as it was sent (the business may have moved).
        self.supplier_state = supplier_state
        # The step of importing lines this post took (forms.line_import.LineImport).
        self.line_import = None
        self.main = PurchaseOrderForm(
            data, initial=initial, mode=mode, buyers=buyers, suppliers=suppliers
        )
        self.part_errors: dict[str, list[str]] = {prefix: [] for prefix in PARTS}
        self._indices: dict[str, list[int]] = {}
        parts_initial = parts_initial or {}
        extra_rows = extra_rows or {}
        self.formsets = {}
        for prefix, (form_class, _, _) in PARTS.items():
            rows = parts_initial.get(prefix) or []
            starts_blank = prefix in START_WITH_A_ROW and not rows
            formset_class = forms.formset_factory(
                form_class,
                formset=PartFormSet,
                extra=extra_rows.get(prefix, 0) + (1 if starts_blank else 0),
                can_delete=True,
            )
            self.formsets[prefix] = formset_class(
                data, initial=None if self.is_bound else rows, prefix=prefix
            )
        self._number_rows()

    # -- presentation ----------------------------------------------------------

    def _number_rows(self) -> None:
        """Give each row the number people see (removed rows are not counted)."""
        for formset in self.formsets.values():
            number_rows(formset)

    def parts(self) -> dict[str, dict]:
        """Return each list by prefix with its formset, row name and add-button text."""
        return {
            prefix: {
                "prefix": prefix,
                "formset": self.formsets[prefix],
                "row_name": row_name,
                "add_label": add_label,
                "errors": self.part_errors[prefix],
            }
            for prefix, (_, row_name, add_label) in PARTS.items()
        }

    def error_summary(self) -> list[tuple[str, str]]:
        """Return (message, id of the field to jump to) for every error on the page."""
        if not self.is_bound:
            return []
        summary = [(message, "") for message in self.main.non_field_errors()]
        for name in self.main.fields:
            for message in self.main[name].errors:
                summary.append(
                    (f"{self.main[name].label}: {message}", self.main[name].id_for_label)
                )
        for prefix, (_, row_name, _) in PARTS.items():
            formset = self.formsets[prefix]
            for message in [*formset.non_form_errors(), *self.part_errors[prefix]]:
                summary.append((message, f"part-{prefix}"))
            for form in formset.forms:
                if form.is_removed:
                    continue
                label = f"{row_name} {form.number}"
                summary.extend(_row_errors(form, label))
                for part in form.sub_lists():
                    for message in part["formset"].non_form_errors():
                        summary.append(
                            (
                                f"{label}, {part['label'].lower()}: {message}",
                                f"part-{part['prefix']}",
                            )
                        )
                    for item in part["formset"].forms:
                        if not item.is_removed:
                            item_label = f"{label}, {part['row_name'].lower()} {item.number}"
                            summary.extend(_row_errors(item, item_label, lower=True))
        return summary

    # -- checking ----------------------------------------------------------------

    def is_valid(self) -> bool:
        valid = self.main.is_valid()
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        if self.formsets["lines"].is_valid() and not self.formsets["lines"].filled():
            self.part_errors["lines"].append("Add at least one line to the purchase order.")
            valid = False
        if not valid:
            # The services check the milestones against the total once the rest
            # is right; checked here too, so that one submit shows every error.
            message = self._milestones_error()
            if message:
                self.part_errors["milestones"].append(message)
        return valid

    def _milestones_error(self) -> str:
        """Return why the milestones do not add up to the total, if it can be told yet.

        It can when every amount, quantity and rate that makes the total was
        read, and the supplier and place of supply are known; other errors
        (a description, an HSN code, a GSTIN) do not hide it.
        """
        milestones = filled_rows(self.formsets["milestones"], checked=False)
        if not milestones or any(form["due_amount"].errors for form in milestones):
            return ""
        lines = [_line_input(form) for form in filled_rows(self.formsets["lines"], checked=False)]
        charges = filled_rows(self.formsets["other_charges"], checked=False)
        if not lines or None in lines or any(form["amount"].errors for form in charges):
            return ""
        data = self.main.cleaned_data
        supplier = data.get("supplier")
        supplier_state = self.supplier_state or (supplier.state_code if supplier else "")
        place = data.get("place_of_supply")
        if not supplier_state or not place:
            return ""
        totals = compute_totals(
            lines=lines,
            other_charges=[form.cleaned_data.get("amount") or 0 for form in charges],
            intra_state=is_intra_state(supplier_state_code=supplier_state, place_of_supply=place),
        )
        scheduled = sum((form.cleaned_data["due_amount"] for form in milestones), Decimal(0))
        if scheduled == totals.total_po_value:
            return ""
        return milestones_mismatch(scheduled, totals.total_po_value)

    def contents(self) -> Contents:
        """Return what was typed as contents (parties hold only the buyer's GSTIN and place)."""
        data = self.main.cleaned_data
        contents = Contents(
            header=Header(
                buyer_po_number=data.get("buyer_po_number", ""),
                order_date=data.get("order_date"),
                delivery_date=data.get("delivery_date"),
                subject=data.get("subject", ""),
                shipping_terms=data.get("shipping_terms", ""),
                shipping_bearing_party=data.get("shipping_bearing_party", ""),
                shipping_charges=data.get("shipping_charges") or Decimal("0.00"),
            ),
            parties={
                lifecycle.BUYER: PartyContents(
                    role=lifecycle.BUYER,
                    gstin=data.get("buyer_gstin", ""),
                    place_of_supply=data.get("place_of_supply", ""),
                ),
                lifecycle.SUPPLIER: PartyContents(role=lifecycle.SUPPLIER),
            },
        )
        for prefix, (place, key) in CONTENT_PLACES.items():
            rows = self.formsets[prefix].filled()
            self._indices[prefix] = [index for index, _ in rows]
            items = [form.to_contents() for _, form in rows]
            if prefix == "lines":
                for number, item in enumerate(items, start=1):
                    item.serial_no = item.serial_no or str(number)
            setattr(contents.header if place == "header" else contents, key, items)
        # The terms have a box of their own; they travel as one of the PO details.
        contents.header.po_infos = with_terms(contents.header.po_infos, data.get("terms", ""))
        return contents

    def typed_contents(self) -> Contents:
        """Return what the warnings read of what was typed, even with errors elsewhere.

        The order date, the place of supply, the addresses' purposes and
        states and the milestones' dates, as far as each was read; a value
        with an error of its own is left out. Call it once the form is checked.
        """
        data = getattr(self.main, "cleaned_data", {})
        contents = Contents(
            header=Header(order_date=data.get("order_date")),
            parties={
                lifecycle.BUYER: PartyContents(
                    role=lifecycle.BUYER, place_of_supply=data.get("place_of_supply") or ""
                )
            },
        )
        for form in self._typed_rows("addresses"):
            row = getattr(form, "cleaned_data", {})
            contents.addresses.append(
                AddressContents(
                    purpose=(row.get("purpose") or "").strip().upper(), state=row.get("state", "")
                )
            )
        for form in self._typed_rows("milestones"):
            row = getattr(form, "cleaned_data", {})
            contents.milestones.append(
                MilestoneContents(
                    due_on=row.get("due_on"), due_amount=row.get("due_amount") or Decimal(0)
                )
            )
        return contents

    def _typed_rows(self, prefix: str) -> list:
        return [
            form
            for form in self.formsets[prefix].forms
            if form.has_changed() and not marked_removed(form)
        ]

    @property
    def cleaned_data(self) -> dict:
        return self.main.cleaned_data

    def add_error(self, error: PurchaseOrderError) -> None:
        """Show a service's error next to the field it names, or at the top of the form."""
        path = error.path or ()
        if len(path) > 2 and path[0] in LIST_PREFIXES and isinstance(path[1], int):
            self._add_row_error(LIST_PREFIXES[path[0]], path[1], str(path[2]), error.message)
            return
        field = field_name(path) if path else ""
        field = FIELD_ALIASES.get(field, field)
        if field in self.formsets:
            self.part_errors[field].append(error.message)
            return
        if field in self.main.fields and hasattr(self.main, "cleaned_data"):
            self.main.add_error(field, error.message)
            return
        self.main.add_error(None, error.message)

    def _add_row_error(self, prefix: str, index: int, name: str, message: str) -> None:
        """Show an error on the row the ``index``-th item of a list came from."""
        indices = self._indices.get(prefix) or []
        if index < len(indices):
            form = self.formsets[prefix].forms[indices[index]]
            form.add_error(name if name in form.fields else None, message)
            return
        self.part_errors[prefix].append(message)

    def lines_typed(self) -> int:
        """Return how many lines the posted form holds (not blank, not removed)."""
        formset = self.formsets["lines"]
        if not formset.management_form.is_valid():
            return 0
        return len(filled_rows(formset, checked=False))

    def refilled(
        self, *, add_row_to: str, buyers, suppliers, add_lines: list | None = None
    ) -> "PurchaseOrderEditor":
        """Return the form as typed, unchecked, with one more blank row in one list.

        Adding a row without the page's script posts the form; this keeps
        what was typed and shows no errors for rows not yet finished.
        ``add_row_to`` is a list's prefix: ``lines``, or a line's list such as
        ``lines-2-rates``. ``add_lines`` are lines imported from a
        spreadsheet, as initial values, put after the lines typed.
        """
        initial = {name: self.main[name].value() for name in self.main.fields}
        parts_initial = {}
        for prefix, formset in self.formsets.items():
            if formset.management_form.is_valid():
                forms_to_keep = formset.forms
            else:
                forms_to_keep = []
            parts_initial[prefix] = [
                {
                    **{
                        name: form[name].value()
                        for name in form.fields
                        if name != DELETION_FIELD_NAME
                    },
                    **(form.refill(add_row_to=add_row_to) if form.sub_lists() else {}),
                }
                for form in forms_to_keep
                if not marked_removed(form)
                and (form.has_changed() or add_row_to.startswith(f"{form.prefix}-"))
            ]
        parts_initial["lines"] += add_lines or []
        extra = {add_row_to: 1} if add_row_to in PARTS else {}
        editor = PurchaseOrderEditor(
            mode=self.mode,
            buyers=buyers,
            suppliers=suppliers,
            initial=initial,
            parts_initial=parts_initial,
            extra_rows=extra,
        )
        editor.is_refilled = True
        return editor


def _line_input(form) -> LineInput | None:
    """Return what a line's totals are computed from, or None if any of it is wrong."""
    if any(form[name].errors for name in ("quantity", "unit_price", "discount", "gst_rate")):
        return None
    data = form.cleaned_data
    quantity, price, rate = data.get("quantity"), data.get("unit_price"), data.get("gst_rate")
    taxes, details = form.line_lists["other_taxes"], form.line_lists["value_details"]
    if quantity is None or price is None or rate is None:
        return None
    if not taxes.is_valid() or not details.is_valid():
        return None
    listed = [row.to_contents() for row in filled_rows(details)]
    discount = (data.get("discount") or Decimal(0)) + sum(
        (Decimal(entry["value"]) for entry in listed if entry["type"] == DISCOUNT_TYPE),
        Decimal(0),
    )
    return LineInput(
        quantity=quantity,
        unit_price=price,
        gst_rate=rate,
        discount=discount,
        other_tax_rates=[row.cleaned_data["rate"] for row in filled_rows(taxes)],
    )


def _row_errors(form, label: str, *, lower: bool = False) -> list[tuple[str, str]]:
    """Return (message, id of the field) for the errors of one row, named by ``label``."""
    summary = [(f"{label}: {message}", f"{form.prefix}-row") for message in form.non_field_errors()]
    for name in form.fields:
        words = form[name].label.lower() if lower else form[name].label
        for message in form[name].errors:
            summary.append((f"{label}, {words}: {message}", form[name].id_for_label))
    return summary


def initial_for_purchase_order(purchase_order: PurchaseOrder) -> tuple[dict, dict]:
    """Return the form's initial values for a saved purchase order (header, lists)."""
    parties = {party.role: party for party in purchase_order.parties.all()}
    buyer_party = parties.get(lifecycle.BUYER)
    initial = {
        "buyer": purchase_order.buyer_id,
        "supplier": purchase_order.supplier_id,
        "buyer_po_number": purchase_order.buyer_po_number,
        "order_date": purchase_order.order_date,
        "delivery_date": purchase_order.delivery_date,
        "subject": purchase_order.subject,
        "buyer_gstin": buyer_party.gstin if buyer_party else "",
        "place_of_supply": (buyer_party.place_of_supply if buyer_party else "")
        or purchase_order.buyer.state_code,
        "shipping_terms": purchase_order.shipping_terms,
        "shipping_bearing_party": purchase_order.shipping_bearing_party,
        "shipping_charges": purchase_order.shipping_charges or None,
        "terms": terms_of(purchase_order.po_infos),
        "expected_version": purchase_order.version,
    }
    parts = {
        "lines": [LineForm.initial_from(line) for line in purchase_order.lines.all()],
        "addresses": [
            AddressForm.initial_from(address) for address in purchase_order.addresses.all()
        ],
        "other_charges": [
            {"charge_type": charge.charge_type, "amount": charge.amount}
            for charge in purchase_order.other_charges.all()
        ],
        "milestones": [
            {"due_on": milestone.due_on, "due_amount": milestone.due_amount}
            for milestone in purchase_order.milestones.all()
        ],
        "contract_references": [
            ContractReferenceForm.initial_from(entry)
            for entry in purchase_order.contract_references
        ],
        "documents": [
            DocumentForm.initial_from(entry) for entry in purchase_order.additional_documents
        ],
        "po_infos": [
            PoInfoForm.initial_from(entry) for entry in without_terms(purchase_order.po_infos)
        ],
        "additional_infos": [
            AdditionalInfoForm.initial_from(entry) for entry in purchase_order.additional_infos
        ],
    }
    return initial, parts


def initial_for_new(*, buyer, po_number: str, today) -> tuple[dict, dict]:
    """Return the form's initial values for a new purchase order of a buyer.

    It starts with the business's default terms and conditions.
    """
    initial = {
        "buyer": buyer.pk if buyer else None,
        "buyer_po_number": po_number,
        "order_date": today,
        "buyer_gstin": buyer.gstin if buyer else "",
        "place_of_supply": buyer.state_code if buyer else "",
        "terms": buyer.default_terms if buyer else "",
    }
    address = (
        {
            "purpose": "DELIVERY",
            "address_type": buyer.address_type,
            "address_line1": buyer.address_line1,
            "address_line2": buyer.address_line2,
            "city": buyer.city,
            "state": buyer.state,
            "country": buyer.country or "India",
            "pincode": buyer.pincode,
        }
        if buyer and buyer.address_line1
        else None
    )
    return initial, {"addresses": [address] if address else []}
