"""A big order's admin page: its lines read-only, 50 a page, searchable; nothing saved with them."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from purchase_orders.admin.drafts import MAX_EDITABLE_LINES
from purchase_orders.models import LineItem, PurchaseOrder
from purchase_orders.services.purchase_orders import send_purchase_order
from tests.factories import UserFactory
from tests.purchase_orders.admin.test_draft_editing import form_data, is_consistent

pytestmark = pytest.mark.django_db

FILTERS = "status__exact=CREATED&q=PO"


def change_url(purchase_order: PurchaseOrder) -> str:
    return reverse("admin:purchase_orders_purchaseorder_change", args=[purchase_order.pk])


def shown_lines(response) -> list[str]:
    """Return the serial numbers of the lines on the page, in order."""
    return re.findall(
        r'field-product_description">\s*<p>A4 copier paper, 75 gsm, box (\d+)<',
        response.content.decode(),
    )


def links(response) -> dict[str, dict]:
    """Return the query of each of the lines' page links, by its text."""
    navigation = response.content.decode().split('id="lines-paging"')[1].split("</nav>")[0]
    return {
        text: parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', navigation)
    }


@pytest.fixture
def sent(people) -> PurchaseOrder:
    return people.purchase_order(lines=120, sent=True)


def test_a_sent_orders_lines_are_read_only_and_50_a_page(admin_client, sent):
    response = admin_client.get(change_url(sent), {"_changelist_filters": FILTERS})
    content = response.content.decode()

    assert shown_lines(response) == [str(number) for number in range(1, 51)]
    assert 'Line items <span class="paged-inline-range">1–50 of 120</span>' in content
    assert 'name="lines-0-product_description"' not in content
    assert 'name="_save"' not in content
    # Each line links to its own page, where its other taxes are.
    line = LineItem.objects.get(purchase_order=sent, serial_no="1")
    assert reverse("admin:purchase_orders_lineitem_change", args=[line.pk]) in content
    # The links keep the change list's filters, for the way back.
    assert links(response)["next ›"] == {"_changelist_filters": [FILTERS], "lines_page": ["2"]}
    assert links(response)["last »"]["lines_page"] == ["3"]
    assert "‹ previous" not in links(response)


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("2", range(51, 101)),
        ("3", range(101, 121)),
        # As Paginator.get_page reads them: past the end (or before the first
        # page) is the last page, anything else not a number is the first.
        ("4", range(101, 121)),
        ("0", range(101, 121)),
        ("abc", range(1, 51)),
        ("", range(1, 51)),
        ("2.5", range(1, 51)),
    ],
)
def test_every_line_is_reachable_and_no_page_number_fails(admin_client, sent, page, shown):
    response = admin_client.get(change_url(sent), {"lines_page": page})

    assert response.status_code == 200
    assert shown_lines(response) == [str(number) for number in shown]


def test_the_last_page_links_back_and_not_onwards(admin_client, sent):
    response = admin_client.get(change_url(sent), {"lines_page": "3"})

    assert "101–120 of 120" in response.content.decode()
    assert links(response)["‹ previous"] == {"lines_page": ["2"]}
    assert links(response)["« first"] == {}
    assert "next ›" not in links(response)


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("box 117", ["117"]),
        ("BOX 11", ["11", *(str(number) for number in range(110, 120))]),
        ('"gsm, box 99"', ["99"]),
        ("48025690 box 120", ["120"]),
        ("carbide", []),
    ],
)
def test_the_lines_are_searched_by_every_word(admin_client, sent, search, found):
    response = admin_client.get(
        change_url(sent), {"lines_q": search, "_changelist_filters": FILTERS}
    )
    content = response.content.decode()

    assert shown_lines(response) == found
    assert f"{len(found)} of {len(found)}" in content if found else "none" in content
    assert links(response)["all"] == {"_changelist_filters": [FILTERS]}


def test_a_search_past_one_page_keeps_its_words_in_the_page_links(admin_client, people):
    big = people.purchase_order(lines=60, sent=True)
    LineItem.objects.filter(purchase_order=big, position__lt=55).update(bar_code="8901234500017")

    response = admin_client.get(change_url(big), {"lines_q": "89012345"})

    assert "1–50 of 55" in response.content.decode()
    assert links(response)["next ›"] == {"lines_q": ["89012345"], "lines_page": ["2"]}
    second = admin_client.get(change_url(big), {"lines_q": "89012345", "lines_page": "2"})
    assert shown_lines(second) == ["51", "52", "53", "54", "55"]


