"""Domain errors raised by the services; views and webhooks turn them into answers."""

from purchase_orders.contents import FieldPath


class PurchaseOrderError(Exception):
    """Root of the purchase-order domain errors.

    ``code`` is the network's ``errorCd`` used when a webhook is refused.
    ``path`` names the part at fault, as a ``contents.FieldPath``: a part of
    the contents (``("lines", 0, "hsn_code")``), of a received message
    (``received.ReceivedMessage``), or an input of an action (``("reason",)``);
    ``()`` is the purchase order as a whole, None no part at all. The form
    shows the error next to that part (``forms.editor.field_name``) and a
    refused webhook names it in ``errorField`` (``enkash.messages``).
    """

    code = "PURCHASE_ORDER_ERROR"

    def __init__(self, message: str, *, path: FieldPath | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = None if path is None else tuple(path)
        if code:
            self.code = code


class NotAllowed(PurchaseOrderError):
    """The user or business may not do this to this purchase order."""

    code = "NOT_ALLOWED"


class TransitionNotAllowed(PurchaseOrderError):
    """The lifecycle table does not allow this move from the current status."""

    code = "TRANSITION_NOT_ALLOWED"


class StaleVersion(PurchaseOrderError):
    """The action was based on a version that is no longer the current one."""

    code = "STALE_VERSION"


class InvalidPurchaseOrder(PurchaseOrderError):
    """The purchase order's contents are not valid (totals, formats, parties)."""

    code = "INVALID_FIELD"


class BusinessError(Exception):
    """Root of the errors about a business's profile, its people and its invitations.

    ``field`` names the form field at fault (``"email"``, ``"roles"``), or
    None for the request as a whole; ``messages`` holds every message, for a
    refusal with several reasons (a password's).
    """

    def __init__(self, *messages: str, field: str | None = None):
        super().__init__(" ".join(messages))
        self.messages = list(messages)
        self.message = " ".join(messages)
        self.field = field


class BusinessNotAllowed(BusinessError):
    """The user's roles in the business do not allow this."""


class LastAdmin(BusinessError):
    """The change would leave the business without a business admin."""


class TooManyInvitations(BusinessError):
    """The person, or the business, has sent as many invitations as the window allows."""


class InvitationError(BusinessError):
    """An invitation link that cannot be used; ``status`` is the page's HTTP status."""

    status = 410


class InvitationNotFound(InvitationError):
    """The link was not made here, or was altered, or its invitation is gone."""

    status = 404


class InvitationExpired(InvitationError):
    """The link's time is up."""


class InvitationUsed(InvitationError):
    """The invitation was accepted already."""


class InvitationRevoked(InvitationError):
    """The invitation was withdrawn."""


class InvitationSuperseded(InvitationError):
    """A newer e-mail of the same invitation was sent; only its link works."""


class InvitationForSomeoneElse(InvitationError):
    """The person signed in is not the one invited."""

    status = 403
class DirectoryError(PurchaseOrderError):
    """A supplier-directory request that cannot be done as asked.

    ``path`` names the input at fault, as the directory's forms name their
    fields (``("value",)``, ``("gstin",)``, ``("b2b_id",)``).
    """

    code = "DIRECTORY_ERROR"
