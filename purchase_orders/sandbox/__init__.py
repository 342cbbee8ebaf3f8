"""A stand-in for EnKash's purchase-order network, for the demo and the tests.

``python manage.py enkash_sandbox`` runs it; tests start ``SandboxServer``
directly (``tests/plugins/sandbox.py``).
"""
