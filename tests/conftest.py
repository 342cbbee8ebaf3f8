"""Shared fixtures."""

from pathlib import Path

import pytest

from purchase_orders.enkash import encoding

# Each area's fixtures live in their own plugin module.
pytest_plugins = [
    "tests.plugins.sandbox",
    "tests.plugins.webhooks",
    "tests.plugins.network",
    "tests.plugins.pages",
]

FIXTURES = Path(__file__).parent / "fixtures" / "enkash"


def load_example(name: str) -> dict:
    """Return one of the spec's documented example bodies, numbers as Decimal."""
    return encoding.loads((FIXTURES / name).read_text())


@pytest.fixture
def example():
    return load_example
