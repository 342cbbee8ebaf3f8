"""The purchase-order form in Chromium: lines from a spreadsheet, numbers as typed in India,
every error at once, a warning before unsaved changes are left, and Enter that removes nothing.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from purchase_orders.models import LineItem, PurchaseOrder
from tests.browser.steps import error_of, fill_line, notice, total

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Row 3 has a quantity that is not a number; column C's heading matches no field.
BAD_CSV = (
    "Item,HSN/SAC,Pieces,Unit,Rate (₹),GST %\r\n"
    '"A4 copier paper, 75 gsm",48025690,10,BOX,"1,250.00",18\r\n'
    'Carbide drill bits,82075000,ten,PCS,"₹1,200",18\r\n'
)
PASTED = (
    "Item\tHSN/SAC\tQty\tUnit\tRate\tGST rate\tCess\n"
    "A4 copier paper, 75 gsm\t48025690\t10\tBOX\t1,250.00\t18\t\n"
    "Carbide drill bits\t82075000\t1,000\tPCS\t₹1,200\t18\t1\n"
)


def counts(portal_lock) -> tuple[int, int]:
    with portal_lock:
        return PurchaseOrder.objects.count(), LineItem.objects.count()


def open_new_form(visitors, people):
    buyer = visitors("buyer")
    buyer.log_in(people.buyer_user)
    page = buyer.page
    page.goto("/purchase-orders/new/")
    page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
    return buyer, page


def line_group(page, number: int):
    return page.get_by_role("group", name=f"Line {number}", exact=True)


def test_lines_from_a_file_and_from_pasted_cells_fill_the_form_for_saving(
    people, visitors, portal_lock
):
    buyer, page = open_new_form(visitors, people)
    page.get_by_label("Subject").fill("Paper and drill bits")
    page.locator("#line-import summary").click()
    page.get_by_label("Spreadsheet file").set_input_files(
        {"name": "lines.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode("utf-8-sig")}
    )
    page.get_by_role("button", name="Read the spreadsheet").click()

    # Each column with its heading; the unmatched one is chosen by hand.
    expect(page.get_by_text("2 rows read.")).to_be_visible()
    expect(page.get_by_label("Column A is imported as")).to_have_value("product_description")
    pieces = page.get_by_label("Column C is imported as")
    expect(pieces).to_have_value("")
    pieces.select_option("quantity")
    page.get_by_label("Column D is imported as").select_option("quantity")
    clash = page.locator("[data-import-clash]")
    expect(clash).to_have_text("Columns C and D are both imported as quantity; choose one.")
    page.get_by_label("Column D is imported as").select_option("unit")
    expect(clash).to_be_hidden()
    expect(page.get_by_label("Subject")).to_have_value("Paper and drill bits")
    buyer.shot("columns-mapped")
    page.get_by_role("button", name="Add these lines").click()

    problems = page.locator("[data-import-problems] li")
    expect(problems).to_have_text(
        [
            "No line was added: put these rows right in the file and import it again.",
            "Row 3, quantity “ten”: Enter a quantity, such as 10 or 2.5.",
        ]
    )
    expect(line_group(page, 1).get_by_label("Description", exact=True)).to_have_value("")
    expect(line_group(page, 2)).to_have_count(0)
    buyer.shot("bad-row-named")
    assert counts(portal_lock) == (0, 0)

    page.get_by_role("button", name="Choose another file").click()
    page.get_by_label("Or paste cells from a spreadsheet").fill(PASTED)
    page.get_by_role("button", name="Read the spreadsheet").click()
    expect(page.get_by_label("Column G is imported as")).to_have_value("cess")
    page.get_by_role("button", name="Add these lines").click()

    expect(page.locator("[data-import-note]")).to_have_text(
        "2 lines added from the spreadsheet. Check them, then save: nothing is saved until you do."
    )
    second = line_group(page, 2)
    expect(line_group(page, 1).get_by_label("Description", exact=True)).to_have_value(
        "A4 copier paper, 75 gsm"
    )
    expect(second.get_by_label("Quantity", exact=True)).to_have_value("1000")
    expect(second.get_by_label("Unit price (₹)")).to_have_value("1200.00")
    # 12,500 + 18% and 12,00,000 + 18% + 1% cess, all IGST (Karnataka to Maharashtra).
    expect(total(page, "Total PO value")).to_have_text("₹14,42,750.00")
    buyer.shot("lines-filled")
    assert counts(portal_lock) == (0, 0)

    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(notice(page)).to_contain_text("saved")
    with portal_lock:
        purchase_order = PurchaseOrder.objects.get()
        assert purchase_order.lines.count() == 2
        assert purchase_order.total_po_value == Decimal("1442750.00")
        assert purchase_order.subject == "Paper and drill bits"


def test_numbers_typed_with_grouping_and_the_rupee_sign_give_the_saved_total(
    people, visitors, portal_lock
):
    buyer, page = open_new_form(visitors, people)
    fill_line(
        page,
        1,
        {
            "product_description": "Carbide inserts",
            "hsn_code": "82090090",
            "quantity": "1,000",
            "unit_price": "₹1,250.50",
            "discount": "Rs. 1,000",
            "gst_rate": "18%",
        },
    )
    # 1,000 x 1,250.50 less 1,000 = 12,49,500.00, and IGST 18% = 2,24,910.00.
    expect(total(page, "Total PO value")).to_have_text("₹14,74,410.00")
    price = line_group(page, 1).get_by_label("Unit price (₹)")
    price.fill("1,2,3")
    expect(line_group(page, 1).locator('[data-out="total"]')).to_have_text("—")
    page.get_by_role("button", name="Save draft", exact=True).click()
    price = line_group(page, 1).get_by_label("Unit price (₹)")
    expect(error_of(page, price)).to_have_text("Enter an amount in rupees, like 1,25,000.50.")
    assert counts(portal_lock) == (0, 0)

    price.fill("Rs. 1,250.50")
    expect(total(page, "Total PO value")).to_have_text("₹14,74,410.00")
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(notice(page)).to_contain_text("saved")
    with portal_lock:
        assert PurchaseOrder.objects.get().total_po_value == Decimal("1474410.00")


def test_a_bad_field_and_milestones_that_do_not_add_up_show_together(people, visitors, portal_lock):
    buyer, page = open_new_form(visitors, people)
    page.get_by_label("Your GSTIN for this order").fill("29AAAAA0000A1Z9")
    fill_line(
        page,
        1,
        {
            "product_description": "A4 copier paper, 75 gsm",
            "hsn_code": "48025690",
            "quantity": "2",
            "unit_price": "1250.00",
        },
    )
    page.get_by_role("button", name="Add milestone", exact=True).click()
    page.get_by_role("group", name="Milestone 1", exact=True).get_by_label("Amount due").fill("100")

    page.get_by_role("button", name="Save draft", exact=True).click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("There are 2 problems; nothing was saved")
    expect(summary.locator("a[href='#id_buyer_gstin']")).to_be_visible()
    milestones = summary.locator("a[href='#part-milestones']")
    expect(milestones).to_have_text(
        "The payment milestones add up to ₹100.00 but the purchase order's total is "
        "₹2,950.00; make them equal."
    )
    milestones.click()
    expect(page.locator("#part-milestones")).to_be_focused()
    buyer.shot("both-errors")
    assert counts(portal_lock) == (0, 0)


def test_leaving_with_unsaved_changes_asks_first(people, visitors, portal_lock):
    buyer, page = open_new_form(visitors, people)
    asked = []

    def answer(dialog):
        asked.append((dialog.type, dialog.message))
        if answers:
            dialog.accept()
        else:
            dialog.dismiss()

    answers = []
    page.on("dialog", answer)
    page.get_by_label("Subject").fill("Pantry supplies")

    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/purchase-orders/new/$"))
    assert asked == [("confirm", "Leave this purchase order? Your changes are not saved.")]

    page.get_by_role("link", name="Purchase orders", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/purchase-orders/new/$"))
    assert asked[-1][0] == "beforeunload"
    expect(page.get_by_label("Subject")).to_have_value("Pantry supplies")

    answers.append(True)
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/purchase-orders/$"))
    # Agreeing once is enough: the browser does not ask a second time.
    assert [kind for kind, _ in asked] == ["confirm", "beforeunload", "confirm"]

    # A form left untouched, or just saved, is left without a question.
    page.goto("/purchase-orders/new/")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/purchase-orders/$"))
    assert len(asked) == 3


def test_enter_in_a_line_removes_nothing_and_saving_keeps_every_line(people, visitors, portal_lock):
    buyer, page = open_new_form(visitors, people)
    paper = {
        "product_description": "A4 copier paper, 75 gsm",
        "hsn_code": "48025690",
        "quantity": "10",
        "unit_price": "1250",
    }
    fill_line(page, 1, paper)
    page.get_by_role("button", name="Add line", exact=True).click()
    fill_line(page, 2, {**paper, "product_description": "Printer toner, black"})

    line_group(page, 2).get_by_label("Description", exact=True).press("Enter")
    line_group(page, 1).get_by_label("Quantity", exact=True).press("Enter")

    expect(line_group(page, 1)).to_be_visible()
    expect(line_group(page, 2)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/purchase-orders/new/$"))
    assert counts(portal_lock) == (0, 0)
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(notice(page)).to_contain_text("saved")
    assert counts(portal_lock) == (1, 2)


def test_without_the_script_enter_saves_the_draft_and_removes_nothing(
    people, chromium, live_server, portal_lock
):
    from tests.browser.conftest import DESKTOP, TIMEOUT_MS
    from tests.factories import DEMO_PASSWORD

    context = chromium.new_context(
        base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(people.buyer_user.get_username())
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.goto("/purchase-orders/new/")
        page.get_by_label("Supplier", exact=True).select_option(str(people.supplier.pk))
        fill_line(
            page,
            1,
            {
                "product_description": "A4 copier paper, 75 gsm",
                "hsn_code": "48025690",
                "quantity": "10",
                "unit_price": "1,250",
            },
        )
        line_group(page, 1).get_by_label("Description", exact=True).press("Enter")
        expect(page.locator(".alert--success")).to_contain_text("saved")
        assert counts(portal_lock) == (1, 1)
    finally:
        context.close()
