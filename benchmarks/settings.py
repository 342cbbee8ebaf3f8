"""The portal's settings for the benchmark's processes.

Its URLs add the bare endpoint, and static files are named without the
manifest only ``collectstatic`` writes, so that pages render from a fresh
clone. Production and the tests keep ``procurement.settings``.
"""

from procurement.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bare_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
