"""The purchase order's page names states, addresses, charges and details in words."""

import re
from decimal import Decimal

import pytest

from purchase_orders import labels
from purchase_orders.models import OtherCharge, PurchaseOrderVersion
from purchase_orders.templatetags.words import state_words, without_full_stop

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """Return a page's words without its tags, its spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("DELIVERY", "Delivery"),
        ("WAREHOUSE", "Warehouse"),
        ("FREIGHT", "Freight"),
        ("ROUND_OFF", "Round-off"),
        ("COST_CENTRE", "Cost centre"),
        ("MRP PER UNIT", "MRP per unit"),
        ("GST_REFUND_CLAIM", "GST refund claim"),
        ("BUYER", "Buyer"),
        ("Packing & forwarding", "Packing & forwarding"),
        ("", ""),
    ],
)
def test_a_code_is_put_in_words_and_words_are_kept(code, words):
    assert labels.code_words(code) == words
    assert labels.is_code(code) is (code != "" and code.upper() == code)


def test_a_state_code_is_named_with_its_state():
    assert state_words("29") == "29 – Karnataka"
    assert state_words("27") == "27 – Maharashtra"
    assert state_words("00") == "00"
    assert state_words("") == ""


def test_a_quoted_reason_loses_its_own_full_stop():
    assert without_full_stop("Forty boxes for the year. ") == "Forty boxes for the year"
    assert without_full_stop("Why?") == "Why?"


def test_the_page_shows_states_addresses_charges_and_details_in_words(people):
    purchase_order = people.purchase_order(
        sent=True,
        shipping_bearing_party="BUYER",
        po_infos=[{"detailType": "COST_CENTRE", "detailValue": "CC-210 Production"}],
    )
    OtherCharge.objects.create(
        purchase_order=purchase_order, charge_type="FREIGHT", amount=Decimal("2400.00")
    )

    html = people.buyer_client.get(purchase_order.get_absolute_url()).content.decode()
    page = text_of(html)

    # The buyer is in Karnataka, the supplier in Maharashtra.
    assert "State 29 – Karnataka" in page
    assert "Place of supply 29 – Karnataka" in page
    assert "State 27 – Maharashtra" in page
    assert "Delivery address (warehouse)" in page
    assert "DELIVERY (WAREHOUSE)" not in page
    assert "Shipping paid by Buyer" in page
    assert "<dt>Freight</dt><dd>₹2,400.00</dd>" in html
    assert "<dt>Cost centre</dt><dd>CC-210 Production</dd>" in html
    # The codes stay within reach, in disclosures.
    disclosures = " ".join(re.findall(r"<details class=\"codes\".*?</details>", html, re.S))
    for code in ("DELIVERY", "WAREHOUSE", "FREIGHT", "COST_CENTRE"):
        assert f"<code>{code}</code>" in disclosures
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    for code in ("DELIVERY", "WAREHOUSE", "FREIGHT", "COST_CENTRE"):
        assert code not in text_of(outside), code


def test_the_edit_banner_ends_its_sentence_once(people):
    purchase_order = people.purchase_order(sent=True, version=2, previous_version=1)
    for version, reason in ((1, ""), (2, "Forty boxes for the year.")):
        PurchaseOrderVersion.objects.create(
            purchase_order=purchase_order, version=version, reason=reason, snapshot={}
        )

    page = text_of(people.supplier_client.get(purchase_order.get_absolute_url()).content.decode())

    assert "Edited by the buyer: version 2, because “Forty boxes for the year”." in page
    assert ".”." not in page
    assert ".." not in page.replace("...", "")
