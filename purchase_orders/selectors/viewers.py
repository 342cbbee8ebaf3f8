"""Who looks: the businesses a user acts for, and what they may do with an order."""

from dataclasses import dataclass

from purchase_orders import lifecycle
from purchase_orders.models import (
    Membership,
    MembershipRole,
    OutboundMessage,
    PurchaseOrder,
)

from .approvals import ApprovalNeed, approval_needed, own_people


@dataclass(frozen=True)
class Viewer:
    """The businesses a signed-in user acts for, by role (``MembershipRole``).

    ``buyer_ids`` and ``supplier_ids`` are the sides the user acts on in
    purchase orders; ``approver_ids`` the buying businesses whose orders the
    user approves; ``admin_ids`` the businesses whose profile, people and
    settings the user keeps.
    """

    user: object
    buyer_ids: frozenset = frozenset()
    supplier_ids: frozenset = frozenset()
    approver_ids: frozenset = frozenset()
    admin_ids: frozenset = frozenset()

    @property
    def business_ids(self) -> frozenset:
        """Return every business the user belongs to, in any role."""
        return self.buyer_ids | self.supplier_ids | self.approver_ids | self.admin_ids

    def roles_in(self, business_id: int) -> frozenset:
        """Return the roles (``MembershipRole`` values) the user holds in a business."""
        held = (
            (MembershipRole.ADMIN, self.admin_ids),
            (MembershipRole.BUYER, self.buyer_ids),
            (MembershipRole.APPROVER, self.approver_ids),
            (MembershipRole.SUPPLIER, self.supplier_ids),
        )
        return frozenset(role.value for role, ids in held if business_id in ids)

    @property
    def is_admin(self) -> bool:
        return bool(self.admin_ids)

    @property
    def is_approver(self) -> bool:
        return bool(self.approver_ids)

    @property
    def is_buyer(self) -> bool:
        return bool(self.buyer_ids)

    @property
    def is_supplier(self) -> bool:
        return bool(self.supplier_ids)

    def roles_for(self, purchase_order: PurchaseOrder) -> frozenset:
        """Return the roles (buyer, supplier) in which the user acts on a purchase order."""
        roles = set()
        if purchase_order.buyer_id in self.buyer_ids:
            roles.add(lifecycle.BUYER)
        if purchase_order.supplier_id in self.supplier_ids:
            roles.add(lifecycle.SUPPLIER)
        return frozenset(roles)


def holds_role(user, business, *roles: str) -> bool:
    """Return whether an active, signed-in user holds one of ``roles`` in a business.

    The services' check of who acts, against the database at the moment
    they act (``Viewer`` is what a page read at its start).
    """
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and Membership.objects.filter(user=user, business=business, role__in=roles).exists()
    )


def get_viewer(user) -> Viewer:
    """Return the businesses a user acts for, by role, in one query.

    Pages read it as ``request.viewer`` (``middleware.ViewerMiddleware``),
    once per request.
    """
    if not user.is_authenticated or not user.is_active:
        return Viewer(user=user)
    ids = {role: set() for role in MembershipRole.values}
    memberships = Membership.objects.filter(user=user).values_list("business_id", "role")
    for business_id, role in memberships:
        ids[role].add(business_id)
    return Viewer(
        user=user,
        buyer_ids=frozenset(ids[MembershipRole.BUYER]),
        supplier_ids=frozenset(ids[MembershipRole.SUPPLIER]),
        approver_ids=frozenset(ids[MembershipRole.APPROVER]),
        admin_ids=frozenset(ids[MembershipRole.ADMIN]),
    )


@dataclass(frozen=True)
class PurchaseOrderActions:
    """What a viewer may do with one purchase order, read from the lifecycle table.

    ``roles`` are the sides the viewer acts for on the order; ``senders``
    the sides whose business the viewer belongs to, whose messages the
    viewer may retry; ``approves`` whether the viewer approves the buying
    business's orders (``selectors.approvals`` says when one must ask).
    """

    purchase_order: PurchaseOrder
    roles: frozenset
    senders: frozenset
    approves: bool = False
    user_id: int | None = None

    def moves(self, role: str) -> list[lifecycle.Transition]:
        """Return the moves the viewer may make for a side.

        None while an action is pending, nor, for the buying side, while a
        send or an edit waits for approval.
        """
        purchase_order = self.purchase_order
        if role not in self.roles or purchase_order.pending_action:
            return []
        if role == lifecycle.BUYER and purchase_order.waiting_approval_id:
            return []
        return lifecycle.allowed_transitions(purchase_order.status, role)

    def may(self, action: str) -> bool:
        transition = lifecycle.TRANSITIONS_BY_ACTION[action]
        return transition in self.moves(transition.actor)

    @property
    def send_approval(self) -> ApprovalNeed | None:
        """Return why the draft's send needs an approver, or None."""
        purchase_order = self.purchase_order
        return approval_needed(
            business=purchase_order.buyer,
            total=purchase_order.total_po_value,
            approver_of_own=self.approves,
        )

    @property
    def may_send(self) -> bool:
        """Return whether the buyer may send the draft straight to the supplier."""
        return self.may(lifecycle.SEND) and self.send_approval is None

    @property
    def may_submit(self) -> bool:
        """Return whether the buyer must, and may, submit the draft for approval."""
        return self.may(lifecycle.SUBMIT) and self.send_approval is not None

    @property
    def may_decide(self) -> bool:
        """Return whether the viewer may approve or return what waits for approval."""
        request = self.purchase_order.waiting_approval
        if not self.approves or request is None:
            return False
        return self.purchase_order.buyer.approvers_may_approve_own or (
            self.user_id
            not in own_people(
                purchase_order=self.purchase_order, submitted_by_id=request.submitted_by_id
            )
        )

    @property
    def is_buyer(self) -> bool:
        return lifecycle.BUYER in self.roles

    @property
    def is_supplier(self) -> bool:
        return lifecycle.SUPPLIER in self.roles

    @property
    def edit_mode(self) -> str:
        """Return "draft" or "edit" if the buyer may change the order, else ""."""
        if not self.is_buyer:
            return ""
        if self.purchase_order.is_draft:
            return "" if self.purchase_order.pending_action else "draft"
        return "edit" if self.may(lifecycle.EDIT) else ""

    @property
    def status_moves(self) -> list[lifecycle.Transition]:
        """Return the buyer's status changes (cancel, fulfil, close) allowed now."""
        return [
            transition
            for transition in self.moves(lifecycle.BUYER)
            if transition.action in lifecycle.BUYER_STATUS_ACTIONS
        ]

    def may_retry(self, message: OutboundMessage) -> bool:
        """Return whether the viewer's business sent a failed message (and so may retry it)."""
        return message.state == OutboundMessage.State.FAILED and message.sender_role in self.senders


def purchase_order_actions(
    *, viewer: Viewer, purchase_order: PurchaseOrder
) -> PurchaseOrderActions:
    """Return what the viewer may do with a purchase order, for its page and its actions."""
    senders = {
        role
        for role, business_id in (
            (lifecycle.BUYER, purchase_order.buyer_id),
            (lifecycle.SUPPLIER, purchase_order.supplier_id),
        )
        if business_id in viewer.business_ids
    }
    return PurchaseOrderActions(
        purchase_order=purchase_order,
        roles=viewer.roles_for(purchase_order),
        senders=frozenset(senders),
        approves=purchase_order.buyer_id in viewer.approver_ids,
        user_id=getattr(viewer.user, "pk", None),
    )
