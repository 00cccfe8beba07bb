"""Resource schemas compared like event schemas: a resource's response changed under the same version, in a way
that breaks its readers, is reported field by field (as `resource <name>`, so the check's report reads the
same for both contracts of an event)."""

from __future__ import annotations

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.compat.verdicts import Comparison, compare

__all__ = ["check_resources_against", "resource_label"]


def resource_label(name: str) -> str:
    """How reports name a resource beside event types."""
    return f"resource {name}"


def check_resources_against(catalog: Catalog, baseline: Catalog, mode: str = "forward") -> list[Comparison]:
    """Each resource of the baseline against the same (name, version) now; a removed resource breaks."""
    comparisons = []
    for name, old in baseline.api.resources.items():
        new = catalog.api.resources.get(name)
        label = resource_label(name)
        if new is None:
            note = "a published resource was removed; consumers that follow its links lose it (keep it)"
            comparisons.append(Comparison(label, old.version, old.version, "removed", False, [], mode, note))
            continue
        if new.version != old.version:
            continue  # a new version is a new contract; its readers opt in
        compatible, changes, note = compare(baseline.api.bundled(name), catalog.api.bundled(name), mode)
        comparisons.append(Comparison(label, old.version, new.version, "against", compatible, changes, mode, note))
    return comparisons
