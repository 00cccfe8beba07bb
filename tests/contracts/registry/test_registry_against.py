"""`contracts check --against-registry`: the shipped interventions catalogue against the imported sample of the
real hmpps-domain-events registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.contracts import load_catalog
from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.registry.against import check_against_registry
from tidings.contracts.registry.loader import load_registry

REGISTRY = Path(__file__).parents[2] / "data" / "registry" / "hmpps-domain-events"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    into = tmp_path_factory.mktemp("against") / "registry"
    import_paths([REGISTRY], into)
    return into


def test_field_type_disagreement_says_which_side_to_fix(imported: Path) -> None:
    found = check_against_registry(load_catalog(), load_registry(imported))
    delius = [d for d in found if d.pointer == "/additionalInformation/deliusAppointmentId"]
    assert {d.event_type for d in delius} == {
        "intervention.session-appointment.session-feedback-submitted",
        "intervention.initial-assessment-appointment.session-feedback-submitted",
    }
    assert all("sends string" in d.what and "says number" in d.what and d.fix == "registry" for d in delius)
    missing = {d.event_type for d in found if not d.pointer}
    assert "intervention.session-appointment.attended" in missing  # the registry has no spec of it
    assert "intervention.referral.ended" not in missing


def test_a_catalogue_agrees_with_its_own_import(tmp_path: Path) -> None:
    catalog = load_catalog()
    import yaml

    from tidings.contracts.asyncapi.export import export_asyncapi

    (tmp_path / "doc.yaml").write_text(yaml.safe_dump(export_asyncapi([catalog])))
    import_paths([tmp_path / "doc.yaml"], tmp_path / "reg")
    assert check_against_registry(catalog, load_registry(tmp_path / "reg")) == []


def test_cli_exits_1_on_disagreement(imported: Path) -> None:
    result = CliRunner().invoke(app, ["contracts", "check", "--against-registry", str(imported)])
    assert result.exit_code == 1
    assert "deliusAppointmentId: type: the producer sends string, the registry says number; fix the registry" in (
        result.output
    )
