"""The businesses the sandbox's network knows, and how it searches them (Search Entity).

A sandbox is started with a directory: the businesses hosted on the portal
(registered with the network, as a real one's are) and any number of
businesses elsewhere on the network. Each entry is what the network holds of
a business: its name, alias, state and PIN code (what Search Entity answers,
ONBOARDING.md W3), its GSTIN (what it is found by) and its B2B IDs with
their descriptions, and whether it trades on another platform than the
portal the sandbox delivers to (``elsewhere``, false if left out):

    {"name": "Kaveri Castings Private Limited", "alias": "Kaveri Castings",
     "state": "Tamil Nadu", "pincode": "641021", "gstin": "33AAACK4321M1ZX",
     "b2bIds": [{"value": "KAVERI-CBE-01", "description": "Coimbatore works"}],
     "elsewhere": true}

A request addressed to a business elsewhere is taken by its own platform,
played by the sandbox: the network answers the sender with SUCCESS and
delivers nothing to the portal (``delivery``).

``manage.py enkash_sandbox --directory FILE`` reads a JSON list of them, the
control API adds more (``/_sandbox/directory``), and ``SandboxServer(directory=...)``
takes them in tests. Entries are checked by the sandbox's own rules: a GSTIN
of its own reading (``gstin``), B2B IDs of the conventions' pattern, each
B2B ID held by one business only.
"""

import re
import threading
from dataclasses import dataclass

from purchase_orders.enkash import conventions

from .gstin import gstin_problem

ENTRY_KEYS = ("name", "alias", "state", "pincode", "gstin", "b2bIds", "elsewhere")
B2B_ID_KEYS = ("value", "description")
# A PAN is characters 3 to 12 of each GSTIN it holds.
PAN_OF_GSTIN = slice(2, 12)


@dataclass(frozen=True)
class Entry:
    """One business the network knows."""

    name: str
    gstin: str
    b2b_ids: tuple[tuple[str, str], ...]  # (value, description)
    alias: str = ""
    state: str = ""
    pincode: str = ""
    elsewhere: bool = False

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "alias": self.alias,
            "state": self.state,
            "pincode": self.pincode,
            "gstin": self.gstin,
            "b2bIds": [
                {"value": value, "description": description} for value, description in self.b2b_ids
            ],
            "elsewhere": self.elsewhere,
        }

    def entity_info(self) -> dict:
        """Return the entry as Search Entity answers it: no GSTIN (W3 carries none)."""
        info = self.as_dict()
        del info["gstin"], info["elsewhere"]
        return info

    def matches(self, parameter: str, value: str) -> bool:
        if parameter == conventions.SEARCH_PARAMETER_GSTIN:
            return self.gstin == value.upper()
        if parameter == conventions.SEARCH_PARAMETER_B2B_ID:
            return any(b2b_id == value for b2b_id, _ in self.b2b_ids)
        if parameter == PAN:
            return self.gstin[PAN_OF_GSTIN] == value.upper()
        return False


# The sandbox also answers a search by PAN, as the third-party simulator does.
PAN = "PAN"
SEARCH_PARAMETERS = (*conventions.SEARCH_PARAMETERS, PAN)


def _text(data: dict, key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{where}.{key} must be a string.")
    if required and not value.strip():
        raise ValueError(f"{where}.{key} must not be empty.")
    return value


def make_entry(data, *, where: str = "entry") -> Entry:
    """Return a directory entry from its JSON description; raise ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object.")
    unknown = sorted(set(data) - set(ENTRY_KEYS))
    if unknown:
        raise ValueError(f"{where} has unknown fields: {', '.join(unknown)}.")
    gstin = _text(data, "gstin", where, required=True).upper()
    problem = gstin_problem(gstin)
    if problem:
        raise ValueError(f"{where}.gstin {problem}")
    b2b_ids = data.get("b2bIds")
    if not isinstance(b2b_ids, list) or not b2b_ids:
        raise ValueError(f"{where}.b2bIds must be a list of at least one B2B ID.")
    found = []
    for index, item in enumerate(b2b_ids):
        place = f"{where}.b2bIds[{index}]"
        if not isinstance(item, dict) or set(item) - set(B2B_ID_KEYS):
            raise ValueError(f"{place} must be an object with value and description.")
        value = _text(item, "value", place, required=True)
        if not re.fullmatch(conventions.B2B_ID_PATTERN, value):
            raise ValueError(
                f"{place}.value must be 1 to 100 characters without a backslash or a double quote."
            )
        found.append((value, _text(item, "description", place)))
    elsewhere = data.get("elsewhere", False)
    if not isinstance(elsewhere, bool):
        raise ValueError(f"{where}.elsewhere must be true or false.")
    return Entry(
        name=_text(data, "name", where, required=True),
        alias=_text(data, "alias", where),
        state=_text(data, "state", where),
        pincode=_text(data, "pincode", where),
        gstin=gstin,
        b2b_ids=tuple(found),
        elsewhere=elsewhere,
    )


def make_entries(data) -> list[Entry]:
    """Return the entries of a JSON list (or of one object); raise ValueError if one is wrong."""
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError("A directory is a JSON list of businesses.")
    return [make_entry(item, where=f"[{index}]") for index, item in enumerate(data)]


class Directory:
    """The businesses the network knows, safe to use from many threads."""

    def __init__(self, entries=()):
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self.add(entries)

    def add(self, entries) -> list[Entry]:
        """Add entries (``Entry`` or their JSON); refuse a B2B ID another business holds."""
        added = [entry if isinstance(entry, Entry) else make_entry(entry) for entry in entries]
        with self._lock:
            held = {value: entry for entry in self._entries for value, _ in entry.b2b_ids}
            for entry in added:
                for value, _ in entry.b2b_ids:
                    other = held.get(value)
                    if other is not None and other != entry:
                        raise ValueError(f"The B2B ID {value} is already {other.name}'s.")
                    held[value] = entry
            # The same business given again (a file read twice) is kept once.
            for entry in added:
                if entry not in self._entries:
                    self._entries.append(entry)
        return added

    def all(self) -> list[dict]:
        with self._lock:
            return [entry.as_dict() for entry in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def is_elsewhere(self, b2b_id: str) -> bool:
        """Return whether the business of a B2B ID trades on another platform."""
        with self._lock:
            return any(
                entry.elsewhere and any(value == b2b_id for value, _ in entry.b2b_ids)
                for entry in self._entries
            )

    def search(self, criteria: list[dict]) -> list[dict]:
        """Return ``entityInfo``: every business matching all the criteria, in directory order."""
        with self._lock:
            entries = list(self._entries)
        return [
            entry.entity_info()
            for entry in entries
            if all(entry.matches(c["searchParameter"], c["value"]) for c in criteria)
        ]
