"""wait_until_consumed: returns once a queue is empty and stays so; fails saying what is left."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tidings.simulator.engine.consumed import NotConsumed, wait_until_consumed
from tidings.simulator.engine.engines import Engine
from tidings.simulator.engine.queues import QueueTools


def test_waits_for_the_consumer_and_says_what_is_left(engine: Engine, unique: Callable[[str], str]) -> None:
    sqs = engine.client("sqs")
    name = unique("consumed")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    try:
        tools = QueueTools(engine)
        sqs.send_message(QueueUrl=url, MessageBody="{}")
        sqs.send_message(QueueUrl=url, MessageBody="{}")
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)
        with pytest.raises(NotConsumed) as raised:
            wait_until_consumed(tools, name, timeout=0.3)
        assert f"{name}: " in str(raised.value)
        assert "1 visible" in str(raised.value) and "1 in flight" in str(raised.value)
        assert raised.value.exit_code == 1
        sqs.purge_queue(QueueUrl=url)
        wait_until_consumed(tools, name, timeout=5)
    finally:
        sqs.delete_queue(QueueUrl=url)
