"""Races: people acting on one purchase order at the same moment.

Each action locks the order and checks that it is still at the version (and
status) its author saw, and that no other action made here still waits for
the network's answer (one action at a time). So of simultaneous actions
exactly one is sent and the others are told, in words a buyer understands,
to reload or to wait for that answer. Tests that need real concurrency run
on PostgreSQL only.
"""

import functools
import re
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from purchase_orders.exceptions import StaleVersion, TransitionNotAllowed
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.services.outbound import settle_outbound_message
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import acknowledged, at_once, edit_subject
from tests.purchase_orders.views.test_purchase_order_edit_form import edit_data

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer; real concurrency needs PostgreSQL",
)

EDITORS = 20
CONFLICT = (
    "This purchase order was changed by someone else (now version 2). Reload it and try again."
)
WAITING = "and is waiting for the network's answer. Try again once it has come (the page shows it)."
EDIT_PENDING = f"A new version has been sent for this purchase order, {WAITING}"
CONFIRMATION_PENDING = f"A confirmation has been sent for this purchase order, {WAITING}"
CHANGED_TO_ACCEPTED = (
    "This purchase order was changed by someone else (now “Accepted”). Reload it and try again."
)


def history(purchase_order: PurchaseOrder) -> dict:
    """Return the versions, messages and audit rows of an order, in the order written.

    ``changes`` are the moves (applied rows), ``attempts`` the actions sent.
    """
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
            StatusChange.objects.filter(
                purchase_order=purchase_order, stage=StatusChange.Stage.APPLIED
            )
            .order_by("pk")
            .values_list("action", "version")
        ),
        "attempts": list(
            StatusChange.objects.filter(
                purchase_order=purchase_order, stage=StatusChange.Stage.ATTEMPTED
            )
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
    # Those after the winner find its edit pending (or, once acknowledged, version 2).
    waiting = [outcome for outcome in outcomes if isinstance(outcome, TransitionNotAllowed)]
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, StaleVersion)]
    print(
        f"\n{EDITORS} simultaneous edits of version 1: {len(winners)} won "
        f"({winners[0].subject if winners else '-'}), {len(waiting)} told to wait for it, "
        f"{len(conflicts)} told to reload"
    )
    assert (len(winners), len(waiting) + len(conflicts)) == (1, EDITORS - 1), outcomes
    assert {refusal.message for refusal in waiting + conflicts} <= {CONFLICT, EDIT_PENDING}
    purchase_order = PurchaseOrder.objects.get(pk=sent_purchase_order.pk)
    assert (purchase_order.version, purchase_order.subject) == (2, winners[0].subject)
    assert history(purchase_order) == {
        "versions": [1, 2],
        "messages": [("req-send", 1), ("req-edit", 2)],
        "changes": [("SEND", 1), ("EDIT", 2)],
        "attempts": [("SEND", 1), ("EDIT", 2)],
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
                    except (StaleVersion, TransitionNotAllowed):
                        # Someone else's edit came first, or waits for the network.
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
        "attempts": [("SEND", 1)] + [("EDIT", version) for version in versions[1:]],
    }


