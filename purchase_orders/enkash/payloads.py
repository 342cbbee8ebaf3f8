"""Mapping between a purchase order's typed contents and the network's message bodies.

Pure functions: ``build_*`` take contents (or, for the messages that carry
no contents, a purchase order) and return message dicts; ``parse_*`` take
message dicts and return typed contents. Nothing here saves or talks HTTP.
Amounts are Decimal on both sides, so a round trip (message -> models ->
message) is lossless.
"""

from django.conf import settings

from purchase_orders import lifecycle
from purchase_orders.contents import (
    AddressContents,
    ChargeContents,
    Contents,
    Header,
    LineContents,
    MilestoneContents,
    PartyContents,
    TaxContents,
    read_contents,
)

from . import conventions, encoding
from .formats import (
    format_date,
    format_timestamp,
    money,
    parse_date,
    parse_timestamp,
    quantity,
    rate,
    to_decimal,
)
from .keys import (
    ADDRESS_KEYS,
    CONTACT_KEYS,
    LINE_LIST_KEYS,
    LINE_MONEY_KEYS,
    LINE_QUANTITY_KEYS,
    LINE_TEXT_KEYS,
    PARTY_KEYS,
    PO_LIST_KEYS,
)


def _copy_list(entries, keys, *, numeric_value: bool = False) -> list[dict]:
    """Copy a free-form list, keeping only the documented keys of each entry.

    With ``numeric_value``, each entry's ``value`` is an amount and comes out
    as Decimal (JSON columns keep it as a string).
    """
    return [
        {
            key: to_decimal(entry.get(key) or 0)
            if numeric_value and key == "value"
            else entry.get(key, "")
            for key in keys
        }
        for entry in entries or []
    ]


def _address_out(obj) -> dict:
    return {key: getattr(obj, field) for key, field in ADDRESS_KEYS.items()}


def _address_in(data: dict) -> dict:
    return {field: data.get(key, "") for key, field in ADDRESS_KEYS.items()}


# -- building messages ---------------------------------------------------------


def build_party(party: PartyContents) -> dict:
    """Return a ``supplierDetails`` / ``buyerDetails`` object."""
    data = {key: getattr(party, field) for key, field in PARTY_KEYS.items()}
    if party.role == lifecycle.BUYER:
        data["placeOfSupply"] = party.place_of_supply
    data["address"] = _address_out(party)
    data["contactNumber"] = {key: getattr(party, field) for key, field in CONTACT_KEYS.items()}
    data["email"] = party.email
    return data


def build_line(line: LineContents) -> dict:
    """Return one ``itemLists`` entry, its 21 keys in the spec's order."""
    return {
        "serialno": line.serial_no,
        "productDescription": line.product_description,
        "isService": conventions.IS_SERVICE_YES if line.is_service else conventions.IS_SERVICE_NO,
        "hsnCode": line.hsn_code,
        "barCode": line.bar_code,
        "quantity": quantity(line.quantity),
        "freeQuantity": quantity(line.free_quantity),
        "unit": line.unit,
        "unitPrice": money(line.unit_price),
        "totalAmt": money(line.total_amount),
        "assessmentAmount": money(line.assessment_amount),
        "gstRate": rate(line.gst_rate),
        "totalItemValue": money(line.total_item_value),
        "orderLineReference": line.order_line_reference,
        "originCountry": line.origin_country,
        "productSerialNumber": line.product_serial_number,
        "itemValueDetails": _copy_list(line.value_details, ("type", "value"), numeric_value=True),
        "rates": _copy_list(line.rates, ("type", "value"), numeric_value=True),
        "batchDetails": {
            "batchNumber": line.batch_number,
            "expiryDate": format_date(line.batch_expiry_on),
            "batchWarrantyDate": format_date(line.batch_warranty_on),
        },
        "attributeDetails": _copy_list(line.attributes, ("name", "value")),
        "otherTaxes": [
            {"name": tax.name, "rate": rate(tax.rate), "amount": money(tax.amount)}
            for tax in line.other_taxes
        ],
    }


