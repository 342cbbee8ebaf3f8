"""Run the EnKash sandbox: a local stand-in for the network, for the demo and tests."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from purchase_orders.sandbox.directory import make_entries
from purchase_orders.sandbox.server import SandboxServer


class Command(BaseCommand):
    # The sandbox plays the network, not the portal: it serves none of the
    # portal's URLs or models, so the portal's system checks are not its own.
    requires_system_checks = []
    help = (
        "Run a local stand-in for EnKash's purchase-order network. It issues tokens at "
        "ENKASH_TOKEN_PATH for ENKASH_CLIENT_ID / ENKASH_CLIENT_SECRET, accepts the four "
        "APIs at /api/v0/purchase-order/req-*, checks every body strictly against the "
        "spec, acknowledges it, and then delivers the request and response webhooks, "
        "signed with ENKASH_WEBHOOK_SECRET, to --deliver-to. It answers Business Onboarding's "
        "Search Entity at /api/v0/business-onboarding/search-entity from the businesses of "
        "--directory. Its control API is under /_sandbox/ (health, received, delivered, "
        "reset, tokens/expire, faults, release, directory)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default: 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=8001, help="Port to listen on (default: 8001)."
        )
        parser.add_argument(
            "--deliver-to",
            default="http://127.0.0.1:8000",
            help="Base URL of the portal that receives the webhooks, for both the buyer "
            "and the supplier (default: http://127.0.0.1:8000). An empty value delivers "
            "nothing.",
        )
        parser.add_argument(
            "--delay",
            type=float,
            default=0.3,
            help="Seconds between acknowledging a request and delivering its webhooks "
            "(default: 0.3).",
        )
        parser.add_argument(
            "--answer-latency",
            type=float,
            default=0.0,
            help="Seconds each API answer is held, as a distant network's would be (default: 0).",
        )
        parser.add_argument(
            "--token-ttl",
            type=float,
            default=3600.0,
            help="Seconds a token stays valid (default: 3600).",
        )
        parser.add_argument(
            "--delivery-attempts",
            type=int,
            default=4,
            help="Attempts per webhook when the portal answers 5xx or not at all; then "
            "the delivery is recorded as failed (default: 4).",
        )
        parser.add_argument(
            "--retry-backoff",
            type=float,
            default=0.5,
            help="Seconds before the first retry of a webhook, doubled for each further "
            "one (default: 0.5).",
        )
        parser.add_argument(
            "--directory",
            type=Path,
            action="append",
            default=[],
            help="A JSON file listing the businesses the network knows, which Search Entity "
            "finds: name, alias, state, pincode, gstin and b2bIds of each, and elsewhere (true "
            "for a business on another platform, whose orders the sandbox takes itself; "
            "seed_demo --sandbox-directory writes the demo's). May be given more than once.",
        )
        parser.add_argument(
            "--delivery-timeout",
            type=float,
            default=10.0,
            help="Seconds to wait for the portal to answer a webhook (default: 10).",
        )
        parser.add_argument(
            "--delivery-threads",
            type=int,
            default=1,
            help="Webhooks delivered at once, one order's still one after another in the "
            "order they arrived (default: 1, every webhook in turn).",
        )

    def handle(self, *args, **options):
        if not settings.ENKASH_CLIENT_SECRET:
            raise CommandError(
                "Set ENKASH_CLIENT_SECRET (with DEBUG on a demo value is used): the sandbox "
                "issues tokens only for ENKASH_CLIENT_ID and that secret."
            )
        deliver_to = options["deliver_to"] or None
        if deliver_to and not settings.ENKASH_WEBHOOK_SECRET:
            raise CommandError(
                "Set ENKASH_WEBHOOK_SECRET (with DEBUG on a demo value is used): the sandbox "
                "signs every webhook with it."
            )
        for name in ("delay", "answer_latency", "token_ttl", "retry_backoff"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must be 0 or more.")
        if (
            options["delivery_attempts"] < 1
            or options["delivery_timeout"] <= 0
            or options["delivery_threads"] < 1
        ):
            raise CommandError(
                "--delivery-attempts, --delivery-timeout and --delivery-threads must be positive."
            )
        directory = []
        for path in options["directory"]:
            try:
                directory.extend(make_entries(json.loads(path.read_text())))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read the directory {path}: {error}") from error
        try:
            sandbox = SandboxServer(
                host=options["host"],
                port=options["port"],
                deliver_to=deliver_to,
                delay=options["delay"],
                answer_latency=options["answer_latency"],
                token_ttl=options["token_ttl"],
                delivery_attempts=options["delivery_attempts"],
                retry_backoff=options["retry_backoff"],
                delivery_timeout=options["delivery_timeout"],
                delivery_threads=options["delivery_threads"],
                directory=directory,
            ).start()
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {error}"
            ) from error
        self.stdout.write(
            f"EnKash sandbox at {sandbox.url} (token path {sandbox.token_path}, client id "
            f"{sandbox.client_id}); webhooks to {deliver_to or 'nowhere'} after "
            f"{options['delay']} s; {len(sandbox.directory.all())} businesses in its "
            "directory. Ctrl-C stops it."
        )
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("EnKash sandbox stopped.")
