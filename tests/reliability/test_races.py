"""Races: people acting on one purchase order at the same moment.

Each action locks the order and checks that it is still at the version (and
status) its author saw, so of simultaneous actions exactly one applies and
the others are told, in words a buyer understands, to reload. Tests that
need real concurrency run on PostgreSQL only.
"""

import functools
import re
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from purchase_orders.exceptions import PurchaseOrderError, StaleVersion
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import at_once, edit_subject
from tests.purchase_orders.views.test_purchase_order_edit_form import edit_data

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer; real concurrency needs PostgreSQL",
)

EDITORS = 20
CONFLICT = (
    "This purchase order was changed by someone else (now version 2). Reload it and try again."
)


def history(purchase_order: PurchaseOrder) -> dict:
    """Return the versions, messages and audit rows of an order, in the order written."""
    return {
        "versions": list(
            PurchaseOrderVersion.objects.filter(purchase_order=purchase_order)
            .order_by("version")
            .values_list("version", flat=True)
        ),
        "messages": list(
            OutboundMessage.objects.filter(purchase_order=purchase_order)
            .order_by("pk")
            .values_list("kind", "object_version")
        ),
        "changes": list(
            StatusChange.objects.filter(purchase_order=purchase_order)
            .order_by("pk")
            .values_list("action", "version")
        ),
    }


# -- edits ----------------------------------------------------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_of_twenty_simultaneous_edits_exactly_one_wins(trading_pair, sent_purchase_order):
    edits = [
        lambda number=number: edit_subject(
            sent_purchase_order, trading_pair.buyer_user, f"Edit {number}", expected_version=1
        )
        for number in range(EDITORS)
    ]

    outcomes = at_once(edits)

    winners = [outcome for outcome in outcomes if isinstance(outcome, PurchaseOrder)]
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, StaleVersion)]
    print(
        f"\n{EDITORS} simultaneous edits of version 1: {len(winners)} won "
        f"({winners[0].subject if winners else '-'}), {len(conflicts)} told to reload"
    )
    assert (len(winners), len(conflicts)) == (1, EDITORS - 1)
    assert {conflict.message for conflict in conflicts} == {CONFLICT}
    purchase_order = PurchaseOrder.objects.get(pk=sent_purchase_order.pk)
    assert (purchase_order.version, purchase_order.subject) == (2, winners[0].subject)
    assert history(purchase_order) == {
        "versions": [1, 2],
        "messages": [("req-send", 1), ("req-edit", 2)],
        "changes": [("SEND", 1), ("EDIT", 2)],
    }


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_editors_who_reload_and_retry_leave_no_gap_in_the_versions(
    trading_pair, sent_purchase_order
):
    editors, edits_each = 5, 2
    conflicts = Counter()

    def editor(number):
        def edit_twice():
            for turn in range(edits_each):
                while True:
                    current = PurchaseOrder.objects.get(pk=sent_purchase_order.pk)
                    try:
                        edit_subject(current, trading_pair.buyer_user, f"Editor {number}, {turn}")
                        break
                    except StaleVersion:
                        conflicts[number] += 1

        return edit_twice

    outcomes = at_once([editor(number) for number in range(editors)])

    total = editors * edits_each
    print(
        f"\n{editors} editors x {edits_each} edits, reloading on conflict: "
        f"{sum(conflicts.values())} conflicts, final version {total + 1}"
    )
    assert outcomes == [None] * editors
    purchase_order = PurchaseOrder.objects.get(pk=sent_purchase_order.pk)
    assert purchase_order.version == total + 1
    versions = list(range(1, total + 2))
    assert history(purchase_order) == {
        "versions": versions,
        "messages": [("req-send", 1)] + [("req-edit", version) for version in versions[1:]],
        "changes": [("SEND", 1)] + [("EDIT", version) for version in versions[1:]],
    }


def test_an_edit_page_submitted_after_someone_elses_edit_saves_nothing(people, form_data):
    sent = send_purchase_order(
        purchase_order=people.purchase_order(lines=2), sent_by=people.buyer_user
    )
    url = reverse("purchase_orders:edit", args=[sent.object_id])
    page = people.buyer_client.get(url).content.decode()
    opened_at = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    edit_subject(sent, people.buyer_user, "Changed meanwhile")
    before = history(sent)

    response = people.buyer_client.post(
        url, edit_data(people, sent, form_data, expected_version=opened_at)
    )

    assert opened_at == "1"
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    sent.refresh_from_db()
    assert (sent.version, sent.subject) == (2, "Changed meanwhile")
    assert history(sent) == before


# -- a double-clicked Send --------------------------------------------------------------------


SENT_ALREADY = "This purchase order cannot be sent: its status is “Sent, awaiting confirmation”."
ON_ITS_WAY = "is on its way to"