def test_the_search_box_submits_a_get_form_outside_the_change_form(admin_client, sent):
    response = admin_client.get(
        change_url(sent), {"_changelist_filters": FILTERS, "lines_page": "2", "lines_q": "box"}
    )
    content = response.content.decode()

    change_form_end = content.index("</form>", content.index('id="purchaseorder_form"'))
    search = re.search(r'<form id="lines-search" method="get">(.*?)</form>', content, re.S)
    assert search.start() > change_form_end
    # The change list's filters go with the search; the page number starts over.
    assert re.findall(r'<input type="hidden" name="([^"]+)"', search.group(1)) == [
        "_changelist_filters"
    ]
    assert 'name="lines_q" value="box" form="lines-search"' in content
    assert '<button type="submit" form="lines-search">' in content


def test_a_sent_order_cannot_be_saved_from_admin_and_its_lines_stay(admin_client, sent):
    before = list(LineItem.objects.filter(purchase_order=sent).values())

    response = admin_client.post(
        change_url(sent),
        {"subject": "Changed", "lines-0-product_description": "Changed", "lines-TOTAL_FORMS": 1},
    )

    assert response.status_code == 403
    assert list(LineItem.objects.filter(purchase_order=sent).values()) == before
    assert PurchaseOrder.objects.get(pk=sent.pk).subject == sent.subject


def test_a_draft_of_up_to_the_limit_has_editable_lines(admin_client, people):
    draft = people.purchase_order(lines=MAX_EDITABLE_LINES)

    content = admin_client.get(change_url(draft)).content.decode()

    assert f'name="lines-{MAX_EDITABLE_LINES - 1}-product_description"' in content
    assert 'id="lines-paging"' not in content


def test_a_big_drafts_lines_are_paged_and_its_other_fields_save_without_them(admin_client, people):
    draft = people.purchase_order(lines=MAX_EDITABLE_LINES + 20)
    before = list(LineItem.objects.filter(purchase_order=draft).values())
    page = admin_client.get(change_url(draft), {"lines_page": "3"})
    content = page.content.decode()
    assert 'name="_save"' in content
    assert 'name="lines-0-product_description"' not in content
    assert shown_lines(page) == [str(number) for number in range(101, 121)]
    assert f"This draft has {MAX_EDITABLE_LINES + 20} lines" in content
    assert reverse("purchase_orders:edit", args=[draft.object_id]) in content

    data = form_data(page)
    data["subject"] = "Welding rods, 3.15 mm"
    # What a browser posts for the read-only lines: their page's management form.
    assert data["lines-TOTAL_FORMS"] == data["lines-INITIAL_FORMS"] == 20
    assert {name for name in data if name.startswith("lines-0-")} == {
        "lines-0-id",
        "lines-0-purchase_order",
    }
    response = admin_client.post(f"{change_url(draft)}?lines_page=3", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.subject == "Welding rods, 3.15 mm"
    assert list(LineItem.objects.filter(purchase_order=draft).values()) == before
    assert is_consistent(draft)


def test_a_staff_member_who_may_not_view_lines_sees_the_order_without_them(people, sent):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_purchaseorder"))
    client = Client()
    client.force_login(staff)

    response = client.get(change_url(sent))

    assert response.status_code == 200
    assert sent.buyer_po_number in response.content.decode()
    assert shown_lines(response) == []
    assert 'id="lines-search"' not in response.content.decode()


def test_the_lines_are_for_staff_only(people, sent):
    response = people.client(people.buyer_user).get(change_url(sent), {"lines_q": "box"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_draft_whose_send_waits_for_the_network_is_only_viewed(admin_client, people):
    draft = people.purchase_order(lines=3)
    send_purchase_order(purchase_order=draft, sent_by=people.buyer_user)
    before = list(LineItem.objects.filter(purchase_order=draft).values())

    page = admin_client.get(change_url(draft))
    post = admin_client.post(change_url(draft), {"subject": "Changed"})

    content = page.content.decode()
    assert 'name="_save"' not in content
    assert 'id="lines-paging"' in content
    assert shown_lines(page) == ["1", "2", "3"]
    assert post.status_code == 403
    assert list(LineItem.objects.filter(purchase_order=draft).values()) == before


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("'", 120),
        ('"', 120),
        ('""', 120),
        ("%", 0),
        ("_", 0),
        ("box\x0057", 1),
        ("\x00", 120),
        ("x" * 5000, 0),
    ],
    ids=[
        "quote",
        "double quote",
        "empty quotes",
        "percent",
        "underscore",
        "nul",
        "only nul",
        "long",
    ],
)
def test_any_search_gives_a_page_never_an_error(admin_client, sent, search, found):
    response = admin_client.get(change_url(sent), {"lines_q": search})

    assert response.status_code == 200
    assert len(shown_lines(response)) == min(found, 50)
