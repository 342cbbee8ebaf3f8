"""Downloads: a list of purchase orders as filtered, and an order's lines, as CSV or Excel."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from purchase_orders import exports, selectors
from purchase_orders.contents import read_contents
from purchase_orders.enkash import payloads
from purchase_orders.lifecycle import BUYER, SUPPLIER
from purchase_orders.views.common import number_asked
from purchase_orders.views.lists import filtered_list

CSV, XLSX = "csv", "xlsx"
# Rows read from the database at a time: a long list is never held whole.
CHUNK = 2000


def _download(file_format: str, columns, rows, *, filename: str, title: str):
    if file_format == CSV:
        response = StreamingHttpResponse(
            exports.csv_chunks(columns, rows), content_type=exports.CSV_TYPE
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(columns, rows, title=title), content_type=exports.XLSX_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _list_download(request, *, role: str, file_format: str):
    _form, _filters, queryset = filtered_list(request, role=role)
    name = "purchase-orders" if role == BUYER else "received-purchase-orders"
    filename = exports.file_name(name, timezone.localdate().isoformat(), extension=file_format)
    rows = exports.list_rows(queryset.iterator(chunk_size=CHUNK))
    title = "Purchase orders" if role == BUYER else "Received purchase orders"
    return _download(file_format, exports.LIST_COLUMNS, rows, filename=filename, title=title)


@login_required
@require_GET
def purchase_order_list_download(request, file_format: str):
    """Return the buyer's list, every page of it, as filtered, searched and sorted."""
    return _list_download(request, role=BUYER, file_format=file_format)


@login_required
@require_GET
def inbox_download(request, file_format: str):
    """Return the supplier's inbox, every page of it, as filtered, searched and sorted."""
    return _list_download(request, role=SUPPLIER, file_format=file_format)


@login_required
@require_GET
def lines_download(request, object_id: str, file_format: str):
    """Return the lines of an order as it stands, or of one of its versions (``?version=``)."""
    asked = request.GET.get("version")
    version = number_asked(asked)
    if asked is not None and version is None:
        raise Http404("No such version.")
    purchase_order, kept = selectors.get_purchase_order_lines(
        viewer=request.viewer,
        object_id=object_id,
        version=version,
    )
    if kept is not None:
        lines, version = payloads.parse_snapshot(kept.snapshot).lines, kept.version
    else:
        lines, version = read_contents(purchase_order).lines, purchase_order.version
    filename = exports.file_name(
        purchase_order.buyer_po_number,
        f"v{version}" if version else "draft",
        "lines",
        extension=file_format,
    )
    return _download(
        file_format,
        exports.LINE_COLUMNS,
        exports.line_rows(lines),
        filename=filename,
        title=f"Lines {purchase_order.buyer_po_number}",
    )
