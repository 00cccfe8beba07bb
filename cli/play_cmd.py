"""`tidings play SCENARIO`: play a scenario on an engine, with faults, and show the timeline and a summary."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tidings.contracts.errors import TidingsError
from tidings.simulator.engine.targets import refuse_remote
from tidings.simulator.runs.events import RunFinished, RunStarted, to_json
from tidings.simulator.runs.player import PlayOptions
from tidings.simulator.runs.timeline import Timeline
from tidings.simulator.scenarios.clock import format_offset, parse_start
from tidings.simulator.scenarios.faults import FaultSet
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.params import parse_param_options
from tidings.simulator.scenarios.plan import Plan
from tidings.simulator.session import play_session

from .engine_options import ENDPOINT, STRICT, TOPOLOGY
from .play_progress import RunProgress, settles
from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_catalog

__all__ = ["play"]

_PROGRESS_FROM = 200  # events: shorter runs finish before a bar would say anything


def play(
    scenario: str = typer.Argument(..., help="Scenario name (`tidings scenarios list`)."),
    param: list[str] = typer.Option(None, "--param", "-p", help="NAME=VALUE for a scenario parameter; repeatable."),
    fault: list[str] = typer.Option(
        None,
        "--fault",
        "-f",
        help="redeliver=0.2, republish=0.2 (alias duplicate), reorder=5, delay=0-3s, drop=0.1, "
        "poison=0.05[:malformed|invalid|unknown-version|unknown-type], api-lag=2s, api-error=0.2, api-slow=0-500ms; "
        "repeatable.",
    ),
    seed: int | None = typer.Option(None, "--seed", help="Replay exactly: same generated values, same faults."),
    start_at: str | None = typer.Option(
        None,
        "--start-at",
        metavar="ISO",
        help="Simulated time starts here (2024-01-01T09:00Z); with --seed, the same events byte for byte. Default: "
        "the scenario's start_at, else placed so its last event is now (no occurredAt in the future).",
    ),
    skip: int = typer.Option(
        0,
        "--from",
        metavar="N",
        min=0,
        help="Resume: skip the plan's first N events and publish the rest (with the --seed and --start-at of the "
        "run that stopped, these are exactly the events it did not publish; its error says the whole command).",
    ),
    speed: float | None = typer.Option(
        None, "--speed", help="Play simulated delays at this many times real time (60: a minute a second)."
    ),
    no_wait: bool = typer.Option(
        False, "--no-wait", help="Do not wait for simulated delays (the default); they still set occurredAt."
    ),
    engine: str | None = typer.Option(
        None,
        "--engine",
        metavar="KIND",
        help="embedded (default: an engine and the fake API in this process), localstack (a running one) or aws.",
    ),
    endpoint: str | None = ENDPOINT,
    fixtures: str | None = typer.Option(None, "--fixtures", help="Folder with your own scenarios (DIR/scenarios)."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    registry: Path | None = REGISTRY,
    topology: str | None = TOPOLOGY,
    api_port: int = typer.Option(
        0, "--api-port", min=0, max=65535, help="Port of the in-process fake API (0: a free one)."
    ),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        metavar="URL",
        help="The fake API that gets the scenario's state and that detailUrls point at (default: TIDINGS_API_URL, "
        "else the one of the `tidings up` running the engine, else one this command serves).",
    ),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow faults on an engine not on this machine."),
    delivery_timeout: float = typer.Option(10.0, "--delivery-timeout", help="Seconds to wait for queues to fill."),
    until_consumed: list[str] = typer.Option(
        None,
        "--until-consumed",
        metavar="QUEUE",
        help="After delivery, wait until QUEUE's consumer has taken everything (nothing visible or in flight); "
        "exit 1 listing what is left after --delivery-timeout. Repeatable.",
    ),
    taps: bool | None = typer.Option(
        None,
        "--taps/--no-taps",
        help="Count deliveries with tap queues of tidings' own beside each subscribed queue (default on a local "
        "engine; on AWS only with --taps: they are resources in your account), else infer them from depths.",
    ),
    rows: int = typer.Option(60, "--rows", min=1, help="Timeline rows to show (the first and last half of them)."),
    as_json: bool = typer.Option(False, "--json", help="Print each run event as one JSON line instead."),
    strict: bool = STRICT,
) -> None:
    """Play a scenario: publish its events (validated first: nothing is half-played), inject faults, wait for
    the queues, and print the timeline and a summary.

    With no engine configured, an embedded engine and the fake API start in-process; the events' detailUrls
    point at that fake API, which shows state consistent with them. Over a registry (--registry DIR, or several
    --contracts DIR) each event is validated by its producer's contract and its detailUrl is on that producer's
    base path of the one fake API.

    Example: tidings play referral-lifecycle --param crn=X123456 --fault duplicate=0.2 --seed 7
    """
    if speed is not None and no_wait:
        raise typer.BadParameter("choose --speed X or --no-wait, not both", param_hint="--speed")
    faults = FaultSet.parse(fault or [])
    catalog = chosen_catalog(contracts, registry)
    library = ScenarioLibrary.from_setting(fixtures)
    loaded = library.load(scenario)
    given = parse_param_options(param)
    start = parse_start(start_at) if start_at is not None else None
    checked = Plan(loaded, catalog, params=given, seed=seed, start=start, skip=skip)
    checked.preflight()  # every mistake reported before an engine starts
    options = PlayOptions(faults, speed, delivery_timeout=delivery_timeout, allow_remote=allow_remote)
    if faults or loaded.declares_faults():  # refused before anything connects to a remote engine
        which = str(loaded.faults.overridden_by(faults)) if faults else "those the scenario declares"
        refuse_remote(engine, endpoint, f"inject faults ({which})", allow_remote=allow_remote)
    with play_session(
        catalog,
        library,
        engine_kind=engine,
        endpoint=endpoint,
        topology=topology,
        api_port=api_port,
        api_url=api_url,
        strict=strict,
    ) as session:
        typer.echo(f"{session.engine.banner}\n{session.api_source}", err=as_json)
        observe = taps if taps is not None else session.engine.kind != "aws"
        options = replace(options, observe=observe)
        plan = Plan(
            loaded,
            catalog,
            params=given,
            seed=checked.seed,
            base_url=session.player.base_url,
            start=checked.start,
            skip=skip,
        )
        events = RunProgress(session.player.play(plan, options))
        try:
            if as_json:
                for event in events:
                    sys.stdout.write(json.dumps(to_json(event)) + "\n")
                    sys.stdout.flush()
            else:
                _render(events, rows)
        except KeyboardInterrupt:  # Ctrl-C: stop publishing, say what went out, exit 130 as shells expect
            events.close()
            typer.echo(f"interrupted: {events.said()}; nothing more will be published by this run", err=True)
            if events.started is not None:
                typer.echo(f"hint: {events.resume_hint(sys.argv[1:])}", err=True)
            raise typer.Exit(130) from None
        except _mid_run_errors() as error:
            if events.started is None:  # refused before the first publish: the error as it is
                raise
            # Mid-run (the engine or its fake API gone): what was published, and the command for the rest.
            raise events.stopped(error, sys.argv[1:]) from None
        if until_consumed:
            from tidings.simulator.engine.consumed import wait_until_all_consumed
            from tidings.simulator.engine.queues import QueueTools

            wait_until_all_consumed(QueueTools(session.engine), until_consumed, delivery_timeout)
            typer.echo(f"consumed: {', '.join(until_consumed)}", err=as_json)
    raise typer.Exit(0)


def _mid_run_errors() -> tuple[type[Exception], ...]:
    """What can stop a run once it publishes: tidings' own errors (a publish the engine refused, a fake API gone)
    and the AWS SDK's (a queue the engine no longer answers for). Evaluated only when something is raised, so
    botocore stays out of every other command's start-up."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (TidingsError, BotoCoreError, ClientError)


