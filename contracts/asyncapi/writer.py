"""Imported contracts written as a registry: `registry.yaml` naming one tidings catalogue per producer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from tidings.contracts.asyncapi.messages import ImportedEvent
from tidings.contracts.errors import UsageError

__all__ = ["DEFAULT_TOPIC", "REGISTRY_FILE", "write_registry"]

DEFAULT_TOPIC = "hmpps-domain-events"
REGISTRY_FILE = "registry.yaml"
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any) -> str:
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120))


def write_registry(
    events: list[ImportedEvent], envelope: dict[str, Any], into: Path, *, topic: str, force: bool = False
) -> dict[str, list[str]]:
    """Write `into/registry.yaml` and `into/<producer>/…`; returns producer → event types written."""
    if into.exists() and any(into.iterdir()):
        if not force or not (into / REGISTRY_FILE).is_file():
            raise UsageError(
                f"{into}: not empty",
                hint="import into a new directory, or pass --force to replace an earlier import (it has registry.yaml)",
            )
        shutil.rmtree(into)
    by_producer: dict[str, list[ImportedEvent]] = {}
    for event in sorted(events, key=lambda e: (e.producer, e.event_type, e.version)):
        by_producer.setdefault(event.producer, []).append(event)
    into.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[str]] = {}
    envelope_text = json.dumps(envelope, indent=2, ensure_ascii=False) + "\n"
    for producer, group in by_producer.items():
        root = into / producer
        root.mkdir()
        (root / "events").mkdir()
        (root / "envelope.schema.json").write_text(envelope_text, encoding="utf-8")
        types = list(dict.fromkeys(e.event_type for e in group))
        base = next((e.api_base_url for e in group if e.api_base_url), None) or "http://localhost:8080"
        index = {
            "producer": producer,
            "topic": topic,
            "description": f"Imported by tidings asyncapi import ({len(types)} event types).",
            "apiBaseUrl": base,
            "shared": ["envelope.schema.json"],
            "events": types,
        }
        # JSON (which is YAML too) for the reason given for the contracts below.
        (root / "catalog.yaml").write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for event in group:
            folder = root / "events" / event.event_type
            folder.mkdir(exist_ok=True)
            body: dict[str, Any] = {
                "description": event.description,
                "detailUrl": event.detail_url,
                **({"urlOnlyParams": event.url_only_params} if event.url_only_params else {}),
                "schema": event.schema,
                "examples": event.examples,
            }
            # JSON (which is YAML too): json.dumps writes it ~20x faster than PyYAML's representer, and the
            # catalogue loader reads it with json.loads rather than the pure-Python guarded YAML parser.
            body["schema"] = {"$comment": f"imported from {event.source}", **event.schema}
            text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
            (folder / f"v{event.version}.yaml").write_text(text, encoding="utf-8")
        written[producer] = types
    registry = {"topic": topic, "producers": sorted(by_producer), "moves": [], "naming": {}}
    text = "# Written by tidings asyncapi import: one catalogue per producer on one topic.\n" + _dump(registry)
    (into / REGISTRY_FILE).write_text(text, encoding="utf-8")
    return written
