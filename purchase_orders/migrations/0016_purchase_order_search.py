# The lists' search: one column of each order's searchable words, filled for
# the orders that exist, and on PostgreSQL a trigram index that serves a
# search for any part of a word (LIKE '%carbide%'). The index is written as
# orders are (fastupdate off): with GIN's default, new rows wait in a pending
# list that the planner prices so high, until the next VACUUM, that it reads
# all of an account's orders instead.

import re

from django.db import migrations, models

SEARCH_INDEX = (
    "CREATE INDEX po_search_trgm_idx ON purchase_orders_purchaseorder "
    "USING gin (search_text gin_trgm_ops) WITH (fastupdate = off)"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(SEARCH_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS po_search_trgm_idx")


def _normalized(text):
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def fill_search_text(apps, schema_editor):
    """Write the column as purchase_orders/search.py does, as of this migration."""
    PurchaseOrder = apps.get_model("purchase_orders", "PurchaseOrder")
    batch = []
    orders = (
        PurchaseOrder.objects.using(schema_editor.connection.alias)
        .select_related("buyer", "supplier")
        .prefetch_related("parties", "lines")
        .order_by("pk")
    )
    for order in orders.iterator(chunk_size=500):
        values = [order.buyer_po_number, order.subject]
        for business in (order.buyer, order.supplier):
            values += [business.legal_name, business.trade_name, business.gstin]
        for party in order.parties.all():
            values += [party.legal_name, party.trade_name, party.gstin]
        for line in order.lines.all():
            values += [line.product_description, line.hsn_code]
        kept = dict.fromkeys(_normalized(value) for value in values)
        kept.pop("", None)
        order.search_text = "\n".join(kept)
        batch.append(order)
        if len(batch) == 500:
            PurchaseOrder.objects.bulk_update(batch, ["search_text"])
            batch = []
    PurchaseOrder.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ("purchase_orders", "0015_supplier_links_from_orders"),
    ]

    operations = [
        migrations.AddField(
            model_name="purchaseorder",
            name="search_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="What the lists' search reads, in lower case: the PO number, subject, both parties' names and GSTINs, the lines' descriptions and HSN/SAC codes (purchase_orders/search.py).",
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
