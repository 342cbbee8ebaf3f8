"""What the benchmarks share: their PostgreSQL database, their processes, their figures.

Every benchmark runs against a database of its own, dropped and created
afresh: ``BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/bench_procurement``). Servers listen
on 127.0.0.1 only, on ports the system hands out.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_procurement"
WEBHOOK_SECRET = "whsec_" + "YmVuY2htYXJrLXdlYmhvb2stc2VjcmV0LW9mLXRoZS1wb3J0YWw="


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def environment(**extra: str) -> dict:
    """Return the environment of the benchmark's processes: production-like, on its database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback: no redirect to HTTPS.
        "SECURE_SSL_REDIRECT": "false",
        "ENKASH_CLIENT_SECRET": "bench-client-secret",
        "ENKASH_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        # An empty directory: whitenoise wants one, and nothing is collected.
        "STATIC_ROOT": os.environ.get("BENCH_STATIC_ROOT") or tempfile.mkdtemp(prefix="bench"),
    }
    env.update(extra)
    return env


def setup_django() -> None:
    """Configure Django in this process for the benchmark's database, and create it afresh."""
    os.environ.update(environment())
    os.environ["BENCH_SECRET_KEY"] = os.environ["SECRET_KEY"]
    os.environ["BENCH_STATIC_ROOT"] = os.environ["STATIC_ROOT"]
    recreate_database()
    import django
    from django.core.management import call_command

    django.setup()
    # Also makes the database cache's table, where failed logins are counted.
    call_command("migrate", verbosity=0, interactive=False)
    # Pages and documents rendered in this process are rendered as in the
    # portal's web and worker processes, which do this once they have started.
    from procurement.startup import freeze_start_up_objects

    freeze_start_up_objects()


def recreate_database() -> None:
    """Drop the benchmark's database if it exists and create it empty."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url())
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        sys.exit(f"Refusing to drop {name!r}: the benchmark's database name must start 'bench'.")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{process.args[:3]} ended with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"Nothing listened on port {port} within {timeout} s")


@contextmanager
def running(args: list[str], *, env: dict, port: int | None = None, log=None):
    """Run a process for the duration of a block; stop it (TERM, then KILL) afterwards.

    ``log``, a file, takes the process's output instead of the terminal.
    """
    output = {} if log is None else {"stdout": log, "stderr": subprocess.STDOUT}
    process = subprocess.Popen(args, cwd=ROOT, env=env, **output)
    try:
        if port is not None:
            wait_until_listening(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def manage(*args: str) -> list[str]:
    return [PYTHON, str(ROOT / "manage.py"), *args]


# -- load and its figures ---------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]



@dataclass
class Request:
    path: str
    body: bytes
    headers: dict


@dataclass
class LoadResult:
    name: str
    requests: int
    seconds: float
    latencies: list
    errors: list

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)

    def line(self) -> str:
        return (
            f"{self.name:<24} {self.requests:>6} requests in {self.seconds:6.2f} s: "
            f"{self.throughput:7.1f} req/s, p50 {self.percentile(0.50) * 1000:6.1f} ms, "
            f"p99 {self.percentile(0.99) * 1000:6.1f} ms, errors {len(self.errors)}"
        )


def load(
    name: str, port: int, requests: list[Request], *, concurrency: int, accept
) -> LoadResult:
    """Post every request with ``concurrency`` client threads; time each one.

    ``accept(status, body)`` says whether an answer is a success; anything
    else, a failed connection included, counts as an error.
    """
    pending = iter(requests)
    lock = threading.Lock()
    latencies, errors = [], []

    def client() -> None:
        while True:
            with lock:
                request = next(pending, None)
            if request is None:
                return
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("POST", request.path, request.body, request.headers)
                response = connection.getresponse()
                status, body = response.status, response.read()
                connection.close()
                problem = None if accept(status, body) else f"HTTP {status}: {body[:300]!r}"
            except OSError as error:
                problem = f"{type(error).__name__}: {error}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(name, len(requests), time.perf_counter() - started, latencies, errors)


def timed(function, *args, **kwargs) -> tuple[float, object]:
    """Return (seconds, result) of one call."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def heading(text: str) -> None:
    print(f"\n== {text} ==", flush=True)
