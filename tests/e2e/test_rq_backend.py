"""The RQ tasks backend: a send queued on Redis, run by an rq worker, acknowledged by the network.

``TASKS_BACKEND=django_tasks_rq.RQBackend`` keeps the task queue on Redis
instead of in the database. Each test runs against the machine's Redis
(``TEST_REDIS_URL``, default ``redis://127.0.0.1:6379``) in a database
number of its own, claimed while empty and emptied again afterwards, so
that runs side by side do not meet. The worker is rq's ``SimpleWorker`` in
burst mode, in this process, with its scheduler (deferred tasks: retries,
the next sweep); the sandbox is the real HTTP server delivering its
webhooks to the live test server. Without Redis the tests are skipped,
except with ``CI=true``, where they fail.
"""

import os
import secrets
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from purchase_orders import task_queue, tasks
from purchase_orders.models import OutboundMessage
from purchase_orders.services.outbound import delivery, schedule_outbox_sweep, sweep_outbox
from purchase_orders.services.purchase_orders import send_purchase_order

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
CLAIM_KEY = "procurement-tests:claimed"
DATABASES = range(15, 0, -1)  # Redis's default 16, leaving 0 to whoever uses it


def _redis(number: int):
    import redis

    return redis.Redis.from_url(f"{REDIS_URL}/{number}")


def _claim_database() -> tuple[int, str]:
    """Claim an empty Redis database for this test; return its number and the claim's token."""
    import redis

    token = secrets.token_hex(8)
    try:
        _redis(0).ping()
    except redis.RedisError as error:
        message = f"No Redis answers at {REDIS_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must run the RQ backend's tests)", pytrace=False)
        pytest.skip(message)
    for number in DATABASES:
        client = _redis(number)
        if client.dbsize() == 0 and client.set(CLAIM_KEY, token, nx=True, ex=900):
            return number, token
    pytest.fail(f"No empty Redis database to claim at {REDIS_URL}", pytrace=False)


@pytest.fixture
def rq_backend(settings):
    """The RQ backend configured on a Redis database of the test's own; returns its client."""
    number, token = _claim_database()
    client = _redis(number)
    settings.RQ_QUEUES = {"default": {"URL": f"{REDIS_URL}/{number}"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    yield client
    # Everything in the claimed database is this test's: RQ's keys and the claim.
    keys = [key for key in client.scan_iter() if key != CLAIM_KEY.encode()]
    if keys:
        client.delete(*keys)
    if client.get(CLAIM_KEY) == token.encode():
        client.delete(CLAIM_KEY)
    client.close()


def work(sandbox) -> None:
    """Run every job due on the queue, as ``manage.py rqworker --burst --with-scheduler`` does.

    On SQLite the worker and the webhooks take turns, as its shared
    in-memory test database allows one writer at a time.
    """
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    # The worker installs its own signal handlers; give pytest its own back.
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        if connection.vendor == "sqlite":
            with sandbox.deliveries_paused():
                worker.work(burst=True, with_scheduler=True)
        else:
            worker.work(burst=True, with_scheduler=True)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    sandbox.wait_until_idle(20)


def queued_deliveries(client) -> list[dict]:
    return task_queue.waiting_kwargs(tasks.deliver_outbound_message_task, due_only=True)


def test_a_send_is_queued_on_redis_and_acknowledged_after_an_rq_worker_runs_it(
    rq_backend, network_sandbox, trading_pair
):
    purchase_order = send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    message = OutboundMessage.objects.get(object_id=purchase_order.object_id)

    # On Redis, not in the database: its delivery now, the outbox's next sweep later.
    assert queued_deliveries(rq_backend) == [{"message_id": message.pk}]
    assert not DBTaskResult.objects.exists()
    assert task_queue.waiting_kwargs(tasks.sweep_outbox_task) == [{}]
    assert task_queue.waiting_kwargs(tasks.sweep_outbox_task, due_only=True) == []
    assert task_queue.due_count() == 1
    assert network_sandbox.received == []

    work(network_sandbox)

    message.refresh_from_db()
    assert message.state == OutboundMessage.State.ACKNOWLEDGED
    assert [entry["req_msg_id"] for entry in network_sandbox.received] == [message.req_msg_id]
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.version) == ("CREATED", 1)
    assert not purchase_order.pending_action
    assert queued_deliveries(rq_backend) == []
    # What is due now is the e-mails the network's webhooks queued, on Redis too.
    mail = task_queue.waiting_kwargs(tasks.send_notification_task, due_only=True)
    assert mail and task_queue.due_count() == len(mail)


def test_the_sweep_is_scheduled_once_on_redis(rq_backend, trading_pair):
    assert schedule_outbox_sweep() is True
    assert schedule_outbox_sweep() is False  # one is already waiting
    assert task_queue.waiting_kwargs(tasks.sweep_outbox_task) == [{}]

    # A message whose task was lost is queued by the sweep, once.
    send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    message = OutboundMessage.objects.get()
    rq_backend.delete("rq:queue:default")  # the delivery's task is lost
    assert queued_deliveries(rq_backend) == []
    assert sweep_outbox(now=timezone.now() + timedelta(seconds=1)) == 1
    assert sweep_outbox(now=timezone.now() + timedelta(seconds=1)) == 0  # already waiting
    assert queued_deliveries(rq_backend) == [{"message_id": message.pk}]
    assert len(task_queue.waiting_kwargs(tasks.sweep_outbox_task)) == 1


def test_a_failed_delivery_is_retried_later_from_redis(
    rq_backend, network_sandbox, trading_pair, monkeypatch
):
    # The back-off's jitter fixed, so that the retry is surely later than this worker's run.
    monkeypatch.setattr(delivery, "retry_delay", lambda attempts: 2.0)
    network_sandbox.add_fault("http_500", times=1)
    purchase_order = send_purchase_order(
        purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
    )
    message = OutboundMessage.objects.get(object_id=purchase_order.object_id)

    work(network_sandbox)

    message.refresh_from_db()
    assert message.state == OutboundMessage.State.RETRYING
    assert message.attempts == 1
    # The retry waits on Redis's scheduled jobs, not in the due queue.
    deliveries = task_queue.waiting_kwargs(tasks.deliver_outbound_message_task)
    assert deliveries == [{"message_id": message.pk}]
    assert queued_deliveries(rq_backend) == []

    # The scheduler moves jobs due by the whole second.
    wait = message.next_attempt_at + timedelta(seconds=1) - timezone.now()
    time.sleep(max(wait.total_seconds(), 0))
    work(network_sandbox)

    message.refresh_from_db()
    assert message.state == OutboundMessage.State.ACKNOWLEDGED
    assert message.attempts == 2
    assert [entry["req_msg_id"] for entry in network_sandbox.received] == [
        message.req_msg_id,
        message.req_msg_id,
    ]
    assert [entry["status"] for entry in network_sandbox.received] == [500, 200]


def test_the_health_page_says_unavailable_when_the_queue_on_redis_does_not_answer(client, settings):
    # A port nothing listens on: the tasks' queue cannot be read, nor written.
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["tasks"] == {"ok": False}
