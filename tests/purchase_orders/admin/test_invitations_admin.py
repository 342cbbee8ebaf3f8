"""Invitations in admin: read there, and revoked only through the service, audited."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from purchase_orders.models import BusinessChange, Invitation
from tests.factories import UserFactory
from tests.purchase_orders.admin.test_retry_delivery import shown

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:purchase_orders_invitation_changelist")


def revoke(client: Client, *invitations: Invitation):
    return client.post(
        CHANGELIST,
        {"action": "revoke", "_selected_action": [invitation.pk for invitation in invitations]},
        follow=True,
    )


def test_the_demos_invitation_is_shown_and_cannot_be_changed(superuser_client, demo):
    invitation = Invitation.objects.get()
    url = reverse("admin:purchase_orders_invitation_change", args=[invitation.pk])

    page = superuser_client.get(url)
    changed = superuser_client.post(url, {"email": "mallory@example.in"})

    assert page.status_code == 200
    assert "Waiting for an answer" in page.content.decode()
    assert changed.status_code == 403
    assert Invitation.objects.get().email == "ravi.kumar@nandi-precision.example.in"


def test_a_superuser_revokes_an_invitation_audited_twice(superuser_client, demo):
    invitation = Invitation.objects.get()

    response = revoke(superuser_client, invitation)
    again = revoke(superuser_client, invitation)

    invitation.refresh_from_db()
    assert invitation.revoked_by.username == "admin"
    assert shown(response) == [("success", "Revoked 1 invitation: its link no longer works.")]
    assert shown(again) == [("success", "Revoked 0 invitations: their links no longer work.")]
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Invitation), object_id=str(invitation.pk)
    )
    assert (entry.action_flag, entry.get_change_message()) == (CHANGE, "Revoked.")
    change = BusinessChange.objects.get(action="revoked")
    assert (change.actor_username, change.invitation) == ("admin", invitation)


def test_revoking_takes_the_change_permission(demo):
    viewer = UserFactory(username="vera", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_invitation"))
    client = Client()
    client.force_login(viewer)

    page = client.get(CHANGELIST)
    revoke(client, Invitation.objects.get())

    assert page.status_code == 200
    assert 'value="revoke"' not in page.content.decode()
    assert Invitation.objects.get().revoked_at is None
