"""Limit failed logins per username and address, in a cache every web node shares.

After ``LOGIN_FAILURE_LIMIT`` failures for one username from one address
within ``LOGIN_FAILURE_WINDOW_SECONDS``, every further attempt for it is
refused, even with the right password, until the window has passed since the
last failure. A successful login clears the count. The count lives in the
default cache, which is the database cache unless ``CACHE_URL`` says
otherwise, so that all web nodes see the same count without another service.

The pages' login form says to wait; the backend refuses too, so that the
admin's login and any other caller of ``authenticate`` are limited as well.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver

logger = logging.getLogger(__name__)

WAIT_MESSAGE = (
    "Too many failed attempts to log in as this user. Wait %(minutes)d minutes and try again."
)


def _key(username: str, address: str) -> str:
    identity = f"{(username or '').strip().lower()}\n{address or ''}"
    return "login-failures:" + hashlib.sha256(identity.encode()).hexdigest()


def _address(request) -> str:
    # REMOTE_ADDR only: a forwarded-for header is written by the client.
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def failures(request, username: str) -> int:
    """Return how many recent failed logins the username has from the request's address."""
    return cache.get(_key(username, _address(request)), 0)


def is_blocked(request, username: str) -> bool:
    return failures(request, username) >= settings.LOGIN_FAILURE_LIMIT


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    key = _key(username, _address(request))
    count = cache.get(key, 0) + 1
    cache.set(key, count, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    if count == settings.LOGIN_FAILURE_LIMIT:
        logger.warning(
            "Logins as %r from %s are refused for %s seconds after %s failures",
            username,
            _address(request),
            settings.LOGIN_FAILURE_WINDOW_SECONDS,
            count,
        )


@receiver(user_logged_in)
def clear_failures(sender, request, user, **kwargs):
    cache.delete(_key(user.get_username(), _address(request)))


class RateLimitedModelBackend(ModelBackend):
    """The model backend, refusing a username that has failed too often from an address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and is_blocked(request, username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RateLimitedAuthenticationForm(AuthenticationForm):
    """The login form, saying to wait once a username has failed too often."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and is_blocked(self.request, username):
            raise ValidationError(
                WAIT_MESSAGE,
                code="too_many_attempts",
                params={"minutes": -(-settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)},
            )
        return super().clean()
