"""`tidings docs …`: the catalog site. `build` writes static HTML for a registry (or the default catalogue);
`serve` serves a built site (or builds one into a temporary folder first) on 127.0.0.1."""

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

from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_registry

__all__ = ["app"]

app = typer.Typer(help="The catalog site: build static HTML, serve it.", no_args_is_help=True, rich_markup_mode="rich")

_PACTS = typer.Option(None, "--pacts", metavar="DIR", help="Consumers' pact files: which consumer reads which field.")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _build(contracts: list[Path] | None, registry: Path | None, pacts: Path | None, out: Path) -> BuiltSite:
    chosen = chosen_registry(contracts, registry)
    if chosen is None:
        catalog = load_catalog()
        chosen = Registry(root=None, topic=catalog.topic, catalogs=[catalog])
    found = load_pacts([pacts]) if pacts is not None else None
    try:
        return build_site(chosen, out, found)
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
) -> None:
    """Write the catalog site: an index with a filter box and the producers → topic → event types picture,
    a page per producer and per event type (fields, example, detailUrl resource, versions, consumers).

    Example: [bold]tidings docs build --registry build/registry --out site/[/bold]
    """
    built = _build(contracts, registry, pacts, out)
    typer.echo(
        f"wrote {built.pages} page(s) to {out}: {built.event_types} event type(s), {built.producers} producer(s); "
        f"open {out / 'index.html'}"
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
) -> None:
    """Serve the catalog site until interrupted (Ctrl-C).

    Example: [bold]tidings docs serve --registry build/registry --port 8000[/bold]
    """
    if host not in _LOOPBACK and not allow_remote:
        raise UsageError(f"--host {host} is not a loopback address", hint="pass --allow-remote to serve it anyway")
    with tempfile.TemporaryDirectory(prefix="tidings-site-") as scratch:
        if site is None:
            site = Path(scratch)
            _build(contracts, registry, pacts, site)
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
