"""Keep who wrote each version and status change for ever.

The person's display name and username are copied onto the row (filled here
from the users the existing rows name), and the links to the user are
protected: a user with history can no longer be deleted, so that the rows
never turn into "actor: none". The database refuses such a delete too, as
its foreign keys have no ON DELETE action.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim


def _names_of(User, link: str):
    """Return subqueries of the display name and username of the user a row links to.

    The display name is what get_full_name() returns, else the username
    (historical models have no methods): one UPDATE per table, whatever the
    number of rows or people.
    """
    user = User.objects.filter(pk=OuterRef(link))
    full_name = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
    shown = Coalesce(NullIf(full_name, Value("")), "username", output_field=CharField())
    return (
        Subquery(user.annotate(shown=shown).values("shown")[:1]),
        Subquery(user.values("username")[:1]),
    )


def fill_names(apps, schema_editor):
    StatusChange = apps.get_model("purchase_orders", "StatusChange")
    PurchaseOrderVersion = apps.get_model("purchase_orders", "PurchaseOrderVersion")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    name, username = _names_of(User, "actor")
    StatusChange.objects.exclude(actor=None).update(actor_name=name, actor_username=username)
    name, username = _names_of(User, "created_by")
    PurchaseOrderVersion.objects.exclude(created_by=None).update(
        created_by_name=name, created_by_username=username
    )


class Migration(migrations.Migration):

    dependencies = [
        ("purchase_orders", "0008_flagged_deliveries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="purchaseorderversion",
            name="created_by_name",
            field=models.CharField(
                blank=True,
                help_text="The author's full name (or username) when this version was recorded.",
                max_length=255,
            ),
        ),
        migrations.AddField(
            model_name="purchaseorderversion",
            name="created_by_username",
            field=models.CharField(
                blank=True,
                help_text="The author's username when this version was recorded.",
                max_length=150,
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="actor_name",
            field=models.CharField(
                blank=True,
                help_text="The person's full name (or username) when this row was written; "
                "blank for the network's own steps.",
                max_length=255,
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="actor_username",
            field=models.CharField(
                blank=True,
                help_text="The person's username when this row was written.",
                max_length=150,
            ),
        ),
        migrations.AlterField(
            model_name="purchaseorder",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="purchaseorderversion",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop, elidable=True),
    ]
