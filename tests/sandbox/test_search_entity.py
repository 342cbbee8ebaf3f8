"""The sandbox's Search Entity over HTTP: its reading of the request, its directory, its answer."""

import json

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from purchase_orders.enkash import conventions, encoding, searches
from purchase_orders.enkash.client import get_enkash_client
from purchase_orders.enkash.exceptions import EnKashRejected
from purchase_orders.sandbox.directory import Directory, make_entry
from purchase_orders.sandbox.server import SandboxServer
from tests.conftest import load_example
from tests.factories import make_gstin
from tests.plugins.sandbox import fail_on_drifted_answers

pytestmark = pytest.mark.sandbox

PATH = "/api/v0/business-onboarding/search-entity"
KAVERI_GSTIN = make_gstin("33", 4321)
KAVERI = {
    "name": "Kaveri Castings Private Limited",
    "alias": "Kaveri Castings",
    "state": "Tamil Nadu",
    "pincode": "641021",
    "gstin": KAVERI_GSTIN,
    "b2bIds": [
        {"value": "KAVERI-CBE-01", "description": "Coimbatore works"},
        {"value": "KAVERI-CBE-02", "description": "Hosur unit"},
    ],
}
GANGA = {
    "name": "Ganga Packaging Industries",
    "gstin": make_gstin("09", 2468),
    "b2bIds": [{"value": "GANGA-NOIDA", "description": ""}],
}
OBJECT_ID = "ORG" + "a1B2c3D4" * 4


def request_body(parameter: str = "GSTIN", value: str = KAVERI_GSTIN, **changes) -> dict:
    body = searches.build_search_request(
        object_id=OBJECT_ID,
        initiator="test-client",
        requestor_b2b_id="B2B-REQUESTOR",
        parameter=parameter,
        value=value,
        device={"tag": {"name": "GEOCODE", "value": "12.9716,77.5946"}},
    )
    body.update(changes)
    return body


@pytest.fixture
def network(settings, webhook_receiver):
    """A sandbox that knows Kaveri and Ganga and answers to a stand-in of the portal."""
    server = SandboxServer(
        deliver_to=webhook_receiver.url, retry_backoff=0.05, directory=[KAVERI, GANGA]
    ).start()
    settings.ENKASH_BASE_URL = server.url
    yield server
    server.stop()
    fail_on_drifted_answers(server)


def ask(body: dict, *, req_msg_id: str = "req-search-1") -> dict:
    with get_enkash_client() as client:
        return client.search_entity(body, req_msg_id=req_msg_id)


def test_a_search_is_acknowledged_and_answered_with_the_businesses_found(network, webhook_receiver):
    acknowledged = ask(request_body())

    assert acknowledged == conventions.success_envelope()
    (delivery,) = webhook_receiver.wait_for(1)
    assert delivery.kind == "respSearchEntity"
    assert delivery.headers[conventions.REQ_MSG_ID_HEADER] == "req-search-1"
    assert delivery.body == {
        "objectId": OBJECT_ID,
        "resp": {
            "reqMsgId": "req-search-1",
            "result": "SUCCESS",
            "errorCd": "",
            "errorDtl": "",
            "errorField": "",
        },
        "respParams": {
            "entityInfo": [{key: value for key, value in KAVERI.items() if key != "gstin"}]
        },
        "onboardingB2BIds": {"requestorB2BId": "B2B-REQUESTOR"},
        "search": {
            "criteria": [{"searchParameter": "GSTIN", "operator": "EXACT", "value": KAVERI_GSTIN}]
        },
    }
    # Its keys come in the documented example's order.
    assert list(delivery.body) == list(load_example("webhook-resp-search-entity.json"))
    (received,) = network.received
    assert (received["kind"], received["status"]) == ("search-entity", 200)


@pytest.mark.parametrize(
    ("parameter", "value", "names"),
    [
        ("B2BID", "KAVERI-CBE-02", ["Kaveri Castings Private Limited"]),
        ("PAN", KAVERI_GSTIN[2:12], ["Kaveri Castings Private Limited"]),
        ("GSTIN", make_gstin("27", 5), []),
        ("B2BID", "NOBODY", []),
    ],
)
def test_the_directory_is_searched_exactly(network, webhook_receiver, parameter, value, names):
    ask(request_body(parameter=parameter, value=value))

    (delivery,) = webhook_receiver.wait_for(1)
    found = delivery.body["respParams"]["entityInfo"]
    assert [entity["name"] for entity in found] == names
    assert delivery.body["resp"]["result"] == "SUCCESS"


