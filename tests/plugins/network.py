"""Fixtures: the parties of a purchase order, its actions, and running queued tasks."""

import signal
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from purchase_orders.enkash import payloads
from purchase_orders.models import (
    Business,
    Membership,
    OutboundMessage,
    PurchaseOrder,
    PurchaseOrderVersion,
    StatusChange,
)
from purchase_orders.selectors import get_purchase_order_with_contents
from tests.factories import BusinessFactory, MembershipFactory, PurchaseOrderFactory


@dataclass
class TradingPair:
    """A buying and a supplying business, each with one person in its role."""

    buyer: Business
    supplier: Business
    buyer_user: object
    supplier_user: object

    def purchase_order(self, **kwargs) -> PurchaseOrder:
        """Create a draft purchase order from the buyer to the supplier."""
        return PurchaseOrderFactory(buyer=self.buyer, supplier=self.supplier, **kwargs)


@pytest.fixture
def trading_pair(db, settings) -> TradingPair:
    # Hashing the factories' passwords at full strength would take most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    buyer = BusinessFactory()
    supplier = BusinessFactory(state_code="27", city="Pune", state="Maharashtra", pincode="411001")
    return TradingPair(
        buyer=buyer,
        supplier=supplier,
        buyer_user=MembershipFactory(business=buyer, role=Membership.Role.BUYER).user,
        supplier_user=MembershipFactory(business=supplier, role=Membership.Role.SUPPLIER).user,
    )


@pytest.fixture
def draft_purchase_order(trading_pair) -> PurchaseOrder:
    return trading_pair.purchase_order()


@pytest.fixture
def sent_purchase_order(trading_pair, draft_purchase_order) -> PurchaseOrder:
    """A purchase order sent through the service: version 1, CREATED, snapshot kept."""
    from purchase_orders.services.purchase_orders import send_purchase_order

    return send_purchase_order(purchase_order=draft_purchase_order, sent_by=trading_pair.buyer_user)


@pytest.fixture
def accepted_purchase_order(trading_pair, sent_purchase_order) -> PurchaseOrder:
    from purchase_orders.services.purchase_orders import confirm_purchase_order

    return confirm_purchase_order(
        purchase_order=sent_purchase_order,
        confirmed_by=trading_pair.supplier_user,
        accept=True,
        remarks="Will ship on time.",
    )


def purchase_order_state(purchase_order: PurchaseOrder) -> dict:
    """Return everything an action could change about a purchase order."""
    fresh = get_purchase_order_with_contents(pk=purchase_order.pk)
    return {
        "row": model_to_dict(fresh),
        "updated_at": fresh.updated_at,
        "contents": payloads.build_purchase_order(fresh),
        "messages": list(OutboundMessage.objects.filter(object_id=fresh.object_id).values()),
        "status_changes": list(StatusChange.objects.filter(purchase_order=fresh).values()),
        "versions": list(PurchaseOrderVersion.objects.filter(purchase_order=fresh).values()),
    }


@pytest.fixture
def unchanged():
    """Return ``watch(purchase_order)``, itself returning a check that nothing changed."""

    def watch(purchase_order: PurchaseOrder):
        before = purchase_order_state(purchase_order)

        def check() -> None:
            assert purchase_order_state(purchase_order) == before

        return check

    return watch


@pytest.fixture
def run_tasks(transactional_db):
    """Return a function that runs every due task in the queue, as ``db_worker`` does.

    The worker runs in autocommit, as in production (and it closes a
    connection it finds inside a transaction), so a test using it runs
    outside a wrapping transaction.
    """
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]

    def run() -> None:
        # The worker installs its own signal handlers; give pytest its own back.
        handlers = {number: signal.getsignal(number) for number in signals}
        try:
            call_command("db_worker", "--batch", "--interval", "0", "--no-reload", verbosity=0)
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)

    return run
