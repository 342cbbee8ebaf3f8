"""Fixtures of the sandbox's validation tests: one sandbox per module, and reading its answers."""

import re

import pytest
import requests
from django.conf import settings

from purchase_orders.enkash import conventions, encoding
from purchase_orders.sandbox.server import SandboxServer


class Api:
    """Post bodies to one sandbox shared by the module, with a valid token."""

    def __init__(self, server: SandboxServer):
        self.server = server
        self.session = requests.Session()
        answer = self.session.post(
            server.url + settings.ENKASH_TOKEN_PATH,
            json={
                "accessKey": settings.ENKASH_CLIENT_ID,
                "secretKey": settings.ENKASH_CLIENT_SECRET,
            },
            timeout=5,
        ).json()
        self.token = answer["token"]

    def post(self, kind: str, body, *, headers: dict | None = None) -> requests.Response:
        data = body if isinstance(body, bytes) else encoding.dumps(body).encode()
        return self.session.post(
            self.server.url + conventions.API_PREFIX + kind,
            data=data,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                conventions.REQ_MSG_ID_HEADER: "req-validation",
                **(headers or {}),
            },
            timeout=5,
        )


@pytest.fixture(scope="module")
def api():
    server = SandboxServer().start()
    yield Api(server)
    server.stop()


def refusal(response) -> tuple[int, str, str, str]:
    """Return (HTTP status, errorCd, errorField, errorDtl) of a refused request."""
    body = encoding.loads(response.content)
    resp = body["payload"]["resp"]
    assert body["response_code"] == response.status_code
    assert resp["result"] == "FAILURE"
    assert resp["reqMsgId"] == "req-validation"
    return response.status_code, resp["errorCd"], resp["errorField"], resp["errorDtl"]


STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split(path: str) -> list:
    return [int(index) if index else key for key, index in STEP.findall(path)]


def parent_of(body: dict, path: str):
    steps = split(path)
    node = body
    for step in steps[:-1]:
        node = node[step]
    return node, steps[-1]
