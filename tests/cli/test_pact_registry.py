"""`tidings pact lint|verify` over a registry (tests/data/multi_producer): each message interaction of one pact
checked against, and verified with a message built by, the producer that emits its event type; HTTP
interactions call one producer's API, chosen with --producer (refused without it, naming the option)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from http_pact_support import write_http_pact
from typer.testing import CliRunner

from tests.multi_producer import BOOKING, MULTI, SECOND, SENT, SHIPPED_CATALOG

os.environ["PACT_DO_NOT_TRACK"] = "true"  # before pact is imported

from pact import Pact, match

from tidings.cli.app import app

TOPIC = "hmpps-domain-events"
BOOKING_ID = "5d4a0086-3ef3-47c9-acab-54e47cf27169"
REFERRAL_ID = "8f4c2a3e-6b1d-4f7a-9c2e-1d3b5a7c9e0f"
REGISTRY = ["--registry", str(MULTI)]


def _write_two_producer_pact(directory: Path) -> Path:
    """A consumer of the topic that reads a referral (interventions) and a booking (approved-premises)."""
    pact = Pact("accommodation-dashboard", TOPIC).with_specification("V4")
    (
        pact.upon_receiving("a referral sent event", "Async")
        .given("a referral has been sent", referralId=REFERRAL_ID, crn="X654321")
        .with_body(
            {"eventType": SENT, "additionalInformation": {"referralId": match.uuid(REFERRAL_ID)}},
            content_type="application/json",
        )
        .with_metadata({"eventType": SENT})
    )
    (
        pact.upon_receiving("an approved premises booking made event", "Async")
        .with_body(
            {
                "eventType": BOOKING,
                # The approved-premises catalogue's own base path: only its catalogue builds this detailUrl.
                "detailUrl": match.regex(
                    f"http://localhost:8080/approved-premises/events/booking-made/{BOOKING_ID}",
                    regex=r"^http://localhost:8080/approved-premises/events/booking-made/[0-9a-f-]{36}$",
                ),
                "additionalInformation": {"bookingId": match.uuid(BOOKING_ID)},
            },
            content_type="application/json",
        )
        .with_metadata({"eventType": BOOKING})
    )
    directory.mkdir(parents=True, exist_ok=True)
    pact.write_file(directory, overwrite=True)
    return directory / f"{pact.consumer}-{pact.provider}.json"


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_two_producer_pact(tmp_path_factory.mktemp("two-producers"))


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_http_pact(tmp_path_factory.mktemp("http"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["pact", *args], env={"TIDINGS_REGISTRY": ""})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "options",
    [REGISTRY, ["--contracts", str(SHIPPED_CATALOG), "--contracts", str(SECOND)]],
    ids=["registry", "two-contracts"],
)
def test_lint_checks_each_message_against_its_own_producer(two: Path, options: list[str]) -> None:
    code, out, err = run("lint", str(two), *options)
    assert code == 0, out + err
    assert f"OK 'a referral sent event' → {SENT} v1 (by metadata eventType) of hmpps-interventions-service" in out
    assert f"→ {BOOKING} v1 (by metadata eventType) of approved-premises" in out
    assert "warning: the registry's producers" not in out  # the topic is a provider the registry answers for
    code, out, _ = run("lint", str(two), *options, "--json")
    data = json.loads(out)
    assert code == 0 and data["producers"] == ["hmpps-interventions-service", "approved-premises"]
    assert [i["producer"] for i in data["files"][0]["interactions"]] == [
        "hmpps-interventions-service",
        "approved-premises",
    ]


def test_lint_without_the_registry_does_not_know_the_second_producer(two: Path) -> None:
    code, out, _ = run("lint", str(two))
    assert code == 1
    assert f"unknown event type {BOOKING!r}" in out


def test_lint_a_registry_with_http_interactions_needs_the_producer(http: Path) -> None:
    code, out, err = run("lint", str(http), *REGISTRY)
    assert code == 2
    assert "HTTP interactions call one producer's business API" in err
    assert "--producer" in err and "Traceback" not in out + err
    code, out, err = run("lint", str(http), *REGISTRY, "--producer", "hmpps-interventions-service")
    assert code == 0, out + err
    assert "sent-referral v1 (/sent-referral/{referralId})" in out
    code, _, err = run("lint", str(http), *REGISTRY, "--producer", "approved-premise")
    assert code == 2 and "did you mean approved-premises" in err


def test_verify_builds_each_message_with_its_own_producer(two: Path) -> None:
    code, out, err = run("verify", str(two), *REGISTRY, "--json")
    assert code == 0, out + err
    report = json.loads(out)
    assert {(r["eventType"], r["passed"]) for r in report["results"]} == {(SENT, True), (BOOKING, True)}


def test_verify_without_the_registry_fails_the_second_producers_message(two: Path) -> None:
    code, out, err = run("verify", str(two), "--provider", TOPIC, "--json")
    assert code == 1, out + err
    results = {r["description"]: r for r in json.loads(out)["results"]}
    assert results["a referral sent event"]["passed"]
    booking = results["an approved premises booking made event"]
    assert not booking["passed"] and f"unknown event type {BOOKING!r}" in " ".join(booking["mismatches"])


def test_verify_a_registry_with_http_interactions_needs_the_producer(http: Path) -> None:
    code, out, err = run("verify", str(http), *REGISTRY)
    assert code == 2
    assert "--producer" in err and "Traceback" not in out + err
    code, out, err = run("verify", str(http), *REGISTRY, "--producer", "hmpps-interventions-service", "--json")
    assert code == 0, out + err
    assert len(json.loads(out)["results"]) == 3


def test_verify_from_a_broker_over_a_registry_needs_the_provider() -> None:
    code, _, err = run("verify", "--broker-url", "https://broker.example.com", *REGISTRY)
    assert code == 2
    assert "error: a Pact Broker is asked for one provider's pacts" in err and "--provider" in err
