"""The fake API's state for several producers behind one app: one `FakeApiState` per producer, each under its
base path (`RoutedCatalog.mounts`), with its own resources and projections. A request or an event's detailUrl
goes to the producer whose base path it starts with, so each producer's state is as consistent with its events
as a single producer's is. API faults are kept here, by full path, as the app's middleware asks for them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from tidings.contracts.registry.routed import CatalogView, RoutedCatalog, producer_paths
from tidings.simulator.fake_api.api_faults import ApiFaults, FaultablePaths
from tidings.simulator.fake_api.state import FakeApiState, Resource

__all__ = ["AnyFakeApiState", "RoutedFakeApiState", "state_for"]


class RoutedFakeApiState(FaultablePaths):
    """Resources by full path (`/accommodation/property/<id>`), each producer's under its base path."""

    def __init__(self, base_url: str, *, catalog: RoutedCatalog, seed: int = 0, strict: bool = True) -> None:
        self.strict = strict
        self._base = base_url.rstrip("/")
        self._prefix = urlsplit(base_url).path.rstrip("/")
        # Longest base path first, so a request finds the most specific producer.
        self._states = sorted(
            (
                (path, FakeApiState(self._base + path, catalog=one, seed=seed, strict=strict))
                for path, one in catalog.mounts
            ),
            key=lambda mount: -len(mount[0]),
        )
        self.api_faults = ApiFaults()
        self.producers = producer_paths(catalog)
        """producer -> base path of its resources here (`/_tidings/health` says it)."""

    @property
    def events_applied(self) -> int:
        return sum(state.events_applied for _, state in self._states)

    def _route(self, path: str | None) -> tuple[str, FakeApiState, str] | None:
        """(base path, that producer's state, the path within it) for a full path, or None."""
        if path is None:
            return None
        for base, state in self._states:
            if path.startswith(base + "/"):
                return base, state, path[len(base) :]
        return None

    # -- writing ------------------------------------------------------------------------------------------------

    def apply(self, event: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> str | None:
        """What `event` says happened, in the state of the producer its detailUrl points at; the full path, or
        None when the detailUrl is on no producer's base path."""
        routed = self._route(self.path_of(event.get("detailUrl")))
        if routed is None:
            return None
        base, state, _ = routed
        path = state.apply(event, extra)
        return None if path is None else base + path

    def flush(self) -> None:
        """Nothing to do: changes are applied at once."""

    def reset(self) -> None:
        for _, state in self._states:
            state.reset()
        self.api_faults.reset()

    # -- reading ------------------------------------------------------------------------------------------------

    def get(self, path: str) -> Resource | None:
        routed = self._route(path)
        return routed[1].get(routed[2]) if routed is not None else None

    def get_json(self, path: str) -> bytes | None:
        routed = self._route(path)
        return routed[1].get_json(routed[2]) if routed is not None else None

    def served(self, path: str) -> tuple[int, bytes, str] | None:
        routed = self._route(path)
        return routed[1].served(routed[2]) if routed is not None else None

    def paths(self) -> list[str]:
        return sorted(base + path for base, state in self._states for path in state.paths())

    def __len__(self) -> int:
        return sum(len(state) for _, state in self._states)

    def path_of(self, detail_url: object) -> str | None:
        """The full path a detailUrl names on this API (the API's own path prefix, if any, removed)."""
        if not isinstance(detail_url, str) or not detail_url:
            return None
        path = unquote(urlsplit(detail_url).path)
        if self._prefix and path.startswith(self._prefix + "/"):
            path = path[len(self._prefix) :]
        return path or None


AnyFakeApiState = FakeApiState | RoutedFakeApiState
"""A fake API's state in this process: one producer's, or several behind their base paths."""


def state_for(catalog: CatalogView, base_url: str, *, strict: bool = True) -> AnyFakeApiState:
    """The state a fake API at `base_url` keeps for `catalog`: routed when it is a registry's."""
    if isinstance(catalog, RoutedCatalog):
        return RoutedFakeApiState(base_url, catalog=catalog, strict=strict)
    return FakeApiState(base_url, catalog=catalog, strict=strict)
