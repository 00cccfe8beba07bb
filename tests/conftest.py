"""Shared fixtures. `engine` is one SNS/SQS engine for the whole session: the embedded one by default, or the
engine at `TIDINGS_ENDPOINT` (LocalStack, AWS, a `tidings up`) when it is set, so the same tests run there."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tidings.contracts import SHIPPED_CATALOG
from tidings.simulator.engine.engines import Engine, start_engine


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    endpoint = os.environ.get("TIDINGS_ENDPOINT")
    with start_engine("localstack" if endpoint else "embedded", endpoint) as running:
        yield running


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Names no other test uses, so tests sharing the session engine never see each other's queues."""
    run = uuid.uuid4().hex[:8]
    return lambda prefix: f"{prefix}-{run}"


@pytest.fixture
def topic(engine: Engine, unique: Callable[[str], str]) -> Iterator[str]:
    """A topic of this test's own on the session engine (nobody else's queues subscribe to it), deleted after."""
    sns = engine.client("sns")
    arn = str(sns.create_topic(Name=unique("own-topic"))["TopicArn"])
    yield arn
    sns.delete_topic(TopicArn=arn)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue that a test may change."""
    target = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, target)
    return target
