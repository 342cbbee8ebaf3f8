"""E-mails of a purchase order's events: what they say, who gets them, the link they carry.

The queue they go out from, its retries and a real mail server are in
``test_send_notification.py``.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from purchase_orders import lifecycle
from purchase_orders.models import Business, Membership, PurchaseOrder
from purchase_orders.services import notifications
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.factories import MembershipFactory
from tests.plugins.mail import queued_mail
from tests.plugins.network import acknowledged, revised_contents

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("event", "to"),
    [
        (notifications.SENT, "supplier_user"),
        (notifications.EDITED, "supplier_user"),
        (notifications.STATUS_CHANGED, "supplier_user"),
        (notifications.ACCEPTED, "buyer_user"),
        (notifications.REJECTED, "buyer_user"),
    ],
)
def test_each_event_mails_the_other_side_a_link_to_the_page(
    trading_pair, draft_purchase_order, settings, event, to
):
    settings.PORTAL_BASE_URL = "https://procurement.example.in/"

    sent = notifications.notify(purchase_order=draft_purchase_order, event=event)

    assert sent == 1
    (email,) = mail.outbox
    assert email.to == [getattr(trading_pair, to).email]
    link = f"https://procurement.example.in{draft_purchase_order.get_absolute_url()}"
    assert f"\nOpen it in the portal: {link}\n" in email.body


@pytest.mark.parametrize(
    ("action", "to", "words"),
    [
        ("SEND", "buyer_user", "request to send purchase order {number}"),
        ("EDIT", "buyer_user", "changes to purchase order {number}"),
        ("CANCEL", "buyer_user", "cancellation of purchase order {number}"),
        ("FULFILL", "buyer_user", "request to mark purchase order {number} fulfilled"),
        ("CLOSE", "buyer_user", "request to close purchase order {number}"),
        ("ACCEPT", "supplier_user", "confirmation of purchase order {number}"),
        ("REJECT", "supplier_user", "rejection of purchase order {number}"),
    ],
)
@pytest.mark.parametrize(
    ("event", "subject"),
    [
        (notifications.REFUSED, "The network refused your {request}"),
        (notifications.NOT_DELIVERED, "Not delivered: your {request}"),
    ],
)
def test_a_refusal_or_a_failed_delivery_mails_the_side_that_acted(
    trading_pair, draft_purchase_order, settings, event, subject, action, to, words
):
    settings.PORTAL_BASE_URL = "https://procurement.example.in/"

    sent = notifications.notify(
        purchase_order=draft_purchase_order,
        event=event,
        action=action,
        remarks="As agreed.",
        reason="The network refused the send: Supplier is not registered.",
    )

    assert sent == 1
    (email,) = mail.outbox
    assert email.to == [getattr(trading_pair, to).email]
    number = draft_purchase_order.buyer_po_number
    assert email.subject == subject.format(request=words.format(number=number))
    link = f"https://procurement.example.in{draft_purchase_order.get_absolute_url()}"
    assert f"\nOpen it in the portal: {link}\n" in email.body


def test_notify_on_commit_queues_the_mail_once_the_transaction_commits(
    trading_pair,
    draft_purchase_order,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_on_commit(
            purchase_order=draft_purchase_order,
            event=notifications.REFUSED,
            action="SEND",
            reason="The network refused the send.",
        )
        assert not queued_mail().exists()
    # Queued, not sent: the worker sends it.
    assert mailoutbox == []

    assert send_queued_mail() == 1
    assert [email.to for email in mailoutbox] == [[trading_pair.buyer_user.email]]


# -- the bodies the services' actions send ---------------------------------------------


@pytest.fixture
def portal_address(settings):
    settings.PORTAL_BASE_URL = "https://procurement.example.in"
    settings.DEFAULT_FROM_EMAIL = "procurement@example.in"


def body_of(
    purchase_order, *, sentence: str, subject: str, total: str, status: str, remarks: str = ""
) -> str:
    """Return an e-mail's body; ``remarks`` is the remarks' block, its blank line included."""
    link = f"https://procurement.example.in{purchase_order.get_absolute_url()}"
    return (
        f"{subject}\n"
        "\n"
        f"{sentence}\n"
        "\n" + f"{remarks}" + f"PO number:     {purchase_order.buyer_po_number}\n"
        f"Version:       {purchase_order.version}\n"
        f"Buyer:         {purchase_order.buyer}\n"
        f"Supplier:      {purchase_order.supplier}\n"
        f"Status:        {status}\n"
        "Order date:    23 Nov 2026\n"
        "Delivery date: 15 Dec 2026\n"
        f"Total:         {total}\n"
        "\n"
        f"Open it in the portal: {link}\n"
        # The template's last line break, after its closing tag.
        "\n"
    )


def attached_name(purchase_order, version: int) -> str:
    return f"{purchase_order.buyer_po_number.replace('/', '-')}-v{version}.pdf"


def attached(purchase_order, version: int) -> str:
    """Return what the worker adds to an e-mail that carries the version's PDF."""
    name = attached_name(purchase_order, version)
    return f"\nAttached: {name}, version {version} of the purchase order as a PDF.\n"


