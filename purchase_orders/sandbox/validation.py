"""Check a request body strictly against the spec's documented shape and the conventions.

The shapes are the spec's own example bodies (``enkash/examples/``, copied
unchanged from SPEC.md's examples): an object has exactly the keys its
example shows, an array's entries follow the example's first entry, and a
leaf is a JSON string where the example shows a string and a JSON number
where it shows a number. Every documented key is required except
``additionalInfos[].name`` and ``.value`` (SPEC §3.13). On top of the shape,
the conventions (DESIGN.md, "Where the network's documentation is silent")
are checked field by field; then what ties fields together (the parties'
B2B IDs and GSTINs, the lines, the dates); then the amounts
(``totals.py``); then the version and status move of the kind
(``transitions.py``).

Which texts may be empty. The spec marks every field required yet says
nothing of empty values (SPEC §8, question 8), and DESIGN.md asks to be
strict about what identifies and changes a purchase order and tolerant of
the rest. So these must hold text: ``objectId`` (``PO`` + 32 upper-case
letters and digits), ``buyerPONumber``, both B2B IDs (in ``b2bIds`` and in
each party, and the same in both), each party's ``gstin`` and
``legalName`` and ``stateCode``, the buyer's ``placeOfSupply``, ``ts``,
``orderDate``, every line's ``productDescription``, ``hsnCode`` and
``isService``, the ``type`` of an ``itemValueDetails`` or ``otherValues``
entry and the ``name`` of an ``otherTaxes`` entry (the amounts depend on
them), ``device.tag.name``, ``supplierResponse`` and ``buyerAction``. A
purchase order has at least one line. Everything else may be empty:
``subject``, ``tradeName``, addresses (a non-empty ``pincode`` is six
digits), contacts and e-mail, ``deliveryDate``, a milestone's
``milestoneDate`` (it may fall due on an event, such as delivery, rather
than on a day), batch and receipt-advice dates, ``serialno``,
``barCode``, ``unit`` and the line's other references, remarks, the
free-form lists (``poInfos``, ``attributeDetails``, ``rates``,
``contractReferenceDetails``, ``additionalDocumentDetails``,
``additionalInfos``) and the shipping terms' texts.

Dates are ``YYYY-MM-DD`` between 2000-01-01 and 2199-12-31 (the years of
``conventions.EARLIEST_YEAR`` to ``LATEST_YEAR``), and a delivery date is
not before the order date; ``ts`` is ISO-8601 with an offset in the same
years. Amounts have at most 2 decimal places, quantities 3 and rates
(per cent, 0 to 100) 3, all below 10^16; none is negative but
``otherValues[].value`` (a round-off may lower the total), a quantity is
more than 0 and so is a milestone's ``dueAmount``.

The sandbox's tables (state codes, moves) and its arithmetic are its own;
it reads the conventions' constants and nothing of the portal's
validators, builders or totals, so a misreading on either side fails a test.

The first violation found raises ``Invalid``, whose ``field`` is a dotted
path such as ``purchaseOrder.itemLists[0].hsnCode``.
"""

import difflib
import functools
import json
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources

from purchase_orders import enkash
from purchase_orders.enkash import kinds

from . import totals, transitions
from .invalid import Invalid
from .rules import FIELD_RULES, parse_date

__all__ = ["BODY_OBJECTS", "OPTIONAL_FIELDS", "Invalid", "load_shape", "validate_request"]

# The documented example each kind's body must look like (SPEC §2: the
# confirm API's body is the confirm request webhook's, A2; an edit is a send,
# A3; the status-change API's is the request webhook's), and the object of
# each kind that carries its version and status transition, as the table of
# kinds names them.
SHAPE_FILES = {name: kinds.KINDS[name].request_example for name in kinds.REQUEST_KINDS}
BODY_OBJECTS = {name: kinds.object_key(name) for name in kinds.REQUEST_KINDS}
# Keys the spec marks optional; paths with "[]" for any array index.
OPTIONAL_FIELDS = frozenset({"additionalInfos[].name", "additionalInfos[].value"})


@functools.cache
def documented(name: str) -> dict:
    """Return one of the network's documented example bodies (``enkash/examples``)."""
    return json.loads(resources.files(enkash).joinpath("examples", name).read_text())


def load_shape(kind: str) -> dict:
    """Return the documented example body a request of this kind must follow."""
    try:
        name = SHAPE_FILES[kind]
    except KeyError:
        raise ValueError(f"unknown request kind {kind!r}") from None
    return documented(name)


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
    if object_name == kinds.PURCHASE_ORDER:
        order = body[object_name]
        check_parties(body["b2bIds"], order, path=object_name)
        check_contents(order, path=object_name)
        totals.check_purchase_order(order, path=object_name)
    transitions.check_versions(kind, body[object_name], path=object_name)
    transitions.check_transition(kind, body[object_name], path=object_name)


# -- what ties fields together -----------------------------------------------------

PARTIES = (("supplierDetails", "supplierB2BId"), ("buyerDetails", "buyerB2BId"))


def check_parties(b2b_ids: dict, order: dict, *, path: str) -> None:
    """Refuse parties whose B2B ID is not the body's, or whose GSTIN is of another state."""
    for key, b2b_key in PARTIES:
        party = order[key]
        party_path = f"{path}.{key}"
        if party["b2bId"] != b2b_ids[b2b_key]:
            raise Invalid(
                f"{party_path}.b2bId",
                f"{party_path}.b2bId is {party['b2bId']!r}, but b2bIds.{b2b_key} is "
                f"{b2b_ids[b2b_key]!r}.",
            )
        # The first two digits of a GSTIN are the state it is registered in.
        if party["gstin"][:2] != party["stateCode"]:
            raise Invalid(
                f"{party_path}.gstin",
                f"{party_path}.gstin is registered in state {party['gstin'][:2]}, but "
                f"{party_path}.stateCode is {party['stateCode']}.",
            )


def check_contents(order: dict, *, path: str) -> None:
    """Refuse a purchase order without lines, or delivered before it is ordered."""
    if not order["itemLists"]:
        raise Invalid(f"{path}.itemLists", f"{path}.itemLists must have at least one line.")
    delivery = order["deliveryDate"]
    if delivery and parse_date(delivery) < parse_date(order["orderDate"]):
        raise Invalid(
            f"{path}.deliveryDate",
            f"{path}.deliveryDate {delivery} is before the orderDate {order['orderDate']}.",
        )


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
