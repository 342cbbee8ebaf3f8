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


def display_name(user) -> str:
    # Historical models have no get_full_name(); this is what it returns.
    return f"{user.first_name} {user.last_name}".strip() or user.username


def fill_names(apps, schema_editor):
    StatusChange = apps.get_model("purchase_orders", "StatusChange")
    PurchaseOrderVersion = apps.get_model("purchase_orders", "PurchaseOrderVersion")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    users_with_history = set(
        StatusChange.objects.exclude(actor=None).values_list("actor", flat=True)
    ) | set(PurchaseOrderVersion.objects.exclude(created_by=None).values_list("created_by", flat=True))
    for user in User.objects.filter(pk__in=users_with_history):
        StatusChange.objects.filter(actor=user).update(
            actor_name=display_name(user), actor_username=user.username
        )
        PurchaseOrderVersion.objects.filter(created_by=user).update(
            created_by_name=display_name(user), created_by_username=user.username
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
