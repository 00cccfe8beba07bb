"""Raw and enveloped delivery on every engine: the envelope's fields, its Signature verified as an SDK verifier does
(the certificate fetched from SigningCertURL), and message attributes of each type in both forms."""

from __future__ import annotations

import base64
import json
from typing import Any

from engine_wiring import Wiring, attribute
from sns_signatures import verify_notification

ATTRIBUTES = {
    "eventType": attribute("order.created"),
    "priority": attribute(7),
    "blob": attribute(b"\x00\x01bin"),
    "custom": attribute("typed", "String.tidings"),
}
ENVELOPE_KEYS = {
    "Type",
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
}


def _published(wiring: Wiring, *, raw: bool, attributes: dict[str, Any] = ATTRIBUTES) -> tuple[dict[str, Any], str]:
    topic = wiring.topic()
    url = wiring.queue("raw" if raw else "enveloped")
    wiring.subscribe(topic, url, RawMessageDelivery=raw)
    body = json.dumps({"eventType": "order.created", "n": 1})
    message_id = wiring.sns.publish(TopicArn=topic, Message=body, MessageAttributes=attributes)["MessageId"]
    found = wiring.drain(url, expect=1)
    assert len(found) == 1, f"{len(found)} messages arrived"
    return found[0], message_id


def test_enveloped_delivery_wraps_the_message_in_an_sns_notification(wiring: Wiring, quirk: Any) -> None:
    message, message_id = _published(wiring, raw=False)
    envelope = json.loads(message["Body"])
    assert set(envelope) >= ENVELOPE_KEYS
    assert envelope["Type"] == "Notification" and envelope["MessageId"] == message_id
    assert json.loads(envelope["Message"]) == {"eventType": "order.created", "n": 1}
    attributes = envelope["MessageAttributes"]
    assert attributes["eventType"] == {"Type": "String", "Value": "order.created"}
    assert attributes["priority"] == {"Type": "Number", "Value": "7"}
    assert attributes["custom"] == {"Type": "String.tidings", "Value": "typed"}
    with quirk("envelope-binary-attribute"):
        assert attributes["blob"] == {"Type": "Binary", "Value": base64.b64encode(b"\x00\x01bin").decode()}


def test_the_envelope_signature_verifies_against_the_certificate_at_its_url(wiring: Wiring, quirk: Any) -> None:
    message, _ = _published(wiring, raw=False)
    envelope = json.loads(message["Body"])
    with quirk("signing-cert-served"):
        assert verify_notification(envelope, wiring.engine.endpoint_url or "")


def test_raw_delivery_keeps_the_body_and_turns_attributes_into_sqs_message_attributes(wiring: Wiring) -> None:
    textual = {name: value for name, value in ATTRIBUTES.items() if name != "blob"}
    message, _ = _published(wiring, raw=True, attributes=textual)
    assert json.loads(message["Body"]) == {"eventType": "order.created", "n": 1}
    attributes = message["MessageAttributes"]
    assert attributes["eventType"] == {"DataType": "String", "StringValue": "order.created"}
    assert attributes["priority"] == {"DataType": "Number", "StringValue": "7"}
    assert attributes["custom"] == {"DataType": "String.tidings", "StringValue": "typed"}


def test_raw_delivery_keeps_a_binary_attribute(wiring: Wiring, quirk: Any) -> None:
    with quirk("raw-binary-attribute"):
        message, _ = _published(wiring, raw=True)
        assert message["MessageAttributes"]["blob"] == {"DataType": "Binary", "BinaryValue": b"\x00\x01bin"}
