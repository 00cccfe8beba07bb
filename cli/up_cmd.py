"""`tidings up`: a local SNS/SQS engine with the topology applied, running until Ctrl-C or SIGTERM."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .engine_options import ENDPOINT, STRICT, TOPOLOGY
from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_catalog

if TYPE_CHECKING:
    from tidings.contracts.registry.routed import CatalogView
    from tidings.simulator.up import ServiceStarter, UpSession

__all__ = ["extra_services", "up_command"]


def extra_services(
    api_port: int | None,
    api_host: str = "127.0.0.1",
    catalog: CatalogView | None = None,
    fixtures: str | None = None,
    strict: bool = True,
) -> list[ServiceStarter]:
    """Services started next to the engine, in order: the fake business API (and its control API) unless
    `--no-api`, serving `catalog` (default: the `contracts` setting's; a registry's: every producer)."""
    if api_port is None:
        return []
    from tidings.simulator.session import fake_api_service

    return [fake_api_service(port=api_port, host=api_host, catalog=catalog, fixtures=fixtures, strict=strict)]


def up_command(
    port: int = typer.Option(4566, "--port", min=0, max=65535, help="Port of the embedded engine (0: any free one)."),
    topology: Path | None = TOPOLOGY,
    engine: str | None = typer.Option(
        None,
        "--engine",
        metavar="KIND",
        help="embedded (default: moto in this process, no Docker) or localstack (apply the topology to a running "
        "LocalStack and print its environment; exits then, unless extra services run).",
    ),
    endpoint: str | None = ENDPOINT,
    api_port: int = typer.Option(
        8080, "--api-port", min=0, max=65535, help="Port of the fake business API on 127.0.0.1 (0: any free one)."
    ),
    api_host: str = typer.Option(
        "127.0.0.1", "--api-host", help="Interface the fake API listens on (0.0.0.0 only inside a container)."
    ),
    no_api: bool = typer.Option(False, "--no-api", help="Do not serve the fake business API."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    registry: Path | None = REGISTRY,
    fixtures: str | None = typer.Option(None, "--fixtures", metavar="DIR", help="Folder with your scenarios/."),
    strict: bool = STRICT,
) -> None:
    """Start an SNS/SQS engine on 127.0.0.1:4566 and the fake business API on 127.0.0.1:8080, apply the
    topology, print the environment a consumer needs (in any language) and keep running until Ctrl-C or SIGTERM.

    Over a registry (--registry DIR, or several --contracts DIR) the fake API serves every producer's resources,
    each under its base path.

    Example: [bold]tidings up[/bold], then in another shell [bold]tidings emit intervention.referral.sent[/bold]
    """
    from tidings.simulator.up import start_up, wait_for_stop_signal

    served = None if no_api else chosen_catalog(contracts, registry)  # bad input: exit 2 before anything starts

    session = start_up(
        engine,
        endpoint,
        port,
        topology=topology,
        services=extra_services(None if no_api else api_port, api_host, served, fixtures, strict),
    )
    try:
        _print_environment(session)
        _print_producers(served)
        if session.engine.kind != "embedded" and not session.services:
            typer.echo("topology applied; the engine keeps running on its own")
            return
        typer.echo("ready - press Ctrl-C to stop")
        signal_name = wait_for_stop_signal()
        typer.echo(f"{signal_name}: stopping")
    finally:
        session.stop()
    typer.echo("stopped")


def _print_environment(session: UpSession) -> None:
    typer.echo(f"tidings up: {session.engine.description}, topology {session.topology.source}")
    for change in session.applied.changes:
        typer.echo(f"  {change}")
    typer.echo("environment for consumers:")
    for name, value in session.environment().items():
        typer.echo(f"  export {name}={value}")


def _print_producers(served: CatalogView | None) -> None:
    """Over a registry, where each producer's resources are on the fake API (under $TIDINGS_API_URL)."""
    mounts = getattr(served, "mounts", [])
    if mounts:
        typer.echo("producers on the fake API:")
    for base_path, catalog in mounts:
        typer.echo(f"  {catalog.producer}: $TIDINGS_API_URL{base_path}")
