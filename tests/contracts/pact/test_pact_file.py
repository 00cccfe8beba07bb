"""Loading consumers' pact files: V3 and V4 message pacts written by pact-python, and clear errors (exit 2) for
files that are not JSON, not pacts, or of another specification."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from pact_support import CRN, REFERRAL_ID, SENT, SENT_STATE, write_good_pact

from tidings.contracts.errors import InputFileError, UsageError
from tidings.contracts.pact.file import load_pact, load_pacts, pact_files, parse_pact
from tidings.contracts.pact.model import ProviderState
from tidings.contracts.pact.paths import ANY_ITEM, ANY_KEY, field_pointer, parse_path

BROKEN = Path(__file__).parents[2] / "data" / "pacts" / "broken"


@pytest.mark.parametrize("specification", ["V3", "V4"])
def test_a_pact_python_message_pact_loads_with_states_bodies_metadata_and_rules(
    tmp_path: Path, specification: str
) -> None:
    path = write_good_pact(tmp_path, specification=specification)
    pact = load_pact(path)
    assert (pact.consumer, pact.provider, pact.specification) == (
        "referrals-dashboard",
        "hmpps-interventions-service",
        specification,
    )
    sent = next(i for i in pact.interactions if i.description == "a referral sent event")
    assert sent.states == (ProviderState(SENT_STATE, {"referralId": REFERRAL_ID, "crn": CRN}),)
    assert sent.body["additionalInformation"] == {"referralId": REFERRAL_ID}
    assert sent.metadata["eventType"] == SENT
    assert sent.body_rules["$.version"] == [{"match": "integer"}]
    assert sent.source.endswith(("#/interactions/0", "#/messages/0"))
    assert len(pact.interactions) == 3


def test_http_interactions_are_read_beside_the_messages(tmp_path: Path) -> None:
    from pact import Pact

    pact = Pact("mixed-consumer", "hmpps-interventions-service")
    pact.upon_receiving("a request for a referral").with_request("GET", "/sent-referral/1").will_respond_with(200)
    pact.upon_receiving("a referral sent event", "Async").with_body(
        {"eventType": SENT}, content_type="application/json"
    )
    pact.write_file(tmp_path)
    loaded = load_pact(tmp_path / "mixed-consumer-hmpps-interventions-service.json")
    assert [i.description for i in loaded.interactions] == ["a referral sent event"]
    assert loaded.skipped == ()
    [http] = loaded.http_interactions
    assert (http.description, http.method, http.path, http.status) == (
        "a request for a referral",
        "GET",
        "/sent-referral/1",
        200,
    )
    assert "#/interactions/" in http.source


def test_a_file_that_is_not_json_names_the_file_and_line() -> None:
    with pytest.raises(InputFileError) as caught:
        load_pact(BROKEN / "not-json.json")
    assert str(caught.value).startswith(f"{BROKEN / 'not-json.json'}:1: not JSON")
    assert caught.value.exit_code == 2


def test_a_json_file_that_is_not_a_pact_says_what_is_missing() -> None:
    with pytest.raises(InputFileError, match=r"not-a-pact.json: not a pact: no consumer, provider, interactions"):
        load_pact(BROKEN / "not-a-pact.json")


def test_a_v2_pact_is_refused_naming_the_versions_tidings_reads() -> None:
    with pytest.raises(InputFileError, match=r"v2-pact.json: pact specification 2.0.0 is not supported.*V3 or V4"):
        load_pact(BROKEN / "v2-pact.json")


def test_folders_give_their_json_files_and_missing_paths_are_usage_errors(tmp_path: Path) -> None:
    first = write_good_pact(tmp_path, consumer="b-consumer")
    second = write_good_pact(tmp_path, consumer="a-consumer")
    (tmp_path / "notes.txt").write_text("not a pact", encoding="utf-8")
    assert pact_files([tmp_path, first]) == [second, first]
    assert [pact.consumer for pact in load_pacts([tmp_path])] == ["a-consumer", "b-consumer"]
    with pytest.raises(InputFileError, match="no such file or directory"):
        pact_files([tmp_path / "missing.json"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="no pact files"):
        pact_files([empty])


def test_v4_base64_contents_are_decoded() -> None:
    body = {"eventType": SENT, "version": 1}
    document = {
        "consumer": {"name": "c"},
        "provider": {"name": "p"},
        "interactions": [
            {
                "type": "Asynchronous/Messages",
                "description": "encoded",
                "contents": {
                    "content": base64.b64encode(json.dumps(body).encode()).decode(),
                    "contentType": "application/json",
                    "encoded": "base64",
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    [interaction] = parse_pact(document, Path("inline.json")).interactions
    assert interaction.body == body


@pytest.mark.parametrize(
    ("path", "segments", "field"),
    [
        ("$", [], ""),
        (
            "$.additionalInformation.referralId",
            ["additionalInformation", "referralId"],
            "/additionalInformation/referralId",
        ),
        ("$.personReference.identifiers[*].value", ["personReference", "identifiers", ANY_ITEM, "value"], None),
        ("$.personReference.identifiers[0].value", ["personReference", "identifiers", 0, "value"], None),
        ("$['odd.name'].x", ["odd.name", "x"], "/odd.name/x"),
        ("$.additionalInformation.*", ["additionalInformation", ANY_KEY], None),
    ],
)
def test_pact_json_paths_become_segments_and_field_pointers(path: str, segments: list, field: str | None) -> None:
    parsed = parse_path(path)
    assert parsed == segments
    if field is not None:
        assert field_pointer(parsed) == field
    if "identifiers" in path:
        assert field_pointer(parsed) == "/personReference/identifiers/*/value"


def test_what_is_not_a_json_path_is_none() -> None:
    assert parse_path("additionalInformation.referralId") is None
    assert parse_path("$.a[") is None
