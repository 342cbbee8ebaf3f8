"""
WSGI config for procurement project.

Live pages' stamp polls are answered by ``purchase_orders.live_wsgi``
before Django's middleware and views; everything else goes to Django.
Once loaded, the start-up objects are frozen out of the garbage collector's
passes (``procurement.startup.freeze_start_up_objects``).

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from procurement.startup import freeze_start_up_objects, require_secret_key

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'procurement.settings')

application = get_wsgi_application()
require_secret_key()

# Live pages' stamp polls are answered before Django's middleware and views.
from purchase_orders.live_wsgi import LiveStamps  # noqa: E402

application = LiveStamps(application)

freeze_start_up_objects()
