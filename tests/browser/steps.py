"""What the browser tests look for on a page, named once."""

from django.core import mail


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
    row.get_by_label("GST rate").select_option(line.get("gst_rate", "18"))
    if line.get("is_service"):
        row.get_by_label("This line is a service (SAC code)").check()


def mails_to(user) -> list:
    """Return the e-mails sent to a user so far."""
    return [email for email in mail.outbox if email.to == [user.email]]
