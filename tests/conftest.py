"""Shared fixtures."""

from pathlib import Path

import pytest

from purchase_orders import enkash
from purchase_orders.enkash import encoding

# Each area's fixtures live in their own plugin module.
pytest_plugins = [
    "tests.plugins.sandbox",
    "tests.plugins.webhooks",
    "tests.plugins.network",
    "tests.plugins.pages",
]

# The spec's example bodies: those the application reads (for the API schema and
# the sandbox's checks) in purchase_orders/enkash/examples/, the rest here.
EXAMPLES = Path(enkash.__file__).parent / "examples"
FIXTURES = Path(__file__).parent / "fixtures" / "enkash"


def load_example(name: str) -> dict:
    """Return one of the spec's documented example bodies, numbers as Decimal."""
    path = EXAMPLES / name
    if not path.exists():
        path = FIXTURES / name
    return encoding.loads(path.read_text())


@pytest.fixture
def example():
    return load_example
