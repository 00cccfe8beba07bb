"""`tidings pact lint|verify|states`: consumers' message pacts against the published contracts, statically and
by verification with the simulator playing the producer."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from tidings.contracts.errors import InputFileError, UsageError
from tidings.contracts.pact.check import InteractionCheck, check_pact
from tidings.contracts.pact.file import load_pact, pact_files
from tidings.contracts.pact.http_check import HttpInteractionCheck, check_http
from tidings.contracts.pact.model import PactFile
from tidings.contracts.registry.routed import CatalogView
from tidings.simulator.pact.junit import check_junit_target, write_junit
from tidings.simulator.pact.producers import api_catalog, producer_of, producers_of, providers_of
from tidings.simulator.pact.provider import BrokerOptions, VerificationReport, verify_pacts
from tidings.simulator.pact.states import ProviderStates, parse_state_options
from tidings.simulator.scenarios.loader import ScenarioLibrary

from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_catalog

__all__ = ["app"]

app = typer.Typer(
    help="Consumers' message pacts: lint them against the contracts, verify them with the simulator.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

_HTTP_PRODUCER = typer.Option(
    None,
    "--producer",
    metavar="P",
    help="With a registry: the producer whose business API the HTTP interactions call.",
)
_FIXTURES = typer.Option(
    None, "--fixtures", metavar="DIR", help="Folder with your own scenarios (DIR/scenarios or DIR)."
)
_STATES = typer.Option(
    None,
    "--state",
    metavar="STATE=SCENARIO",
    help="Provide a state by playing a scenario, besides the states scenarios declare with `provides:`. Repeatable.",
)
_JSON = typer.Option(False, "--json", help="Print JSON instead of text.")
AnyCheck = InteractionCheck | HttpInteractionCheck


def _console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False, soft_wrap=True)


@app.command("lint")
def lint_command(
    paths: list[Path] = typer.Argument(..., metavar="PACT_FILE_OR_DIR", help="Pact files, or folders of them."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    as_json: bool = _JSON,
    registry: Path | None = REGISTRY,
    producer: str | None = _HTTP_PRODUCER,
) -> None:
    """Check consumers' pacts against the contracts, statically: message interactions against the event
    contracts, HTTP interactions against the resources of the producer's API.

    Every field of each message (or 200 response body) must exist in the contract with a valid example value,
    and each matcher must fit the field's type (match.int on a string field is an error). Fields the contract
    marks optional are warnings: the producer may leave them out. An HTTP request must GET a path that maps to
    a declared resource template.

    With a registry (--registry DIR, or --contracts more than once), each message interaction is checked against
    the contract of the producer that emits its event type; HTTP interactions against --producer's resources.

    Exit code 0 when every interaction holds, 1 when any has an error, 2 when a file is not a V3/V4 pact.

    Example: [bold]tidings pact lint pacts/[/bold]
    """
    catalog = chosen_catalog(contracts, registry)
    loaded: list[tuple[Path, PactFile | InputFileError]] = []
    for path in pact_files(paths):
        try:
            loaded.append((path, load_pact(path)))
        except InputFileError as error:
            loaded.append((path, error))
    http = api_catalog(catalog, producer, [pact for _, pact in loaded if isinstance(pact, PactFile)])
    checks: dict[Path, list[InteractionCheck | HttpInteractionCheck]] = {
        path: [*check_pact(catalog, pact), *(check_http(http, pact) if http is not None else [])]
        for path, pact in loaded
        if isinstance(pact, PactFile)
    }
    all_checks = [check for found in checks.values() for check in found]
    bad_files = [error for _, error in loaded if isinstance(error, InputFileError)]
    if as_json:
        typer.echo(json.dumps(_lint_json(loaded, checks, catalog), indent=2, ensure_ascii=False))
    else:
        _render_lint(loaded, checks, catalog)
        failed = sum(1 for check in all_checks if not check.ok)
        warned = sum(1 for check in all_checks if check.ok and check.warnings)
        _console().print(
            f"{len(all_checks)} interaction(s) in {len(checks)} pact(s): "
            f"{len(all_checks) - failed - warned} OK, {warned} with warnings, {failed} failed"
            + (f"; {len(bad_files)} file(s) unreadable" if bad_files else "")
        )
    if bad_files:
        raise typer.Exit(2)
    if any(not check.ok for check in all_checks):
        raise typer.Exit(1)


def _render_lint(
    loaded: list[tuple[Path, PactFile | InputFileError]], checks: dict[Path, list[AnyCheck]], catalog: CatalogView
) -> None:
    console = _console()
    producers = producers_of(catalog)
    providers = providers_of(catalog)
    for path, pact in loaded:
        if isinstance(pact, InputFileError):
            console.print(f"[red]error[/red]: {escape(str(pact))}")
            continue
        console.print(
            f"{escape(str(path))}: {escape(pact.consumer)} → {escape(pact.provider)} "
            f"({pact.specification}, {len(pact.interactions)} message interaction(s)"
            + (f", {len(pact.http_interactions)} HTTP interaction(s))" if pact.http_interactions else ")")
        )
        if pact.provider not in providers:
            whose = "the catalogue's producer is" if len(producers) == 1 else "the registry's producers are"
            console.print(f"  [yellow]warning[/yellow]: {whose} {escape(', '.join(producers))}")
        for skipped in pact.skipped:
            console.print(f"  skipped (neither an asynchronous message nor HTTP): {escape(skipped)}")
        for check in checks[path]:
            status = (
                "[red]FAIL[/red]"
                if not check.ok
                else "[yellow]WARN[/yellow]"
                if check.warnings
                else "[green]OK[/green]"
            )
            console.print(
                f"  {status} {escape(repr(check.interaction.description))} → {escape(check.target)}"
                + _of_producer(catalog, check)
            )
            for finding in check.findings:
                colour = "red" if finding.severity == "error" else "yellow"
                text = f"{finding.pointer or '/'}: {finding.message}"
                console.print(f"      [{colour}]{finding.severity}[/{colour}] {escape(text)}")
                if finding.hint:
                    console.print(f"        {escape(finding.hint)}")


def _of_producer(catalog: CatalogView, check: AnyCheck) -> str:
    """` of P`: which producer's contract a message was checked against, when there are several."""
    if len(producers_of(catalog)) == 1 or not isinstance(check, InteractionCheck) or check.contract is None:
        return ""
    return f" of {escape(producer_of(catalog, check.contract.event_type))}"


