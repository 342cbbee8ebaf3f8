"""The network's field paths in the words a buyer or supplier uses.

An error the network sends names a field by its path in the message, as
``purchaseOrder.itemLists[0].hsnCode``. A network key takes the words of
the contents field it carries (``keys`` and ``paths`` say which), as
``purchase_orders.labels`` names it; only the keys of the messages that
carry no contents have words of their own here.
"""

import re

from purchase_orders import labels, lifecycle

from .keys import LINE_LIST_KEYS, PO_LIST_KEYS
from .paths import HEADER_KEYS, LIST_KEYS, OBJECT_KEY, PARTY_FIELD_KEYS, ROLE_KEYS

# Keys of the confirmation and status-change messages, and of the parties' ids.
MESSAGE_LABELS = {
    "b2bIds": "Businesses",
    "buyerB2BId": "Buyer's B2B ID",
    "supplierB2BId": "Supplier's B2B ID",
    "poConfirmation": "Confirmation",
    "supplierResponse": "Supplier's answer",
    "supplierRemarks": "Supplier's remarks",
    "poStatus": "Status change",
    "buyerAction": "Buyer's action",
    "buyerRemarks": "Buyer's remarks",
}
# Network keys that ``paths`` does not name: network key -> contents field.
# The version and status objects are named as the version and the status.
OTHER_KEYS = {
    "objectVersion": "version",
    "poStatusTransition": "status",
    "additionalInfos": "additional_infos",
}
# The parts whose fields the entries of each list of ``paths.LIST_KEYS`` carry.
ENTRY_PARTS = {
    "addresses": labels.ADDRESS_LABELS,
    "lines": labels.LINE_LABELS,
    "other_charges": labels.CHARGE_LABELS,
    "milestones": labels.MILESTONE_LABELS,
}


# Network key -> words, and list key -> what one entry is called ("Line").
KEY_LABELS: dict[str, str] = {}
KEY_ITEM_LABELS: dict[str, str] = {}


def _name_path(path: str, name: str, part: dict[str, str]) -> None:
    """Name the keys of one dotted network path to the contents field ``name``.

    Its last key takes the field's words (from ``part``, or the list's);
    the keys before it are the field's group, if it has one.
    """
    *groups, key = path.split(".")
    KEY_LABELS[key] = labels.LIST_LABELS.get(name) or part[name]
    if name in labels.LIST_ITEM_LABELS:
        KEY_ITEM_LABELS[key] = labels.LIST_ITEM_LABELS[name]
    if name in labels.FIELD_GROUPS:
        KEY_LABELS.update(dict.fromkeys(groups, labels.GROUP_LABELS[labels.FIELD_GROUPS[name]]))


def _name_keys() -> None:
    """Fill KEY_LABELS and KEY_ITEM_LABELS from the key tables and the contents' words."""
    for key, name in OTHER_KEYS.items():
        _name_path(key, name, labels.HEADER_LABELS)
    for name, path in HEADER_KEYS.items():
        _name_path(path, name, labels.HEADER_LABELS)
    for role, key in ROLE_KEYS.items():
        KEY_LABELS[key] = lifecycle.ROLE_LABELS[role]
    for name, path in PARTY_FIELD_KEYS.items():
        _name_path(path, name, labels.PARTY_LABELS)
    for name, (path, entry_keys) in LIST_KEYS.items():
        _name_path(path, name, labels.LIST_LABELS)
        for field, entry_path in entry_keys.items():
            _name_path(entry_path, field, ENTRY_PARTS[name])
    # A tax's keys are its field names; the free-form lists' entries keep theirs.
    KEY_LABELS.update(labels.TAX_LABELS)
    entry_keys = [keys for _, keys in PO_LIST_KEYS.values()]
    entry_keys += [keys for _, keys, _ in LINE_LIST_KEYS.values()]
    for key in (key for keys in entry_keys for key in keys):
        KEY_LABELS[key] = labels.ENTRY_LABELS[labels.entry_field(key)]
    KEY_LABELS.update(MESSAGE_LABELS)


_name_keys()

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
        if key in {OBJECT_KEY, "payload"}:
            continue
        numbers = [int(index) + 1 for index in re.findall(r"\[(\d+)\]", indices)]
        if numbers and key in KEY_ITEM_LABELS:
            words.append(f"{KEY_ITEM_LABELS[key]} {numbers[0]}")
        else:
            words.append(KEY_LABELS.get(key, key))
    return " › ".join(words)
