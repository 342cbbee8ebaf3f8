"""Buyer and supplier pages: glue between forms, selectors and services."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def purchase_order_detail(request, object_id: str):
    purchase_order = selectors.get_purchase_order_for_user(user=request.user, object_id=object_id)
    return render(request, "purchase_orders/detail.html", {"purchase_order": purchase_order})
