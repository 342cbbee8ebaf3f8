"""retry_outbound_message: a failed delivery is queued again by its sender or staff."""

import pytest
from django_tasks_db.models import DBTaskResult

from purchase_orders.exceptions import NotAllowed, TransitionNotAllowed
from purchase_orders.models import Membership, OutboundMessage
from purchase_orders.services.outbound import retry_outbound_message
from tests.factories import BusinessFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_message(sent_purchase_order) -> OutboundMessage:
    OutboundMessage.objects.update(
        state="failed", attempts=12, last_error="Gave up after 12 attempts: timed out"
    )
    return OutboundMessage.objects.get()


@pytest.mark.parametrize("who", ["buyer", "another person of the buyer", "staff"])
def test_the_sender_or_staff_queue_a_failed_message_again(
    trading_pair, failed_message, django_capture_on_commit_callbacks, who
):
    user = {
        "buyer": lambda: trading_pair.buyer_user,
        "another person of the buyer": lambda: MembershipFactory(
            business=trading_pair.buyer, role=Membership.Role.SUPPLIER
        ).user,
        "staff": lambda: UserFactory(is_staff=True),
    }[who]()

    with django_capture_on_commit_callbacks(execute=True):
        message = retry_outbound_message(message=failed_message, retried_by=user)

    message.refresh_from_db()
    assert (message.state, message.attempts) == ("queued", 0)
    assert message.last_error == "Gave up after 12 attempts: timed out"
    task = DBTaskResult.objects.get(task_path__endswith="deliver_outbound_message_task")
    assert task.args_kwargs["kwargs"] == {"message_id": message.pk}


def test_a_confirmation_is_retried_by_the_supplier(trading_pair, accepted_purchase_order):
    OutboundMessage.objects.filter(kind="req-confirm").update(state="failed")
    message = OutboundMessage.objects.get(kind="req-confirm")

    with pytest.raises(NotAllowed):
        retry_outbound_message(message=message, retried_by=trading_pair.buyer_user)
    retried = retry_outbound_message(message=message, retried_by=trading_pair.supplier_user)

    assert retried.state == "queued"


@pytest.mark.parametrize("who", ["supplier", "outsider"])
def test_others_may_not_retry(trading_pair, failed_message, who):
    user = (
        trading_pair.supplier_user
        if who == "supplier"
        else MembershipFactory(business=BusinessFactory(), role=Membership.Role.BUYER).user
    )

    with pytest.raises(NotAllowed):
        retry_outbound_message(message=failed_message, retried_by=user)

    failed_message.refresh_from_db()
    assert (failed_message.state, failed_message.attempts) == ("failed", 12)


@pytest.mark.parametrize("state", ["queued", "retrying", "sent", "acknowledged", "rejected"])
def test_only_a_failed_message_is_retried(trading_pair, sent_purchase_order, state):
    OutboundMessage.objects.update(state=state, attempts=3)
    message = OutboundMessage.objects.get()

    with pytest.raises(TransitionNotAllowed):
        retry_outbound_message(message=message, retried_by=trading_pair.buyer_user)

    message.refresh_from_db()
    assert (message.state, message.attempts) == (state, 3)
