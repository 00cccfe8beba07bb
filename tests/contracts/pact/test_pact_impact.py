"""The impact of a contract change on consumers' pacts (`tidings contracts check --pacts DIR`): which consumer
fields break, and why (removed, renamed, type changed, made optional)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalog_edits import edit
from pact import Pact, match
from pact_support import ASSIGNED, FEEDBACK, PROVIDER, write_bad_pacts, write_good_pact
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.contracts import SHIPPED_CATALOG, load_catalog
from tidings.contracts.pact.file import load_pacts
from tidings.contracts.pact.impact import pact_impact

ASSIGNED_FILE = Path("events") / ASSIGNED / "v1.yaml"
FEEDBACK_FILE = Path("events") / FEEDBACK / "v1.yaml"
FEEDBACK_REQUIRED = (
    "required: [serviceUserCRN, referralId, referralReference, contractTypeName, primeProviderName, "
    "referralProbationUserURL]"
)


@pytest.fixture(scope="module")
def pacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A consumer relying on assignedTo, and on referralId, deliusAppointmentId and primeProviderName."""
    folder = tmp_path_factory.mktemp("impact-pacts")
    pact = Pact("caseworker-app", PROVIDER).with_specification("V4")
    (
        pact.upon_receiving("a referral assigned event", "Async")
        .with_body(
            {
                "eventType": ASSIGNED,
                "additionalInformation": {
                    "referralId": match.uuid("68df9f6c-3fcb-4ec6-8fcf-96551cd9b080"),
                    "assignedTo": match.str("someone@example.org"),
                },
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": ASSIGNED})
    )
    (
        pact.upon_receiving("session feedback was submitted", "Async")
        .with_body(
            {
                "eventType": FEEDBACK,
                "additionalInformation": {
                    "referralId": match.uuid("68df9f6c-3fcb-4ec6-8fcf-96551cd9b080"),
                    "deliusAppointmentId": match.str("2500009788"),
                    "primeProviderName": match.str("Harmony Living"),
                },
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": FEEDBACK})
    )
    pact.write_file(folder)
    return folder


def breaks(copy: Path, pacts_dir: Path) -> list[str]:
    impacts = pact_impact(load_catalog(copy), load_pacts([pacts_dir]), baseline=load_catalog())
    return [f"{impact.interaction.description}: {breakage}" for impact in impacts for breakage in impact.breaks]


def test_an_unchanged_catalogue_breaks_nobody(copy: Path, pacts_dir: Path) -> None:
    assert breaks(copy, pacts_dir) == []


def test_a_renamed_field_is_named_with_its_new_name(copy: Path, pacts_dir: Path) -> None:
    edit(copy / ASSIGNED_FILE, "assignedTo", "assignedToUser")
    [found] = breaks(copy, pacts_dir)
    assert found.startswith(
        "a referral assigned event: /additionalInformation/assignedTo: renamed "
        "(removed (was required); renamed to /additionalInformation/assignedToUser?)"
    )


def test_a_removed_field_a_type_change_and_a_field_made_optional(copy: Path, pacts_dir: Path) -> None:
    edit(
        copy / FEEDBACK_FILE, '        primeProviderName:        {$ref: "../../envelope.schema.json#/$defs/text"}\n', ""
    )
    edit(copy / FEEDBACK_FILE, "      primeProviderName: Harmony Living\n", "")
    edit(copy / FEEDBACK_FILE, FEEDBACK_REQUIRED, "required: [serviceUserCRN, referralReference, contractTypeName]")
    edit(copy / FEEDBACK_FILE, "deliusAppointmentId:      {type: string}", "deliusAppointmentId:      {type: integer}")
    edit(copy / FEEDBACK_FILE, 'deliusAppointmentId: "2500009788"', "deliusAppointmentId: 2500009788")
    found = breaks(copy, pacts_dir)
    assert [line.split(": ", 2)[1] + ": " + line.split(": ", 2)[2].split(" (")[0] for line in found] == [
        "/additionalInformation/deliusAppointmentId: type changed",
        "/additionalInformation/primeProviderName: removed",
        "/additionalInformation/referralId: made optional",
    ]
    assert "wrong type (expected integer" in found[0]


def test_check_with_pacts_exits_1_naming_the_consumer_and_field(copy: Path, pacts_dir: Path) -> None:
    edit(copy / ASSIGNED_FILE, "assignedTo", "assignedToUser")
    result = CliRunner().invoke(
        app,
        ["contracts", "check", "--contracts", str(copy), "--against", str(SHIPPED_CATALOG), "--pacts", str(pacts_dir)],
    )
    assert result.exit_code == 1, result.output
    assert "consumer pacts: 2 message interaction(s) checked, 1 broken by the change against" in result.output
    assert f"BREAKS caseworker-app: 'a referral assigned event' ({ASSIGNED} v1)" in result.output
    assert "/additionalInformation/assignedTo: renamed" in result.output
    as_json = CliRunner().invoke(
        app,
        [
            "contracts",
            "check",
            "--json",
            "--contracts",
            str(copy),
            "--against",
            str(SHIPPED_CATALOG),
            "--pacts",
            str(pacts_dir),
        ],
    )
    data = json.loads(as_json.output)
    assert data["ok"] is False
    assert [impact["breaking"] for impact in data["pacts"]] == [True, False]
    assert data["pacts"][0]["breaks"][0]["kind"] == "renamed"


def test_check_with_pacts_and_no_baseline_checks_them_against_the_contracts(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    write_good_pact(good)
    write_bad_pacts(bad)
    ok = CliRunner().invoke(app, ["contracts", "check", "--pacts", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "OK: no breaking change without a version bump and no consumer pact broken" in ok.output
    broken = CliRunner().invoke(app, ["contracts", "check", "--pacts", str(bad)])
    assert broken.exit_code == 1
    assert "3 broken against the contracts" in broken.output
    assert "/additionalInformation/assignedToName: broken" in broken.output


def test_check_with_an_unreadable_pact_is_a_usage_error() -> None:
    broken = Path(__file__).parents[2] / "data" / "pacts" / "broken"
    result = CliRunner().invoke(app, ["contracts", "check", "--pacts", str(broken)])
    assert result.exit_code == 2
    assert "not-a-pact.json: not a pact" in result.output or "not JSON" in result.output
