"""Pact handlers as consumers write them (pytester, in a subprocess): `tidings_pact` hands the handler the decoded
event and says why it failed; the README's plain pact-python example works exactly as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"

HANDLER_TESTS = """
SENT = "intervention.referral.sent"
REFERRAL_ID = "8f4c2a3e-6b1d-4f7a-9c2e-1d3b5a7c9e0f"


def sent(pact):
    (
        pact.upon_receiving("a referral sent event", "Async")
        .with_body({"eventType": SENT, "additionalInformation": {"referralId": REFERRAL_ID}},
                   content_type="application/json")
        .with_metadata({"eventType": SENT})
    )


def test_the_handler_gets_the_decoded_event(tidings_pact):
    pact = tidings_pact("handlers")
    sent(pact)
    seen = []
    pact.verify(lambda event, metadata: seen.append((type(event).__name__, event["additionalInformation"])), "Async")
    assert seen == [("dict", {"referralId": REFERRAL_ID})]


def test_a_failing_handler_says_which_message_and_why(tidings_pact):
    pact = tidings_pact("handlers")
    sent(pact)

    def handler(event, metadata):
        assert event["additionalInformation"]["referralId"] == "someone else's"

    pact.verify(handler, "Async")
"""


def test_tidings_pact_handlers_get_the_event_and_failures_say_why(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\ntidings_pact_dir = build/pacts\n")
    pytester.makepyfile(test_handlers=HANDLER_TESTS)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PactHandlerFailed: the handler failed on 1 pact message(s):",
            "*- 'a referral sent event': AssertionError at *test_handlers.py:27 (assert event*): assert *",
        ]
    )
    out = result.stdout.str()
    assert """(assert event["additionalInformation"]["referralId"] == "someone else's")""" in out
    assert "Error verifying Pact (count: 1)" not in out


def test_the_readmes_plain_pact_python_example_works_as_written(pytester: pytest.Pytester) -> None:
    section = README.read_text(encoding="utf-8").split("## Contract testing with Pact", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None
    handled = 'HANDLED = []\n\n\ndef handle_event(event):\n    HANDLED.append(event["eventType"])\n\n\n'
    check = '\n\ndef test_the_handler_was_called():\n    assert HANDLED == ["intervention.referral.sent"]\n'
    pytester.makepyfile(test_readme=handled + example.group(1) + check)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:tidings")
    result.assert_outcomes(passed=2)
    assert (pytester.path / "pacts" / "referrals-dashboard-hmpps-interventions-service.json").is_file()
