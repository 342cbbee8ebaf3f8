"""E-mails to the other business: who gets them, and the link they carry."""

from decimal import Decimal

import pytest
from django.core import mail

from purchase_orders.models import Business, Membership
from purchase_orders.services import notifications
from purchase_orders.services.purchase_orders import (
    change_purchase_order_status,
    confirm_purchase_order,
    edit_purchase_order,
    send_purchase_order,
)
from tests.factories import MembershipFactory
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
    ("action", "to"),
    [
        ("SEND", "buyer_user"),
        ("EDIT", "buyer_user"),
        ("CANCEL", "buyer_user"),
        ("ACCEPT", "supplier_user"),
        ("REJECT", "supplier_user"),
    ],
)
@pytest.mark.parametrize(
    ("event", "subject"),
    [
        (notifications.REFUSED, "The network refused your change to purchase order {number}"),
        (notifications.NOT_DELIVERED, "Your change to purchase order {number} was not delivered"),
    ],
)
def test_a_refusal_or_a_failed_delivery_mails_the_side_that_acted(
    trading_pair, draft_purchase_order, settings, event, subject, action, to
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
    assert email.subject == subject.format(number=draft_purchase_order.buyer_po_number)
    link = f"https://procurement.example.in{draft_purchase_order.get_absolute_url()}"
    assert f"\nOpen it in the portal: {link}\n" in email.body


def test_notify_on_commit_mails_once_the_transaction_commits(
    trading_pair, draft_purchase_order, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_on_commit(
            purchase_order=draft_purchase_order,
            event=notifications.REFUSED,
            action="SEND",
            reason="The network refused the send.",
        )
        assert mailoutbox == []

    assert [email.to for email in mailoutbox] == [[trading_pair.buyer_user.email]]


# -- the bodies the services' actions send ---------------------------------------------


@pytest.fixture
def portal_address(settings):
    settings.PORTAL_BASE_URL = "https://procurement.example.in"
    settings.DEFAULT_FROM_EMAIL = "procurement@example.in"


def body_of(
    purchase_order, *, sentence: str, subject: str, total: str, status: str, remarks: str = ""
) -> str:
    link = f"https://procurement.example.in{purchase_order.get_absolute_url()}"
    return (
        f"{subject}\n"
        "\n"
        f"{sentence}\n"
        "\n"
        + (f"Remarks: {remarks}\n\n" if remarks else "")
        + f"PO number:     {purchase_order.buyer_po_number}\n"
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


def test_a_send_mails_the_supplier_the_order_in_rupees_with_its_dates(
    trading_pair,
    draft_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(draft_purchase_order)

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
    )


def test_an_edit_mails_the_new_version_and_its_total_in_lakhs(
    trading_pair,
    sent_purchase_order,
    portal_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
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
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(sent_purchase_order)

    (email,) = mailoutbox
    assert email.to == [trading_pair.supplier_user.email]
    subject = f"Purchase order {po.buyer_po_number} changed to version 2"
    assert email.subject == subject
    # Line 1 at 1,000 boxes of ₹125.50 and line 2 at 20 of ₹126.50, 18% GST.
    assert email.body == body_of(
        po,
        remarks="More paper",
        subject=subject,
        sentence=f"{trading_pair.buyer} changed this purchase order. "
        "The new version needs your confirmation again.",
        total="₹1,51,075.40",
        status="Sent, awaiting confirmation",
    )


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
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(sent_purchase_order)

    (email,) = mailoutbox
    assert email.to == [trading_pair.buyer_user.email]
    names = {"supplier": trading_pair.supplier, "number": po.buyer_po_number}
    assert email.subject == subject.format(**names)
    assert email.body == body_of(
        po,
        remarks="Noted.",
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
):
    with django_capture_on_commit_callbacks(execute=True):
        change_purchase_order_status(
            purchase_order=sent_purchase_order,
            changed_by=trading_pair.buyer_user,
            action="CANCEL",
            remarks="Budget withdrawn.",
        )
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        po = acknowledged(sent_purchase_order)

    (email,) = mailoutbox
    assert email.to == [trading_pair.supplier_user.email]
    subject = f"Purchase order {po.buyer_po_number} is now cancelled"
    assert email.subject == subject
    assert email.body == body_of(
        po,
        remarks="Budget withdrawn.",
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
