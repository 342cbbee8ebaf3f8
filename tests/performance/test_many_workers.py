"""Two ``db_worker`` processes drain one outbox, each message delivered exactly once."""

import collections
import os

import pytest
from django.conf import settings
from django.db import connection

from benchmarks.drain import check_exactly_once, drain, queue_messages
from tests.performance.conftest import postgresql_only


def database_url() -> str:
    """Return the URL of the test database, for processes of their own."""
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{database['USER']}{password}@{host}:{port}/{database['NAME']}"


@postgresql_only
@pytest.mark.sandbox
def test_two_workers_deliver_each_of_100_messages_exactly_once(transactional_db, sandbox):
    req_msg_ids = queue_messages(100)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ENKASH_BASE_URL": sandbox.url,
        "ENKASH_CLIENT_ID": settings.ENKASH_CLIENT_ID,
        "ENKASH_CLIENT_SECRET": settings.ENKASH_CLIENT_SECRET,
        "LOG_LEVEL": "WARNING",
    }

    drain(2, env=env)

    counts = collections.Counter(entry["req_msg_id"] for entry in sandbox.received)
    assert check_exactly_once(req_msg_ids, counts) == []
    assert sum(counts.values()) == 100
