"""Output shared by the command modules: a console that writes to the current stdout, and JSON as printed."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console

__all__ = ["console", "print_json"]


def console() -> Console:
    """A console made per command, so it writes to the current stdout (CliRunner swaps it). Off a terminal, a
    wide fixed width keeps long event types on one line in logs and pipes."""
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
