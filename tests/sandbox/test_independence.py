"""The sandbox reads the network's rules on its own: no portal validator, builder or totals.

Were the sandbox to check the portal with the portal's own modules, a
misreading would be shared by both sides and no test would see it. Where
the two readings meet (the moves, the state codes, GSTINs) they are
compared here.
"""

import ast
import random
import string
from pathlib import Path

import pytest

from purchase_orders import lifecycle, validators
from purchase_orders.enkash import conventions
from purchase_orders.sandbox import gstin, transitions

pytestmark = pytest.mark.sandbox

SANDBOX = Path(transitions.__file__).parent
FORBIDDEN = {
    "purchase_orders.validators",
    "purchase_orders.lifecycle",
    "purchase_orders.totals",
    "purchase_orders.contents",
    "purchase_orders.enkash.payloads",
    "purchase_orders.enkash.formats",
    "purchase_orders.enkash.keys",
    "purchase_orders.services",
    "purchase_orders.forms",
    "purchase_orders.api",
}

# What the sandbox may read of the portal: the wire conventions' constants,
# the table of kinds (names, paths, example files), JSON with Decimals and
# the webhook signature; and the package that holds the documented examples.
ALLOWED = {
    "purchase_orders.enkash.conventions",
    "purchase_orders.enkash.kinds",
    "purchase_orders.enkash.encoding",
    "purchase_orders.enkash.signing",
    "purchase_orders.sandbox",
}
ALLOWED_PACKAGES = {"purchase_orders", "purchase_orders.enkash"}


def imported_modules(path: Path) -> set[str]:
    """Return every module a file imports, and every ``module.name`` it imports from one."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = "purchase_orders.sandbox".rsplit(".", node.level - 1)[0]
                module = f"{package}.{node.module}" if node.module else package
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN)


@pytest.mark.parametrize("path", sorted(SANDBOX.glob("*.py")), ids=lambda path: path.name)
def test_no_sandbox_module_imports_a_portal_rule(path):
    assert sorted(filter(is_forbidden, imported_modules(path))) == []


def is_allowed(name: str) -> bool:
    if not name.startswith("purchase_orders") or name in ALLOWED_PACKAGES:
        return True
    return any(name == good or name.startswith(f"{good}.") for good in ALLOWED)


@pytest.mark.parametrize("path", sorted(SANDBOX.glob("*.py")), ids=lambda path: path.name)
def test_the_sandbox_reads_nothing_of_the_portal_but_the_wire_conventions(path):
    assert sorted(name for name in imported_modules(path) if not is_allowed(name)) == []


def test_the_import_check_sees_each_way_of_importing(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "import purchase_orders.totals\n"
        "from purchase_orders import lifecycle\n"
        "from purchase_orders.validators import GST_STATE_CODES\n"
        "from purchase_orders.enkash.payloads import build_send_request\n"
        "from purchase_orders.enkash import conventions\n"
        "from . import gstin\n"
    )

    assert sorted(filter(is_forbidden, imported_modules(source))) == [
        "purchase_orders.enkash.payloads",
        "purchase_orders.enkash.payloads.build_send_request",
        "purchase_orders.lifecycle",
        "purchase_orders.totals",
        "purchase_orders.validators",
        "purchase_orders.validators.GST_STATE_CODES",
    ]
    assert sorted(name for name in imported_modules(source) if not is_allowed(name)) == [
        "purchase_orders.enkash.payloads",
        "purchase_orders.enkash.payloads.build_send_request",
        "purchase_orders.lifecycle",
        "purchase_orders.totals",
        "purchase_orders.validators",
        "purchase_orders.validators.GST_STATE_CODES",
    ]


# -- two readings of the lifecycle -----------------------------------------------------


def portal_moves() -> dict[tuple[str, str], tuple[str, bool]]:
    """Return the portal's table as (action, network status) -> (new status, new version).

    Only the moves the network carries: the local steps of an approval are
    the portal's alone, and the sandbox knows nothing of them.
    """
    return {
        (move.action, conventions.network_status(status)): (move.to_status, move.bumps_version)
        for move in lifecycle.NETWORK_TRANSITIONS
        for status in move.from_statuses
    }


def sandbox_moves() -> dict[tuple[str, str], tuple[str, bool]]:
    return {
        (action, status): (move.to_status, move.new_version)
        for action, move in transitions.MOVES.items()
        for status in move.from_statuses
    }


@pytest.mark.parametrize("action", sorted(lifecycle.NETWORK_ACTIONS))
@pytest.mark.parametrize("status", conventions.NETWORK_STATUSES)
def test_the_sandbox_and_the_portal_agree_on_every_move(action, status):
    assert sandbox_moves().get((action, status)) == portal_moves().get((action, status))


def test_both_tables_name_the_same_actions_and_only_network_statuses():
    assert set(transitions.MOVES) == set(lifecycle.NETWORK_ACTIONS)
    for move in transitions.MOVES.values():
        assert move.from_statuses <= set(conventions.NETWORK_STATUSES)
        assert move.to_status in conventions.NETWORK_STATUSES


def test_the_local_statuses_and_steps_are_left_out_of_the_network_and_the_sandbox():
    local = {t.action for t in lifecycle.TRANSITIONS if t.local}

    assert local == set(lifecycle.APPROVAL_ACTIONS)
    assert not local & set(transitions.MOVES)
    assert not set(lifecycle.LOCAL_STATUSES) & set(conventions.NETWORK_STATUSES)
    for move in lifecycle.NETWORK_TRANSITIONS:
        assert move.to_status not in lifecycle.LOCAL_STATUSES
        assert lifecycle.AWAITING_APPROVAL not in move.from_statuses
    with pytest.raises(ValueError, match="never sent"):
        conventions.network_status(lifecycle.AWAITING_APPROVAL)


# -- two readings of GST -----------------------------------------------------------------


def test_the_sandbox_and_the_portal_know_the_same_state_codes():
    assert gstin.STATE_CODES == set(validators.GST_STATE_CODES)


def test_the_sandbox_and_the_portal_compute_the_same_check_characters():
    chance = random.Random(2026)
    alphabet = string.ascii_uppercase + string.digits
    for _ in range(2000):
        first = chance.choice(sorted(gstin.STATE_CODES)) + "".join(
            chance.choice(alphabet) for _ in range(12)
        )
        assert gstin.check_character(first) == validators.gstin_check_digit(first), first


@pytest.mark.parametrize("value", ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "29AABCS1234K1ZC"])
def test_well_formed_gstins_pass(value):
    assert gstin.gstin_problem(value) is None
