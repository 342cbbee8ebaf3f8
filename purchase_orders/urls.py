from django.urls import path

from . import views

app_name = "purchase_orders"

urlpatterns = [
    path("purchase-orders/<str:object_id>/", views.purchase_order_detail, name="detail"),
]
