"""A person with history is deactivated in admin, never deleted; the history keeps their name."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from purchase_orders.models import PurchaseOrder, PurchaseOrderVersion, StatusChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
CHANGELIST = reverse("admin:auth_user_changelist")
REFUSED = (
    "cannot be deleted: their name is on the history of purchase orders, of businesses or of "
    "this admin, which is kept for ever. Deactivate them instead (the “Deactivate” action, or "
    "untick “Active”): they can no longer sign in, and the history still names them."
)


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def delete_url(user) -> str:
    return reverse("admin:auth_user_delete", args=[user.pk])


def said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def bulk(client, action: str, users, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [user.pk for user in users], **extra},
        follow=True,
    )


@pytest.fixture
def asha(demo):
    """The demo's buyer, who created and sent its orders."""
    return User.objects.get(username="buyer")


@pytest.fixture
def newcomer(demo):
    """Someone who never acted on an order."""
    return UserFactory(username="newcomer")


def test_a_person_with_history_has_no_delete_link_and_the_delete_page_refuses(
    superuser_client, asha
):
    page = superuser_client.get(change_url(asha)).content.decode()
    assert delete_url(asha) not in page

    response = superuser_client.post(delete_url(asha), {"post": "yes"}, follow=True)

    assert response.redirect_chain == [(change_url(asha), 302)]
    assert said(response) == [f"“buyer” {REFUSED}"]
    assert User.objects.filter(pk=asha.pk, is_active=True).exists()


def test_deleting_in_bulk_refuses_the_whole_selection_if_anyone_has_history(
    superuser_client, asha, newcomer
):
    response = bulk(superuser_client, "delete_selected", [asha, newcomer], post="yes")

    assert said(response) == [f"“buyer” {REFUSED}"]
    assert User.objects.filter(pk__in=[asha.pk, newcomer.pk]).count() == 2


def test_a_person_without_history_can_still_be_deleted_one_or_in_bulk(superuser_client, newcomer):
    other = UserFactory(username="passer-by")

    assert delete_url(newcomer) in superuser_client.get(change_url(newcomer)).content.decode()
    assert superuser_client.post(delete_url(newcomer), {"post": "yes"}).status_code == 302
    confirm = bulk(superuser_client, "delete_selected", [other])
    assert confirm.templates[0].name == "admin/delete_selected_confirmation.html"
    bulk(superuser_client, "delete_selected", [other], post="yes")

    assert not User.objects.filter(username__in=["newcomer", "passer-by"]).exists()


def test_a_person_who_only_worked_in_admin_is_kept_for_the_admin_log(superuser_client, newcomer):
    LogEntry.objects.log_actions(
        user_id=newcomer.pk, queryset=User.objects.filter(pk=newcomer.pk), action_flag=CHANGE
    )

    response = superuser_client.post(delete_url(newcomer), {"post": "yes"}, follow=True)

    assert said(response) == [f"“newcomer” {REFUSED}"]
    assert User.objects.filter(pk=newcomer.pk).exists()


def test_deactivating_keeps_the_person_and_their_name_on_the_history(superuser_client, asha, demo):
    response = bulk(superuser_client, "deactivate", [asha])

    assert said(response) == [
        "Deactivated 1 person: they can no longer sign in, and the history still names them."
    ]
    asha.refresh_from_db()
    assert asha.is_active is False
    assert set(StatusChange.objects.filter(actor=asha).values_list("actor_name", flat=True)) == {
        "Asha Rao"
    }


def test_the_list_says_who_has_history(superuser_client, asha, newcomer):
    rows = {
        user.username: user.has_history
        for user in superuser_client.get(CHANGELIST).context["cl"].result_list
    }

    assert rows["buyer"] is True
    assert rows["newcomer"] is False


def test_the_database_refuses_to_delete_a_person_with_history(asha):
    with pytest.raises(ProtectedError):
        asha.delete()

    # Past the ORM too: the foreign keys have no ON DELETE action.
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(User._meta.db_table)} WHERE id = %s",
                [asha.pk],
            )
        connection.check_constraints(
            table_names=[StatusChange._meta.db_table, PurchaseOrderVersion._meta.db_table]
        )
    assert PurchaseOrder.objects.filter(created_by=asha).exists()
