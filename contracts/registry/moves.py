"""The strangler fig, proved: for every declared move of an event type from producer A to producer B, B's
schema must be a drop-in for A's — compatible both ways (`full`: consumers built on A's contract read B's
events, and consumers moved to B's contract still read A's events already published), field by field, for
every version A published."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.compat.verdicts import compare
from tidings.contracts.registry.model import Move, Registry

__all__ = ["MoveVerdict", "check_moves"]


@dataclass(frozen=True)
class MoveVerdict:
    """One version of one moved event type: is the new producer's schema a drop-in for the old one's?"""

    move: Move
    version: int
    drop_in: bool
    reasons: list[str] = field(default_factory=list)
    """One line per field that differs in a way that breaks one direction, or why nothing could be compared."""

    def __str__(self) -> str:
        head = (
            f"{self.move.event_type} v{self.version}: {self.move.target}'s schema "
            f"{'is' if self.drop_in else 'is NOT'} a drop-in for {self.move.source}'s"
        )
        return "\n".join([head, *(f"  {reason}" for reason in self.reasons)])

    def to_json(self) -> dict[str, Any]:
        return {
            "eventType": self.move.event_type,
            "from": self.move.source,
            "to": self.move.target,
            "version": self.version,
            "dropIn": self.drop_in,
            "reasons": self.reasons,
        }


def check_moves(registry: Registry) -> list[MoveVerdict]:
    """A verdict per moved event type and version of the old producer (in declaration order)."""
    verdicts = []
    for move in registry.moves:
        source, target = registry.catalog(move.source), registry.catalog(move.target)
        if move.event_type not in source.event_types:
            reason = f"{move.source} has no contract for {move.event_type}: nothing to be a drop-in for"
            verdicts.append(MoveVerdict(move, 0, False, [reason]))
            continue
        for version in source.versions(move.event_type):
            if move.event_type not in target.event_types or version not in target.versions(move.event_type):
                reason = f"{move.target} has no v{version} of {move.event_type}; add it to its catalogue"
                verdicts.append(MoveVerdict(move, version, False, [reason]))
                continue
            old = source.compiled(move.event_type, version).bundled
            new = target.compiled(move.event_type, version).bundled
            compatible, changes, note = compare(old, new, "full")
            reasons = [_reason(str(change), sorted(change.breaks)) for change in changes if change.breaks_in("full")]
            if not compatible and not reasons:
                reasons = [f"/: the schemas differ incompatibly ({note or 'jsoncompat'})"]
            verdicts.append(MoveVerdict(move, version, compatible, reasons))
    return verdicts


def _reason(change: str, breaks: list[str]) -> str:
    who = {
        "forward": "consumers of the old producer's contract reject the new producer's events",
        "backward": "events the old producer already published fail the new contract",
    }
    return f"{change} ({'; '.join(who[b] for b in breaks if b in who)})"
