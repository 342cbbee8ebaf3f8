"""The buyer's list of purchase orders and the supplier's inbox."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from purchase_orders import forms, selectors
from purchase_orders.lifecycle import BUYER, SUPPLIER
from purchase_orders.views import live

PAGE_SIZE = 25

# List columns sorted by a click on their heading: key -> (label, ascending, descending).
SORTABLE_COLUMNS = {
    "number": ("PO number", "number", "-number"),
    "order_date": ("Order date", "oldest", "newest"),
    "total": ("Total", "total", "-total"),
}


def filtered_list(request, *, role: str):
    """Return the list's filter form, its valid filters and the orders they list.

    The page and its downloads read the same query string alike.
    """
    viewer = request.viewer
    if role == BUYER and not viewer.is_buyer or role == SUPPLIER and not viewer.is_supplier:
        raise PermissionDenied(f"Only {role}s see this list.")
    form = forms.PurchaseOrderFilterForm(
        request.GET, role=role, counterparties=selectors.counterparties(viewer=viewer, role=role)
    )
    filters = form.filters()
    return form, filters, selectors.list_purchase_orders(viewer=viewer, role=role, **filters)


def _list_page(request, *, role: str, title: str):
    viewer = request.viewer
    form, filters, queryset = filtered_list(request, role=role)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # The buyer's list is newest first unless told otherwise; the inbox has its own order.
    current = filters["ordering"] or ("newest" if role == BUYER else "")
    columns = []
    for key, (label, ascending, descending) in SORTABLE_COLUMNS.items():
        direction = (
            "ascending" if current == ascending else "descending" if current == descending else ""
        )
        columns.append(
            {
                "key": key,
                "label": label,
                "sort": descending if current == ascending else ascending,
                "aria_sort": direction,
            }
        )
    context = {
        "nav": "list" if role == BUYER else "inbox",
        "title": title,
        "role": role,
        "form": form,
        "page": page,
        "purchase_orders": page.object_list,
        "namesakes": selectors.namesakes(
            business for po in page.object_list for business in (po.buyer, po.supplier)
        ),
        "columns": {column["key"]: column for column in columns},
        "is_filtered": any(filters[name] for name in filters if name != "ordering"),
        # Every page of the list as filtered, searched and sorted.
        "download_names": {
            "csv": f"purchase_orders:{'list' if role == BUYER else 'inbox'}-csv",
            "xlsx": f"purchase_orders:{'list' if role == BUYER else 'inbox'}-xlsx",
        },
    }
    context["live"] = live.follow_list(viewer=viewer, role=role)
    return render(request, "purchase_orders/list.html", context)


@login_required
@require_GET
def purchase_order_list(request):
    return _list_page(request, role=BUYER, title="Purchase orders")


@login_required
@require_GET
def inbox(request):
    return _list_page(request, role=SUPPLIER, title="Received purchase orders")
