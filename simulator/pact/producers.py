"""Which producer's catalogue each part of a pact check or verification uses, when the contracts are a registry
(a `RoutedCatalog`) rather than one producer's catalogue.

Message interactions are routed by event type to each producer (`pact.resolve` over the registry). HTTP
interactions call one producer's business API, and nothing in an interaction says which: with a registry the
user names it (`--producer P`), and HTTP interactions without one are refused, naming the option.
"""

from __future__ import annotations

from collections.abc import Iterable

from tidings.contracts import Catalog
from tidings.contracts.errors import UsageError
from tidings.contracts.pact.model import PactFile
from tidings.contracts.registry.routed import CatalogView, RoutedCatalog

__all__ = ["api_catalog", "one_catalog", "producer_of", "producers_of", "providers_of"]


def producers_of(catalog: CatalogView) -> list[str]:
    """The producers behind `catalog`: its own, or every producer of the registry."""
    return list(catalog.registry.producers) if isinstance(catalog, RoutedCatalog) else [catalog.producer]


def providers_of(catalog: CatalogView) -> list[str]:
    """The pact providers whose message pacts the contracts answer: the producers, and for a registry its
    topic too (a consumer of a topic several producers share may name the topic as its provider)."""
    return [*producers_of(catalog), catalog.topic] if isinstance(catalog, RoutedCatalog) else producers_of(catalog)


def producer_of(catalog: CatalogView, event_type: str) -> str:
    """The producer that emits `event_type` (the catalogue's own, or its owner in the registry)."""
    return catalog.owner(event_type).producer if isinstance(catalog, RoutedCatalog) else catalog.producer


def one_catalog(catalog: CatalogView) -> Catalog:
    """The one catalogue of a single producer; a registry is a UsageError naming `--producer`."""
    if isinstance(catalog, RoutedCatalog):
        raise UsageError(
            f"one producer's business API is needed, and the registry has {len(catalog.catalogs)} producers: "
            f"{catalog.producer}",
            hint="choose it with --producer P, e.g. --producer " + catalog.catalogs[0].producer,
        )
    return catalog


def api_catalog(catalog: CatalogView, producer: str | None, pacts: Iterable[PactFile]) -> Catalog | None:
    """The catalogue whose business API the pacts' HTTP interactions call: `producer`'s (which must be the
    catalogue's own, or one of the registry's), else the one catalogue's; None for a registry whose pacts have
    no HTTP interaction. A registry with HTTP interactions and no `producer` is a UsageError naming the option."""
    if isinstance(catalog, RoutedCatalog):
        if producer is not None:
            return catalog.registry.catalog(producer)  # UnknownEventType naming the producers
        with_http = next((pact for pact in pacts if pact.http_interactions), None)
        if with_http is None:
            return None
        raise UsageError(
            f"{with_http.path}: HTTP interactions call one producer's business API, and the registry has "
            f"{len(catalog.catalogs)} producers: {catalog.producer}",
            hint="choose it with --producer P, e.g. --producer " + with_http.provider,
        )
    if producer is not None and producer != catalog.producer:
        raise UsageError(
            f"--producer {producer!r}: the catalogue's producer is {catalog.producer}",
            hint="give a registry (--registry DIR, or --contracts more than once) to choose among producers",
        )
    return catalog
