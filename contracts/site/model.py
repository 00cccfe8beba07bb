"""What the catalog site shows, gathered from a registry (and consumers' pacts) before any HTML is written:
per producer its event types, per event type its fields with examples, versions and their compatibility
verdicts, who emits it now (after a move), the resource its detailUrl leads to, the consumers that read it, and
(given `QueueRoutes`) the queues that receive it. Which queues receive what is evaluated outside this package, by
the engine's own filter-policy matcher (tidings.simulator), and handed in here as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.fields import Field, schema_fields
from tidings.contracts.catalog.schemas import bundle
from tidings.contracts.compat.verdicts import check_versions
from tidings.contracts.pact.model import MessageInteraction, PactFile
from tidings.contracts.pact.resolve import resolve_contract
from tidings.contracts.registry.model import Registry

__all__ = [
    "ConsumerUse",
    "EventDoc",
    "FieldRow",
    "ProducerDoc",
    "QueueRoutes",
    "ResourceDoc",
    "SiteModel",
    "SubscribedQueue",
    "gather",
    "page_name",
]


@dataclass(frozen=True)
class FieldRow:
    """One row of a fields table."""

    pointer: str
    type: str
    required: bool
    constraints: str
    example: Any = None
    """The first example's value at the pointer (`None` when it has none)."""


@dataclass(frozen=True)
class ResourceDoc:
    """The business-API resource an event's detailUrl leads to."""

    name: str
    version: int
    path: str
    description: str
    fields: list[FieldRow]


@dataclass(frozen=True)
class ConsumerUse:
    """One consumer's pact interaction on an event type, and the fields (pointers) it reads."""

    consumer: str
    description: str
    pointers: list[str]


@dataclass(frozen=True)
class SubscribedQueue:
    """A queue whose subscription to the topic lets an event type through (or may: `certain` False)."""

    queue: str
    filter_policy: dict[str, Any] | None
    """None: no filter policy, the queue receives everything on the topic."""
    filter_scope: str = "MessageAttributes"
    """MessageAttributes (the policy matches the `eventType` attribute) or MessageBody (the event JSON)."""
    raw_delivery: bool = False
    certain: bool = True
    """False: the matcher could not decide (an operator it does not know, a body policy and no example)."""
    note: str = ""
    """Why it could not decide."""


@dataclass(frozen=True)
class QueueRoutes:
    """Which queues of a topology receive which event types, evaluated by the caller (the engine's matcher)."""

    source: str
    """Where the topology came from (a file path), for the pages to say."""
    queues: list[str]
    """Every queue subscribed to the topic, in the topology's order (including any that receives nothing)."""
    by_event_type: dict[str, list[SubscribedQueue]] = field(default_factory=dict)


@dataclass
class EventDoc:
    """One event type's page."""

    event_type: str
    producer: str
    """Who emits it now (the target of a move)."""
    versions: list[int]
    description: str
    detail_url: str
    api_base_url: str
    fields: list[FieldRow]
    example: dict[str, Any] | None
    history: list[tuple[int, int, bool, list[str]]] = field(default_factory=list)
    """(old, new, compatible, reasons) per pair of versions, forward mode."""
    moved_from: str | None = None
    resource: ResourceDoc | None = None
    consumers: list[ConsumerUse] = field(default_factory=list)
    queues: list[SubscribedQueue] = field(default_factory=list)

    @property
    def page(self) -> str:
        return page_name(self.event_type)


@dataclass
class ProducerDoc:
    """One producer's page: its catalogue's event types (those moved away marked with their new producer)."""

    name: str
    description: str
    api_base_url: str
    event_types: list[str]
    moved_away: dict[str, str] = field(default_factory=dict)
    """event type → the producer that emits it now."""

    @property
    def page(self) -> str:
        return page_name(self.name)


@dataclass
class SiteModel:
    """Everything the site renders."""

    topic: str
    producers: list[ProducerDoc]
    events: list[EventDoc]
    pact_count: int = 0
    routes: QueueRoutes | None = None
    """None: no topology was given (the pages say so, the picture has no queues column)."""


