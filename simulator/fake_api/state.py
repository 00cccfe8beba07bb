"""The fake business API's data: what the producer's database would hold after the events played so far.

Fed by published events (and a step's `state:` extras), it keeps one JSON resource per path. What an event
does is data: the catalogue's projections (`simulator.projections`), applied to the resources the catalogue
declares (`resources/`), with the fields no event carries generated from the schemas. A detailUrl that names
no declared resource still gets one (the event's additionalInformation), so a catalogue without resources
works, only plainly. In strict mode (the default) every answer is checked against its schema, once per change.

Thread safe: the runner writes while uvicorn's loop reads. Reads return ready-serialised JSON bytes (cached per
resource until it changes, for the `CACHED` most recently read), which keeps the detail endpoint cheap under
load. Resources events no longer change are kept compressed (`resource_store`), so a long play's state stays
small: every resource stays readable.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from tidings.contracts import Catalog
from tidings.contracts.catalog.model import Violation
from tidings.simulator.fake_api.api_faults import ApiFaults, FaultablePaths
from tidings.simulator.fake_api.resource_store import ResourceStore
from tidings.simulator.projections.engine import Projector, deep_merge

__all__ = ["FakeApiState", "StateSink"]

Resource = dict[str, Any]
CACHED = 4_096
"""Answers (JSON bytes, validated) kept ready; older ones are made again when asked for."""


class StateSink(Protocol):
    """Where a run records the producer's state: this module's FakeApiState, or a remote one."""

    def apply(self, event: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Any: ...

    def flush(self) -> None: ...


class FakeApiState(FaultablePaths):
    """Resources by path (`/sent-referral/<id>`), built from events. `base_url` is the fake API's own address:
    its path prefix, if any, is stripped from detailUrls."""

    def __init__(
        self, base_url: str = "", *, catalog: Catalog | None = None, seed: int = 0, strict: bool = True
    ) -> None:
        self._api = catalog.api if catalog is not None and catalog.api else None
        self.producers: dict[str, str] = {catalog.producer: ""} if catalog is not None else {}
        """producer -> base path of its resources here (`/_tidings/health` says it)."""
        self._projector = Projector(catalog, seed=seed) if catalog is not None and self._api else None
        self.strict = strict
        self._origins: dict[str, tuple[tuple[str, str], ...]] = {}  # path -> (pointer, rule that wrote it)
        self._shapes: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
        self._served: dict[str, tuple[int, bytes, str]] = {}
        self._prefix = urlsplit(base_url).path.rstrip("/")
        self._base = base_url.rstrip("/")
        self._lock = threading.Lock()
        self._resources = ResourceStore()
        self._json: dict[str, bytes] = {}
        self.events_applied = 0
        self.api_faults = ApiFaults()  # api-lag, api-error, api-slow by path (the app's middleware asks it)

    # -- writing ------------------------------------------------------------------------------------------------

    def apply(self, event: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> str | None:
        """Record what `event` says happened (the catalogue's projections), plus `extra` (a step's `state:`)
        merged into the resource at its detailUrl. Returns that path, or None when the event has no usable
        detailUrl."""
        path = self.path_of(event.get("detailUrl"))
        if path is None:
            return None
        with self._lock:
            touched = self._projector.project(self._resources, event, path, extra) if self._projector else {}
            if path not in touched:
                _generic(self._resources, path, event)
                touched[path] = {}
                if extra:
                    deep_merge(self._resources[path], extra)
            for changed, origins in touched.items():
                if origins:
                    self._origins[changed] = self._shape({**dict(self._origins.get(changed, ())), **origins})
                self._json.pop(changed, None)
                self._served.pop(changed, None)
            self._resources.settle()
            self.events_applied += 1
        return path

    def flush(self) -> None:
        """Nothing to do: changes are applied at once (a remote state sends its queued changes here)."""

    def reset(self) -> None:
        """Forget everything (the control API's POST /_tidings/reset)."""
        with self._lock:
            self._resources.clear()
            self._json.clear()
            self._served.clear()
            self._origins.clear()
            self._shapes.clear()
            self.events_applied = 0
        self.api_faults.reset()

    # -- reading ------------------------------------------------------------------------------------------------

    def get(self, path: str) -> Resource | None:
        """A copy of the resource at `path`, or None."""
        body = self.get_json(path)
        return None if body is None else json.loads(body)

    def get_json(self, path: str) -> bytes | None:
        """The resource at `path` as JSON bytes, or None."""
        body = self._json.get(path)
        if body is not None:
            return body
        with self._lock:
            body = self._resources.json_of(path)
            if body is not None:
                _bounded_put(self._json, path, body)
            return body

    def served(self, path: str) -> tuple[int, bytes, str] | None:
        """What GET `path` answers: (status, body, media type), or None when nothing is there. In strict mode a
        resource that breaks its schema is a 500 problem naming the pointer, the schema rule and the
        projection rule that wrote it. Validated once per change, then cached until the resource changes."""
        answer = self._served.get(path)
        if answer is not None:
            return answer
        body = self.get_json(path)
        if body is None:
            return None
        answer = (200, body, "application/json")
        matched = self._api.match(path) if self._api is not None and self.strict else None
        if matched is not None:
            violations = self._api.violations(matched[0].name, json.loads(body))  # type: ignore[union-attr]
            if violations:
                answer = self._broken(path, matched[0].name, violations)
        with self._lock:
            _bounded_put(self._served, path, answer)
        return answer

    def _shape(self, origins: dict[str, str]) -> tuple[tuple[str, str], ...]:
        """`origins` as one shared tuple: resources of one kind, played alike, have the same (pointer, rule)
        pairs, and a dict of ~30 of them per resource was the state's biggest part after the resources."""
        key = tuple(sorted(origins.items()))
        return self._shapes.setdefault(key, key)

    def _broken(self, path: str, name: str, violations: list[Violation]) -> tuple[int, bytes, str]:
        origins = dict(self._origins.get(path, ()))
        errors = []
        for violation in violations:
            writer = max((p for p in origins if violation.pointer.startswith(p)), key=len, default=None)
            rule = origins[writer] if writer is not None else "generated from the schema (no rule sets it)"
            errors.append(
                {
                    "pointer": violation.pointer,
                    "message": violation.message,
                    "schemaRule": violation.expected,
                    "projectionRule": rule,
                }
            )
        first = errors[0]
        body = {
            "type": "about:blank",
            "title": "Internal Server Error",
            "status": 500,
            "detail": f"the {name} at {path} would not validate: {first['pointer'] or '/'} {first['message']} "
            f"({first['schemaRule']}), written by {first['projectionRule']}",
            "instance": path,
            "errors": errors,
            "hint": "a catalogue bug: fix the projection rule or the schema (tidings contracts lint)",
        }
        return 500, json.dumps(body).encode(), "application/problem+json"

    def paths(self) -> list[str]:
        """Every path that has a resource, sorted."""
        with self._lock:
            return sorted(self._resources)

    def __len__(self) -> int:
        return len(self._resources)

    def path_of(self, detail_url: object) -> str | None:
        """The path an event's detailUrl names on this API (its base path prefix removed)."""
        if not isinstance(detail_url, str) or not detail_url:
            return None
        if self._base and detail_url.startswith(self._base + "/") and "?" not in detail_url and "#" not in detail_url:
            path = detail_url[len(self._base) :]  # the usual case, without parsing the URL
            return unquote(path) if "%" in path else path
        path = unquote(urlsplit(detail_url).path)
        if self._prefix and path.startswith(self._prefix + "/"):
            path = path[len(self._prefix) :]
        return path or None


def _bounded_put(cache: dict[str, Any], key: str, value: Any) -> None:
    """Add to a cache that keeps its `CACHED` newest entries (the caller holds the state's lock)."""
    cache[key] = value
    while len(cache) > CACHED:
        del cache[next(iter(cache))]


def _generic(resources: ResourceStore, path: str, event: Mapping[str, Any]) -> None:
    """An event whose detailUrl names no declared resource: its additionalInformation, and when it last happened."""
    info = event.get("additionalInformation")
    resource = resources.setdefault(path, {})
    resource.update(info if isinstance(info, Mapping) else {})
    resource["lastEvent"] = {"eventType": event.get("eventType"), "occurredAt": str(event.get("occurredAt", ""))}
