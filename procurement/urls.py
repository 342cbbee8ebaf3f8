"""URLs of the procurement portal."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("purchase_orders.urls")),
]
