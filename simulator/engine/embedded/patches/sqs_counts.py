"""SQS message counts only where they are asked for (moto 5.2.5; registered in `patches/__init__.py`).

- `queue_counts_on_request`: every SendMessage read `Queue.attributes` (for `ContentBasedDeduplication`), and that
  property counts the queue's messages three times, two clock reads each; every received message did it again
  through the retention check. `Queue.attributes` now holds the settings only, `GetQueueAttributes` - the one API
  that reports counts - adds them, counted in one pass, and the retention check reads the setting.
  Without it: 76 s (x21), growing with the square of the queue length.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

_COUNT_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
)


def _settings(queue: Any) -> dict[str, Any]:
    """What moto 5.2.5's `Queue.attributes` returns, without the three message counts (which scan the queue)."""
    from moto.sqs.models import camelcase_to_underscores

    names = [name for name in queue.BASE_ATTRIBUTES if name not in _COUNT_ATTRIBUTES]
    if queue.fifo_queue:
        names += queue.FIFO_ATTRIBUTES
    if queue.kms_master_key_id:
        names += queue.KMS_ATTRIBUTES
    result = {name: getattr(queue, camelcase_to_underscores(name)) for name in names}
    if queue.redrive_policy:
        result["RedrivePolicy"] = json.dumps(queue.redrive_policy)
    for name, value in result.items():
        if isinstance(value, bool):
            result[name] = str(value).lower()
    return result


def _with_counts(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def get_queue_attributes(backend: Any, queue_name: str, attribute_names: list[str]) -> dict[str, Any]:
        result = original(backend, queue_name, attribute_names)  # validates the names; settings only
        wanted = [n for n in _COUNT_ATTRIBUTES if "All" in attribute_names or n in attribute_names]
        if wanted:
            counts = _message_counts(backend.get_queue(queue_name))
            result.update({name: counts[name] for name in wanted})
        return result

    return get_queue_attributes


def _within_retention_period(backend: Any, queue_name: str, message: Any) -> bool:
    from moto.sqs import models

    queue = backend.get_queue(queue_name)
    return bool(queue.message_retention_period + message.sent_timestamp / 1000 > models.unix_time())


def _message_counts(queue: Any) -> dict[str, int]:
    from moto.sqs import models

    now = models.unix_time_millis()  # moto's clock, so that frozen time still works
    visible = delayed = not_visible = 0
    for message in queue._messages:
        is_delayed = now < message.delayed_until
        is_visible = now > message.visible_at
        delayed += is_delayed
        not_visible += not is_visible
        visible += is_visible and not is_delayed
    return {
        "ApproximateNumberOfMessages": visible,
        "ApproximateNumberOfMessagesDelayed": delayed,
        "ApproximateNumberOfMessagesNotVisible": not_visible,
    }


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patch, as the (owner, attribute, replacement) triples it sets."""
    import moto.sqs.models
    from moto.sqs.models import Queue, SQSBackend

    return {
        "queue_counts_on_request": [
            (Queue, "attributes", property(_settings)),
            (SQSBackend, "get_queue_attributes", _with_counts(vars(SQSBackend)["get_queue_attributes"])),
            (SQSBackend, "is_message_valid_based_on_retention_period", _within_retention_period),
            (moto.sqs.models, "camelcase_to_underscores", functools.cache(moto.sqs.models.camelcase_to_underscores)),
        ],
    }
