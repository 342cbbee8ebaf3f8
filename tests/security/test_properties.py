"""Properties over generated data: the network mapping is lossless, the totals add up.

Each property runs a bounded, derandomized number of examples so that CI
stays fast and a failure is reproducible.
"""

import copy
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from purchase_orders.enkash import encoding, payloads
from purchase_orders.totals import LineInput, compute_line, compute_totals
from tests.conftest import load_example
from tests.purchase_orders.enkash.test_payloads import conform, save_message

D = Decimal
PAISA = D("0.01")
BOUNDED = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text a counterparty may write, bar NUL (refused at the door) and lone
# surrogates (not encodable as UTF-8, so never in a JSON body).
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
MONEY = st.decimals(min_value=D("-9999999.99"), max_value=D("9999999999.99"), places=2)
POSITIVE_MONEY = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2)
QUANTITY = st.decimals(min_value=D("0"), max_value=D("9999999.999"), places=3)
RATE = st.decimals(min_value=D("0"), max_value=D("100"), places=3)
DATE = st.dates().map(payloads.format_date)


@st.composite
def lines(draw, template: dict) -> dict:
    line = copy.deepcopy(template)
    line.update(
        productDescription=draw(TEXT.filter(bool)),
        barCode=draw(TEXT),
        unit=draw(st.text(max_size=20).filter(lambda text: "\x00" not in text)),
        isService=draw(st.sampled_from(["Y", "N"])),
        quantity=draw(QUANTITY),
        freeQuantity=draw(QUANTITY),
        unitPrice=draw(POSITIVE_MONEY),
        totalAmt=draw(MONEY),
        assessmentAmount=draw(MONEY),
        gstRate=draw(RATE),
        totalItemValue=draw(MONEY),
    )
    line["itemValueDetails"] = draw(
        st.lists(st.fixed_dictionaries({"type": TEXT, "value": MONEY}), max_size=2)
    )
    line["otherTaxes"] = draw(
        st.lists(
            st.fixed_dictionaries(
                {"name": TEXT.filter(bool), "rate": RATE, "amount": MONEY}
            ),
            max_size=2,
        )
    )
    line["attributeDetails"] = draw(
        st.lists(st.fixed_dictionaries({"name": TEXT, "value": TEXT}), max_size=2)
    )
    line["batchDetails"]["expiryDate"] = draw(DATE)
    return line


@st.composite
def purchase_orders(draw) -> tuple[dict, list]:
    message = conform(load_example("api-req-send.json"))
    order = message["purchaseOrder"]
    template = order["itemLists"][0]
    order["subject"] = draw(TEXT)
    order["orderDate"] = draw(DATE)
    order["deliveryDate"] = draw(DATE)
    order["itemLists"] = [
        dict(draw(lines(template)), serialno=str(index + 1))
        for index in range(draw(st.integers(min_value=1, max_value=4)))
    ]
    order["poValueDetails"] = {
        "totalPOValue": draw(MONEY),
        "otherValues": draw(
            st.lists(st.fixed_dictionaries({"type": TEXT.filter(bool), "value": MONEY}), max_size=2)
        ),
    }
    order["paymentMilestones"] = draw(
        st.lists(st.fixed_dictionaries({"milestoneDate": DATE, "dueAmount": MONEY}), max_size=3)
    )
    order["shippingTermsDetails"]["charges"] = draw(MONEY)
    version = draw(st.integers(min_value=0, max_value=2**31 - 2))
    order["objectVersion"] = {"currentVersion": version, "newVersion": version + 1}
    infos = draw(st.lists(st.fixed_dictionaries({"name": TEXT, "value": TEXT}), max_size=2))
    return order, infos


@pytest.mark.django_db
@settings(BOUNDED, max_examples=15)
@given(generated=purchase_orders())
def test_a_generated_purchase_order_survives_message_to_database_to_message(generated):
    order, infos = generated
    # Through the wire encoding first, as a webhook body would arrive.
    order = encoding.loads(encoding.dumps(order))

    with transaction.atomic():
        purchase_order = save_message(order, infos)
        rebuilt = payloads.build_purchase_order(purchase_order)
        stored_infos = purchase_order.additional_infos
        transaction.set_rollback(True)

    assert rebuilt == order
    assert stored_infos == infos
    assert not any(isinstance(value, float) for value in leaves(rebuilt))


def leaves(value):
    """Yield every scalar of a JSON-like value."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


LINE = st.builds(
    LineInput,
    quantity=st.decimals(min_value=D("0"), max_value=D("1000000"), places=3),
    unit_price=st.decimals(min_value=D("0"), max_value=D("10000000"), places=2),
    gst_rate=st.sampled_from([D(0), D("0.25"), D(3), D(5), D(12), D(18), D(28)]),
    discount=st.decimals(min_value=D("0"), max_value=D("1000"), places=2),
    other_tax_rates=st.lists(st.decimals(min_value=D(0), max_value=D(30), places=3), max_size=2),
)


def amounts(line_totals) -> list[Decimal]:
    return [
        line_totals.total_amount,
        line_totals.assessment_amount,
        line_totals.gst_amount,
        line_totals.cgst_amount,
        line_totals.sgst_amount,
        line_totals.igst_amount,
        *line_totals.other_tax_amounts,
        line_totals.total_item_value,
    ]


@BOUNDED
@given(line=LINE)
def test_cgst_and_sgst_make_the_igst_to_a_paisa_and_every_amount_is_decimal_paise(line):
    intra = compute_line(line, intra_state=True)
    inter = compute_line(line, intra_state=False)

    assert intra.cgst_amount == intra.sgst_amount
    assert abs(intra.cgst_amount + intra.sgst_amount - inter.igst_amount) <= PAISA
    for value in amounts(intra) + amounts(inter):
        assert type(value) is Decimal
        assert value == value.quantize(PAISA)
    assert intra.total_item_value == (
        intra.assessment_amount + intra.gst_amount + sum(intra.other_tax_amounts, D(0))
    )


@BOUNDED
@given(
    first=st.lists(LINE, max_size=4),
    second=st.lists(LINE, max_size=4),
    charges=st.lists(st.decimals(min_value=D("-100"), max_value=D("100000"), places=2), max_size=3),
    intra=st.booleans(),
)
def test_totals_are_additive_over_lines_and_charges(first, second, charges, intra):
    whole = compute_totals(lines=first + second, other_charges=charges, intra_state=intra)
    head = compute_totals(lines=first, intra_state=intra)
    tail = compute_totals(lines=second, intra_state=intra)

    assert whole.total_po_value == head.total_po_value + tail.total_po_value + sum(charges, D(0))
    assert whole.taxable_value == head.taxable_value + tail.taxable_value
    assert whole.gst_amount == head.gst_amount + tail.gst_amount
    assert sum(whole.gst_by_rate.values(), D(0)) == whole.gst_amount
    assert whole.total_po_value == (
        whole.taxable_value
        + whole.gst_amount
        + whole.other_taxes_amount
        + whole.other_charges_amount
    )
    assert type(whole.total_po_value) is Decimal
