"""`Registry`: several producer catalogues on one topic. An event type belongs to one producer, unless the
registry declares a move (the strangler fig: `moves: [{eventType, from, to}]`), after which the new producer
emits it and the old one's contract stays for the check that the new one is a drop-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.model import Violation
from tidings.contracts.catalog.notification import event_of
from tidings.contracts.errors import UnknownEventType, UsageError

__all__ = ["Move", "NamingRules", "Registry"]


@dataclass(frozen=True)
class Move:
    """`event_type` moved from producer `source` to producer `target`."""

    event_type: str
    source: str
    target: str


@dataclass(frozen=True)
class NamingRules:
    """The house naming rule, per registry (`naming:` in registry.yaml)."""

    min_segments: int = 3
    max_segments: int = 3
    kebab_case: bool = True
    past_tense: bool = True
    producer_prefix: bool = True
    allow: frozenset[str] = frozenset()
    """Last words accepted as past tense anyway (e.g. `complete`)."""
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """producer → the event-type prefixes it may use besides its own name."""


class Registry:
    """The producers of one topic. Build one with `tidings.contracts.registry.loader.load_registry`."""

    def __init__(
        self,
        *,
        root: Path | None,
        topic: str,
        catalogs: list[Catalog],
        moves: list[Move] | None = None,
        naming: NamingRules | None = None,
    ) -> None:
        self.root = root
        self.topic = topic
        self.catalogs = catalogs
        self.moves = moves or []
        self.naming = naming or NamingRules()
        self._by_producer = {catalog.producer: catalog for catalog in catalogs}
        if len(self._by_producer) != len(catalogs):
            raise UsageError(
                "two catalogues of the registry name the same producer",
                hint="each producer has one catalogue directory",
            )
        moved = {move.event_type: move for move in self.moves}
        self._owner: dict[str, Catalog] = {}
        self.duplicates: dict[str, list[str]] = {}
        """event type → producers that all publish it with no move declared."""
        for catalog in catalogs:
            for event_type in catalog.event_types:
                move = moved.get(event_type)
                if move is not None:
                    if catalog.producer == move.target:
                        self._owner[event_type] = catalog
                    continue
                if event_type in self._owner:
                    self.duplicates.setdefault(event_type, [self._owner[event_type].producer]).append(catalog.producer)
                    continue
                self._owner[event_type] = catalog

    def __repr__(self) -> str:
        return f"<Registry {self.topic}: {len(self.catalogs)} producers, {len(self._owner)} event types>"

    @property
    def producers(self) -> list[str]:
        """Producer names, in registry order."""
        return [catalog.producer for catalog in self.catalogs]

    @property
    def event_types(self) -> list[str]:
        """Every event type on the topic, sorted."""
        return sorted(self._owner)

    def catalog(self, producer: str) -> Catalog:
        """The catalogue of `producer`."""
        try:
            return self._by_producer[producer]
        except KeyError:
            raise UnknownEventType(producer, self._by_producer, what="producer") from None

    def owner(self, event_type: str) -> Catalog:
        """The catalogue of the producer that emits `event_type` now (after any move)."""
        try:
            return self._owner[event_type]
        except KeyError:
            raise UnknownEventType(event_type, self._owner) from None

    def move_of(self, event_type: str) -> Move | None:
        """The declared move of `event_type`, if any."""
        return next((move for move in self.moves if move.event_type == event_type), None)

    def validate(self, event_or_notification: Any) -> list[Violation]:
        """Validate an event against the contract of whichever producer owns its `eventType`."""
        event = event_of(event_or_notification)
        event_type = event.get("eventType")
        if not isinstance(event_type, str):
            raise UsageError(
                "cannot choose a contract: the event has no eventType", hint="every event names its type in eventType"
            )
        return self.owner(event_type).validate(event)
