"""Fixtures of the run tests: the catalogue, the shipped scenarios, and a play session on the shared engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tidings.contracts import Catalog, load_catalog
from tidings.simulator.engine.engines import Engine
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.session import PlaySession, start_fake_api
from tidings.simulator.topology import Topology, apply_topology


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def library() -> ScenarioLibrary:
    return ScenarioLibrary()


@pytest.fixture(scope="module")
def session(engine: Engine, catalog: Catalog, library: ScenarioLibrary) -> Iterator[PlaySession]:
    """The shared engine (embedded, or TIDINGS_ENDPOINT's) with the default topology, and a fake API on it."""
    topic_arn = apply_topology(engine, Topology.load()).topic_arns[catalog.topic]
    api = start_fake_api(catalog, library, engine=engine, topic_arn=topic_arn, port=0)
    assert api.player is not None
    yield PlaySession(engine, topic_arn, api.player, api)
    api.stop()
