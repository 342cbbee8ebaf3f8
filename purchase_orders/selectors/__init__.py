"""Reads: querysets and lookups for pages, APIs and admin, scoped to the viewer.

``viewers`` says who looks and what they may do with an order;
``purchase_orders`` reads one order with its contents, or a list;
``businesses`` tells a remote party from a hosted namesake;
``network`` reads the network's traffic: timelines, failed deliveries and
the stamps that tell an open page something has changed; ``people`` says
which users have history; ``members`` reads a business's people, its
invitations and its audit rows; ``approvals`` who must ask for an approval
and what waits for one; ``suppliers`` reads a buyer's supplier directory
and its searches of the network; ``documents`` reads one version of an
order as its printable view and its PDF show it; ``lines`` reads a page of
an order's lines, searched, and what its totals need of all of them.
"""

from .approvals import ApprovalNeed, approval_needed, waiting_for_approval
from .businesses import namesakes
from .documents import (
    PurchaseOrderDocument,
    build_document,
    get_purchase_order_document_for_mail,
    get_purchase_order_version_document,
    version_document,
)
from .lines import line_inputs, list_purchase_order_lines, page_of_lines
from .members import (
    Member,
    business_people,
    get_managed_invitation,
    get_member,
    open_invitations,
    recent_changes,
    supplier_invitations,
)
from .network import (
    NetworkEntry,
    failed_deliveries,
    get_outbound_message,
    home_stamp,
    inbox_stamp,
    list_stamp,
    network_timeline,
    page_stamp,
    purchase_order_stamp,
)
from .people import user_has_history, with_history_marked
from .purchase_orders import (
    MILESTONES_AHEAD_DAYS,
    PURCHASE_ORDER_ORDERINGS,
    awaiting_confirmation,
    buyer_choices,
    counterparties,
    get_purchase_order_document,
    get_purchase_order_lines,
    get_purchase_order_page,
    get_purchase_order_with_contents,
    get_version,
    get_versions_to_compare,
    get_visible_purchase_order,
    list_purchase_orders,
    milestones_due,
    purchase_orders_with_contents,
    rejected_purchase_orders,
    supplier_choices,
    visible_purchase_orders,
)
from .suppliers import (
    SEARCH_PATIENCE,
    SearchProgress,
    directory_supplier_ids,
    find_in_directory,
    get_supplier_link,
    get_supplier_search,
    known_businesses,
    list_supplier_links,
    search_progress,
    supplier_orders,
    supplier_people,
    supplier_search_stamp,
)
from .viewers import (
    PurchaseOrderActions,
    Viewer,
    get_viewer,
    holds_role,
    purchase_order_actions,
)

__all__ = [
    "PurchaseOrderDocument",
    "build_document",
    "get_purchase_order_document_for_mail",
    "get_purchase_order_version_document",
    "version_document",
    "Member",
    "MILESTONES_AHEAD_DAYS",
    "PURCHASE_ORDER_ORDERINGS",
    "ApprovalNeed",
    "SEARCH_PATIENCE",
    "NetworkEntry",
    "PurchaseOrderActions",
    "SearchProgress",
    "Viewer",
    "approval_needed",
    "awaiting_confirmation",
    "business_people",
    "buyer_choices",
    "counterparties",
    "directory_supplier_ids",
    "failed_deliveries",
    "get_managed_invitation",
    "get_member",
    "find_in_directory",
    "get_outbound_message",
    "get_purchase_order_document",
    "get_purchase_order_lines",
    "get_purchase_order_page",
    "get_purchase_order_with_contents",
    "get_supplier_link",
    "get_version",
    "get_supplier_search",
    "get_versions_to_compare",
    "get_viewer",
    "holds_role",
    "get_visible_purchase_order",
    "home_stamp",
    "inbox_stamp",
    "known_businesses",
    "line_inputs",
    "list_purchase_order_lines",
    "list_purchase_orders",
    "list_stamp",
    "list_supplier_links",
    "milestones_due",
    "page_of_lines",
    "namesakes",
    "network_timeline",
    "open_invitations",
    "page_stamp",
    "purchase_order_actions",
    "purchase_order_stamp",
    "purchase_orders_with_contents",
    "recent_changes",
    "rejected_purchase_orders",
    "search_progress",
    "supplier_choices",
    "supplier_invitations",
    "supplier_orders",
    "supplier_people",
    "supplier_search_stamp",
    "user_has_history",
    "visible_purchase_orders",
    "waiting_for_approval",
    "with_history_marked",
]
