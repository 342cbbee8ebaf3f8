"""Every field of the spec's purchase order that its buyer owns can be set on the form.

``SPEC_FIELDS`` is the inventory: each field of the documented
``purchaseOrder`` (SPEC §3.6, ``enkash/examples/api-req-send.json``) and of
the ``additionalInfos`` sent beside it, with the form's input that sets it
(row 0 of each list standing for every row) or the reason the form has none.
Three kinds of field have none, by design:

- the order's lifecycle marks (its network id, version, status and issue
  time), which the portal writes as the order moves;
- the amounts computed from the lines (``totals.py``): a line's amount,
  taxable value, other taxes' amounts and total, and the order's total;
- the parties' details, which come from each business's profile and the
  supplier directory rather than being typed on each order; the buyer
  only chooses the GSTIN it buys from and the place of supply.

The tests walk the documented fields and the typed contents
(``contents.py``), so a field added to either without an input fails here.
"""

import dataclasses
import json
import re
from importlib import resources

import pytest
from django.urls import reverse

from purchase_orders import contents, enkash
from purchase_orders.enkash.keys import LINE_LIST_KEYS, PO_LIST_KEYS
from purchase_orders.forms import CONTENT_PLACES
from purchase_orders.labels import entry_field
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.plugins.network import acknowledged

pytestmark = pytest.mark.django_db

LIFECYCLE = "written by the portal as the order moves: its id, version, status and issue time"
COMPUTED = "computed from the lines by totals.py"
PARTY = "copied from the business's profile or the supplier directory"

_PARTY_FIELDS = (
    "b2bId",
    "gstin",
    "legalName",
    "tradeName",
    "stateCode",
    *(
        f"address.{key}"
        for key in ("type", "addressLine1", "addressLine2", "city", "state", "country", "pincode")
    ),
    "contactNumber.type",
    "contactNumber.countryCode",
    "contactNumber.phoneNumber",
    "email",
)

