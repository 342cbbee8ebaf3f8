"""The supplier directory ("Suppliers"): list, ask the network, add, see, remove.

Only buyers have a directory: anyone else gets 403. A supplier, or a search,
of a business the viewer does not belong to is 404; of one the viewer
belongs to in another role, 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from purchase_orders import forms, selectors
from purchase_orders.exceptions import DirectoryError, PurchaseOrderError
from purchase_orders.models import MembershipRole
from purchase_orders.services import suppliers
from purchase_orders.views import live
from purchase_orders.views.common import require_business_role

PAGE_SIZE = 25
ORDERS_SHOWN = 20


def _require_buyer(viewer) -> None:
    if not viewer.is_buyer:
        raise PermissionDenied("Only buyers keep a supplier directory.")


def _form_error(form, error: PurchaseOrderError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    field = error.path[0] if error.path else None
    form.add_error(field if field in form.fields else None, error.message)


@login_required
@require_GET
def supplier_list(request):
    viewer = request.viewer
    _require_buyer(viewer)
    form = forms.SupplierFilterForm(request.GET)
    query = form.query()
    links = selectors.list_supplier_links(viewer=viewer, query=query)
    page = Paginator(links, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "suppliers",
        "form": form,
        "query": query,
        "page": page,
        "links": page.object_list,
        "several_buyers": len(viewer.buyer_ids) > 1,
        "namesakes": selectors.namesakes(link.supplier for link in page.object_list),
    }
    return render(request, "purchase_orders/suppliers/list.html", context)


@login_required
def supplier_add(request):
    viewer = request.viewer
    _require_buyer(viewer)
    buyers = selectors.buyer_choices(viewer=viewer)
    if request.method != "POST":
        initial = {
            name: request.GET[name] for name in ("parameter", "value") if request.GET.get(name)
        }
        form = forms.SupplierSearchForm(buyers=buyers, initial=initial)
        return _render_add(request, form)
    form = forms.SupplierSearchForm(request.POST, buyers=buyers)
    if not form.is_valid():
        return _render_add(request, form)
    data = form.cleaned_data
    known = selectors.find_in_directory(
        buyer=data["buyer"], parameter=data["parameter"], value=data["value"]
    )
    if known is not None:
        messages.info(request, f"{known.supplier} is already among your suppliers.")
        return redirect("purchase_orders:supplier-detail", link_id=known.pk)
    try:
        search = suppliers.ask_network_for_supplier(
            buyer=data["buyer"],
            asked_by=request.user,
            parameter=data["parameter"],
            value=data["value"],
        )
    except PurchaseOrderError as error:
        _form_error(form, error)
        return _render_add(request, form)
    return redirect(search)


def _render_add(request, form):
    return render(request, "purchase_orders/suppliers/add.html", {"nav": "suppliers", "form": form})


@login_required
def supplier_search(request, pk: int):
    """The network's answer to a search, followed live; pick a B2B ID and add the supplier."""
    viewer = request.viewer
    _require_buyer(viewer)
    search = selectors.get_supplier_search(viewer=viewer, pk=pk)
    require_business_role(viewer, search.buyer_id, MembershipRole.BUYER)
    source = request.POST if request.method == "POST" else request.GET
    picked = source.get("b2b_id", "")
    entity = search.entity_of(picked) if picked else None
    own = None
    if entity is not None and picked == search.buyer.b2b_id:
        # The buyer itself is not offered as its own supplier.
        own, entity = picked, None
    known = selectors.known_businesses(search.b2b_ids())
    details = None
    if entity is not None and picked not in known:
        details = forms.SupplierDetailsForm(
            request.POST if request.method == "POST" else None,
            search=search,
            initial=forms.SupplierDetailsForm.initial_from(search=search, entity=entity),
        )
    error = (
        f"{own} is the B2B ID of {search.buyer} itself; a business is not its own supplier."
        if own
        else ""
    )
    if request.method == "POST" and not own:
        if entity is None:
            error = "Choose one of the B2B IDs the network listed."
        elif details is None or details.is_valid():
            try:
                link = suppliers.add_supplier_from_search(
                    search=search,
                    b2b_id=picked,
                    added_by=request.user,
                    details=None
                    if details is None
                    else suppliers.SupplierDetails(**details.cleaned_data),
                )
            except DirectoryError as refusal:
                if details is None:
                    error = refusal.message
                else:
                    _form_error(details, refusal)
            except PurchaseOrderError as refusal:
                error = refusal.message
            else:
                messages.success(request, f"{link.supplier} is now among your suppliers.")
                return redirect("purchase_orders:supplier-detail", link_id=link.pk)
    progress = selectors.search_progress(search)
    in_directory = selectors.directory_supplier_ids(buyer=search.buyer)
    context = {
        "nav": "suppliers",
        "search": search,
        "progress": progress,
        "entities": [
            {
                **found,
                "b2b_ids": [
                    {
                        **b2b_id,
                        "known": known.get(b2b_id["value"]),
                        "own": b2b_id["value"] == search.buyer.b2b_id,
                        "in_directory": (
                            b2b_id["value"] in known and known[b2b_id["value"]].pk in in_directory
                        ),
                    }
                    for b2b_id in found.get("b2bIds", [])
                ],
            }
            for found in search.results
        ],
        "picked": picked if entity is not None else "",
        "picked_entity": entity,
        "picked_business": known.get(picked) if entity is not None else None,
        "details": details,
        "error": error,
    }
    # Followed even once answered: a page opened while waiting swaps in the
    # answer only from a fresh page that follows the search too.
    context["live"] = live.follow_supplier_search(viewer=viewer, search=search)
    return render(request, "purchase_orders/suppliers/search.html", context)


@login_required
@require_GET
def supplier_detail(request, link_id: int):
    viewer = request.viewer
    _require_buyer(viewer)
    link = selectors.get_supplier_link(viewer=viewer, link_id=link_id)
    require_business_role(viewer, link.buyer_id, MembershipRole.BUYER)
    orders = selectors.supplier_orders(link=link)
    context = {
        "nav": "suppliers",
        "link": link,
        "supplier": link.supplier,
        "orders": orders[:ORDERS_SHOWN],
        "orders_count": orders.count(),
        "people": selectors.supplier_people(supplier=link.supplier),
        "invitations": list(selectors.supplier_invitations(link=link)[:ORDERS_SHOWN]),
        "namesakes": selectors.namesakes([link.supplier]),
        "role": "buyer",
    }
    return render(request, "purchase_orders/suppliers/detail.html", context)


@login_required
@require_POST
def supplier_remove(request, link_id: int):
    viewer = request.viewer
    _require_buyer(viewer)
    link = selectors.get_supplier_link(viewer=viewer, link_id=link_id)
    require_business_role(viewer, link.buyer_id, MembershipRole.BUYER)
    try:
        supplier = suppliers.remove_supplier(link=link, removed_by=request.user)
    except PurchaseOrderError as error:
        messages.error(request, error.message)
        return redirect("purchase_orders:supplier-list")
    messages.success(
        request,
        f"{supplier} is no longer among your suppliers. Its purchase orders are kept as "
        "they were sent.",
    )
    return redirect("purchase_orders:supplier-list")
