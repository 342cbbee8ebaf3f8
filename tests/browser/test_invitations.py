"""Invitations in the browser: a colleague and a supplier's person join from the e-mail."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from purchase_orders.models import Business, Membership, SupplierLink
from tests.browser.steps import invitation_link, notice, sign_up
from tests.factories import BusinessFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_a_business_admin_invites_a_colleague_who_joins_as_a_buyer(
    people, visitors, run_mail_tasks, portal_lock, live_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    admin = visitors("admin")
    admin.log_in(people.admin_user)
    page = admin.page

    page.get_by_role("link", name="Your business", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Profile of {people.buyer}")
    expect(page.get_by_label("GSTIN", exact=True)).to_have_value(people.buyer.gstin)
    admin.shot("profile")
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Invite a colleague", exact=True).click()
    page.get_by_label("E-mail address").fill("ravi.kumar@example.in")
    page.get_by_label("Buyer", exact=True).check()
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(notice(page)).to_contain_text("is on its way to ravi.kumar@example.in")
    expect(page.locator("#invitations-heading + .table-wrap")).to_contain_text(
        "ravi.kumar@example.in"
    )
    admin.shot("invited")

    assert run_mail_tasks() == 1
    [email] = mail.outbox
    colleague = visitors("colleague")
    sign_up(colleague, invitation_link(email), "ravi")

    expect(notice(colleague.page)).to_contain_text(f"you have joined {people.buyer} as buyer")
    expect(
        colleague.page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Purchase orders", exact=True
        )
    ).to_be_visible()
    colleague.shot("joined")
    with portal_lock:
        assert set(
            Membership.objects.filter(user__username="ravi").values_list("business", "role")
        ) == {(people.buyer.pk, "buyer")}
    page.reload()
    expect(page.locator("#members-heading")).to_contain_text("3")
    expect(page.locator("#invitations-heading + p.empty")).to_be_visible()


def test_a_buyer_invites_a_remote_suppliers_person_who_answers_from_the_inbox(
    people, visitors, run_mail_tasks, portal_lock, live_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    with portal_lock:
        remote = BusinessFactory(
            legal_name="Deccan Forge Private Limited", trade_name="Deccan Forge"
        )
        Business.objects.filter(pk=remote.pk).update(is_hosted=False)
        link = SupplierLink.objects.create(buyer=people.buyer, supplier=remote)
        sent = people.purchase_order(supplier=remote, sent=True)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page

    page.goto(f"/suppliers/{link.pk}/invite/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite the people of Deccan Forge")
    page.get_by_label("E-mail address").fill("deepa@deccan.example.in")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(notice(page)).to_contain_text(
        "An invitation to join Deccan Forge as business admin and supplier user is on its way"
    )
    buyer.shot("supplier-invited")

    assert run_mail_tasks() == 1
    [email] = mail.outbox
    person = visitors("supplier-person")
    sign_up(person, invitation_link(email), "deepa")

    received = person.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Received", exact=True
    )
    received.click()
    expect(person.page.get_by_role("link", name=sent.buyer_po_number)).to_be_visible()
    person.shot("inbox")
    with portal_lock:
        remote.refresh_from_db()
        assert remote.is_hosted is True