def test_an_edit_page_submitted_after_someone_elses_edit_saves_nothing(people, form_data):
    sent = acknowledged(
        send_purchase_order(
            purchase_order=people.purchase_order(lines=2), sent_by=people.buyer_user
        )
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


# The second click finds the first send waiting for the network's answer.
SENT_ALREADY = f"This purchase order has been sent, {WAITING}"
ON_ITS_WAY = "is on its way to"


def said(response) -> str:
    """Return which answer a page gives to a click of Send (read from the page itself)."""
    page = response.content.decode()
    return {
        (True, False): "sent",
        (False, True): "already sent",
    }.get((ON_ITS_WAY in page, escape(SENT_ALREADY) in page), "unclear")


def test_send_clicked_twice_sends_once(people):
    draft = people.purchase_order(lines=1)
    url = reverse("purchase_orders:send", args=[draft.object_id])

    first = people.buyer_client.post(url, follow=True)
    second = people.buyer_client.post(url, follow=True)

    assert (first.status_code, second.status_code) == (200, 200)
    assert (said(first), said(second)) == ("sent", "already sent")
    assert OutboundMessage.objects.filter(purchase_order=draft).count() == 1
    assert (history(draft)["attempts"], history(draft)["changes"]) == ([("SEND", 1)], [])
    draft.refresh_from_db()
    assert (draft.status, draft.pending_action) == ("DRAFT", "SEND")

    # Once the network has acknowledged it, a third click is refused by the status.
    acknowledged(draft)
    third = people.buyer_client.post(url, follow=True)

    assert "This purchase order cannot be sent" in third.content.decode()
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
    assert (history(draft)["attempts"], history(draft)["changes"]) == ([("SEND", 1)], [])


# -- the supplier confirms while the buyer cancels ------------------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_and_a_cancellation_at_once_send_one(trading_pair):
    winners = Counter()
    for _ in range(4):
        purchase_order = acknowledged(
            send_purchase_order(
                purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
            )
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

        sent = [name for name, outcome in outcomes.items() if isinstance(outcome, PurchaseOrder)]
        refused = [outcome for outcome in outcomes.values() if isinstance(outcome, Exception)]
        assert len(sent) == 1, outcomes
        assert len(refused) == 1 and isinstance(refused[0], TransitionNotAllowed), outcomes
        # The second finds the first waiting for the network: told so, nothing changed.
        assert WAITING in refused[0].message
        winners[sent[0]] += 1
        purchase_order.refresh_from_db()
        assert (purchase_order.status, purchase_order.pending_action) == ("CREATED", sent[0])
        assert history(purchase_order)["attempts"] == [("SEND", 1), (sent[0], 1)]
        assert [kind for kind, _ in history(purchase_order)["messages"]] == [
            "req-send",
            "req-confirm" if sent[0] == "ACCEPT" else "req-status-change",
        ]

        acknowledged(purchase_order)

        assert purchase_order.status == {"ACCEPT": "ACCEPTED", "CANCEL": "CANCELLED"}[sent[0]]
        assert history(purchase_order)["changes"] == [("SEND", 1), (sent[0], 1)]
    print(f"\nconfirm and cancel at once, 4 rounds: sent {dict(winners)}")


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_cancellation_as_the_network_acknowledges_the_confirmation_is_refused(trading_pair):
    """The buyer cancels just as the supplier's pending confirmation is acknowledged."""
    outcomes = Counter()
    for _ in range(4):
        purchase_order = acknowledged(
            send_purchase_order(
                purchase_order=trading_pair.purchase_order(), sent_by=trading_pair.buyer_user
            )
        )
        confirm_purchase_order(
            purchase_order=purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="Will ship.",
        )
        purchase_order.refresh_from_db()
        message = purchase_order.pending_message

        settled, cancel = at_once(
            [
                lambda message=message: settle_outbound_message(message=message, succeeded=True),
                functools.partial(
                    change_purchase_order_status,
                    purchase_order=purchase_order,
                    changed_by=trading_pair.buyer_user,
                    action="CANCEL",
                    remarks="Ordered elsewhere.",
                    expected_version=1,
                    expected_status="CREATED",
                ),
            ]
        )

        assert isinstance(settled, OutboundMessage), settled
        # Before the acknowledgement: the confirmation is pending; after: it is accepted.
        assert isinstance(cancel, TransitionNotAllowed | StaleVersion), cancel
        assert cancel.message in (CONFIRMATION_PENDING, CHANGED_TO_ACCEPTED)
        outcomes[type(cancel).__name__] += 1
        purchase_order.refresh_from_db()
        assert (purchase_order.status, purchase_order.pending_action) == ("ACCEPTED", "")
        assert history(purchase_order)["changes"] == [("SEND", 1), ("ACCEPT", 1)]
        assert not OutboundMessage.objects.filter(
            purchase_order=purchase_order, kind="req-status-change"
        ).exists()
    print(f"\ncancel as the confirmation is acknowledged, 4 rounds: {dict(outcomes)}")


def test_a_cancellation_while_the_suppliers_confirmation_is_pending_is_refused(
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
    before = history(sent_purchase_order)

    with pytest.raises(TransitionNotAllowed) as refused:
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="Ordered elsewhere.",
            expected_version=1,
            expected_status="CREATED",
        )

    assert refused.value.message == CONFIRMATION_PENDING
    sent_purchase_order.refresh_from_db()
    assert (sent_purchase_order.status, sent_purchase_order.pending_action) == (
        "CREATED",
        "ACCEPT",
    )
    assert history(sent_purchase_order) == before


def test_a_cancellation_of_an_order_confirmed_meanwhile_is_refused(
    trading_pair, sent_purchase_order
):
    acknowledged(
        confirm_purchase_order(
            purchase_order=sent_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=True,
            remarks="",
            expected_version=1,
            expected_status="CREATED",
        )
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

    assert refused.value.message == CHANGED_TO_ACCEPTED
    sent_purchase_order.refresh_from_db()
    assert sent_purchase_order.status == "ACCEPTED"


def test_a_cancellation_page_opened_before_the_suppliers_confirmation_changes_nothing(people):
    sent = acknowledged(
        send_purchase_order(
            purchase_order=people.purchase_order(lines=1), sent_by=people.buyer_user
        )
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
    cancel = {"action": "CANCEL", "remarks": "Ordered elsewhere.", **opened_at}

    # The confirmation waits for the network: the buyer is told so, on the order's page.
    waiting = people.buyer_client.post(url, cancel, follow=True)

    assert opened_at == {"expected_version": "1", "expected_status": "CREATED"}
    assert waiting.redirect_chain == [(sent.get_absolute_url(), 302)]
    assert escape(CONFIRMATION_PENDING) in waiting.content.decode()
    assert history(sent) == before

    # Once acknowledged, the page opened before it is out of date.
    acknowledged(sent)
    before = history(sent)
    response = people.buyer_client.post(url, cancel)

    assert response.status_code == 200
    assert CHANGED_TO_ACCEPTED in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "ACCEPTED"
    assert history(sent) == before
