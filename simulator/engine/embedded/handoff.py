"""tidings' own publisher hands PublishBatch straight to moto's SNS backend (the embedded engine, in process).

Through boto3, each PublishBatch of the embedded engine's own publisher is serialised by botocore (the form of ten
events, every character of their JSON percent-escaped), signed, read back by moto and answered in XML that botocore
parses again - all in this one process. `HandOff` stands in for the publisher's SNS client: `publish_batch` (and
`publish`, as a batch of one) gives the same entries to the same backend call that moto's PublishBatch makes
(`patches/sns_answers.publish_entries`, with moto's own attribute checks), on the account and region the client's
requests would name, and returns what botocore would have parsed (`Successful`, `Failed`). Anything that call would
refuse (unknown topic, FIFO, a bad attribute, a binary one) goes through the client as before, so errors are moto's
own. Every other method is the client's. What lands in the queues is the same as through boto3
(tests/simulator/engine/test_engine_handoff.py compares them); consumers and other processes still see SNS/SQS only
through the wire API.

Used only when the engine is this process's embedded one, the in-process transport is on and the moto patches are
active (`TIDINGS_MOTO_PATCHES=0` or `TIDINGS_INPROCESS=0` switch it off).
"""

from __future__ import annotations

from typing import Any

from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.patches.answers import Request
from tidings.simulator.engine.embedded.patches.sns_answers import publish_entries

__all__ = ["HandOff"]

_ENTRY_FIELDS = frozenset({"Id", "Message", "Subject", "MessageStructure", "MessageGroupId", "MessageDeduplicationId"})


class HandOff:
    """The SNS client of the embedded engine's own publisher, PublishBatch handed to moto (see the module)."""

    def __init__(self, client: Any, region: str) -> None:
        self._client = client
        self._region = region

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def publish_batch(self, *, TopicArn: str, PublishBatchRequestEntries: list[dict[str, Any]]) -> dict[str, Any]:
        entries = _entries(PublishBatchRequestEntries)
        published = None
        if entries is not None and moto_patches.active():
            credentials = self._client._request_signer._credentials
            request = Request.signed_by(credentials.access_key, self._region, "sns")
            published = publish_entries(request, TopicArn, entries)
        if published is None:
            return dict(
                self._client.publish_batch(TopicArn=TopicArn, PublishBatchRequestEntries=PublishBatchRequestEntries)
            )
        successful, failed = published
        return {
            "Successful": [{"Id": str(s["Id"]), "MessageId": str(s["MessageId"])} for s in successful],
            "Failed": [_failure(f) for f in failed],
        }

    def publish(
        self, *, TopicArn: str, Message: str, MessageAttributes: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One event (`emit`): the same hand-off as a batch of one; anything it does not publish goes through the
        client's own Publish, so a refusal is moto's answer to Publish."""
        entry: dict[str, Any] = {"Id": "0", "Message": Message}
        if MessageAttributes:
            entry["MessageAttributes"] = MessageAttributes
        entries = _entries([entry])
        if entries is not None and moto_patches.active():
            credentials = self._client._request_signer._credentials
            published = publish_entries(
                Request.signed_by(credentials.access_key, self._region, "sns"), TopicArn, entries
            )
            if published is not None and published[0] and not published[1]:
                return {"MessageId": str(published[0][0]["MessageId"])}
        kwargs: dict[str, Any] = {"TopicArn": TopicArn, "Message": Message}
        if MessageAttributes is not None:
            kwargs["MessageAttributes"] = MessageAttributes
        return dict(self._client.publish(**kwargs))


def _entries(given: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The entries as moto's query parser would read them from botocore's form, or None (the client sends them)."""
    entries = []
    for entry in given:
        if not isinstance(entry, dict) or not set(entry) <= _ENTRY_FIELDS | {"MessageAttributes"}:
            return None
        if not all(isinstance(entry.get(key, ""), str) for key in _ENTRY_FIELDS) or "Id" not in entry:
            return None
        copied: dict[str, Any] = {key: entry[key] for key in entry if key != "MessageAttributes"}
        if "Message" not in copied:
            return None
        attributes = entry.get("MessageAttributes")
        if attributes:
            copied["MessageAttributes"] = {}
            for name, value in attributes.items():
                if not (isinstance(value, dict) and set(value) <= {"DataType", "StringValue"}):
                    return None
                if not isinstance(value.get("DataType"), str) or not isinstance(value.get("StringValue", ""), str):
                    return None
                copied["MessageAttributes"][name] = dict(value)
        entries.append(copied)
    return entries


def _failure(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": str(entry["Id"]), "Code": str(entry["Code"])}
    if entry.get("Message") is not None:
        out["Message"] = str(entry["Message"])
    out["SenderFault"] = bool(entry.get("SenderFault"))
    return out
