"""The sandbox's token endpoint, transport faults and control API, over HTTP."""

import time

import pytest
import requests
from django.conf import settings

from purchase_orders.enkash import conventions, encoding, kinds
from tests.plugins.sandbox import conforming_request

pytestmark = pytest.mark.sandbox


def token(sandbox, *, access_key=None, secret_key=None) -> requests.Response:
    return requests.post(
        sandbox.url + settings.ENKASH_TOKEN_PATH,
        json={
            "accessKey": settings.ENKASH_CLIENT_ID if access_key is None else access_key,
            "secretKey": settings.ENKASH_CLIENT_SECRET if secret_key is None else secret_key,
        },
        timeout=5,
    )


def call_api(sandbox, kind: str = "req-send", *, bearer: str | None = None, **kwargs):
    headers = {"Content-Type": "application/json", conventions.REQ_MSG_ID_HEADER: "req-1"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    return requests.post(
        sandbox.url + conventions.API_PREFIX + kind,
        data=encoding.dumps(conforming_request(kind)),
        headers=headers,
        **{"timeout": 5, **kwargs},
    )


def control(sandbox, method: str, name: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{sandbox.url}/_sandbox/{name}", timeout=5, **kwargs)


# -- tokens ------------------------------------------------------------------------------


def test_a_token_is_issued_for_the_configured_credentials(sandbox):
    before = time.time()

    answer = token(sandbox).json()

    assert answer["resultCode"] == 0
    assert answer["resultMessage"] == "SUCCESS"
    assert len(answer["token"]) >= 32
    assert before + 3599 <= answer["expiry"] / 1000 <= time.time() + 3600
    assert call_api(sandbox, bearer=answer["token"]).status_code == 200


@pytest.mark.parametrize(
    ("access_key", "secret_key"), [("test-client", "wrong"), ("someone-else", None), ("", "")]
)
def test_wrong_credentials_get_401(sandbox, access_key, secret_key):
    response = token(sandbox, access_key=access_key, secret_key=secret_key)

    assert response.status_code == 401
    assert response.json() == {
        "token": None,
        "expiry": None,
        "resultCode": 401,
        "resultMessage": "Invalid accessKey or secretKey.",
    }


def test_a_token_request_that_is_not_an_object_gets_400(sandbox):
    response = requests.post(sandbox.url + settings.ENKASH_TOKEN_PATH, data=b"[]", timeout=5)

    assert response.status_code == 400
    assert response.json()["resultCode"] == 400


@pytest.mark.parametrize("bearer", [None, "made-up-token"])
def test_an_api_call_without_a_valid_token_gets_401(sandbox, bearer):
    response = call_api(sandbox, bearer=bearer)

    assert response.status_code == 401
    assert response.json()["response_code"] == 401
    assert response.json()["payload"]["resp"]["errorCd"] == "UNAUTHENTICATED"
    assert [entry["status"] for entry in sandbox.received] == [401]


def test_a_token_without_the_bearer_scheme_gets_401(sandbox):
    issued = token(sandbox).json()["token"]

    response = requests.post(
        sandbox.url + conventions.API_PREFIX + "req-send",
        data=encoding.dumps(conforming_request("req-send")),
        headers={"Content-Type": "application/json", "Authorization": issued},
        timeout=5,
    )

    assert response.status_code == 401


def test_expired_tokens_get_401(sandbox):
    issued = token(sandbox).json()["token"]

    assert control(sandbox, "POST", "tokens/expire").status_code == 200

    assert call_api(sandbox, bearer=issued).status_code == 401
    assert call_api(sandbox, bearer=token(sandbox).json()["token"]).status_code == 200


# -- transport faults ------------------------------------------------------------------------


def test_http_500_fails_the_given_number_of_requests(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.add_fault(mode="http_500", kind="req-send", times=2)

    statuses = [call_api(sandbox, bearer=issued).status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert sandbox.faults.all() == []


def test_a_fault_applies_only_to_its_kind(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.add_fault(mode="http_500", kind="req-confirm")

    assert call_api(sandbox, "req-send", bearer=issued).status_code == 200
    assert call_api(sandbox, "req-confirm", bearer=issued).status_code == 500


def test_a_fault_without_a_count_lasts_until_cleared(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.add_fault(mode="http_500", kind="*", times=None)

    assert [call_api(sandbox, kind, bearer=issued).status_code
            for kind in kinds.REQUEST_KINDS] == [500] * 4
    assert control(sandbox, "DELETE", "faults").status_code == 200
    assert call_api(sandbox, bearer=issued).status_code == 200


def test_timeout_holds_the_answer(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.add_fault(mode="timeout", kind="req-send", seconds=0.3)
    started = time.monotonic()

    response = call_api(sandbox, bearer=issued)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_answer_latency_holds_every_answer_it_acknowledges(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.answer_latency = 0.3
    started = time.monotonic()

    response = call_api(sandbox, bearer=issued)

    assert response.status_code == 200
    assert response.json()["response_code"] == 0
    assert time.monotonic() - started >= 0.3


def test_a_held_answer_ends_when_the_client_gives_up(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.add_fault(mode="timeout", kind="req-send", seconds=3)

    with pytest.raises(requests.ReadTimeout):
        call_api(sandbox, bearer=issued, timeout=(1, 0.2))

    assert call_api(sandbox, bearer=issued).status_code == 200


def test_a_transport_fault_acts_before_the_body_is_checked(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.add_fault(mode="http_500", kind="req-send")

    response = requests.post(
        sandbox.url + conventions.API_PREFIX + "req-send",
        data=b"{}",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {issued}",
                 conventions.REQ_MSG_ID_HEADER: "req-1"},
        timeout=5,
    )

    assert response.status_code == 500


def test_a_reject_fault_waits_for_a_valid_body(sandbox):
    issued = token(sandbox).json()["token"]
    sandbox.add_fault(mode="reject", kind="req-send", error_code="PARTY_NOT_FOUND")
    invalid = requests.post(
        sandbox.url + conventions.API_PREFIX + "req-send",
        data=b"{}",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {issued}",
                 conventions.REQ_MSG_ID_HEADER: "req-1"},
        timeout=5,
    )

    assert invalid.status_code == 400
    rejected = call_api(sandbox, bearer=issued)
    assert rejected.status_code == 422
    assert rejected.json()["payload"]["resp"]["errorCd"] == "PARTY_NOT_FOUND"
    assert rejected.json()["payload"]["resp"]["errorDtl"] == "Refused by the EnKash sandbox."


# -- the control API ---------------------------------------------------------------------------


def test_health(sandbox):
    answer = control(sandbox, "GET", "health").json()

    assert answer == {
        "status": "ok", "url": sandbox.url, "deliver_to": None, "delay": 0.0, "held": 0
    }


def test_received_lists_every_request_with_its_answer(sandbox):
    issued = token(sandbox).json()["token"]
    call_api(sandbox, bearer=issued)
    call_api(sandbox, "req-confirm")

    received = encoding.loads(control(sandbox, "GET", "received").content)

    assert [(entry["kind"], entry["req_msg_id"], entry["status"]) for entry in received] == [
        ("req-send", "req-1", 200),
        ("req-confirm", "req-1", 401),
    ]
    assert received[0]["body"] == conforming_request("req-send")
    assert received[0]["headers"]["Authorization"] == f"Bearer {issued}"
    assert received[0]["answer"] == conventions.success_envelope()


def test_delivered_is_empty_without_deliveries(sandbox):
    assert control(sandbox, "GET", "delivered").json() == []


def test_faults_are_added_listed_and_cleared(sandbox):
    added = control(
        sandbox,
        "POST",
        "faults",
        json={"mode": "reject", "kind": "req-edit", "times": 2, "error_code": "STALE_VERSION",
              "error_detail": "Old", "error_field": "purchaseOrder.objectVersion"},
    )

    assert added.status_code == 201
    listed = control(sandbox, "GET", "faults").json()
    assert [(f["mode"], f["kind"], f["times"], f["error_code"]) for f in listed] == [
        ("reject", "req-edit", 2, "STALE_VERSION")
    ]
    assert control(sandbox, "DELETE", "faults").json() == {"status": "cleared"}
    assert control(sandbox, "GET", "faults").json() == []


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"mode": "explode"}, "mode must be one of http_500, timeout, reject"),
        ({"mode": "http_500", "kind": "req-delete"}, "kind must be * or one of req-send"),
        ({"mode": "http_500", "times": 0}, "times must be a whole number"),
        ({"mode": "timeout", "seconds": -1}, "seconds must be a number"),
        ({"mode": "reject"}, "A reject fault needs an error_code."),
        ({"mode": "http_500", "colour": "red"}, "Unknown fault fields: colour."),
    ],
)
def test_a_bad_fault_is_refused_with_the_reason(sandbox, fault, message):
    response = control(sandbox, "POST", "faults", json=fault)

    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert sandbox.faults.all() == []


def test_reset_forgets_requests_and_faults_but_keeps_tokens(sandbox):
    issued = token(sandbox).json()["token"]
    call_api(sandbox, bearer=issued)
    sandbox.add_fault(mode="http_500")

    assert control(sandbox, "POST", "reset").json() == {"status": "reset"}

    assert sandbox.received == []
    assert sandbox.token_requests == []
    assert sandbox.faults.all() == []
    assert call_api(sandbox, bearer=issued).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/_sandbox/nothing", 404),
        ("POST", "/_sandbox/health", 405),
        ("GET", "/api/v0/purchase-order/req-send", 405),
        ("POST", "/api/v0/purchase-order/resp-send", 404),
        ("GET", "/api/v0/merchant/token", 405),
    ],
)
def test_other_paths_and_methods_are_refused(sandbox, method, path, status):
    response = requests.request(method, sandbox.url + path, timeout=5)

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
