"""`RoutedCatalog`: a registry seen as the one catalogue that plays, publishes and serves events.

Each event type resolves to the catalogue of the producer that emits it now (`Registry.owner`, after any move)
and to that producer's base path on a fake API shared by every producer (one app, one port): the path of the
catalogue's `apiBaseUrl` when it has one (`http://localhost:8080/accommodation` → `/accommodation`), else
`/<producer>`. A second producer joins by writing its catalogue; nothing here names one.

Pure: what a play or a fake API does with the routing lives in the simulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.compiled import CompiledContract
from tidings.contracts.catalog.model import EventContract, Violation
from tidings.contracts.errors import UsageError
from tidings.contracts.registry.model import Registry

__all__ = ["CatalogView", "RoutedCatalog", "base_path_of", "catalog_view", "producer_paths"]


def base_path_of(catalog: Catalog) -> str:
    """Where `catalog`'s producer sits on a shared fake API: its `apiBaseUrl`'s path, else `/<producer>`."""
    path = urlsplit(catalog.api_base_url).path.rstrip("/")
    return path or "/" + catalog.producer.strip("/")


class RoutedCatalog:
    """The catalogues of a registry behind the calls a play, a publisher and a fake API make on one catalogue
    (`get`, `versions`, `validate`, `example`), each routed by event type to its producer."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.catalogs = list(registry.catalogs)
        self.topic = registry.topic
        self.producer = ", ".join(registry.producers)
        self.description = f"{len(self.catalogs)} producers on {registry.topic}"
        self.api_base_url = ""
        """No one base URL: each event is built on its own producer's (see `base_url_for`)."""
        self.mounts: list[tuple[str, Catalog]] = []
        """(base path, catalogue) of every producer, in registry order."""
        taken: dict[str, str] = {}
        for catalog in self.catalogs:
            path = base_path_of(catalog)
            clash = next((p for p in taken if _nested(p, path)), None)
            if clash is not None:
                raise UsageError(
                    f"producers {taken[clash]} and {catalog.producer} share the fake API base path "
                    f"{min(clash, path, key=len)} (from their apiBaseUrl)",
                    hint="give each catalogue an apiBaseUrl with a path of its own, e.g. http://localhost:8080/"
                    + catalog.producer,
                )
            taken[path] = catalog.producer
            self.mounts.append((path, catalog))
        self._paths = {catalog.producer: path for path, catalog in self.mounts}

    def __repr__(self) -> str:
        return f"<RoutedCatalog {self.producer}>"

    def __iter__(self) -> Iterator[EventContract]:
        return (contract for catalog in self.catalogs for contract in catalog if self.owns(catalog, contract))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def event_types(self) -> list[str]:
        return self.registry.event_types

    def owner(self, event_type: str) -> Catalog:
        """The catalogue of the producer that emits `event_type` (UnknownEventType naming the closest)."""
        return self.registry.owner(event_type)

    def owns(self, catalog: Catalog, contract: EventContract) -> bool:
        """Does `catalog` emit `contract`'s event type now (not a producer it moved away from)?"""
        return self.owner(contract.event_type) is catalog

    def base_path(self, catalog: Catalog) -> str:
        """`catalog`'s base path on the shared fake API."""
        return self._paths[catalog.producer]

    def base_url_for(self, catalog: Catalog, base_url: str | None) -> str | None:
        """The base of `catalog`'s detailUrls on the fake API at `base_url`; None (the catalogue's own
        `apiBaseUrl`) when there is no fake API."""
        return base_url.rstrip("/") + self.base_path(catalog) if base_url else None

    def versions(self, event_type: str) -> list[int]:
        return self.owner(event_type).versions(event_type)

    def get(self, event_type: str, version: int | None = None) -> EventContract:
        return self.owner(event_type).get(event_type, version)

    def compiled(self, event_type: str, version: int | None = None) -> CompiledContract:
        return self.owner(event_type).compiled(event_type, version)

    def validate(self, event_or_notification: Any) -> list[Violation]:
        """Validate against the contract of the producer that owns the event's `eventType`."""
        return self.registry.validate(event_or_notification)

    def example(
        self, event_type: str, *, version: int | None = None, base_url: str | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """`Catalog.example` of the owner, its detailUrl on the owner's base path of the fake API at `base_url`."""
        owner = self.owner(event_type)
        return owner.example(event_type, version=version, base_url=self.base_url_for(owner, base_url), **overrides)


CatalogView = Catalog | RoutedCatalog
"""What plays, publishes and serves events: one producer's catalogue, or a registry routed by event type."""


def catalog_view(registry: Registry) -> CatalogView:
    """What plays, publishes and serves a registry's events: the registry routed by event type, or, for a
    registry of one catalogue, that catalogue itself (exactly as without a registry)."""
    return registry.catalogs[0] if len(registry.catalogs) == 1 else RoutedCatalog(registry)


def producer_paths(view: CatalogView) -> dict[str, str]:
    """producer -> the base path its resources have on the fake API that serves `view` ("" for one catalogue)."""
    if isinstance(view, RoutedCatalog):
        return {catalog.producer: path for path, catalog in view.mounts}
    return {view.producer: ""}


def _nested(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")