# Documented field (arrays as []) -> the form's input that sets it, or why there is none.
SPEC_FIELDS = {
    "purchaseOrder.objectId": LIFECYCLE,
    "purchaseOrder.buyerPONumber": "buyer_po_number",
    "purchaseOrder.ts": LIFECYCLE,
    "purchaseOrder.orderDate": "order_date",
    "purchaseOrder.deliveryDate": "delivery_date",
    "purchaseOrder.subject": "subject",
    "purchaseOrder.objectVersion.currentVersion": LIFECYCLE,
    "purchaseOrder.objectVersion.newVersion": LIFECYCLE,
    "purchaseOrder.poStatusTransition.currentStatus": LIFECYCLE,
    "purchaseOrder.poStatusTransition.newStatus": LIFECYCLE,
    **{f"purchaseOrder.supplierDetails.{name}": PARTY for name in _PARTY_FIELDS},
    **{f"purchaseOrder.buyerDetails.{name}": PARTY for name in _PARTY_FIELDS},
    "purchaseOrder.buyerDetails.gstin": "buyer_gstin",
    "purchaseOrder.buyerDetails.placeOfSupply": "place_of_supply",
    "purchaseOrder.addressDetails[].addressType": "addresses-0-purpose",
    "purchaseOrder.addressDetails[].address.type": "addresses-0-address_type",
    "purchaseOrder.addressDetails[].address.addressLine1": "addresses-0-address_line1",
    "purchaseOrder.addressDetails[].address.addressLine2": "addresses-0-address_line2",
    "purchaseOrder.addressDetails[].address.city": "addresses-0-city",
    "purchaseOrder.addressDetails[].address.state": "addresses-0-state",
    "purchaseOrder.addressDetails[].address.country": "addresses-0-country",
    "purchaseOrder.addressDetails[].address.pincode": "addresses-0-pincode",
    "purchaseOrder.itemLists[].serialno": "lines-0-serial_no",
    "purchaseOrder.itemLists[].productDescription": "lines-0-product_description",
    "purchaseOrder.itemLists[].isService": "lines-0-is_service",
    "purchaseOrder.itemLists[].hsnCode": "lines-0-hsn_code",
    "purchaseOrder.itemLists[].barCode": "lines-0-bar_code",
    "purchaseOrder.itemLists[].quantity": "lines-0-quantity",
    "purchaseOrder.itemLists[].freeQuantity": "lines-0-free_quantity",
    "purchaseOrder.itemLists[].unit": "lines-0-unit",
    "purchaseOrder.itemLists[].unitPrice": "lines-0-unit_price",
    "purchaseOrder.itemLists[].totalAmt": COMPUTED,
    "purchaseOrder.itemLists[].assessmentAmount": COMPUTED,
    "purchaseOrder.itemLists[].gstRate": "lines-0-gst_rate",
    "purchaseOrder.itemLists[].totalItemValue": COMPUTED,
    "purchaseOrder.itemLists[].orderLineReference": "lines-0-order_line_reference",
    "purchaseOrder.itemLists[].originCountry": "lines-0-origin_country",
    "purchaseOrder.itemLists[].productSerialNumber": "lines-0-product_serial_number",
    # The line's Discount field is its first value detail, of kind DISCOUNT.
    "purchaseOrder.itemLists[].itemValueDetails[].type": "lines-0-value_details-0-type",
    "purchaseOrder.itemLists[].itemValueDetails[].value": "lines-0-value_details-0-value",
    "purchaseOrder.itemLists[].rates[].type": "lines-0-rates-0-type",
    "purchaseOrder.itemLists[].rates[].value": "lines-0-rates-0-value",
    "purchaseOrder.itemLists[].batchDetails.batchNumber": "lines-0-batch_number",
    "purchaseOrder.itemLists[].batchDetails.expiryDate": "lines-0-batch_expiry_on",
    "purchaseOrder.itemLists[].batchDetails.batchWarrantyDate": "lines-0-batch_warranty_on",
    "purchaseOrder.itemLists[].attributeDetails[].name": "lines-0-attributes-0-name",
    "purchaseOrder.itemLists[].attributeDetails[].value": "lines-0-attributes-0-value",
    "purchaseOrder.itemLists[].otherTaxes[].name": "lines-0-other_taxes-0-name",
    "purchaseOrder.itemLists[].otherTaxes[].rate": "lines-0-other_taxes-0-rate",
    "purchaseOrder.itemLists[].otherTaxes[].amount": COMPUTED,
    "purchaseOrder.poValueDetails.totalPOValue": COMPUTED,
    "purchaseOrder.poValueDetails.otherValues[].type": "other_charges-0-charge_type",
    "purchaseOrder.poValueDetails.otherValues[].value": "other_charges-0-amount",
    "purchaseOrder.poInfos[].detailType": "po_infos-0-detail_type",
    "purchaseOrder.poInfos[].detailValue": "po_infos-0-detail_value",
    "purchaseOrder.contractReferenceDetails[].receiptAdviceNo": (
        "contract_references-0-receipt_advice_no"
    ),
    "purchaseOrder.contractReferenceDetails[].receiptAdviceDate": (
        "contract_references-0-receipt_advice_date"
    ),
    "purchaseOrder.contractReferenceDetails[].batchReferenceNo": (
        "contract_references-0-batch_reference_no"
    ),
    "purchaseOrder.contractReferenceDetails[].contractReferenceNo": (
        "contract_references-0-contract_reference_no"
    ),
    "purchaseOrder.contractReferenceDetails[].extraReferenceNo": (
        "contract_references-0-extra_reference_no"
    ),
    "purchaseOrder.contractReferenceDetails[].projectReferenceNo": (
        "contract_references-0-project_reference_no"
    ),
    "purchaseOrder.additionalDocumentDetails[].url": "documents-0-url",
    "purchaseOrder.additionalDocumentDetails[].document": "documents-0-document",
    "purchaseOrder.additionalDocumentDetails[].info": "documents-0-info",
    "purchaseOrder.paymentMilestones[].milestoneDate": "milestones-0-due_on",
    "purchaseOrder.paymentMilestones[].dueAmount": "milestones-0-due_amount",
    "purchaseOrder.shippingTermsDetails.terms": "shipping_terms",
    "purchaseOrder.shippingTermsDetails.bearingParty": "shipping_bearing_party",
    "purchaseOrder.shippingTermsDetails.charges": "shipping_charges",
    "additionalInfos[].name": "additional_infos-0-name",
    "additionalInfos[].value": "additional_infos-0-value",
}
REASONS = {LIFECYCLE, COMPUTED, PARTY}

# Fields of the typed contents the form does not set, and why.
CONTENTS_NOT_TYPED = {
    "header": {
        "object_id": LIFECYCLE,
        "ts": LIFECYCLE,
        "previous_version": LIFECYCLE,
        "version": LIFECYCLE,
        "previous_status": LIFECYCLE,
        "status": LIFECYCLE,
        "total_po_value": COMPUTED,
    },
    "lines": {
        "total_amount": COMPUTED,
        "assessment_amount": COMPUTED,
        "total_item_value": COMPUTED,
    },
    "other_taxes": {"amount": COMPUTED},
}
# The typed parts of the contents' lists: list -> the dataclass of one entry.
CONTENTS_LISTS = {
    "addresses": contents.AddressContents,
    "lines": contents.LineContents,
    "other_charges": contents.ChargeContents,
    "milestones": contents.MilestoneContents,
}
# The contents' free-form lists: field -> the network's keys of one entry.
HEADER_ENTRY_KEYS = {
    **{field: keys for field, keys in PO_LIST_KEYS.values()},
    "additional_infos": ("name", "value"),
}
LINE_ENTRY_KEYS = {field: keys for field, keys, _ in LINE_LIST_KEYS.values()}
# Form list prefix of each of the contents' lists.
PREFIXES = {key: prefix for prefix, (_, key) in CONTENT_PLACES.items()}