def _render(events: object, rows: int) -> None:
    # Piped output (CI logs) gets a wide table rather than rich's 80-column default, unless COLUMNS says.
    wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
    console = Console(highlight=False, width=wide)
    timeline = Timeline(keep=max(1, rows // 2))
    progress: Progress | None = None
    task = None
    try:
        for event in events:  # type: ignore[attr-defined]
            timeline.add(event)
            if isinstance(event, RunStarted):
                console.print(_header(event))
                if event.total_events >= _PROGRESS_FROM and console.is_terminal:
                    progress = Progress(
                        TextColumn("publishing"),
                        BarColumn(),
                        MofNCompleteColumn(),
                        TimeElapsedColumn(),
                        console=console,
                    )
                    progress.start()
                    task = progress.add_task("publish", total=event.total_events)
            elif progress is not None and task is not None and settles(event) is not None:
                progress.advance(task)
    finally:  # a run that stops (Ctrl-C, the engine gone) leaves the terminal as it found it
        if progress is not None:
            progress.stop()
    console.print(_table(timeline, console.width))
    _summary(console, timeline)


def _header(started: RunStarted) -> str:
    params = ", ".join(f"{k}={v}" for k, v in started.params.items())
    pace = f"at {started.speed:g}x real time" if started.speed else "--no-wait (simulated delays not waited for)"
    return (
        f"[bold]{started.scenario}[/bold]  seed {started.seed}  {started.total_events} events{_resumed(started)}  "
        f"faults: {started.faults}\n"
        f"params: {params or 'none'}  {pace}\n"
        f"start {started.start.isoformat()} (replay: --seed {started.seed} --start-at {started.start.isoformat()})"
    )


def _resumed(started: RunStarted | None) -> str:
    if started is None or not started.resumed_from:
        return ""
    whole = started.resumed_from + started.total_events
    return f" (resumed from event {started.resumed_from:,}: the rest of {whole:,})"


def _table(timeline: Timeline, width: int) -> Table:
    # Narrow terminals get short MessageIds (like short git hashes) and, narrower still, no queues column and
    # event types without their producer prefix; --json always has everything in full.
    short_ids, compact = width < 150, width < 120
    columns = ["time", "step", "eventType", "CRN", "MessageId", "fault"] + ([] if compact else ["queues"])
    title = "timeline" + (" (MessageIds shortened: --json has them in full)" if short_ids else "")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in ("time", "CRN", "MessageId"))
    for index, row in enumerate(timeline.rows):
        if index == timeline.head_count and timeline.omitted:
            table.add_row("…", f"{timeline.omitted} more rows", *[""] * (len(columns) - 2))
        style = "red" if row.fault and row.fault.split(":")[0] in ("drop", "poison") else None
        message_id = row.message_id or "—"
        cells = [
            row.time,
            row.step.split(":", 1)[-1] if compact else row.step,
            row.event_type.split(".", 1)[-1] if compact else row.event_type,
            row.crn or "",
            message_id[:8] if short_ids else message_id,
            row.fault or "",
        ]
        if not compact:
            cells.append(", ".join(row.queues))
        table.add_row(*cells, style=style)
    return table


def _summary(console: Console, timeline: Timeline) -> None:
    finished: RunFinished | None = timeline.finished
    if finished is None:
        return
    summary = finished.summary
    faults = ", ".join(f"{kind} {count}" for kind, count in sorted(summary.faults.items())) or "none"
    console.print(
        f"emitted {summary.emitted} events{_resumed(timeline.started)}, published {summary.published} messages in "
        f"{summary.wall_seconds:.2f}s (simulated time {format_offset(summary.simulated)}); faults: {faults}"
    )
    for check in timeline.deliveries:
        mark = "✓" if check.complete else "✗"
        console.print(f"  {mark} {check.queue}: delivered {check.received} of {check.expected} expected")
    if not summary.delivery_complete:
        console.print(
            "[yellow]warning: not every queue received what its filter admits within --delivery-timeout "
            "(a consumer draining it, an engine delivering late, or a filter tidings cannot evaluate)[/yellow]"
        )
