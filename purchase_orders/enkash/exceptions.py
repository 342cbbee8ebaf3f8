"""Errors of the EnKash network layer."""


class EnKashError(Exception):
    """Root of the network errors: an answer the client could not make sense of.

    ``response`` is the ``requests.Response`` when there was one.
    """

    retryable = False

    def __init__(self, message: str, *, response=None):
        super().__init__(message)
        self.message = message
        self.response = response

    @property
    def status_code(self) -> int | None:
        return getattr(self.response, "status_code", None)


class EnKashUnavailable(EnKashError):
    """The network could not be reached or answered 5xx or 429: try again later."""

    retryable = True


class EnKashRejected(EnKashError):
    """The network refused the request (4xx or a non-zero ``response_code``): final."""

    def __init__(
        self,
        message: str,
        *,
        error_code: str = "",
        error_detail: str = "",
        error_field: str = "",
        response=None,
    ):
        super().__init__(message, response=response)
        self.error_code = error_code or ""
        self.error_detail = error_detail or message
        self.error_field = error_field or ""


class EnKashAuthenticationError(EnKashRejected):
    """The network refused the portal's credentials."""


class WebhookAuthenticationError(Exception):
    """A webhook delivery could not be authenticated; ``reason`` is for the logs only."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
