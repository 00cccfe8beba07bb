"""`tidings docs …`: the catalog site. `build` writes static HTML for a registry (or the default catalogue), with
the queues of a topology (the shipped one by default) that receive each event type; `serve` serves a built site
(or builds one into a temporary folder first) on 127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import tempfile
from pathlib import Path
from typing import Any

import typer

from tidings.contracts import UsageError, load_catalog
from tidings.contracts.pact.file import load_pacts
from tidings.contracts.registry.model import Registry
from tidings.contracts.site.build import BuiltSite, build_site

from .engine_options import TOPOLOGY
from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_registry

__all__ = ["app"]

app = typer.Typer(help="The catalog site: build static HTML, serve it.", no_args_is_help=True, rich_markup_mode="rich")

_PACTS = typer.Option(None, "--pacts", metavar="DIR", help="Consumers' pact files: which consumer reads which field.")
_NO_TOPOLOGY = typer.Option(False, "--no-topology", help="Leave the queues out: no topology, no queues column.")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _build(
    contracts: list[Path] | None,
    registry: Path | None,
    pacts: Path | None,
    topology: Path | None,
    out: Path,
    *,
    no_topology: bool = False,
) -> BuiltSite:
    """`topology` None: the one other commands use (TIDINGS_TOPOLOGY, `[tool.tidings]`, else the shipped one)."""
    chosen = chosen_registry(contracts, registry)
    if chosen is None:
        catalog = load_catalog()
        chosen = Registry(root=None, topic=catalog.topic, catalogs=[catalog])
    found = load_pacts([pacts]) if pacts is not None else None
    routes = None
    if not no_topology:
        from tidings.simulator.topology import Topology

        from .docs_queues import queue_routes

        routes = queue_routes(chosen, Topology.load(topology))
    try:
        return build_site(chosen, out, found, routes)
    except OSError as exc:  # --out under a file, read-only, full disk: the user's to fix, not a traceback
        raise UsageError(
            f"cannot write the site to {out}: {exc.strerror} ({exc.filename})",
            hint="give --out a folder you can write, e.g. --out build/site",
        ) from None


@app.command("build")
def build_command(
    out: Path = typer.Option(..., "--out", metavar="DIR", help="Folder for the site (created)."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    registry: Path | None = REGISTRY,
    pacts: Path | None = _PACTS,
    topology: Path | None = TOPOLOGY,
    no_topology: bool = _NO_TOPOLOGY,
) -> None:
    """Write the catalog site: an index with a filter box and the producers → topic → event types → queues
    picture, a page per producer and per event type (fields, example, detailUrl resource, versions, the queues
    whose filter policies let it through, consumers).

    Example: [bold]tidings docs build --registry build/registry --topology my-topology.yaml --out site/[/bold]
    """
    built = _build(contracts, registry, pacts, topology, out, no_topology=no_topology)
    queues = f", {built.queues} queue(s)" if built.queues is not None else ""
    typer.echo(
        f"wrote {built.pages} page(s) to {out}: {built.event_types} event type(s), {built.producers} producer(s)"
        f"{queues}; open {out / 'index.html'}"
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@app.command("serve")
def serve_command(
    site: Path | None = typer.Option(None, "--site", metavar="DIR", help="A built site (default: build one now)."),
    port: int = typer.Option(8000, "--port", help="Port (0: any free one; the URL is printed)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback unless --allow-remote)."),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow binding a non-loopback address."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    registry: Path | None = REGISTRY,
    pacts: Path | None = _PACTS,
    topology: Path | None = TOPOLOGY,
    no_topology: bool = _NO_TOPOLOGY,
) -> None:
    """Serve the catalog site until interrupted (Ctrl-C).

    Example: [bold]tidings docs serve --registry build/registry --port 8000[/bold]
    """
    if host not in _LOOPBACK and not allow_remote:
        raise UsageError(f"--host {host} is not a loopback address", hint="pass --allow-remote to serve it anyway")
    with tempfile.TemporaryDirectory(prefix="tidings-site-") as scratch:
        if site is None:
            site = Path(scratch)
            _build(contracts, registry, pacts, topology, site, no_topology=no_topology)
        elif not (site / "index.html").is_file():
            raise UsageError(f"{site}: no index.html", hint="build it first: tidings docs build --out DIR")
        handler = functools.partial(_QuietHandler, directory=str(site))
        try:
            server = http.server.ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}", hint="pick another --port") from None
        with server:
            typer.echo(f"serving {site} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
            sys.stdout.flush()
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
