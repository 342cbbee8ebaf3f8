"""The sending lease must outlast the connect and read time-outs together."""

from django.core import checks

from purchase_orders.checks import check_sending_lease


def test_a_lease_longer_than_both_time_outs_passes(settings):
    settings.ENKASH_CONNECT_TIMEOUT_SECONDS = 1
    settings.ENKASH_TIMEOUT_SECONDS = 2
    settings.ENKASH_SENDING_LEASE_SECONDS = 3.5

    assert check_sending_lease() == []


def test_a_lease_no_longer_than_both_time_outs_is_an_error(settings):
    settings.ENKASH_CONNECT_TIMEOUT_SECONDS = 5
    settings.ENKASH_TIMEOUT_SECONDS = 20
    settings.ENKASH_SENDING_LEASE_SECONDS = 25

    errors = check_sending_lease()

    assert [(type(error), error.id) for error in errors] == [
        (checks.Error, "purchase_orders.E001")
    ]
    assert errors[0].msg == (
        "ENKASH_SENDING_LEASE_SECONDS (25) must be longer than "
        "ENKASH_CONNECT_TIMEOUT_SECONDS + ENKASH_TIMEOUT_SECONDS (5 + 20 = 25)."
    )


def test_the_check_is_registered_with_django(settings):
    settings.ENKASH_SENDING_LEASE_SECONDS = 2

    errors = checks.run_checks(tags=[checks.Tags.compatibility])

    assert "purchase_orders.E001" in [error.id for error in errors]
