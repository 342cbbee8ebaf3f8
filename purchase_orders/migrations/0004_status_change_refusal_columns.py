"""A refusal's code and field become columns of its status-change row.

Refusals were recorded as one sentence, "The network refused the send: …
(field purchaseOrder.itemLists[0].hsnCode; code INVALID_FIELD). The purchase
order is back to …". The codes move to ``error_code`` and ``error_field``, and
the remarks keep the reason and, on a line of their own, the outcome.
"""

import re

from django.db import migrations, models

# The codes as the earlier remarks wrote them.
CODES = re.compile(
    r" \((?:field (?P<field>[^;()]+?))?(?:(?:; )?code (?P<code>[^;()\s]+))?\)\.(?= |$)"
)


def split_refusals(apps, schema_editor):
    StatusChange = apps.get_model("purchase_orders", "StatusChange")
    for change in StatusChange.objects.filter(action="REFUSED").iterator():
        matches = [m for m in CODES.finditer(change.remarks) if m["field"] or m["code"]]
        if not matches:
            continue
        codes = matches[-1]
        reason = change.remarks[: codes.start()] + "."
        outcome = change.remarks[codes.end() :].strip()
        change.error_field = codes["field"] or ""
        change.error_code = codes["code"] or ""
        change.remarks = f"{reason}\n{outcome}" if outcome else reason
        change.save(update_fields=["error_field", "error_code", "remarks"])


def join_refusals(apps, schema_editor):
    StatusChange = apps.get_model("purchase_orders", "StatusChange")
    for change in StatusChange.objects.filter(action="REFUSED").iterator():
        details = [f"field {change.error_field}"] if change.error_field else []
        if change.error_code:
            details.append(f"code {change.error_code}")
        if not details:
            continue
        reason, _, outcome = change.remarks.partition("\n")
        remarks = f"{reason.removesuffix('.')} ({'; '.join(details)})."
        change.remarks = f"{remarks} {outcome}" if outcome else remarks
        change.save(update_fields=["remarks"])


class Migration(migrations.Migration):
    dependencies = [
        ("purchase_orders", "0003_help_text_in_plain_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="error_code",
            field=models.CharField(
                blank=True, help_text="Network errorCd of a refusal that was undone.", max_length=100
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="error_field",
            field=models.CharField(
                blank=True,
                help_text="Network errorField of a refusal that was undone.",
                max_length=255,
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="action",
            field=models.CharField(
                blank=True,
                help_text="SEND, EDIT, ACCEPT, REJECT, CANCEL…, or REFUSED for a move the "
                "network refused and the portal undid.",
                max_length=50,
            ),
        ),
        migrations.RunPython(split_refusals, join_refusals),
    ]
