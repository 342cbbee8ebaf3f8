"""A req-send webhook asks the database a fixed, small number of statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from purchase_orders.models import PurchaseOrder
from tests.plugins.webhooks import answer, sent_elsewhere_body

pytestmark = pytest.mark.django_db

# Counting a repeat of its webhook-id, if stored (1); storing the event (an
# insert, in a savepoint when already in a transaction: 3); locking it (a
# transaction and a select: 2); in a savepoint (2), reading both parties in
# one query, the order if it is already here and whether its PO number is
# taken (3), one insert each of the order, its audit row, parties, address,
# lines and milestone (6 here, no taxes or charges), the version's snapshot,
# built from the rows in hand (1); the answer (1); the end of the
# transaction (1). In a test every transaction is a savepoint; served, the
# event's insert is a statement alone and the rest BEGIN and COMMIT.
REQ_SEND_STATEMENTS = 20


# SQLite takes at most 999 values in one statement: up to 41 lines of 24
# columns go in one insert there (any number in one on PostgreSQL).
@pytest.mark.parametrize("lines", [1, 40])
def test_a_req_send_takes_the_same_few_statements_however_many_lines(
    trading_pair, signed_post, lines
):
    body = sent_elsewhere_body(trading_pair, lines=lines)

    with CaptureQueriesContext(connection) as context:
        response = signed_post("req-send", body)

    assert (response.status_code, answer(response)["response_code"]) == (200, 0)
    stored = PurchaseOrder.objects.get(object_id=body["purchaseOrder"]["objectId"])
    assert stored.lines.count() == lines
    statements = [query["sql"] for query in context.captured_queries]
    assert len(statements) == REQ_SEND_STATEMENTS, "\n".join(statements)
