"""Reminders on the pages: the status timeline's row, and the profile's setting."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from purchase_orders.models import BusinessChange, Reminder
from purchase_orders.services import reminders
from tests.plugins.pages import error_next_to, profile_form_data

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def timeline(content: str) -> str:
    """Return the status timeline's text, tags removed and spaces collapsed."""
    section = re.search(r'<section[^>]*id="live-history".*?</section>', content, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def profile_url(business) -> str:
    return reverse("purchase_orders:business-profile", args=[business.pk])


@pytest.fixture
def reminded(people, django_capture_on_commit_callbacks):
    """An order sent five days ago and not answered, reminded now."""
    purchase_order = people.purchase_order(
        sent=True, sent_at=timezone.now() - timedelta(days=5, hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 1
    return purchase_order


def test_the_buyer_sees_the_reminder_in_the_status_timeline_with_its_time(people, reminded):
    content = text(people.buyer_client.get(reminded.get_absolute_url()))

    reminder = Reminder.objects.get()
    when = timezone.localtime(reminder.created_at)
    assert (
        f"{when.day} {when:%b %Y, %H:%M %Z} Reminder sent to Sahyadri Paper (version 1, sent 5 "
        "days earlier) E-mailed to 1 person at Sahyadri Paper; Kaveri Textiles's buyers were "
        "told by e-mail."
    ) in timeline(content)


def test_the_supplier_sees_the_reminder_without_the_buyers_side(people, reminded):
    content = timeline(text(people.supplier_client.get(reminded.get_absolute_url())))

    assert "Reminder sent to Sahyadri Paper (version 1, sent 5 days earlier)" in content
    assert "E-mailed to 1 person at Sahyadri Paper." in content
    assert "buyers were told" not in content


def test_a_supplier_not_hosted_here_shows_that_no_reminder_reached_it(
    people, django_capture_on_commit_callbacks
):
    people.supplier.is_hosted = False
    people.supplier.save(update_fields=["is_hosted"])
    purchase_order = people.purchase_order(
        sent=True, sent_at=timezone.now() - timedelta(days=3, minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders()

    content = timeline(text(people.buyer_client.get(purchase_order.get_absolute_url())))

    assert (
        "No answer from Sahyadri Paper: no reminder could reach them (version 1, sent 3 days "
        "earlier) Sahyadri Paper is on the network, not on this portal; Kaveri Textiles's "
        "buyers were told by e-mail."
    ) in content


# -- the profile's setting -------------------------------------------------------------


def test_a_business_admin_sets_the_days_and_the_change_is_audited(people):
    data = profile_form_data(people.buyer, reminder_after_days="5")

    response = people.admin_client.post(profile_url(people.buyer), data)

    assert response.status_code == 302
    people.buyer.refresh_from_db()
    assert people.buyer.reminder_after_days == 5
    assert BusinessChange.objects.get().summary == ("Remind the supplier after (days): 3 → 5")


def test_blank_days_turn_the_reminders_off(people):
    people.admin_client.post(
        profile_url(people.buyer), profile_form_data(people.buyer, reminder_after_days="")
    )

    people.buyer.refresh_from_db()
    assert people.buyer.reminder_after_days is None
    page = text(people.buyer_client.get(profile_url(people.buyer)))
    assert (
        "<dt>Remind the supplier after (days without an answer)</dt><dd>No reminders</dd>" in page
    )


@pytest.mark.parametrize(
    "value, error",
    [
        ("-1", "Enter 0 or more days (0: no reminders)."),
        ("three", "Enter a whole number of days, such as 3."),
    ],
)
def test_days_that_are_not_a_number_of_days_are_refused_in_words(people, value, error):
    response = people.admin_client.post(
        profile_url(people.buyer), profile_form_data(people.buyer, reminder_after_days=value)
    )

    assert response.status_code == 200
    assert error_next_to(response.content.decode(), "id_reminder_after_days") == error
    assert f"Remind the supplier after (days without an answer): {error}" in text(response)
    people.buyer.refresh_from_db()
    assert people.buyer.reminder_after_days == 3


def test_a_member_who_is_not_a_business_admin_reads_the_days_and_cannot_change_them(people):
    page = text(people.buyer_client.get(profile_url(people.buyer)))
    assert "<dt>Remind the supplier after (days without an answer)</dt><dd>3 days</dd>" in page
    assert 'name="reminder_after_days"' not in page

    response = people.buyer_client.post(
        profile_url(people.buyer), profile_form_data(people.buyer, reminder_after_days="1")
    )

    assert response.status_code == 403
    people.buyer.refresh_from_db()
    assert people.buyer.reminder_after_days == 3


def test_a_hosted_supplier_with_nobody_to_e_mail_is_said_to_be_unreached(
    people, django_capture_on_commit_callbacks
):
    people.supplier_user.email = ""
    people.supplier_user.save(update_fields=["email"])
    purchase_order = people.purchase_order(
        sent=True, sent_at=timezone.now() - timedelta(days=4, minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders()

    content = timeline(text(people.buyer_client.get(purchase_order.get_absolute_url())))

    assert (
        "No answer from Sahyadri Paper: no reminder could reach them (version 1, sent 4 days "
        "earlier) Nobody at Sahyadri Paper has an e-mail address here; Kaveri Textiles's "
        "buyers were told by e-mail."
    ) in content