def _lint_json(
    loaded: list[tuple[Path, PactFile | InputFileError]], checks: dict[Path, list[AnyCheck]], catalog: CatalogView
) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    for path, pact in loaded:
        if isinstance(pact, InputFileError):
            files.append({"path": str(path), "error": str(pact)})
        else:
            files.append(
                {
                    "path": str(path),
                    "consumer": pact.consumer,
                    "provider": pact.provider,
                    "specification": pact.specification,
                    "skipped": list(pact.skipped),
                    "interactions": [
                        {
                            **c.to_json(),
                            "producer": producer_of(catalog, c.contract.event_type) if c.contract else None,
                        }
                        for c in checks[path]
                        if isinstance(c, InteractionCheck)
                    ],
                    "httpInteractions": [c.to_json() for c in checks[path] if isinstance(c, HttpInteractionCheck)],
                }
            )
    all_checks = [check for found in checks.values() for check in found]
    ok = all(check.ok for check in all_checks) and all(isinstance(p, PactFile) for _, p in loaded)
    return {"ok": ok, "producer": catalog.producer, "producers": producers_of(catalog), "files": files}


@app.command("verify")
def verify_command(
    paths: list[Path] = typer.Argument(
        None, metavar="PACT_FILE_OR_DIR", help="Pact files, or folders of them (or use --broker-url)."
    ),
    contracts: list[Path] | None = CONTRACTS_MANY,
    fixtures: str | None = _FIXTURES,
    state_options: list[str] = _STATES,
    provider: str | None = typer.Option(
        None,
        "--provider",
        help="The provider whose pacts to verify (default: the catalogue's producer, or any of the registry's).",
    ),
    broker_url: str | None = typer.Option(
        None,
        "--broker-url",
        metavar="URL",
        help="Fetch pacts from a Pact Broker (credentials: PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD).",
    ),
    provider_version: str | None = typer.Option(
        None, "--provider-version", metavar="V", help="The provider version results are published for."
    ),
    branch: str | None = typer.Option(None, "--branch", metavar="B", help="The provider's branch (broker)."),
    publish: bool = typer.Option(False, "--publish", help="Publish the results to the broker."),
    junit: Path | None = typer.Option(None, "--junit", metavar="FILE", help="Also write the results as JUnit XML."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print pact's own report."),
    as_json: bool = _JSON,
    registry: Path | None = REGISTRY,
    producer: str | None = _HTTP_PRODUCER,
) -> None:
    """Verify consumers' pacts, the simulator playing the producer.

    For each interaction the simulator sets the provider states (scenarios that declare them with `provides:`,
    or --state). A message interaction gets the message the producer would publish (the contract's example
    refined by the states and their params, with the SNS metadata eventType and contentType); an HTTP
    interaction's request goes to the fake API, where the states' scenarios were played with the `given`
    params as scenario params. pact checks the consumer's matchers against what came back.

    Exit code 0 when every interaction passes, 1 when any fails, 2 for bad input (an HTTP interaction in a
    provider state nobody declared included).

    With a registry (--registry DIR, or --contracts more than once), each message is built by the catalogue of
    the producer that emits its event type; HTTP interactions go to --producer's fake API.

    Example: [bold]tidings pact verify pacts/ --junit reports/pact.xml[/bold]
    """
    catalog = chosen_catalog(contracts, registry)
    library = ScenarioLibrary.from_setting(fixtures)
    states = ProviderStates.from_scenarios(library, catalog, parse_state_options(state_options))
    broker = (
        BrokerOptions(broker_url, provider_version=provider_version, branch=branch, publish=publish)
        if broker_url
        else None
    )
    if broker is None and (publish or provider_version or branch):
        raise UsageError(
            "--publish, --provider-version and --branch need --broker-url",
            hint="verification results are published to a Pact Broker, e.g. --broker-url https://broker.example.com",
        )
    if junit is not None:
        check_junit_target(junit)  # before the verification, not after it
    report = verify_pacts(catalog, states, paths or [], broker=broker, provider=provider, api_producer=producer)
    if junit is not None:
        write_junit(report, junit)
    if as_json:
        typer.echo(json.dumps(_verify_json(report, states), indent=2, ensure_ascii=False))
    else:
        _render_verify(report, states, junit, verbose)
    if not report.ok:
        raise typer.Exit(1)


def _render_verify(report: VerificationReport, states: ProviderStates, junit: Path | None, verbose: bool) -> None:
    console = _console()
    if verbose:
        console.print(escape(report.output))
    console.print(
        f"verifying pacts of {escape(report.provider)}, the simulator playing the producer (the fake API for HTTP) "
        f"({len(states)} provider state(s) known)"
    )
    for problem in states.problems:
        console.print(f"  [yellow]warning[/yellow]: a scenario could not be loaded: {escape(problem)}")
    consumer = None
    for result in report.results:
        if result.consumer != consumer:
            consumer = result.consumer
            console.print(f"{escape(consumer)}:")
        given = f" [given {', '.join(result.states)}]" if result.states else ""
        target = f" → {result.event_type} v{result.version}" if result.event_type else ""
        if result.request:
            target = f" → {result.request}" + (f" ({result.resource})" if result.resource else "")
        status = "[green]PASS[/green]" if result.passed else "[red]FAIL[/red]"
        console.print(f"  {status} {escape(result.description + given + target)}")
        for mismatch in result.mismatches:
            for line in mismatch.splitlines():
                console.print(f"      {escape(line)}")
    for skipped in report.skipped:
        console.print(f"skipped: {escape(skipped)}")
    failed = len(report.failed)
    colour = "red" if failed else "green"
    console.print(
        f"[{colour}]{len(report.results)} interaction(s): {len(report.results) - failed} passed, "
        f"{failed} failed[/{colour}] in {report.seconds:.2f} s"
    )
    if junit is not None:
        console.print(f"JUnit XML: {escape(str(junit))}")


def _verify_json(report: VerificationReport, states: ProviderStates) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "provider": report.provider,
        "seconds": round(report.seconds, 3),
        "providerStates": states.names(),
        "results": [result.to_json() for result in report.results],
        "skipped": report.skipped,
    }


@app.command("states")
def states_command(
    fixtures: str | None = _FIXTURES,
    state_options: list[str] = _STATES,
    contracts: list[Path] | None = CONTRACTS_MANY,
    as_json: bool = _JSON,
    registry: Path | None = REGISTRY,
) -> None:
    """List the provider states `tidings pact verify` can set, and where each comes from.

    Example: [bold]tidings pact states --fixtures tests/fixtures[/bold]
    """
    catalog = chosen_catalog(contracts, registry)
    states = ProviderStates.from_scenarios(
        ScenarioLibrary.from_setting(fixtures), catalog, parse_state_options(state_options)
    )
    if as_json:
        typer.echo(json.dumps([{"state": s.name, "origin": s.origin} for s in states], indent=2))
        return
    console = _console()
    if not len(states):
        console.print(
            "no provider states: declare them with `provides: [...]` in a scenario, or --state 'NAME=SCENARIO'"
        )
    for state in sorted(states, key=lambda s: s.name):
        console.print(f"{escape(repr(state.name))}: {escape(state.origin)}")
    for problem in states.problems:
        console.print(f"[yellow]warning[/yellow]: a scenario could not be loaded: {escape(problem)}")
