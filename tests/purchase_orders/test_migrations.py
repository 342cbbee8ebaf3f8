"""Migrations applied to a database that holds data, and reversed where they can be."""

import datetime
import json

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


BEFORE_PENDING = COLUMNS
PENDING = (APP, "0005_acknowledged_status_and_pending_actions")


def write_moves_in_flight(apps) -> dict[str, int]:
    """Write, with the models of 0004, orders moved at once by actions not yet answered.

    Return the ids of the orders, their messages and their audit rows.
    """
    Business = apps.get_model(APP, "Business")
    PurchaseOrder = apps.get_model(APP, "PurchaseOrder")
    StatusChange = apps.get_model(APP, "StatusChange")
    OutboundMessage = apps.get_model(APP, "OutboundMessage")
    buyer = Business.objects.create(
        b2b_id="B2B00000001", gstin="29AAAAA0001P1Z5", legal_name="Buyer", state_code="29"
    )
    supplier = Business.objects.create(
        b2b_id="B2B00000002", gstin="27AAAAB0002P1Z5", legal_name="Supplier", state_code="27"
    )
    sent_at = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
    ids = {}

    def order(name: str, status: str, previous_status: str, version: int, previous_version: int):
        ids[name] = PurchaseOrder.objects.create(
            object_id="PO" + "BCDEF"[len(ids) % 5] * 16 + str(len(ids)).rjust(16, "0"),
            buyer_po_number=f"PO/2026-27/{name}",
            buyer=buyer,
            supplier=supplier,
            status=status,
            previous_status=previous_status,
            version=version,
            previous_version=previous_version,
            sent_at=sent_at,
        ).pk
        return ids[name]

    def message(name: str, order_id: int, kind: str, state: str, marks: tuple) -> None:
        from_status, to_status, from_version, to_version = marks
        key = {"req-send": "purchaseOrder", "req-confirm": "poConfirmation"}.get(kind, "poStatus")
        body = {
            key: {
                "poStatusTransition": {"currentStatus": from_status, "newStatus": to_status},
                "objectVersion": {"currentVersion": from_version, "newVersion": to_version},
            }
        }
        ids[name] = OutboundMessage.objects.create(
            purchase_order_id=order_id,
            kind=kind,
            req_msg_id=name.ljust(32, "0"),
            object_id=PurchaseOrder.objects.get(pk=order_id).object_id,
            object_version=to_version,
            body=json.dumps(body),
            state=state,
        ).pk

    def change(name: str, order_id: int, from_status, to_status, version, action) -> None:
        ids[name] = StatusChange.objects.create(
            purchase_order_id=order_id,
            from_status=from_status,
            to_status=to_status,
            version=version,
            action=action,
            actor_business=buyer if action in ("SEND", "CANCEL") else supplier,
        ).pk

    # Accepted at once; the network has not answered the confirmation yet.
    confirmed = order("confirmed", "ACCEPTED", "CREATED", 1, 1)
    message("confirmed_send", confirmed, "req-send", "acknowledged", ("CREATED", "CREATED", 0, 1))
    message("confirm", confirmed, "req-confirm", "sent", ("CREATED", "ACCEPTED", 1, 1))
    change("confirmed_sent", confirmed, "DRAFT", "CREATED", 1, "SEND")
    change("accept", confirmed, "CREATED", "ACCEPTED", 1, "ACCEPT")
    # Cancelled at once after its acceptance; the cancellation is still being retried.
    cancelled = order("cancelled", "CANCELLED", "ACCEPTED", 1, 1)
    message("cancelled_send", cancelled, "req-send", "acknowledged", ("CREATED", "CREATED", 0, 1))
    message(
        "cancelled_accept", cancelled, "req-confirm", "acknowledged", ("CREATED", "ACCEPTED", 1, 1)
    )
    message(
        "cancellation", cancelled, "req-status-change", "retrying", ("ACCEPTED", "CANCELLED", 1, 1)
    )
    change("cancelled_sent", cancelled, "DRAFT", "CREATED", 1, "SEND")
    change("cancelled_accepted", cancelled, "CREATED", "ACCEPTED", 1, "ACCEPT")
    change("cancel", cancelled, "ACCEPTED", "CANCELLED", 1, "CANCEL")
    # Sent at once; the send is still queued.
    sent = order("sent", "CREATED", "CREATED", 1, 0)
    message("send", sent, "req-send", "queued", ("CREATED", "CREATED", 0, 1))
    change("sent_send", sent, "DRAFT", "CREATED", 1, "SEND")
    # Sent and answered: nothing is in flight.
    answered = order("answered", "CREATED", "CREATED", 1, 0)
    message("answered_message", answered, "req-send", "acknowledged", ("CREATED", "CREATED", 0, 1))
    change("answered_send", answered, "DRAFT", "CREATED", 1, "SEND")
    # A refusal recorded when a refusal undid the move.
    refused = order("refused", "DRAFT", "", 0, 0)
    message("refused_send", refused, "req-send", "rejected", ("CREATED", "CREATED", 0, 1))
    change("refused_sent", refused, "DRAFT", "CREATED", 1, "SEND")
    change("refusal", refused, "CREATED", "DRAFT", 0, "REFUSED")
    return ids


