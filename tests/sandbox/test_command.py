"""manage.py enkash_sandbox: the same sandbox, run as a process."""

import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from purchase_orders.enkash.client import clear_token_cache, get_enkash_client
from purchase_orders.management.commands.enkash_sandbox import Command
from purchase_orders.sandbox.server import SandboxServer
from tests.plugins.sandbox import conforming_request

pytestmark = pytest.mark.sandbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, url: str, limit: float = 60) -> dict:
    """Return the sandbox's health once it answers, while the process lives, within ``limit`` s."""
    deadline = time.monotonic() + limit
    while True:
        try:
            return requests.get(url + "/_sandbox/health", timeout=10).json()
        except requests.RequestException as error:  # not listening yet, or slow to answer
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"no answer from {url} in {limit} s: {error}"
            time.sleep(0.1)


def test_help_documents_every_option():
    text = Command().create_parser("manage.py", "enkash_sandbox").format_help()

    for option in ("--host", "--port", "--deliver-to", "--delay", "--answer-latency",
                   "--token-ttl",
                   "--delivery-attempts", "--retry-backoff", "--delivery-timeout"):
        assert option in text


def test_the_command_serves_the_sandbox_until_interrupted(settings):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "enkash_sandbox", "--port", str(port),
         "--deliver-to", "", "--delay", "0"],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        health = wait_until_serving(process, url)
        settings.ENKASH_BASE_URL = url
        clear_token_cache()
        with get_enkash_client() as client:
            envelope = client.send_purchase_order(conforming_request("req-send"), req_msg_id="r-1")
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
        clear_token_cache()

    assert health["deliver_to"] is None
    assert envelope["response_code"] == 0
    assert process.returncode == 0, stderr
    assert f"EnKash sandbox at {url}" in stdout
    assert "webhooks to nowhere" in stdout
    assert "EnKash sandbox stopped." in stdout


def test_the_command_needs_the_client_secret(settings):
    settings.ENKASH_CLIENT_SECRET = ""

    with pytest.raises(CommandError, match="Set ENKASH_CLIENT_SECRET"):
        call_command("enkash_sandbox", "--port", "0")


def test_the_command_needs_a_webhook_secret_to_deliver(settings):
    settings.ENKASH_WEBHOOK_SECRET = ""

    with pytest.raises(CommandError, match="Set ENKASH_WEBHOOK_SECRET"):
        call_command("enkash_sandbox", "--port", "0", "--deliver-to", "http://127.0.0.1:8000")


def test_a_port_in_use_is_a_clear_error():
    with SandboxServer() as running:
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{running.port}"):
            call_command("enkash_sandbox", "--port", str(running.port))