def test_a_refusal_after_the_acknowledgement_lists_nothing(network, webhook_receiver):
    network.add_fault(
        "reject_async",
        kind="search-entity",
        error_code="REQUESTOR_NOT_REGISTERED",
        error_detail="Unknown requestor.",
        error_field="onboardingB2BIds.requestorB2BId",
    )

    ask(request_body())

    (delivery,) = webhook_receiver.wait_for(1)
    assert "respParams" not in delivery.body
    assert delivery.body["resp"] == {
        "reqMsgId": "req-search-1",
        "result": "FAILURE",
        "errorCd": "REQUESTOR_NOT_REGISTERED",
        "errorDtl": "Unknown requestor.",
        "errorField": "onboardingB2BIds.requestorB2BId",
    }


def test_a_repeated_request_is_acknowledged_again_and_answered_once(network, webhook_receiver):
    ask(request_body())
    ask(request_body())

    network.wait_until_idle()
    assert len(webhook_receiver.deliveries) == 1
    assert [entry["repeat"] for entry in network.received] == [False, True]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"objectId": "ORG123"}, "objectId", "ORG followed by 32 letters and digits"),
        ({"objectId": "GGG" + "a" * 32}, "objectId", "ORG followed by 32"),
        ({"initiatorEntity": " "}, "initiatorEntity", "must not be empty"),
        ({"device": {"tag": {"name": "IP", "value": "1"}}}, "device.tag.name", "GEOCODE"),
        (
            {"onboardingB2BIds": {"requestorB2BId": 'B2B"1'}},
            "onboardingB2BIds.requestorB2BId",
            "without a backslash or a double quote",
        ),
        ({"search": {"criteria": []}}, "search.criteria", "1 to 5 criteria"),
        (
            {
                "search": {
                    "criteria": [{"searchParameter": "TAN", "operator": "EXACT", "value": "X"}]
                }
            },
            "search.criteria[0].searchParameter",
            "must be one of GSTIN, B2BID, PAN",
        ),
        (
            {
                "search": {
                    "criteria": [
                        {"searchParameter": "GSTIN", "operator": "LIKE", "value": KAVERI_GSTIN}
                    ]
                }
            },
            "search.criteria[0].operator",
            "must be EXACT",
        ),
        (
            {
                "search": {
                    "criteria": [
                        {
                            "searchParameter": "GSTIN",
                            "operator": "EXACT",
                            "value": KAVERI_GSTIN[:14] + "A",
                        }
                    ]
                }
            },
            "search.criteria[0].value",
            "but its check character is",
        ),
        (
            {
                "search": {
                    "criteria": [
                        {
                            "searchParameter": "GSTIN",
                            "operator": "EXACT",
                            "value": KAVERI_GSTIN.lower(),
                        }
                    ]
                }
            },
            "search.criteria[0].value",
            "must be a 15-character GSTIN",
        ),
        ({"extra": "x"}, "extra", "is not a documented field"),
        ({"objectId": 7}, "objectId", "must be a string"),
    ],
)
def test_a_request_the_sandbox_reads_otherwise_is_refused_naming_the_field(
    network, webhook_receiver, change, field, words
):
    body = request_body()
    body.update(change)

    with pytest.raises(EnKashRejected) as refused:
        ask(body)

    assert refused.value.error_field == field
    assert words in refused.value.error_detail
    assert refused.value.response.status_code == 400
    network.wait_until_idle()
    assert webhook_receiver.deliveries == []


def test_a_request_missing_a_key_is_refused(network):
    body = request_body()
    del body["onboardingB2BIds"]

    with pytest.raises(EnKashRejected) as refused:
        ask(body)

    assert (refused.value.error_field, refused.value.error_detail) == (
        "onboardingB2BIds",
        "onboardingB2BIds is required.",
    )


def test_without_a_token_a_search_is_401(network):
    response = requests.post(
        network.url + PATH,
        data=encoding.dumps(request_body()),
        headers={"Content-Type": "application/json", conventions.REQ_MSG_ID_HEADER: "r1"},
        timeout=5,
    )

    assert response.status_code == 401


