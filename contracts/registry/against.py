"""`tidings contracts check --against-registry DIR`: where a producer's catalogue (the truth of what it sends)
and a published registry disagree, field by field, and which side to fix.

- an event type the producer emits and the registry lacks → add it to the registry;
- an event type the registry gives this producer and the producer no longer emits → remove it from the registry
  (or restore it in the producer);
- per field of the latest version: type, presence, requiredness → fix the registry (the producer's catalogue
  says what is on the wire), unless the producer's own catalogue allows any type there, then tighten the producer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.fields import Field, schema_fields
from tidings.contracts.registry.model import Registry

__all__ = ["Disagreement", "check_against_registry"]


@dataclass(frozen=True)
class Disagreement:
    """One place where producer and registry differ."""

    event_type: str
    pointer: str
    what: str
    fix: str
    """`registry` or `producer`: the side to change."""

    def __str__(self) -> str:
        where = f"{self.event_type} {self.pointer}" if self.pointer else self.event_type
        return f"{where}: {self.what}; fix the {self.fix}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {"eventType": self.event_type, "pointer": self.pointer, "what": self.what, "fix": self.fix}


def check_against_registry(catalog: Catalog, registry: Registry) -> list[Disagreement]:
    """Every disagreement between `catalog` and `registry` (`[]` when they agree)."""
    found: list[Disagreement] = []
    mine = set(catalog.event_types)
    theirs = set(registry.event_types)
    for event_type in sorted(mine - theirs):
        found.append(
            Disagreement(event_type, "", "the producer emits it and the registry does not document it", "registry")
        )
    owners = {registry.owner(t).producer for t in mine & theirs}
    for event_type in sorted(theirs - mine):
        if registry.owner(event_type).producer in owners:
            found.append(
                Disagreement(
                    event_type,
                    "",
                    "the registry documents it for this producer, which no longer "
                    "emits it (remove it from the registry, or restore it)",
                    "registry",
                )
            )
    for event_type in sorted(mine & theirs):
        other = registry.owner(event_type)
        ours = schema_fields(catalog.compiled(event_type).bundled)
        published = schema_fields(other.compiled(event_type).bundled)
        found += _fields(event_type, ours, published)
    return found


def _fields(event_type: str, ours: dict[str, Field], published: dict[str, Field]) -> list[Disagreement]:
    out = []
    for pointer in sorted(set(ours) | set(published)):
        if not pointer or pointer in ("/eventType", "/version"):
            continue
        mine, theirs = ours.get(pointer), published.get(pointer)
        if mine is None and theirs is not None:
            out.append(
                Disagreement(
                    event_type, pointer, "the registry has this field and the producer does not send it", "registry"
                )
            )
        elif theirs is None and mine is not None:
            out.append(
                Disagreement(
                    event_type,
                    pointer,
                    f"the producer sends it ({mine.type_text}) and the registry does not have it",
                    "registry",
                )
            )
        elif mine is not None and theirs is not None:
            if mine.types and theirs.types and set(mine.types) != set(theirs.types):
                out.append(
                    Disagreement(
                        event_type,
                        pointer,
                        f"type: the producer sends {mine.type_text}, the registry says {theirs.type_text}",
                        "registry",
                    )
                )
            elif theirs.types and not mine.types:
                out.append(
                    Disagreement(
                        event_type,
                        pointer,
                        f"type: the registry says {theirs.type_text}, the producer's contract allows any type",
                        "producer",
                    )
                )
            if mine.required != theirs.required:
                side = (
                    "required by the producer, optional in the registry"
                    if mine.required
                    else ("required in the registry, optional in the producer's contract")
                )
                out.append(Disagreement(event_type, pointer, side, "registry"))
    return out
