"""Business-API faults: how the fake API answers for a resource whose event carried `api-lag`, `api-error` or
`api-slow` (see scenarios.faults). The commonest fault of "decouple with events" is the event arriving before
the API can serve its data; consumers must also meet 5xx answers and latency.

- `api-lag=2s`: 404 problem+json for 2 s of *wall-clock* time after the event is published (even when the run does
  not wait for simulated delays: a consumer has to be able to meet it), then the resource. `api-lag=3req`: the
  first 3 requests get the 404.
- `api-error=0.2[:500]`: each request fails with a 503 (or the status given) problem+json, with that chance.
- `api-slow=0-500ms`: each request waits a uniform 0-500 ms before it is answered.

Per path, answers are drawn from a `random.Random` seeded by the run's seed and the path, so the same run and the
same requests give the same answers. Faults stay until the next reset of the fake API, and a later event for the
same path replaces them. A lagging path answers 404 even when an earlier event had created the resource.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tidings.simulator.scenarios.faults import FaultSpec, parse_fault

__all__ = ["ApiFaults", "FaultablePaths", "PathFaults"]

Answer = tuple[int, bytes, str]
_TITLES = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class PathFaults:
    """The faults in force for one path."""

    random: random.Random
    lag_until: float | None = None  # monotonic time when the resource appears
    lag_requests: int = 0  # requests still to be answered 404
    error_rate: float = 0.0
    error_status: int = 503
    slow: tuple[float, float] | None = None  # seconds


class ApiFaults:
    """Business-API faults by path; `decide(path)` says how to answer one request."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._paths: dict[str, PathFaults] = {}

    def __bool__(self) -> bool:
        return bool(self._paths)

    def add(self, path: str, specs: Iterable[object], *, seed: int = 0) -> None:
        """Put the API faults `specs` (FaultSpecs, or their text: `api-lag=2s`) on `path`, from now."""
        faults = PathFaults(random.Random(f"tidings-api:{seed}:{path}"))
        for given in specs:
            spec = given if isinstance(given, FaultSpec) else parse_fault(given)
            if spec.kind == "api-lag":
                if spec.requests:
                    faults.lag_requests = spec.requests
                else:
                    faults.lag_until = self._clock() + spec.delay[1].total_seconds()
            elif spec.kind == "api-error":
                faults.error_rate, faults.error_status = spec.rate, spec.status
            elif spec.kind == "api-slow":
                low, high = spec.delay
                faults.slow = (low.total_seconds(), high.total_seconds())
        with self._lock:
            self._paths[path] = faults

    def reset(self) -> None:
        with self._lock:
            self._paths.clear()

    def decide(self, path: str) -> tuple[float, Answer | None] | None:
        """(seconds to wait, the answer to give instead of the resource or None) for one request, or None when no
        fault applies to `path`."""
        with self._lock:
            faults = self._paths.get(path)
            if faults is None:
                return None
            wait = faults.random.uniform(*faults.slow) if faults.slow else 0.0
            if faults.lag_requests:
                faults.lag_requests -= 1
                return wait, _lagging(path, f"for {faults.lag_requests + 1} more request(s)")
            if faults.lag_until is not None:
                left = faults.lag_until - self._clock()
                if left > 0:
                    return wait, _lagging(path, f"for {left:.2f} s more")
                faults.lag_until = None
            if faults.error_rate and faults.random.random() < faults.error_rate:
                return wait, _failing(path, faults.error_status)
            return wait, None


def _problem(status: int, title: str, detail: str, path: str, fault: str) -> Answer:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": path}
    body["tidings-fault"] = fault
    return status, json.dumps(body).encode(), "application/problem+json"


def _lagging(path: str, left: str) -> Answer:
    detail = f"nothing at {path} yet: the API lags behind the event (api-lag fault, {left})"
    return _problem(404, "Not Found", detail, path, "api-lag")


class FaultablePaths:
    """What a fake API's state offers runs and the control API to put API faults on its paths: `api_faults`,
    and `path_of` (the path a detailUrl names there), which each state defines."""

    api_faults: ApiFaults

    def path_of(self, detail_url: object) -> str | None:
        raise NotImplementedError

    def add_api_faults(self, path: str, specs: list[str], *, seed: int = 0) -> None:
        """Business-API faults for `path` from now (see fake_api.api_faults)."""
        self.api_faults.add(path, specs, seed=seed)

    def add_api_faults_for(self, event: Mapping[str, Any], specs: list[str], *, seed: int = 0) -> None:
        """Business-API faults for `event`'s detailUrl from now."""
        path = self.path_of(event.get("detailUrl"))
        if path is not None:
            self.api_faults.add(path, specs, seed=seed)


def _failing(path: str, status: int) -> Answer:
    detail = f"the API failed to serve {path} (api-error fault): retry later"
    return _problem(status, _TITLES.get(status, "Server Error"), detail, path, "api-error")
