"""The Content Security Policy in a real Chromium: pages work under it, nothing is refused.

Chromium reports each refused script, style or frame as a console error,
which the ``visitors`` fixture fails the test on.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import chromium, portal_lock, visitors  # noqa: F401 (fixtures)
from tests.factories import DEMO_PASSWORD
from tests.purchase_orders.admin.conftest import demo  # noqa: F401 (fixture)

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


def test_every_admin_page_and_a_debug_404_load_with_nothing_refused(visitors, demo):  # noqa: F811
    """The change list and a change page of every registered model, on the demo's data.

    ``demo`` turns DEBUG on, so a missing page is answered as a developer sees it.
    """
    superuser = visitors("admin")
    superuser.log_in(get_user_model().objects.get(username="admin"))
    page = superuser.page
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        opts = model._meta
        page.goto(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        expect(page.locator("#changelist")).to_be_visible()
        first = model._default_manager.order_by("pk").first()
        page.goto(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        expect(page.locator("#content-main")).to_be_visible()

    for path in ("/purchase-orders/PONOSUCHORDER/", "/no/such/page/"):
        response = page.goto(path)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        # Styled by the portal's stylesheet, which the policy lets load.
        header = "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        assert page.evaluate(header) != "rgba(0, 0, 0, 0)"
        # Chromium reports the page's own 404 status; that one report is
        # expected, and anything the policy refused would be reported too.
        own_status = (
            "Failed to load resource: the server responded with a status of 404 (Not Found) "
            f"({response.url})"
        )
        assert superuser.console_errors == [own_status]
        superuser.console_errors.clear()
    superuser.shot("debug-404")
