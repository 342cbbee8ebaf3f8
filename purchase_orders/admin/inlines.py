"""Inlines on the purchase order and line pages: draft contents and records."""

import operator
from functools import cached_property, reduce

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import QueryDict
from django.utils.text import smart_split, unescape_string_literal

from purchase_orders.admin.drafts import COMPUTED_LINE_FIELDS, MAX_EDITABLE_LINES, is_draft
from purchase_orders.models import (
    InboundEvent,
    LineItem,
    LineItemTax,
    OtherCharge,
    OutboundMessage,
    Party,
    PaymentMilestone,
    PurchaseOrderAddress,
    PurchaseOrderVersion,
    StatusChange,
)


class DraftContentsInline:
    """An inline whose rows can be changed only while the purchase order is a draft."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_draft(obj) and super().has_delete_permission(request, obj)


class ReadOnlyInline:
    """An inline that lists records and links to them; nothing is changed here."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(DraftContentsInline, admin.StackedInline):
    model = Party
    max_num = 2
    fields = (
        ("role", "b2b_id", "gstin"),
        ("legal_name", "trade_name"),
        ("state_code", "place_of_supply"),
        ("address_type", "address_line1", "address_line2"),
        ("city", "state", "pincode", "country"),
        ("contact_type", "country_code", "phone_number", "email"),
    )


class AddressInline(DraftContentsInline, admin.StackedInline):
    model = PurchaseOrderAddress
    fields = (
        ("position", "purpose", "address_type"),
        ("address_line1", "address_line2"),
        ("city", "state", "pincode", "country"),
    )


class LineItemInline(DraftContentsInline, admin.TabularInline):
    """The main columns of each line; the rest, and its other taxes, on the line's page."""

    model = LineItem
    show_change_link = True
    fields = (
        "position",
        "serial_no",
        "product_description",
        "hsn_code",
        "is_service",
        "quantity",
        "unit",
        "unit_price",
        "gst_rate",
        *COMPUTED_LINE_FIELDS,
    )
    readonly_fields = COMPUTED_LINE_FIELDS


class PagedInlineFormSet(BaseInlineFormSet):
    """An inline formset of one page of its rows, optionally searched.

    ``query`` (the request's GET) names the page (``<prefix>_page``) and the
    search (``<prefix>_q``); ``search_fields`` are searched as the admin's
    change list searches: each word must be in one of them. A page number
    that is not one (or past the end) gives the first (or last) page, as
    ``Paginator.get_page`` does. Links to other pages keep the rest of the
    query, the admin's ``_changelist_filters`` included.
    """

    query = QueryDict()
    per_page = 50
    search_fields = ()

    @property
    def page_parameter(self) -> str:
        return f"{self.prefix}_page"

    @property
    def search_parameter(self) -> str:
        return f"{self.prefix}_q"

    @property
    def search(self) -> str:
        # No stored text can hold a NUL (PostgreSQL refuses one in a query):
        # it parts words, as a space does.
        return self.query.get(self.search_parameter, "").replace("\x00", " ").strip()

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            rows = super().get_queryset()
            if self.search:
                rows = rows.filter(self._search_filter(self.search))
            self.page = Paginator(rows, self.per_page).get_page(self.query.get(self.page_parameter))
            self._queryset = self.page.object_list
        return self._queryset

    def _search_filter(self, search: str) -> Q:
        words = []
        for word in smart_split(search):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            words.append(
                reduce(
                    operator.or_,
                    (Q(**{f"{field}__icontains": word}) for field in self.search_fields),
                )
            )
        return reduce(operator.and_, words)

    def page_url(self, number: int | None, *, searched: bool = True) -> str:
        """Return the query string of page ``number`` of this search (or of all rows)."""
        query = self.query.copy()
        query.pop(self.page_parameter, None)
        if not searched:
            query.pop(self.search_parameter, None)
        if number and number > 1:
            query[self.page_parameter] = number
        return f"?{query.urlencode()}"

    @cached_property
    def navigation(self) -> dict:
        """Return what the page's navigation shows: its rows' range and its links.

        A draft's lines are here because there are too many to edit on the
        page: ``draft_lines`` says how many, for the note that says so.
        """
        self.get_queryset()
        page = self.page
        count = page.paginator.count
        return {
            "draft_lines": (
                getattr(self.instance, "_admin_line_count", None)
                if is_draft(self.instance)
                else None
            ),
            "max_editable_lines": MAX_EDITABLE_LINES,
            "showing": (
                f"{page.start_index():,}–{page.end_index():,} of {count:,}" if count else "none"
            ),
            "first": self.page_url(1) if page.number > 2 else None,
            "previous": self.page_url(page.number - 1) if page.has_previous() else None,
            "next": self.page_url(page.number + 1) if page.has_next() else None,
            "last": (
                self.page_url(page.paginator.num_pages)
                if page.number < page.paginator.num_pages - 1
                else None
            ),
            "all": self.page_url(1, searched=False) if self.search else None,
            "hidden": [
                (name, value)
                for name, values in self.query.lists()
                if name not in (self.page_parameter, self.search_parameter)
                for value in values
            ],
        }


