"""``/healthz``: is the database answering, is the outbox moving, is anything flagged?

For load balancers and monitoring: unauthenticated, so it shows counts and
ages only, never a name, setting or secret. 200 while the database answers
(the counts are for alerting), 503 when it does not, or when the tasks
backend's queue on Redis does not.
"""

import time

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from purchase_orders import task_queue
from purchase_orders.models import InboundEvent, OutboundMessage
from purchase_orders.services.outbound import PENDING_STATES


@never_cache
@require_GET
def healthz(request):
    """Report the database's latency and the queue's backlog as JSON."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        queue = _queue()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": {"ok": False}}, status=503)
    except task_queue.QueueUnavailable:
        return JsonResponse(
            {
                "status": "unavailable",
                "database": {"ok": True, "latency_ms": latency_ms},
                "tasks": {"ok": False},
            },
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "database": {"ok": True, "latency_ms": latency_ms}, "queue": queue}
    )


def _queue() -> dict:
    now = timezone.now()
    due = OutboundMessage.objects.filter(state__in=PENDING_STATES, next_attempt_at__lte=now)
    oldest = due.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    return {
        "outbound_due": due.count(),
        "outbound_failed": OutboundMessage.objects.filter(
            state=OutboundMessage.State.FAILED
        ).count(),
        "oldest_due_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
        # Tasks due to run now, on the database or on Redis (null for a
        # backend whose queue cannot be read).
        "tasks_ready": task_queue.due_count(),
        # Deliveries that acted for a business hosted here, not yet reviewed.
        "inbound_flagged": InboundEvent.objects.filter(
            flagged=True, reviewed_at__isnull=True
        ).count(),
    }
