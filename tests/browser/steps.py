"""What the browser tests look for on a page, named once."""

import re

from django.core import mail
from playwright.sync_api import expect

# The password people choose when they join from an invitation.
NEW_PASSWORD = "kaveri-looms-2026"


def error_of(page, field):
    """Return the error list that a field's aria-describedby points at."""
    ids = (field.get_attribute("aria-describedby") or "").split()
    errors = [name for name in ids if name.endswith("_error")]
    assert errors, "the field does not point at an error"
    return page.locator(f"[id='{errors[0]}']")


def notice(page):
    """Return the page's message of success."""
    return page.locator(".alert--success")


def status_badge(page):
    """Return the status shown in a purchase order's heading."""
    return page.locator(".po-head__meta .badge")


def pending(page):
    """Return the page's note of an action sent from here and not yet acknowledged."""
    return page.locator(".alert[data-pending-action]")


def fact(page, label: str):
    """Return the value of one of the facts listed on a purchase order's page."""
    return page.locator(".facts > div").filter(has=page.get_by_text(label, exact=True)).locator(
        "dd"
    )


def total(page, label: str):
    """Return one of the totals the purchase-order form works out as it is typed."""
    totals = page.locator("[data-totals]")
    return totals.locator("div").filter(has=page.get_by_text(label, exact=True)).locator("dd")


def fill_line(page, number: int, line: dict) -> None:
    """Type a line, given as in ``THREE_LINES``, into line ``number`` of the form."""
    row = page.get_by_role("group", name=f"Line {number}", exact=True)
    row.get_by_label("Description", exact=True).fill(line["product_description"])
    row.get_by_label("HSN/SAC code", exact=True).fill(line["hsn_code"])
    row.get_by_label("Quantity", exact=True).fill(line["quantity"])
    row.get_by_label("Unit", exact=True).fill(line.get("unit", "NOS"))
    row.get_by_label("Unit price (₹)").fill(line["unit_price"])
    if "discount" in line:
        row.get_by_label("Discount (₹)").fill(line["discount"])
    row.get_by_label("GST rate (%)").fill(line.get("gst_rate", "18"))
    if line.get("is_service"):
        row.get_by_label("This line is a service (SAC code)").check()


def add_to_line_list(page, line: int, add_label: str, row_name: str, values: dict):
    """Add a row to one of a line's lists under its "More details" and type ``values``.

    ``values`` maps each field's label to its text; returns the new row.
    """
    row = page.get_by_role("group", name=f"Line {line}", exact=True)
    more = row.locator("details.more")
    if more.get_attribute("open") is None:
        more.locator("summary").click()
    row.get_by_role("button", name=add_label, exact=True).click()
    item = row.get_by_role("group", name=row_name, exact=True)
    for label, text in values.items():
        item.get_by_label(label, exact=True).fill(text)
    return item


def mails_to(user) -> list:
    """Return the e-mails sent to a user so far."""
    return [email for email in mail.outbox if email.to == [user.email]]


def invitation_link(email) -> str:
    """Return the invitation's link in an e-mail."""
    return re.search(r"https?://\S+/invitations/[^/\s]+/", email.body).group(0)


def sign_up(visitor, link: str, username: str) -> None:
    """Open an invitation's link in a browser of one's own and choose a username and password."""
    page = visitor.page
    page.goto(link)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_label("Password confirmation").fill("password")
    page.get_by_role("button", name=re.compile(r"^Join ")).click()
    # Django's password validators: shown beside the password, nothing made.
    expect(page.locator(".errorlist")).to_contain_text("This password is too common.")
    visitor.shot("weak-password")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile(r"^Join ")).click()
    page.wait_for_url(re.compile(r"/$"))