def page_name(name: str) -> str:
    """A file name for a page: `intervention.referral.sent` → `intervention.referral.sent.html`."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") + ".html"


def gather(registry: Registry, pacts: list[PactFile] | None = None, routes: QueueRoutes | None = None) -> SiteModel:
    """The site's content for `registry`; with `pacts`, which consumers read which fields of which event; with
    `routes`, which queues receive each event type."""
    uses = _consumer_uses(registry, pacts or [])
    events: list[EventDoc] = []
    for catalog in registry.catalogs:
        history: dict[str, list[tuple[int, int, bool, list[str]]]] = {}
        several = any(len(catalog.versions(event_type)) > 1 for event_type in catalog.event_types)
        for comparison in check_versions(catalog) if several else []:
            entry = (comparison.old_version, comparison.new_version, comparison.compatible, comparison.reasons())
            history.setdefault(comparison.event_type, []).append(entry)
        for event_type in catalog.event_types:
            if registry.owner(event_type) is not catalog:
                continue
            doc = _event_doc(catalog, event_type)
            doc.history = history.get(event_type, [])
            move = registry.move_of(event_type)
            doc.moved_from = move.source if move is not None else None
            doc.consumers = uses.get(event_type, [])
            doc.queues = list(routes.by_event_type.get(event_type, [])) if routes is not None else []
            events.append(doc)
    events.sort(key=lambda doc: doc.event_type)
    producers = []
    for catalog in registry.catalogs:
        moved = {}
        for event_type in catalog.event_types:
            owner = registry.owner(event_type)
            if owner is not catalog:
                moved[event_type] = owner.producer
        producers.append(
            ProducerDoc(catalog.producer, catalog.description, catalog.api_base_url, catalog.event_types, moved)
        )
    return SiteModel(registry.topic, producers, events, len(pacts or []), routes)


def _event_doc(catalog: Catalog, event_type: str) -> EventDoc:
    contract = catalog.get(event_type)
    example = contract.examples[0] if contract.examples else None
    # Bundled, not compiled: the loader has checked the schema against its metaschema, and the site needs no
    # validator (compiling one checks the metaschema again; it was most of a site build's time).
    fields = _rows(schema_fields(bundle(contract.schema, contract.schema_uri, catalog.registry)), example)
    resource = None
    found = catalog.api.for_template(contract.detail_url_template) if catalog.api else None
    if found is not None and catalog.api is not None:
        resource_example = found.examples[0] if found.examples else None
        resource = ResourceDoc(
            found.name,
            found.version,
            found.path,
            found.description,
            _rows(schema_fields(catalog.api.bundled(found.name)), resource_example),
        )
    return EventDoc(
        event_type=event_type,
        producer=catalog.producer,
        versions=catalog.versions(event_type),
        description=contract.description,
        detail_url=contract.detail_url_template,
        api_base_url=catalog.api_base_url,
        fields=fields,
        example=example,
        resource=resource,
    )


def _rows(fields: dict[str, Field], example: Any) -> list[FieldRow]:
    return [
        FieldRow(f.pointer, f.type_text, f.required, f.constraint_text(), _value_at(example, f.pointer))
        for pointer, f in fields.items()
        if pointer
    ]


def _value_at(document: Any, pointer: str) -> Any:
    value = document
    for part in pointer.split("/")[1:]:
        if part == "*" and isinstance(value, list) and value:
            value = value[0]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return None if isinstance(value, (dict, list)) else value


def _consumer_uses(registry: Registry, pacts: list[PactFile]) -> dict[str, list[ConsumerUse]]:
    uses: dict[str, list[ConsumerUse]] = {}
    known = set(registry.event_types)
    for pact in pacts:
        for interaction in pact.interactions:
            event_type = _event_type_of(registry, interaction, known)
            if event_type is None:
                continue
            pointers = sorted(set(_leaf_pointers(interaction.body, "")))
            use = ConsumerUse(interaction.consumer or pact.consumer, interaction.description, pointers)
            uses.setdefault(event_type, []).append(use)
    return uses


def _event_type_of(registry: Registry, interaction: MessageInteraction, known: set[str]) -> str | None:
    for catalog in registry.catalogs:
        resolution = resolve_contract(catalog, interaction)
        if resolution.contract is not None and resolution.contract.event_type in known:
            return resolution.contract.event_type
    return None


def _leaf_pointers(value: Any, prefix: str) -> list[str]:
    if isinstance(value, dict):
        found = []
        for key, child in value.items():
            found.extend(_leaf_pointers(child, f"{prefix}/{key}"))
        return found
    if isinstance(value, list):
        found = []
        for child in value:
            found.extend(_leaf_pointers(child, f"{prefix}/*"))
        return found
    return [prefix] if prefix else []
