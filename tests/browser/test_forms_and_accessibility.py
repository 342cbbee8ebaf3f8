"""Bad input, the keyboard, labels and a phone's screen, in the browser."""

import pytest
from playwright.sync_api import expect

from purchase_orders.models import LineItem, OutboundMessage, PurchaseOrder
from tests.browser.steps import error_of, notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Every visible form control with no label: its name (or its HTML).
UNLABELLED = """() => Array.from(
  document.querySelectorAll("input, select, textarea")
).filter((control) => {
  if (control.type === "hidden" || control.closest("template")) return false;
  const named = control.labels.length > 0 || control.getAttribute("aria-label")
    || control.getAttribute("aria-labelledby");
  return !named;
}).map((control) => control.name || control.outerHTML)"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The portal's stylesheet colours the header; its script marks the page "js".
STYLED_AND_SCRIPTED = """() => [
  getComputedStyle(document.querySelector(".site-header")).backgroundColor
    !== "rgba(0, 0, 0, 0)",
  document.documentElement.classList.contains("js"),
]"""


def counts(portal_lock) -> tuple[int, int, int]:
    with portal_lock:
        return (
            PurchaseOrder.objects.count(),
            LineItem.objects.count(),
            OutboundMessage.objects.count(),
        )


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(
    people, visitors, portal_lock
):
    existing = people.purchase_order()
    before = counts(portal_lock)
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
    page.get_by_label("Your GSTIN for this order").fill("29AAAAA0000A1Z9")
    line = page.get_by_role("group", name="Line 1", exact=True)
    line.get_by_label("Description", exact=True).fill("A4 copier paper, 75 gsm")
    line.get_by_label("HSN/SAC code", exact=True).fill("48025690")
    line.get_by_label("Quantity", exact=True).fill("-2")
    line.get_by_label("Unit price (₹)").fill("1250.00")
    page.get_by_role("button", name="Add milestone", exact=True).click()
    milestone = page.get_by_role("group", name="Milestone 1", exact=True)
    milestone.get_by_label("Amount due").fill("100.00")
    expect(page.locator("[data-milestone-check]")).to_contain_text("The milestones add up to")

    page.get_by_role("button", name="Save draft", exact=True).click()

    expect(page.locator(".error-summary")).to_be_focused()
    gstin = page.get_by_label("Your GSTIN for this order")
    quantity = page.get_by_role("group", name="Line 1", exact=True).get_by_label(
        "Quantity", exact=True
    )
    for field in (gstin, quantity):
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(error_of(page, field)).to_be_visible()
    expect(error_of(page, quantity)).to_have_text("The quantity must be more than zero.")
    expect(gstin).to_have_value("29AAAAA0000A1Z9")
    buyer.shot("gstin-and-quantity-errors")
    assert counts(portal_lock) == before

    # Put those right: now the milestones, which do not add up, are refused.
    gstin.fill(existing.buyer.gstin)
    quantity.fill("2")
    page.get_by_role("button", name="Save draft", exact=True).click()
    milestones = page.locator("#part-milestones")
    expect(milestones.locator(".errorlist")).to_have_text(
        "The payment milestones add up to ₹100.00 but the purchase order's total is "
        "₹2,950.00; make them equal."
    )
    expect(milestones.get_by_label("Amount due")).to_have_value("100.00")
    summary_link = page.locator(".error-summary a[href='#part-milestones']")
    expect(summary_link).to_be_visible()
    buyer.shot("milestones-error")
    assert counts(portal_lock) == before


def test_the_login_and_the_form_work_from_the_keyboard(people, visitors, portal_lock):
    buyer = visitors("buyer")
    page = buyer.page
    page.goto("/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(people.buyer_user.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("demo-pass-123")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Log in")

    page.goto("/purchase-orders/new/")
    tab_to(page, "select[name=supplier]")
    page.keyboard.type("Sahyadri")
    expect(page.get_by_label("Supplier", exact=True)).to_have_value(str(people.supplier.pk))
    tab_to(page, "input[name='lines-0-product_description']")
    page.keyboard.type("A4 copier paper, 75 gsm")
    for name, text in (("hsn_code", "48025690"), ("quantity", "10"), ("unit", "BOX")):
        page.keyboard.press("Tab")
        expect(page.locator(f"input[name='lines-0-{name}']")).to_be_focused()
        page.keyboard.press("Control+a")
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    page.keyboard.type("1250")
    # Enter in a field keeps to the field: it must not press "Add line".
    page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Line 2", exact=True)).to_have_count(0)
    tab_to(page, "button[data-add-row][value=lines]")
    page.keyboard.press("Enter")
    expect(page.locator("input[name='lines-1-product_description']")).to_be_focused()
    page.keyboard.type("Printer toner, black")
    expect(page.locator("[data-total=total]")).to_have_text("₹14,750.00")
    buyer.shot("typed-by-keyboard")
    # The second line is left half done: saving says so, next to its fields.
    tab_to(page, ".actions button[value=save]")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    assert counts(portal_lock) == (0, 0, 0)
    tab_to(page, "#lines-1-row [data-remove-row]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="Line 2", exact=True)).to_be_hidden()
    tab_to(page, ".actions button[value=save]")
    page.keyboard.press("Enter")
    expect(notice(page)).to_contain_text("saved")
    assert counts(portal_lock)[:2] == (1, 1)


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the element ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_every_control_has_a_label(people, visitors):
    purchase_order = people.purchase_order(sent=True)
    buyer = visitors("buyer")
    supplier = visitors("supplier")
    page = buyer.page
    page.goto("/login/")
    assert page.evaluate(UNLABELLED) == []
    buyer.log_in(people.buyer_user)
    supplier.log_in(people.supplier_user)
    for path in (
        "/",
        "/purchase-orders/",
        "/purchase-orders/new/",
        purchase_order.get_absolute_url(),
        f"{purchase_order.get_absolute_url()}edit/",
        f"{purchase_order.get_absolute_url()}status/",
        "/password/change/",
    ):
        page.goto(path)
        assert page.evaluate(UNLABELLED) == [], path
    for path in ("/purchase-orders/received/", purchase_order.get_absolute_url()):
        supplier.page.goto(path)
        assert supplier.page.evaluate(UNLABELLED) == [], path


def test_the_pages_fit_a_phone(people, visitors):
    purchase_order = people.purchase_order(sent=True, lines=3)
    buyer = visitors("buyer", viewport=PHONE)
    buyer.log_in(people.buyer_user)
    page = buyer.page
    for step, path in (
        ("purchase-order", purchase_order.get_absolute_url()),
        ("list", "/purchase-orders/"),
        ("form", "/purchase-orders/new/"),
    ):
        page.goto(path)
        assert page.evaluate(STYLED_AND_SCRIPTED) == [True, True], path
        assert page.evaluate(OVERFLOW) <= 0, f"{path} is wider than the phone"
        buyer.shot(f"phone-{step}")
