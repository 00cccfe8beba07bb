"""The fake API's state when the fake API runs in another process (`tidings up`): state changes are sent to its
control API (`POST /_tidings/state`) in batches, each batch before the events it belongs to are published, so a
consumer following a detailUrl finds the data there, as with the in-process fake API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from tidings.contracts.errors import UsageError

__all__ = ["RemoteFakeApiState", "fake_api_next_to"]


class RemoteFakeApiState:
    """Buffers `apply` calls and posts them to the fake API at `base_url` on `flush` (or every `batch`)."""

    def __init__(self, base_url: str, *, batch: int = 100, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.batch = batch
        self.timeout = timeout
        self._pending: list[dict[str, Any]] = []
        self.producers: dict[str, str] | None = None
        """producer -> base path, as its `/_tidings/health` says (None: it does not say)."""

    @classmethod
    def reachable(cls, base_url: str, *, timeout: float = 0.5) -> RemoteFakeApiState | None:
        """A remote state for the fake API at `base_url`, or None if no tidings fake API answers there."""
        try:
            with urllib.request.urlopen(f"{base_url.rstrip('/')}/_tidings/health", timeout=timeout) as response:
                health = json.loads(response.read())
                if health.get("status") == "ok":
                    found = cls(base_url)
                    producers = health.get("producers")
                    found.producers = dict(producers) if isinstance(producers, dict) else None
                    return found
        except (OSError, ValueError):
            pass
        return None

    def apply(self, event: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Queue the state change of one event."""
        self._pending.append({"event": event, "state": extra})
        if len(self._pending) >= self.batch:
            self.flush()

    def add_api_faults_for(self, event: Mapping[str, Any], specs: list[str], *, seed: int = 0) -> None:
        """Business-API faults for `event`'s detailUrl, sent with the event's state change (or after it, when that
        was sent already)."""
        for change in reversed(self._pending):
            if change["event"] is event:
                change.update(api_faults=specs, seed=seed)
                return
        self._pending.append({"event": event, "state": None, "api_faults": specs, "seed": seed, "apply": False})

    def flush(self) -> None:
        """Send what is queued; UsageError if the fake API does not take it."""
        if not self._pending:
            return
        body = json.dumps({"events": self._pending}).encode()
        self._pending = []
        request = urllib.request.Request(
            f"{self.base_url}/_tidings/state", data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):
                pass
        except (OSError, urllib.error.HTTPError) as error:
            raise UsageError(
                f"the fake API at {self.base_url} did not take the scenario's state: {error}",
                hint="is `tidings up` still running? the events published so far point at it",
            ) from None


def fake_api_next_to(engine: Any, base_url: str) -> RemoteFakeApiState | None:
    """The fake API served next to an engine of another process on this machine (`tidings up`), if one answers
    at `base_url` (where events' detailUrls point); None for an embedded engine of this process or a remote one."""
    if engine.kind == "embedded" or not engine.is_loopback:
        return None
    return RemoteFakeApiState.reachable(base_url)
