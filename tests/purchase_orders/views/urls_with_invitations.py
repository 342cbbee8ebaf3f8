"""The portal's URLs with a supplier invitation page, as the portal has once invitations exist.

The supplier's page offers "Invite" only where ``purchase_orders:supplier-invite``
resolves; this URLconf lets a test see the button without the invitations' views.
"""

from django.http import HttpResponse
from django.urls import include, path

from procurement import urls as project_urls
from purchase_orders import urls as portal_urls


def invite(request, link_id: int):
    return HttpResponse(f"Invite people of supplier {link_id}")


urlpatterns = [
    path(
        "",
        include(
            (
                [
                    *portal_urls.urlpatterns,
                    path("suppliers/<int:link_id>/invite/", invite, name="supplier-invite"),
                ],
                portal_urls.app_name,
            )
        ),
    ),
    *[
        pattern
        for pattern in project_urls.urlpatterns
        if "purchase_orders.urls" not in str(pattern)
    ],
]
