"""
ASGI config for procurement project.

Live pages' stamp polls are answered by ``purchase_orders.live_wsgi``
before Django's middleware and views; everything else goes to Django.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

from procurement.startup import require_secret_key

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'procurement.settings')

application = get_asgi_application()
require_secret_key()

# Live pages' stamp polls are answered before Django's middleware and views.
from purchase_orders.live_wsgi import LiveStampsASGI  # noqa: E402

application = LiveStampsASGI(application)