def test_a_send_mails_the_supplier_the_order_in_rupees_with_its_dates(
    trading_pair,
    draft_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    with django_capture_on_commit_callbacks(execute=True):
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    assert send_queued_mail() == 0
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(draft_purchase_order)
    assert send_queued_mail() == 1

    (email,) = mailoutbox
    assert email.to == [trading_pair.supplier_user.email]
    assert email.from_email == "procurement@example.in"
    subject = f"New purchase order {po.buyer_po_number} from {trading_pair.buyer}"
    assert email.subject == subject
    assert email.body == body_of(
        po,
        subject=subject,
        sentence=f"{trading_pair.buyer} sent you a new purchase order. "
        "Please confirm or reject it in the portal.",
        total="₹4,466.30",
        status="Sent, awaiting confirmation",
    ) + attached(po, 1)
    assert [name for name, _, _ in email.attachments] == [attached_name(po, 1)]


def test_an_edit_mails_the_new_version_and_its_total_in_lakhs(
    trading_pair,
    sent_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    contents = revised_contents(sent_purchase_order, Decimal("1000"))

    with django_capture_on_commit_callbacks(execute=True):
        edit_purchase_order(
            purchase_order=sent_purchase_order,
            edited_by=trading_pair.buyer_user,
            contents=contents,
            reason="More paper",
            expected_version=1,
        )
    assert send_queued_mail() == 0
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(sent_purchase_order)
    assert send_queued_mail() == 1

    (email,) = mailoutbox
    assert email.to == [trading_pair.supplier_user.email]
    subject = f"Purchase order {po.buyer_po_number} changed to version 2"
    assert email.subject == subject
    # Line 1 at 1,000 boxes of ₹125.50 and line 2 at 20 of ₹126.50, 18% GST.
    assert email.body == body_of(
        po,
        remarks=f"Remarks from {trading_pair.buyer}:\nMore paper\n\n",
        subject=subject,
        sentence=f"{trading_pair.buyer} changed this purchase order. "
        "The new version needs your confirmation again.",
        total="₹1,51,075.40",
        status="Sent, awaiting confirmation",
    ) + attached(po, 2)
    assert [name for name, _, _ in email.attachments] == [attached_name(po, 2)]


@pytest.mark.parametrize(
    ("accept", "subject", "sentence", "status"),
    [
        (
            True,
            "{supplier} accepted purchase order {number}",
            "{supplier} confirmed this purchase order.",
            "Accepted",
        ),
        (
            False,
            "{supplier} rejected purchase order {number}",
            "{supplier} rejected this purchase order.",
            "Rejected",
        ),
    ],
)
def test_the_suppliers_answer_mails_the_buyer(
    trading_pair,
    sent_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
    accept,
    subject,
    sentence,
    status,
):
    with django_capture_on_commit_callbacks(execute=True):
        confirm_purchase_order(
            purchase_order=sent_purchase_order,
            confirmed_by=trading_pair.supplier_user,
            accept=accept,
            remarks="Noted.",
        )
    assert send_queued_mail() == 0
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(sent_purchase_order)
    assert send_queued_mail() == 1

    (email,) = mailoutbox
    assert email.to == [trading_pair.buyer_user.email]
    names = {"supplier": trading_pair.supplier, "number": po.buyer_po_number}
    assert email.subject == subject.format(**names)
    assert email.body == body_of(
        po,
        remarks=f"Remarks from {trading_pair.supplier}:\nNoted.\n\n",
        subject=subject.format(**names),
        sentence=sentence.format(**names),
        total="₹4,466.30",
        status=status,
    )


def test_a_status_change_mails_the_supplier_the_new_status(
    trading_pair,
    sent_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    with django_capture_on_commit_callbacks(execute=True):
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="Budget withdrawn.",
        )
    assert send_queued_mail() == 0
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(sent_purchase_order)
    assert send_queued_mail() == 1

    (email,) = mailoutbox
    assert email.to == [trading_pair.supplier_user.email]
    subject = f"Purchase order {po.buyer_po_number} is now cancelled"
    assert email.subject == subject
    assert email.body == body_of(
        po,
        remarks=f"Remarks from {trading_pair.buyer}:\nBudget withdrawn.\n\n",
        subject=subject,
        sentence=f"{trading_pair.buyer} changed the status of this purchase order.",
        total="₹4,466.30",
        status="Cancelled",
    )


def test_missing_dates_show_as_a_dash(trading_pair, portal_address, mailoutbox):
    po = trading_pair.purchase_order(order_date=None, delivery_date=None)

    notifications.notify(purchase_order=po, event=notifications.SENT)

    (email,) = mailoutbox
    assert "\nOrder date:    -\nDelivery date: -\n" in email.body


def test_every_active_member_with_an_address_on_the_other_side_gets_one_email(
    trading_pair,
    draft_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    supplier = trading_pair.supplier
    colleague = MembershipFactory(business=supplier, role=Membership.Role.SUPPLIER).user
    MembershipFactory(business=supplier, role=Membership.Role.SUPPLIER, user__is_active=False)
    MembershipFactory(business=supplier, role=Membership.Role.SUPPLIER, user__email="")
    # The buyer's own colleagues and another supplier's people hear nothing.
    MembershipFactory(business=trading_pair.buyer, role=Membership.Role.BUYER)
    MembershipFactory(role=Membership.Role.SUPPLIER)

    send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)

    with django_capture_on_commit_callbacks(execute=True):
        acknowledged(draft_purchase_order)
    assert send_queued_mail() == 2

    assert sorted(email.to[0] for email in mailoutbox) == sorted(
        [trading_pair.supplier_user.email, colleague.email]
    )
    assert all(len(email.to) == 1 for email in mailoutbox)


def test_no_email_when_the_other_side_has_only_inactive_or_addressless_members(
    trading_pair, draft_purchase_order, mailoutbox
):
    trading_pair.supplier_user.is_active = False
    trading_pair.supplier_user.save(update_fields=["is_active"])
    MembershipFactory(business=trading_pair.supplier, role=Membership.Role.SUPPLIER, user__email="")

    sent = notifications.notify(purchase_order=draft_purchase_order, event=notifications.SENT)

    assert sent == 0
    assert mailoutbox == []


def test_no_email_for_a_business_not_hosted_here(trading_pair, draft_purchase_order, mailoutbox):
    Business.objects.filter(pk=trading_pair.supplier.pk).update(is_hosted=False)
    draft_purchase_order.refresh_from_db()

    sent = notifications.notify(purchase_order=draft_purchase_order, event=notifications.SENT)

    assert sent == 0
    assert mailoutbox == []


# -- remarks, refusals and failed deliveries ---------------------------------------------


def mailed_on_commit(django_capture_on_commit_callbacks, send_queued_mail, **kwargs) -> None:
    """Queue an event's e-mail in a committed transaction, then run the worker's tasks."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications.notify_on_commit(**kwargs)
    send_queued_mail()


def test_a_rejection_carries_the_suppliers_remarks(
    trading_pair,
    sent_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    PurchaseOrder.objects.filter(pk=sent_purchase_order.pk).update(status="REJECTED")
    sent_purchase_order.refresh_from_db()

    mailed_on_commit(
        django_capture_on_commit_callbacks,
        send_queued_mail,
        purchase_order=sent_purchase_order,
        event=notifications.REJECTED,
        action=lifecycle.REJECT,
        remarks="  Rates are last year's.\nPlease send the 2026 price list.  ",
    )

    (email,) = mailoutbox
    assert email.to == [trading_pair.buyer_user.email]
    supplier = trading_pair.supplier
    subject = f"{supplier} rejected purchase order {sent_purchase_order.buyer_po_number}"
    assert email.body == body_of(
        sent_purchase_order,
        subject=subject,
        sentence=f"{supplier} rejected this purchase order.",
        remarks=f"Remarks from {supplier}:\n"
        "Rates are last year's.\nPlease send the 2026 price list.\n\n",
        total="₹4,466.30",
        status="Rejected",
    )


@pytest.mark.parametrize(
    ("remarks", "shown"),
    [("Budget withdrawn for this quarter.", True), ("", False), ("   ", False)],
)
def test_a_status_change_carries_the_buyers_remarks_if_any(
    trading_pair,
    sent_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
    remarks,
    shown,
):
    mailed_on_commit(
        django_capture_on_commit_callbacks,
        send_queued_mail,
        purchase_order=sent_purchase_order,
        event=notifications.STATUS_CHANGED,
        action=lifecycle.CANCEL,
        remarks=remarks,
    )

    (email,) = mailoutbox
    assert email.to == [trading_pair.supplier_user.email]
    block = f"\n\nRemarks from {trading_pair.buyer}:\nBudget withdrawn for this quarter.\n\n"
    assert (block in email.body) is shown
    assert ("Remarks" in email.body) is shown


def test_a_refused_send_tells_the_buyer_what_why_and_what_to_do(
    trading_pair,
    draft_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    reason = "Line 1: HSN code 1234567 is not a valid HSN code (lineItems[0].hsnCode)."

    mailed_on_commit(
        django_capture_on_commit_callbacks,
        send_queued_mail,
        purchase_order=draft_purchase_order,
        event=notifications.REFUSED,
        action=lifecycle.SEND,
        reason=reason,
    )

    (email,) = mailoutbox
    assert email.to == [trading_pair.buyer_user.email]
    number = draft_purchase_order.buyer_po_number
    subject = f"The network refused your request to send purchase order {number}"
    assert email.subject == subject
    # The order as the network left it: a draft.
    assert email.body == body_of(
        draft_purchase_order,
        subject=subject,
        sentence=f"The network refused your request to send purchase order {number}; "
        "the purchase order is as it was.\n"
        "\n"
        f"Why: {reason}\n"
        "\n"
        "What to do: Correct what the network names above, then send the purchase order "
        "again.",
        total="₹4,466.30",
        status="Draft",
    )


def test_a_refused_rejection_goes_to_the_supplier_with_its_own_remarks(
    trading_pair,
    sent_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    MembershipFactory(business=trading_pair.buyer, role=Membership.Role.BUYER)

    mailed_on_commit(
        django_capture_on_commit_callbacks,
        send_queued_mail,
        purchase_order=sent_purchase_order,
        event=notifications.REFUSED,
        action=lifecycle.REJECT,
        remarks="Out of stock.",
        reason="This purchase order was changed by someone else (now version 2).",
    )

    (email,) = mailoutbox
    assert email.to == [trading_pair.supplier_user.email]
    number = sent_purchase_order.buyer_po_number
    assert email.subject == f"The network refused your rejection of purchase order {number}"
    assert (
        f"The network refused your rejection of purchase order {number}; "
        "the purchase order is as it was.\n\n"
        "Why: This purchase order was changed by someone else (now version 2).\n\n"
        "What to do: Open the purchase order, check it, then reject it again.\n\n"
        "Your remarks:\nOut of stock.\n\n"
        "PO number:"
    ) in email.body
    assert "\nStatus:        Sent, awaiting confirmation\n" in email.body


def test_a_refusal_without_a_reason_says_none_was_given(
    draft_purchase_order, mailoutbox, django_capture_on_commit_callbacks, send_queued_mail
):
    mailed_on_commit(
        django_capture_on_commit_callbacks,
        send_queued_mail,
        purchase_order=draft_purchase_order,
        event=notifications.REFUSED,
        action=lifecycle.SEND,
    )

    (email,) = mailoutbox
    assert "\n\nWhy: the network gave no reason.\n\n" in email.body


def test_a_delivery_given_up_tells_the_actor_it_was_not_delivered_and_to_retry(
    trading_pair,
    accepted_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    mailed_on_commit(
        django_capture_on_commit_callbacks,
        send_queued_mail,
        purchase_order=accepted_purchase_order,
        event=notifications.NOT_DELIVERED,
        action=lifecycle.FULFILL,
        reason="The network did not answer (connection refused), 12 attempts.",
    )

    (email,) = mailoutbox
    assert email.to == [trading_pair.buyer_user.email]
    number = accepted_purchase_order.buyer_po_number
    subject = f"Not delivered: your request to mark purchase order {number} fulfilled"
    assert email.subject == subject
    # The order as the network last acknowledged it: still accepted.
    assert email.body == body_of(
        accepted_purchase_order,
        subject=subject,
        sentence=f"Your request to mark purchase order {number} fulfilled was not delivered: "
        "the network has not acknowledged it, and the portal has stopped retrying. "
        "The purchase order is as it was.\n"
        "\n"
        "Why: The network did not answer (connection refused), 12 attempts.\n"
        "\n"
        "What to do: open the purchase order and press Retry delivery.",
        total="₹4,466.30",
        status="Accepted",
    )


@pytest.mark.parametrize("event", [notifications.REFUSED, notifications.NOT_DELIVERED])
@pytest.mark.parametrize("action", ["", "SHIP"])
def test_the_actors_events_need_a_lifecycle_action(draft_purchase_order, event, action):
    with pytest.raises(ValueError, match="needs the lifecycle action it is about"):
        notifications.notify_on_commit(
            purchase_order=draft_purchase_order, event=event, action=action
        )


def test_an_e_mail_says_what_the_event_made_of_the_order_not_what_it_became(
    trading_pair,
    sent_purchase_order,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications.notify_on_commit(
            purchase_order=sent_purchase_order, event=notifications.SENT, action=lifecycle.SEND
        )
    # The order moves on before the worker sends the e-mail.
    PurchaseOrder.objects.filter(pk=sent_purchase_order.pk).update(
        status="CANCELLED", total_po_value=Decimal("1.00")
    )
    send_queued_mail()

    (email,) = mailoutbox
    assert "\nStatus:        Sent, awaiting confirmation\n" in email.body
    assert "\nTotal:         ₹4,466.30\n" in email.body


def test_the_actors_e_mail_goes_to_none_of_the_other_side(
    trading_pair,
    sent_purchase_order,
    mailoutbox,
    django_capture_on_commit_callbacks,
    send_queued_mail,
):
    buyer_colleague = MembershipFactory(business=trading_pair.buyer, role=Membership.Role.BUYER)
    # Someone of the buyer's business in the supplier's role hears nothing of the buyer's act.
    MembershipFactory(business=trading_pair.buyer, role=Membership.Role.SUPPLIER)

    mailed_on_commit(
        django_capture_on_commit_callbacks,
        send_queued_mail,
        purchase_order=sent_purchase_order,
        event=notifications.REFUSED,
        action=lifecycle.CANCEL,
        reason="Not allowed.",
    )

    assert sorted(email.to[0] for email in mailoutbox) == sorted(
        [trading_pair.buyer_user.email, buyer_colleague.user.email]
    )


@pytest.mark.parametrize(
    ("event", "action"),
    [
        (notifications.SENT, ""),
        (notifications.REFUSED, lifecycle.SEND),
        (notifications.NOT_DELIVERED, lifecycle.CANCEL),
    ],
)
def test_nothing_is_queued_for_a_business_not_hosted_here(
    trading_pair, draft_purchase_order, django_capture_on_commit_callbacks, event, action
):
    Business.objects.filter(pk__in=[trading_pair.buyer.pk, trading_pair.supplier.pk]).update(
        is_hosted=False
    )
    draft_purchase_order = PurchaseOrder.objects.get(pk=draft_purchase_order.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notifications.notify_on_commit(
            purchase_order=draft_purchase_order, event=event, action=action
        )

    assert callbacks == []
    assert not queued_mail().exists()


def test_a_rolled_back_action_queues_no_e_mail(
    draft_purchase_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify_on_commit(
                purchase_order=draft_purchase_order, event=notifications.SENT
            )
            raise RuntimeError("the action failed")

    assert callbacks == []
    assert not queued_mail().exists()


def test_each_recipient_gets_a_task_of_their_own_with_json_arguments(
    trading_pair, draft_purchase_order, portal_address, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(business=trading_pair.supplier, role=Membership.Role.SUPPLIER)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_on_commit(purchase_order=draft_purchase_order, event="sent")

    email = notifications.compose(purchase_order=draft_purchase_order, event="sent")
    stored = sorted(
        (task.args_kwargs for task in queued_mail()), key=lambda task: task["kwargs"]["to"]
    )
    assert stored == [
        {
            "args": [],
            "kwargs": {
                "subject": email.subject,
                "body": email.body,
                "from_email": "procurement@example.in",
                "to": address,
                "attempt": 1,
            },
        }
        for address in sorted([trading_pair.supplier_user.email, colleague.user.email])
    ]
