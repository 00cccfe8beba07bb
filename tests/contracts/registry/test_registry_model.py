"""A registry of several producer catalogues: loading, routing by eventType, moves, settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.registry_support import second_producer
from tidings.contracts import SHIPPED_CATALOG, load_catalog
from tidings.contracts.errors import InputFileError, UnknownEventType
from tidings.contracts.registry.loader import load_registry, registry_setting


def test_several_catalogues_route_by_event_type(tmp_path: Path) -> None:
    other = second_producer(tmp_path, "accommodation", "intervention.referral.sent")
    index = yaml.safe_load((other / "catalog.yaml").read_text())
    shutil.move(other / "events" / "intervention.referral.sent", other / "events" / "accommodation.booking.made")
    index["events"] = ["accommodation.booking.made"]
    (other / "catalog.yaml").write_text(yaml.safe_dump(index))
    registry = load_registry([SHIPPED_CATALOG, other])
    assert registry.producers == ["hmpps-interventions-service", "accommodation"]
    assert registry.owner("accommodation.booking.made").producer == "accommodation"
    event = load_catalog().example("intervention.referral.sent")
    assert registry.validate(event) == []
    assert registry.validate({**event, "occurredAt": "yesterday"})
    with pytest.raises(UnknownEventType):
        registry.validate({**event, "eventType": "nobody.emits.this"})


def test_a_move_gives_the_event_type_to_the_new_producer(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED_CATALOG, tmp_path / "old")
    second_producer(tmp_path, "new-service", "intervention.referral.ended")
    (tmp_path / "registry.yaml").write_text(
        yaml.safe_dump(
            {
                "topic": "hmpps-domain-events",
                "producers": ["old", "new-service"],
                "moves": [
                    {
                        "eventType": "intervention.referral.ended",
                        "from": "hmpps-interventions-service",
                        "to": "new-service",
                    }
                ],
            }
        )
    )
    registry = load_registry(tmp_path)
    assert registry.owner("intervention.referral.ended").producer == "new-service"
    assert registry.owner("intervention.referral.sent").producer == "hmpps-interventions-service"
    assert registry.duplicates == {}


def test_an_undeclared_second_producer_is_a_duplicate(tmp_path: Path) -> None:
    other = second_producer(tmp_path, "new-service", "intervention.referral.ended")
    registry = load_registry([SHIPPED_CATALOG, other])
    assert registry.duplicates == {"intervention.referral.ended": ["hmpps-interventions-service", "new-service"]}


def test_bad_registry_files_say_where(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED_CATALOG, tmp_path / "a")
    (tmp_path / "registry.yaml").write_text(
        "topic: t\nproducers: [a]\nmoves:\n  - {eventType: x.y.z, from: a, to: b}\n"
    )
    with pytest.raises(InputFileError) as raised:
        load_registry(tmp_path)
    assert "registry.yaml:3" in str(raised.value) and "is not a producer" in str(raised.value)


def test_registry_setting_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIDINGS_REGISTRY", str(tmp_path))
    assert registry_setting() == tmp_path
    assert registry_setting(Path("given")) == Path("given")
