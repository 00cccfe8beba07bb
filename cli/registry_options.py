"""The options shared by commands that take a catalogue or a registry: `--contracts DIR` (repeatable: several
catalogues are one registry), `--registry DIR` (TIDINGS_REGISTRY, `[tool.tidings] registry`), `--producer P`."""

from __future__ import annotations

from pathlib import Path

import typer

from tidings.contracts import load_catalog
from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.registry.loader import load_registry, registry_setting
from tidings.contracts.registry.model import Registry
from tidings.contracts.registry.routed import CatalogView, catalog_view

__all__ = [
    "CONTRACTS_MANY",
    "PRODUCER",
    "REGISTRY",
    "chosen_catalog",
    "chosen_catalogs",
    "chosen_registry",
    "chosen_validator",
]

CONTRACTS_MANY = typer.Option(
    None, "--contracts", metavar="DIR", help="Catalogue directory; repeat it to take several as one registry."
)
REGISTRY = typer.Option(
    None,
    "--registry",
    metavar="DIR",
    help="Registry directory (registry.yaml); default TIDINGS_REGISTRY, then \\[tool.tidings] registry.",
)
PRODUCER = typer.Option(None, "--producer", metavar="P", help="Only this producer's catalogue.")


def chosen_registry(contracts: list[Path] | None, registry: Path | None) -> Registry | None:
    """The registry the options name: `--contracts` dirs, else `--registry`/its settings; `None` when neither."""
    if contracts:
        return load_registry(list(contracts))
    where = registry_setting(registry)
    return load_registry(where) if where is not None else None


def chosen_catalogs(contracts: list[Path] | None, registry: Path | None, producer: str | None) -> list[Catalog]:
    """The catalogues to work on: the registry's (or one producer's), else the default catalogue."""
    chosen = chosen_registry(contracts, registry)
    if chosen is None:
        catalog = load_catalog()
        if producer is not None and producer != catalog.producer:
            chosen = Registry(root=None, topic=catalog.topic, catalogs=[catalog])
            chosen.catalog(producer)  # raises naming the known producer
        return [catalog]
    return [chosen.catalog(producer)] if producer else list(chosen.catalogs)


def chosen_validator(contracts: list[Path] | None, registry: Path | None) -> Catalog | Registry:
    """What validates events: one catalogue (`--contracts DIR` once, or the default), else the registry the
    options name, which routes each event to its producer's contract by eventType."""
    if contracts and len(contracts) == 1 and registry is None:
        return load_catalog(contracts[0])
    return chosen_registry(contracts, registry) or load_catalog()


def chosen_catalog(contracts: list[Path] | None, registry: Path | None) -> CatalogView:
    """What plays, emits and serves events: one catalogue (`--contracts DIR` once, or the default when no
    registry is set) exactly as before registries, else the registry routed by event type to each producer
    (`RoutedCatalog`: its contract, and its base path on the fake API). A registry of one catalogue is that one."""
    if contracts and len(contracts) == 1 and registry is None:
        return load_catalog(contracts[0])
    chosen = chosen_registry(contracts, registry)
    if chosen is None:
        return load_catalog()
    return catalog_view(chosen)
