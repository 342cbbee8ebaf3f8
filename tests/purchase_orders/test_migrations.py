"""Migrations applied to a database that holds data, and reversed where they can be."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

APP = "purchase_orders"
BEFORE_COLUMNS = (APP, "0003_help_text_in_plain_words")
COLUMNS = (APP, "0004_status_change_refusal_columns")

REFUSAL = (
    "The network refused the send: Supplier is not registered (field "
    "b2bIds.supplierB2BId; code INVALID_FIELD). The purchase order is back to “Draft”, version 0."
)
CODE_ONLY = "The network refused the edit: Try again later (code TIMEOUT)."


def migrate_to(target: tuple[str, str]):
    """Migrate the app to ``target``; return the historical models as of it."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.fixture
def latest_schema_afterwards():
    """Leave the database at the latest migration, whatever the test did."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes(APP))


def write_refusals(apps) -> dict[str, int]:
    """Write an order and its status changes with the models of 0003; return their ids."""
    Business = apps.get_model(APP, "Business")
    PurchaseOrder = apps.get_model(APP, "PurchaseOrder")
    StatusChange = apps.get_model(APP, "StatusChange")
    buyer = Business.objects.create(
        b2b_id="B2B00000001", gstin="29AAAAA0001P1Z5", legal_name="Buyer", state_code="29"
    )
    supplier = Business.objects.create(
        b2b_id="B2B00000002", gstin="27AAAAB0002P1Z5", legal_name="Supplier", state_code="27"
    )
    order = PurchaseOrder.objects.create(
        object_id="PO" + "A" * 32,
        buyer_po_number="PO/2026-27/00001",
        buyer=buyer,
        supplier=supplier,
        order_date=datetime.date(2026, 11, 23),
        status="DRAFT",
    )

    def change(action: str, remarks: str) -> int:
        return StatusChange.objects.create(
            purchase_order=order, to_status="DRAFT", version=0, action=action, remarks=remarks
        ).pk

    return {
        "refusal": change("REFUSED", REFUSAL),
        "code_only": change("REFUSED", CODE_ONLY),
        "plain": change("REFUSED", "The network refused the send."),
        "send": change("SEND", "Sent (code words in parentheses)."),
        "order": order.pk,
    }


def test_refusal_codes_become_columns_and_are_joined_back_when_reversed(
    latest_schema_afterwards,
):
    ids = write_refusals(migrate_to(BEFORE_COLUMNS))

    apps = migrate_to(COLUMNS)
    StatusChange = apps.get_model(APP, "StatusChange")
    rows = {
        name: StatusChange.objects.values("error_field", "error_code", "remarks").get(pk=pk)
        for name, pk in ids.items()
        if name != "order"
    }
    assert rows == {
        "refusal": {
            "error_field": "b2bIds.supplierB2BId",
            "error_code": "INVALID_FIELD",
            "remarks": "The network refused the send: Supplier is not registered.\n"
            "The purchase order is back to “Draft”, version 0.",
        },
        "code_only": {
            "error_field": "",
            "error_code": "TIMEOUT",
            "remarks": "The network refused the edit: Try again later.",
        },
        "plain": {"error_field": "", "error_code": "", "remarks": "The network refused the send."},
        "send": {
            "error_field": "",
            "error_code": "",
            "remarks": "Sent (code words in parentheses).",
        },
    }
    assert apps.get_model(APP, "PurchaseOrder").objects.get(pk=ids["order"]).buyer_po_number == (
        "PO/2026-27/00001"
    )

    StatusChange = migrate_to(BEFORE_COLUMNS).get_model(APP, "StatusChange")
    assert dict(StatusChange.objects.values_list("pk", "remarks")) == {
        ids["refusal"]: REFUSAL,
        ids["code_only"]: CODE_ONLY,
        ids["plain"]: "The network refused the send.",
        ids["send"]: "Sent (code words in parentheses).",
    }


def test_every_migration_applies_forward_and_back_on_a_database_holding_data(
    latest_schema_afterwards,
):
    """From 0003 to the latest and back, the order survives each way."""
    ids = write_refusals(migrate_to(BEFORE_COLUMNS))
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes(APP)[0]

    for target in (latest, BEFORE_COLUMNS):
        PurchaseOrder = migrate_to(target).get_model(APP, "PurchaseOrder")
        assert PurchaseOrder.objects.get(pk=ids["order"]).order_date == datetime.date(2026, 11, 23)
