"""`DELETE /_tidings/runs/{id}` cancels a run: it stops after the event in hand, even in the middle of a wait
for `speed`, and the answer says how many messages were published."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tidings.contracts import load_catalog
from tidings.simulator.engine.engines import Engine
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.session import start_fake_api
from tidings.simulator.topology import Topology, apply_topology


@pytest.fixture(scope="module")
def api(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("cancel")
    steps = [
        {"emit": "intervention.referral.sent"},
        {"emit": "intervention.referral.sent", "repeat": 49, "after": "10s"},
    ]
    (folder / "slow.yaml").write_text(yaml.safe_dump({"name": "slow", "description": "x", "steps": steps}))
    catalog = load_catalog()
    topic_arn = apply_topology(engine, Topology.load()).topic_arns[catalog.topic]
    served = start_fake_api(catalog, ScenarioLibrary([Path(folder)]), engine=engine, topic_arn=topic_arn, port=0)
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        yield client
    served.stop()


def _published_one(api: httpx.Client, url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = api.get(url).json()
        if body["published"] > 0:
            assert body["status"] == "running"
            return
        time.sleep(0.05)
    raise AssertionError(f"{url} never published: {body}")


def test_a_run_waiting_for_its_next_event_is_cancelled_at_once(api: httpx.Client) -> None:
    started = api.post("/_tidings/runs", json={"scenario": "slow", "speed": 1, "seed": 3}).json()
    url = f"/_tidings/runs/{started['id']}"
    _published_one(api, url)  # the first event is out; the next is 10 s away
    asked = time.monotonic()
    cancelled = api.delete(url)
    assert time.monotonic() - asked < 5  # the wait for --speed was cut short
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "cancelled" and 1 <= int(body["published"]) < 50, body
    assert api.get(url).json()["published"] == body["published"]  # nothing published after the answer


def test_cancelling_an_unknown_run_is_a_404_problem(api: httpx.Client) -> None:
    response = api.delete("/_tidings/runs/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
