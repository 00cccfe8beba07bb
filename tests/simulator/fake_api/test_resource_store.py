"""The fake API's resources kept compressed once cold (fake_api/resource_store.py): what the API serves, and
what projections build on, must be the same as with every resource kept as a dict."""

from __future__ import annotations

import json

import pytest

from tidings.contracts import load_catalog
from tidings.simulator.fake_api import state as state_module
from tidings.simulator.fake_api.resource_store import ResourceStore
from tidings.simulator.fake_api.state import FakeApiState
from tidings.simulator.scenarios.clock import parse_start
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan

BASE = "http://127.0.0.1:9999"
START = parse_start("2024-01-01T09:00:00Z")  # both plays byte for byte the same events


def _played(hot: int) -> FakeApiState:
    catalog = load_catalog()
    state = FakeApiState(BASE, catalog=catalog)
    state._resources = ResourceStore(hot=hot)  # the store under test, tiny so nearly everything goes cold
    library = ScenarioLibrary.from_setting(None)
    for name, params in (("caseload", {"count": 40}), ("referral-lifecycle", {}), ("referral-withdrawn", {})):
        for planned in Plan(library.load(name), catalog, params=params, seed=3, base_url=BASE, start=START).events():
            state.apply(planned.event, planned.state)
    return state


def test_a_play_serves_the_same_resources_whether_they_went_cold_or_not() -> None:
    cold, warm = _played(hot=2), _played(hot=1_000_000)
    assert len(cold._resources._cold) > 100 and not warm._resources._cold
    assert cold.paths() == warm.paths() and len(cold.paths()) > 150
    for path in warm.paths():
        assert cold.served(path) == warm.served(path), path
        assert cold.get(path) == warm.get(path)


def test_a_cold_resource_is_thawed_when_changed_and_its_change_is_kept() -> None:
    store = ResourceStore(hot=1)
    store["/a"] = {"id": "a", "n": 1}
    store["/b"] = {"id": "b"}
    store.settle()
    assert "/a" in store and "/a" in store._cold and "/a" not in store._hot
    assert store.json_of("/a") == b'{"id":"a","n":1}'
    thawed = store["/a"]
    thawed["n"] = 2
    store.settle()  # /b is older now: it goes cold, /a stays a dict
    assert store.json_of("/a") == b'{"id":"a","n":2}' and "/b" in store._cold
    assert store.setdefault("/b", {}) == {"id": "b"} and store.get("/missing") is None
    assert sorted(store) == ["/a", "/b"] and len(store) == 2
    with pytest.raises(KeyError):
        store["/missing"]


def test_many_small_resources_share_a_preset_dictionary() -> None:
    store = ResourceStore(hot=0)
    for n in range(200):
        store[f"/r/{n}"] = {"id": f"{n:08d}", "kind": "sent-referral", "serviceUserCRN": "X123456", "tags": [n]}
        store.settle()
    packed = [len(p) for p in list(store._cold.values())[100:]]
    plain = len(json.dumps({"id": "00000150", "kind": "sent-referral", "serviceUserCRN": "X123456", "tags": [150]}))
    assert max(packed) < plain / 2
    assert json.loads(store.json_of("/r/150") or b"") == {
        "id": "00000150",
        "kind": "sent-referral",
        "serviceUserCRN": "X123456",
        "tags": [150],
    }


def test_the_answer_caches_keep_their_newest_entries_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_module, "CACHED", 5)
    state = _played(hot=2)
    for path in state.paths():
        assert state.served(path) is not None
    assert len(state._served) == 5 and len(state._json) == 5
    first = state.paths()[0]
    assert json.loads(state.served(first)[1]) == state.get(first)  # made again when asked
