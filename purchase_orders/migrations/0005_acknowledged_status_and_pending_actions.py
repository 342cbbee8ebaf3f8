"""A status means what the network has acknowledged; an action in flight waits beside it.

Until now an action moved the order at once and a refusal undid the move.
Existing rows are carried over so:

- refusals recorded then (action ``REFUSED``) get the stage ``refused``;
- an order whose latest outbound message has not been answered yet
  (queued, sending, retrying, sent, or failed) and which still stands where
  that message took it is put back where it was before, with the message's
  action pending; the audit row of the move becomes its attempt. For an
  edit, the previous version's header and contents come back from its
  snapshot (the new version's snapshot stays, as a pending edit's does).

Reversed, pending actions are applied as the portal applied them before.
"""

import json

import django.db.models.deletion
from django.db import migrations, models

UNANSWERED = ("queued", "sending", "retrying", "sent", "failed")
OBJECT_KEYS = {
    "req-send": "purchaseOrder",
    "req-edit": "purchaseOrder",
    "req-confirm": "poConfirmation",
    "req-status-change": "poStatus",
}
HEADER_FIELDS = (
    "order_date",
    "delivery_date",
    "subject",
    "total_po_value",
    "shipping_terms",
    "shipping_bearing_party",
    "shipping_charges",
    "po_infos",
    "contract_references",
    "additional_documents",
    "additional_infos",
    "ts",
)


def _announced(message) -> dict:
    return json.loads(message.body)[OBJECT_KEYS[message.kind]]


def _marks(announced: dict) -> tuple[str, str, int, int]:
    transition = announced.get("poStatusTransition") or {}
    version = announced.get("objectVersion") or {}
    return (
        transition.get("currentStatus", ""),
        transition.get("newStatus", ""),
        int(version.get("currentVersion", 0)),
        int(version.get("newVersion", 0)),
    )


def to_pending(apps, schema_editor):
    StatusChange = apps.get_model("purchase_orders", "StatusChange")
    PurchaseOrder = apps.get_model("purchase_orders", "PurchaseOrder")
    OutboundMessage = apps.get_model("purchase_orders", "OutboundMessage")
    StatusChange.objects.filter(action="REFUSED").update(stage="refused")
    for purchase_order in PurchaseOrder.objects.exclude(status="DRAFT").iterator():
        message = (
            OutboundMessage.objects.filter(purchase_order=purchase_order).order_by("-pk").first()
        )
        if message is None or message.state not in UNANSWERED or message.kind not in OBJECT_KEYS:
            continue
        from_status, to_status, from_version, to_version = _marks(_announced(message))
        if (purchase_order.status, purchase_order.version) != (to_status, to_version):
            continue
        move = (
            StatusChange.objects.filter(
                purchase_order=purchase_order, to_status=to_status, version=to_version
            )
            .exclude(action="REFUSED")
            .order_by("-pk")
            .first()
        )
        if move is None:
            continue
        move.stage = "attempted"
        move.message = message
        move.save(update_fields=["stage", "message"])
        if message.kind == "req-send":
            back = ("DRAFT", 0, "", 0)
            purchase_order.sent_at = None
        else:
            origin = (
                StatusChange.objects.filter(
                    purchase_order=purchase_order,
                    stage="applied",
                    to_status=from_status,
                    version=from_version,
                )
                .exclude(pk=move.pk)
                .order_by("-pk")
                .first()
            )
            if origin is None:
                back = (from_status, from_version, from_status, from_version)
            else:
                bump = 1 if origin.action in ("SEND", "EDIT") else 0
                previous = "CREATED" if origin.from_status in ("", "DRAFT") else origin.from_status
                back = (from_status, from_version, previous, from_version - bump)
        if message.kind == "req-edit":
            _restore_version(apps, purchase_order, from_version)
        (
            purchase_order.status,
            purchase_order.version,
            purchase_order.previous_status,
            purchase_order.previous_version,
        ) = back
        purchase_order.delivered_at = None
        purchase_order.pending_action = move.action
        purchase_order.pending_message = message
        purchase_order.pending_since = message.created_at
        purchase_order.save()


