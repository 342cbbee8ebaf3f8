"""The portal's URLs plus a bare DRF endpoint, the yardstick of the webhook benchmark.

The bare endpoint does the least a webhook endpoint could: parse the JSON
body and insert one row (an ``InboundEvent``), with no authentication,
validation or purchase-order work. Its throughput on the same server, in
the same run, is what the real webhooks are measured against.
"""

from django.urls import include, path
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.webhook_ingest import BARE_PATH
from purchase_orders.models import InboundEvent


class BareView(APIView):
    """Parse a JSON body and store it as one row."""

    authentication_classes = []
    permission_classes = []
    parser_classes = [JSONParser]
    throttle_classes = []

    def post(self, request):
        body = request.body
        if not isinstance(request.data, dict):
            return Response({"response_code": 1}, status=400)
        InboundEvent.objects.create(
            kind="bare",
            dedupe_key=request.headers.get("webhook-id", ""),
            body=body.decode(),
        )
        return Response({"payload": "SUCCESS", "response_code": 0})


urlpatterns = [
    path(BARE_PATH, BareView.as_view()),
    path("", include("procurement.urls")),
]
