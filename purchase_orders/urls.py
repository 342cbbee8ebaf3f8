"""URLs of the buyer and supplier pages, and of a business's own pages."""

from django.urls import path

from . import views

app_name = "purchase_orders"

urlpatterns = [
    path("home/stamp/", views.home_stamp, name="home-stamp"),
    path("purchase-orders/", views.purchase_order_list, name="list"),
    path("purchase-orders/stamp/", views.list_stamp, name="list-stamp"),
    path("purchase-orders/new/", views.purchase_order_create, name="create"),
    path("purchase-orders/received/", views.inbox, name="inbox"),
    path("purchase-orders/received/stamp/", views.inbox_stamp, name="inbox-stamp"),
    # Downloads of a list as filtered (the list's own query string) and of a
    # purchase order's lines (?version= for one of its versions).
    path(
        "purchase-orders/download.csv",
        views.purchase_order_list_download,
        {"file_format": "csv"},
        name="list-csv",
    ),
    path(
        "purchase-orders/download.xlsx",
        views.purchase_order_list_download,
        {"file_format": "xlsx"},
        name="list-xlsx",
    ),
    path(
        "purchase-orders/received/download.csv",
        views.inbox_download,
        {"file_format": "csv"},
        name="inbox-csv",
    ),
    path(
        "purchase-orders/received/download.xlsx",
        views.inbox_download,
        {"file_format": "xlsx"},
        name="inbox-xlsx",
    ),
    path(
        "purchase-orders/<str:object_id>/lines.csv",
        views.lines_download,
        {"file_format": "csv"},
        name="lines-csv",
    ),
    path(
        "purchase-orders/<str:object_id>/lines.xlsx",
        views.lines_download,
        {"file_format": "xlsx"},
        name="lines-xlsx",
    ),
    path("purchase-orders/<str:object_id>/", views.purchase_order_detail, name="detail"),
    path("purchase-orders/<str:object_id>/stamp/", views.purchase_order_stamp, name="stamp"),
    path("purchase-orders/<str:object_id>/print/", views.purchase_order_print, name="print"),
    path("purchase-orders/<str:object_id>/pdf/", views.purchase_order_pdf, name="pdf"),
    path("purchase-orders/<str:object_id>/edit/", views.purchase_order_edit, name="edit"),
    path("purchase-orders/<str:object_id>/send/", views.purchase_order_send, name="send"),
    path("purchase-orders/<str:object_id>/submit/", views.purchase_order_submit, name="submit"),
    path("purchase-orders/<str:object_id>/approve/", views.purchase_order_approve, name="approve"),
    path("purchase-orders/<str:object_id>/return/", views.purchase_order_return, name="return"),
    path(
        "purchase-orders/<str:object_id>/status/",
        views.purchase_order_change_status,
        name="change-status",
    ),
    path("purchase-orders/<str:object_id>/confirm/", views.purchase_order_confirm, name="confirm"),
    path("purchase-orders/<str:object_id>/reject/", views.purchase_order_reject, name="reject"),
    path(
        "purchase-orders/<str:object_id>/duplicate/",
        views.purchase_order_duplicate,
        name="duplicate",
    ),
    path("purchase-orders/<str:object_id>/compare/", views.version_compare, name="compare"),
    path(
        "purchase-orders/<str:object_id>/messages/<int:message_id>/retry/",
        views.outbound_message_retry,
        name="retry",
    ),
    # The business's own pages: its profile, its people and invitations.
    path(
        "businesses/<int:business_id>/profile/",
        views.business_profile,
        name="business-profile",
    ),
    path("businesses/<int:business_id>/people/", views.business_people, name="business-people"),
    path(
        "businesses/<int:business_id>/people/invite/",
        views.business_invite,
        name="business-invite",
    ),
    path(
        "businesses/<int:business_id>/people/<int:user_id>/roles/",
        views.business_person_roles,
        name="business-person-roles",
    ),
    path(
        "businesses/<int:business_id>/people/<int:user_id>/remove/",
        views.business_person_remove,
        name="business-person-remove",
    ),
    path("suppliers/<int:link_id>/invite/", views.supplier_invite, name="supplier-invite"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation-resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    # Public: the signed token in the e-mailed link is the visitor's credential.
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/add/", views.supplier_add, name="supplier-add"),
    path("suppliers/searches/<int:pk>/", views.supplier_search, name="supplier-search"),
    path(
        "suppliers/searches/<int:pk>/stamp/",
        views.supplier_search_stamp,
        name="supplier-search-stamp",
    ),
    path("suppliers/<int:link_id>/", views.supplier_detail, name="supplier-detail"),
    path("suppliers/<int:link_id>/remove/", views.supplier_remove, name="supplier-remove"),
]
