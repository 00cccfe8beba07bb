"""`tidings contracts check`: versioning governance for a catalogue.

(a) Within the catalogue, every version of an event type against each earlier one. A new version is allowed
    to break (that is what bumping the version is for), so these comparisons are reported, never failed.
(b) Against a baseline (the same catalogue at a git ref, or another directory): a contract whose schema changed
    under the SAME version number in a way that is not compatible in the chosen mode is a breaking change
    without a version bump, and fails the check. So does a published contract that disappeared.
(c) (in `tidings.contracts.check`, which combines this with the pacts' side) with consumers' pacts.

The verdict comes from `jsoncompat` on the two schemas bundled into self-contained form (with `allOf`s folded:
jsoncompat is over-cautious with them). jsoncompat does not model `pattern` and `format`, so a change to those
that breaks in the chosen direction also counts. The reasons, field by field, come from `field_diff`.

Default mode: forward. Producers publish and consumers read: the question a producer asks before releasing a
changed schema is "will consumers built on the published contract still accept what I now send?", which is
new ⊆ old, jsoncompat's "serializer" role.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Literal

import jsoncompat

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.schemas import fold_all_of
from tidings.contracts.compat.field_diff import FieldChange, diff_schemas
from tidings.contracts.errors import UsageError

__all__ = ["MODES", "Comparison", "check_against", "check_versions", "compare"]

MODES: dict[str, Literal["serializer", "deserializer", "both"]] = {
    "forward": "serializer",
    "backward": "deserializer",
    "full": "both",
}
"""Our mode names → jsoncompat's roles."""

_NOT_MODELLED_BY_JSONCOMPAT = ("pattern ", "format ")


@dataclass
class Comparison:
    """One schema compared with another: what changed, and whether it is compatible in the mode."""

    event_type: str
    old_version: int
    new_version: int
    scope: str
    """`versions` (within the catalogue) or `against` (same version, baseline vs now) or `removed`."""
    compatible: bool
    changes: list[FieldChange] = field(default_factory=list)
    mode: str = "forward"
    note: str = ""

    @property
    def breaking(self) -> bool:
        """True when this comparison fails the check (a same-version incompatible change, or a removal)."""
        return self.scope in ("against", "removed") and not self.compatible

    def consequence(self) -> str:
        """What an incompatibility means for people, e.g. `readers of v1 break; publish as v2`."""
        parts = []
        if self.mode in ("forward", "full"):
            parts.append(f"readers of v{self.old_version} break")
        if self.mode in ("backward", "full"):
            parts.append(f"v{self.old_version} events already published are rejected")
        return "; ".join(parts)

    def reasons(self, next_version: int | None = None) -> list[str]:
        """One line per breaking change, field by field; the fix is appended when `next_version` is given."""
        suffix = f"; publish as v{next_version}" if next_version is not None else ""
        breaking = [change for change in self.changes if change.breaks_in(self.mode)]
        if self.compatible:
            return []
        if not breaking:
            return [f"/: the schema changed incompatibly ({self.note or 'jsoncompat'}); {self.consequence()}{suffix}"]
        return [f"{change}; {self.consequence()}{suffix}" for change in breaking]

    def to_json(self, next_version: int | None = None) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "eventType": self.event_type,
            "oldVersion": self.old_version,
            "newVersion": self.new_version,
            "scope": self.scope,
            "mode": self.mode,
            "compatible": self.compatible,
            "breaking": self.breaking,
            "changes": [
                {
                    "pointer": c.pointer,
                    "change": c.change,
                    "breaks": sorted(c.breaks),
                    "breaking": c.breaks_in(self.mode),
                }
                for c in self.changes
            ],
            "reasons": self.reasons(next_version),
            "note": self.note,
        }


def compare(old: dict[str, Any], new: dict[str, Any], mode: str) -> tuple[bool, list[FieldChange], str]:
    """`(compatible, changes, note)` for two bundled schemas under `mode` (forward, backward or full)."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}", hint="use one of: " + ", ".join(MODES))
    old_folded, new_folded = fold_all_of(old), fold_all_of(new)
    changes = diff_schemas(old_folded, new_folded)
    if old_folded == new_folded:
        return True, changes, ""
    note = ""
    try:
        compatible = jsoncompat.check_compat(json.dumps(old_folded), json.dumps(new_folded), MODES[mode])
    except ValueError as exc:  # a schema feature jsoncompat does not support: fall back to the field diff
        note = f"jsoncompat could not compare these schemas ({exc}); verdict from the field diff"
        compatible = not any(change.breaks_in(mode) for change in changes)
    if compatible and any(
        change.breaks_in(mode) and change.change.startswith(_NOT_MODELLED_BY_JSONCOMPAT) for change in changes
    ):
        compatible = False
    return compatible, changes, note


def _without_version_pin(bundled: dict[str, Any]) -> dict[str, Any]:
    """The schema minus its `version` const: comparing v1 with v2, the bump itself is not the news."""
    folded = copy.deepcopy(fold_all_of(bundled))
    version = folded.get("properties", {}).get("version")
    if isinstance(version, dict):
        version.pop("const", None)
    return folded


def check_versions(catalog: Catalog, mode: str = "forward") -> list[Comparison]:
    """(a): each version of each event type against every earlier version."""
    comparisons = []
    for event_type in catalog.event_types:
        versions = catalog.versions(event_type)
        for index, new_version in enumerate(versions):
            new = _without_version_pin(catalog.compiled(event_type, new_version).bundled)
            for old_version in versions[:index]:
                old = _without_version_pin(catalog.compiled(event_type, old_version).bundled)
                compatible, changes, note = compare(old, new, mode)
                comparisons.append(
                    Comparison(event_type, old_version, new_version, "versions", compatible, changes, mode, note)
                )
    return comparisons


def check_against(catalog: Catalog, baseline: Catalog, mode: str = "forward") -> list[Comparison]:
    """(b): each contract of the baseline against the same (type, version) now."""
    comparisons = []
    for old_contract in baseline.events:
        event_type, version = old_contract.key
        old = baseline.compiled(event_type, version).bundled
        if (event_type, version) not in {contract.key for contract in catalog.events}:
            comparisons.append(
                Comparison(
                    event_type,
                    version,
                    version,
                    "removed",
                    False,
                    [],
                    mode,
                    "a published contract was removed; its consumers lose their contract (keep it, deprecated)",
                )
            )
            continue
        new = catalog.compiled(event_type, version).bundled
        compatible, changes, note = compare(old, new, mode)
        comparisons.append(Comparison(event_type, version, version, "against", compatible, changes, mode, note))
    return comparisons
