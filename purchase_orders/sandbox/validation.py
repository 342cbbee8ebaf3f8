"""Check a request body strictly against the spec's documented shape and the conventions.

The shapes are the spec's own example bodies (``enkash/examples/``, copied
unchanged from SPEC.md's examples): an object has exactly the keys its
example shows, an array's entries follow the example's first entry, and a
leaf is a JSON string where the example shows a string and a JSON number
where it shows a number. Every documented key is required except
``additionalInfos[].name`` and ``.value`` (SPEC §3.13). On top of the shape,
the conventions (DESIGN.md, "Where the network's documentation is silent")
are checked field by field, then the version and status rules of the kind.

The first violation found raises ``Invalid``, whose ``field`` is a dotted
path such as ``purchaseOrder.itemLists[0].hsnCode``.
"""

import datetime
import difflib
import functools
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from importlib import resources

from purchase_orders import enkash, lifecycle
from purchase_orders.enkash import conventions, kinds
from purchase_orders.validators import GST_STATE_CODES

# The documented example each kind's body must look like (SPEC §2: the
# confirm API's body is the confirm request webhook's, A2; an edit is a send,
# A3; the status-change API's is the request webhook's), and the object of
# each kind that carries its version and status transition, as the table of
# kinds names them.
SHAPE_FILES = {name: kinds.KINDS[name].request_example for name in kinds.REQUEST_KINDS}
BODY_OBJECTS = {name: kinds.object_key(name) for name in kinds.REQUEST_KINDS}
# Keys the spec marks optional; paths with "[]" for any array index.
OPTIONAL_FIELDS = frozenset({"additionalInfos[].name", "additionalInfos[].value"})

AMOUNT_PLACES = 2
QUANTITY_PLACES = 3


class Invalid(Exception):
    """A body that breaks the spec or a convention."""

    def __init__(
        self,
        field: str,
        detail: str,
        *,
        error_code: str = conventions.ERROR_INVALID_FIELD,
        response_code: int = conventions.RESPONSE_CODE_INVALID,
    ):
        super().__init__(f"{field}: {detail}" if field else detail)
        self.field = field
        self.detail = detail
        self.error_code = error_code
        self.response_code = response_code


@functools.cache
def load_shape(kind: str) -> dict:
    """Return the documented example body a request of this kind must follow."""
    try:
        name = SHAPE_FILES[kind]
    except KeyError:
        raise ValueError(f"unknown request kind {kind!r}") from None
    return json.loads(resources.files(enkash).joinpath("examples", name).read_text())


def validate_request(kind: str, body) -> None:
    """Raise ``Invalid`` unless ``body`` is a valid request of this kind."""
    shape = load_shape(kind)
    if not isinstance(body, dict):
        raise Invalid("", "The body must be a JSON object.")
    check_shape(body, shape, path="", pattern="")
    for path, pattern, value in iter_leaves(body, path="", pattern=""):
        rule = FIELD_RULES.get(pattern)
        problem = rule(value) if rule else None
        if problem:
            raise Invalid(path, f"{path} {problem}")
    object_name = BODY_OBJECTS[kind]
    check_versions(kind, body[object_name], path=object_name)
    check_transition(kind, body[object_name], path=object_name)