def _restore_version(apps, purchase_order, version: int) -> None:
    """Put an order's header and contents back to a version kept in its snapshot.

    The contents are written by the services of the portal as this
    migration knows them: only orders with an edit in flight at the time
    of the upgrade are touched.
    """
    from purchase_orders.contents import field_values
    from purchase_orders.enkash import payloads
    from purchase_orders.models import PurchaseOrder as Current
    from purchase_orders.services import documents

    PurchaseOrderVersion = apps.get_model("purchase_orders", "PurchaseOrderVersion")
    kept = PurchaseOrderVersion.objects.get(purchase_order=purchase_order, version=version)
    contents = payloads.parse_snapshot(kept.snapshot)
    values = field_values(contents.header)
    for name in HEADER_FIELDS:
        if name in values:
            setattr(purchase_order, name, values[name])
    documents.replace_contents(
        purchase_order=Current.objects.get(pk=purchase_order.pk), contents=contents
    )


def from_pending(apps, schema_editor):
    StatusChange = apps.get_model("purchase_orders", "StatusChange")
    PurchaseOrder = apps.get_model("purchase_orders", "PurchaseOrder")
    for purchase_order in PurchaseOrder.objects.exclude(pending_message=None).iterator():
        message = purchase_order.pending_message
        from_status, to_status, from_version, to_version = _marks(_announced(message))
        if message.kind == "req-edit":
            _restore_version(apps, purchase_order, to_version)
        purchase_order.previous_status = "CREATED" if from_status == "DRAFT" else from_status
        purchase_order.previous_version = from_version
        purchase_order.status, purchase_order.version = to_status, to_version
        purchase_order.save()
        StatusChange.objects.filter(message=message, stage="attempted").update(stage="applied")
    StatusChange.objects.filter(stage="refused").update(action="REFUSED")
    StatusChange.objects.exclude(stage="applied").exclude(action="REFUSED").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("purchase_orders", "0004_status_change_refusal_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="purchaseorder",
            name="pending_action",
            field=models.CharField(
                blank=True,
                choices=[
                    ("SEND", "Send to supplier"),
                    ("EDIT", "Edit"),
                    ("ACCEPT", "Confirm"),
                    ("REJECT", "Reject"),
                    ("CANCEL", "Cancel"),
                    ("FULFILL", "Mark fulfilled"),
                    ("CLOSE", "Close"),
                ],
                help_text="The action sent to the network and not yet acknowledged; blank if none.",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="purchaseorder",
            name="pending_message",
            field=models.ForeignKey(
                blank=True,
                help_text="The outbound message carrying the pending action.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="purchase_orders.outboundmessage",
            ),
        ),
        migrations.AddField(
            model_name="purchaseorder",
            name="pending_since",
            field=models.DateTimeField(
                blank=True, help_text="When the pending action was sent.", null=True
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="message",
            field=models.ForeignKey(
                blank=True,
                help_text="The outbound message that carried an action made here.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="status_changes",
                to="purchase_orders.outboundmessage",
            ),
        ),
        migrations.AddField(
            model_name="statuschange",
            name="stage",
            field=models.CharField(
                choices=[
                    ("attempted", "Sent, waiting for the network"),
                    ("applied", "Done"),
                    ("refused", "Refused by the network"),
                    ("undelivered", "Not delivered"),
                    ("overtaken", "Overtaken by a later change"),
                ],
                default="applied",
                help_text="Attempted (sent, not yet answered), applied (the order moved), "
                "refused, undelivered or overtaken.",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="action",
            field=models.CharField(
                blank=True,
                help_text="SEND, EDIT, ACCEPT, REJECT, CANCEL…; REFUSED on refusals recorded "
                "before stages existed.",
                max_length=50,
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="error_code",
            field=models.CharField(
                blank=True, help_text="Network errorCd of a refusal.", max_length=100
            ),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="error_field",
            field=models.CharField(
                blank=True, help_text="Network errorField of a refusal.", max_length=255
            ),
        ),
        migrations.RunPython(to_pending, from_pending),
    ]