def build_contents(contents: Contents) -> dict:
    """Return the network's ``purchaseOrder`` object for a purchase order's contents."""
    header = contents.header
    return {
        "objectId": header.object_id,
        "buyerPONumber": header.buyer_po_number,
        "ts": format_timestamp(header.ts),
        "orderDate": format_date(header.order_date),
        "deliveryDate": format_date(header.delivery_date),
        "subject": header.subject,
        "objectVersion": {
            "currentVersion": header.previous_version,
            "newVersion": header.version,
        },
        "poStatusTransition": {
            "currentStatus": header.previous_status or conventions.network_status(header.status),
            "newStatus": conventions.network_status(header.status),
        },
        "supplierDetails": build_party(contents.parties[lifecycle.SUPPLIER]),
        "buyerDetails": build_party(contents.parties[lifecycle.BUYER]),
        "addressDetails": [
            {"addressType": address.purpose, "address": _address_out(address)}
            for address in contents.addresses
        ],
        "itemLists": [build_line(line) for line in contents.lines],
        "poValueDetails": {
            "totalPOValue": money(header.total_po_value),
            "otherValues": [
                {"type": charge.charge_type, "value": money(charge.amount)}
                for charge in contents.other_charges
            ],
        },
        **{
            key: _copy_list(getattr(header, field), keys)
            for key, (field, keys) in PO_LIST_KEYS.items()
        },
        "paymentMilestones": [
            {
                "milestoneDate": format_date(milestone.due_on),
                "dueAmount": money(milestone.due_amount),
            }
            for milestone in contents.milestones
        ],
        "shippingTermsDetails": {
            "terms": header.shipping_terms,
            "bearingParty": header.shipping_bearing_party,
            "charges": money(header.shipping_charges),
        },
    }


def build_purchase_order(purchase_order) -> dict:
    """Return the network's ``purchaseOrder`` object for a saved purchase order.

    The caller loads its contents (see ``contents.read_contents``).
    """
    return build_contents(read_contents(purchase_order))


def build_device(geocode: str | None = None) -> dict:
    return {
        "tag": {
            "name": conventions.DEVICE_TAG_NAME,
            "value": settings.ENKASH_DEVICE_GEOCODE if geocode is None else geocode,
        }
    }


def build_b2b_ids(purchase_order) -> dict:
    return {
        "buyerB2BId": purchase_order.buyer.b2b_id,
        "supplierB2BId": purchase_order.supplier.b2b_id,
    }


def build_send_request(purchase_order, *, built: dict | None = None) -> dict:
    """Return the body of ``req-send`` (and of ``req-edit``, which is the same shape).

    ``built`` is the order's ``purchaseOrder`` object, if the caller has
    built it already (for the version's snapshot): it is used as it is.
    """
    return {
        "device": build_device(),
        "b2bIds": build_b2b_ids(purchase_order),
        "purchaseOrder": build_purchase_order(purchase_order) if built is None else built,
        "additionalInfos": _copy_list(purchase_order.additional_infos, ("name", "value")),
    }


build_edit_request = build_send_request


def build_confirm_request(
    purchase_order, *, supplier_response: str, remarks: str, from_status: str
) -> dict:
    """Return the body of ``req-confirm`` for a purchase order already moved."""
    return {
        "device": build_device(),
        "b2bIds": build_b2b_ids(purchase_order),
        "poConfirmation": {
            "objectId": purchase_order.object_id,
            "buyerPONumber": purchase_order.buyer_po_number,
            "supplierResponse": supplier_response,
            "supplierRemarks": remarks,
            "objectVersion": {
                "currentVersion": purchase_order.version,
                "newVersion": purchase_order.version,
            },
            "poStatusTransition": {
                "currentStatus": from_status,
                "newStatus": purchase_order.status,
            },
        },
        "additionalInfos": [],
    }


def build_status_change_request(
    purchase_order, *, buyer_action: str, remarks: str, from_status: str
) -> dict:
    """Return the body of ``req-status-change`` for a purchase order already moved."""
    return {
        "device": build_device(),
        "b2bIds": build_b2b_ids(purchase_order),
        "poStatus": {
            "objectId": purchase_order.object_id,
            "buyerPONumber": purchase_order.buyer_po_number,
            "objectVersion": {
                "currentVersion": purchase_order.version,
                "newVersion": purchase_order.version,
            },
            "buyerAction": buyer_action,
            "buyerRemarks": remarks,
            "poStatusTransition": {
                "currentStatus": from_status,
                "newStatus": purchase_order.status,
            },
        },
        "additionalInfos": [],
    }


# -- parsing messages ----------------------------------------------------------


def parse_party(data: dict, *, role: str) -> PartyContents:
    contact = data.get("contactNumber") or {}
    return PartyContents(
        role=role,
        **{field: data.get(key, "") for key, field in PARTY_KEYS.items()},
        place_of_supply=data.get("placeOfSupply", "") if role == lifecycle.BUYER else "",
        **_address_in(data.get("address") or {}),
        **{field: contact.get(key, "") for key, field in CONTACT_KEYS.items()},
        email=data.get("email", ""),
    )


