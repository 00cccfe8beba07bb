"""`tidings scenarios list|show|validate`: the scenarios a user can play, what they do, and whether they can."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tidings.contracts.catalog.safe_read import read_file_bytes
from tidings.contracts.errors import CheckFailed, InputFileError, TidingsError, UsageError
from tidings.simulator.scenarios.clock import format_offset
from tidings.simulator.scenarios.loader import ScenarioLibrary, ScenarioNotFound, shipped_scenarios_dir
from tidings.simulator.scenarios.model import EmitStep, Scenario, ScenarioError
from tidings.simulator.scenarios.params import parse_param_options
from tidings.simulator.scenarios.plan import Plan
from tidings.simulator.scenarios.templates import Template

from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_catalog

__all__ = ["app"]

app = typer.Typer(help="Scenarios: list, show, validate. Play one with `tidings play NAME`.", no_args_is_help=True)

_FIXTURES = typer.Option(None, "--fixtures", help="Folder with your own scenarios (DIR/scenarios or DIR).")


@app.command("list")
def list_scenarios(
    fixtures: str | None = _FIXTURES,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the scenarios (shipped, and yours from --fixtures).

    Example: tidings scenarios list --fixtures tests/fixtures
    """
    library = ScenarioLibrary.from_setting(fixtures)
    rows: list[dict[str, Any]] = []
    for item in library.load_all():
        if isinstance(item, Scenario):
            rows.append(
                {
                    "name": item.name,
                    "description": item.description,
                    "params": list(item.params),
                    "source": _source(item.path),
                }
            )
        else:
            rows.append({"name": "?", "description": f"cannot load: {item}", "params": [], "source": ""})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        raise typer.Exit(0)
    table = Table("name", "description", "params", "source")
    for row in rows:
        table.add_row(row["name"], row["description"], ", ".join(row["params"]), row["source"])
    Console().print(table)
    raise typer.Exit(0)


@app.command("show")
def show(
    name: str = typer.Argument(..., help="Scenario name."),
    fixtures: str | None = _FIXTURES,
) -> None:
    """Show a scenario: the pact provider states it provides, its parameters and its steps, includes expanded.

    Example: tidings scenarios show referral-lifecycle
    """
    scenario = ScenarioLibrary.from_setting(fixtures).load(name)
    console = Console(highlight=False)
    console.print(f"[bold]{scenario.name}[/bold]  ({escape(str(scenario.path))})\n{escape(scenario.description)}\n")
    if scenario.provides:
        console.print("provides (pact provider states, for `tidings pact verify`):")
        for state in scenario.provides:
            console.print(f"  {escape(repr(state))}")
        console.print()
    params = Table("param", "type", "default", "description", title="params", title_justify="left")
    for param in scenario.params.values():
        default = "(required)" if param.required else _text(param.default)
        params.add_row(param.name, param.type, default, param.description)
    console.print(params)
    steps = Table("step", "emits", "after", "repeat", "faults", title="steps", title_justify="left")
    _add_steps(steps, scenario, "")
    console.print(steps)
    if scenario.faults:
        console.print(f"scenario faults: {scenario.faults}")
    raise typer.Exit(0)


def _add_steps(table: Table, scenario: Scenario, indent: str) -> None:
    for step in scenario.steps:
        after = format_offset(step.after) if step.after else ""
        repeat = _text(step.repeat) if step.repeat is not None else ""
        faults = str(step.faults) if step.faults else ""
        if isinstance(step, EmitStep):
            table.add_row(f"{indent}{step.label}", step.event_type, after, repeat, faults)
        else:
            note = f" (interleave {step.interleave})" if step.interleave > 1 else ""
            table.add_row(f"{indent}{step.label}", f"include {step.scenario.name}{note}", after, repeat, faults)
            _add_steps(table, step.scenario, indent + "  ")


@app.command("validate")
def validate(
    names: list[str] = typer.Argument(None, help="Scenario names or .yaml files (default: every scenario)."),
    param: list[str] = typer.Option(None, "--param", "-p", help="NAME=VALUE for a scenario parameter; repeatable."),
    seed: int = typer.Option(1, "--seed", help="Seed for generated values."),
    fixtures: str | None = _FIXTURES,
    contracts: list[Path] | None = CONTRACTS_MANY,
    registry: Path | None = REGISTRY,
) -> None:
    """Resolve scenarios without publishing and validate every event against its contract. Exit 1 if any
    scenario cannot be played (each problem with file:line, step and JSON pointer). Over a registry
    (--registry DIR, or several --contracts DIR) each event is checked against its producer's contract.

    Example: tidings scenarios validate referral-lifecycle --param crn=X123456
    """
    catalog = chosen_catalog(contracts, registry)
    library = ScenarioLibrary.from_setting(fixtures)
    given = parse_param_options(param)
    failures = 0
    targets = names or library.names()
    known: set[str] = set()
    for target in targets:
        is_file = target.endswith((".yaml", ".yml"))
        if is_file:
            read_file_bytes(Path(target))  # a file that is not there is bad usage (exit 2), not a failed check
        try:
            scenario = library.load_path(Path(target)) if is_file else library.load(target)
            known.update(scenario.params)
            # One scenario named: its params exactly as `play` takes them (an unknown one is refused alike).
            params = given if len(targets) == 1 else {k: v for k, v in given.items() if k in scenario.params}
            total = Plan(scenario, catalog, params=params, seed=seed).preflight()  # the whole plan, every event
            typer.echo(f"ok    {scenario.name}: {total} events")
        except ScenarioNotFound:
            raise  # a name that is not a scenario is bad usage (exit 2), not a failed check
        except InputFileError as error:
            if is_file and error.path == str(Path(target)) and not isinstance(error, ScenarioError):
                raise  # the named file itself cannot be read or parsed: bad input (exit 2)
            failures += 1
            typer.echo(f"FAIL  {target}: {error}", err=True)
        except TidingsError as error:
            failures += 1
            typer.echo(f"FAIL  {target}: {error}", err=True)
    unknown = sorted(set(given) - known)
    if unknown and len(targets) > 1:
        raise UsageError(
            f"--param {unknown[0]} is not a parameter of any of these scenarios",
            hint="see `tidings scenarios show NAME`",
        )
    if failures:
        raise CheckFailed(f"{failures} scenario(s) cannot be played")
    raise typer.Exit(0)


def _source(path: Path) -> str:
    return "shipped" if path.parent == shipped_scenarios_dir() else str(path)


def _text(value: Any) -> str:
    return value.source if isinstance(value, Template) else str(value)
