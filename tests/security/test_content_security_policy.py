"""The Content Security Policy in a real Chromium: pages work under it, nothing is refused.

Chromium reports each refused script, style or frame as a console error,
which the ``visitors`` fixture fails the test on.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import chromium, portal_lock, visitors  # noqa: F401 (fixtures)
from tests.factories import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_every_webhook_under_their_policy(visitors, django_user_model):
    # The docs answer staff only with DEBUG off.
    staff = django_user_model.objects.create_user("reader", password=DEMO_PASSWORD, is_staff=True)
    reader = visitors("reader")
    reader.log_in(staff)

    reader.page.goto("/api/docs/")

    # The eight purchase-order webhooks and the supplier search's answer.
    expect(reader.page.locator(".opblock")).to_have_count(9)
    expect(reader.page.get_by_text("/api/v0/purchase-order/req-send", exact=True)).to_be_visible()
    expect(
        reader.page.get_by_text("/api/v0/business-onboarding/respSearchEntity", exact=True)
    ).to_be_visible()


def test_the_admin_and_the_portal_work_under_the_strict_policy(visitors, people):
    buyer = visitors("buyer")

    buyer.page.goto("/admin/login/")
    expect(buyer.page.get_by_role("button", name="Log in")).to_be_visible()
    buyer.log_in(people.buyer_user)
    buyer.page.goto("/purchase-orders/new/")
    lines = buyer.page.locator('[data-formset="lines"]')
    rows = lines.locator("[data-rows] > *")
    before = rows.count()
    # The lines' own button, not those of a line's lists under More details.
    lines.locator("[data-add-row][value='lines']").click()

    # Added by po-form.js, not by a round trip: the script ran under the policy.
    expect(rows).to_have_count(before + 1)
    assert buyer.page.url.endswith("/purchase-orders/new/")