def parse_line(data: dict) -> LineContents:
    batch = data.get("batchDetails") or {}
    return LineContents(
        **{field: data.get(key, "") for key, field in LINE_TEXT_KEYS.items()},
        is_service=data.get("isService") == conventions.IS_SERVICE_YES,
        **{field: quantity(data.get(key) or 0) for key, field in LINE_QUANTITY_KEYS.items()},
        **{field: money(data.get(key) or 0) for key, field in LINE_MONEY_KEYS.items()},
        gst_rate=to_decimal(data.get("gstRate") or 0),
        **{
            field: _copy_list(data.get(key), keys, numeric_value=numeric_value)
            for key, (field, keys, numeric_value) in LINE_LIST_KEYS.items()
        },
        batch_number=batch.get("batchNumber", ""),
        batch_expiry_on=parse_date(batch.get("expiryDate", "")),
        batch_warranty_on=parse_date(batch.get("batchWarrantyDate", "")),
        other_taxes=[
            TaxContents(
                name=tax.get("name", ""),
                rate=to_decimal(tax.get("rate") or 0),
                amount=money(tax.get("amount") or 0),
            )
            for tax in data.get("otherTaxes") or []
        ],
    )


def parse_header(data: dict, additional_infos: list | None = None) -> Header:
    version = data.get("objectVersion") or {}
    transition = data.get("poStatusTransition") or {}
    shipping = data.get("shippingTermsDetails") or {}
    return Header(
        object_id=data.get("objectId", ""),
        buyer_po_number=data.get("buyerPONumber", ""),
        ts=parse_timestamp(data.get("ts", "")),
        order_date=parse_date(data.get("orderDate", "")),
        delivery_date=parse_date(data.get("deliveryDate", "")),
        subject=data.get("subject", ""),
        previous_version=int(version.get("currentVersion", 0)),
        version=int(version.get("newVersion", 0)),
        previous_status=transition.get("currentStatus", ""),
        status=transition.get("newStatus", ""),
        total_po_value=money((data.get("poValueDetails") or {}).get("totalPOValue") or 0),
        shipping_terms=shipping.get("terms", ""),
        shipping_bearing_party=shipping.get("bearingParty", ""),
        shipping_charges=money(shipping.get("charges") or 0),
        additional_infos=_copy_list(additional_infos, ("name", "value")),
        **{field: _copy_list(data.get(key), keys) for key, (field, keys) in PO_LIST_KEYS.items()},
    )


def parse_purchase_order(data: dict, additional_infos: list | None = None) -> Contents:
    """Return the typed contents of a network ``purchaseOrder`` object.

    Dates and timestamps that do not follow the conventions raise
    ``ValueError``.
    """
    value_details = data.get("poValueDetails") or {}
    return Contents(
        header=parse_header(data, additional_infos),
        parties={
            lifecycle.BUYER: parse_party(data.get("buyerDetails") or {}, role=lifecycle.BUYER),
            lifecycle.SUPPLIER: parse_party(
                data.get("supplierDetails") or {}, role=lifecycle.SUPPLIER
            ),
        },
        addresses=[
            AddressContents(
                purpose=entry.get("addressType", ""), **_address_in(entry.get("address") or {})
            )
            for entry in data.get("addressDetails") or []
        ],
        lines=[parse_line(line) for line in data.get("itemLists") or []],
        other_charges=[
            ChargeContents(charge_type=entry.get("type", ""), amount=money(entry.get("value") or 0))
            for entry in value_details.get("otherValues") or []
        ],
        milestones=[
            MilestoneContents(
                due_on=parse_date(entry.get("milestoneDate", "")),
                due_amount=money(entry.get("dueAmount") or 0),
            )
            for entry in data.get("paymentMilestones") or []
        ],
    )


def build_snapshot(built: dict, additional_infos: list) -> dict:
    """Return what a version keeps: its ``purchaseOrder`` object as sent, and additionalInfos."""
    return {"purchaseOrder": built, "additionalInfos": additional_infos}


def parse_snapshot(snapshot: dict) -> Contents:
    """Return the contents a version's snapshot keeps, read as a received message is."""
    snapshot = encoding.loads(encoding.dumps(snapshot))
    return parse_purchase_order(snapshot["purchaseOrder"], snapshot.get("additionalInfos"))


def parse_version(data: dict) -> tuple[int, int]:
    version = data.get("objectVersion") or {}
    return int(version.get("currentVersion", 0)), int(version.get("newVersion", 0))


def parse_transition(data: dict) -> tuple[str, str]:
    transition = data.get("poStatusTransition") or {}
    return transition.get("currentStatus", ""), transition.get("newStatus", "")
