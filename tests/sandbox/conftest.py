"""Fixtures of the sandbox's validation tests: one sandbox per module, and reading its answers."""

import re
from decimal import Decimal

import pytest
import requests
from django.conf import settings

from purchase_orders import totals
from purchase_orders.enkash import conventions, encoding
from purchase_orders.sandbox.server import SandboxServer


class Api:
    """Post bodies to one sandbox shared by the module, with a valid token."""

    def __init__(self, server: SandboxServer):
        self.server = server
        self.session = requests.Session()
        answer = self.session.post(
            server.url + settings.ENKASH_TOKEN_PATH,
            json={
                "accessKey": settings.ENKASH_CLIENT_ID,
                "secretKey": settings.ENKASH_CLIENT_SECRET,
            },
            timeout=5,
        ).json()
        self.token = answer["token"]

    def post(self, kind: str, body, *, headers: dict | None = None) -> requests.Response:
        data = body if isinstance(body, bytes) else encoding.dumps(body).encode()
        return self.session.post(
            self.server.url + conventions.API_PREFIX + kind,
            data=data,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                conventions.REQ_MSG_ID_HEADER: "req-validation",
                **(headers or {}),
            },
            timeout=5,
        )


@pytest.fixture(scope="module")
def api():
    server = SandboxServer().start()
    yield Api(server)
    server.stop()


def refusal(response) -> tuple[int, str, str, str]:
    """Return (HTTP status, errorCd, errorField, errorDtl) of a refused request."""
    body = encoding.loads(response.content)
    resp = body["payload"]["resp"]
    assert body["response_code"] == response.status_code
    assert resp["result"] == "FAILURE"
    assert resp["reqMsgId"] == "req-validation"
    return response.status_code, resp["errorCd"], resp["errorField"], resp["errorDtl"]


STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split(path: str) -> list:
    return [int(index) if index else key for key, index in STEP.findall(path)]


def parent_of(body: dict, path: str):
    steps = split(path)
    node = body
    for step in steps[:-1]:
        node = node[step]
    return node, steps[-1]


def refill_totals(body: dict) -> dict:
    """Restate a purchase order's line and PO amounts from its quantities, prices and rates.

    The portal's own arithmetic (``purchase_orders.totals``) fills them, so a
    body it restates passing the sandbox's independent checks is one more
    cross-check of the two.
    """
    order = body["purchaseOrder"]
    intra_state = totals.is_intra_state(
        supplier_state_code=order["supplierDetails"]["stateCode"],
        place_of_supply=order["buyerDetails"]["placeOfSupply"],
    )
    lines_value = Decimal(0)
    for line in order["itemLists"]:
        discount = sum(
            (Decimal(d["value"]) for d in line["itemValueDetails"] if d["type"] == "DISCOUNT"),
            Decimal(0),
        )
        computed = totals.compute_line(
            totals.LineInput(
                quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["unitPrice"]),
                gst_rate=Decimal(line["gstRate"]),
                discount=discount,
                other_tax_rates=[Decimal(tax["rate"]) for tax in line["otherTaxes"]],
            ),
            intra_state=intra_state,
        )
        line["totalAmt"] = computed.total_amount
        line["assessmentAmount"] = computed.assessment_amount
        line["totalItemValue"] = computed.total_item_value
        for tax, tax_amount in zip(line["otherTaxes"], computed.other_tax_amounts, strict=True):
            tax["amount"] = tax_amount
        lines_value += computed.total_item_value
    values = order["poValueDetails"]
    values["totalPOValue"] = lines_value + sum(
        (Decimal(entry["value"]) for entry in values["otherValues"]), Decimal(0)
    )
    milestones = order["paymentMilestones"]
    if milestones:
        # One milestone for the whole total.
        del milestones[1:]
        milestones[0]["dueAmount"] = values["totalPOValue"]
    return body
