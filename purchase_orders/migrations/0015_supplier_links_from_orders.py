"""Put every supplier a business has ordered from into its supplier directory.

The new-order form offers a buyer its directory only; the pairs of the
orders already written are linked so that nothing a buyer could do before
is lost. Reversing keeps the links: they cannot be told from those added
by hand since.
"""

from django.db import migrations
from django.db.models import F

APP = "purchase_orders"


def link_ordered_suppliers(apps, schema_editor):
    PurchaseOrder = apps.get_model(APP, "PurchaseOrder")
    SupplierLink = apps.get_model(APP, "SupplierLink")
    pairs = set(
        PurchaseOrder.objects.exclude(buyer_id=F("supplier_id"))
        .values_list("buyer_id", "supplier_id")
        .distinct()
    )
    pairs -= set(SupplierLink.objects.values_list("buyer_id", "supplier_id"))
    SupplierLink.objects.bulk_create(
        [SupplierLink(buyer_id=buyer, supplier_id=supplier) for buyer, supplier in sorted(pairs)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("purchase_orders", "0014_live_notifications_of_supplier_searches"),
    ]

    operations = [migrations.RunPython(link_ordered_suppliers, migrations.RunPython.noop)]
