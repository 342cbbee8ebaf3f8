"""Compare two versions of a purchase order, field by field and line by line.

Versions are compared as their stored snapshots: the network's
``purchaseOrder`` object plus its ``additionalInfos`` (see
``PurchaseOrderVersion.snapshot``). The result names every field in the words
a buyer or supplier uses, so the same labels also describe the field a
network error names (``describe_field_path``).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Network keys in the words people use on a purchase order.
FIELD_LABELS = {
    "objectId": "Network ID",
    "buyerPONumber": "PO number",
    "ts": "Issued at",
    "orderDate": "Order date",
    "deliveryDate": "Delivery date",
    "subject": "Subject",
    "objectVersion": "Version",
    "currentVersion": "Previous version",
    "newVersion": "Version",
    "poStatusTransition": "Status",
    "currentStatus": "Previous status",
    "newStatus": "Status",
    "supplierDetails": "Supplier",
    "buyerDetails": "Buyer",
    "b2bId": "B2B ID",
    "gstin": "GSTIN",
    "legalName": "Legal name",
    "tradeName": "Trade name",
    "stateCode": "State code",
    "placeOfSupply": "Place of supply",
    "address": "Address",
    "type": "Type",
    "addressType": "Purpose",
    "addressLine1": "Address line 1",
    "addressLine2": "Address line 2",
    "city": "City",
    "state": "State",
    "country": "Country",
    "pincode": "PIN code",
    "contactNumber": "Phone",
    "countryCode": "Country code",
    "phoneNumber": "Phone number",
    "email": "E-mail",
    "serialno": "Serial no.",
    "productDescription": "Description",
    "isService": "Service (Y/N)",
    "hsnCode": "HSN/SAC code",
    "barCode": "Bar code",
    "quantity": "Quantity",
    "freeQuantity": "Free quantity",
    "unit": "Unit",
    "unitPrice": "Unit price",
    "totalAmt": "Amount",
    "assessmentAmount": "Taxable value",
    "gstRate": "GST rate",
    "totalItemValue": "Line total",
    "orderLineReference": "Order line reference",
    "originCountry": "Country of origin",
    "productSerialNumber": "Product serial number",
    "batchDetails": "Batch",
    "batchNumber": "Batch number",
    "expiryDate": "Expiry date",
    "batchWarrantyDate": "Warranty date",
    "name": "Name",
    "value": "Value",
    "rate": "Rate",
    "amount": "Amount",
    "poValueDetails": "Totals",
    "totalPOValue": "Total PO value",
    "detailType": "Detail",
    "detailValue": "Value",
    "receiptAdviceNo": "Receipt advice no.",
    "receiptAdviceDate": "Receipt advice date",
    "batchReferenceNo": "Batch reference no.",
    "contractReferenceNo": "Contract reference no.",
    "extraReferenceNo": "Extra reference no.",
    "projectReferenceNo": "Project reference no.",
    "url": "Link",
    "document": "Document",
    "info": "Description",
    "milestoneDate": "Due date",
    "dueAmount": "Amount due",
    "shippingTermsDetails": "Shipping",
    "terms": "Terms",
    "bearingParty": "Paid by",
    "charges": "Charges",
    "b2bIds": "Businesses",
    "buyerB2BId": "Buyer's B2B ID",
    "supplierB2BId": "Supplier's B2B ID",
    "poConfirmation": "Confirmation",
    "supplierResponse": "Supplier's answer",
    "supplierRemarks": "Supplier's remarks",
    "poStatus": "Status change",
    "buyerAction": "Buyer's action",
    "buyerRemarks": "Buyer's remarks",
    "itemLists": "Lines",
    "addressDetails": "Addresses",
    "paymentMilestones": "Payment milestones",
    "otherValues": "Other charges",
    "otherTaxes": "Other taxes",
    "itemValueDetails": "Value details",
    "rates": "Rates",
    "attributeDetails": "Attributes",
    "poInfos": "PO details",
    "contractReferenceDetails": "Contract references",
    "additionalDocumentDetails": "Documents",
    "additionalInfos": "Additional details",
}
# Fields are shown in the order above, whatever order the stored snapshot
# keeps (PostgreSQL's jsonb sorts keys by length); unknown keys come last.
FIELD_ORDER = {key: position for position, key in enumerate(FIELD_LABELS)}
# What one entry of each list is called ("Line 2", "Other tax 1").
LIST_ITEM_LABELS = {
    "itemLists": "Line",
    "addressDetails": "Address",
    "paymentMilestones": "Payment milestone",
    "otherValues": "Other charge",
    "otherTaxes": "Other tax",
    "itemValueDetails": "Value detail",
    "rates": "Rate",
    "attributeDetails": "Attribute",
    "poInfos": "PO detail",
    "contractReferenceDetails": "Contract reference",
    "additionalDocumentDetails": "Document",
    "additionalInfos": "Additional detail",
}
MONEY_KEYS = frozenset(
    {
        "unitPrice",
        "totalAmt",
        "assessmentAmount",
        "totalItemValue",
        "totalPOValue",
        "charges",
        "dueAmount",
        "amount",
    }
)
QUANTITY_KEYS = frozenset({"quantity", "freeQuantity"})
RATE_KEYS = frozenset({"gstRate", "rate"})
DATE_KEYS = frozenset(
    {
        "orderDate",
        "deliveryDate",
        "milestoneDate",
        "expiryDate",
        "batchWarrantyDate",
        "receiptAdviceDate",
    }
)
# Lists whose entries' ``value`` is an amount rather than text.
MONEY_VALUE_LISTS = frozenset({"itemValueDetails", "otherValues"})
NUMBER_VALUE_LISTS = frozenset({"rates"})

# Keys that change with every version and say nothing about what changed.
IGNORED_KEYS = frozenset({"objectVersion", "poStatusTransition"})

_PATH_PART = re.compile(r"([A-Za-z0-9_]+)((?:\[\d+\])*)")


def describe_field_path(path: str) -> str:
    """Return a network field path in plain words.

    ``purchaseOrder.itemLists[0].hsnCode`` becomes ``Line 1 › HSN/SAC code``;
    an unknown key is shown as it is.
    """
    words = []
    for part in (path or "").split("."):
        match = _PATH_PART.fullmatch(part.strip())
        if not match:
            if part.strip():
                words.append(part.strip())
            continue
        key, indices = match.groups()
        if key in {"purchaseOrder", "payload"}:
            continue
        numbers = [int(index) + 1 for index in re.findall(r"\[(\d+)\]", indices)]
        if numbers and key in LIST_ITEM_LABELS:
            words.append(f"{LIST_ITEM_LABELS[key]} {numbers[0]}")
        else:
            words.append(FIELD_LABELS.get(key, key))
    return " › ".join(words)


def value_kind(key: str, parent_list: str = "") -> str:
    """Return how a leaf value is shown: money, quantity, rate, date, number or text."""
    if key == "value" and parent_list in MONEY_VALUE_LISTS:
        return "money"
    if key == "value" and parent_list in NUMBER_VALUE_LISTS:
        return "number"
    if key in MONEY_KEYS:
        return "money"
    if key in QUANTITY_KEYS:
        return "quantity"
    if key in RATE_KEYS:
        return "rate"
    if key in DATE_KEYS:
        return "date"
    return "text"


@dataclass(frozen=True)
class Change:
    """One field in both versions; ``old`` or ``new`` is None where it is absent."""

    label: str
    old: object
    new: object
    kind: str = "text"

    @property
    def changed(self) -> bool:
        return not _same(self.old, self.new, self.kind)


@dataclass(frozen=True)
class Section:
    """A group of fields, e.g. the supplier, or one line."""

    title: str
    rows: list[Change]
    state: str = "changed"  # added | removed | changed | unchanged

    @property
    def changes(self) -> list[Change]:
        return [row for row in self.rows if row.changed]

    @property
    def changed(self) -> bool:
        return self.state in {"added", "removed"} or bool(self.changes)


@dataclass(frozen=True)
class VersionDiff:
    old_version: int
    new_version: int
    sections: list[Section] = field(default_factory=list)
    lines: list[Section] = field(default_factory=list)

    @property
    def changed_lines(self) -> list[Section]:
        return [line for line in self.lines if line.changed]

    @property
    def has_changes(self) -> bool:
        return any(s.changed for s in self.sections) or bool(self.changed_lines)


def _same(old, new, kind: str) -> bool:
    if kind in {"money", "quantity", "rate", "number"}:
        old_number, new_number = _number(old), _number(new)
        if old_number is not None and new_number is not None:
            return old_number == new_number
    return ("" if old is None else str(old)) == ("" if new is None else str(new))


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _field_position(item: tuple[str, object]) -> int:
    return FIELD_ORDER.get(item[0], len(FIELD_ORDER))


def _flatten(data, *, prefix: str = "", parent_list: str = "") -> dict[str, tuple[object, str]]:
    """Return {label: (value, kind)} for every leaf of a nested dict, in FIELD_ORDER."""
    leaves: dict[str, tuple[object, str]] = {}
    for key, value in sorted((data or {}).items(), key=_field_position):
        if key in IGNORED_KEYS:
            continue
        label = FIELD_LABELS.get(key, key)
        full_label = f"{prefix} › {label}" if prefix else label
        if isinstance(value, dict):
            leaves.update(_flatten(value, prefix=full_label, parent_list=parent_list))
        elif isinstance(value, list):
            item_label = LIST_ITEM_LABELS.get(key, label)
            for index, entry in enumerate(value, start=1):
                entry_prefix = (
                    f"{prefix} › {item_label} {index}" if prefix else f"{item_label} {index}"
                )
                if isinstance(entry, dict):
                    leaves.update(_flatten(entry, prefix=entry_prefix, parent_list=key))
                else:
                    leaves[entry_prefix] = (entry, "text")
        else:
            leaves[full_label] = (value, value_kind(key, parent_list))
    return leaves


def _compare_flat(old: dict, new: dict) -> list[Change]:
    old_leaves, new_leaves = _flatten(old), _flatten(new)
    labels = list(old_leaves) + [label for label in new_leaves if label not in old_leaves]
    return [
        Change(
            label=label,
            old=old_leaves.get(label, (None, ""))[0],
            new=new_leaves.get(label, (None, ""))[0],
            kind=(new_leaves.get(label) or old_leaves.get(label))[1],
        )
        for label in labels
    ]


def _compare_list(title: str, key: str, old: list | None, new: list | None) -> Section:
    """Compare two lists of small objects entry by entry, as one section."""
    return Section(title=title, rows=_compare_flat({key: old or []}, {key: new or []}))


def _line_key(line: dict, index: int, use_serials: bool):
    return line.get("serialno") if use_serials else index


def _serials_usable(*line_lists: list) -> bool:
    """Whether lines can be matched by serial number: present and unique in each version."""
    for lines in line_lists:
        serials = [str(line.get("serialno") or "").strip() for line in lines]
        if not all(serials) or len(set(serials)) != len(serials):
            return False
    return True


def _line_title(line: dict, number: int) -> str:
    description = str(line.get("productDescription") or "").strip()
    return f"Line {number}: {description}" if description else f"Line {number}"


def _compare_lines(old_lines: list, new_lines: list) -> list[Section]:
    use_serials = _serials_usable(old_lines, new_lines)
    old_by_key = {_line_key(line, i, use_serials): line for i, line in enumerate(old_lines)}
    new_by_key = {_line_key(line, i, use_serials): line for i, line in enumerate(new_lines)}
    sections = []
    for index, line in enumerate(new_lines):
        key = _line_key(line, index, use_serials)
        previous = old_by_key.get(key)
        rows = _compare_flat(previous or {}, line)
        if previous is None:
            state = "added"
        else:
            state = "changed" if any(row.changed for row in rows) else "unchanged"
        sections.append(Section(title=_line_title(line, index + 1), rows=rows, state=state))
    for index, line in enumerate(old_lines):
        if _line_key(line, index, use_serials) not in new_by_key:
            sections.append(
                Section(
                    title=_line_title(line, index + 1) + " (removed)",
                    rows=_compare_flat(line, {}),
                    state="removed",
                )
            )
    return sections


def _party_fields(party: dict) -> dict:
    return {key: value for key, value in (party or {}).items() if key != "b2bId"}


def compare_snapshots(old: dict, new: dict, *, old_version: int, new_version: int) -> VersionDiff:
    """Return what changed from one version snapshot to another."""
    old_po, new_po = old.get("purchaseOrder") or {}, new.get("purchaseOrder") or {}
    header_keys = ("buyerPONumber", "orderDate", "deliveryDate", "subject")

    def header(po: dict) -> dict:
        # The status is shown as the version's status, not as a transition.
        status = (po.get("poStatusTransition") or {}).get("newStatus")
        return {key: po.get(key) for key in header_keys} | {"newStatus": status}

    order = Section(title="Order", rows=_compare_flat(header(old_po), header(new_po)))
    old_values, new_values = old_po.get("poValueDetails") or {}, new_po.get("poValueDetails") or {}
    sections = [
        order,
        Section(
            title="Buyer",
            rows=_compare_flat(
                _party_fields(old_po.get("buyerDetails")), _party_fields(new_po.get("buyerDetails"))
            ),
        ),
        Section(
            title="Supplier",
            rows=_compare_flat(
                _party_fields(old_po.get("supplierDetails")),
                _party_fields(new_po.get("supplierDetails")),
            ),
        ),
        _compare_list(
            "Addresses",
            "addressDetails",
            old_po.get("addressDetails"),
            new_po.get("addressDetails"),
        ),
        Section(
            title="Totals",
            rows=[
                Change(
                    label="Total PO value",
                    old=old_values.get("totalPOValue"),
                    new=new_values.get("totalPOValue"),
                    kind="money",
                ),
                *_compare_flat(
                    {"otherValues": old_values.get("otherValues") or []},
                    {"otherValues": new_values.get("otherValues") or []},
                ),
            ],
        ),
        _compare_list(
            "Payment milestones",
            "paymentMilestones",
            old_po.get("paymentMilestones"),
            new_po.get("paymentMilestones"),
        ),
        Section(
            title="Shipping",
            rows=_compare_flat(
                old_po.get("shippingTermsDetails") or {}, new_po.get("shippingTermsDetails") or {}
            ),
        ),
        _compare_list(
            "Contract references",
            "contractReferenceDetails",
            old_po.get("contractReferenceDetails"),
            new_po.get("contractReferenceDetails"),
        ),
        _compare_list(
            "Documents",
            "additionalDocumentDetails",
            old_po.get("additionalDocumentDetails"),
            new_po.get("additionalDocumentDetails"),
        ),
        _compare_list("PO details", "poInfos", old_po.get("poInfos"), new_po.get("poInfos")),
        _compare_list(
            "Additional details",
            "additionalInfos",
            old.get("additionalInfos"),
            new.get("additionalInfos"),
        ),
    ]
    return VersionDiff(
        old_version=old_version,
        new_version=new_version,
        sections=sections,
        lines=_compare_lines(old_po.get("itemLists") or [], new_po.get("itemLists") or []),
    )


def compare_versions(old, new) -> VersionDiff:
    """Return what changed between two ``PurchaseOrderVersion`` rows."""
    return compare_snapshots(
        old.snapshot, new.snapshot, old_version=old.version, new_version=new.version
    )
