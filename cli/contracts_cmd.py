"""`tidings contracts …`: list, show, validate, lint, check."""

from __future__ import annotations

import typer

app = typer.Typer(help="Published event contracts: list, show, validate, lint, check.", no_args_is_help=True)
