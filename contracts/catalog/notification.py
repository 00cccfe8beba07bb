"""Getting at the event inside what a consumer receives: a raw envelope (raw message delivery), an SNS
notification (`Type: Notification`, the event as a JSON string in `Message`), an SQS message whose `Body` is
either, or the JSON text of any of these."""

from __future__ import annotations

import json
from typing import Any

from tidings.contracts.errors import UsageError

__all__ = ["event_of", "unwrap_notification"]


def unwrap_notification(obj: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """`(event, message attributes)`. Attributes are flattened to `{name: value}`: taken from the notification's
    `MessageAttributes` (`{"eventType": {"Type": "String", "Value": ...}}`), or `{}` for a raw event."""
    attributes: dict[str, str] = {}
    current = _parsed(obj, "event")
    for _ in range(3):  # SQS Body → SNS notification → event, at most
        if not isinstance(current, dict):
            break
        if current.get("Type") == "Notification" and "Message" in current:
            attributes = _flatten(current.get("MessageAttributes"))
            current = _parsed(current["Message"], "the notification's Message")
        elif "Body" in current and "eventType" not in current:
            current = _parsed(current["Body"], "the SQS message's Body")
        else:
            break
    if not isinstance(current, dict):
        raise UsageError(
            f"an event must be a JSON object, not {_kind(current)}",
            hint='expected {"eventType": "...", "version": 1, ...} or an SNS notification',
        )
    return current, attributes


def event_of(obj: Any) -> dict[str, Any]:
    """The event in `obj` (see `unwrap_notification`), fast for the common case of a raw envelope dict."""
    if isinstance(obj, dict) and "eventType" in obj:
        return obj
    return unwrap_notification(obj)[0]


def _parsed(value: Any, what: str) -> Any:
    if isinstance(value, (bytes, bytearray)):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{what} is not UTF-8 text") from None
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            hint="an event is a JSON object; an SNS notification carries it as a JSON string in Message",
        ) from None


def _flatten(attributes: Any) -> dict[str, str]:
    if not isinstance(attributes, dict):
        return {}
    flat: dict[str, str] = {}
    for name, attribute in attributes.items():
        if isinstance(attribute, dict):
            value = attribute.get("Value", attribute.get("StringValue"))
            if value is not None:
                flat[name] = str(value)
    return flat


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", type(None): "null", bool: "a boolean"}.get(type(value), "a number")
