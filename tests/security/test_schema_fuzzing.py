"""Fuzz the webhook API against its own OpenAPI schema with schemathesis, in-process.

Schemathesis generates bodies that fit the schema (positive) and bodies that
break it (negative) for each of the nine operations, and calls the Django
WSGI application directly, on the test database. Most cases are signed as
the network signs them, so that the body's validation is what is exercised;
one in seven is sent unsigned and must be refused. Every answer must be a
documented status with a body that fits the documented schema, and none may
be a 5xx. Each operation must have produced enough cases, and all of them the
total the README states.

The seed varies from run to run and is printed; ``FUZZ_SEED=<seed>`` replays a run.

It runs only on PostgreSQL: it is the slower half of the suite's budget and
the database whose text columns refuse NUL.
"""

import hashlib
import json
import os
import random
import re
import uuid
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test import override_settings
from hypothesis import HealthCheck, seed
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from purchase_orders.enkash import kinds, signing

# The coverage phase's boundary and type-confusion cases of every field, positive and
# negative, plus a few random ones per operation: about 4,700 cases in all, each one sent
# and checked. The purchase-order operations have many fields, so most of the cases.
EXAMPLES_PER_OPERATION = 3
# The least each operation must have produced, a little under what it produces.
FEWEST_CASES = {"req-send": 850, "req-edit": 850, "resp-send": 850, "resp-edit": 850}
FEWEST_CASES_OTHERWISE = 170
README = Path(__file__).resolve().parents[2] / "README.md"
UNSIGNED_EVERY = 7
SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Cases sent, by operation and by outcome ("unsigned" or "signed <status>").
sent: dict[str, Counter] = {}


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


# Loaded through the application itself, as a client reads /api/schema/ (open to
# all here: at import there is no staff login, and no settings fixture either).
with override_settings(API_DOCS_PUBLIC=True):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    allow_x00=True,
    # The hook below signs (or leaves unsigned); no made-up signature header.
    with_security_parameters=False,
    max_examples=EXAMPLES_PER_OPERATION,
)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@seed(SEED)
def test_every_answer_is_documented_and_none_is_a_server_error(case, postgresql_database):
    raw = request_body(case)
    digest = int(hashlib.sha256(b"%d:%s" % (SEED, raw)).hexdigest(), 16)
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
    outcome = "unsigned" if unsigned else f"signed {response.status_code}"
    sent.setdefault(case.operation.label, Counter())[outcome] += 1


def request_body(case) -> bytes:
    """Return the bytes schemathesis would send for a case, to be signed and sent."""
    kwargs = case.as_transport_kwargs()
    if "json" in kwargs:
        return json.dumps(kwargs["json"]).encode()
    raw = kwargs.get("data", b"")
    return raw.encode() if isinstance(raw, str) else raw


def test_zz_every_operation_ran_enough_cases(postgresql_database, capsys):
    counts = {label: sum(outcomes.values()) for label, outcomes in sent.items()}
    total = sum(counts.values())
    with capsys.disabled():
        print(f"\nschema fuzzing: {total} cases, replay with FUZZ_SEED={SEED}")
        for label, outcomes in sorted(sent.items()):
            print(f"  {label}: {counts[label]} {dict(sorted(outcomes.items()))}")
    labels = [result.ok().label for result in schema.get_all_operations()]
    assert len(labels) == len(kinds.INBOUND_KINDS) == 9
    too_few = {
        label: counts.get(label, 0)
        for label in labels
        if counts.get(label, 0) < FEWEST_CASES.get(label.rsplit("/", 1)[-1], FEWEST_CASES_OTHERWISE)
    }
    assert not too_few, f"operations with too few cases: {too_few}"
    stated = readme_total()
    assert abs(total - stated) <= stated * 0.05, f"the README says about {stated:,} cases"


def readme_total() -> int:
    """Return the number of cases the README's "Hostile input" paragraph states."""
    paragraph = README.read_text().split("**Hostile input.**", 1)[1].split("\n- ", 1)[0]
    return int(re.search(r"about ([\d,]+) cases", paragraph)[1].replace(",", ""))
