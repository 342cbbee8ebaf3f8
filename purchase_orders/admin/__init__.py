"""Django admin: businesses, people, purchase orders and what crossed the network.

A purchase order's contents can be changed here only while it is a draft with
nothing waiting for the network: a sent order changes through its buyer's
edit, which gives it a new version and tells the supplier over the network.
Its lines, and those of a draft too big to edit here, are shown read-only,
50 a page, with a search (``inlines.PagedLineItemInline``). Versions, status
changes and network messages are records and stay read-only; a failed
delivery is retried with an action that calls the outbox service.
Invitations and the audit of businesses' changes are read here; an
invitation may be revoked.

Importing the package registers every model admin of its modules.
"""

from django.contrib import admin

from purchase_orders.admin import businesses, people, purchase_orders, records  # noqa: F401

admin.site.site_header = "Procurement portal administration"
admin.site.site_title = "Procurement portal"
admin.site.index_title = "Businesses, people and purchase orders"
