"""`tidings topology …`: apply a topology to an engine (idempotently), show what the engine holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from .engine_options import ENDPOINT, ENGINE, JSON, TOPOLOGY, connect, console, print_json

if TYPE_CHECKING:
    from tidings.simulator.topology import EngineState

__all__ = ["app"]

app = typer.Typer(
    help="Topics, queues and subscriptions as code: apply, show.", no_args_is_help=True, rich_markup_mode="rich"
)


@app.command("apply")
def apply_command(
    topology: Path | None = TOPOLOGY,
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Create what the topology declares and correct what differs; running it twice changes nothing.
    Nothing is ever deleted.

    Example: [bold]tidings topology apply --endpoint http://localhost:4566[/bold]
    """
    from tidings.simulator.topology import Topology, apply_topology

    declared = Topology.load(topology)
    with connect(engine, endpoint) as running:
        applied = apply_topology(running, declared)
    if as_json:
        print_json(
            {
                "topology": declared.source,
                "changes": applied.changes,
                "topicArns": applied.topic_arns,
                "queueUrls": applied.queue_urls,
            }
        )
        return
    out = console()
    out.print(f"topology {escape(declared.source)} on the {escape(running.description)}")
    for change in applied.changes:
        out.print(f"  [green]{escape(change)}[/green]")
    if not applied.changes:
        out.print("  already up to date: nothing changed")
    for name, arn in applied.topic_arns.items():
        out.print(f"topic {escape(name)}: {escape(arn)}")
    for name, url in applied.queue_urls.items():
        out.print(f"queue {escape(name)}: {escape(url)}")


@app.command("show")
def show_command(
    topology: Path | None = TOPOLOGY,
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Show every topic (with its subscriptions) and queue (with its depth and dead-letter queue) on the engine,
    and what the topology declares that the engine lacks.

    Example: [bold]tidings topology show[/bold]
    """
    from tidings.simulator.topology import Topology, read_state

    declared = Topology.load(topology)
    with connect(engine, endpoint) as running:
        state = read_state(running, declared)
    if as_json:
        print_json(_state_json(state))
    else:
        _render(state, running.description)


def _render(state: EngineState, where: str) -> None:
    out = console()
    topics = Table(title=escape(f"topics on the {where}"), title_justify="left")
    for column in ("topic", "subscribed queue", "raw delivery", "filter"):
        topics.add_column(column)
    for topic in state.topics:
        subscriptions = topic.subscriptions or ()
        if not subscriptions:
            topics.add_row(escape(topic.name), "-", "", "")
        for subscription in subscriptions:
            policy = _policy_text(subscription.filter_policy, subscription.filter_scope)
            target = subscription.queue if subscription.protocol == "sqs" else subscription.endpoint
            topics.add_row(escape(topic.name), escape(target), "yes" if subscription.raw_delivery else "no", policy)
    out.print(topics)
    queues = Table(title=escape(f"queues on the {where}"), title_justify="left")
    for column, justify in (("queue", "left"), ("visible", "right"), ("in flight", "right"), ("delayed", "right")):
        queues.add_column(column, justify=justify)  # type: ignore[arg-type]
    queues.add_column("dead-letter queue")
    for queue in state.queues:
        dlq = f"{queue.dead_letter_queue} after {queue.max_receive_count} receives" if queue.dead_letter_queue else ""
        queues.add_row(escape(queue.name), str(queue.visible), str(queue.in_flight), str(queue.delayed), escape(dlq))
    out.print(queues)
    for missing in state.missing:
        out.print(f"[red]missing[/red]: {escape(missing)} (declared in the topology) - run `tidings topology apply`")


def _policy_text(policy: dict[str, Any] | None, scope: str) -> str:
    if not policy:
        return "(none: everything)"
    where = "body" if scope == "MessageBody" else "attributes"
    return escape(f"{where}: {json.dumps(policy, separators=(',', ':'))}")


def _state_json(state: EngineState) -> dict[str, Any]:
    return {
        "topics": [
            {
                "name": topic.name,
                "arn": topic.arn,
                "declared": topic.declared,
                "subscriptions": [
                    {
                        "protocol": s.protocol,
                        "endpoint": s.endpoint,
                        "rawDelivery": s.raw_delivery,
                        "filterPolicy": s.filter_policy,
                        "filterPolicyScope": s.filter_scope,
                    }
                    for s in topic.subscriptions
                ],
            }
            for topic in state.topics
        ],
        "queues": [
            {
                "name": queue.name,
                "url": queue.url,
                "declared": queue.declared,
                "visible": queue.visible,
                "inFlight": queue.in_flight,
                "delayed": queue.delayed,
                "deadLetterQueue": queue.dead_letter_queue,
                "maxReceiveCount": queue.max_receive_count,
            }
            for queue in state.queues
        ],
        "missing": list(state.missing),
    }
