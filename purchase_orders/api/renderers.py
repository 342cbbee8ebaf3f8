"""Write webhook answers as the network reads them: Decimal amounts as JSON numbers."""

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from purchase_orders.enkash import encoding


class NetworkJSONRenderer(JSONRenderer):
    """Render an answer with ``encoding.dumps``, the way outbound messages are written."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return encoding.dumps(data).encode()


class JSONOnlyNegotiation(BaseContentNegotiation):
    """Answer in JSON whatever the ``Accept`` header asks for.

    The network reads one format; refusing a delivery with 406 over its
    ``Accept`` header would only make it retry.
    """

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip().lower() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
