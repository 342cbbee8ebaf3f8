"""sweep_outbox --loop: a due message is queued at each sweep, and the loop ends on a signal."""

import io
import os
import signal
import subprocess
import sys

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from purchase_orders.management.commands import sweep_outbox as command
from purchase_orders.models import OutboundMessage
from tests.plugins.network import BASE_DIR

DELIVERY = "deliver_outbound_message_task"
STOP_SIGNALS = [signal.SIGINT, signal.SIGTERM]


@pytest.mark.django_db
@pytest.mark.parametrize("stop_signal", STOP_SIGNALS, ids=lambda number: number.name)
def test_the_loop_queues_a_due_message_at_each_sweep_and_stops_on_a_signal(
    pending_send, monkeypatch, stop_signal
):
    message = OutboundMessage.objects.get()
    queued_at_each_sweep = []
    real_sweep = command.sweep_outbox

    def sweep_then_run_the_delivery():
        count = real_sweep()
        tasks = DBTaskResult.objects.filter(task_path__endswith=DELIVERY, status="READY")
        queued_at_each_sweep.append(
            (count, [task.args_kwargs["kwargs"]["message_id"] for task in tasks])
        )
        # A worker takes the task but the message stays due (its attempt was lost).
        tasks.update(status="FAILED")
        if len(queued_at_each_sweep) == 3:
            signal.raise_signal(stop_signal)
        # Bounded: a loop that missed the signal fails here instead of running on.
        assert len(queued_at_each_sweep) <= 3
        return count

    monkeypatch.setattr(command, "sweep_outbox", sweep_then_run_the_delivery)
    out = io.StringIO()
    handlers = {number: signal.getsignal(number) for number in command.STOP_SIGNALS}

    call_command("sweep_outbox", "--loop", "--interval", "0.01", stdout=out)

    assert queued_at_each_sweep == [(1, [message.pk])] * 3
    assert out.getvalue() == "Queued 1 outbound message(s) for delivery.\n" * 3 + "Stopped.\n"
    assert {number: signal.getsignal(number) for number in command.STOP_SIGNALS} == handlers


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> dict:
    """The environment of a process using a new, migrated SQLite database file."""
    path = tmp_path_factory.mktemp("sweep") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DEBUG": "false"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR, env=env, check=True, timeout=300,
    )
    return env


@pytest.mark.parametrize("stop_signal", STOP_SIGNALS, ids=lambda number: number.name)
def test_the_loop_in_its_own_process_exits_cleanly_on_a_signal(migrated_database, stop_signal):
    process = subprocess.Popen(
        [sys.executable, "-u", "manage.py", "sweep_outbox", "--loop", "--interval", "0.1"],
        cwd=BASE_DIR,
        env=migrated_database,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Two sweeps seen: the loop is running, waiting between sweeps.
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines == ["Queued 0 outbound message(s) for delivery.\n"] * 2
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)

    assert process.returncode == 0, err
    assert out.endswith("Stopped.\n")
    assert err == ""
