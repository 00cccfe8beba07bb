"""`tidings contracts …`: list, show, validate, lint, check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from tidings.contracts import UsageError, load_catalog
from tidings.contracts.catalog.event_files import validate_files
from tidings.contracts.check import MODES, CheckReport, check_catalog
from tidings.contracts.compat.git_ref import catalog_at_ref
from tidings.contracts.lint.rules import lint_catalog
from tidings.contracts.pact.file import load_pacts

from .console import console as make_console
from .console import print_json
from .contracts_show import show_command
from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_validator
from .registry_views import check_against_registry_view, check_moves_view, lint_registry_view, registry_catalog

__all__ = ["app"]

app = typer.Typer(
    help="Published event contracts: list, show, validate, lint, check.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

_CONTRACTS_HELP = (
    "Catalogue directory (default: TIDINGS_CONTRACTS, then \\[tool.tidings] contracts in pyproject.toml, "
    "then the shipped interventions catalogue)."
)
_CONTRACTS = typer.Option(None, "--contracts", metavar="DIR", help=_CONTRACTS_HELP)
_JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")


@app.command("list")
def list_command(
    contracts: Path | None = _CONTRACTS,
    as_json: bool = _JSON,
    registry: Path | None = typer.Option(None, "--registry", metavar="DIR", help="List one producer of a registry."),
    producer: str | None = typer.Option(None, "--producer", metavar="P", help="With --registry: which producer."),
) -> None:
    """List the event types of the catalogue: versions, description, detailUrl template.

    Example: [bold]tidings contracts list[/bold]
    """
    catalog = registry_catalog(registry, producer) if registry or producer else load_catalog(contracts)
    rows = [catalog.get(event_type) for event_type in catalog.event_types]
    if as_json:
        print_json(
            {
                "producer": catalog.producer,
                "topic": catalog.topic,
                "apiBaseUrl": catalog.api_base_url,
                "events": [
                    {
                        "eventType": latest.event_type,
                        "versions": catalog.versions(latest.event_type),
                        "description": latest.description,
                        "detailUrl": latest.detail_url_template,
                    }
                    for latest in rows
                ],
            }
        )
        return
    table = Table(title=f"{catalog.producer} → topic {catalog.topic}", title_justify="left")
    table.add_column("event type", no_wrap=True)
    table.add_column("versions", justify="right")
    table.add_column("detailUrl", no_wrap=True)
    table.add_column("description")
    for latest in rows:
        versions = ", ".join(map(str, catalog.versions(latest.event_type)))
        table.add_row(latest.event_type, versions, escape(latest.detail_url_template), escape(latest.description))
    make_console().print(table)


app.command("show")(show_command)


@app.command("validate")
def validate_command(
    files: list[Path] = typer.Argument(..., help="Event files (JSON): raw envelopes or SNS notifications."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    as_json: bool = _JSON,
    registry: Path | None = REGISTRY,
) -> None:
    """Validate event files against their contracts (the version comes from each event).

    Exit code 0 when every file is valid, 1 when any has violations, 2 when any cannot be read or matched.

    Example: [bold]tidings contracts validate received/*.json[/bold] (with --registry or several --contracts,
    each event is routed to its producer's contract by eventType)
    """
    results = validate_files(chosen_validator(contracts, registry), files)
    if as_json:
        print_json([result.to_json() for result in results])
    else:
        console = make_console()
        for result in results:
            name = escape(str(result.path))
            if result.error is not None:
                console.print(f"{name}: [red]error[/red]: {escape(str(result.error))}")
            elif result.ok:
                console.print(f"{name}: [green]OK[/green] {result.event_type} v{result.version}")
            else:
                count = len(result.violations)
                console.print(
                    f"{name}: [red]FAIL[/red] {result.event_type} v{result.version}, "
                    f"{count} violation{'s' if count != 1 else ''}"
                )
                for violation in result.violations:
                    console.print(f"  {escape(str(violation))}")
        failed = sum(1 for result in results if result.error is None and not result.ok)
        errors = sum(1 for result in results if result.error is not None)
        console.print(
            f"{len(results)} file(s): {len(results) - failed - errors} OK, {failed} failed, {errors} error(s)"
        )
    if any(result.error is not None for result in results):
        raise typer.Exit(2)
    if any(not result.ok for result in results):
        raise typer.Exit(1)


@app.command("lint")
def lint_command(
    contracts: Path | None = _CONTRACTS,
    as_json: bool = _JSON,
    registry: Path | None = typer.Option(
        None, "--registry", metavar="DIR", help="Lint the naming of every event type of a registry (warnings)."
    ),
    strict: bool = typer.Option(False, "--strict", help="With --registry: naming warnings are errors (exit 1)."),
) -> None:
    """Check the catalogue's house rules: naming, versions, descriptions, detailUrl placeholders, examples,
    valid schemas, no stray files. Exit code 1 when any rule is broken.

    Example: [bold]tidings contracts lint --contracts contracts/catalogs/interventions[/bold]
    """
    if registry is not None:
        lint_registry_view(registry, strict, as_json)
        return
    catalog = load_catalog(contracts, strict=False)
    problems = lint_catalog(catalog)
    if as_json:
        print_json({"ok": not problems, "problems": [problem.to_json() for problem in problems]})
    else:
        console = make_console()
        for problem in problems:
            console.print(escape(str(problem)))
        if problems:
            console.print(f"[red]{len(problems)} problem(s)[/red] in {catalog.root}")
        else:
            console.print(f"[green]OK[/green]: {len(catalog.events)} contracts in {catalog.root}, no problems")
    if problems:
        raise typer.Exit(1)


@app.command("check")
def check_command(
    against: str | None = typer.Option(
        None, "--against", metavar="GIT_REF|DIR", help="Compare with the catalogue at a git ref, or in a directory."
    ),
    mode: str = typer.Option(
        "forward",
        "--mode",
        metavar="forward|backward|full",
        help="forward: readers of the old schema accept new events (default; producers publish, consumers read). "
        "backward: the new schema accepts old events. full: both.",
    ),
    pacts_dir: Path | None = typer.Option(
        None,
        "--pacts",
        metavar="DIR",
        help="Consumers' pact files (*.json): list which of their message interactions the change breaks "
        "(with --against), or which do not hold against the contracts (without).",
    ),
    contracts: Path | None = _CONTRACTS,
    as_json: bool = _JSON,
    against_registry: Path | None = typer.Option(
        None,
        "--against-registry",
        metavar="DIR",
        help="Compare with a published registry (or an imported one): field by field, which side to fix.",
    ),
    registry: Path | None = typer.Option(
        None, "--registry", metavar="DIR", help="Prove each declared move's new producer is a drop-in (both ways)."
    ),
) -> None:
    """Versioning governance. Compares each version of an event with the earlier ones (reported: a new version
    may break), and with --against, each contract with the same version in the baseline: an incompatible
    change without a version bump exits 1. With --pacts, a change that breaks a consumer's pact exits 1 too.

    Example: [bold]tidings contracts check --against main --pacts pacts/[/bold]
    """
    if mode not in MODES:
        raise UsageError(f"unknown --mode {mode!r}", hint="use one of: " + ", ".join(MODES))
    if registry is not None:
        check_moves_view(registry, as_json)
        return
    catalog = load_catalog(contracts)
    if against_registry is not None:
        check_against_registry_view(catalog, against_registry, as_json)
        return
    pacts = load_pacts([pacts_dir]) if pacts_dir is not None else None
    if against is None:
        report = check_catalog(catalog, mode=mode, pacts=pacts)
    elif Path(against).is_dir():
        baseline = load_catalog(Path(against))
        report = check_catalog(catalog, mode=mode, baseline=baseline, baseline_name=against, pacts=pacts)
    else:
        with catalog_at_ref(catalog.root, against) as folder:
            baseline = load_catalog(folder)
            report = check_catalog(catalog, mode=mode, baseline=baseline, baseline_name=against, pacts=pacts)
    if as_json:
        print_json(_report_json(report))
    else:
        _render_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _report_json(report: CheckReport) -> dict[str, Any]:
    data = {
        "ok": report.ok,
        "mode": report.mode,
        "against": report.baseline,
        "versions": [comparison.to_json() for comparison in report.versions],
        "sameVersion": [
            comparison.to_json(report.next_versions.get(comparison.event_type)) for comparison in report.against
        ],
    }
    if report.pacts is not None:
        data["pacts"] = [impact.to_json() for impact in report.pacts]
    return data


def _render_report(report: CheckReport) -> None:
    _render_versions(report)
    if report.pacts is not None:
        _render_pacts(report)
    if report.ok:
        console = make_console()
        suffix = " and no consumer pact broken" if report.pacts is not None else ""
        if report.baseline is not None or report.pacts is not None:
            console.print(f"[green]OK[/green]: no breaking change without a version bump{suffix}")
    elif report.broken_pacts:
        make_console().print(f"[red]{len(report.broken_pacts)} consumer interaction(s) broken[/red]")


def _render_pacts(report: CheckReport) -> None:
    console = make_console()
    impacts = report.pacts or []
    scope = f"by the change against {report.baseline}" if report.baseline is not None else "against the contracts"
    console.print(
        f"consumer pacts: {len(impacts)} message interaction(s) checked, {len(report.broken_pacts)} broken {scope}"
    )
    for impact in impacts:
        title = escape(
            f"{impact.interaction.consumer}: {impact.interaction.description!r} "
            f"({impact.event_type or 'unknown event type'}{f' v{impact.version}' if impact.version else ''})"
        )
        if impact.breaking:
            console.print(f"[red]BREAKS[/red] {title}")
            for breakage in impact.breaks:
                console.print(f"  {escape(str(breakage))}")
        for finding in impact.already:
            console.print(f"  already broken before the change: {escape(str(finding))}")


def _render_versions(report: CheckReport) -> None:
    console = make_console()
    console.print(f"mode: {report.mode}")
    if not report.versions:
        console.print("versions: every event type has a single version; nothing to compare")
    for comparison in report.versions:
        title = f"{comparison.event_type} v{comparison.old_version} → v{comparison.new_version}"
        if comparison.compatible:
            console.print(f"{title}: compatible ({report.mode})")
        else:
            console.print(f"{title}: [yellow]incompatible[/yellow] ({report.mode}); allowed: a new version may break")
            for reason in comparison.reasons():
                console.print(f"  {escape(reason)}")
    if report.baseline is None:
        return
    changed = [c for c in report.against if c.changes or not c.compatible]
    console.print(
        f"against {escape(report.baseline)}: {len(report.against)} contract(s) compared, {len(changed)} changed"
    )
    for comparison in report.against:
        title = f"{comparison.event_type} v{comparison.old_version}"
        if comparison.scope == "removed":
            console.print(f"[red]BREAKING[/red] {title}: removed; {escape(comparison.note)}")
        elif not comparison.compatible:
            console.print(f"[red]BREAKING[/red] {title}: changed under the same version")
            for reason in comparison.reasons(report.next_versions.get(comparison.event_type)):
                console.print(f"  {escape(reason)}")
        elif comparison.changes:
            console.print(f"{title}: changed, compatible ({report.mode})")
            for change in comparison.changes:
                console.print(f"  {escape(str(change))}")
    if report.breaking:
        console.print(f"[red]{len(report.breaking)} breaking change(s)[/red] without a version bump")
