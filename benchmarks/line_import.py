"""Lines imported into the purchase-order form: 1,000 lines from a CSV, against 10.

Each size goes through the form as a buyer's browser does, over the test
client: the file is posted and read (its columns matched), the mapping is
posted and every row checked by the line form (the form comes back with the
lines filled in), and that form is posted as it was rendered to save the
draft. Prints each step's time and the ratio of 1,000 lines to 10; the goal
is under 3 s for the three steps of 1,000 lines.

    python -m benchmarks.line_import [--lines 1000] [--baseline 10]
"""

import argparse
from html.parser import HTMLParser
from urllib.parse import urlencode

from benchmarks import harness

GOAL_SECONDS = 3.0


class FormFields(HTMLParser):
    """Collect what a browser would post from the page's purchase-order form."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._select = None
        self._textarea = None
        self._template = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-po-form" in attrs:
            self._in_form = True
        if not self._in_form:
            return
        if tag == "template":
            self._template += 1
        if self._template:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"file", "submit"}:
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "on"
            else:
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "template" and self._template:
            self._template -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea and not self._template:
            self.fields[self._textarea] += data


def form_fields(content: str) -> dict:
    parser = FormFields()
    parser.feed(content)
    return parser.fields


def post_as_browser(client, url, fields: dict):
    """Post the form's fields URL-encoded, as the browser does for the form's buttons."""
    return client.post(url, urlencode(fields), content_type="application/x-www-form-urlencoded")


def spreadsheet(lines: int) -> bytes:
    rows = ["Item,HSN/SAC,Qty,Unit,Rate (₹),Discount,GST %,Cess"]
    for number in range(1, lines + 1):
        cess = "1" if number % 5 == 0 else ""
        rows.append(
            f'"Carbide drill bit, {number} mm",82075000,"1,{number % 1000:03d}",PCS,'
            f'"₹{number % 90 + 10},250.50",{number % 7},18,{cess}'
        )
    return ("\r\n".join(rows) + "\r\n").encode("utf-8-sig")


def exercise(*, client, supplier, lines: int) -> dict:
    """Import ``lines`` lines into a new order's form and save it; return each step's time."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("purchase_orders:create")
    page = client.get(url).content.decode()
    fields = form_fields(page)
    fields["supplier"] = str(supplier.pk)
    seconds = {}

    upload = SimpleUploadedFile("lines.csv", spreadsheet(lines), content_type="text/csv")
    seconds["read the file"], response = harness.timed(
        client.post, url, {**fields, "import_step": "read", "import-file": upload}
    )
    assert response.status_code == 200, response.status_code
    fields = form_fields(response.content.decode())
    assert fields["import-column-7"] == "cess", "the headings were not matched"

    seconds["check and fill the lines"], response = harness.timed(
        post_as_browser, client, url, {**fields, "import_step": "apply"}
    )
    content = response.content.decode()
    assert f"{lines} line" in content and "added from the spreadsheet" in content, (
        "the lines were not added"
    )
    fields = form_fields(content)
    assert fields["lines-TOTAL_FORMS"] == str(lines)

    seconds["save the draft"], response = harness.timed(
        post_as_browser, client, url, {**fields, "intent": "save"}
    )
    assert response.status_code == 302, response.status_code
    seconds["total"] = sum(seconds.values())
    return seconds


def signed_in_buyer():
    """Return (client signed in as a buyer, a supplier in the buyer's directory)."""
    from django.test import Client

    from purchase_orders.models import Membership, SupplierLink
    from tests.factories import BusinessFactory, MembershipFactory

    buyer = BusinessFactory()
    supplier = BusinessFactory()
    SupplierLink.objects.get_or_create(buyer=buyer, supplier=supplier)
    user = MembershipFactory(business=buyer, role=Membership.Role.BUYER).user
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client, supplier


def run(*, lines: int, baseline: int = 10) -> dict:
    harness.heading(f"Importing lines into the form: {lines} lines, against {baseline}")
    client, supplier = signed_in_buyer()
    # A first, unmeasured round warms the templates and the connection.
    exercise(client=client, supplier=supplier, lines=baseline)
    small = exercise(client=client, supplier=supplier, lines=baseline)
    big = exercise(client=client, supplier=supplier, lines=lines)
    print(f"{'step':<28} {baseline:>6} lines {lines:>6} lines   ratio")
    for step in small:
        ratio = big[step] / small[step] if small[step] else float("inf")
        print(f"{step:<28} {small[step] * 1000:8.1f} ms {big[step] * 1000:8.1f} ms {ratio:7.1f}x")
    per_line = (big["total"] - small["total"]) / (lines - baseline) * 1000
    print(f"each further line: {per_line:.2f} ms; goal for {lines} lines: {GOAL_SECONDS:.0f} s")
    within = big["total"] < GOAL_SECONDS
    verdict = "met" if within else f"missed, by a factor of {big['total'] / GOAL_SECONDS:.1f}"
    print(f"{lines} lines in {big['total']:.2f} s: the goal is {verdict}")
    return {"seconds": big, "baseline": small, "ok": True, "within_goal": within}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=10)
    options = parser.parse_args()
    harness.setup_django()
    return 0 if run(lines=options.lines, baseline=options.baseline)["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
