"""POST /api/v0/business-onboarding/respSearchEntity: the network's answer to a supplier search."""

import pytest

from purchase_orders.models import InboundEvent, SupplierSearch
from purchase_orders.sandbox.answers import answer_drift
from tests.factories import make_gstin, make_search
from tests.plugins.webhooks import (
    FOUND_ENTITY,
    answer,
    answered_error,
    row_counts,
    search_answer_body,
)

pytestmark = pytest.mark.django_db

KIND = "respSearchEntity"
SUCCESS = {"payload": "SUCCESS", "response_code": 0, "response_message": "SUCCESS"}
GSTIN = make_gstin("33", 4321)
ENTITY = FOUND_ENTITY


@pytest.fixture
def search(people) -> SupplierSearch:
    return make_search(people.buyer, parameter="GSTIN", value=GSTIN)


answer_body = search_answer_body


def refreshed(search: SupplierSearch) -> SupplierSearch:
    search.refresh_from_db()
    search.outbound_message.refresh_from_db()
    return search


def test_the_answer_lists_the_businesses_found_and_settles_the_message(search, signed_post):
    response = signed_post(KIND, answer_body(search))

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    search = refreshed(search)
    assert search.state == "answered"
    assert search.results == [ENTITY]
    assert search.answered_at is not None
    assert search.outbound_message.state == "acknowledged"
    event = InboundEvent.objects.get()
    assert (event.kind, event.state, event.object_id, event.outbound_message_id) == (
        KIND,
        "applied",
        search.object_id,
        search.outbound_message_id,
    )
    assert event.purchase_order is None
    assert answer_drift(KIND, 200, answer(response)) == ""


def test_it_answers_with_or_without_a_trailing_slash(search, signed_post):
    response = signed_post(KIND, answer_body(search), trailing_slash=True)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    assert refreshed(search).state == "answered"


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body["respParams"].update(entityInfo=[]),
        lambda body: body.pop("respParams"),
        lambda body: body["respParams"].pop("entityInfo"),
        lambda body: body.update(respParams=None),
    ],
    ids=["empty", "no respParams", "no entityInfo", "null respParams"],
)
def test_a_success_that_lists_nothing_is_no_match(search, signed_post, change):
    body = answer_body(search)
    change(body)

    response = signed_post(KIND, body)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    search = refreshed(search)
    assert (search.state, search.results) == ("no_match", [])
    assert search.outbound_message.state == "acknowledged"


def test_a_failure_keeps_the_networks_words(search, signed_post):
    body = answer_body(
        search,
        entities=(),
        result="FAILURE",
        errorCd="SEARCH_LIMIT",
        errorDtl="Too many searches from this requestor today.",
        errorField="onboardingB2BIds.requestorB2BId",
    )
    del body["respParams"]

    response = signed_post(KIND, body)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    search = refreshed(search)
    assert (search.state, search.error_code, search.error_detail, search.error_field) == (
        "failed",
        "SEARCH_LIMIT",
        "Too many searches from this requestor today.",
        "onboardingB2BIds.requestorB2BId",
    )
    assert search.outbound_message.state == "rejected"


def test_the_errors_may_be_left_out_or_null_as_the_onboarding_pages_allow(search, signed_post):
    body = answer_body(search)
    for key in ("errorCd", "errorDtl"):
        del body["resp"][key]
    body["resp"]["errorField"] = None

    response = signed_post(KIND, body)

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    assert refreshed(search).state == "answered"


def test_a_repeat_of_the_same_delivery_gets_the_same_answer_and_changes_nothing(
    search, signed_post
):
    first = signed_post(KIND, answer_body(search), msg_id="msg_search_1")
    answered_at = refreshed(search).answered_at

    again = signed_post(KIND, answer_body(search, entities=()), msg_id="msg_search_1")

    assert again.content == first.content
    event = InboundEvent.objects.get()
    assert event.repeats == 1
    search = refreshed(search)
    assert (search.state, search.results, search.answered_at) == ("answered", [ENTITY], answered_at)


