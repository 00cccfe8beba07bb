"""`tidings contracts show EVENT_TYPE`: one contract's fields, the resource behind its detailUrl and an example.

With a registry (`--registry DIR`, `--contracts DIR` more than once, TIDINGS_REGISTRY, `[tool.tidings] registry`)
the contract shown is that of the producer that emits the event type now (after any declared move), and the
output says which producer that is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.fields import schema_fields
from tidings.contracts.catalog.model import EventContract
from tidings.contracts.errors import UsageError, closest
from tidings.contracts.registry.routed import RoutedCatalog

from .console import console, print_json
from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_catalog

__all__ = ["show_command"]


def show_command(
    event_type: str = typer.Argument(..., help="Event type, e.g. intervention.referral.sent."),
    version: int | None = typer.Option(None, "--version", "-v", help="Version (default: the latest)."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    registry: Path | None = REGISTRY,
) -> None:
    """Show one contract: its producer, fields (type, required, constraints) and an example event.

    With a registry (--registry DIR, or --contracts more than once), the contract of the producer that emits
    the event type.

    Example: [bold]tidings contracts show intervention.referral.sent --version 1[/bold]
    """
    view = chosen_catalog(contracts, registry)
    catalog, moved_from = _owner(view, event_type)
    contract = catalog.get(event_type, version)
    if as_json:
        print_json(_show_json(catalog, contract, moved_from))
    else:
        _render(catalog, contract, moved_from)


def _owner(view: Catalog | RoutedCatalog, event_type: str) -> tuple[Catalog, str | None]:
    """The catalogue that emits `event_type`, and the producer it moved from (if the registry says so)."""
    if isinstance(view, Catalog):
        return view, None
    if event_type not in view.event_types:
        # One line that names the close matches across every producer (the registry's own error names them too,
        # but says nothing of the producers searched).
        near = closest(event_type, view.event_types)
        raise UsageError(
            f"no producer of the registry emits {event_type!r}"
            + (f"; did you mean {', '.join(near)}?" if near else ""),
            hint=f"producers searched: {view.producer}; `tidings contracts list --registry DIR --producer P` lists one",
        )
    move = view.registry.move_of(event_type)
    return view.owner(event_type), move.source if move is not None else None


def _fields(catalog: Catalog, contract: EventContract) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    fields = schema_fields(catalog.compiled(contract.event_type, contract.version).bundled)
    fields.pop("", None)  # the document itself
    resource = catalog.api.for_template(contract.detail_url_template) if catalog.api else None
    resource_fields = schema_fields(catalog.api.bundled(resource.name)) if catalog.api and resource else {}
    resource_fields.pop("", None)
    return fields, resource, resource_fields


def _show_json(catalog: Catalog, contract: EventContract, moved_from: str | None) -> dict[str, Any]:
    fields, resource, resource_fields = _fields(catalog, contract)
    return {
        "eventType": contract.event_type,
        "version": contract.version,
        "versions": catalog.versions(contract.event_type),
        "producer": catalog.producer,
        "movedFrom": moved_from,
        "description": contract.description,
        "detailUrl": contract.detail_url_template,
        "urlOnlyParams": {name: p.reason for name, p in contract.url_only_params.items()},
        "messageAttributes": contract.message_attributes,
        "fields": [
            {"pointer": f.pointer, "type": f.type_text, "required": f.required, "constraints": f.constraints}
            for f in fields.values()
        ],
        "schema": contract.schema,
        "example": contract.examples[0] if contract.examples else None,
        "source": str(contract.source_path),
        "resource": None
        if resource is None
        else {
            "name": resource.name,
            "version": resource.version,
            "path": resource.path,
            "fields": [
                {"pointer": f.pointer, "type": f.type_text, "required": f.required} for f in resource_fields.values()
            ],
        },
    }


def _render(catalog: Catalog, contract: EventContract, moved_from: str | None) -> None:
    fields, resource, resource_fields = _fields(catalog, contract)
    out = console()
    versions = ", ".join(map(str, catalog.versions(contract.event_type)))
    out.print(f"[bold]{contract.event_type}[/bold] v{contract.version}  (versions: {versions})")
    moved = f" (moved from {escape(moved_from)})" if moved_from else ""
    out.print(f"producer: {escape(catalog.producer)}{moved}")
    out.print(escape(contract.description))
    out.print(f"detailUrl: {escape(contract.detail_url_template)}")
    for name, param in contract.url_only_params.items():
        out.print(f"  {{{name}}} is url-only: {escape(param.reason)}")
    attributes = ", ".join(
        f"{name}={value.get('StringValue', value) if isinstance(value, dict) else value}"
        for name, value in contract.message_attributes.items()
    )
    out.print(f"SNS message attributes: {escape(attributes)}")
    out.print(f"source: {contract.source_path}")
    table = Table(title="fields", title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("type")
    table.add_column("required")
    table.add_column("constraints")
    for f in fields.values():
        table.add_row(f.pointer, f.type_text, "yes" if f.required else "no", escape(f.constraint_text()))
    out.print(table)
    if resource is not None:
        beside = Table(title=f"resource at detailUrl: {resource}", title_justify="left")
        beside.add_column("field", no_wrap=True)
        beside.add_column("type")
        beside.add_column("required")
        for f in resource_fields.values():
            beside.add_row(f.pointer, f.type_text, "yes" if f.required else "no")
        out.print(beside)
    if contract.examples:
        out.print("example:")
        typer.echo(json.dumps(contract.examples[0], indent=2, ensure_ascii=False))
