"""`pact.http_file` and `pact.http_check`: consumers' HTTP interactions read from pact-python's files and checked
statically against the catalogue's resources."""

from __future__ import annotations

from pathlib import Path

import pytest
from http_pact_support import CRN, REFERRAL_ID, SENT_STATE, write_http_pact, write_wrong_http_pact
from pact import Pact, match  # http_pact_support has set PACT_DO_NOT_TRACK

from tidings.contracts import load_catalog
from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.pact.file import load_pact
from tidings.contracts.pact.http_check import HttpInteractionCheck, check_http, inspect_http_interaction
from tidings.contracts.pact.model import HttpInteraction


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def wrong(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> dict[str, HttpInteractionCheck]:
    pact = load_pact(write_wrong_http_pact(tmp_path_factory.mktemp("wrong")))
    return {check.interaction.description: check for check in check_http(catalog, pact)}


def test_a_v4_http_interaction_is_read_with_its_request_response_and_matchers(tmp_path: Path) -> None:
    pact = load_pact(write_http_pact(tmp_path))
    [message] = pact.interactions
    sent = next(i for i in pact.http_interactions if i.description == "a request for a sent referral")
    assert (sent.method, sent.path, sent.status) == ("GET", f"/sent-referral/{REFERRAL_ID}", 200)
    assert [(state.name, state.params) for state in sent.states] == [
        (SENT_STATE, {"referralId": REFERRAL_ID, "crn": CRN})
    ]
    assert sent.body["serviceUserCRN"] == CRN
    assert sent.body_rules["$.relevantSentenceId"] == [{"match": "integer"}]
    assert sent.content_type == "application/json"
    assert message.description == "a referral sent event"


def test_a_v3_http_interaction_and_a_path_matcher_are_read(tmp_path: Path) -> None:
    pact = Pact("v3-reader", "hmpps-interventions-service").with_specification("V3")
    (
        pact.upon_receiving("a referral")
        .with_request("GET", match.regex(f"/sent-referral/{REFERRAL_ID}", regex=r"^/sent-referral/[0-9a-f-]{36}$"))
        .will_respond_with(200)
        .with_body({"referenceNumber": match.str("JS18726AC")}, content_type="application/json")
    )
    pact.write_file(tmp_path)
    [read] = load_pact(tmp_path / "v3-reader-hmpps-interventions-service.json").http_interactions
    assert read.path == f"/sent-referral/{REFERRAL_ID}"
    assert read.path_rules == [{"match": "regex", "regex": r"^/sent-referral/[0-9a-f-]{36}$"}]
    assert read.body == {"referenceNumber": "JS18726AC"}
    assert read.body_rules["$.referenceNumber"] == [{"match": "type"}]


def test_a_pact_that_reads_the_producer_s_shape_has_no_error(catalog: Catalog, tmp_path: Path) -> None:
    checks = check_http(catalog, load_pact(write_http_pact(tmp_path)))
    assert [check.ok for check in checks] == [True, True]
    assert {check.resource.name for check in checks if check.resource} == {"sent-referral"}


def test_a_field_the_resource_lacks_is_an_error_naming_the_closest(wrong: dict[str, HttpInteractionCheck]) -> None:
    [error] = wrong["a referral with a field the producer never sends"].errors
    assert (error.pointer, error.field) == ("/serviceUser", "/serviceUser")
    assert "sent-referral v1 (/sent-referral/{referralId}) has no field /serviceUser" in error.message
    assert error.hint == "did you mean /serviceUserCRN?"


def test_a_path_no_resource_has_is_an_error_naming_the_template(wrong: dict[str, HttpInteractionCheck]) -> None:
    check = wrong["a path with a typo"]
    [error] = check.errors
    assert check.resource is None
    assert error.pointer == "request/path"
    assert "maps to no resource of hmpps-interventions-service's API" in error.message
    assert error.hint.startswith("did you mean /sent-referral/{referralId}")


def test_a_matcher_of_the_wrong_type_is_an_error(wrong: dict[str, HttpInteractionCheck]) -> None:
    [error] = wrong["a referral whose sentence id is text"].errors
    assert error.pointer == "/relevantSentenceId"
    assert "wrong type (expected integer" in error.message


def test_a_regex_matcher_on_an_integer_field_can_never_match(catalog: Catalog) -> None:
    interaction = HttpInteraction(
        "a referral",
        path=f"/sent-referral/{REFERRAL_ID}",
        body={"relevantSentenceId": "1"},
        body_rules={"$.relevantSentenceId": [{"match": "regex", "regex": r"\d+"}]},
    )
    [error] = inspect_http_interaction(catalog, interaction).errors
    assert error.pointer == "/relevantSentenceId"
    assert "match.regex (regex) can never match: sent-referral v1" in error.message
    assert "sends this field as integer" in error.message


def test_a_literal_no_state_supplies_is_a_warning_not_an_error(wrong: dict[str, HttpInteractionCheck]) -> None:
    check = wrong["a referral about another person"]
    assert check.ok
    [warning] = check.warnings
    assert warning.pointer == "/serviceUserCRN" and "no matcher" in warning.message


@pytest.mark.parametrize(
    ("interaction", "pointer", "words"),
    [
        (HttpInteraction("post", method="POST", path=f"/sent-referral/{REFERRAL_ID}"), "request/method", "GET"),
        (HttpInteraction("teapot", path=f"/sent-referral/{REFERRAL_ID}", status=418), "response/status", "not 418"),
        (
            HttpInteraction("xml", path=f"/sent-referral/{REFERRAL_ID}", headers={"Content-Type": "text/xml"}),
            "response/headers/Content-Type",
            "application/json",
        ),
        (
            HttpInteraction(
                "regex", path=f"/sent-referral/{REFERRAL_ID}", path_rules=[{"match": "regex", "regex": "^/x/.*$"}]
            ),
            "request/path",
            "does not accept the example path",
        ),
    ],
)
def test_requests_the_producer_does_not_answer_so_are_errors(
    catalog: Catalog, interaction: HttpInteraction, pointer: str, words: str
) -> None:
    errors = inspect_http_interaction(catalog, interaction).errors
    assert [error.pointer for error in errors] == [pointer]
    assert words in errors[0].message


def test_a_404_needs_no_body(catalog: Catalog) -> None:
    check = inspect_http_interaction(catalog, HttpInteraction("gone", path=f"/sent-referral/{REFERRAL_ID}", status=404))
    assert check.ok and not check.findings
