"""Which contract a consumer's message interaction is about.

The event type comes from the message metadata's `eventType` (the SNS message attribute consumers filter on),
else the body's `eventType`, else the interaction's description matched against the catalogue (every word of
the event type after its first segment must appear: "a referral sent event" → `intervention.referral.sent`).
The version is the body's `version`, else the latest. A type or version the catalogue lacks is an error finding
that names the closest known ones.

What is resolved against is any `Contracts`: one producer's `Catalog`, or a registry's catalogues routed by event
type to the producer that emits each (`tidings.contracts.registry.routed.RoutedCatalog`, which this layer may not
import), so a consumer's pact over several producers is checked against each event's own producer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from tidings.contracts.catalog.compiled import CompiledContract
from tidings.contracts.catalog.model import EventContract
from tidings.contracts.errors import closest
from tidings.contracts.pact.model import ERROR, Finding, MessageInteraction

__all__ = [
    "FROM_BODY",
    "FROM_DESCRIPTION",
    "FROM_METADATA",
    "Contracts",
    "Resolution",
    "event_types_in",
    "resolve_contract",
]

FROM_METADATA = "metadata eventType"
FROM_BODY = "body eventType"
FROM_DESCRIPTION = "description"


class Contracts(Protocol):
    """What resolving and checking an interaction need of the contracts: a `Catalog`, or a registry routed."""

    @property
    def event_types(self) -> list[str]: ...

    def versions(self, event_type: str) -> list[int]: ...

    def get(self, event_type: str, version: int | None = None) -> EventContract: ...

    def compiled(self, event_type: str, version: int | None = None) -> CompiledContract: ...


@dataclass(frozen=True)
class Resolution:
    """The contract chosen for an interaction (None when none could be), how, and what went wrong."""

    contract: EventContract | None
    event_type: str | None = None
    source: str = ""
    findings: list[Finding] = field(default_factory=list)


def resolve_contract(catalog: Contracts, interaction: MessageInteraction) -> Resolution:
    """The contract a message interaction must keep (see the module docstring)."""
    findings: list[Finding] = []
    body = interaction.body if isinstance(interaction.body, dict) else {}
    from_metadata = interaction.metadata.get("eventType")
    from_body = body.get("eventType")
    if isinstance(from_metadata, str) and from_metadata:
        event_type, source, pointer = from_metadata, FROM_METADATA, "metadata/eventType"
        if isinstance(from_body, str) and from_body != from_metadata:
            findings.append(
                Finding(
                    ERROR,
                    "/eventType",
                    f"the body says {from_body!r} but the metadata eventType says {from_metadata!r}",
                    "/eventType",
                    hint="a producer sends the same event type in both",
                )
            )
    elif isinstance(from_body, str) and from_body:
        event_type, source, pointer = from_body, FROM_BODY, "/eventType"
    else:
        candidates = event_types_in(catalog, interaction.description)
        if len(candidates) != 1:
            return Resolution(None, None, FROM_DESCRIPTION, [_undecided(catalog, interaction.description, candidates)])
        event_type, source, pointer = candidates[0], FROM_DESCRIPTION, ""
    if event_type not in catalog.event_types:
        suggestions = closest(event_type, catalog.event_types)
        hint = f"did you mean {', '.join(suggestions)}?" if suggestions else "run `tidings contracts list`"
        findings.append(Finding(ERROR, pointer, f"unknown event type {event_type!r} ({source})", hint=hint))
        return Resolution(None, event_type, source, findings)
    versions = catalog.versions(event_type)
    version = body.get("version")
    if "version" not in body:
        return Resolution(catalog.get(event_type), event_type, source, findings)
    if isinstance(version, int) and not isinstance(version, bool) and version in versions:
        return Resolution(catalog.get(event_type, version), event_type, source, findings)
    if isinstance(version, int) and not isinstance(version, bool):
        known = ", ".join(map(str, versions))
        findings.append(
            Finding(ERROR, "/version", f"{event_type} has no version {version}", "/version", f"known versions: {known}")
        )
        return Resolution(None, event_type, source, findings)
    # A mistyped version: check against the latest, whose schema reports the wrong type at /version.
    return Resolution(catalog.get(event_type), event_type, source, findings)


def event_types_in(catalog: Contracts, description: str) -> list[str]:
    """The event types a description names: the full type, else those whose words (after the first segment)
    all appear in it, keeping the most specific (most words)."""
    lowered = description.lower()
    named = [event_type for event_type in catalog.event_types if event_type.lower() in lowered]
    if named:
        return [max(named, key=len)]
    words = set(_words(description))
    scored = []
    for event_type in catalog.event_types:
        wanted = set(_words(event_type.split(".", 1)[-1]))
        if wanted and wanted <= words:
            scored.append((len(wanted), event_type))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    return [event_type for score, event_type in scored if score == best]


def _undecided(catalog: Contracts, description: str, candidates: list[str]) -> Finding:
    advice = 'add .with_metadata(eventType="...") to the interaction, as the producer sends it'
    if candidates:
        return Finding(
            ERROR,
            "metadata/eventType",
            f"the description {description!r} fits several event types: {', '.join(candidates)}",
            hint=advice,
        )
    words = set(_words(description))
    overlap = sorted(
        catalog.event_types,
        key=lambda event_type: -len(words & set(_words(event_type.split(".", 1)[-1]))),
    )
    near = [t for t in overlap[:3] if words & set(_words(t.split(".", 1)[-1]))] or closest(
        description, catalog.event_types
    )
    hint = (f"closest: {', '.join(near)}; " if near else "") + advice
    return Finding(
        ERROR,
        "metadata/eventType",
        f"unknown event type: no eventType in the metadata or body, and the description {description!r} "
        "names no event type of the catalogue",
        hint=hint,
    )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())
