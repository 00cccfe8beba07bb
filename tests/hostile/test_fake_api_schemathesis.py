"""Schemathesis against the fake API and its control API (issue 14, class 10): served in-process on
127.0.0.1 from the default catalogue, every operation of its own /openapi.json is called with generated
requests, and every response must tell the truth about itself: no 5xx, and status code, content type, headers
and body all as the document says. Bounded (a few examples per operation, derandomized) so it runs in seconds;
TIDINGS_SCHEMATHESIS_EXAMPLES raises the bound by hand.

All default checks run but one: `positive_data_acceptance` expects every schema-valid body to be accepted, and
the control API rightly refuses some with a 400 problem the schema cannot express (an unknown event type, a
scenario parameter its scenario does not declare)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tidings.contracts import load_catalog
from tidings.simulator.engine.engines import Engine
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.session import FakeApi, start_fake_api
from tidings.simulator.topology import Topology, apply_topology

EXAMPLES = int(os.environ.get("TIDINGS_SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fake_api(engine: Engine) -> Iterator[FakeApi]:
    """The fake API with its control API, on the shared engine with the default topology (so runs and emitted
    events are played, not refused)."""
    catalog = load_catalog()
    topic_arn = apply_topology(engine, Topology.load()).topic_arns[catalog.topic]
    api = start_fake_api(catalog, ScenarioLibrary(), engine=engine, topic_arn=topic_arn, port=0)
    yield api
    api.stop()


@pytest.fixture(scope="module")
def api_schema(fake_api: FakeApi) -> Any:
    return schemathesis.openapi.from_url(f"{fake_api.base_url}/openapi.json")


def test_the_document_covers_the_business_and_control_apis(api_schema: Any) -> None:
    paths = set(api_schema.raw_schema["paths"])
    assert any(path.startswith("/_tidings/") for path in paths)
    assert any(not path.startswith("/_tidings/") for path in paths)


def test_every_response_is_what_the_openapi_document_says(api_schema: Any, fake_api: FakeApi) -> None:
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def call(case: Any) -> None:
            case.call_and_validate(timeout=10, excluded_checks=[positive_data_acceptance])

        try:
            call()
        except (Exception, BaseExceptionGroup) as error:  # each operation's first failure, all reported together
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
