"""Businesses as the pages show them: telling apart a remote party from a hosted namesake."""

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.functions import Lower

from purchase_orders.models import Business


def _names(business: Business) -> set[str]:
    return {name.strip().lower() for name in (business.legal_name, business.trade_name) if name}


def namesakes(businesses: Iterable[Business]) -> set[int]:
    """Return the pks of the remote businesses among these named like a hosted one.

    A business that is not hosted here but carries the legal or trade name of
    one that is, under another GSTIN, could be taken for it: the pages show
    such a party with its GSTIN and say it is not the one on this portal.
    One query, whatever the number of businesses.
    """
    remote = {business.pk: business for business in businesses if not business.is_hosted}
    wanted = set().union(*(_names(business) for business in remote.values()))
    if not wanted:
        return set()
    hosted = (
        Business.objects.filter(is_hosted=True)
        .annotate(legal=Lower("legal_name"), trade=Lower("trade_name"))
        .filter(Q(legal__in=wanted) | Q(trade__in=wanted))
        .values_list("legal", "trade", "gstin")
    )
    taken: dict[str, set[str]] = {}
    for legal, trade, gstin in hosted:
        for name in (legal, trade):
            if name:
                taken.setdefault(name.strip(), set()).add(gstin)
    return {
        pk
        for pk, business in remote.items()
        if any(taken.get(name, set()) - {business.gstin} for name in _names(business))
    }
