"""The impact of a contract change on consumers' pacts: the producer's "can I deploy?" without a broker.

Each message interaction of the consumers' pacts is checked statically (`pact.check`) against the baseline
catalogue (what consumers built on) and against the changed one. What the change broke is what is new in the
second check: a field the consumer relies on that was removed or renamed, whose type changed, or that was made
optional while the consumer requires it. Each is named with the consumer, the interaction, the pointer into its
message and the field change (`tidings.contracts.compat.field_diff`) behind it. Problems the pact already had against
the baseline are reported apart: the change did not cause them.

Without a baseline, every error of the check against the catalogue is a breakage.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.fields import schema_fields
from tidings.contracts.catalog.model import EventContract
from tidings.contracts.compat.field_diff import FieldChange, diff_schemas
from tidings.contracts.pact.check import InteractionCheck, inspect_interaction
from tidings.contracts.pact.model import ERROR, Finding, MessageInteraction, PactFile

__all__ = ["Breakage", "PactImpact", "pact_impact"]

_OPTIONAL = "optional in "


@dataclass(frozen=True)
class Breakage:
    """One way a contract change breaks a consumer's interaction."""

    kind: str
    """`removed`, `renamed`, `type changed`, `made optional`, `changed`, `contract removed` or `broken`."""
    pointer: str
    message: str
    field: str = ""
    change: str = ""

    def __str__(self) -> str:
        because = f" ({self.change})" if self.change else ""
        return f"{self.pointer or '/'}: {self.kind}{because}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "kind": self.kind,
            "pointer": self.pointer,
            "field": self.field,
            "change": self.change,
            "message": self.message,
        }


@dataclass
class PactImpact:
    """What a change does to one consumer interaction."""

    interaction: MessageInteraction
    pact: str
    event_type: str | None
    version: int | None
    breaks: list[Breakage] = field(default_factory=list)
    already: list[Finding] = field(default_factory=list)
    """Errors the interaction had against the baseline too (not caused by the change)."""

    @property
    def breaking(self) -> bool:
        """True when the change breaks this interaction."""
        return bool(self.breaks)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "pact": self.pact,
            "consumer": self.interaction.consumer,
            "description": self.interaction.description,
            "eventType": self.event_type,
            "version": self.version,
            "breaking": self.breaking,
            "breaks": [breakage.to_json() for breakage in self.breaks],
            "alreadyBroken": [finding.to_json() for finding in self.already],
        }


def pact_impact(catalog: Catalog, pacts: Sequence[PactFile], baseline: Catalog | None = None) -> list[PactImpact]:
    """The impact on every message interaction of `pacts` of moving from `baseline` to `catalog` (or, without
    a baseline, whether each holds against `catalog`)."""
    impacts = []
    for pact in pacts:
        for interaction in pact.interactions:
            now = inspect_interaction(catalog, interaction)
            if baseline is None:
                impacts.append(_impact(pact, now, [_broken(finding) for finding in now.errors], []))
            else:
                impacts.append(_compared(pact, catalog, baseline, interaction, now))
    return impacts


def _compared(
    pact: PactFile, catalog: Catalog, baseline: Catalog, interaction: MessageInteraction, now: InteractionCheck
) -> PactImpact:
    before = inspect_interaction(baseline, interaction)
    if before.contract is not None and now.contract is None:
        why = "; ".join(finding.message for finding in now.errors) or "no contract"
        gone = Breakage("contract removed", "", f"{before.contract} is no longer published ({why})", change="removed")
        return _impact(pact, before, [gone], before.errors)
    seen = {_key(finding, before.contract) for finding in before.findings}
    fresh = [finding for finding in now.findings if _key(finding, now.contract) not in seen]
    changes = _changes(baseline, catalog, before.contract, now.contract)
    breaks = [
        _classify(finding, changes)
        for finding in fresh
        if finding.severity == ERROR or finding.message.startswith(_OPTIONAL)
    ]
    return _impact(pact, now, breaks, before.errors)


def _impact(pact: PactFile, check: InteractionCheck, breaks: list[Breakage], already: list[Finding]) -> PactImpact:
    version = check.contract.version if check.contract else None
    return PactImpact(check.interaction, str(pact.path), check.event_type, version, breaks, already)


def _key(finding: Finding, contract: EventContract | None) -> tuple[str, str, str, str]:
    # The same problem reads the same against v1 and v2 but for the contract's name in it.
    message = finding.message.replace(str(contract), "<contract>") if contract else finding.message
    return (finding.severity, finding.pointer, finding.field, message)


def _changes(
    baseline: Catalog, catalog: Catalog, old: EventContract | None, new: EventContract | None
) -> dict[str, list[FieldChange]]:
    if old is None or new is None:
        return {}
    old_schema = baseline.compiled(old.event_type, old.version).bundled
    new_schema = catalog.compiled(new.event_type, new.version).bundled
    by_pointer: dict[str, list[FieldChange]] = {}
    for change in diff_schemas(old_schema, new_schema):
        by_pointer.setdefault(change.pointer, []).append(change)
    # Renames: a removed field with an added sibling of a similar name and the same type.
    old_fields, new_fields = schema_fields(old_schema), schema_fields(new_schema)
    for pointer, found in by_pointer.items():
        if any(change.change.startswith("removed") for change in found):
            parent, name = pointer.rsplit("/", 1)
            added = [
                p.rsplit("/", 1)[1]
                for p, changes in by_pointer.items()
                if p.rsplit("/", 1)[0] == parent
                and any(change.change.startswith("added") for change in changes)
                and new_fields[p].types == old_fields[pointer].types
            ]
            renamed_to = difflib.get_close_matches(name, added, n=1, cutoff=0.5) or (added if len(added) == 1 else [])
            if renamed_to:
                found.append(FieldChange(pointer, f"renamed to {parent}/{renamed_to[0]}?", frozenset()))
    return by_pointer


def _classify(finding: Finding, changes: dict[str, list[FieldChange]]) -> Breakage:
    pointer = finding.field
    while True:
        found = changes.get(pointer)
        if found:
            return Breakage(
                _kind(found), finding.pointer, finding.message, finding.field, "; ".join(c.change for c in found)
            )
        if not pointer:
            return Breakage("changed" if changes else "broken", finding.pointer, finding.message, finding.field)
        pointer = pointer.rsplit("/", 1)[0]


def _kind(changes: list[FieldChange]) -> str:
    texts = [change.change for change in changes]
    if any(text.startswith("renamed") for text in texts):
        return "renamed"
    if any(text.startswith("removed") for text in texts):
        return "removed"
    if any(text.startswith("type ") for text in texts):
        return "type changed"
    if any(text == "no longer required" for text in texts):
        return "made optional"
    return "changed"


def _broken(finding: Finding) -> Breakage:
    return Breakage("broken", finding.pointer, finding.message, finding.field)
