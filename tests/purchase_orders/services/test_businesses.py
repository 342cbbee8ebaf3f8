"""A business kept by its business admins: the profile, its people's roles, removing people.

A profile change reaches the drafts and never an order already sent; the
last business admin stays one; every change is audited, and a refused one
changes nothing.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from purchase_orders import lifecycle
from purchase_orders.exceptions import BusinessError, BusinessNotAllowed, LastAdmin
from purchase_orders.models import (
    Business,
    BusinessChange,
    Membership,
    Party,
    PurchaseOrderVersion,
)
from purchase_orders.services.approvals import submit_for_approval
from purchase_orders.services.businesses import remove_person, set_roles, update_business_profile
from purchase_orders.services.documents import record_version
from purchase_orders.validators import gstin_check_digit
from tests.factories import BusinessFactory, UserFactory, make_gstin

pytestmark = pytest.mark.django_db


def row(business: Business) -> dict:
    return Business.objects.filter(pk=business.pk).values().get()


def party(purchase_order, role: str) -> dict:
    return Party.objects.filter(purchase_order=purchase_order, role=role).values().get()


def roles_of(user, business) -> set[str]:
    return set(
        Membership.objects.filter(user=user, business=business).values_list("role", flat=True)
    )


def test_a_profile_change_is_saved_and_audited_with_who_and_what(people):
    business, refreshed = update_business_profile(
        business=people.buyer,
        changed_by=people.admin_user,
        values={
            "trade_name": "Kaveri Mills",
            "pan": people.buyer.gstin[2:12].lower(),
            "udyam_number": "udyam-kr-03-0012345",
            "approval_limit": Decimal("50000.00"),
            "approvers_may_approve_own": True,
            "default_terms": "Payment within 30 days.",
        },
    )

    assert (business.trade_name, business.pan, business.udyam_number) == (
        "Kaveri Mills",
        people.buyer.gstin[2:12],
        "UDYAM-KR-03-0012345",
    )
    assert (business.approval_limit, business.approvers_may_approve_own) == (
        Decimal("50000.00"),
        True,
    )
    assert refreshed == 0
    change = BusinessChange.objects.get()
    assert (change.action, change.actor, change.actor_username) == (
        "profile",
        people.admin_user,
        "bina",
    )
    assert change.changes["Trade name"] == ["Kaveri Textiles", "Kaveri Mills"]
    assert change.changes["Approval limit"] == [None, "50000.00"]
    assert change.summary == (
        "Trade name: Kaveri Textiles → Kaveri Mills; "
        f"PAN: blank → {people.buyer.gstin[2:12]}; "
        "Udyam (MSME) number: blank → UDYAM-KR-03-0012345; "
        "Default terms and conditions rewritten; "
        "Approval limit: blank → 50000.00; "
        "Approvers may approve their own orders: no → yes"
    )


def test_saving_the_same_profile_changes_and_audits_nothing(people):
    before = row(people.buyer)

    update_business_profile(
        business=people.buyer,
        changed_by=people.admin_user,
        values={"trade_name": "Kaveri Textiles"},
    )

    assert row(people.buyer) == before
    assert not BusinessChange.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"gstin": "29AABCN1234F1ZT"},
            "gstin",
            "This GSTIN's last character does not match its check digit; please check it for "
            "typing mistakes.",
        ),
        (
            {"gstin": make_gstin("27", 4242)},
            "state_code",
            "The state code 29 does not match the GSTIN, which is registered in state 27.",
        ),
        ({"pan": "ABCDE1234F"}, "pan", "The PAN must be the one inside the GSTIN"),
        ({"cin": "U123"}, "cin", "Enter a CIN of 21 characters, such as U29100KA2009PTC049563."),
        ({"pincode": "056001"}, "pincode", "Enter a six-digit PIN code, such as 560001."),
        ({"legal_name": ""}, "legal_name", "This field cannot be blank."),
        ({"approval_limit": Decimal("-1")}, "approval_limit", "greater than or equal to 0"),
    ],
)
def test_a_bad_profile_names_the_field_and_changes_nothing(people, values, field, message):
    draft = people.purchase_order()
    before, draft_party = row(people.buyer), party(draft, lifecycle.BUYER)

    with pytest.raises(ValidationError) as refused:
        update_business_profile(
            business=people.buyer,
            changed_by=people.admin_user,
            values={"trade_name": "Half Saved", **values},
        )

    assert message in " ".join(refused.value.message_dict[field])
    assert row(people.buyer) == before
    assert party(draft, lifecycle.BUYER) == draft_party
    assert not BusinessChange.objects.exists()


def test_another_businesses_gstin_is_refused(people):
    other = BusinessFactory(is_hosted=False)

    with pytest.raises(ValidationError) as refused:
        update_business_profile(
            business=people.buyer, changed_by=people.admin_user, values={"gstin": other.gstin}
        )

    assert refused.value.message_dict["gstin"] == [
        f"Another business on this portal, {other}, has the GSTIN {other.gstin}."
    ]


def test_only_a_business_admin_changes_the_profile(people):
    before = row(people.buyer)

    for someone in (people.buyer_user, people.outsider_user):
        with pytest.raises(BusinessNotAllowed):
            update_business_profile(
                business=people.buyer, changed_by=someone, values={"trade_name": "Taken"}
            )

    assert row(people.buyer) == before


def test_drafts_take_the_new_details_and_sent_orders_keep_theirs(people):
    draft = people.purchase_order()
    pending = people.purchase_order(pending_action="SEND")
    sent = people.purchase_order(sent=True)
    record_version(purchase_order=sent, first=True)
    to_this_supplier = people.purchase_order(buyer=people.outsider, supplier=people.buyer)
    kept = {order.pk: party(order, lifecycle.BUYER) for order in (pending, sent)}
    snapshot = PurchaseOrderVersion.objects.get(purchase_order=sent).snapshot
    new_gstin = make_gstin("29", 4242)

    _, refreshed = update_business_profile(
        business=people.buyer,
        changed_by=people.admin_user,
        values={"gstin": new_gstin, "legal_name": "Kaveri Mills LLP", "city": "Mysuru"},
    )

    assert refreshed == 2
    buyer_party = party(draft, lifecycle.BUYER)
    assert (buyer_party["gstin"], buyer_party["legal_name"], buyer_party["city"]) == (
        new_gstin,
        "Kaveri Mills LLP",
        "Mysuru",
    )
    assert buyer_party["place_of_supply"] == "29"
    supplier_party = party(to_this_supplier, lifecycle.SUPPLIER)
    assert (supplier_party["gstin"], supplier_party["legal_name"]) == (
        new_gstin,
        "Kaveri Mills LLP",
    )
    for order in (pending, sent):
        assert party(order, lifecycle.BUYER) == kept[order.pk]
    assert PurchaseOrderVersion.objects.get(purchase_order=sent).snapshot == snapshot


def test_a_draft_waiting_for_approval_takes_the_new_details_too(people):
    people.buyer.approval_limit = 0
    people.buyer.save(update_fields=["approval_limit"])
    assert people.approver_user
    waiting = people.purchase_order()
    submit_for_approval(purchase_order=waiting, submitted_by=people.buyer_user)

    _, refreshed = update_business_profile(
        business=people.buyer,
        changed_by=people.admin_user,
        values={"legal_name": "Kaveri Mills LLP"},
    )

    assert refreshed == 1
    assert party(waiting, lifecycle.BUYER)["legal_name"] == "Kaveri Mills LLP"


def test_a_draft_billed_from_another_registration_keeps_that_gstin(people):
    draft = people.purchase_order()
    second = people.buyer.gstin[:12] + "2Z"
    other_registration = second + gstin_check_digit(second)
    Party.objects.filter(purchase_order=draft, role=lifecycle.BUYER).update(
        gstin=other_registration
    )

    update_business_profile(
        business=people.buyer, changed_by=people.admin_user, values={"city": "Mysuru"}
    )

    buyer_party = party(draft, lifecycle.BUYER)
    assert (buyer_party["gstin"], buyer_party["city"]) == (other_registration, "Mysuru")


def test_the_business_admin_gives_a_person_several_roles_audited(people):
    roles = set_roles(
        business=people.buyer,
        person=people.buyer_user,
        roles=["approver", "buyer"],
        changed_by=people.admin_user,
    )

    assert roles == ["buyer", "approver"]
    assert roles_of(people.buyer_user, people.buyer) == {"buyer", "approver"}
    change = BusinessChange.objects.get()
    assert (change.action, change.person, change.actor) == (
        "roles",
        people.buyer_user,
        people.admin_user,
    )
    assert change.summary == "Asha: Buyer → Buyer and approver"


def test_roles_must_be_some_of_the_four_and_of_a_member(people):
    for roles in ([], ["owner"], ["buyer", "buyer"]):
        with pytest.raises(BusinessError) as refused:
            set_roles(
                business=people.buyer,
                person=people.buyer_user,
                roles=roles,
                changed_by=people.admin_user,
            )
        assert refused.value.field == "roles"
    with pytest.raises(BusinessError):
        set_roles(
            business=people.buyer,
            person=people.supplier_user,
            roles=["buyer"],
            changed_by=people.admin_user,
        )
    assert roles_of(people.buyer_user, people.buyer) == {"buyer"}
    assert roles_of(people.supplier_user, people.buyer) == set()
    assert not BusinessChange.objects.exists()


def test_the_last_business_admin_keeps_the_role_and_cannot_leave(people):
    with pytest.raises(LastAdmin) as dropping:
        set_roles(
            business=people.buyer,
            person=people.admin_user,
            roles=["buyer"],
            changed_by=people.admin_user,
        )
    with pytest.raises(LastAdmin) as leaving:
        remove_person(business=people.buyer, person=people.admin_user, removed_by=people.admin_user)

    message = (
        "You are the only business admin of Kaveri Textiles. Make someone else a business "
        "admin first."
    )
    assert (dropping.value.message, leaving.value.message) == (message, message)
    assert roles_of(people.admin_user, people.buyer) == {"admin"}
    assert not BusinessChange.objects.exists()


def test_an_inactive_admin_does_not_count_as_another_admin(people):
    Membership.objects.create(
        user=UserFactory(username="gone", is_active=False), business=people.buyer, role="admin"
    )

    with pytest.raises(LastAdmin):
        remove_person(business=people.buyer, person=people.admin_user, removed_by=people.admin_user)


def test_with_another_admin_an_admin_may_step_down(people):
    set_roles(
        business=people.buyer,
        person=people.buyer_user,
        roles=["admin", "buyer"],
        changed_by=people.admin_user,
    )

    remove_person(business=people.buyer, person=people.admin_user, removed_by=people.admin_user)

    assert roles_of(people.admin_user, people.buyer) == set()
    assert get_user_model().objects.filter(pk=people.admin_user.pk, is_active=True).exists()
    assert list(BusinessChange.objects.order_by("pk").values_list("action", flat=True)) == [
        "roles",
        "removed",
    ]
    removed = BusinessChange.objects.get(action="removed")
    assert removed.summary == "Bina Shetty (business admin) removed"


def test_only_a_business_admin_changes_roles_or_removes(people):
    for action in (
        lambda: set_roles(
            business=people.buyer,
            person=people.buyer_user,
            roles=["admin"],
            changed_by=people.buyer_user,
        ),
        lambda: remove_person(
            business=people.buyer, person=people.admin_user, removed_by=people.buyer_user
        ),
    ):
        with pytest.raises(BusinessNotAllowed):
            action()

    assert roles_of(people.buyer_user, people.buyer) == {"buyer"}
    assert roles_of(people.admin_user, people.buyer) == {"admin"}


def test_the_last_approver_who_could_decide_a_waiting_order_keeps_the_role(people):
    people.buyer.approval_limit = 0
    people.buyer.save(update_fields=["approval_limit"])
    approver = people.approver_user
    waiting = people.purchase_order()
    submit_for_approval(purchase_order=waiting, submitted_by=people.buyer_user)
    before = set(Membership.objects.filter(user=approver).values_list("business", "role"))

    with pytest.raises(BusinessError) as dropped:
        set_roles(
            business=people.buyer, person=approver, roles=["buyer"], changed_by=people.admin_user
        )
    with pytest.raises(BusinessError) as removed:
        remove_person(business=people.buyer, person=approver, removed_by=people.admin_user)

    assert f"{waiting.buyer_po_number} waits for approval" in dropped.value.message
    assert dropped.value.field == "roles"
    assert "the only approver who could decide it" in removed.value.message
    assert set(Membership.objects.filter(user=approver).values_list("business", "role")) == before
    # With another approver, the role may go.
    Membership.objects.create(
        user=UserFactory(), business=people.buyer, role=Membership.Role.APPROVER
    )
    remove_person(business=people.buyer, person=approver, removed_by=people.admin_user)
    assert not Membership.objects.filter(user=approver).exists()
