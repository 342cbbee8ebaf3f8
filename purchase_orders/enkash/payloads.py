"""Mapping between the portal's models and the network's message bodies.

The only module where the network's camelCase names appear. Pure functions:
``build_*`` read models and return message dicts; ``parse_*`` take message
dicts and return plain dicts of model-field values. Nothing here saves or
talks HTTP. Amounts are Decimal on both sides, so a round trip
(message -> models -> message) is lossless.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import conventions

ADDRESS_KEYS = {
    "type": "address_type",
    "addressLine1": "address_line1",
    "addressLine2": "address_line2",
    "city": "city",
    "state": "state",
    "country": "country",
    "pincode": "pincode",
}
PARTY_KEYS = {
    "b2bId": "b2b_id",
    "gstin": "gstin",
    "legalName": "legal_name",
    "tradeName": "trade_name",
    "stateCode": "state_code",
}
CONTACT_KEYS = {"type": "contact_type", "countryCode": "country_code", "phoneNumber": "phone_number"}
LINE_TEXT_KEYS = {
    "serialno": "serial_no",
    "productDescription": "product_description",
    "hsnCode": "hsn_code",
    "barCode": "bar_code",
    "unit": "unit",
    "orderLineReference": "order_line_reference",
    "originCountry": "origin_country",
    "productSerialNumber": "product_serial_number",
}
LINE_QUANTITY_KEYS = {"quantity": "quantity", "freeQuantity": "free_quantity"}
LINE_MONEY_KEYS = {
    "unitPrice": "unit_price",
    "totalAmt": "total_amount",
    "assessmentAmount": "assessment_amount",
    "totalItemValue": "total_item_value",
}
# network key -> (field, keys of each entry, whether "value" is an amount)
LINE_LIST_KEYS = {
    "itemValueDetails": ("value_details", ("type", "value"), True),
    "rates": ("rates", ("type", "value"), True),
    "attributeDetails": ("attributes", ("name", "value"), False),
}
# Free-form lists kept as JSON on the purchase order: network key -> (field, keys).
PO_LIST_KEYS = {
    "poInfos": ("po_infos", ("detailType", "detailValue")),
    "contractReferenceDetails": (
        "contract_references",
        (
            "receiptAdviceNo",
            "receiptAdviceDate",
            "batchReferenceNo",
            "contractReferenceNo",
            "extraReferenceNo",
            "projectReferenceNo",
        ),
    ),
    "additionalDocumentDetails": ("additional_documents", ("url", "document", "info")),
}


# -- formats -----------------------------------------------------------------


def format_date(value: datetime.date | None) -> str:
    if not value:
        return ""
    # strftime writes a year before 1000 without its leading zeros.
    return value.strftime(conventions.DATE_FORMAT.replace("%Y", f"{value.year:04d}"))


def parse_date(value: str) -> datetime.date | None:
    """Read a YYYY-MM-DD date; an empty string is no date."""
    if not value:
        return None
    return datetime.datetime.strptime(value, conventions.DATE_FORMAT).date()


def format_timestamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat()


def parse_timestamp(value: str) -> datetime.datetime:
    """Read an ISO-8601 timestamp with an offset."""
    parsed = parse_datetime(value or "")
    if parsed is None or timezone.is_naive(parsed):
        raise ValueError("expected an ISO-8601 timestamp with an offset")
    return parsed


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def quantity(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.001"))


def rate(value) -> Decimal:
    """Write a percentage without trailing zeros or an exponent (18, 0.25)."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _to_decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _copy_list(entries, keys, *, numeric_value: bool = False) -> list[dict]:
    """Copy a free-form list, keeping only the documented keys of each entry.

    With ``numeric_value``, each entry's ``value`` is an amount and comes out
    as Decimal (JSON columns keep it as a string).
    """
    return [
        {
            key: _to_decimal(entry.get(key) or 0) if numeric_value and key == "value" else entry.get(key, "")
            for key in keys
        }
        for entry in entries or []
    ]


def _address_out(obj) -> dict:
    return {key: getattr(obj, field) for key, field in ADDRESS_KEYS.items()}


