"""Disorder: the network's webhooks in any order leave the order as in-order delivery does.

The portal's policy: a message already applied is acknowledged again, even
after later changes; a message that depends on one not received yet (an
order not held here yet, a version or status not reached yet) is refused
for now with HTTP 409, and the network delivers it again. Each test below
delivers a documented sequence in many orders, redelivering what was
refused for now until everything is applied, and compares the final order
with the one in-order delivery gives.
"""

import itertools

import pytest
from django.db import transaction

from purchase_orders.enkash import conventions, encoding, kinds, payloads
from purchase_orders.models import (
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.plugins.network import contents_of, edit_subject
from tests.plugins.webhooks import (
    answer,
    edited_body,
    response_body,
    send_body,
    sent_elsewhere_body,
    status_change_body,
)

pytestmark = pytest.mark.django_db


def final_state(object_id: str) -> dict:
    """Return what the deliveries decide about an order, free of row ids and clock times."""
    purchase_order = get_purchase_order_with_contents(
        pk=PurchaseOrder.objects.get(object_id=object_id).pk
    )
    return {
        "order": payloads.build_purchase_order(purchase_order),
        "additional_infos": purchase_order.additional_infos,
        "marks": (
            purchase_order.status,
            purchase_order.previous_status,
            purchase_order.version,
            purchase_order.previous_version,
            purchase_order.delivered_at is not None,
        ),
        "history": list(
            StatusChange.objects.filter(purchase_order=purchase_order)
            .order_by("pk")
            .values_list("from_status", "to_status", "version", "action", "remarks", "stage")
        ),
        "versions": list(
            PurchaseOrderVersion.objects.filter(purchase_order=purchase_order)
            .order_by("version")
            .values_list("version", "snapshot")
        ),
        "messages": list(
            OutboundMessage.objects.filter(object_id=object_id)
            .order_by("pk")
            .values_list("kind", "object_version", "state", "error_code")
        ),
    }


class Redelivery:
    """Deliver webhooks in a given order, then again what was refused for now, as EnKash does.

    ``messages`` maps a name to (kind, body, headers); each keeps its
    webhook-id across deliveries.
    """

    def __init__(self, signed_post, messages: dict):
        self.post = signed_post
        self.messages = messages

    def deliver(self, order, object_id: str) -> tuple[dict, int, int]:
        """Deliver in ``order`` until all are applied; return (state, rounds, refusals for now).

        Everything runs in a savepoint rolled back at the end, so that each
        order starts from the same purchase order.
        """
        with transaction.atomic():
            pending, rounds, early = list(order), 0, 0
            while pending:
                rounds += 1
                waiting = []
                for name in pending:
                    kind, body, headers = self.messages[name]
                    response = self.post(kind, body, msg_id=f"msg_{name}", headers=headers)
                    if response.status_code == 409:
                        assert answer(response)["response_code"] == 409
                        waiting.append(name)
                        continue
                    assert (response.status_code, answer(response)["response_code"]) == (200, 0), (
                        name,
                        response.content,
                    )
                assert len(waiting) < len(pending), f"no progress with {waiting} waiting"
                early += len(waiting)
                pending = waiting
            state = final_state(object_id)
            transaction.set_rollback(True)
        return state, rounds, early


def check_orders(redelivery, orders, object_id: str, in_order: list[str]) -> tuple[dict, dict]:
    """Deliver in each order, asserting each ends as in-order delivery does.

    Return figures, and the state in-order delivery leaves.
    """
    expected, _, refused_in_order = redelivery.deliver(in_order, object_id)
    assert refused_in_order == 0
    most_rounds, refusals = 1, 0
    for order in orders:
        state, rounds, early = redelivery.deliver(order, object_id)
        assert state == expected, f"delivered as {order}"
        most_rounds, refusals = max(most_rounds, rounds), refusals + early
    figures = {"orders": len(orders), "most_rounds": most_rounds, "refused_for_now": refusals}
    return figures, expected


# -- both parties hosted here: each action's two webhooks come back ----------------------------
#
# One action at a time: the next is made once the network has answered the
# previous one, so the disorder is within each action (its request
# delivered back here, its response), and in what comes late: echoes
# after the responses moved the order on, or responses after the echoes did.

ACTIONS = ("send", "confirm", "edit", "cancel")


def webhooks_of(message: OutboundMessage) -> dict:
    """Return the request and response webhooks the network delivers for a message sent."""
    request = encoding.loads(message.body)
    headers = {conventions.REQ_MSG_ID_HEADER: message.req_msg_id}
    return {
        "req": (message.kind, request, headers),
        "resp": (
            kinds.response_kind(message.kind),
            response_body(request, req_msg_id=message.req_msg_id),
            headers,
        ),
    }


def without_ts(value):
    """Return a JSON value without its ``ts`` (when each run made its version), at any depth."""
    if isinstance(value, dict):
        return {key: without_ts(item) for key, item in value.items() if key != "ts"}
    if isinstance(value, list | tuple):
        return [without_ts(item) for item in value]
    return value


class Story:
    """send -> confirm -> edit -> cancel, made here, each answered by webhooks in a given order.

    Each run is in a savepoint rolled back at the end, so all start from the same draft.
    """

    def __init__(self, pair, signed_post):
        self.pair = pair
        self.post = signed_post
        self.purchase_order = pair.purchase_order()

    def act(self, action: str) -> OutboundMessage:
        pair, purchase_order = self.pair, self.purchase_order
        purchase_order.refresh_from_db()
        if action == "send":
            send_purchase_order(purchase_order=purchase_order, sent_by=pair.buyer_user)
        elif action == "confirm":
            confirm_purchase_order(
                purchase_order=purchase_order,
                confirmed_by=pair.supplier_user,
                accept=True,
                remarks="Will ship on time.",
            )
        elif action == "edit":
            contents = contents_of(purchase_order)
            contents.header.subject = "Revised subject"
            edit_purchase_order(
                purchase_order=purchase_order,
                edited_by=pair.buyer_user,
                contents=contents,
                reason="Subject: Revised subject",
                expected_version=1,
            )
        else:
            change_purchase_order_status(
                purchase_order=purchase_order,
                changed_by=pair.buyer_user,
                action="CANCEL",
                remarks="No longer needed.",
                expected_version=2,
            )
        purchase_order.refresh_from_db()
        assert purchase_order.pending_message is not None
        return purchase_order.pending_message

    def deliver(self, name: str, webhook) -> None:
        kind, body, headers = webhook
        response = self.post(kind, body, msg_id=f"msg_{name}", headers=headers)
        assert (response.status_code, answer(response)["response_code"]) == (200, 0), (
            name,
            response.content,
        )

    def run(self, right_after: dict, late=()) -> dict:
        """Deliver ``right_after[action]`` ("req", "resp"…) after each action, then ``late``.

        ``late`` lists (action, "req" or "resp") delivered once all four are made.
        """
        with transaction.atomic():
            webhooks = {}
            for action in ACTIONS:
                webhooks[action] = webhooks_of(self.act(action))
                for which in right_after[action]:
                    self.deliver(f"{action}_{which}", webhooks[action][which])
            for action, which in late:
                self.deliver(f"{action}_{which}", webhooks[action][which])
            state = final_state(self.purchase_order.object_id)
            transaction.set_rollback(True)
        return without_ts(state)


def test_the_full_sequence_in_any_order_ends_as_in_order(trading_pair, signed_post):
    """Each action's echo and response in either order, repeated, or late: the same end."""
    story = Story(trading_pair, signed_post)
    # As the sandbox delivers: the request to the counterparty, then the response.
    expected = story.run(dict.fromkeys(ACTIONS, ("req", "resp")))
    plans = [
        (dict(zip(ACTIONS, choice, strict=True)), ())
        for choice in itertools.product([("req", "resp"), ("resp", "req")], repeat=len(ACTIONS))
    ]
    plans.append((dict.fromkeys(ACTIONS, ("req", "resp", "req", "resp")), ()))
    for first, late in (("resp", "req"), ("req", "resp")):
        # One webhook of each action moves it; the others come late, in every order.
        for order in itertools.permutations(ACTIONS):
            plans.append((dict.fromkeys(ACTIONS, (first,)), [(action, late) for action in order]))

    for right_after, late in plans:
        assert story.run(right_after, late) == expected, (right_after, late)

    print(f"\nboth hosted, 4 actions, {len(plans)} delivery orders end alike")
    assert expected["marks"] == ["CANCELLED", "CREATED", 2, 2, True]
    assert [(row[3], row[5]) for row in expected["history"]] == [
        (action, stage)
        for action in ("SEND", "ACCEPT", "EDIT", "CANCEL")
        for stage in ("attempted", "applied")
    ]
    assert [row[2] for row in expected["messages"]] == ["acknowledged"] * 4


# -- the buyer elsewhere: its messages change the order here ---------------------------------


def test_a_remote_buyers_messages_in_every_order_end_as_in_order(trading_pair, signed_post):
    """send -> edit -> edit -> cancel from a buyer elsewhere, in all 24 orders."""
    sent = sent_elsewhere_body(trading_pair, lines=2)
    object_id = sent["purchaseOrder"]["objectId"]
    messages = {"req-send": ("req-send", sent, {})}
    # Build each next message from the order as the previous one leaves it,
    # then forget the order: each delivery order starts without it.
    with transaction.atomic():
        assert signed_post("req-send", sent).status_code == 200
        for name in ("req-edit-2", "req-edit-3"):
            purchase_order = PurchaseOrder.objects.get(object_id=object_id)
            body = edited_body(trading_pair, purchase_order, lines=1)
            messages[name] = ("req-edit", body, {})
            assert signed_post("req-edit", body).status_code == 200
        purchase_order = PurchaseOrder.objects.get(object_id=object_id)
        cancel = status_change_body(purchase_order, "CANCEL", remarks="Ordered elsewhere.")
        messages["req-status-change"] = ("req-status-change", cancel, {})
        transaction.set_rollback(True)
    assert not PurchaseOrder.objects.filter(object_id=object_id).exists()
    in_order = list(messages)
    orders = [list(order) for order in itertools.permutations(in_order)]

    figures, state = check_orders(Redelivery(signed_post, messages), orders, object_id, in_order)

    print(f"\nremote buyer, 4 request webhooks, every order: {figures}")
    # The reversed order waits behind each earlier message in turn.
    assert figures["most_rounds"] == 4
    assert figures["refused_for_now"] > 0
    assert state["marks"][:3] == ("CANCELLED", "CREATED", 3)
    assert [row[3] for row in state["history"]] == ["SEND", "EDIT", "EDIT", "CANCEL"]


# -- statuses within one version -----------------------------------------------------------


def test_status_changes_of_one_version_wait_for_the_earlier_one(
    trading_pair, signed_post, unchanged
):
    """FULFILL then CLOSE from a buyer elsewhere: CLOSE first is refused for now."""
    purchase_order = trading_pair.purchase_order(accepted=True)
    fulfil = status_change_body(purchase_order, "FULFILL", remarks="Delivered.")
    close = status_change_body(purchase_order, "CLOSE", remarks="Paid.")
    close["poStatus"]["poStatusTransition"]["currentStatus"] = "FULFILLED"
    check = unchanged(purchase_order)

    early = signed_post("req-status-change", close, msg_id="msg_close")

    resp = answer(early)["payload"]["resp"]
    assert (early.status_code, resp["errorCd"], resp["errorField"]) == (
        409,
        "OUT_OF_ORDER",
        "poStatus.poStatusTransition.currentStatus",
    )
    assert resp["errorDtl"] == (
        "The purchase order is ACCEPTED here, not FULFILLED yet; an earlier change has "
        "not arrived. Deliver it again later."
    )
    check()
    assert signed_post("req-status-change", fulfil, msg_id="msg_fulfil").status_code == 200
    again = signed_post("req-status-change", close, msg_id="msg_close")
    assert (again.status_code, answer(again)["response_code"]) == (200, 0)
    purchase_order.refresh_from_db()
    assert (purchase_order.status, purchase_order.previous_status) == ("CLOSED", "FULFILLED")


def test_a_move_from_a_status_the_order_cannot_reach_is_refused_for_good(
    trading_pair, signed_post, unchanged
):
    purchase_order = trading_pair.purchase_order(status="CANCELLED", version=1)
    close = status_change_body(purchase_order, "CLOSE")
    close["poStatus"]["poStatusTransition"] = {"currentStatus": "FULFILLED", "newStatus": "CLOSED"}
    check = unchanged(purchase_order)

    response = signed_post("req-status-change", close)

    resp = answer(response)["payload"]["resp"]
    assert (response.status_code, resp["errorCd"]) == (200, "TRANSITION_NOT_ALLOWED")
    check()


def test_a_late_send_of_an_order_edited_since_is_acknowledged(
    trading_pair, sent_purchase_order, signed_post
):
    first = send_body(sent_purchase_order)
    edited = edit_subject(sent_purchase_order, trading_pair.buyer_user, "Revised subject")
    # The network took version 2: that is what is delivered now.
    assert edited.delivered_at is not None
    forged = send_body(PurchaseOrder.objects.get(pk=sent_purchase_order.pk))
    forged["purchaseOrder"]["objectVersion"] = {"currentVersion": 0, "newVersion": 1}

    late = signed_post("req-send", first)
    other = signed_post("req-send", forged)

    assert (late.status_code, answer(late)["response_code"]) == (200, 0)
    # Version 1 was sent from here with other contents: that is no late copy,
    # and no one else sends for the buyer hosted here.
    assert answer(other)["payload"]["resp"]["errorCd"] == conventions.ERROR_NOT_SENT_FROM_HERE
    purchase_order = PurchaseOrder.objects.get(pk=sent_purchase_order.pk)
    assert (purchase_order.version, purchase_order.subject) == (2, "Revised subject")
    # The late copy of version 1 does not count as delivering version 2.
    assert purchase_order.delivered_at == edited.delivered_at
    assert purchase_order.updated_at == edited.updated_at
