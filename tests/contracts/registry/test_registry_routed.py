"""`RoutedCatalog`: a registry as the one catalogue a play works with — each event type built, validated and
given a detailUrl by its own producer, on that producer's base path of a shared fake API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.multi_producer import BASE_PATHS, BOOKING, MULTI, SECOND, SENT, SHIPPED_CATALOG
from tests.registry_support import MOVED, moved_registry
from tidings.contracts.errors import UnknownEventType, UsageError
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.registry.routed import RoutedCatalog, base_path_of


@pytest.fixture(scope="module")
def routed() -> RoutedCatalog:
    return RoutedCatalog(load_registry(MULTI))


def test_the_base_path_is_the_api_base_urls_path_else_the_producer(routed: RoutedCatalog) -> None:
    assert [(path, catalog.producer) for path, catalog in routed.mounts] == [
        ("/hmpps-interventions-service", "hmpps-interventions-service"),  # apiBaseUrl http://localhost:8080
        ("/approved-premises", "approved-premises"),  # apiBaseUrl http://localhost:8080/approved-premises
    ]
    assert base_path_of(routed.owner(BOOKING)) == "/approved-premises"


@pytest.mark.parametrize("event_type", [SENT, BOOKING])
def test_each_example_is_its_producers_on_its_base_path(routed: RoutedCatalog, event_type: str) -> None:
    event = routed.example(event_type, base_url="http://127.0.0.1:9999/", crn="X123456")
    assert event["eventType"] == event_type
    assert event["detailUrl"].startswith(f"http://127.0.0.1:9999{BASE_PATHS[event_type]}/")
    assert routed.validate(event) == []
    assert routed.get(event_type) is routed.owner(event_type).get(event_type)


def test_with_no_fake_api_each_event_keeps_its_catalogues_own_api_base_url(routed: RoutedCatalog) -> None:
    assert routed.example(BOOKING)["detailUrl"].startswith("http://localhost:8080/approved-premises/events/")
    assert routed.example(SENT)["detailUrl"].startswith("http://localhost:8080/sent-referral/")


def test_validation_is_by_the_owners_contract(routed: RoutedCatalog) -> None:
    event = routed.example(BOOKING, **{"additionalInformation.bookingId": "not-a-uuid"})
    [violation] = routed.validate(event)
    assert violation.pointer == "/additionalInformation/bookingId"


def test_an_event_type_no_producer_emits_names_the_closest(routed: RoutedCatalog) -> None:
    with pytest.raises(UnknownEventType, match=r"unknown event type 'approved-premises\.booking\.mad'") as raised:
        routed.example("approved-premises.booking.mad")
    assert BOOKING in (raised.value.hint or "")


def test_two_producers_on_one_base_path_are_refused(tmp_path: Path) -> None:
    for name in ("one", "two"):
        shutil.copytree(SECOND, tmp_path / name)
        index = yaml.safe_load((tmp_path / name / "catalog.yaml").read_text())
        index["producer"] = name
        (tmp_path / name / "catalog.yaml").write_text(yaml.safe_dump(index))
    with pytest.raises(UsageError, match=r"producers one and two share the fake API base path /approved-premises"):
        RoutedCatalog(load_registry([tmp_path / "one", tmp_path / "two"]))
    assert RoutedCatalog(load_registry([SHIPPED_CATALOG, tmp_path / "one"])).producer == (
        "hmpps-interventions-service, one"
    )


def test_a_moved_event_type_is_built_by_its_new_producer_on_its_base_path(tmp_path: Path) -> None:
    routed = RoutedCatalog(load_registry(moved_registry(tmp_path)))
    event = routed.example(MOVED, base_url="http://127.0.0.1:9999")
    assert event["detailUrl"].startswith("http://127.0.0.1:9999/new-service/")
    assert routed.owner(MOVED).producer == "new-service" and routed.validate(event) == []
    old, new = routed.catalogs
    assert [c.event_type for c in routed if c.event_type == MOVED] == [MOVED] * len(new.versions(MOVED))
    assert all(routed.owns(new, contract) for contract in routed if contract.event_type == MOVED)
    assert routed.example(SENT, base_url="http://127.0.0.1:9999")["detailUrl"].startswith(
        "http://127.0.0.1:9999/hmpps-interventions-service/"
    )
    assert old.producer == "hmpps-interventions-service"
