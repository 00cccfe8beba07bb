"""`tidings queue …`: look into a queue and move its messages: peek, receive, drain, tail, purge, dlq, redrive."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from .engine_options import ALLOW_REMOTE, ENDPOINT, ENGINE, JSON, connect, console, print_json

if TYPE_CHECKING:
    from tidings.simulator.engine.queues import QueueMessage

__all__ = ["app"]

app = typer.Typer(
    help="Look into queues: peek, receive, drain, tail, purge, dlq, redrive. Messages are decoded: eventType, "
    "occurredAt, CRN, detailUrl, MessageId.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

_NAME = typer.Argument(..., metavar="QUEUE", help="Queue name (or URL), e.g. intervention-events.")
_LIMIT = typer.Option(10, "--limit", "-n", min=1, help="At most this many messages.")


@app.command("peek")
def peek_command(
    queue: str = _NAME,
    limit: int = _LIMIT,
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Show messages without consuming them (received with visibility timeout 0). SQS still counts each
    receive towards the queue's maxReceiveCount.

    Example: [bold]tidings queue peek intervention-events[/bold]
    """
    from tidings.simulator.engine.queues import QueueTools

    with connect(engine, endpoint, queue=queue) as running:
        _show(QueueTools(running).peek(queue, limit), as_json, f"{queue} (peeked, not consumed)")


@app.command("receive")
def receive_command(
    queue: str = _NAME,
    limit: int = _LIMIT,
    wait: int = typer.Option(0, "--wait", min=0, max=20, help="Long-poll up to this many seconds."),
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Receive and delete up to --limit messages.

    Example: [bold]tidings queue receive intervention-events -n 1 --wait 5[/bold]
    """
    from tidings.simulator.engine.queues import QueueTools

    with connect(engine, endpoint, queue=queue) as running:
        _show(QueueTools(running).receive(queue, limit, wait=wait), as_json, f"{queue} (received and deleted)")


@app.command("drain")
def drain_command(
    queue: str = _NAME, engine: str | None = ENGINE, endpoint: str | None = ENDPOINT, as_json: bool = JSON
) -> None:
    """Receive and delete every message until the queue is empty.

    Example: [bold]tidings queue drain intervention-events[/bold]
    """
    from tidings.simulator.engine.queues import QueueTools

    with connect(engine, endpoint, queue=queue) as running:
        _show(QueueTools(running).drain(queue), as_json, f"{queue} (drained)")


@app.command("tail")
def tail_command(
    queue: str = _NAME,
    keep: bool = typer.Option(False, "--keep", help="Do not delete: messages go back to the queue."),
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object a line."),
) -> None:
    """Follow new messages live until Ctrl-C. They are consumed (deleted) unless --keep.

    Example: [bold]tidings queue tail intervention-events[/bold]
    """
    from tidings.simulator.engine.queues import QueueTools

    with connect(engine, endpoint, queue=queue) as running:
        out = console()
        if not as_json:
            out.print(f"following {escape(queue)} on the {escape(running.description)} - Ctrl-C to stop")
        try:
            for message in QueueTools(running).tail(queue, keep=keep):
                if as_json:
                    typer.echo(json.dumps(message.to_json(), ensure_ascii=False, default=str))
                else:
                    out.print(_line(message))
        except KeyboardInterrupt:
            pass


@app.command("purge")
def purge_command(
    queue: str = _NAME, allow_remote: bool = ALLOW_REMOTE, engine: str | None = ENGINE, endpoint: str | None = ENDPOINT
) -> None:
    """Delete every message in the queue (refused on a remote engine without --allow-remote).

    Example: [bold]tidings queue purge intervention-events[/bold]
    """
    from tidings.simulator.engine.queues import QueueTools

    with connect(engine, endpoint, queue=queue, destructive=f"purge {queue}", allow_remote=allow_remote) as running:
        QueueTools(running).purge(queue, allow_remote=allow_remote)
    typer.echo(f"purged {queue}")


@app.command("dlq")
def dlq_command(
    queue: str = _NAME,
    limit: int = _LIMIT,
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """List the messages in the queue's dead-letter queue (peeked, not consumed).

    Example: [bold]tidings queue dlq intervention-events[/bold]
    """
    from tidings.simulator.engine.queues import QueueTools

    with connect(engine, endpoint, queue=queue) as running:
        tools = QueueTools(running)
        dlq = tools.dead_letter_queue(queue)
        _show(tools.peek(dlq, limit), as_json, f"{dlq} (dead-letter queue of {queue})")


@app.command("redrive")
def redrive_command(
    queue: str = _NAME,
    allow_remote: bool = ALLOW_REMOTE,
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Move the messages of the queue's dead-letter queue back into the queue (StartMessageMoveTask where the
    engine has it, else receive-send-delete). Refused on a remote engine without --allow-remote.

    Example: [bold]tidings queue redrive intervention-events[/bold]
    """
    from tidings.simulator.engine.queues import QueueTools

    with connect(engine, endpoint, queue=queue, destructive=f"redrive {queue}", allow_remote=allow_remote) as running:
        result = QueueTools(running).redrive(queue, allow_remote=allow_remote)
    if as_json:
        print_json({"moved": result.moved, "from": result.source, "to": result.destination, "method": result.method})
    else:
        typer.echo(f"moved {result.moved} message(s) from {result.source} to {result.destination} ({result.method})")


def _show(messages: list[QueueMessage], as_json: bool, title: str) -> None:
    if as_json:
        print_json([message.to_json() for message in messages])
        return
    out = console()
    if not messages:
        out.print(f"{escape(title)}: no messages")
        return
    table = Table(title=escape(title), title_justify="left")
    for column in ("MessageId", "eventType", "occurredAt", "CRN", "detailUrl", "receives"):
        table.add_column(column, no_wrap=column in ("MessageId", "eventType"))
    for message in messages:
        table.add_row(*(escape(cell) for cell in _cells(message)))
    out.print(table)


def _cells(message: QueueMessage) -> list[str]:
    if message.event is None:
        what = f"(not an event: {message.problem})"
        return [message.sns_message_id or message.message_id, message.event_type or "-", what, "", "", _count(message)]
    return [
        message.sns_message_id or message.message_id,
        message.event_type or "-",
        message.occurred_at or "-",
        message.crn or "-",
        message.detail_url or "-",
        _count(message),
    ]


def _count(message: QueueMessage) -> str:
    return str(message.receive_count) if message.receive_count is not None else ""


def _line(message: QueueMessage) -> str:
    return "  ".join(escape(cell) for cell in _cells(message) if cell)
