"""What `tidings contracts check|lint|list` print for a registry (kept apart from contracts_cmd, which is about
one catalogue): disagreements with a registry, naming warnings with counts, one producer's catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from tidings.contracts import UsageError

__all__ = ["check_against_registry_view", "check_moves_view", "lint_registry_view", "registry_catalog"]


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def check_against_registry_view(catalog: Any, where: Path, as_json: bool) -> None:
    from tidings.contracts.registry.against import check_against_registry
    from tidings.contracts.registry.loader import load_registry

    found = check_against_registry(catalog, load_registry(where))
    if as_json:
        _print_json([d.to_json() for d in found])
    else:
        for disagreement in found:
            typer.echo(str(disagreement))
        sides = {side: sum(d.fix == side for d in found) for side in ("registry", "producer")}
        typer.echo(
            f"{len(found)} disagreement(s) with {where}: fix the registry {sides['registry']}, "
            f"the producer {sides['producer']}"
        )
    if found:
        raise typer.Exit(1)


def lint_registry_view(where: Path, strict: bool, as_json: bool) -> None:
    from tidings.contracts.registry.loader import load_registry
    from tidings.contracts.registry.naming import naming_counts, naming_findings

    loaded = load_registry(where)
    findings = naming_findings(loaded)
    counts = naming_counts(findings)
    if as_json:
        _print_json({"counts": counts, "findings": [vars(f) for f in findings]})
    else:
        level = "error" if strict else "warning"
        for finding in findings:
            typer.echo(f"{level}: {finding}")
        summary = ", ".join(f"{n} {rule}" for rule, n in counts.items()) or "none"
        typer.echo(f"{len(findings)} naming {level}(s) over {len(loaded.event_types)} event types: {summary}")
    if strict and findings:
        raise typer.Exit(1)


def registry_catalog(where: Path | None, producer: str | None) -> Any:
    from tidings.contracts.registry.loader import load_registry, registry_setting

    chosen = registry_setting(where)
    if chosen is None or producer is None:
        raise UsageError(
            "--producer needs a registry and --registry a producer",
            hint="tidings contracts list --registry registry/ --producer refer-and-monitor",
        )
    return load_registry(chosen).catalog(producer)


def check_moves_view(where: Path, as_json: bool) -> None:
    from tidings.contracts.registry.loader import load_registry
    from tidings.contracts.registry.moves import check_moves

    verdicts = check_moves(load_registry(where))
    if as_json:
        _print_json([verdict.to_json() for verdict in verdicts])
    else:
        for verdict in verdicts:
            typer.echo(str(verdict))
        failed = sum(not verdict.drop_in for verdict in verdicts)
        typer.echo(f"{len(verdicts)} moved contract(s) checked in {where}: {failed} not a drop-in")
    if any(not verdict.drop_in for verdict in verdicts):
        raise typer.Exit(1)