# The audit rows write_moves_in_flight writes, in order.
CHANGES = (
    "confirmed_sent",
    "accept",
    "cancelled_sent",
    "cancelled_accepted",
    "cancel",
    "sent_send",
    "answered_send",
    "refused_sent",
    "refusal",
)


def order_marks(PurchaseOrder, pk: int) -> tuple:
    return PurchaseOrder.objects.values_list(
        "status", "previous_status", "version", "previous_version"
    ).get(pk=pk)


def test_actions_in_flight_become_pending_and_are_applied_again_when_reversed(
    latest_schema_afterwards,
):
    ids = write_moves_in_flight(migrate_to(BEFORE_PENDING))

    apps = migrate_to(PENDING)
    PurchaseOrder = apps.get_model(APP, "PurchaseOrder")
    StatusChange = apps.get_model(APP, "StatusChange")

    def pending(name: str) -> tuple:
        return PurchaseOrder.objects.values_list(
            "pending_action", "pending_message", "pending_since"
        ).get(pk=ids[name])

    def row(name: str) -> tuple:
        return StatusChange.objects.values_list("stage", "message").get(pk=ids[name])

    OutboundMessage = apps.get_model(APP, "OutboundMessage")
    created_at = dict(OutboundMessage.objects.values_list("pk", "created_at"))
    # The confirmation and the cancellation: back where they were, their action pending.
    assert order_marks(PurchaseOrder, ids["confirmed"]) == ("CREATED", "CREATED", 1, 0)
    assert pending("confirmed") == ("ACCEPT", ids["confirm"], created_at[ids["confirm"]])
    assert row("accept") == ("attempted", ids["confirm"])
    assert row("confirmed_sent") == ("applied", None)
    assert order_marks(PurchaseOrder, ids["cancelled"]) == ("ACCEPTED", "CREATED", 1, 1)
    assert pending("cancelled") == (
        "CANCEL",
        ids["cancellation"],
        created_at[ids["cancellation"]],
    )
    assert row("cancel") == ("attempted", ids["cancellation"])
    assert row("cancelled_accepted") == ("applied", None)
    # The send: a draft again, its send pending.
    assert order_marks(PurchaseOrder, ids["sent"]) == ("DRAFT", "", 0, 0)
    assert PurchaseOrder.objects.get(pk=ids["sent"]).sent_at is None
    assert pending("sent") == ("SEND", ids["send"], created_at[ids["send"]])
    assert row("sent_send") == ("attempted", ids["send"])
    # Answered: left as it was.
    assert order_marks(PurchaseOrder, ids["answered"]) == ("CREATED", "CREATED", 1, 0)
    assert pending("answered") == ("", None, None)
    assert row("answered_send") == ("applied", None)
    # A refusal recorded before stages: its stage says so.
    assert StatusChange.objects.values_list("action", "stage").get(pk=ids["refusal"]) == (
        "REFUSED",
        "refused",
    )
    assert order_marks(PurchaseOrder, ids["refused"]) == ("DRAFT", "", 0, 0)
    assert pending("refused") == ("", None, None)

    apps = migrate_to(BEFORE_PENDING)
    PurchaseOrder = apps.get_model(APP, "PurchaseOrder")
    StatusChange = apps.get_model(APP, "StatusChange")
    assert order_marks(PurchaseOrder, ids["confirmed"]) == ("ACCEPTED", "CREATED", 1, 1)
    assert order_marks(PurchaseOrder, ids["cancelled"]) == ("CANCELLED", "ACCEPTED", 1, 1)
    assert order_marks(PurchaseOrder, ids["sent"]) == ("CREATED", "CREATED", 1, 0)
    assert order_marks(PurchaseOrder, ids["answered"]) == ("CREATED", "CREATED", 1, 0)
    assert order_marks(PurchaseOrder, ids["refused"]) == ("DRAFT", "", 0, 0)
    kept = set(StatusChange.objects.values_list("pk", flat=True))
    assert [name for name in CHANGES if ids[name] in kept] == [
        "confirmed_sent",
        "accept",
        "cancelled_sent",
        "cancelled_accepted",
        "cancel",
        "sent_send",
        "answered_send",
        "refused_sent",
        "refusal",
    ]
    assert StatusChange.objects.get(pk=ids["refusal"]).action == "REFUSED"


BEFORE_NAMES = (APP, "0008_flagged_deliveries")
NAMES = (APP, "0009_actor_names")


