"""A refused publish says why in its hint: a message over SNS's size limit gets its size, not "check the topic"."""

from __future__ import annotations

from tidings.simulator.engine.publisher import PublishFailed


def test_a_message_too_long_says_the_size_not_the_topic() -> None:
    failed = PublishFailed("x.y.z", "y" * 300_000, "InvalidParameter: Invalid parameter: Message too long", 1)
    assert failed.hint is not None and "at most 256 KiB and this one is 293 KiB" in failed.hint
    other = PublishFailed("x.y.z", "{}", "NotFound: Topic does not exist", 1)
    assert other.hint is not None and "topic exists" in other.hint
