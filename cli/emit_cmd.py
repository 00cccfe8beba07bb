"""`tidings emit`: publish one event, built from its contract (or read from a file), validated first."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from tidings.contracts.catalog.files import read_data_file
from tidings.contracts.errors import InputFileError, UsageError
from tidings.contracts.registry.routed import producer_paths

from .engine_options import ENDPOINT, ENGINE, JSON, TOPOLOGY, connect, console, print_json
from .registry_options import CONTRACTS_MANY, REGISTRY, chosen_catalog

__all__ = ["emit_command", "parse_assignment"]


def emit_command(
    event_type: str | None = typer.Argument(None, metavar="EVENT_TYPE", help="e.g. intervention.referral.sent"),
    assignments: list[str] | None = typer.Option(
        None,
        "--set",
        metavar="KEY=VALUE",
        help="Set a field: dotted path = text, or KEY:=JSON for numbers, objects...; crn=X123456 sets the CRN.",
    ),
    file: Path | None = typer.Option(None, "--file", metavar="FILE", help="Publish this event JSON (still validated)."),
    version: int | None = typer.Option(None, "--version", metavar="N", help="Contract version (default: latest)."),
    topic: str | None = typer.Option(None, "--topic", metavar="NAME", help="Topic (default: the catalogue's)."),
    contracts: list[Path] | None = CONTRACTS_MANY,
    registry: Path | None = REGISTRY,
    base_url: str | None = typer.Option(
        None, "--base-url", metavar="URL", help="Base of detailUrl, with no fake API state (a real API)."
    ),
    api_url: str | None = typer.Option(
        None,
        "--api-url",
        metavar="URL",
        help="The fake API that gets the event's state and that detailUrl points at (default: TIDINGS_API_URL, "
        "else the one of the `tidings up` running the engine).",
    ),
    topology: Path | None = TOPOLOGY,
    engine: str | None = ENGINE,
    endpoint: str | None = ENDPOINT,
    as_json: bool = JSON,
) -> None:
    """Publish one event and print its MessageId and the subscribed queues it was delivered to.

    The event is the contract's example with your --set values (or --file), validated against the contract
    before anything is sent. Over a registry (--registry DIR, or several --contracts DIR) the event goes by its
    eventType to its producer's contract, and its detailUrl onto that producer's base path of the fake API.

    Example: [bold]tidings emit intervention.referral.sent --set crn=X123456[/bold]
    """
    from tidings.simulator.engine.publisher import Publisher
    from tidings.simulator.runs.delivery import DeliveryTracker
    from tidings.simulator.state_target import resolve_state_target
    from tidings.simulator.topology import Topology, apply_topology, find_topic_arn

    catalog = chosen_catalog(contracts, registry)
    overrides = dict(parse_assignment(text) for text in assignments or [])
    event: dict[str, Any] | None = None
    if file is not None:
        event = _read_event(file)
        if event_type is not None and event.get("eventType") != event_type:
            raise UsageError(f"{file} holds a {event.get('eventType')!r} event, not {event_type!r}")
        for key, value in overrides.items():
            _set_path(event, key, value)
    elif event_type is None:
        raise UsageError("say which event to emit", hint="tidings emit intervention.referral.sent (or --file FILE)")
    else:
        catalog.get(event_type, version)  # an event type no producer emits: one error line before any engine
    with connect(engine, endpoint) as running:
        # Events point at the fake API that gets their state: --api-url, TIDINGS_API_URL, the `tidings up`'s own.
        needs = producer_paths(catalog)
        embedded = running.kind == "embedded"
        target = None if base_url else resolve_state_target(running, api_url, named_only=embedded, producers=needs)
        fake_api = target.state if target is not None else None
        base_url = target.base_url if target is not None else base_url
        if target is not None:
            typer.echo(target.banner, err=True)
        if event is None:
            assert event_type is not None
            event = catalog.example(event_type, version=version, base_url=base_url, **overrides)
            if "occurredAt" not in overrides:  # a producer stamps when it publishes, not the example's date
                event["occurredAt"] = datetime.now(UTC).replace(microsecond=0).isoformat()
        if running.kind == "embedded":  # a throwaway engine: give it the topology first
            apply_topology(running, Topology.load(topology))
        topic_arn = find_topic_arn(running, topic or catalog.topic)
        publisher = Publisher(running, catalog, topic_arn, base_url=base_url)
        if fake_api is not None:
            # The producer commits, then publishes: a consumer following the detailUrl must find the data.
            publisher.validate(event)
            fake_api.apply(event)
            fake_api.flush()
        published = publisher.publish(event)
        tracker = DeliveryTracker.from_engine(running, topic_arn)
        delivered = tracker.queues_for(published.event_type or "", event)
        subscribed = tracker.queues
    not_delivered = [q for q in subscribed if delivered is not None and q not in delivered]
    if as_json:
        print_json(
            {
                "messageId": published.message_id,
                "eventType": published.event_type,
                "version": event.get("version"),
                "topicArn": topic_arn,
                "requestId": published.tracking_id,
                "traceparent": published.traceparent,
                "deliveredTo": list(delivered) if delivered is not None else None,
                "notDeliveredTo": not_delivered,
                "event": event,
            }
        )
        return
    out = console()
    out.print(f"published {escape(str(published.event_type))} v{event.get('version')} to {escape(topic_arn)}")
    out.print(f"  MessageId    {published.message_id}")
    out.print(f"  requestId    {published.tracking_id}")
    out.print(f"  traceparent  {published.traceparent}")
    if delivered is None:
        out.print(f"  delivered to one or more of: {escape(', '.join(subscribed))} (a filter tidings cannot evaluate)")
    else:
        out.print(f"  delivered to {escape(', '.join(delivered)) if delivered else 'no queue'}")
    if not_delivered:
        out.print(f"  not delivered to {escape(', '.join(not_delivered))} (their filter policies do not match)")


def parse_assignment(text: str) -> tuple[str, Any]:
    """`key=value` (text) or `key:=json` (a JSON value) from one --set."""
    key, separator, value = text.partition("=")
    if not separator or not key.rstrip(":"):
        raise UsageError(f"--set {text!r} is not KEY=VALUE", hint="e.g. --set crn=X123456 or --set version:=2")
    if key.endswith(":"):
        try:
            return key[:-1], json.loads(value)
        except ValueError as error:
            raise UsageError(f"--set {text!r}: the value after := is not JSON: {error}") from None
    return key, value


def _read_event(path: Path) -> dict[str, Any]:
    data = read_data_file(path)
    if not isinstance(data, dict):
        raise InputFileError(path, "an event is a JSON object", line=1, hint="wrap the event in { }")
    return data


def _set_path(event: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `a.b.0.c` inside an event read from a file (numbers index lists); `crn` sets the person's CRN."""
    if dotted == "crn":
        event["personReference"] = {"identifiers": [{"type": "CRN", "value": value}]}
        if isinstance(event.get("additionalInformation"), dict) and "serviceUserCRN" in event["additionalInformation"]:
            event["additionalInformation"]["serviceUserCRN"] = value
        return
    parts = dotted.split(".")
    node: Any = event
    try:
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(parts[-1])] = value
        else:
            node[parts[-1]] = value
    except (AttributeError, IndexError, TypeError, ValueError):
        raise UsageError(f"--set {dotted}: there is no such place in the event") from None
