"""`lint_catalog`: each house rule, proven on a copy of the shipped catalogue broken one way at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from catalog_edits import edit

from tidings.contracts import load_catalog
from tidings.contracts.lint.rules import LintProblem, is_past_tense, lint_catalog

SENT = "intervention.referral.sent"
SENT_FILE = Path("events") / SENT / "v1.yaml"
ATTENDED_FILE = Path("events/intervention.session-appointment.attended/v1.yaml")


def problems(root: Path) -> list[LintProblem]:
    return lint_catalog(load_catalog(root, strict=False))


def rules(root: Path) -> list[str]:
    return [problem.rule for problem in problems(root)]


def test_the_shipped_catalogue_passes() -> None:
    assert lint_catalog(load_catalog()) == []


def test_a_name_that_is_not_three_kebab_case_segments_fails(copy: Path) -> None:
    shutil.move(copy / "events" / SENT, copy / "events" / "intervention.Referral_Sent")
    edit(copy / "catalog.yaml", f"  - {SENT}\n", "  - intervention.Referral_Sent\n")
    found = problems(copy)
    assert any(p.rule == "naming" and "'intervention.Referral_Sent' does not follow" in p.message for p in found)
    assert found[0].path.endswith("catalog.yaml") and found[0].line is not None


def test_a_name_not_ending_in_a_past_tense_verb_fails(copy: Path) -> None:
    shutil.move(copy / "events" / SENT, copy / "events" / "intervention.referral.send")
    edit(copy / "catalog.yaml", f"  - {SENT}\n", "  - intervention.referral.send\n")
    assert any("should end in a past-tense verb" in p.message for p in problems(copy))


def test_event_types_with_two_producer_prefixes_fail(copy: Path) -> None:
    shutil.move(copy / "events" / SENT, copy / "events" / "referrals.referral.sent")
    edit(copy / "catalog.yaml", f"  - {SENT}\n", "  - referrals.referral.sent\n")
    assert any("more than one producer prefix" in p.message for p in problems(copy))


@pytest.mark.parametrize(("word", "past"), [("submitted", True), ("sent", True), ("withdrawn", True), ("send", False)])
def test_past_tense(word: str, past: bool) -> None:
    assert is_past_tense(word) is past


def test_versions_must_be_consecutive_from_one(copy: Path) -> None:
    v3 = copy / "events" / SENT / "v3.yaml"
    shutil.copy(copy / SENT_FILE, v3)
    edit(v3, "version: {const: 1}", "version: {const: 3}")
    edit(v3, "    version: 1\n", "    version: 3\n")
    [problem] = problems(copy)
    assert problem.rule == "versions"
    assert "versions of intervention.referral.sent are [1, 3]" in problem.message


def test_the_schema_must_pin_the_version(copy: Path) -> None:
    edit(copy / SENT_FILE, "    version: {const: 1}\n", "")
    assert "versions" in rules(copy)


def test_a_missing_description_fails(copy: Path) -> None:
    edit(copy / SENT_FILE, "description: >-\n  A probation", "summary: >-\n  A probation")
    assert "description" in rules(copy)


def test_a_placeholder_missing_from_additional_information_fails(copy: Path) -> None:
    edit(copy / SENT_FILE, "detailUrl: /sent-referral/{referralId}", "detailUrl: /sent-referral/{referralUuid}")
    [problem] = [p for p in problems(copy) if p.rule == "detail-url"]
    assert "placeholder {referralUuid} of detailUrl is not in additionalInformation" in problem.message
    assert problem.line == 4  # the detailUrl line of the file


def test_url_only_placeholders_must_be_declared(copy: Path) -> None:
    text = (copy / ATTENDED_FILE).read_text()
    start = text.index("# Placeholders")
    end = text.index("# SNS message")
    (copy / ATTENDED_FILE).write_text(text[:start] + text[end:])
    assert any("{sessionNumber}" in p.message for p in problems(copy))


def test_a_declared_url_only_placeholder_the_template_does_not_use_fails(copy: Path) -> None:
    edit(copy / ATTENDED_FILE, "/sessions/{sessionNumber}", "/sessions")
    found = problems(copy)
    assert any("urlOnlyParams declares 'sessionNumber', which detailUrl does not use" in p.message for p in found)


def test_an_example_that_does_not_validate_fails(copy: Path) -> None:
    edit(copy / SENT_FILE, "value: X123456", "value: x1")
    [problem] = problems(copy)
    assert problem.rule == "examples"
    assert "example 1 does not validate: /personReference/identifiers/0/value" in problem.message


def test_an_example_whose_detail_url_ignores_the_template_fails(copy: Path) -> None:
    edit(copy / SENT_FILE, "detailUrl: http://localhost:8080/sent-referral/", "detailUrl: http://localhost:8080/x/")
    assert any("does not follow the template" in p.message for p in problems(copy))


def test_a_contract_without_examples_fails(copy: Path) -> None:
    text = (copy / SENT_FILE).read_text()
    (copy / SENT_FILE).write_text(text[: text.index("examples:")])
    assert "examples" in rules(copy)


def test_an_invalid_json_schema_is_named(copy: Path) -> None:
    edit(copy / SENT_FILE, "version: {const: 1}", "version: {type: whole-number}")
    [problem] = problems(copy)
    assert problem.rule == "schema"
    assert problem.path == str(copy / SENT_FILE)
    assert "not valid JSON Schema at /properties/version/type" in problem.message


def test_wrong_message_attributes_fail(copy: Path) -> None:
    edit(copy / SENT_FILE, "StringValue: intervention.referral.sent}", "StringValue: referral.sent}")
    assert "attributes" in rules(copy)


def test_stray_files_fail(copy: Path) -> None:
    (copy / "events" / SENT / "notes.txt").write_text("todo")
    (copy / "events" / "intervention.referral.forgotten").mkdir()
    (copy / "events" / "intervention.referral.forgotten" / "v1.yaml").write_text("a: 1")
    found = [p for p in problems(copy) if p.rule == "stray-file"]
    assert sorted(Path(p.path).name for p in found) == ["notes.txt", "v1.yaml"]


def test_a_listed_event_without_files_is_reported(copy: Path) -> None:
    shutil.rmtree(copy / "events" / SENT)
    assert any("has no v1.yaml" in p.message and p.rule == "load" for p in problems(copy))


def test_problems_print_as_file_line_rule_message() -> None:
    assert str(LintProblem("a.yaml", 3, "naming", "bad")) == "a.yaml:3: [naming] bad"
    assert str(LintProblem("a.yaml", None, "stray-file", "x")) == "a.yaml: [stray-file] x"