def said(response) -> str:
    """Return which answer a page gives to a click of Send (read from the page itself)."""
    page = response.content.decode()
    return {
        (True, False): "sent",
        (False, True): "already sent",
    }.get((ON_ITS_WAY in page, SENT_ALREADY in page), "unclear")


def test_send_clicked_twice_sends_once(people):
    draft = people.purchase_order(lines=1)
    url = reverse("purchase_orders:send", args=[draft.object_id])

    first = people.buyer_client.post(url, follow=True)
    second = people.buyer_client.post(url, follow=True)

    assert (first.status_code, second.status_code) == (200, 200)
    assert (said(first), said(second)) == ("sent", "already sent")
    assert OutboundMessage.objects.filter(purchase_order=draft).count() == 1
    assert history(draft)["changes"] == [("SEND", 1)]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_send_clicked_twice_at_once_sends_once(people):
    draft = people.purchase_order(lines=1)
    url = reverse("purchase_orders:send", args=[draft.object_id])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(people.buyer_user)

    responses = at_once([lambda client=client: client.post(url, follow=True) for client in clients])

    answers = sorted(said(response) for response in responses)
    print(f"\nSend clicked twice at once: HTTP {[r.status_code for r in responses]}, {answers}")
    assert [response.status_code for response in responses] == [200, 200]
    assert answers == ["already sent", "sent"]
    assert OutboundMessage.objects.filter(purchase_order=draft).count() == 1
    assert history(draft)["changes"] == [("SEND", 1)]


# -- the supplier confirms while the buyer cancels ------------------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_and_a_cancellation_at_once_apply_one(trading_pair):
    winners = Counter()
    for _ in range(4):
        purchase_order = send_purchase_order(
            purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
        )
        seen = {"expected_version": 1, "expected_status": "CREATED"}
        actions = {
            "ACCEPT": functools.partial(
                confirm_purchase_order,
                purchase_order=purchase_order,
                confirmed_by=trading_pair.supplier_user,
                accept=True,
                remarks="Will ship.",
                **seen,
            ),
            "CANCEL": functools.partial(
                change_purchase_order_status,
                purchase_order=purchase_order,
                changed_by=trading_pair.buyer_user,
                action="CANCEL",
                remarks="Ordered elsewhere.",
                **seen,
            ),
        }

        outcomes = dict(zip(actions, at_once(list(actions.values())), strict=True))

        applied = [name for name, outcome in outcomes.items() if isinstance(outcome, PurchaseOrder)]
        refused = [outcome for outcome in outcomes.values() if isinstance(outcome, Exception)]
        assert len(applied) == 1, outcomes
        assert len(refused) == 1 and isinstance(refused[0], PurchaseOrderError), outcomes
        winners[applied[0]] += 1
        purchase_order.refresh_from_db()
        assert purchase_order.status == {"ACCEPT": "ACCEPTED", "CANCEL": "CANCELLED"}[applied[0]]
        assert history(purchase_order)["changes"] == [("SEND", 1), (applied[0], 1)]
        assert [kind for kind, _ in history(purchase_order)["messages"]] == [
            "req-send",
            "req-confirm" if applied[0] == "ACCEPT" else "req-status-change",
        ]
    print(f"\nconfirm and cancel at once, 4 rounds: winners {dict(winners)}")


def test_a_cancellation_of_an_order_confirmed_meanwhile_is_refused(
    trading_pair, sent_purchase_order
):
    confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="",
        expected_version=1,
        expected_status="CREATED",
    )

    with pytest.raises(StaleVersion) as refused:
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="Ordered elsewhere.",
            expected_version=1,
            expected_status="CREATED",
        )

    assert refused.value.message == (
        "This purchase order was changed by someone else (now “Accepted”). "
        "Reload it and try again."
    )
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.status == "ACCEPTED"


def test_a_cancellation_page_opened_before_the_suppliers_confirmation_changes_nothing(people):
    sent = send_purchase_order(
        purchase_order=people.purchase_order(lines=1), sent_by=people.buyer_user
    )
    url = reverse("purchase_orders:change-status", args=[sent.object_id])
    page = people.buyer_client.get(url).content.decode()
    opened_at = {
        name: re.search(rf'name="{name}" value="(\w+)"', page).group(1)
        for name in ("expected_version", "expected_status")
    }
    confirm_purchase_order(
        purchase_order=sent, confirmed_by=people.supplier_user, accept=True, remarks=""
    )
    before = history(sent)

    response = people.buyer_client.post(
        url, {"action": "CANCEL", "remarks": "Ordered elsewhere.", **opened_at}
    )

    assert opened_at == {"expected_version": "1", "expected_status": "CREATED"}
    assert response.status_code == 200
    assert (
        "This purchase order was changed by someone else (now “Accepted”). "
        "Reload it and try again."
    ) in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "ACCEPTED"
    assert history(sent) == before
