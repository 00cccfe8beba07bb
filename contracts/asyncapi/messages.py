"""One AsyncAPI message object (a registry message spec, or a message of an AsyncAPI document) read as one
tidings contract: event type, version, schema on the shared envelope, an example, a detailUrl template."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tidings.contracts.asyncapi.normalise import Note, build_example, normalise_schema, strip_examples

__all__ = ["ENVELOPE_REF", "ImportedEvent", "Refused", "message_event"]

ENVELOPE_REF = "../../envelope.schema.json"
"""How an imported event schema (events/<type>/v<N>.yaml) points at its catalogue's envelope."""

_EVENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+$")


class Refused(Exception):
    """The file (or message) cannot be imported: why, and at which line."""

    def __init__(self, line: int | None, text: str) -> None:
        super().__init__(text)
        self.line = line
        self.text = text


@dataclass
class ImportedEvent:
    """One contract as imported, before it is written into a catalogue."""

    event_type: str
    version: int
    producer: str
    source: str
    area: str
    """`schemas`, `auto` (the registry's folders), `document` or `file`: decides which of two files wins."""
    schema: dict[str, Any]
    examples: list[dict[str, Any]]
    description: str
    detail_url: str
    api_base_url: str | None
    notes: list[Note] = field(default_factory=list)
    url_only_params: dict[str, Any] = field(default_factory=dict)


def message_event(
    message: Any,
    lines: dict[str, int],
    base: str,
    *,
    source: str,
    producer: str,
    area: str,
    envelope: dict[str, Any],
) -> ImportedEvent:
    """The contract of `message` (at JSON pointer `base` in `source`); `Refused` when it has none."""
    if not isinstance(message, dict):
        raise Refused(lines.get(base), "not a message object (a mapping with name and payload)")
    payload = message.get("payload")
    if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
        payload, payload_base = payload["schema"], base + "/payload/schema"
    else:
        payload_base = base + "/payload"
    if not isinstance(payload, dict):
        raise Refused(lines.get(base + "/payload", lines.get(base)), "no `payload:` schema (a mapping)")
    notes: list[Note] = []
    normalised = normalise_schema(payload, lines, payload_base, notes)
    properties = normalised.get("properties") if isinstance(normalised.get("properties"), dict) else {}
    event_type = _event_type(message, properties, lines, base, notes)
    version = _version(message, properties.get("version"), lines, payload_base, notes)
    built = build_example(normalised)
    examples = [e["payload"] for e in message.get("examples") or [] if isinstance(e, dict) and "payload" in e]
    if not examples and isinstance(built, dict) and built:
        built["eventType"] = event_type
        if built.get("version") != version:
            built["version"] = version
        examples = [built]
    if _is_bundled(normalised):  # a tidings export (or any self-contained schema): kept as it is
        schema = strip_examples(normalised)
    else:
        schema = _on_envelope(strip_examples(normalised), event_type, version, envelope)
    detail_url = str(message.get("x-tidings-detail-url") or "")
    base_url = None
    if not detail_url and examples:
        detail_url, base_url = _detail_template(examples[0])
    return ImportedEvent(
        event_type=event_type,
        version=version,
        producer=str(message.get("x-tidings-producer") or producer),
        source=source,
        area=area,
        schema=schema,
        examples=examples,
        description=_description(message, event_type),
        detail_url=detail_url,
        api_base_url=base_url,
        notes=notes,
        url_only_params=dict(message.get("x-tidings-url-only-params") or {}),
    )


def _event_type(
    message: dict[str, Any], properties: dict[str, Any], lines: dict[str, int], base: str, notes: list[Note]
) -> str:
    declared: dict[str, Any] = properties["eventType"] if isinstance(properties.get("eventType"), dict) else {}
    in_payload = declared.get("const", declared.get("example"))
    if in_payload is None and isinstance(declared.get("enum"), list) and declared["enum"]:
        in_payload = declared["enum"][0]
    name = message.get("name")
    if isinstance(name, str) and _EVENT_TYPE.match(name.strip()):
        name = name.strip()
        if isinstance(in_payload, str) and in_payload != name:
            notes.append(
                Note(
                    lines.get(base + "/name"),
                    f"name {name!r} but the payload's eventType says "
                    f"{in_payload!r}: {name!r} used (fix one of them in the registry)",
                )
            )
        return name
    if isinstance(in_payload, str) and _EVENT_TYPE.match(in_payload):
        if name is not None:
            notes.append(
                Note(
                    lines.get(base + "/name"),
                    f"name {name!r} is not an event type: the payload's eventType {in_payload!r} used",
                )
            )
        return in_payload
    raise Refused(
        lines.get(base + "/name", lines.get(base)),
        "no event type: `name` is not one and the payload's eventType has no example, const or enum",
    )


