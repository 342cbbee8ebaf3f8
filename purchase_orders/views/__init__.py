"""Buyer and supplier pages: glue between forms, selectors and services.

Every page answers 404 for a purchase order outside the user's businesses
and 403 when the user's role there does not allow the page (a supplier
cannot act as the buyer, nor the buyer as the supplier).

- ``home``: the home page
- ``lists``: the buyer's list and the supplier's inbox
- ``editing``: the new-order form and editing an order
- ``purchase_order``: the purchase order page, its print and version comparison
- ``exports``: the lists and an order's lines as CSV and Excel downloads
- ``actions``: send, confirm or reject, change status, duplicate, retry, and
  submit for approval, approve or return
- ``live``: the stamps open pages poll, and the tokens that let them
- ``businesses``: a business's profile, its people and colleague invitations
- ``invitations``: supplier invitations, resend and revoke, and the link's page
- ``suppliers``: the buyer's supplier directory and its searches of the network

A business's pages answer 404 to anyone who is not one of its people, and
403 to one of them whose roles do not allow the page.
"""

from purchase_orders.views.actions import (
    outbound_message_retry,
    purchase_order_approve,
    purchase_order_change_status,
    purchase_order_confirm,
    purchase_order_duplicate,
    purchase_order_reject,
    purchase_order_return,
    purchase_order_send,
    purchase_order_submit,
)
from purchase_orders.views.businesses import (
    business_invite,
    business_people,
    business_person_remove,
    business_person_roles,
    business_profile,
)
from purchase_orders.views.editing import purchase_order_create, purchase_order_edit
from purchase_orders.views.exports import (
    inbox_download,
    lines_download,
    purchase_order_list_download,
)
from purchase_orders.views.home import home
from purchase_orders.views.invitations import (
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    supplier_invite,
)
from purchase_orders.views.lists import inbox, purchase_order_list
from purchase_orders.views.live import (
    home_stamp,
    inbox_stamp,
    list_stamp,
    purchase_order_stamp,
    supplier_search_stamp,
)
from purchase_orders.views.purchase_order import (
    purchase_order_detail,
    purchase_order_pdf,
    purchase_order_print,
    version_compare,
)
from purchase_orders.views.suppliers import (
    supplier_add,
    supplier_detail,
    supplier_list,
    supplier_remove,
    supplier_search,
)

__all__ = [
    "business_invite",
    "business_people",
    "business_person_remove",
    "business_person_roles",
    "business_profile",
    "home",
    "home_stamp",
    "inbox",
    "inbox_download",
    "lines_download",
    "purchase_order_list_download",
    "inbox_stamp",
    "invitation_accept",
    "invitation_resend",
    "invitation_revoke",
    "list_stamp",
    "outbound_message_retry",
    "purchase_order_approve",
    "purchase_order_change_status",
    "purchase_order_confirm",
    "purchase_order_create",
    "purchase_order_detail",
    "purchase_order_duplicate",
    "purchase_order_edit",
    "purchase_order_list",
    "purchase_order_pdf",
    "purchase_order_print",
    "purchase_order_reject",
    "purchase_order_return",
    "purchase_order_send",
    "purchase_order_stamp",
    "purchase_order_submit",
    "supplier_invite",
    "supplier_add",
    "supplier_detail",
    "supplier_list",
    "supplier_remove",
    "supplier_search",
    "supplier_search_stamp",
    "version_compare",
]
