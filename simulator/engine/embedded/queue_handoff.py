"""A test's own queues created and removed by moto's backends directly (the embedded engine, in process).

Every test that asks the pytest plugin for a queue costs six lifecycle calls — CreateQueue twice (the queue and
its dead-letter queue), Subscribe, then Unsubscribe and DeleteQueue twice — and through boto3 each is serialised by
botocore, read back by moto, answered in XML and parsed again, all in this one process: 3.4 ms of a 6.1 ms
create → emit → receive → teardown test, against 1.7 ms for a bare publish → receive → delete (bench/plugin.py's
`overhead_x`). `QueueHandOff` makes the same backend calls moto's `CreateQueue`, `Subscribe` (the filter scope set
before the policy, as moto does), `Unsubscribe` and `DeleteQueue` handlers make, on the account and region the
clients' requests would name. Any call the backend refuses returns None and the caller goes through boto3, so
every error a user sees is still moto's own answer; what other processes see of the queues (the wire API) is the
same either way (tests/simulator/engine/test_engine_queue_handoff.py compares them).

Used only when the engine is this process's embedded one, the in-process transport is on and the moto patches are
active, like `handoff.HandOff`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.patches.answers import Request

__all__ = ["QueueHandOff"]

_BOOLEAN_ATTRIBUTES = frozenset({"ContentBasedDeduplication", "Enabled", "FifoTopic", "RawMessageDelivery"})


class QueueHandOff:
    """Queue lifecycle calls handed to moto's SQS and SNS backends; each returns None when it declines."""

    def __init__(self, sqs_client: Any, endpoint_url: str, region: str) -> None:
        credentials = sqs_client._request_signer._credentials
        self._account = Request.signed_by(credentials.access_key, region, "sqs").account
        self._region = region
        self._endpoint = urlparse(endpoint_url)

    def _backends(self) -> tuple[Any, Any] | None:
        if not moto_patches.active():
            return None
        from moto.sns.models import sns_backends
        from moto.sqs.models import sqs_backends

        return sqs_backends[self._account][self._region], sns_backends[self._account][self._region]

    def create_queue(self, name: str, attributes: Mapping[str, str]) -> str | None:
        """The new queue's URL, as CreateQueue answers it."""
        backends = self._backends()
        if backends is None:
            return None
        try:
            queue = backends[0].create_queue(name, None, **attributes)
        except Exception:  # moto's refusal (a name taken with other attributes, a bad value): let it answer
            return None
        return str(queue.url(self._endpoint))

    def subscribe(self, topic_arn: str, endpoint: str, attributes: Mapping[str, str]) -> str | None:
        """The SQS subscription's ARN, its attributes set as Subscribe sets them."""
        backends = self._backends()
        if backends is None:
            return None
        from moto.core.utils import ensure_boolean

        sns = backends[1]
        try:
            subscription = sns.subscribe(topic_arn, endpoint, "sqs")
        except Exception:
            return None
        # As moto's Subscribe reads them from the form (`SNSResponse._get_attributes`): its backend keeps
        # RawMessageDelivery as given, and the string "false" would be taken as true.
        remaining: dict[str, Any] = {
            name: ensure_boolean(value) if name in _BOOLEAN_ATTRIBUTES else value for name, value in attributes.items()
        }
        try:
            if "FilterPolicyScope" in remaining:  # before the policy, whose validation depends on it
                sns.set_subscription_attributes(
                    subscription.arn, "FilterPolicyScope", remaining.pop("FilterPolicyScope")
                )
            for name, value in remaining.items():
                sns.set_subscription_attributes(subscription.arn, name, value)
        except Exception:
            sns.unsubscribe(subscription.arn)  # undone: the client's Subscribe says what was wrong
            return None
        return str(subscription.arn)

    def unsubscribe(self, subscription_arn: str) -> bool:
        """Whether the subscription was removed here."""
        backends = self._backends()
        if backends is None:
            return False
        try:
            backends[1].unsubscribe(subscription_arn)
        except Exception:
            return False
        return True

    def delete_queue(self, url: str) -> bool:
        """Whether the queue was deleted here (a queue already gone is left to the client to report)."""
        backends = self._backends()
        if backends is None:
            return False
        name = url.rstrip("/").rsplit("/", 1)[-1]
        try:
            backends[0].delete_queue(name)
        except Exception:
            return False
        return True