def _version(message: dict[str, Any], declared: Any, lines: dict[str, int], base: str, notes: list[Note]) -> int:
    explicit = message.get("x-tidings-version")
    if isinstance(explicit, int) and explicit >= 1:
        return explicit
    raw = None
    if isinstance(declared, dict):
        raw = declared.get("const", declared.get("example"))
        if raw is None and isinstance(declared.get("enum"), list) and declared["enum"]:
            raw = declared["enum"][0]
    if raw is None:
        return 1
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1:
        return raw
    where = lines.get(base + "/properties/version")
    try:
        number = float(str(raw))
    except ValueError:
        number = 0
    if number >= 1 and number == int(number):
        notes.append(
            Note(
                where,
                f"version {raw!r} (a {type(raw).__name__}) read as {int(number)}: the envelope's version is an integer",
            )
        )
        return int(number)
    notes.append(Note(where, f"version {raw!r} is not a positive integer: imported as version 1"))
    return 1


def _is_bundled(schema: dict[str, Any]) -> bool:
    return "$defs" in schema or "$ref" in schema or "$schema" in schema


def _on_envelope(schema: dict[str, Any], event_type: str, version: int, envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope parts `$ref`'d to the shared envelope; what the event adds kept."""
    envelope_properties = envelope.get("properties", {}) if isinstance(envelope, dict) else {}
    properties: dict[str, Any] = {"eventType": {"const": event_type}, "version": {"const": version}}
    for name, child in (schema.get("properties") or {}).items():
        if name in ("eventType", "version"):
            continue
        shared = envelope_properties.get(name)
        if isinstance(child, dict) and isinstance(shared, dict) and _adds_nothing(child, shared):
            continue
        properties[name] = child
    result: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{event_type} v{version}",
        "$ref": ENVELOPE_REF,
        "properties": properties,
    }
    required = [r for r in schema.get("required") or [] if isinstance(r, str)]
    if required:
        result["required"] = required
    for keyword in ("additionalProperties", "description"):
        if keyword in schema:
            result[keyword] = schema[keyword]
    return result


def _adds_nothing(child: dict[str, Any], shared: dict[str, Any]) -> bool:
    extra = {k: v for k, v in child.items() if k not in ("description", "title")}
    return all(shared.get(k) == v for k, v in extra.items())


def _description(message: dict[str, Any], event_type: str) -> str:
    parts = []
    for key in ("title", "summary"):
        text = message.get(key)
        if isinstance(text, str) and text.strip() and text.strip() != event_type and text.strip() not in parts:
            parts.append(text.strip())
    text = message.get("description")
    if isinstance(text, str) and text.strip():
        plain = " ".join(re.sub(r"<[^>]+>", " ", text).split())
        if plain and plain not in parts:
            parts.append(plain)
    return " — ".join(parts)


def _detail_template(example: dict[str, Any]) -> tuple[str, str | None]:
    """`(template, api base)` from an example's detailUrl: path segments equal to an additionalInformation
    value become `{thatKey}`."""
    url = example.get("detailUrl")
    if not isinstance(url, str) or not url.strip():
        return "", None
    url = url.split()[0]
    parts = urlsplit(url)
    info: dict[str, Any] = (
        example["additionalInformation"] if isinstance(example.get("additionalInformation"), dict) else {}
    )
    by_value = {str(v): k for k, v in info.items() if isinstance(v, (str, int)) and not isinstance(v, bool)}
    segments = [f"{{{by_value[s]}}}" if s in by_value else s for s in parts.path.split("/")]
    template = "/".join(segments) or "/"
    if not template.startswith("/"):
        template = "/" + template
    base = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
    return template, base
