"""Fuzz the webhook API against its own OpenAPI schema with schemathesis, in-process.

Schemathesis generates bodies that fit the schema (positive) and bodies that
break it (negative) for each of the eight operations, and calls the Django
WSGI application directly, on the test database. Most cases are signed as
the network signs them, so that the body's validation is what is exercised;
one in seven is sent unsigned and must be refused. Every answer must be a
documented status with a body that fits the documented schema, and none may
be a 5xx.

It runs only on PostgreSQL: it is the slower half of the suite's budget and
the database whose text columns refuse NUL.
"""

import hashlib
import json
import uuid

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from purchase_orders.enkash import signing

# The coverage phase's boundary and type-confusion cases of every field, positive and
# negative, plus a few random ones per operation: about 2,600 cases. Generating random
# purchase orders costs ~0.15 s a case, a coverage case a tenth of that, so coverage
# does the bulk; half of the purchase-order operations' 3,800 coverage cases are sent.
EXAMPLES_PER_OPERATION = 3
SAMPLE_PURCHASE_ORDER_CASES = 2
UNSIGNED_EVERY = 7
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
calls: dict[str, int] = {}


@pytest.fixture
def postgresql_database(db):
    """The test database, kept open across in-process WSGI calls, on PostgreSQL only."""
    if connection.vendor != "postgresql":
        pytest.skip("schema fuzzing runs on PostgreSQL only, to keep the SQLite run short")
    # As Django's test client does: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded through the application itself, as a client reads /api/schema/.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    deterministic=True,
    allow_x00=True,
    # The hook below signs (or leaves unsigned); no made-up signature header.
    with_security_parameters=False,
    max_examples=EXAMPLES_PER_OPERATION,
)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_documented_and_none_is_a_server_error(case, postgresql_database):
    raw = request_body(case)
    digest = int(hashlib.sha256(raw).hexdigest(), 16)
    if case.path.endswith(("-send", "-edit")) and digest % SAMPLE_PURCHASE_ORDER_CASES:
        return
    unsigned = digest % UNSIGNED_EVERY == 0
    headers = (
        {}
        if unsigned
        else signing.signature_headers(
            secret=django_settings.ENKASH_WEBHOOK_SECRET,
            msg_id=f"msg_{uuid.uuid4().hex}",
            body=raw,
        )
    )

    response = case.call(headers=headers, data=raw)

    case.validate_response(response, checks=CHECKS)
    # Signed cases are past authentication, whatever they hold; unsigned ones never are.
    assert (response.status_code == 401) is unsigned
    key = "unsigned" if unsigned else f"signed {response.status_code}"
    calls[key] = calls.get(key, 0) + 1


def request_body(case) -> bytes:
    """Return the bytes schemathesis would send for a case, to be signed and sent."""
    kwargs = case.as_transport_kwargs()
    if "json" in kwargs:
        return json.dumps(kwargs["json"]).encode()
    raw = kwargs.get("data", b"")
    return raw.encode() if isinstance(raw, str) else raw


def test_zz_the_fuzzing_ran_enough_cases(postgresql_database, capsys):
    total = sum(calls.values())
    with capsys.disabled():
        print(f"\nschema fuzzing: {total} cases: {dict(sorted(calls.items()))}")
    assert total >= 2000
