"""Businesses as the pages show them: telling apart a remote party from a hosted namesake."""

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Lower

from purchase_orders.models import Business
from purchase_orders.validators import comparable_name


def _names(business: Business) -> set[str]:
    return {
        comparable_name(name) for name in (business.legal_name, business.trade_name) if name.strip()
    }


def namesakes(businesses: Iterable[Business]) -> set[int]:
    """Return the pks of the remote businesses among these that could pass for a hosted one.

    A business that is not hosted here but carries the legal or trade name of
    one that is (case and runs of spaces aside) under another GSTIN, or the
    GSTIN of one that is, could be taken for it: the pages show such a party
    with its GSTIN and say it is not the one on this portal. One query,
    whatever the number of businesses.
    """
    remote = {business.pk: business for business in businesses if not business.is_hosted}
    wanted = set().union(*(_names(business) for business in remote.values()))
    gstins = {business.gstin for business in remote.values() if business.gstin}
    if not wanted and not gstins:
        return set()
    hosted = (
        Business.objects.filter(is_hosted=True)
        .annotate(legal=Lower("legal_name"), trade=Lower("trade_name"))
        .filter(Q(legal__in=wanted) | Q(trade__in=wanted) | Q(gstin__in=gstins))
        .values_list("legal_name", "trade_name", "gstin")
    )
    by_name: dict[str, set[str]] = {}
    hosted_gstins = set()
    for legal, trade, gstin in hosted:
        hosted_gstins.add(gstin)
        for name in (legal, trade):
            if name.strip():
                by_name.setdefault(comparable_name(name), set()).add(gstin)
    return {
        pk
        for pk, business in remote.items()
        if business.gstin in hosted_gstins
        or any(by_name.get(name, set()) - {business.gstin} for name in _names(business))
    }
