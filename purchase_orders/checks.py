"""System checks of the app's settings."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_sending_lease(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse a sending lease that could end while a worker still awaits its answer.

    When the lease ends, another worker may take the message over; a lease
    shorter than the connect and read time-outs together lets it do so while
    the first worker is still waiting on a live request.
    """
    lease = settings.ENKASH_SENDING_LEASE_SECONDS
    connect = settings.ENKASH_CONNECT_TIMEOUT_SECONDS
    read = settings.ENKASH_TIMEOUT_SECONDS
    if lease > connect + read:
        return []
    return [
        checks.Error(
            f"ENKASH_SENDING_LEASE_SECONDS ({lease:g}) must be longer than "
            f"ENKASH_CONNECT_TIMEOUT_SECONDS + ENKASH_TIMEOUT_SECONDS "
            f"({connect:g} + {read:g} = {connect + read:g}).",
            hint="Lengthen the lease or shorten the time-outs, or a worker still "
            "waiting for EnKash's answer may see its message taken over.",
            id="purchase_orders.E001",
        )
    ]