class PagedLineItemInline(ReadOnlyInline, admin.TabularInline):
    """The lines of an order that is not edited here, read-only, a page at a time.

    A sent order's lines change only through its buyer's edit, and an order
    can have thousands of them (the network allows about 4,400), so they are
    shown 50 a page, searchable by description, HSN/SAC, bar code, serial
    numbers and line reference. This is the admin's own tabular inline
    with a formset that holds one page (``PagedInlineFormSet``) rather than
    a table of its own: the columns, the read-only display and each line's
    link stay the admin's, and a POST of the page (a big draft's other
    fields) builds the same page's forms, which, read-only, are never saved.
    A read-only field of the order drawing a table would not see the
    request (its page and search), and a link to the lines' change list
    would take them off the order's page. The page's queries do not grow
    with the lines: a count and one page.
    """

    model = LineItem
    formset = PagedInlineFormSet
    template = "admin/purchase_orders/edit_inline/paged_tabular.html"
    fields = LineItemInline.fields
    search_fields = (
        "product_description",
        "hsn_code",
        "bar_code",
        "serial_no",
        "product_serial_number",
        "order_line_reference",
    )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(
            formset.__name__,
            (formset,),
            {"query": request.GET, "search_fields": self.search_fields},
        )


class OtherChargeInline(DraftContentsInline, admin.TabularInline):
    model = OtherCharge
    fields = ("position", "charge_type", "amount")


class MilestoneInline(DraftContentsInline, admin.TabularInline):
    model = PaymentMilestone
    fields = ("position", "due_on", "due_amount")


class VersionInline(ReadOnlyInline, admin.TabularInline):
    model = PurchaseOrderVersion
    fields = ("version", "reason", "created_by_name", "created_by_business", "created_at")

    def get_queryset(self, request):
        # A snapshot holds every line of its version: megabytes, and not shown here.
        return (
            super()
            .get_queryset(request)
            .select_related("purchase_order", "created_by_business")
            .defer("snapshot", "purchase_order__search_text")
        )


class StatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = StatusChange
    fields = (
        "created_at",
        "from_status",
        "to_status",
        "version",
        "action",
        "stage",
        "remarks",
        "actor_name",
        "actor_business",
        "via_network",
        "error_code",
        "error_field",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_business")


class OutboundMessageInline(ReadOnlyInline, admin.TabularInline):
    model = OutboundMessage
    verbose_name_plural = "network messages sent"
    fields = (
        "created_at",
        "kind",
        "req_msg_id",
        "object_version",
        "state",
        "attempts",
        "response_status",
        "error_code",
        "settled_at",
    )

    def get_queryset(self, request):
        # A req-send body carries every line: megabytes, and on the message's page.
        return super().get_queryset(request).defer("body")


class InboundEventInline(ReadOnlyInline, admin.TabularInline):
    model = InboundEvent
    verbose_name_plural = "network messages received"
    fields = (
        "received_at",
        "kind",
        "req_msg_id",
        "state",
        "response_status",
        "error_code",
        "repeats",
    )

    def get_queryset(self, request):
        # As for the messages sent: a body, its answer (which echoes a
        # req-send's body) and its headers are read on the event's own page.
        return super().get_queryset(request).defer("body", "response_body", "headers")


class LineItemTaxInline(admin.TabularInline):
    model = LineItemTax
    extra = 0
    fields = ("position", "name", "rate", "amount")
    readonly_fields = ("amount",)

    def _is_draft_line(self, line: LineItem | None) -> bool:
        return line is None or is_draft(line.purchase_order)

    def has_add_permission(self, request, obj=None):
        return self._is_draft_line(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_draft_line(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_draft_line(obj) and super().has_delete_permission(request, obj)
