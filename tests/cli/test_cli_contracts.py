"""`tidings contracts …` as a user runs it: exit codes and output, bad input as one `error:` line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tidings.cli.app import app
from tidings.contracts import SHIPPED_CATALOG, load_catalog

SENT = "intervention.referral.sent"
FEEDBACK = "intervention.session-appointment.session-feedback-submitted"
FEEDBACK_FILE = Path("events") / FEEDBACK / "v1.yaml"

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["contracts", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def write_event(folder: Path, name: str, event: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(event) if not isinstance(event, str) else event, encoding="utf-8")
    return path


def test_list_shows_every_event_type_with_versions_and_template() -> None:
    code, output = run("list")
    assert code == 0
    for event_type in load_catalog().event_types:
        assert event_type in output
    assert "/sent-referral/{referralId}" in output
    assert "hmpps-interventions-service" in output


def test_list_json() -> None:
    code, output = run("list", "--json")
    data = json.loads(output)
    assert code == 0
    assert data["producer"] == "hmpps-interventions-service"
    assert {"eventType": SENT, "versions": [1], "detailUrl": "/sent-referral/{referralId}"}.items() <= next(
        e for e in data["events"] if e["eventType"] == SENT
    ).items()


def test_show_prints_fields_and_an_example() -> None:
    code, output = run("show", FEEDBACK)
    assert code == 0
    assert "/additionalInformation/deliusAppointmentId" in output
    assert "{sessionNumber} is url-only" in output
    example = json.loads(output[output.index("example:") + len("example:") :])
    assert example["eventType"] == FEEDBACK


def test_show_json_with_version() -> None:
    code, output = run("show", SENT, "--version", "1", "--json")
    data = json.loads(output)
    assert code == 0
    field = next(f for f in data["fields"] if f["pointer"] == "/additionalInformation/referralId")
    assert field == {"pointer": "/additionalInformation/referralId", "type": "string", "required": True,
                     "constraints": {"format": "uuid"}}  # fmt: skip


def test_show_an_unknown_event_type_suggests_the_closest() -> None:
    code, output = run("show", "referral.sent")
    assert code == 2
    assert "error: unknown event type 'referral.sent'" in output
    assert "did you mean intervention.referral.sent" in output


def test_show_an_unknown_version() -> None:
    code, output = run("show", SENT, "--version", "4")
    assert code == 2
    assert "has no version 4" in output


def test_validate_ok_and_failing_files(tmp_path: Path) -> None:
    catalog = load_catalog()
    good = write_event(tmp_path, "good.json", catalog.example(SENT))
    bad = write_event(tmp_path, "bad.json", catalog.example(SENT, **{"additionalInformation.referralId": 7}))
    code, output = run("validate", str(good), str(bad))
    assert code == 1
    assert f"{good}: OK {SENT} v1" in output
    assert f"{bad}: FAIL {SENT} v1, 1 violation" in output
    assert "/additionalInformation/referralId: wrong type (expected string, found integer 7)" in output


def test_validate_unwraps_an_sns_notification(tmp_path: Path) -> None:
    event = load_catalog().example(FEEDBACK, **{"additionalInformation.deliusAppointmentId": 123})
    notification = {"Type": "Notification", "MessageId": "m", "Message": json.dumps(event)}
    code, output = run("validate", str(write_event(tmp_path, "n.json", notification)))
    assert code == 1
    assert "/additionalInformation/deliusAppointmentId: wrong type" in output


def test_validate_json_output(tmp_path: Path) -> None:
    path = write_event(tmp_path, "e.json", load_catalog().example(SENT, crn="bad"))
    code, output = run("validate", "--json", str(path))
    [result] = json.loads(output)
    assert code == 1
    assert result["ok"] is False
    assert result["violations"][0]["pointer"] == "/personReference/identifiers/0/value"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"eventType": "intervention.referral.sent",\n  "version": 1,,\n}', ":2: not valid JSON"),
        ("", "file is empty"),
        ('{"version": 1}', "the event has no eventType"),
        ('{"eventType": "intervention.referral.snet", "version": 1}', "did you mean intervention.referral.sent"),
        ('{"eventType": "intervention.referral.sent", "version": 9}', "has no version 9"),
        ("[1, 2]", "an event must be a JSON object"),
        ('{"Type": "Notification", "Message": "nope"}', "the notification's Message is not valid JSON"),
    ],
)
def test_validate_bad_input_exits_2_with_a_message_not_a_traceback(tmp_path: Path, content: str, message: str) -> None:
    path = write_event(tmp_path, "event.json", content)
    code, output = run("validate", str(path))
    assert code == 2
    assert message in output
    assert "Traceback" not in output


def test_validate_a_non_utf8_file_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"description": "caf\xe9"}')
    code, output = run("validate", str(path), str(tmp_path / "missing.json"))
    assert code == 2
    assert "not UTF-8 text" in output and "no such file" in output


def test_validate_continues_after_a_bad_file(tmp_path: Path) -> None:
    good = write_event(tmp_path, "good.json", load_catalog().example(SENT))
    code, output = run("validate", str(tmp_path / "missing.json"), str(good))
    assert code == 2
    assert f"{good}: OK" in output
    assert "2 file(s): 1 OK, 0 failed, 1 error(s)" in output


def test_lint_passes_on_the_shipped_catalogue() -> None:
    code, output = run("lint")
    assert code == 0
    assert "OK: 13 contracts" in output


def test_lint_fails_with_file_line_and_rule(copy: Path) -> None:
    path = copy / FEEDBACK_FILE
    path.write_text(path.read_text().replace("/sessions/{sessionNumber}", "/sessions/{sessionNo}", 1))
    code, output = run("lint", "--contracts", str(copy))
    assert code == 1
    assert f"{path}:4: [detail-url] placeholder {{sessionNo}}" in output


def test_lint_json(copy: Path) -> None:
    (copy / "stray.txt").write_text("x")
    code, output = run("lint", "--json", "--contracts", str(copy))
    data = json.loads(output)
    assert code == 1
    assert data["problems"] == [
        {"file": str(copy / "stray.txt"), "line": None, "rule": "stray-file", "message": data["problems"][0]["message"]}
    ]


def test_contracts_option_pointing_nowhere_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("list", "--contracts", str(tmp_path))
    assert code == 2
    assert output.startswith(f"error: {tmp_path}: not a contract catalogue (no catalog.yaml)")


def test_malformed_catalogue_file_reports_file_and_line(copy: Path) -> None:
    (copy / "catalog.yaml").write_text("producer: [unclosed\n")
    code, output = run("lint", "--contracts", str(copy))
    assert code == 2
    assert f"error: {copy / 'catalog.yaml'}:" in output and "not valid YAML" in output and "hint:" in output


def test_the_contracts_environment_variable_is_read(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (copy / "stray.txt").write_text("x")
    monkeypatch.setenv("TIDINGS_CONTRACTS", str(copy))
    code, _ = run("lint")
    assert code == 1


def test_check_passes_on_the_shipped_catalogue() -> None:
    code, output = run("check")
    assert code == 0
    assert "mode: forward" in output


def test_check_against_a_copy_with_a_changed_type_exits_1_naming_the_field(copy: Path) -> None:
    path = copy / FEEDBACK_FILE
    path.write_text(path.read_text().replace("{type: string}", "{type: number}"))
    code, output = run("check", "--contracts", str(copy), "--against", str(SHIPPED_CATALOG))
    assert code == 1
    assert f"BREAKING {FEEDBACK} v1: changed under the same version" in output
    assert (
        "/additionalInformation/deliusAppointmentId: type string → number; readers of v1 break; publish as v2" in output
    )


def test_check_against_json(copy: Path) -> None:
    path = copy / FEEDBACK_FILE
    path.write_text(path.read_text().replace("{type: string}", "{type: number}"))
    code, output = run("check", "--json", "--mode", "full", "--contracts", str(SHIPPED_CATALOG), "--against", str(copy))
    data = json.loads(output)
    assert code == 1
    [breaking] = [c for c in data["sameVersion"] if c["breaking"]]
    assert breaking["reasons"][0].startswith("/additionalInformation/deliusAppointmentId: type number → string")


def test_check_with_an_unknown_mode_or_ref_is_a_usage_error(copy: Path) -> None:
    code, output = run("check", "--mode", "sideways")
    assert (code, output.splitlines()[0]) == (2, "error: unknown --mode 'sideways'")
    code, output = run("check", "--contracts", str(copy), "--against", "no-such-ref-or-dir")
    assert code == 2
    assert "error:" in output


def test_show_puts_the_resource_behind_the_detail_url_beside_the_event() -> None:
    code, output = run("show", "intervention.action-plan.approved", "--json")
    assert code == 0
    resource = json.loads(output)["resource"]
    assert (resource["name"], resource["path"]) == ("action-plan", "/action-plan/{actionPlanId}")
    assert {"pointer": "/referralId", "type": "string", "required": True} in resource["fields"]
    code, output = run("show", "intervention.action-plan.approved")
    assert code == 0 and "resource at detailUrl: action-plan v1 (/action-plan/{actionPlanId})" in output
