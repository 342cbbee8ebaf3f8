"""Compare two versions of a purchase order, field by field and line by line.

Each version's snapshot (``PurchaseOrderVersion.snapshot``: the network's
``purchaseOrder`` object plus its ``additionalInfos``) is read once into
typed contents, and the two contents are compared. Every field is named in
the words of ``labels``, in the document's order, so the same words also
describe the field a network error names (``enkash.labels.describe_field_path``).
"""

import datetime
from dataclasses import dataclass, field

from purchase_orders.contents import (
    Contents,
    Header,
    LineContents,
    PartyContents,
    terms_of,
    without_terms,
)
from purchase_orders.enkash import payloads
from purchase_orders.labels import (
    ADDRESS_LABELS,
    CHARGE_LABELS,
    ENTRY_LABELS,
    GROUP_LABELS,
    HEADER_LABELS,
    LINE_LABELS,
    LIST_ITEM_LABELS,
    LIST_LABELS,
    MILESTONE_LABELS,
    PARTY_LABELS,
    TAX_LABELS,
    entry_field,
    field_label,
    value_kind,
)
from purchase_orders.lifecycle import BUYER, ROLE_LABELS, SUPPLIER
from purchase_orders.numbers import to_decimal

# What one version says of a section: {label: (value, kind)}, in the order shown.
Leaves = dict[str, tuple[object, str]]


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
        old_number, new_number = to_decimal(old), to_decimal(new)
        if old_number is not None and new_number is not None:
            return old_number == new_number
    return ("" if old is None else str(old)) == ("" if new is None else str(new))


def _shown(value):
    """Return a field's value as a row carries it.

    A date is its ISO text and a missing date is blank, as the version says
    them; None is kept for a field the version does not have. A yes-or-no is
    Y or N, as its label asks.
    """
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


def _join(prefix: str, label: str) -> str:
    return f"{prefix} › {label}" if prefix else label


def _fields(item, labels: dict[str, str], *, prefix: str = "", exclude=()) -> Leaves:
    """Return the fields of one part that ``labels`` names, each under its group's heading."""
    return {
        _join(prefix, field_label(name, labels)): (_shown(getattr(item, name)), value_kind(name))
        for name in labels
        if name not in exclude
    }


# An entry's keys are shown in ENTRY_LABELS' order, whatever order its JSON keeps.
ENTRY_ORDER = {name: position for position, name in enumerate(ENTRY_LABELS)}


def _entry_position(key: str) -> int:
    return ENTRY_ORDER.get(entry_field(key), len(ENTRY_ORDER))


def _entry(entry: dict, *, prefix: str, list_name: str) -> Leaves:
    """Return the keys of one free-form list entry, each as ENTRY_LABELS names it."""
    leaves = {}
    for key in sorted(entry, key=_entry_position):
        name = entry_field(key)
        leaves[_join(prefix, ENTRY_LABELS.get(name, key))] = (
            entry[key],
            value_kind(name, list_name),
        )
    return leaves


# The lists whose entries are typed parts, and the labels of their fields.
PART_LABELS = {
    "addresses": ADDRESS_LABELS,
    "other_taxes": TAX_LABELS,
    "other_charges": CHARGE_LABELS,
    "milestones": MILESTONE_LABELS,
}


def _list(list_name: str, entries: list) -> Leaves:
    """Return every entry of a list, numbered as people count: "Other tax 1 › Rate"."""
    leaves = {}
    for number, entry in enumerate(entries, start=1):
        prefix = f"{LIST_ITEM_LABELS[list_name]} {number}"
        if isinstance(entry, dict):
            leaves.update(_entry(entry, prefix=prefix, list_name=list_name))
        else:
            leaves.update(_fields(entry, PART_LABELS[list_name], prefix=prefix))
    return leaves


def _header(header: Header, names: tuple[str, ...]) -> Leaves:
    # A group of the header is a section of its own: its fields need no heading.
    return {
        HEADER_LABELS[name]: (_shown(getattr(header, name)), value_kind(name)) for name in names
    }


def _party(party: PartyContents) -> Leaves:
    # The B2B ID is the business's identity on the network, which no version
    # changes; only the buyer names a place of supply.
    exclude = ("b2b_id",) if party.role == BUYER else ("b2b_id", "place_of_supply")
    return _fields(party, PARTY_LABELS, exclude=exclude)


# A line's lists, shown after its own fields.
LINE_LISTS = ("other_taxes", "value_details", "rates", "attributes")


def _line(line: LineContents) -> Leaves:
    leaves = _fields(line, LINE_LABELS)
    for name in LINE_LISTS:
        leaves.update(_list(name, getattr(line, name)))
    return leaves


