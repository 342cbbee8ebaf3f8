"""`make run`: the web server, the worker and the sandbox start, answer, and stop together."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.plugins.network import BASE_DIR

pytestmark = pytest.mark.slow

VENV = Path(sys.executable).parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def processes_in_session(session: int) -> list[str]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "-s", str(session)], capture_output=True, text=True, timeout=30
    ).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda number: number.name)
def test_make_run_starts_three_processes_that_answer_and_all_stop_on_a_signal(
    tmp_path, stop_signal
):
    """The signal goes to make's process group, as a terminal's Ctrl-C or hang-up does."""
    port, sandbox_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("PORTAL_BASE_URL", None)
    directory = tmp_path / "sandbox-directory.json"
    log = tmp_path / "make-run.log"
    output = log.open("wb")
    make = subprocess.Popen(
        [
            "make",
            "run",
            f"PORT={port}",
            f"SANDBOX_PORT={sandbox_port}",
            f"VENV={VENV}",
            f"SANDBOX_DIRECTORY={directory}",
        ],
        cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert wait_until(
            lambda: answers(f"http://127.0.0.1:{port}/healthz")
            and answers(f"http://127.0.0.1:{sandbox_port}/_sandbox/health"),
            timeout=90,
        )
        running = "\n".join(processes_in_session(make.pid))
        for command in ("runserver", "db_worker", "enkash_sandbox"):
            assert command in running
        # The e-mails' links lead to the port the demo serves (the invitation is mailed).
        assert wait_until(lambda: "Subject: Asha Rao invites you" in log.read_text(), timeout=30)
        assert f"http://127.0.0.1:{port}/invitations/" in log.read_text()
        # The sandbox knows the two hosted businesses and the two remote ones seed_demo wrote.
        with urllib.request.urlopen(
            f"http://127.0.0.1:{sandbox_port}/_sandbox/directory", timeout=5
        ) as response:
            assert len(json.loads(response.read())) == 4
        assert directory.exists()

        os.killpg(make.pid, stop_signal)

        # make is reaped first: until then it shows as a zombie of the session.
        stopped = wait_until(
            lambda: make.poll() is not None and processes_in_session(make.pid) == [], timeout=30
        )
        assert stopped, (
            processes_in_session(make.pid)
        )
    finally:
        for line in processes_in_session(make.pid):
            os.kill(int(line.split()[0]), signal.SIGKILL)
        make.wait(timeout=30)
        output.close()
    assert (tmp_path / "db.sqlite3").exists()
    text = log.read_text()
    # A stop asked for is no error: the recipe ends with 0, so make reports nothing
    # ("make: *** [Makefile: run] Error 130" before).
    assert "Error" not in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    assert make.returncode in (0, -stop_signal), make.returncode
