"""GET /api/schema/ and /api/docs/: the webhook API described, and its docs served offline."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema

from purchase_orders.enkash import conventions, kinds
from purchase_orders.sandbox.answers import answer_drift

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(admin_client) -> dict:
    response = admin_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)

    assert schema["openapi"].startswith("3.")


def test_the_schema_describes_the_eight_webhooks_and_the_search_answer_once_each(schema):
    assert sorted(schema["paths"]) == sorted(
        [conventions.API_PREFIX + kind for kind in kinds.WEBHOOK_KINDS]
        + ["/api/v0/business-onboarding/respSearchEntity"]
    )
    assert all(list(operations) == ["post"] for operations in schema["paths"].values())


def test_the_search_answer_has_its_body_answers_and_the_documented_example(schema, example):
    operation = schema["paths"]["/api/v0/business-onboarding/respSearchEntity"]["post"]
    request = operation["requestBody"]["content"]["application/json"]
    body_schema = schema["components"]["schemas"][request["schema"]["$ref"].rsplit("/", 1)[1]]

    assert set(body_schema["required"]) == {"resp", "onboardingB2BIds", "search"}
    (documented,) = request["examples"].values()
    assert documented["value"] == example("webhook-resp-search-entity.json")
    assert set(operation["responses"]) == {"200", "400", "401", "413", "415", "422", "500"}
    assert operation["tags"] == ["Business onboarding webhooks"]
    shown = [
        (status, value["value"])
        for status in ("200", "400", "401", "422")
        for value in operation["responses"][status]["content"]["application/json"][
            "examples"
        ].values()
    ]
    assert [status for status, _ in shown] == ["200", "400", "401", "422"]
    for status, value in shown:
        assert answer_drift("respSearchEntity", int(status), value) == "", status
    refused = dict(shown)["422"]
    assert conventions.envelope_error(refused) == (
        "SEARCH_NOT_FOUND",
        "No supplier search ORG" + "0" * 32 + " was asked from here.",
        "objectId",
    )


@pytest.mark.parametrize("kind", kinds.WEBHOOK_KINDS)
def test_each_webhook_has_its_body_answers_and_examples(schema, kind):
    operation = schema["paths"][conventions.API_PREFIX + kind]["post"]
    request = operation["requestBody"]["content"]["application/json"]
    object_key = {
        "send": "purchaseOrder",
        "edit": "purchaseOrder",
        "confirm": "poConfirmation",
    }.get(kind.split("-", 1)[1], "poStatus")

    body_schema = schema["components"]["schemas"][request["schema"]["$ref"].rsplit("/", 1)[1]]
    assert object_key in body_schema["required"]
    (example,) = request["examples"].values()
    assert object_key in example["value"]
    assert {"200", "400", "401", "413", "415", "500"} <= set(operation["responses"])
    answers = operation["responses"]["200"]["content"]["application/json"]["examples"]
    assert {"Applied", "Refused"} == set(answers)
    invalid = operation["responses"]["400"]["content"]["application/json"]["examples"]
    assert list(invalid.values())[0]["value"]["response_code"] == 400
    unauthenticated = operation["responses"]["401"]["content"]["application/json"]["examples"]
    (refused,) = unauthenticated.values()
    assert conventions.envelope_error(refused["value"])[0] == "UNAUTHENTICATED"
    # The refusals shown are in the shapes the sandbox checks answers against.
    shown = [("200", answers["Refused"]["value"])] + [
        (status, example["value"])
        for status in ("400", "401", "409")
        for example in operation["responses"][status]["content"]["application/json"][
            "examples"
        ].values()
    ]
    assert len(shown) == 4
    for status, value in shown:
        assert answer_drift(kind, int(status), value) == "", status
    assert operation["security"] == [{"webhookAuthentication": []}]


def test_the_documented_examples_are_the_networks_own(schema, example):
    confirm = schema["paths"][conventions.API_PREFIX + "req-confirm"]["post"]
    (request,) = confirm["requestBody"]["content"]["application/json"]["examples"].values()
    answer = confirm["responses"]["200"]["content"]["application/json"]["examples"]["Applied"]

    assert request["value"] == json.loads(
        json.dumps(example("webhook-req-confirm.json"), default=int)
    )
    assert answer["value"] == json.loads(
        json.dumps(example("webhook-req-confirm.response.json"), default=int)
    )


def test_amounts_are_numbers_and_versions_integers(schema):
    components = schema["components"]["schemas"]

    assert components["Item"]["properties"]["quantity"]["type"] == "number"
    assert components["ObjectVersion"]["properties"]["newVersion"]["type"] == "integer"
    assert components["Resp"]["properties"]["errorCd"]["nullable"] is True


def test_the_docs_render_with_no_external_urls(admin_client):
    response = admin_client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    # Swagger UI's start-up script is served apart, so that no script is inline.
    script = admin_client.get("/api/docs/?script=").content.decode()
    assert "SwaggerUIBundle" in script
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert not [url for url in urls if re.match(r"^(https?:)?//", url)]
    assert not re.search(r"https?://", html + script)
    urls.remove("/api/docs/?script=")
    for url in urls:
        assert url.startswith("/static/")
        assert finders.find(url.removeprefix("/static/")) is not None, url
