"""Engine calls for the topology, each failure an EngineError naming the operation and its subject."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts.errors import EngineError
from tidings.simulator.engine.engines import START_HINT

__all__ = ["call", "pages", "refused"]


def pages(client: Any, method: str, operation: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every page of a paginated call."""
    try:
        return list(client.get_paginator(method).paginate(**kwargs))
    except ClientError as error:
        raise refused(operation, kwargs.get("TopicArn", ""), error) from None
    except BotoCoreError as error:
        raise EngineError(f"{operation} failed: {error}", hint=START_HINT) from None


def call(method: Callable[..., Any], operation: str, subject: str, **kwargs: Any) -> Any:
    """`method(**kwargs)`, its failure an EngineError saying `operation subject`."""
    try:
        return method(**kwargs)
    except ClientError as error:
        raise refused(operation, subject, error) from None
    except BotoCoreError as error:
        raise EngineError(f"{operation} {subject} failed: {error}", hint=START_HINT) from None


def refused(operation: str, subject: str, error: ClientError) -> EngineError:
    """The engine's refusal of `operation subject`, in its own words."""
    answer = error.response.get("Error", {})
    return EngineError(
        f"the engine refused {operation} {subject}: {answer.get('Code')}: {answer.get('Message')}".replace("  ", " ")
    )
