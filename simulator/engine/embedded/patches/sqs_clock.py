"""SQS reads the clock in one step (moto 5.2.5; registered in `patches/__init__.py`).

- `sqs_clock_in_one_step`: moto.sqs.models reads its clock (`unix_time`, `unix_time_millis`) several times per
  message - sending, receiving, visibility and retention checks - and each read made a naive UTC `now`, a naive
  epoch from `fromtimestamp(0)` and their difference. The same difference is now taken between an aware `now` and
  a fixed aware epoch: the same formula on the same `datetime.datetime.now` (so frozen time still works), the same
  float. ~7% of the engine's time on bench/engines.py before.
"""

from __future__ import annotations

import datetime
from typing import Any

__all__ = ["replacements"]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _unix_time(original: Any) -> Any:
    def unix_time(dt: datetime.datetime | None = None) -> float:
        if dt is not None:
            return float(original(dt))
        delta = datetime.datetime.now(datetime.UTC) - _EPOCH
        return (delta.days * 86400) + (delta.seconds + (delta.microseconds / 1e6))

    return unix_time


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patch, as the (owner, attribute, replacement) triples it sets."""
    import moto.sqs.models

    unix_time = _unix_time(moto.sqs.models.unix_time)

    def unix_time_millis(dt: datetime.datetime | None = None) -> float:
        return unix_time(dt) * 1000.0

    return {
        "sqs_clock_in_one_step": [
            (moto.sqs.models, "unix_time", unix_time),
            (moto.sqs.models, "unix_time_millis", unix_time_millis),
        ]
    }
