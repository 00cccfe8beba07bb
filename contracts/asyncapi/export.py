"""A catalogue (or a registry's catalogues) as one AsyncAPI 3.0.0 document.

- the SNS topic is one channel (`address` and the `sns` binding's `name`);
- one message per event type and version: the bundled payload schema (JSON Schema draft 2020-12 as a
  multi-format schema), the examples, the `eventType` SNS message attribute as a header; `x-tidings-*`
  extensions keep what AsyncAPI has no field for (version, detailUrl template, producer), so an import of the
  export gives the same catalogue back;
- a `send` operation per producer; with queues (from a topology), a `receive` operation per queue with its SQS
  binding and, in the SNS binding, its filter policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tidings.contracts.catalog.catalog import Catalog

__all__ = ["SCHEMA_FORMAT", "QueueSubscription", "export_asyncapi", "message_id"]

SCHEMA_FORMAT = "application/schema+json;version=draft-07"
"""AsyncAPI 3.0 names JSON Schema formats up to draft-07; the payload itself says `$schema` 2020-12."""


@dataclass(frozen=True)
class QueueSubscription:
    """A consumer queue on the topic (from a topology)."""

    queue: str
    filter_policy: dict[str, Any] | None = None
    filter_scope: str = "MessageAttributes"
    raw_delivery: bool = False


def message_id(event_type: str, version: int) -> str:
    """`intervention.referral.sent` v1 → `intervention.referral.sent.v1` (AsyncAPI component keys)."""
    return re.sub(r"[^\w.\-]", "_", f"{event_type}.v{version}")


def _channel_id(topic: str) -> str:
    return re.sub(r"[^\w.\-]", "_", topic) or "topic"


def export_asyncapi(
    catalogs: list[Catalog],
    *,
    topic: str | None = None,
    queues: list[QueueSubscription] | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document (a dict, ready for YAML or JSON)."""
    topic = topic or (catalogs[0].topic if catalogs else "topic")
    channel = _channel_id(topic)
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for catalog in catalogs:
        refs = []
        for contract in catalog.events:
            key = message_id(contract.event_type, contract.version)
            messages[key] = _message(catalog, contract.event_type, contract.version)
            refs.append({"$ref": f"#/channels/{channel}/messages/{key}"})
        operations[_op_id("send", catalog.producer)] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"{catalog.producer} publishes its domain events",
            "messages": refs,
            "x-tidings-producer": catalog.producer,
        }
    for subscription in queues or []:
        consumer: dict[str, Any] = {
            "protocol": "sqs",
            "endpoint": {"name": subscription.queue},
            "rawMessageDelivery": subscription.raw_delivery,
        }
        if subscription.filter_policy:
            # The SNS binding 0.1.0 schema takes only lists of exact strings; a policy with operators
            # (`{prefix: …}`) goes in an extension so the document stays valid and loses nothing.
            simple = all(
                isinstance(v, list) and all(isinstance(i, str) for i in v) for v in subscription.filter_policy.values()
            )
            consumer["filterPolicy" if simple else "x-tidings-filter-policy"] = subscription.filter_policy
            consumer["filterPolicyScope"] = subscription.filter_scope
        operations[_op_id("receive", subscription.queue)] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"queue {subscription.queue}",
            "bindings": {
                "sns": {"consumers": [consumer], "bindingVersion": "0.1.0"},
                "sqs": {"queues": [{"name": subscription.queue}], "bindingVersion": "0.2.0"},
            },
        }
    producers = [c.producer for c in catalogs]
    info: dict[str, Any] = {
        "title": title or (f"{producers[0]} domain events" if len(producers) == 1 else f"{topic} domain events"),
        "version": "1.0.0",
        "description": "\n\n".join(c.description for c in catalogs if c.description) or f"Events on {topic}.",
    }
    if len(producers) == 1:
        info["x-tidings-producer"] = producers[0]
    return {
        "asyncapi": "3.0.0",
        "info": info,
        "defaultContentType": "application/json",
        "channels": {
            channel: {
                "address": topic,
                "bindings": {"sns": {"name": topic, "bindingVersion": "0.1.0"}},
                "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in messages},
            }
        },
        "operations": operations,
        "components": {"messages": messages},
    }


def _op_id(action: str, name: str) -> str:
    return re.sub(r"[^\w.\-]", "_", f"{action}.{name}")


def _message(catalog: Catalog, event_type: str, version: int) -> dict[str, Any]:
    contract = catalog.get(event_type, version)
    bundled = catalog.compiled(event_type, version).bundled
    message: dict[str, Any] = {
        "name": event_type,
        "title": f"{event_type} v{version}",
        "summary": contract.description.split(". ")[0][:200] if contract.description else event_type,
        "contentType": "application/json",
        "headers": {
            "type": "object",
            "description": "SNS message attributes",
            "properties": {"eventType": {"type": "string", "const": event_type}},
            "required": ["eventType"],
        },
        "payload": {"schemaFormat": SCHEMA_FORMAT, "schema": bundled},
        "x-tidings-version": version,
        "x-tidings-producer": catalog.producer,
    }
    if contract.description:
        message["description"] = contract.description
    if contract.detail_url_template:
        message["x-tidings-detail-url"] = contract.detail_url_template
    if contract.url_only_params:
        message["x-tidings-url-only-params"] = {
            p.name: {"reason": p.reason, **({"example": p.example} if p.example is not None else {})}
            for p in contract.url_only_params.values()
        }
    if contract.examples:
        message["examples"] = [
            {"name": f"example{index + 1}", "payload": example, "headers": {"eventType": event_type}}
            for index, example in enumerate(contract.examples)
        ]
    return message