def test_existing_history_gets_the_names_of_the_people_it_links(latest_schema_afterwards):
    apps = migrate_to(BEFORE_NAMES)
    User = apps.get_model("auth", "User")
    StatusChange = apps.get_model(APP, "StatusChange")
    PurchaseOrderVersion = apps.get_model(APP, "PurchaseOrderVersion")
    order = apps.get_model(APP, "PurchaseOrder").objects.get(pk=write_refusals(apps)["order"])
    asha = User.objects.create(username="asha", first_name="Asha", last_name="Rao")
    plain = User.objects.create(username="sunil")
    by_asha = StatusChange.objects.create(
        purchase_order=order, to_status="CREATED", version=1, action="SEND", actor=asha
    )
    by_sunil = PurchaseOrderVersion.objects.create(
        purchase_order=order, version=1, snapshot={}, created_by=plain
    )

    apps = migrate_to(NAMES)

    StatusChange = apps.get_model(APP, "StatusChange")
    PurchaseOrderVersion = apps.get_model(APP, "PurchaseOrderVersion")
    assert StatusChange.objects.values_list("actor_name", "actor_username").get(pk=by_asha.pk) == (
        "Asha Rao",
        "asha",
    )
    # Rows written by nobody (the network, a refusal) stay nameless.
    assert set(
        StatusChange.objects.exclude(pk=by_asha.pk).values_list("actor_name", "actor_username")
    ) == {("", "")}
    assert PurchaseOrderVersion.objects.values_list("created_by_name", "created_by_username").get(
        pk=by_sunil.pk
    ) == ("sunil", "sunil")


BEFORE_LINKS = (APP, "0014_live_notifications_of_supplier_searches")
LINKS = (APP, "0015_supplier_links_from_orders")


def test_every_supplier_ordered_from_joins_its_buyers_directory(latest_schema_afterwards):
    """So the new-order form, which offers the directory only, still offers them."""
    apps = migrate_to(BEFORE_LINKS)
    Business = apps.get_model(APP, "Business")
    PurchaseOrder = apps.get_model(APP, "PurchaseOrder")
    SupplierLink = apps.get_model(APP, "SupplierLink")
    buyer, paper, toner, other_buyer = (
        Business.objects.create(
            b2b_id=f"B2B0000000{number}",
            gstin=f"29AAAAA000{number}P1Z5",
            legal_name=name,
            state_code="29",
        )
        for number, name in enumerate(("Buyer", "Paper", "Toner", "Other buyer"), start=1)
    )
    for number, (from_, to) in enumerate(
        [(buyer, paper), (buyer, paper), (buyer, toner), (other_buyer, paper)], start=1
    ):
        PurchaseOrder.objects.create(
            object_id="PO" + str(number) * 32,
            buyer_po_number=f"PO/2026-27/0000{number}",
            buyer=from_,
            supplier=to,
            order_date=datetime.date(2026, 11, 23),
            status="DRAFT",
        )
    SupplierLink.objects.create(buyer=buyer, supplier=toner)

    SupplierLink = migrate_to(LINKS).get_model(APP, "SupplierLink")

    links = SupplierLink.objects.values_list("buyer__legal_name", "supplier__legal_name")
    assert sorted(links) == [
        ("Buyer", "Paper"),
        ("Buyer", "Toner"),
        ("Other buyer", "Paper"),
    ]
    assert all(link.created_at for link in SupplierLink.objects.all())


SEARCH = (APP, "0016_purchase_order_search")


def test_existing_orders_are_found_by_their_words_once_the_search_column_is_added(
    latest_schema_afterwards,
):
    apps = migrate_to(LINKS)
    Business = apps.get_model(APP, "Business")
    PurchaseOrder = apps.get_model(APP, "PurchaseOrder")
    Party = apps.get_model(APP, "Party")
    LineItem = apps.get_model(APP, "LineItem")
    buyer = Business.objects.create(
        b2b_id="B2B00000001", gstin="29AAAAA0001P1Z5", legal_name="Kaveri Textiles", state_code="29"
    )
    supplier = Business.objects.create(
        b2b_id="B2B00000002",
        gstin="27AAAAB0002P1Z5",
        legal_name="Sahyadri Paper Mills",
        trade_name="Sahyadri Paper",
        state_code="27",
    )
    order = PurchaseOrder.objects.create(
        object_id="PO" + "A" * 32,
        buyer_po_number="PO/2026-27/00001",
        buyer=buyer,
        supplier=supplier,
        subject="Pantry  supplies",
        status="CREATED",
        version=1,
    )
    Party.objects.create(
        purchase_order=order, role="buyer", b2b_id=buyer.b2b_id, gstin="29AAAAA0001P2Z4"
    )
    LineItem.objects.create(
        purchase_order=order,
        product_description="Tungsten Carbide insert",
        hsn_code="82090090",
        quantity=1,
        unit_price=100,
    )

    PurchaseOrder = migrate_to(SEARCH).get_model(APP, "PurchaseOrder")

    assert PurchaseOrder.objects.get(pk=order.pk).search_text.split("\n") == [
        "po/2026-27/00001",
        "pantry supplies",
        "kaveri textiles",
        "29aaaaa0001p1z5",
        "sahyadri paper mills",
        "sahyadri paper",
        "27aaaab0002p1z5",
        "29aaaaa0001p2z4",
        "tungsten carbide insert",
        "82090090",
    ]
    assert PurchaseOrder.objects.filter(search_text__contains="carbide").count() == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'po_search_trgm_idx'")
            (definition,) = cursor.fetchone()
        assert "gin (search_text gin_trgm_ops)" in definition
        assert "WITH (fastupdate=off)" in definition
