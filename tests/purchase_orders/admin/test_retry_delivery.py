"""The outbound messages' "Retry delivery" action queues failed messages through the service."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from purchase_orders.models import OutboundMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:purchase_orders_outboundmessage_changelist")


def retry(client: Client, *messages: OutboundMessage):
    return client.post(
        CHANGELIST,
        {"action": "retry_delivery", "_selected_action": [message.pk for message in messages]},
        follow=True,
    )


def shown(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


def test_a_failed_message_is_queued_again_and_its_delivery_enqueued(
    superuser_client, demo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = retry(superuser_client, demo.failed_message)

    message = OutboundMessage.objects.get(pk=demo.failed_message.pk)
    assert (message.state, message.attempts) == ("queued", 0)
    assert shown(response) == [("success", "Queued 1 message for delivery again.")]
    task = DBTaskResult.objects.get(task_path__endswith="deliver_outbound_message_task")
    assert task.args_kwargs["kwargs"] == {"message_id": message.pk}


def test_each_message_that_cannot_be_retried_is_reported_and_left_alone(superuser_client, demo):
    response = retry(superuser_client, demo.failed_message, demo.acknowledged_message)

    assert shown(response) == [
        (
            "error",
            f"{demo.acknowledged_message.req_msg_id}: Only a failed delivery can be tried "
            "again; this message is “Acknowledged”.",
        ),
        ("success", "Queued 1 message for delivery again."),
    ]
    picked = (demo.failed_message.pk, demo.acknowledged_message.pk)
    states = dict(OutboundMessage.objects.filter(pk__in=picked).values_list("pk", "state"))
    assert states == {
        demo.failed_message.pk: "queued",
        demo.acknowledged_message.pk: "acknowledged",
    }


def test_staff_who_may_only_view_messages_do_not_get_the_action(demo, settings):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    client = Client()
    client.force_login(viewer)

    page = client.get(CHANGELIST)
    response = retry(client, demo.failed_message)

    assert page.status_code == 200
    assert "retry_delivery" not in page.content.decode()
    assert response.status_code == 200
    assert OutboundMessage.objects.get(pk=demo.failed_message.pk).state == "failed"
