"""`tidings asyncapi …`: import registry message specs and AsyncAPI documents; export AsyncAPI 3.0.0 or the
registry's own message spec format."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml

from tidings.contracts.asyncapi.export import QueueSubscription, export_asyncapi
from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.asyncapi.registry_format import write_registry_files
from tidings.contracts.errors import UsageError

from .registry_options import CONTRACTS_MANY, PRODUCER, REGISTRY, chosen_catalogs

__all__ = ["app"]

app = typer.Typer(help="AsyncAPI in and out.", no_args_is_help=True, rich_markup_mode="rich")


def _ref_bases(values: list[str]) -> dict[str, Path]:
    bases = {}
    for value in values:
        url, sep, folder = value.partition("=")
        if not sep or not url or not folder:
            raise UsageError(
                f"--ref-base {value!r}: expected URL=DIR",
                hint="--ref-base https://raw.githubusercontent.com/org/repo/main/=./repo",
            )
        bases[url] = Path(folder)
    return bases


@app.command("import")
def import_command(
    paths: list[Path] = typer.Argument(..., help="Registry checkouts, folders, message spec files, AsyncAPI docs."),
    into: Path = typer.Option(..., "--into", metavar="DIR", help="Where to write the registry (new directory)."),
    ref_base: list[str] = typer.Option([], "--ref-base", metavar="URL=DIR", help="Read $ref URLs under URL from DIR."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier import in DIR."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the files with notes, and the summary."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import into one tidings catalogue per producer, with a report per file: imported, normalised (what),
    conflict (both paths, which won), refused (why, file:line), skipped. Exit 1 when any file was refused.

    Example: [bold]tidings asyncapi import hmpps-domain-events/ --into registry/[/bold]
    """
    report = import_paths(list(paths), into, ref_bases=_ref_bases(ref_base), force=force)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for file in report.files:
            if quiet and not file.notes:
                continue
            typer.echo("\n".join(file.lines()))
        typer.echo(report.summary())
    if report.counts["refused"]:
        raise typer.Exit(1)


@app.command("export")
def export_command(
    out: Path = typer.Option(..., "--out", metavar="FILE|DIR", help="The AsyncAPI file (.yaml/.json), or a folder."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    registry: Path | None = REGISTRY,
    producer: str | None = PRODUCER,
    topology: Path | None = typer.Option(None, "--topology", metavar="FILE", help="Add each queue as a receive."),
    output_format: str = typer.Option("asyncapi", "--format", help="asyncapi (3.0.0) or registry (message specs)."),
) -> None:
    """Export AsyncAPI 3.0.0 (one document), or with [bold]--format registry[/bold] one message spec file per
    event type in the registry's own layout under the folder --out.

    Example: [bold]tidings asyncapi export --topology fixtures/topology.yaml --out build/asyncapi.yaml[/bold]
    """
    catalogs = chosen_catalogs(contracts, registry, producer)
    if output_format == "registry":
        written = [path for catalog in catalogs for path in write_registry_files(catalog, out)]
        typer.echo(f"wrote {len(written)} message spec file(s) under {out}")
        return
    if output_format != "asyncapi":
        raise UsageError(f"--format {output_format!r}", hint="use asyncapi or registry")
    queues = _queues(topology, catalogs[0].topic) if topology is not None else []
    doc = export_asyncapi(catalogs, queues=queues)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".json":
        out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        out.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    count = len(doc["components"]["messages"])
    typer.echo(f"wrote AsyncAPI 3.0.0 to {out}: {count} message(s), {len(doc['operations'])} operation(s)")


def _queues(topology: Path, topic: str) -> list[QueueSubscription]:
    from tidings.simulator.topology import Topology

    declared = Topology.load(topology)
    return [
        QueueSubscription(s.queue, s.filter_policy, s.filter_scope, s.raw_delivery)
        for s in declared.subscriptions
        if s.topic == topic or len(declared.topics) == 1
    ]