def _address_in(data: dict) -> dict:
    return {field: data.get(key, "") for key, field in ADDRESS_KEYS.items()}


# -- building messages ---------------------------------------------------------


def build_party(party) -> dict:
    """Return a ``supplierDetails`` / ``buyerDetails`` object from a Party."""
    data = {key: getattr(party, field) for key, field in PARTY_KEYS.items()}
    if party.role == "buyer":
        data["placeOfSupply"] = party.place_of_supply
    data["address"] = _address_out(party)
    data["contactNumber"] = {key: getattr(party, field) for key, field in CONTACT_KEYS.items()}
    data["email"] = party.email
    return data


def build_line(line) -> dict:
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
            for tax in line.other_taxes.all()
        ],
    }


def build_purchase_order(purchase_order) -> dict:
    """Return the network's ``purchaseOrder`` object for a purchase order.

    The caller prefetches parties, addresses, lines with their other taxes,
    other charges and milestones (``selectors.purchase_orders_with_contents``,
    or ``services.documents.add_contents``, which holds the rows it writes).
    """
    parties = {party.role: party for party in purchase_order.parties.all()}
    return {
        "objectId": purchase_order.object_id,
        "buyerPONumber": purchase_order.buyer_po_number,
        "ts": format_timestamp(purchase_order.ts),
        "orderDate": format_date(purchase_order.order_date),
        "deliveryDate": format_date(purchase_order.delivery_date),
        "subject": purchase_order.subject,
        "objectVersion": {
            "currentVersion": purchase_order.previous_version,
            "newVersion": purchase_order.version,
        },
        "poStatusTransition": {
            "currentStatus": purchase_order.previous_status
            or conventions.network_status(purchase_order.status),
            "newStatus": conventions.network_status(purchase_order.status),
        },
        "supplierDetails": build_party(parties["supplier"]),
        "buyerDetails": build_party(parties["buyer"]),
        "addressDetails": [
            {"addressType": address.purpose, "address": _address_out(address)}
            for address in purchase_order.addresses.all()
        ],
        "itemLists": [build_line(line) for line in purchase_order.lines.all()],
        "poValueDetails": {
            "totalPOValue": money(purchase_order.total_po_value),
            "otherValues": [
                {"type": charge.charge_type, "value": money(charge.amount)}
                for charge in purchase_order.other_charges.all()
            ],
        },
        **{
            key: _copy_list(getattr(purchase_order, field), keys)
            for key, (field, keys) in PO_LIST_KEYS.items()
        },
        "paymentMilestones": [
            {"milestoneDate": format_date(milestone.due_on), "dueAmount": money(milestone.due_amount)}
            for milestone in purchase_order.milestones.all()
        ],
        "shippingTermsDetails": {
            "terms": purchase_order.shipping_terms,
            "bearingParty": purchase_order.shipping_bearing_party,
            "charges": money(purchase_order.shipping_charges),
        },
    }


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
            "poStatusTransition": {"currentStatus": from_status, "newStatus": purchase_order.status},
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
            "poStatusTransition": {"currentStatus": from_status, "newStatus": purchase_order.status},
        },
        "additionalInfos": [],
    }


# -- parsing messages ----------------------------------------------------------


def parse_party(data: dict, *, role: str) -> dict:
    party = {field: data.get(key, "") for key, field in PARTY_KEYS.items()}
    party["role"] = role
    party["place_of_supply"] = data.get("placeOfSupply", "") if role == "buyer" else ""
    party.update(_address_in(data.get("address") or {}))
    contact = data.get("contactNumber") or {}
    party.update({field: contact.get(key, "") for key, field in CONTACT_KEYS.items()})
    party["email"] = data.get("email", "")
    return party


