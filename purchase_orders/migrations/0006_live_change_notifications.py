"""On PostgreSQL, tell waiting live pages when an order, its messages or its events change.

A row trigger on the three tables the stamps read sends ``pg_notify`` on
``procurement_live`` with the order's ``[object_id, buyer_id, supplier_id]``
(before and after an update that moved the order to other businesses).
PostgreSQL delivers it when the transaction commits, never for one rolled
back, and once for identical ones in a transaction. Being a trigger, it
also covers queryset ``update()`` calls, which send no Django signal (the
outbox's delivery states are written that way). SQLite: nothing; waiting
pages re-check their stamp instead (``purchase_orders/live_wait.py``).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION purchase_orders_live_notify() RETURNS trigger AS $$
DECLARE
    po record;
BEGIN
    IF TG_TABLE_NAME = 'purchase_orders_purchaseorder' THEN
        IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('procurement_live',
                json_build_array(OLD.object_id, OLD.buyer_id, OLD.supplier_id)::text);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('procurement_live',
                json_build_array(NEW.object_id, NEW.buyer_id, NEW.supplier_id)::text);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.purchase_order_id IS NOT NULL THEN
        SELECT object_id, buyer_id, supplier_id INTO po
            FROM purchase_orders_purchaseorder WHERE id = OLD.purchase_order_id;
        IF FOUND THEN
            PERFORM pg_notify('procurement_live',
                json_build_array(po.object_id, po.buyer_id, po.supplier_id)::text);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.purchase_order_id IS NOT NULL THEN
        SELECT object_id, buyer_id, supplier_id INTO po
            FROM purchase_orders_purchaseorder WHERE id = NEW.purchase_order_id;
        IF FOUND THEN
            PERFORM pg_notify('procurement_live',
                json_build_array(po.object_id, po.buyer_id, po.supplier_id)::text);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""

TABLES = (
    "purchase_orders_purchaseorder",
    "purchase_orders_outboundmessage",
    "purchase_orders_inboundevent",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_live AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION purchase_orders_live_notify()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_live ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS purchase_orders_live_notify()")


class Migration(migrations.Migration):
    dependencies = [
        ("purchase_orders", "0005_acknowledged_status_and_pending_actions"),
    ]

    operations = [migrations.RunPython(create, drop)]
