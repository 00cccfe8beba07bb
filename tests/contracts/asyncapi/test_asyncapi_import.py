"""`tidings.contracts.asyncapi` import over a sample of the real hmpps-domain-events registry (tests/data/registry,
byte-exact files including the awkward ones)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.lint.rules import lint_catalog
from tidings.contracts.registry.loader import load_registry

REGISTRY = Path(__file__).parents[2] / "data" / "registry" / "hmpps-domain-events"
RAW = "https://raw.githubusercontent.com/ministryofjustice/hmpps-domain-events/main/"
SCHEMAS = REGISTRY / "spec" / "schemas"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    into = tmp_path_factory.mktemp("imported") / "registry"
    report = import_paths([REGISTRY], into, ref_bases={RAW: REGISTRY})
    return report, into


def _file(report, relative: str):
    return next(f for f in report.files if f.path.endswith(relative))


def test_every_message_file_has_an_outcome(imported) -> None:
    report, _ = imported
    message_files = [p for p in REGISTRY.rglob("*") if p.suffix in (".yml", ".yaml")]
    reported = {Path(f.path).resolve() for f in report.files}
    assert {p.resolve() for p in message_files} <= reported
    assert report.counts["refused"] == 0
    assert report.event_type_count == len({t for types in report.producers.values() for t in types})


def test_short_forms_are_normalised_with_their_line(imported) -> None:
    report, into = imported
    ended = _file(report, "refer-and-monitor/referral-ended.yml")
    assert ended.status == "normalised"
    lines = (SCHEMAS / "refer-and-monitor" / "referral-ended.yml").read_text().splitlines()
    note = next(n for n in ended.notes if "referralId: string" in n.text)
    assert lines[note.line - 1].strip() == "referralId: string"
    schema = yaml.safe_load((into / "refer-and-monitor/events/intervention.referral.ended/v1.yaml").read_text())[
        "schema"
    ]
    assert schema["properties"]["additionalInformation"]["properties"]["referralId"] == {"type": "string"}


def test_generator_placeholder_and_doubled_properties(imported) -> None:
    report, into = imported
    booking = _file(report, "schemas/approved-premises/booking-made.yml")
    assert any("bookingId: bookingId" in n.text and "any type" in n.text for n in booking.notes)
    approved = yaml.safe_load((into / "refer-and-monitor/events/intervention.action-plan.approved/v1.yaml").read_text())
    fields = approved["schema"]["properties"]["additionalInformation"]["properties"]
    assert "properties" not in fields and "actionPlanId" in fields


def test_conflicts_name_both_paths_and_the_winner(imported) -> None:
    report, into = imported
    auto = _file(report, "spec/auto/intervention/referral-ended.yaml")
    assert auto.status == "conflict"
    text = " ".join(n.text for n in auto.notes)
    assert "refer-and-monitor/referral-ended.yml" in text and "spec/schemas wins over spec/auto" in text
    assert (
        not (into / "intervention").exists()
        or "intervention.referral.ended" not in (into / "intervention" / "catalog.yaml").read_text()
    )
    same = _file(report, "prison-offender-events/video-appointment.cancelled.yaml")
    assert same.status == "conflict" and "merge them by hand" in " ".join(n.text for n in same.notes)


def test_event_type_from_payload_when_name_is_a_title(imported) -> None:
    report, _ = imported
    pre = _file(report, "pre-sentence_report_completed.yml")
    assert pre.event_types == ["pre-sentence.report.completed v1"]
    assert any("is not an event type" in n.text for n in pre.notes)


def test_string_versions_and_bad_examples_are_reported(imported) -> None:
    report, _ = imported
    levels = _file(report, "incentives/levels-reordered.yml")
    assert any("'1.0'" in n.text and "read as 1" in n.text for n in levels.notes)
    cell = _file(report, "prisoner.cell.move.yaml")
    assert any("example not kept" in n.text and "bedAssignmentSeq" in n.text for n in cell.notes)


def test_document_refs_resolve_through_ref_base(imported) -> None:
    report, _ = imported
    doc = _file(report, "spec/hmpps-domain-events.yml")
    texts = [n.text for n in doc.notes]
    assert any("application-assessed.yml" in t and "no such file" in t for t in texts)
    assert any("imported as a file of its own" in t for t in texts)


def test_result_loads_validates_and_lints(imported) -> None:
    _, into = imported
    registry = load_registry(into)
    assert registry.topic == "hmpps-domain-events-topic"
    assert len(registry.event_types) >= 45
    valid = 0
    for event_type in registry.event_types:
        for example in registry.owner(event_type).get(event_type).examples:
            valid += registry.validate(example) == []
    assert valid >= 30
    event = registry.owner("intervention.referral.ended").get("intervention.referral.ended").examples[0]
    broken = {**event, "occurredAt": 7}
    assert registry.validate(broken)
    for catalog in registry.catalogs:
        assert all(p.rule != "load" for p in lint_catalog(catalog)), catalog.producer


def test_unreadable_and_foreign_files_do_not_stop_the_import(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "broken.yml").write_text("name: x.y.z\npayload: [unclosed\n")
    (src / "nothing.yml").write_text("hello: world\n")
    (src / "ok.yml").write_text((SCHEMAS / "refer-and-monitor" / "action-plan-submitted.yml").read_text())
    report = import_paths([src], tmp_path / "out")
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["broken.yml"].status == "refused" and (by_name["broken.yml"].notes[0].line or 0) >= 2
    assert by_name["nothing.yml"].status == "skipped"
    assert by_name["ok.yml"].status == "normalised"
    assert report.producers == {"intervention": ["intervention.action-plan.submitted"]}
