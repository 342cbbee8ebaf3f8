"""The portal's copies of the spec's example bodies are byte for byte the spec's own.

The spec lives in ``../shared/enkash/examples/`` beside the repository (in CI,
beside the clone), and Business Onboarding's in ``onboarding-examples/`` next
to it. Without it the comparison is skipped, except in CI (``CI=true``),
where it fails.
"""

import os
from pathlib import Path

import pytest

from purchase_orders.enkash import kinds
from tests.conftest import EXAMPLES, FIXTURES

ROOT = Path(__file__).resolve().parents[3]
SPEC_EXAMPLES = ROOT.parent / "shared" / "enkash" / "examples"
ONBOARDING_EXAMPLES = "onboarding-examples"
# Every example the table of kinds names (the API schema and the sandbox read them).
NAMED = sorted(
    {
        name
        for kind in kinds.KINDS.values()
        for name in (kind.request_example, kind.example, kind.answer_example)
        if name
    }
)
COPIES = sorted([*EXAMPLES.glob("*.json"), *FIXTURES.glob("*.json")])


def spec_examples(folder: Path = SPEC_EXAMPLES, environ=os.environ) -> Path:
    """Return the spec's examples folder; skip without it, or fail in CI."""
    if not folder.is_dir():
        reason = f"the spec's examples are not at {folder}"
        if environ.get("CI") == "true":
            pytest.fail(f"{reason}; in CI ../shared must be checked out beside the clone")
        pytest.skip(reason)
    return folder


def original_of(name: str) -> Path:
    """Return the spec's file of an example: a purchase order's, or Business Onboarding's."""
    folder = spec_examples()
    onboarding = folder.parent / ONBOARDING_EXAMPLES / name
    return onboarding if onboarding.is_file() else folder / name


@pytest.mark.parametrize("copy", COPIES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_each_copy_is_the_specs_file_byte_for_byte(copy):
    original = original_of(copy.name)

    assert original.is_file(), f"{copy} has no counterpart in the spec ({original})"
    assert copy.read_bytes() == original.read_bytes(), f"{copy} differs from {original}"


@pytest.mark.parametrize("name", NAMED)
def test_each_example_the_portal_reads_is_in_the_spec_and_the_portal(name):
    assert original_of(name).is_file()
    assert (EXAMPLES / name).is_file()


def test_the_portal_keeps_copies():
    assert len(list(EXAMPLES.glob("*.json"))) >= len(NAMED) > 0


def test_without_the_spec_the_comparison_is_skipped_outside_ci(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="not at"):
        spec_examples(tmp_path / "absent", environ={})


def test_without_the_spec_the_comparison_fails_in_ci(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="in CI ../shared must be checked out"):
        spec_examples(tmp_path / "absent", environ={"CI": "true"})