def test_the_same_answer_delivered_again_under_a_new_id_is_acknowledged_not_reapplied(
    search, signed_post
):
    signed_post(KIND, answer_body(search))
    answered_at = refreshed(search).answered_at

    response = signed_post(KIND, answer_body(search, entities=()))

    assert (response.status_code, answer(response)) == (200, SUCCESS)
    search = refreshed(search)
    assert (search.state, search.results, search.answered_at) == ("answered", [ENTITY], answered_at)
    assert list(InboundEvent.objects.values_list("state", flat=True)) == ["applied", "applied"]


def test_an_answer_after_the_portal_gave_up_delivering_is_applied(search, signed_post):
    SupplierSearch.objects.filter(pk=search.pk).update(state="failed")
    type(search.outbound_message).objects.filter(pk=search.outbound_message_id).update(
        state="failed"
    )

    response = signed_post(KIND, answer_body(search))

    assert response.status_code == 200
    search = refreshed(search)
    assert (search.state, search.outbound_message.state) == ("answered", "acknowledged")


def test_an_unknown_object_id_is_refused_clearly_and_changes_nothing(search, signed_post):
    body = answer_body(search)
    body["objectId"] = "ORG" + "Z" * 32
    before = row_counts()

    response = signed_post(KIND, body)

    assert response.status_code == 422
    assert answer(response)["payload"] == "FAILURE"
    assert answer(response)["response_code"] == 422
    assert answered_error(response) == (
        "SEARCH_NOT_FOUND",
        f"No supplier search ORG{'Z' * 32} was asked from here.",
        "objectId",
    )
    assert row_counts() == {**before, "purchase_orders.InboundEvent": 1}
    assert refreshed(search).state == "asked"
    assert InboundEvent.objects.get().state == "refused"
    assert answer_drift(KIND, 422, answer(response)) == ""


def test_an_answer_for_another_requestor_is_refused(search, signed_post, people):
    body = answer_body(search)
    body["onboardingB2BIds"]["requestorB2BId"] = people.outsider.b2b_id

    response = signed_post(KIND, body)

    assert response.status_code == 422
    code, detail, field = answered_error(response)
    assert (code, field) == ("PARTY_MISMATCH", "onboardingB2BIds.requestorB2BId")
    assert detail == (
        f"Supplier search {search.object_id} was asked by {people.buyer.b2b_id}, not by "
        f"{people.outsider.b2b_id}."
    )
    search = refreshed(search)
    assert (search.state, search.results) == ("asked", [])
    assert search.outbound_message.state == "queued"


def test_an_answer_echoing_other_criteria_is_refused(search, signed_post):
    body = answer_body(search)
    body["search"]["criteria"][0]["value"] = make_gstin("33", 1)

    response = signed_post(KIND, body)

    assert response.status_code == 422
    code, detail, field = answered_error(response)
    assert (code, field) == ("SEARCH_NOT_FOUND", "search.criteria")
    assert f"asked for GSTIN {GSTIN}" in detail
    assert refreshed(search).state == "asked"


def test_without_an_object_id_the_answer_is_matched_by_its_req_msg_id(search, signed_post):
    body = answer_body(search)
    del body["objectId"]

    response = signed_post(KIND, body)

    assert response.status_code == 200
    assert refreshed(search).state == "answered"


def test_without_object_id_or_req_msg_id_it_is_matched_by_criteria_and_requestor(
    search, people, signed_post
):
    older = make_search(people.buyer, parameter="GSTIN", value=GSTIN)
    body = answer_body(search)
    body["objectId"] = ""
    body["resp"]["reqMsgId"] = ""

    response = signed_post(KIND, body)

    assert response.status_code == 200
    # The latest search still waiting for these criteria gets it.
    assert (refreshed(older).state, refreshed(search).state) == ("answered", "asked")


