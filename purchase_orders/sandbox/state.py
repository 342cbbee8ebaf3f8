"""What the sandbox received and delivered, kept for tests to assert on."""

import contextlib


class SandboxRecords:
    """The requests, token requests and webhook deliveries a sandbox has seen.

    A part of ``SandboxServer``, whose ``__init__`` sets the lists, the lock
    that guards them and the condition that announces a delivery.
    """

    @property
    def received(self) -> list[dict]:
        """Every API request: kind, req_msg_id, headers, body, the status answered.

        ``repeat`` is true for a request whose reqMsgId was already
        acknowledged: it was acknowledged again and nothing was delivered.
        """
        with self._lock:
            return list(self._received)

    @property
    def delivered(self) -> list[dict]:
        """Every webhook delivery: url, kind, webhook_id, attempts, status, outcome, body."""
        with self._lock:
            return list(self._delivered)

    @property
    def drifted(self) -> list[dict]:
        """Every delivery answered, at least once, in a shape other than the documented one.

        Each is its delivery's record, whose ``drifts`` say which attempts drifted
        and how. ``reset`` keeps these: they are the portal's faults, not the
        sandbox's state.
        """
        with self._lock:
            return list(self._drifted)

    @property
    def token_requests(self) -> list[dict]:
        """Every token request: the client id offered and the status answered."""
        with self._lock:
            return list(self._token_requests)

    def wait_for_deliveries(self, n: int, timeout: float = 5.0) -> list[dict]:
        """Wait until ``n`` webhook deliveries have finished and return them all."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._delivered) >= n, timeout):
                raise TimeoutError(
                    f"{len(self._delivered)} webhook deliveries after {timeout} s, "
                    f"not {n}: {[entry['kind'] for entry in self._delivered]}"
                )
            return list(self._delivered)

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Wait until the webhooks of every request acknowledged so far are delivered.

        Exchanges held back by ``out_of_order`` are not waited for.
        """
        if self._deliverer:
            self._deliverer.wait_idle(timeout)

    @contextlib.contextmanager
    def deliveries_paused(self):
        """Hold every webhook back inside the block, then deliver them in order."""
        if not self._deliverer:
            yield
            return
        self._deliverer.pause()
        try:
            yield
        finally:
            self._deliverer.resume()

    def _record_delivery(self, entry: dict) -> None:
        with self._changed:
            self._delivered.append(entry)
            if entry.get("drifts"):
                self._drifted.append(entry)
            self._changed.notify_all()
