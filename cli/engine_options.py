"""Options shared by every command that talks to an SNS/SQS engine, and the connection they make.

Commands other than `tidings up` talk to an engine that is already running: by default the one at
http://localhost:4566, where both `tidings up` and LocalStack listen (`LOCALSTACK_HOST` moves it).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from tidings.simulator.engine.engines import Engine

__all__ = ["ALLOW_REMOTE", "ENDPOINT", "ENGINE", "JSON", "STRICT", "TOPOLOGY", "connect", "console", "print_json"]

ENGINE = typer.Option(
    None,
    "--engine",
    metavar="KIND",
    help=(
        "embedded (a throwaway in-process engine), localstack (a running one, default: http://localhost:4566, "
        "where `tidings up` listens too) or aws. Default: TIDINGS_ENGINE, \\[tool.tidings] engine, else localstack."
    ),
)
ENDPOINT = typer.Option(
    None,
    "--endpoint",
    metavar="URL",
    help="The engine's URL, e.g. http://localhost:4566 (default: TIDINGS_ENDPOINT, \\[tool.tidings] endpoint).",
)
TOPOLOGY = typer.Option(
    None,
    "--topology",
    metavar="FILE",
    help="Topology YAML (default: TIDINGS_TOPOLOGY, \\[tool.tidings] topology, else the shipped one).",
)
ALLOW_REMOTE = typer.Option(False, "--allow-remote", help="Allow this on an engine that is not on this machine.")
JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")


def connect(
    engine: str | None,
    endpoint: str | None,
    *,
    queue: str | None = None,
    destructive: str | None = None,
    allow_remote: bool = False,
) -> Engine:
    """The engine a command talks to; EngineError (exit 2, with how to start one) when none answers.

    Before anything connects: a `destructive` action (e.g. "purge intervention-events") is refused on an engine
    not on this machine unless `allow_remote`, and a `queue` URL must name this engine's host."""
    from tidings.simulator.engine.engines import start_engine
    from tidings.simulator.engine.targets import check_queue_target, refuse_remote

    if destructive is not None:
        refuse_remote(engine, endpoint, destructive, allow_remote=allow_remote, default="localstack")
    running = start_engine(engine, endpoint, default="localstack", check=False)
    try:
        if queue is not None:
            check_queue_target(running, queue)
        if running.kind != "embedded":
            running.check_reachable()
    except BaseException:
        running.stop()
        raise
    typer.echo(running.banner, err=True)  # on stderr: --json output stays one document
    return running


def console() -> Console:
    """A console on the current stdout (CliRunner swaps it); wide and plain off a terminal."""
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


STRICT = typer.Option(
    True,
    "--strict/--no-strict",
    help="Strict fake API (default): a resource that would not validate against its schema is a 500 problem "
    "naming the pointer, the schema rule and the projection rule. --no-strict serves it as it is.",
)
