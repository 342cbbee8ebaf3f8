"""Fixtures: a real Chromium driven by Playwright against the live test server.

Every page a test opens is watched: a console error, a static file that
does not load, or a request to any host but the test servers fails the test
when it ends. Screenshots go to ``artifacts/screenshots/<test name>/``, for
the steps a test names and for every open page when a test fails.
"""

import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.factories import DEMO_PASSWORD

# Debian's Chromium unless CHROMIUM_PATH names another.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Playwright's default of 30 s hides a stuck page for too long.
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, headless, for one module of tests.

    Without it the browser tests are skipped, except in CI (``CI=true``), where
    they fail: a run there must not pass with its browser tests left out.
    """
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; in CI the browser tests must run", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    # Playwright's sync API keeps an event loop running in this thread while
    # it is started, and Django refuses database access from such a thread
    # unless told that it is safe, as it is here: the loop never runs Django
    # code. Both last for one module, so other tests keep Django's check.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


class Visitor:
    """One person at one browser: their own context (cookies) and page."""

    def __init__(self, *, browser, base_url: str, name: str, folder: Path, viewport: dict):
        self.name = name
        self.base_url = base_url
        self.folder = folder
        self.context = browser.new_context(
            base_url=base_url, viewport=viewport, locale="en-IN", timezone_id="Asia/Kolkata"
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.console_errors: list[str] = []
        self.broken_assets: list[str] = []
        self.outside_requests: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("response", self._response)

    def _only_local(self, route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside_requests.append(route.request.url)
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def _response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.broken_assets.append(f"{response.status} {response.url}")

    def log_in(self, user, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the login page, as a person would."""
        self.page.goto("/login/")
        self.page.get_by_label("Username").fill(user.get_username())
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in", exact=True).click()
        self.page.wait_for_url(re.compile(r"^(?!.*/login/)"))

    def shot(self, step: str, *, full_page: bool = True) -> Path:
        """Save a screenshot of the page as it is now; return its path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        taken = len(list(self.folder.glob("*.png"))) + 1
        path = self.folder / f"{taken:02d}-{self.name}-{step}.png"
        self.page.screenshot(path=path, full_page=full_page)
        return path

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"asset failed: {text}" for text in self.broken_assets),
            *(f"request outside the portal: {url}" for url in self.outside_requests),
        ]


class SerializedApp:
    """A WSGI app that handles one request at a time, under a lock.

    So it says it is not multithreaded, and a page's live poll is answered at
    once instead of being held (a held poll would hold the lock, and every
    other request, for its whole wait). ``hold_polls`` lets a test that is
    about held polls have them.
    """

    def __init__(self, app, lock):
        self.app = app
        self.lock = lock
        self.hold_polls = False

    def __call__(self, environ, start_response):
        environ["wsgi.multithread"] = self.hold_polls
        with self.lock:
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()


@pytest.fixture
def portal_lock(live_server):
    """Return the lock the live server holds while it handles a request.

    With SQLite in memory, the live server's threads share the test's one
    connection, and two of them using it at once fail at random ("database
    table is locked"); the browser, the sandbox's webhooks and the test's
    worker all reach the database, so each takes its turn. A test holds the
    lock while it reads the database itself.
    """
    httpd = live_server.thread.httpd
    if not isinstance(httpd.get_app(), SerializedApp):
        httpd.set_app(SerializedApp(httpd.get_app(), threading.RLock()))
    return httpd.get_app().lock


@pytest.fixture
def held_polls(live_server, portal_lock):
    """Let the live server hold pages' polls until a change, as a threaded server does.

    The live server outlives the test, so its polls are answered at once again
    afterwards.
    """
    app = live_server.thread.httpd.get_app()
    app.hold_polls = True
    yield
    app.hold_polls = False


@pytest.fixture
def visitors(request, chromium, live_server, portal_lock):
    """Return ``visit(name, viewport=None)``: a new person at their own browser.

    The live server serves static files itself; the pages must load every
    asset from it, with no console error.
    """
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    opened: list[Visitor] = []

    def visit(name: str, viewport: dict | None = None) -> Visitor:
        visitor = Visitor(
            browser=chromium,
            base_url=live_server.url,
            name=name,
            folder=folder,
            viewport=viewport or DESKTOP,
        )
        opened.append(visitor)
        return visitor

    yield visit
    report = getattr(request.node, "report_call", None)
    try:
        if report is not None and report.failed:
            for visitor in opened:
                visitor.shot("failure")
        problems = [f"{v.name}: {problem}" for v in opened for problem in v.problems()]
    finally:
        for visitor in opened:
            visitor.context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def run_mail_tasks(send_queued_mail, portal_lock):
    """Return ``run()``: send the queued e-mails as the worker would, in the portal's turn.

    The webhooks that ``deliver`` waits for queue their e-mails; the worker
    sends them later. Returns how many ran.
    """

    def run() -> int:
        with portal_lock:
            return send_queued_mail()

    return run


@pytest.fixture
def deliver(network_sandbox, run_tasks, portal_lock):
    """Return ``deliver(n)``: run the due tasks, then wait for ``n`` webhooks in all.

    The worker hands the queued messages to the sandbox, which answers with
    its webhooks to the live server; ``n`` counts every delivery of the test.
    """

    def run(n: int) -> list[dict]:
        with portal_lock:
            run_tasks()
        return network_sandbox.wait_for_deliveries(n, timeout=15)

    return run
