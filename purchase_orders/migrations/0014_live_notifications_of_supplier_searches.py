"""On PostgreSQL, tell a supplier search's open page when the search or its message changes.

Migration 0006's trigger notifies ``procurement_live`` with an order's
``[object_id, buyer_id, supplier_id]``. A supplier search belongs to no
order, so its own row, and an outbound message of no order that belongs
to a search, notify ``["search:<search id>", null, null]``: the scope of
the search's page (``views/live.py``), which only that page's waiting polls
take as theirs. Everything else is notified as before.
"""

import importlib

from django.db import migrations

LIVE = importlib.import_module("purchase_orders.migrations.0006_live_change_notifications")

FUNCTION = """
CREATE OR REPLACE FUNCTION purchase_orders_live_notify() RETURNS trigger AS $$
DECLARE
    po record;
    search_id bigint;
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
    IF TG_TABLE_NAME = 'purchase_orders_suppliersearch' THEN
        IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('procurement_live',
                json_build_array('search:' || OLD.id, NULL, NULL)::text);
        ELSE
            PERFORM pg_notify('procurement_live',
                json_build_array('search:' || NEW.id, NULL, NULL)::text);
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
    IF TG_TABLE_NAME = 'purchase_orders_outboundmessage' AND TG_OP <> 'DELETE'
            AND NEW.purchase_order_id IS NULL THEN
        SELECT id INTO search_id
            FROM purchase_orders_suppliersearch WHERE outbound_message_id = NEW.id;
        IF FOUND THEN
            PERFORM pg_notify('procurement_live',
                json_build_array('search:' || search_id, NULL, NULL)::text);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""

SEARCH_TABLE = "purchase_orders_suppliersearch"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        f"CREATE TRIGGER {SEARCH_TABLE}_live AFTER INSERT OR UPDATE OR DELETE ON {SEARCH_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION purchase_orders_live_notify()"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_live ON {SEARCH_TABLE}")
    schema_editor.execute(LIVE.FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("purchase_orders", "0013_supplier_searches"),
    ]

    operations = [migrations.RunPython(create, drop)]
