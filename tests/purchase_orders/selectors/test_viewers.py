"""Who looks: a person's roles in each business, read in one query."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from purchase_orders.models import Membership
from purchase_orders.selectors import get_viewer
from purchase_orders.views.common import require_business_role
from tests.factories import BusinessFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_one_person_holds_several_roles_in_several_businesses(django_assert_num_queries):
    person, nandi, sahyadri = UserFactory(), BusinessFactory(), BusinessFactory()
    for business, role in (
        (nandi, Role.BUYER),
        (nandi, Role.ADMIN),
        (nandi, Role.APPROVER),
        (sahyadri, Role.SUPPLIER),
    ):
        MembershipFactory(user=person, business=business, role=role)

    with django_assert_num_queries(1):
        viewer = get_viewer(person)

    assert viewer.roles_in(nandi.pk) == {"buyer", "admin", "approver"}
    assert viewer.roles_in(sahyadri.pk) == {"supplier"}
    assert viewer.business_ids == {nandi.pk, sahyadri.pk}
    assert (viewer.is_buyer, viewer.is_supplier, viewer.is_admin, viewer.is_approver) == (
        True,
        True,
        True,
        True,
    )


def test_an_approver_alone_belongs_to_the_business_but_acts_on_no_side():
    approver = MembershipFactory(role=Role.APPROVER)

    viewer = get_viewer(approver.user)

    assert viewer.business_ids == {approver.business_id}
    assert not viewer.is_buyer and not viewer.is_supplier and viewer.is_approver


def test_a_deactivated_person_holds_no_role():
    membership = MembershipFactory(role=Role.ADMIN)
    membership.user.is_active = False
    membership.user.save()

    assert get_viewer(membership.user).business_ids == frozenset()


def test_a_business_page_is_hidden_from_outsiders_and_refused_to_other_roles():
    buyer = MembershipFactory(role=Role.BUYER)
    viewer, other = get_viewer(buyer.user), BusinessFactory()

    require_business_role(viewer, buyer.business_id, Role.BUYER, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        require_business_role(viewer, buyer.business_id, Role.ADMIN)
    with pytest.raises(Http404):
        require_business_role(viewer, other.pk, Role.ADMIN)
