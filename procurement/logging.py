"""Structured logs: one JSON object a line, carrying the request and network ids.

``RequestIdMiddleware`` binds each request's id (``X-Request-ID``) and runs
the request in a context of its own; code handling a network message binds
its ``reqMsgId`` (``log_context``, or ``note_req_msg_id`` for the rest of a
request) or passes it as ``extra={"req_msg_id": ...}``. The
``ContextFilter`` copies both onto every record, and the ``JSONFormatter``
writes them as ``request_id`` and ``reqMsgId``.
"""

import datetime
import json
import logging
from contextlib import contextmanager
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
req_msg_id: ContextVar[str] = ContextVar("req_msg_id", default="")


@contextmanager
def log_context(*, request: str | None = None, message: str | None = None):
    """Bind a request id and/or a reqMsgId to every log line written inside."""
    tokens = []
    if request is not None:
        tokens.append((request_id, request_id.set(request)))
    if message is not None:
        tokens.append((req_msg_id, req_msg_id.set(message)))
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def note_req_msg_id(value: str) -> None:
    """Bind a reqMsgId for the rest of the request (each runs in its own context)."""
    req_msg_id.set(value)


class ContextFilter(logging.Filter):
    """Give every record the bound request id and reqMsgId (an ``extra`` one wins)."""

    def filter(self, record):
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        if not getattr(record, "req_msg_id", ""):
            record.req_msg_id = req_msg_id.get()
        return True


class JSONFormatter(logging.Formatter):
    """Write a record as one line of JSON."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", ""):
            entry["request_id"] = record.request_id
        if getattr(record, "req_msg_id", ""):
            entry["reqMsgId"] = record.req_msg_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