def documented_fields() -> list[str]:
    body = json.loads(resources.files(enkash).joinpath("examples", "api-req-send.json").read_text())

    def leaves(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from leaves(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            yield from leaves(value[0], f"{path}[]")
        else:
            yield path

    return list(
        leaves(
            {"purchaseOrder": body["purchaseOrder"], "additionalInfos": body["additionalInfos"]},
            "",
        )
    )


def contents_inputs() -> list[str]:
    """Return the input each field of the typed contents a buyer owns should have.

    A list's entry is its row 0; a line's own lists are in its row 0.
    """
    expected = []
    for field in dataclasses.fields(contents.Contents):
        if field.name == "header":
            for name in _owned(contents.Header, "header"):
                if name in HEADER_ENTRY_KEYS:
                    prefix = PREFIXES[name]
                    expected += [
                        f"{prefix}-0-{entry_field(key)}" for key in HEADER_ENTRY_KEYS[name]
                    ]
                else:
                    expected.append(name)
        elif field.name == "parties":
            # The parties' details are the businesses' (PARTY), but for these two.
            expected += ["buyer_gstin", "place_of_supply"]
        elif field.name == "lines":
            for name in _owned(contents.LineContents, "lines"):
                if name in LINE_ENTRY_KEYS:
                    expected += [
                        f"lines-0-{name}-0-{entry_field(key)}" for key in LINE_ENTRY_KEYS[name]
                    ]
                elif name == "other_taxes":
                    expected += [
                        f"lines-0-other_taxes-0-{tax}"
                        for tax in _owned(contents.TaxContents, "other_taxes")
                    ]
                else:
                    expected.append(f"lines-0-{name}")
        else:
            entry = CONTENTS_LISTS[field.name]
            prefix = PREFIXES[field.name]
            expected += [f"{prefix}-0-{name}" for name in _owned(entry, field.name)]
    return expected


def _owned(cls, part: str) -> list[str]:
    not_typed = CONTENTS_NOT_TYPED.get(part, {})
    return [field.name for field in dataclasses.fields(cls) if field.name not in not_typed]


def inputs_of(page: str) -> set[str]:
    """Return the names of a page's inputs, every row's index (or placeholder) made 0."""
    names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', page)
    return {re.sub(r"-(\d+|__prefix__|__item__)-", "-0-", name) for name in names}


def add_buttons_of(page: str) -> set[str]:
    values = re.findall(r'<button[^>]*name="add_row" value="([^"]+)"', page)
    return {re.sub(r"-\d+-", "-0-", value) for value in values}


def _list_prefix(name: str) -> str:
    """Return the list an input's row belongs to: lines-0-rates-0-type is lines-0-rates."""
    return name.rsplit("-0-", 1)[0] if "-0-" in name else ""


def test_the_inventory_names_every_documented_field_once():
    assert sorted(SPEC_FIELDS) == sorted(documented_fields())
    for path, place in SPEC_FIELDS.items():
        assert place in REASONS or re.fullmatch(r"[a-z0-9_-]+", place), path


def test_every_field_of_the_contents_a_buyer_owns_is_in_the_inventory():
    typed = {place for place in SPEC_FIELDS.values() if place not in REASONS}

    assert sorted(contents_inputs()) == sorted(typed)


@pytest.fixture
def pages(people):
    """Return the form as it opens for a new order, a draft and a sent order."""
    draft = people.purchase_order(lines=1)
    sent = acknowledged(
        send_purchase_order(
            purchase_order=people.purchase_order(lines=1), sent_by=people.buyer_user
        )
    )
    client = people.buyer_client
    return {
        "new": client.get(reverse("purchase_orders:create")).content.decode(),
        "draft": client.get(
            reverse("purchase_orders:edit", args=[draft.object_id])
        ).content.decode(),
        "sent": client.get(reverse("purchase_orders:edit", args=[sent.object_id])).content.decode(),
    }


@pytest.mark.parametrize("form", ["new", "draft", "sent"])
def test_the_form_has_an_input_for_every_field_a_buyer_owns(pages, form):
    page = pages[form]
    inputs, add_buttons = inputs_of(page), add_buttons_of(page)

    missing = [name for name in contents_inputs() if name not in inputs]
    assert missing == []
    # Each list's rows can be added, with the page's script or without it.
    lists = {_list_prefix(name) for name in contents_inputs()} - {""}
    assert sorted(lists - add_buttons) == []
    assert "lines-0-discount" in inputs
