"""The `tidings` command: one Typer app per command group, joined here. Commands parse input, call the core,
render the result and exit with the core's exit code (0 ok, 1 a check failed, 2 bad usage or input)."""

from __future__ import annotations

import contextlib
import os
import sys
from importlib.metadata import version
from typing import Any

import typer
from typer._click.exceptions import NoArgsIsHelpError
from typer._click.exceptions import UsageError as BadUsage  # typer vendors click
from typer.core import TyperGroup

from tidings.contracts.errors import TidingsError

from . import (
    asyncapi_cmd,
    contracts_cmd,
    docs_cmd,
    emit_cmd,
    pact_cmd,
    play_cmd,
    queue_cmd,
    scenarios_cmd,
    topology_cmd,
    up_cmd,
)

__all__ = ["app", "main"]


class _ErrorsAsMessages(TyperGroup):
    """Turns a `TidingsError` raised anywhere below into one line on stderr and its exit code: a user's
    mistake never shows a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context type is private
        try:
            return super().invoke(ctx)
        except TidingsError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None
        except BrokenPipeError:  # `tidings play --json | head`: the reader has all it wanted; not an error
            _quiet_stdout()
            raise typer.Exit(0) from None
        except BadUsage as error:  # a bad option value: the same one line and a hint, exit 2
            if isinstance(error, NoArgsIsHelpError):
                raise
            where = error.ctx.command_path if error.ctx is not None else "tidings"
            typer.echo(f"error: {error.format_message()}\nhint: see `{where} --help`", err=True)
            raise typer.Exit(2) from None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on the closed pipe again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


app = typer.Typer(
    cls=_ErrorsAsMessages,
    name="tidings",
    help="Contract and consumer testing for domain events on SNS/SQS, with a local event simulator.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.add_typer(contracts_cmd.app, name="contracts")
app.command("play")(play_cmd.play)
app.add_typer(scenarios_cmd.app, name="scenarios")
app.add_typer(topology_cmd.app, name="topology")
app.add_typer(queue_cmd.app, name="queue")
app.command("emit")(emit_cmd.emit_command)
app.command("up")(up_cmd.up_command)
app.add_typer(pact_cmd.app, name="pact")
app.add_typer(asyncapi_cmd.app, name="asyncapi")
app.add_typer(docs_cmd.app, name="docs")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"tidings {version('tidings')}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Contract and consumer testing for domain events on SNS/SQS, with a local event simulator."""


def main() -> None:
    """Console-script entry point. Exits without finalising the interpreter: with boto3, moto and FastAPI
    loaded that took ~1 s after the last output (measured on `tidings play` against a `tidings up`), time in
    which a script waiting for the command saw nothing happen. Output streams and logging are flushed first;
    every command has stopped what it started before it returns."""
    import logging

    try:
        app()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if done.code is not None and not isinstance(done.code, int):
            sys.stderr.write(f"{done.code}\n")
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
