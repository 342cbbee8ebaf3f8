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


class DirectoryError(PurchaseOrderError):
    """A supplier-directory request that cannot be done as asked.

    ``path`` names the input at fault, as the directory's forms name their
    fields (``("value",)``, ``("gstin",)``, ``("b2b_id",)``).
    """

    code = "DIRECTORY_ERROR"