# -- the directory -------------------------------------------------------------------------


def control(server, method: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.url}/_sandbox/directory", timeout=5, **kwargs)


def test_the_control_api_lists_adds_and_forgets_businesses(network):
    assert [entry["name"] for entry in control(network, "GET").json()] == [
        KAVERI["name"],
        GANGA["name"],
    ]
    added = {
        "name": "Narmada Steel",
        "gstin": make_gstin("24", 11),
        "b2bIds": [{"value": "NARMADA-1", "description": "Vadodara"}],
    }

    response = control(network, "POST", json=added)

    assert response.status_code == 201
    assert response.json() == [
        {"alias": "", "state": "", "pincode": "", **added, "elsewhere": False}
    ]
    assert len(control(network, "GET").json()) == 3
    requests.post(f"{network.url}/_sandbox/reset", timeout=5)
    assert len(control(network, "GET").json()) == 3
    assert control(network, "DELETE").json() == {"status": "cleared"}
    assert control(network, "GET").json() == []


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({**GANGA, "gstin": "09AAFFG2468H1ZX"}, "[0].gstin ends with X, but its check character"),
        ({**GANGA, "b2bIds": []}, "[0].b2bIds must be a list of at least one B2B ID"),
        ({**GANGA, "gstin_number": "x"}, "[0] has unknown fields: gstin_number"),
        ({**GANGA, "name": ""}, "[0].name must not be empty"),
        ({**GANGA, "b2bIds": [{"value": "A\\\\B"}]}, "without a backslash"),
        (
            {**GANGA, "gstin": make_gstin("09", 1), "b2bIds": KAVERI["b2bIds"]},
            "The B2B ID KAVERI-CBE-01 is already Kaveri Castings Private Limited's.",
        ),
    ],
)
def test_a_business_the_sandbox_cannot_take_is_refused_saying_why(network, entry, words):
    response = control(network, "POST", json=[entry])

    assert response.status_code == 400
    assert words in response.json()["error"]
    assert len(control(network, "GET").json()) == 2


def test_a_request_to_a_business_elsewhere_is_taken_by_its_platform_not_the_portals(
    settings, webhook_receiver, request_body
):
    """The network answers the sender; the portal, which hosts neither, hears nothing more."""
    body = request_body("req-send")
    supplier = {
        **GANGA,
        "b2bIds": [{"value": body["b2bIds"]["supplierB2BId"], "description": ""}],
        "elsewhere": True,
    }
    server = SandboxServer(
        deliver_to=webhook_receiver.url, retry_backoff=0.05, directory=[supplier]
    ).start()
    settings.ENKASH_BASE_URL = server.url
    try:
        with get_enkash_client() as client:
            client.send_purchase_order(body, req_msg_id="req-send-elsewhere")
        server.wait_until_idle()
    finally:
        server.stop()

    (delivery,) = webhook_receiver.deliveries
    assert delivery.kind == "resp-send"
    assert delivery.body["resp"]["result"] == "SUCCESS"
    assert delivery.body["resp"]["reqMsgId"] == "req-send-elsewhere"
    assert [entry["kind"] for entry in server.delivered] == ["resp-send"]
    fail_on_drifted_answers(server)


def test_elsewhere_must_be_true_or_false():
    with pytest.raises(ValueError, match="entry.elsewhere must be true or false"):
        make_entry({**GANGA, "elsewhere": "yes"})


def test_the_same_business_given_twice_is_kept_once():
    directory = Directory([KAVERI, KAVERI])

    assert len(directory.all()) == 1
    assert make_entry(KAVERI).entity_info() == {
        key: value for key, value in KAVERI.items() if key != "gstin"
    }


def test_the_command_reads_its_directory_from_files(tmp_path, settings):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{**KAVERI, "gstin": "nonsense"}]))

    with pytest.raises(CommandError, match=r"Cannot read the directory .*bad.json: \[0\].gstin"):
        call_command("enkash_sandbox", "--directory", str(bad), "--port", "0")
    with pytest.raises(CommandError, match="Cannot read the directory"):
        call_command("enkash_sandbox", "--directory", str(tmp_path / "missing.json"))
