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
    "tests.plugins.mail",
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


BROWSER_TESTS = pytest.StashKey[set[str]]()
BROWSER_OUTCOMES = ("passed", "failed", "skipped")


def pytest_collection_modifyitems(config, items):
    config.stash[BROWSER_TESTS] = {
        item.nodeid for item in items if item.get_closest_marker("browser")
    }


def pytest_terminal_summary(terminalreporter, config):
    """Say how many browser tests ran, so a run that skipped them all shows it."""
    browser_tests = config.stash.get(BROWSER_TESTS, set())
    outcomes: dict[str, str] = {}  # test id: its worst outcome over setup, call and teardown
    for stat in ("passed", "skipped", "failed", "error"):
        for report in terminalreporter.stats.get(stat, []):
            if getattr(report, "nodeid", None) in browser_tests:
                outcomes[report.nodeid] = "failed" if stat == "error" else stat
    counts = {outcome: list(outcomes.values()).count(outcome) for outcome in BROWSER_OUTCOMES}
    terminalreporter.write_line(
        "browser tests: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
    )


@pytest.fixture(autouse=True)
def live_listener_closed():
    """Close a web process's live-change listener a test started (PostgreSQL only).

    Its connection to the test database would otherwise outlive the test,
    and stop the database from being dropped at the end of the run.
    """
    yield
    from purchase_orders import live_wait

    if live_wait.HUB.started:
        live_wait.HUB.close()