def parse_line(data: dict, *, position: int) -> dict:
    line = {field: data.get(key, "") for key, field in LINE_TEXT_KEYS.items()}
    line["position"] = position
    line["is_service"] = data.get("isService") == conventions.IS_SERVICE_YES
    for key, field in LINE_QUANTITY_KEYS.items():
        line[field] = quantity(data.get(key) or 0)
    for key, field in LINE_MONEY_KEYS.items():
        line[field] = money(data.get(key) or 0)
    line["gst_rate"] = _to_decimal(data.get("gstRate") or 0)
    for key, (field, keys, numeric_value) in LINE_LIST_KEYS.items():
        line[field] = _copy_list(data.get(key), keys, numeric_value=numeric_value)
    batch = data.get("batchDetails") or {}
    line["batch_number"] = batch.get("batchNumber", "")
    line["batch_expiry_on"] = parse_date(batch.get("expiryDate", ""))
    line["batch_warranty_on"] = parse_date(batch.get("batchWarrantyDate", ""))
    line["other_taxes"] = [
        {
            "position": index,
            "name": tax.get("name", ""),
            "rate": _to_decimal(tax.get("rate") or 0),
            "amount": money(tax.get("amount") or 0),
        }
        for index, tax in enumerate(data.get("otherTaxes") or [])
    ]
    return line


def parse_purchase_order(data: dict, additional_infos: list | None = None) -> dict:
    """Return model-field values for a network ``purchaseOrder`` object.

    The result has the keys ``fields`` (PurchaseOrder columns), ``parties``
    (buyer and supplier), ``addresses``, ``lines`` (each with
    ``other_taxes``), ``other_charges`` and ``milestones``. Dates and
    timestamps that do not follow the conventions raise ``ValueError``.
    """
    version = data.get("objectVersion") or {}
    transition = data.get("poStatusTransition") or {}
    value_details = data.get("poValueDetails") or {}
    shipping = data.get("shippingTermsDetails") or {}
    fields = {
        "object_id": data.get("objectId", ""),
        "buyer_po_number": data.get("buyerPONumber", ""),
        "ts": parse_timestamp(data.get("ts", "")),
        "order_date": parse_date(data.get("orderDate", "")),
        "delivery_date": parse_date(data.get("deliveryDate", "")),
        "subject": data.get("subject", ""),
        "previous_version": int(version.get("currentVersion", 0)),
        "version": int(version.get("newVersion", 0)),
        "previous_status": transition.get("currentStatus", ""),
        "status": transition.get("newStatus", ""),
        "total_po_value": money(value_details.get("totalPOValue") or 0),
        "shipping_terms": shipping.get("terms", ""),
        "shipping_bearing_party": shipping.get("bearingParty", ""),
        "shipping_charges": money(shipping.get("charges") or 0),
        "additional_infos": _copy_list(additional_infos, ("name", "value")),
    }
    for key, (field, keys) in PO_LIST_KEYS.items():
        fields[field] = _copy_list(data.get(key), keys)
    return {
        "fields": fields,
        "parties": {
            "buyer": parse_party(data.get("buyerDetails") or {}, role="buyer"),
            "supplier": parse_party(data.get("supplierDetails") or {}, role="supplier"),
        },
        "addresses": [
            {"position": index, "purpose": entry.get("addressType", ""), **_address_in(entry.get("address") or {})}
            for index, entry in enumerate(data.get("addressDetails") or [])
        ],
        "lines": [parse_line(line, position=index) for index, line in enumerate(data.get("itemLists") or [])],
        "other_charges": [
            {"position": index, "charge_type": entry.get("type", ""), "amount": money(entry.get("value") or 0)}
            for index, entry in enumerate(value_details.get("otherValues") or [])
        ],
        "milestones": [
            {
                "position": index,
                "due_on": parse_date(entry.get("milestoneDate", "")),
                "due_amount": money(entry.get("dueAmount") or 0),
            }
            for index, entry in enumerate(data.get("paymentMilestones") or [])
        ],
    }


def parse_version(data: dict) -> tuple[int, int]:
    version = data.get("objectVersion") or {}
    return int(version.get("currentVersion", 0)), int(version.get("newVersion", 0))


def parse_transition(data: dict) -> tuple[str, str]:
    transition = data.get("poStatusTransition") or {}
    return transition.get("currentStatus", ""), transition.get("newStatus", "")
