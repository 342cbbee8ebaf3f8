"""Validate a body with its kind's serializer, built once per thread instead of once per request.

DRF builds a serializer's fields on first use by deep-copying the declared
fields, nested serializers and all: for ``req-send`` some twenty nested
serializers and two hundred fields, rebuilt for every delivery, which cost
more than validating the body itself. The field tree holds no state of a
request: validating (``run_validation``) reads it and returns the values or
raises ``ValidationError``; only ``is_valid`` keeps the data and errors on
the instance. So each thread builds one instance of each serializer class and
validates every body with it, and the result is exactly what ``is_valid`` and
``errors`` would give: the same fields, messages and order. One per thread,
not one per process, so that no two requests ever share a tree however the
server runs them.

The serializer classes stay the single description of each body: the OpenAPI
schema is generated from them, and tests may instantiate them as usual.
"""

import threading

from rest_framework import serializers

_built = threading.local()


def validate(serializer_class: type[serializers.Serializer], data) -> tuple[dict | None, dict]:
    """Return (validated data, {}) for a valid body, else (None, DRF's nested errors)."""
    try:
        return _serializer(serializer_class).run_validation(data), {}
    except serializers.ValidationError as error:
        return None, error.detail


def _serializer(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """Return this thread's instance of ``serializer_class``, its fields built once."""
    by_class = getattr(_built, "serializers", None)
    if by_class is None:
        by_class = _built.serializers = {}
    serializer = by_class.get(serializer_class)
    if serializer is None:
        serializer = by_class[serializer_class] = serializer_class()
    return serializer