# -- shape ---------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_number(value) -> bool:
    """Return whether a parsed JSON value is a number (a boolean is not)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def check_shape(value, shape, *, path: str, pattern: str) -> None:
    """Raise ``Invalid`` where ``value`` does not have the documented shape."""
    label = path or "The body"
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise Invalid(path, f"{label} must be an object, not {_type_name(value)}.")
        missing = [
            key for key in shape if key not in value and _join(pattern, key) not in OPTIONAL_FIELDS
        ]
        for key in value:
            if key not in shape:
                guess = difflib.get_close_matches(key, missing or list(shape), n=1, cutoff=0.6)
                hint = f" Did you mean {guess[0]}?" if guess else ""
                raise Invalid(
                    _join(path, key), f"{_join(path, key)} is not a documented field.{hint}"
                )
        if missing:
            raise Invalid(_join(path, missing[0]), f"{_join(path, missing[0])} is required.")
        for key, sub_shape in shape.items():
            if key in value:
                check_shape(
                    value[key], sub_shape, path=_join(path, key), pattern=_join(pattern, key)
                )
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise Invalid(path, f"{label} must be an array, not {_type_name(value)}.")
        for index, item in enumerate(value):
            check_shape(item, shape[0], path=f"{path}[{index}]", pattern=f"{pattern}[]")
    elif isinstance(shape, str):
        if not isinstance(value, str):
            raise Invalid(path, f"{label} must be a string, not {_type_name(value)}.")
    elif is_number(shape):
        if not is_number(value):
            raise Invalid(path, f"{label} must be a number, not {_type_name(value)}.")
    else:
        raise ValueError(f"unsupported shape at {pattern}: {shape!r}")


def iter_leaves(value, *, path: str, pattern: str) -> Iterator[tuple[str, str, object]]:
    """Yield (path, pattern, value) for every string and number, in document order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from iter_leaves(item, path=_join(path, key), pattern=_join(pattern, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_leaves(item, path=f"{path}[{index}]", pattern=f"{pattern}[]")
    else:
        yield path, pattern, value


# -- field conventions ------------------------------------------------------------
# Each rule returns what is wrong, completing "<path> ...", or None.

Rule = Callable[[object], str | None]
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def decimal_places(value) -> int:
    """Return the decimal places of a number as written, trailing zeros aside."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return 99
    _, digits, exponent = number.as_tuple()
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return max(0, -exponent)


def non_empty(value) -> str | None:
    return None if value.strip() else "must not be empty."


def b2b_id(value) -> str | None:
    if re.match(conventions.B2B_ID_PATTERN, value):
        return None
    return "must be 1 to 100 characters without a backslash or a double quote."


def device_tag_name(value) -> str | None:
    if value == conventions.DEVICE_TAG_NAME:
        return None
    return f"must be {conventions.DEVICE_TAG_NAME}."


def date_or_empty(value) -> str | None:
    if value == "":
        return None
    if DATE_PATTERN.match(value):
        try:
            datetime.date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return f"must be a date written YYYY-MM-DD (or empty), not {value!r}."


def timestamp(value) -> str | None:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.tzinfo is not None and "T" in value:
        return None
    return f"must be an ISO-8601 timestamp with an offset, not {value!r}."


def state_code(value) -> str | None:
    if value in GST_STATE_CODES:
        return None
    return f"must be a two-digit GST state code such as \"29\", not {value!r}."


def one_of(choices: tuple[str, ...]) -> Rule:
    def rule(value) -> str | None:
        if value in choices:
            return None
        return f"must be one of {', '.join(choices)}, not {value!r}."

    return rule


def version_number(value) -> str | None:
    if isinstance(value, int) and value >= 0:
        return None
    return f"must be a whole number, 0 or more, not {value}."


def places(limit: int) -> Rule:
    def rule(value) -> str | None:
        if decimal_places(value) <= limit:
            return None
        return f"must have at most {limit} decimal places, not {value}."

    return rule


def _item(key: str) -> str:
    return f"purchaseOrder.itemLists[].{key}"


def _object_rules() -> dict[str, Rule]:
    """Return the rules shared by the three business objects."""
    rules: dict[str, Rule] = {}
    for name in set(BODY_OBJECTS.values()):
        rules[f"{name}.objectId"] = non_empty
        rules[f"{name}.buyerPONumber"] = non_empty
        rules[f"{name}.objectVersion.currentVersion"] = version_number
        rules[f"{name}.objectVersion.newVersion"] = version_number
        rules[f"{name}.poStatusTransition.currentStatus"] = one_of(conventions.NETWORK_STATUSES)
        rules[f"{name}.poStatusTransition.newStatus"] = one_of(conventions.NETWORK_STATUSES)
    return rules


FIELD_RULES: dict[str, Rule] = {
    **_object_rules(),
    "device.tag.name": device_tag_name,
    "b2bIds.buyerB2BId": b2b_id,
    "b2bIds.supplierB2BId": b2b_id,
    "purchaseOrder.ts": timestamp,
    "purchaseOrder.orderDate": date_or_empty,
    "purchaseOrder.deliveryDate": date_or_empty,
    "purchaseOrder.supplierDetails.stateCode": state_code,
    "purchaseOrder.buyerDetails.stateCode": state_code,
    "purchaseOrder.buyerDetails.placeOfSupply": state_code,
    _item("isService"): one_of((conventions.IS_SERVICE_YES, conventions.IS_SERVICE_NO)),
    _item("batchDetails.expiryDate"): date_or_empty,
    _item("batchDetails.batchWarrantyDate"): date_or_empty,
    "purchaseOrder.paymentMilestones[].milestoneDate": date_or_empty,
    "purchaseOrder.contractReferenceDetails[].receiptAdviceDate": date_or_empty,
    "poConfirmation.supplierResponse": one_of(conventions.SUPPLIER_RESPONSES),
    "poStatus.buyerAction": one_of(conventions.BUYER_ACTIONS),
    **{_item(key): places(QUANTITY_PLACES) for key in ("quantity", "freeQuantity")},
    **{
        path: places(AMOUNT_PLACES)
        for path in (
            _item("unitPrice"),
            _item("totalAmt"),
            _item("assessmentAmount"),
            _item("totalItemValue"),
            _item("itemValueDetails[].value"),
            _item("otherTaxes[].amount"),
            "purchaseOrder.poValueDetails.totalPOValue",
            "purchaseOrder.poValueDetails.otherValues[].value",
            "purchaseOrder.paymentMilestones[].dueAmount",
            "purchaseOrder.shippingTermsDetails.charges",
        )
    },
}


# -- versions and transitions ----------------------------------------------------


def check_versions(kind: str, data: dict, *, path: str) -> None:
    """Apply the version rule: send 0 -> 1, edit n -> n+1, confirm and status change n -> n."""
    current = data["objectVersion"]["currentVersion"]
    new = data["objectVersion"]["newVersion"]
    current_path = f"{path}.objectVersion.currentVersion"
    new_path = f"{path}.objectVersion.newVersion"
    if kind == "req-send":
        if current != 0:
            raise Invalid(current_path, f"A send starts from version 0, not {current}.")
        expected = 1
    else:
        if current < 1:
            raise Invalid(
                current_path, f"{kind} needs a purchase order already sent (version 1 or more)."
            )
        expected = current + 1 if kind == "req-edit" else current
    if new != expected:
        raise Invalid(new_path, f"{kind} from version {current} goes to {expected}, not {new}.")


def _action(kind: str, data: dict) -> str:
    if kind == "req-confirm":
        return data["supplierResponse"]
    if kind == "req-status-change":
        return data["buyerAction"]
    return lifecycle.SEND if kind == "req-send" else lifecycle.EDIT


def check_transition(kind: str, data: dict, *, path: str) -> None:
    """Check the status transition against the one table of allowed moves."""
    action = _action(kind, data)
    current = data["poStatusTransition"]["currentStatus"]
    new = data["poStatusTransition"]["newStatus"]
    transition = lifecycle.TRANSITIONS_BY_ACTION[action]
    # A draft is CREATED on the network, so a send goes CREATED -> CREATED.
    from_statuses = {conventions.network_status(status) for status in transition.from_statuses}
    if current not in from_statuses:
        raise Invalid(
            f"{path}.poStatusTransition.currentStatus",
            f"{action} is not allowed from {current}.",
            error_code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
            response_code=conventions.RESPONSE_CODE_REFUSED,
        )
    if new != transition.to_status:
        raise Invalid(
            f"{path}.poStatusTransition.newStatus",
            f"{action} from {current} leads to {transition.to_status}, not {new}.",
            error_code=conventions.ERROR_TRANSITION_NOT_ALLOWED,
            response_code=conventions.RESPONSE_CODE_REFUSED,
        )
