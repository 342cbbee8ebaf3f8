"""Compare two versions of a purchase order, field by field and line by line.

Versions are compared as their stored snapshots: the network's
``purchaseOrder`` object plus its ``additionalInfos`` (see
``PurchaseOrderVersion.snapshot``). The result names every field in the words
a buyer or supplier uses, so the same labels also describe the field a
network error names (``enkash.labels.describe_field_path``).
"""

from dataclasses import dataclass, field

from purchase_orders.enkash.labels import (
    FIELD_LABELS,
    FIELD_ORDER,
    IGNORED_KEYS,
    LIST_ITEM_LABELS,
    describe_field_path,  # noqa: F401 - pages and tests read it from here too
    value_kind,
)
from purchase_orders.numbers import to_decimal


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


# Sections are titled as FIELD_LABELS names their keys.
PARTY_SECTIONS = ("buyerDetails", "supplierDetails")
# Lists of small objects shown after the shipping terms, entry by entry.
REFERENCE_SECTIONS = ("contractReferenceDetails", "additionalDocumentDetails", "poInfos")
HEADER_KEYS = ("buyerPONumber", "orderDate", "deliveryDate", "subject")


def _header(po: dict) -> dict:
    # The status is shown as the version's status, not as a transition.
    status = (po.get("poStatusTransition") or {}).get("newStatus")
    return {key: po.get(key) for key in HEADER_KEYS} | {"newStatus": status}


def _list_section(key: str, old: dict, new: dict) -> Section:
    return _compare_list(FIELD_LABELS[key], key, old.get(key), new.get(key))


def _totals_section(old_po: dict, new_po: dict) -> Section:
    old_values, new_values = old_po.get("poValueDetails") or {}, new_po.get("poValueDetails") or {}
    total = Change(
        label=FIELD_LABELS["totalPOValue"],
        old=old_values.get("totalPOValue"),
        new=new_values.get("totalPOValue"),
        kind="money",
    )
    charges = _compare_flat(
        {"otherValues": old_values.get("otherValues") or []},
        {"otherValues": new_values.get("otherValues") or []},
    )
    return Section(title=FIELD_LABELS["poValueDetails"], rows=[total, *charges])


def compare_snapshots(old: dict, new: dict, *, old_version: int, new_version: int) -> VersionDiff:
    """Return what changed from one version snapshot to another."""
    old_po, new_po = old.get("purchaseOrder") or {}, new.get("purchaseOrder") or {}
    sections = [
        Section(title="Order", rows=_compare_flat(_header(old_po), _header(new_po))),
        *(
            Section(
                title=FIELD_LABELS[key],
                rows=_compare_flat(_party_fields(old_po.get(key)), _party_fields(new_po.get(key))),
            )
            for key in PARTY_SECTIONS
        ),
        _list_section("addressDetails", old_po, new_po),
        _totals_section(old_po, new_po),
        _list_section("paymentMilestones", old_po, new_po),
        Section(
            title=FIELD_LABELS["shippingTermsDetails"],
            rows=_compare_flat(
                old_po.get("shippingTermsDetails") or {}, new_po.get("shippingTermsDetails") or {}
            ),
        ),
        *(_list_section(key, old_po, new_po) for key in REFERENCE_SECTIONS),
        _list_section("additionalInfos", old, new),
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
