"""Without Chromium the browser tests are skipped, except in CI, where the run fails."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ONE_BROWSER_TEST = "tests/browser/test_forms_and_accessibility.py::test_every_control_has_a_label"


def run_pytest(**environ: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    # Its own database: on PostgreSQL a second pytest would share, and drop,
    # this run's test database (SQLite tests run in memory).
    env.update(environ, CHROMIUM_PATH="/nonexistent/chromium", DATABASE_URL="sqlite://")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ONE_BROWSER_TEST],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_in_ci_a_missing_chromium_fails_the_run():
    run = run_pytest(CI="true")

    assert run.returncode == 1, run.stdout + run.stderr
    assert "Chromium is not installed at /nonexistent/chromium" in run.stdout
    assert "in CI the browser tests must run" in run.stdout
    assert "browser tests: 0 passed, 1 failed, 0 skipped" in run.stdout


def test_outside_ci_a_missing_chromium_skips_with_the_reason():
    run = run_pytest()

    assert run.returncode == 0, run.stdout + run.stderr
    assert "Chromium is not installed at /nonexistent/chromium" in run.stdout
    assert "browser tests: 0 passed, 0 failed, 1 skipped" in run.stdout
