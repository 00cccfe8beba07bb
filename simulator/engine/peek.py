"""Looking at a queue without receiving from it. SQS counts every ReceiveMessage towards maxReceiveCount, so a
"peek" by receiving with visibility 0 dead-letters a message a tester looks at a few times. Instead:

- the embedded engine of this process: moto's state, read directly (embedded.sqs_state);
- LocalStack, or a `tidings up` in another process: the developer endpoint `/_aws/sqs/messages`, which answers
  like ReceiveMessage without touching visibility or receive counts;
- AWS: there is no such thing, so it is refused (exit 2) with `tidings queue receive` as the way to look.

Each message comes as boto3's ReceiveMessage gives it (`Body`, `MessageId`, `MessageAttributes`, `Attributes`).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts.errors import EngineError, UsageError
from tidings.simulator.engine.aws_session import LOCAL_CREDENTIALS, SESSION_LOCK, shared_session
from tidings.simulator.engine.embedded.developer_sqs import DEVELOPER_PATH
from tidings.simulator.engine.engines import Engine

__all__ = ["peek_messages"]


def peek_messages(engine: Engine, queue_name: str, queue_url: str, limit: int = 100_000) -> list[dict[str, Any]]:
    """Up to `limit` messages in the queue (visible, in flight or delayed), oldest first, none received."""
    state = engine.sqs_state()
    if state is not None:
        return state.messages(queue_name)[:limit]
    if engine.kind == "aws" or engine.endpoint_url is None:
        raise UsageError(
            f"cannot peek at {queue_name} on AWS: SQS has no way to look at a queue without receiving, and every "
            "receive counts towards maxReceiveCount (a few looks would dead-letter a message)",
            hint=f"use `tidings queue receive {queue_name}` (it deletes what it shows), or peek on the embedded "
            "engine or LocalStack",
        )
    with SESSION_LOCK:
        client = shared_session().client(
            "sqs",
            endpoint_url=f"{engine.endpoint_url}{DEVELOPER_PATH}?ShowInvisible=true&ShowDelayed=true",
            region_name=engine.region,
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
    try:
        answer = client.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])
    except (BotoCoreError, ClientError) as error:
        raise EngineError(
            f"the engine at {engine.endpoint_url} has no developer endpoint to peek at {queue_name} ({error})",
            hint=f"use `tidings queue receive {queue_name}` instead (it deletes what it shows)",
        ) from None
    finally:
        client.close()
    return list(answer.get("Messages", []))[:limit]
