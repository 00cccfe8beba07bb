"""`tidings contracts check`: everything one run reports, in one `CheckReport`.

(a) and (b), versions within the catalogue and against a baseline, come from `compat`; (c), with consumers'
pacts (`--pacts DIR`): which of their message interactions the change breaks, field by field (`pact.impact`);
without a baseline, which of them do not hold against the catalogue. Either fails the check. This module sits
above both, so that neither `compat` nor `pact` needs the other's report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.compat.resources import check_resources_against, resource_label
from tidings.contracts.compat.verdicts import MODES, Comparison, check_against, check_versions
from tidings.contracts.errors import UsageError
from tidings.contracts.pact.impact import PactImpact, pact_impact
from tidings.contracts.pact.model import PactFile

__all__ = ["MODES", "CheckReport", "check_catalog"]


@dataclass
class CheckReport:
    """All comparisons of one `check` run."""

    mode: str
    versions: list[Comparison]
    against: list[Comparison]
    baseline: str | None = None
    next_versions: dict[str, int] = field(default_factory=dict)
    pacts: list[PactImpact] | None = None
    """(c), when pacts were given: one entry per consumer message interaction."""

    @property
    def breaking(self) -> list[Comparison]:
        """The comparisons that fail the check."""
        return [comparison for comparison in self.against if comparison.breaking]

    @property
    def broken_pacts(self) -> list[PactImpact]:
        """The consumer interactions that fail the check."""
        return [impact for impact in self.pacts or [] if impact.breaking]

    @property
    def ok(self) -> bool:
        """True when nothing fails the check."""
        return not self.breaking and not self.broken_pacts


def check_catalog(
    catalog: Catalog,
    *,
    mode: str = "forward",
    baseline: Catalog | None = None,
    baseline_name: str | None = None,
    pacts: Sequence[PactFile] | None = None,
) -> CheckReport:
    """(a), (b) when a baseline is given, and (c) when pacts are, in one report."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}", hint="use one of: " + ", ".join(MODES))
    next_versions = {event_type: catalog.versions(event_type)[-1] + 1 for event_type in catalog.event_types}
    if baseline is not None:
        for event_type in baseline.event_types:
            next_versions.setdefault(event_type, baseline.versions(event_type)[-1] + 1)
        for resource in baseline.api.resources.values():
            next_versions[resource_label(resource.name)] = resource.version + 1
    return CheckReport(
        mode=mode,
        versions=check_versions(catalog, mode),
        against=check_against(catalog, baseline, mode) + check_resources_against(catalog, baseline, mode)
        if baseline is not None
        else [],
        baseline=baseline_name,
        next_versions=next_versions,
        pacts=pact_impact(catalog, pacts, baseline) if pacts is not None else None,
    )
