"""Narrow speed fixes for moto 5.2.5's SQS and SNS code, applied to the embedded engine: the registry.

Unmodified, moto's server manages ~15-24 events/s on tidings' benchmark (a topic, 3 filtered queues) and slows
down as queues fill. Each patch replaces one piece of moto with code that gives the same answers; its module
says its effect as the benchmark workload's CPU time for 1,000 events with that patch left out (all patches:
~3.5 s).

Each patch lives, with the measurement that justifies it, in the module of its group: `sqs_counts`
(queue_counts_on_request), `sqs_receive` (lazy_visible_messages, delete_finds_one_message, receive_copies_less),
`sns_signing` (sns_signing_key_per_region), `sns_memory` (sns_keeps_no_sent_notifications) and `dispatch`
(dispatch_remembered, one_botocore_session, query_prefixes_indexed), `sqs_answers` and `sns_answers` (the
hot-path calls answered from moto's backends, routed by `answers`), `sqs_clock` (sqs_clock_in_one_step) and
`memory` (sqs_messages_listed_from_their_queues, deep_queues_compress_bodies, deleted_receipt_handles_digested) and
`sqs_packed` (deep_unreceived_messages_packed). A
new patch goes in the module of its group (or a new one), with a `replacements()` entry, its name in `PATCH_NAMES`,
and a test in tests/simulator/engine/test_engine_moto_patches.py (or test_engine_moto_answers.py,
test_engine_moto_memory.py) that runs with the patches on and off. The direct route of SNS/SQS requests past Flask
(`embedded/direct.py`) is switched with these patches.

They apply only to moto 5.2.5 - any other version runs unpatched, after one warning - and
`TIDINGS_MOTO_PATCHES=0` switches them off.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterable
from typing import Any

from tidings.simulator.engine.embedded.patches import (
    dispatch,
    memory,
    sns_answers,
    sns_memory,
    sns_signing,
    sqs_answers,
    sqs_clock,
    sqs_counts,
    sqs_packed,
    sqs_receive,
)

__all__ = ["PATCHED_MOTO_VERSION", "PATCH_NAMES", "active", "apply", "enabled_by_environment", "revert"]

PATCHED_MOTO_VERSION = "5.2.5"
SWITCH_VARIABLE = "TIDINGS_MOTO_PATCHES"
PATCH_NAMES = (
    "queue_counts_on_request",
    "lazy_visible_messages",
    "delete_finds_one_message",
    "receive_copies_less",
    "sns_signing_key_per_region",
    "dispatch_remembered",
    "one_botocore_session",
    "query_prefixes_indexed",
    "sns_keeps_no_sent_notifications",
    "sqs_answers",
    "sns_answers",
    "sqs_clock_in_one_step",
    "sqs_messages_listed_from_their_queues",
    "deep_queues_compress_bodies",
    "deleted_receipt_handles_digested",
    "deep_unreceived_messages_packed",
)

_lock = threading.Lock()
_originals: list[tuple[Any, str, Any]] = []
_warned = False
_ABSENT: Any = object()


def enabled_by_environment() -> bool:
    """False when `TIDINGS_MOTO_PATCHES` is `0`, `false`, `no` or `off`."""
    return os.environ.get(SWITCH_VARIABLE, "1").strip().lower() not in {"0", "false", "no", "off"}


def active() -> bool:
    """Whether the patches are currently applied in this process."""
    return bool(_originals)


def apply(only: Iterable[str] | None = None) -> bool:
    """Apply the patches (all, or the named ones in `only`) once per process; returns whether they are active.

    Does nothing when switched off by `TIDINGS_MOTO_PATCHES=0`, and warns once (then does nothing) when moto is not
    the version the patches were written against."""
    global _warned
    if not enabled_by_environment():
        return False
    import moto

    if moto.__version__ != PATCHED_MOTO_VERSION:
        if not _warned:
            _warned = True
            warnings.warn(
                f"tidings' moto speed fixes are written for moto {PATCHED_MOTO_VERSION}, found {moto.__version__}: "
                "the embedded engine runs unpatched (correct, but slower on large queues)",
                RuntimeWarning,
                stacklevel=2,
            )
        return False
    with _lock:
        if not _originals:
            patches = _replacements()
            for name in PATCH_NAMES if only is None else list(only):
                for owner, attribute, replacement in patches[name]:
                    _originals.append((owner, attribute, vars(owner).get(attribute, _ABSENT)))
                    setattr(owner, attribute, replacement)
    return True


def revert() -> None:
    """Restore moto's original code (tests compare both behaviours)."""
    with _lock:
        while _originals:
            owner, name, original = _originals.pop()
            if original is _ABSENT:  # a patch that adds what moto sets on instances only
                delattr(owner, name)
            else:
                setattr(owner, name, original)


def _replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """Each patch (by name) as the (owner, attribute, replacement) triples it sets."""
    found: dict[str, list[tuple[Any, str, Any]]] = {}
    for group in (
        sqs_counts,
        sqs_receive,
        sns_signing,
        sns_memory,
        dispatch,
        sqs_answers,
        sns_answers,
        sqs_clock,
        memory,
        sqs_packed,
    ):
        found.update(group.replacements())
    return found
