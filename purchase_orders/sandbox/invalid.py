"""The one refusal the sandbox's checks raise: which field, what is wrong, which code."""

from purchase_orders.enkash import conventions


class Invalid(Exception):
    """A body that breaks the spec or a convention.

    ``field`` is a dotted path such as ``purchaseOrder.itemLists[0].hsnCode``
    and becomes the answer's ``errorField``; ``detail`` its ``errorDtl``.
    """

    def __init__(
        self,
        field: str,
        detail: str,
        *,
        error_code: str = conventions.ERROR_INVALID_FIELD,
        response_code: int = conventions.RESPONSE_CODE_INVALID,
    ):
        super().__init__(f"{field}: {detail}" if field else detail)
        self.field = field
        self.detail = detail
        self.error_code = error_code
        self.response_code = response_code
