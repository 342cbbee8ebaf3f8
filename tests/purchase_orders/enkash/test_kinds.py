"""kinds: the one table of the message kinds, and what reads it."""

import pytest
from rest_framework import serializers

from purchase_orders import lifecycle
from purchase_orders.enkash import kinds
from purchase_orders.enkash.kinds import KINDS
from purchase_orders.models import OutboundMessage
from purchase_orders.services import inbound
from purchase_orders.services.inbound import requests, responses, searches
from tests.conftest import EXAMPLES


def test_the_table_holds_the_eight_kinds_as_four_pairs():
    assert kinds.REQUEST_KINDS == ("req-send", "req-confirm", "req-edit", "req-status-change")
    assert kinds.RESPONSE_KINDS == tuple(
        "resp-" + kind.removeprefix("req-") for kind in kinds.REQUEST_KINDS
    )
    for name, kind in KINDS.items():
        paired = KINDS[kind.pairs_with]
        assert paired.pairs_with == name
        assert paired.is_request is not kind.is_request
        assert (paired.object_key, paired.sender, paired.actions) == (
            kind.object_key,
            kind.sender,
            kind.actions,
        )
        assert kind.request.is_request is True


@pytest.mark.parametrize(
    ("kind", "object_key", "sender"),
    [
        ("req-send", "purchaseOrder", "buyer"),
        ("req-edit", "purchaseOrder", "buyer"),
        ("req-confirm", "poConfirmation", "supplier"),
        ("req-status-change", "poStatus", "buyer"),
        ("resp-confirm", "poConfirmation", "supplier"),
    ],
)
def test_each_kind_names_its_business_object_and_its_sender(kind, object_key, sender):
    assert (kinds.object_key(kind), kinds.sender(kind)) == (object_key, sender)


def test_each_lifecycle_action_travels_in_exactly_one_request_kind():
    assert kinds.KIND_OF_ACTION == {
        "SEND": "req-send",
        "ACCEPT": "req-confirm",
        "REJECT": "req-confirm",
        "EDIT": "req-edit",
        "CANCEL": "req-status-change",
        "FULFILL": "req-status-change",
        "CLOSE": "req-status-change",
    }
    assert set(kinds.KIND_OF_ACTION) == set(lifecycle.NETWORK_ACTIONS)


def test_no_kind_carries_a_local_step_of_an_approval():
    local = {t.action for t in lifecycle.TRANSITIONS if t.local}

    assert local == {"SUBMIT", "APPROVE", "RETURN"}
    assert not local & set(kinds.KIND_OF_ACTION)
    assert not any(local & set(kind.actions) for kind in KINDS.values())


def test_each_kind_names_a_serializer_a_handler_and_a_documented_example_that_exist():
    for name in kinds.INBOUND_KINDS:
        kind = KINDS[name]
        assert issubclass(kind.serializer, serializers.Serializer)
        assert callable(kind.handler)
        assert (EXAMPLES / (kind.request_example or kind.example)).is_file()
    assert KINDS["req-confirm"].handler is requests.apply_confirm_request
    assert KINDS["resp-edit"].handler is responses.apply_response
    assert KINDS["respSearchEntity"].handler is searches.apply_search_response
    assert inbound.INBOUND_HANDLERS == {name: KINDS[name].handler for name in kinds.INBOUND_KINDS}


def test_the_supplier_search_is_a_pair_of_its_own_under_the_onboarding_paths():
    search, answer = KINDS["search-entity"], KINDS["respSearchEntity"]
    assert (search.path, answer.path) == (
        "/api/v0/business-onboarding/search-entity",
        "/api/v0/business-onboarding/respSearchEntity",
    )
    assert KINDS["req-send"].path == "/api/v0/purchase-order/req-send"
    assert (search.is_request, answer.is_request) == (True, False)
    assert kinds.response_kind("search-entity") == "respSearchEntity"
    assert kinds.OUTBOUND_KINDS == (*kinds.REQUEST_KINDS, "search-entity")
    assert kinds.INBOUND_KINDS == (*kinds.WEBHOOK_KINDS, "respSearchEntity")
    # A search's refusal is a 4xx; a purchase order's is answered 200, as documented.
    assert (answer.refusal_status, KINDS["resp-send"].refusal_status) == (422, 200)


def test_the_outbox_kinds_and_their_senders_come_from_the_table():
    assert OutboundMessage.Kind.choices == [
        ("req-send", "Send"),
        ("req-confirm", "Confirm"),
        ("req-edit", "Edit"),
        ("req-status-change", "Status change"),
        ("search-entity", "Supplier search"),
    ]
    assert OutboundMessage(kind=OutboundMessage.Kind.CONFIRM).sender_role == "supplier"
    assert OutboundMessage(kind=OutboundMessage.Kind.STATUS_CHANGE).sender_role == "buyer"
    assert OutboundMessage.kinds_sent_by("supplier") == ["req-confirm"]
