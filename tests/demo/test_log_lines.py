"""Each log line is written once, in the portal's format, with DEBUG on (as ``make run`` has it)."""

import os
import subprocess
import sys

import pytest

from tests.plugins.network import BASE_DIR

CODE = """
import django, logging
django.setup()
logging.getLogger("django.request").warning("Not Found: /nowhere/")
logging.getLogger("django.server").info('"GET /healthz HTTP/1.1" 200 123')
logging.getLogger("django.utils.autoreload").info("Watching for file changes")
logging.getLogger("django_tasks").info("Task started")
logging.getLogger("purchase_orders.services.notifications").info("E-mail sent")
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_every_log_line_is_written_once(tmp_path, debug):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "procurement.settings",
        "DEBUG": debug,
        "SECRET_KEY": "a-key-for-this-test-only-" + "x" * 40,
        "LOG_FORMAT": "plain",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    for message in (
        "Not Found: /nowhere/",
        '"GET /healthz HTTP/1.1" 200 123',
        "Watching for file changes",
        "Task started",
        "E-mail sent",
    ):
        written = [line for line in lines if message in line]
        assert len(written) == 1, (message, lines)
        # The portal's format: time, level, logger, request and message ids.
        assert " [ ] " in written[0], written[0]
