"""Limit failed logins per username and address, in a count every web node shares.

After ``LOGIN_FAILURE_LIMIT`` failures for one username from one address
within ``LOGIN_FAILURE_WINDOW_SECONDS``, every further attempt for it is
refused, even with the right password, until the window has passed since the
last attempt. A successful login clears the count.

The limit holds however many attempts arrive at once: an attempt takes its
number *before* the password is checked, and only the first
``LOGIN_FAILURE_LIMIT`` numbers get a check. Counting after the check, as a
read of the count and a write of count + 1, let twelve simultaneous wrong
passwords make seven checks against a limit of five: each read the count
before any wrote it.

The number comes from one ``UPDATE ... SET failures = failures + 1`` on the
username's row of ``LoginFailureCount``, read back in the same transaction.
On PostgreSQL the UPDATE locks the row until the commit, so a simultaneous
attempt waits and then increments the committed value; on SQLite a writing
transaction holds the whole database's write lock. Either way no two
attempts get the same number. The first attempt inserts the row; two first
attempts at once meet the unique key, and the loser increments the winner's
row instead. The cache is not used for this: Django's database cache
implements ``incr`` as a read and a write, which races in the same way.

The pages' login form says to wait; the backend refuses too, so that the
admin's login and any other caller of ``authenticate`` are limited as well.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.dispatch import receiver
from django.utils import timezone

from procurement.models import LoginFailureCount

logger = logging.getLogger(__name__)

WAIT_MESSAGE = (
    "Too many failed attempts to log in as this user. Wait %(minutes)d minutes and try again."
)
# Set on a request whose attempt was refused without checking its password.
REFUSED_ATTRIBUTE = "login_limit_reached"


def _key(username: str, address: str) -> str:
    identity = f"{(username or '').strip().lower()}\n{address or ''}"
    return hashlib.sha256(identity.encode()).hexdigest()


def _address(request) -> str:
    # REMOTE_ADDR only: a forwarded-for header is written by the client.
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


@transaction.atomic
def count_attempt(request, username: str) -> int:
    """Count one more attempt for the username from the request's address; return its number.

    A count whose last attempt is older than the window starts again at 1.
    """
    key = _key(username, _address(request))
    now, window_start = timezone.now(), _window_start()
    increment = {
        "failures": Case(
            When(last_failed_at__lt=window_start, then=Value(1)),
            default=F("failures") + 1,
        ),
        "last_failed_at": now,
    }
    counts = LoginFailureCount.objects.filter(key=key)
    for _ in range(3):
        if counts.update(**increment):
            break
        # A new username or address: the counts past their window go, so
        # that the table holds only the recent ones, however many names are tried.
        LoginFailureCount.objects.filter(last_failed_at__lt=window_start).delete()
        try:
            with transaction.atomic():
                LoginFailureCount.objects.create(key=key, failures=1, last_failed_at=now)
            break
        except IntegrityError:
            # A simultaneous first attempt inserted it: increment that row,
            # unless a login cleared it meanwhile, when this one inserts again.
            continue
    # Cleared by a simultaneous successful login: this attempt is the first.
    return counts.values_list("failures", flat=True).first() or 1


@receiver(user_logged_in)
def clear_failures(sender, request, user, **kwargs):
    LoginFailureCount.objects.filter(key=_key(user.get_username(), _address(request))).delete()


class RateLimitedModelBackend(ModelBackend):
    """The model backend, checking a password only while its username is under the limit.

    Every attempt is counted before its check; a successful login clears
    the count, so what remains counts failures.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        attempt = count_attempt(request, username)
        if attempt > settings.LOGIN_FAILURE_LIMIT:
            if request is not None:
                setattr(request, REFUSED_ATTRIBUTE, True)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and attempt == settings.LOGIN_FAILURE_LIMIT:
            logger.warning(
                "Logins as %r from %s are refused for %s seconds after %s failures",
                username,
                _address(request),
                settings.LOGIN_FAILURE_WINDOW_SECONDS,
                attempt,
            )
        return user


class RateLimitedAuthenticationForm(AuthenticationForm):
    """The login form, saying to wait once a username has failed too often."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, REFUSED_ATTRIBUTE, False):
                raise ValidationError(
                    WAIT_MESSAGE,
                    code="too_many_attempts",
                    params={"minutes": -(-settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)},
                ) from None
            raise