def test_without_identifiers_an_answer_no_search_waits_for_is_refused(search, signed_post):
    body = answer_body(search)
    body["objectId"] = None
    body["resp"]["reqMsgId"] = ""
    body["onboardingB2BIds"]["requestorB2BId"] = "NOBODY-HERE"

    response = signed_post(KIND, body)

    assert response.status_code == 422
    code, detail, field = answered_error(response)
    assert (code, field) == ("SEARCH_NOT_FOUND", "search.criteria")
    assert detail == (
        f"No supplier search for GSTIN {GSTIN} by NOBODY-HERE is waiting for an answer here."
    )


def test_the_documented_example_is_read_and_refused_as_no_search_of_ours(
    search, signed_post, example
):
    response = signed_post(KIND, example("webhook-resp-search-entity.json"))

    assert response.status_code == 422
    assert answered_error(response) == (
        "SEARCH_NOT_FOUND",
        "No supplier search string was asked from here.",
        "objectId",
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda body: body.pop("resp"), "resp", "This field is required."),
        (lambda body: body.pop("search"), "search", "This field is required."),
        (lambda body: body.pop("onboardingB2BIds"), "onboardingB2BIds", "required"),
        (
            lambda body: body["onboardingB2BIds"].update(requestorB2BId=""),
            "onboardingB2BIds.requestorB2BId",
            "Must not be empty.",
        ),
        (
            lambda body: body["search"].update(criteria=[]),
            "search.criteria",
            "This list may not be empty.",
        ),
        (
            lambda body: body["search"]["criteria"][0].update(value=33),
            "search.criteria[0].value",
            "Must be a JSON string.",
        ),
        (lambda body: body["resp"].update(result=0), "resp.result", "Must be a JSON string."),
        (
            lambda body: body["respParams"]["entityInfo"][0].update(pincode=641021),
            "respParams.entityInfo[0].pincode",
            "Must be a JSON string.",
        ),
        (
            lambda body: body["respParams"]["entityInfo"][0]["b2bIds"][0].update(value=""),
            "respParams.entityInfo[0].b2bIds[0].value",
            "Must not be empty.",
        ),
        (
            lambda body: body["respParams"]["entityInfo"][0]["b2bIds"][0].update(value="X" * 101),
            "respParams.entityInfo[0].b2bIds[0].value",
            "no more than 100 characters",
        ),
        (
            lambda body: body["respParams"].update(entityInfo={"name": "Kaveri"}),
            "respParams.entityInfo",
            "Expected a list of items",
        ),
        (
            lambda body: body["respParams"]["entityInfo"][0].update(name="Kaveri\x00"),
            "respParams.entityInfo[0].name",
            "Null characters are not allowed.",
        ),
        (lambda body: body.update(objectId=7), "objectId", "Must be a JSON string."),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_malformed_answer_is_refused_naming_the_field_and_changes_nothing(
    search, signed_post, change, field, words
):
    body = answer_body(search)
    change(body)
    before = row_counts()

    response = signed_post(KIND, body)

    assert response.status_code == 400
    code, detail, error_field = answered_error(response)
    assert (code, error_field) == ("INVALID_FIELD", field)
    assert words in detail
    assert answer(response)["response_code"] == 400
    assert row_counts() == {**before, "purchase_orders.InboundEvent": 1}
    assert InboundEvent.objects.get().state == "invalid"
    assert refreshed(search).state == "asked"
    assert answer_drift(KIND, 400, answer(response)) == ""


def test_an_unsigned_delivery_is_refused_and_stores_nothing(search, webhook_client):
    before = row_counts()

    response = webhook_client.post(
        "/api/v0/business-onboarding/respSearchEntity",
        data=b"{}",
        content_type="application/json",
    )

    assert response.status_code == 401
    assert answered_error(response)[0] == "UNAUTHENTICATED"
    assert row_counts() == before


def test_unknown_extra_fields_are_kept_in_the_raw_event_and_ignored(search, signed_post):
    body = answer_body(search)
    body["respParams"]["entityInfo"][0]["gstin"] = GSTIN
    body["networkTrace"] = {"hop": 3}

    response = signed_post(KIND, body)

    assert response.status_code == 200
    assert refreshed(search).results == [ENTITY]
    assert '"networkTrace"' in InboundEvent.objects.get().body