# The status is shown as the version's status, not as a transition.
ORDER_FIELDS = ("buyer_po_number", "order_date", "delivery_date", "subject", "status")
SHIPPING_FIELDS = ("shipping_terms", "shipping_bearing_party", "shipping_charges")
# Lists of small objects shown after the shipping terms, entry by entry.
REFERENCE_LISTS = ("contract_references", "additional_documents", "po_infos")


def _header_list(name: str):
    if name == "po_infos":
        return _po_details
    return lambda contents: _list(name, getattr(contents.header, name))


TERMS_LABEL = "Terms and conditions"


def _po_details(contents: Contents) -> Leaves:
    """Return the PO details, the terms and conditions (one of them on the wire) by name."""
    po_infos = contents.header.po_infos
    leaves = _list("po_infos", without_terms(po_infos))
    terms = terms_of(po_infos)
    if terms:
        leaves[TERMS_LABEL] = (terms, "text")
    return leaves


# The sections after the lines, in the page's order: title -> what a version says.
SECTIONS = {
    "Order": lambda contents: _header(contents.header, ORDER_FIELDS),
    ROLE_LABELS[BUYER]: lambda contents: _party(contents.buyer),
    ROLE_LABELS[SUPPLIER]: lambda contents: _party(contents.supplier),
    LIST_LABELS["addresses"]: lambda contents: _list("addresses", contents.addresses),
    GROUP_LABELS["totals"]: lambda contents: {
        **_header(contents.header, ("total_po_value",)),
        **_list("other_charges", contents.other_charges),
    },
    LIST_LABELS["milestones"]: lambda contents: _list("milestones", contents.milestones),
    GROUP_LABELS["shipping"]: lambda contents: _header(contents.header, SHIPPING_FIELDS),
    **{LIST_LABELS[name]: _header_list(name) for name in REFERENCE_LISTS},
    LIST_LABELS["additional_infos"]: _header_list("additional_infos"),
}


def _compare(old: Leaves, new: Leaves) -> list[Change]:
    labels = list(old) + [label for label in new if label not in old]
    return [
        Change(
            label=label,
            old=old.get(label, (None, ""))[0],
            new=new.get(label, (None, ""))[0],
            kind=(new.get(label) or old.get(label))[1],
        )
        for label in labels
    ]


def _line_key(line: LineContents, index: int, use_serials: bool):
    return line.serial_no if use_serials else index


def _serials_usable(*line_lists: list[LineContents]) -> bool:
    """Whether lines can be matched by serial number: present and unique in each version."""
    for lines in line_lists:
        serials = [line.serial_no.strip() for line in lines]
        if not all(serials) or len(set(serials)) != len(serials):
            return False
    return True


def _line_title(line: LineContents, number: int) -> str:
    description = line.product_description.strip()
    return f"Line {number}: {description}" if description else f"Line {number}"


def _compare_lines(old_lines: list[LineContents], new_lines: list[LineContents]) -> list[Section]:
    use_serials = _serials_usable(old_lines, new_lines)
    old_by_key = {_line_key(line, i, use_serials): line for i, line in enumerate(old_lines)}
    new_keys = {_line_key(line, i, use_serials) for i, line in enumerate(new_lines)}
    sections = []
    for index, line in enumerate(new_lines):
        previous = old_by_key.get(_line_key(line, index, use_serials))
        rows = _compare({} if previous is None else _line(previous), _line(line))
        if previous is None:
            state = "added"
        else:
            state = "changed" if any(row.changed for row in rows) else "unchanged"
        sections.append(Section(title=_line_title(line, index + 1), rows=rows, state=state))
    for index, line in enumerate(old_lines):
        if _line_key(line, index, use_serials) not in new_keys:
            sections.append(
                Section(
                    title=_line_title(line, index + 1) + " (removed)",
                    rows=_compare(_line(line), {}),
                    state="removed",
                )
            )
    return sections


def compare_contents(
    old: Contents, new: Contents, *, old_version: int, new_version: int
) -> VersionDiff:
    """Return what changed from one version's contents to another's."""
    return VersionDiff(
        old_version=old_version,
        new_version=new_version,
        sections=[
            Section(title=title, rows=_compare(leaves(old), leaves(new)))
            for title, leaves in SECTIONS.items()
        ],
        lines=_compare_lines(old.lines, new.lines),
    )


def compare_snapshots(old: dict, new: dict, *, old_version: int, new_version: int) -> VersionDiff:
    """Return what changed from one version snapshot to another."""
    return compare_contents(
        payloads.parse_snapshot(old),
        payloads.parse_snapshot(new),
        old_version=old_version,
        new_version=new_version,
    )


def compare_versions(old, new) -> VersionDiff:
    """Return what changed between two ``PurchaseOrderVersion`` rows."""
    return compare_snapshots(
        old.snapshot, new.snapshot, old_version=old.version, new_version=new.version
    )
