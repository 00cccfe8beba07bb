"""The plugin over a registry (`tidings_registry`): a test suite emits and plays events of two producers on one
topic (tests/data/multi_producer), each built and validated by its own producer's contract, and the fake API
serves each detailUrl under its producer's base path. Run as a user runs it, in a pytester subprocess."""

from __future__ import annotations

import textwrap

import pytest

from tests.multi_producer import BASE_PATHS, BOOKING, FIXTURES, MULTI, SENT

pytest_plugins = ["pytester"]

USER_TESTS = textwrap.dedent(
    f"""
    import json
    import urllib.request

    import pytest

    BASE_PATHS = {BASE_PATHS!r}


    def _served(tidings, received):
        url = received.event["detailUrl"]
        assert url.startswith(tidings.api_url + BASE_PATHS[received.event["eventType"]] + "/"), url
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.status == 200
            return json.loads(answer.read())


    def test_emit_an_event_of_each_producer(tidings):
        queue = tidings.queue()
        tidings.emit("{BOOKING}", crn="X101010")
        tidings.emit("{SENT}", crn="X101010")
        booking = queue.wait_for("{BOOKING}", crn="X101010")
        referral = queue.wait_for("{SENT}", crn="X101010")
        assert booking.problem is None and referral.problem is None
        assert _served(tidings, booking)
        assert _served(tidings, referral)


    def test_play_a_scenario_of_two_producers(tidings):
        queue = tidings.queue()
        run = tidings.play("referral-and-booking", crn="X202020")
        assert [e.event_type for e in run.events] == ["{SENT}", "{BOOKING}"]
        for event_type in ("{SENT}", "{BOOKING}"):
            assert _served(tidings, queue.wait_for(event_type, crn="X202020"))


    def test_an_event_type_no_producer_emits_is_refused(tidings):
        with pytest.raises(Exception, match="unknown event type 'approved-premises.booking.mad'"):
            tidings.emit("approved-premises.booking.mad")
    """
)


def test_a_suite_configured_with_a_registry_emits_and_serves_both_producers(pytester: pytest.Pytester) -> None:
    pytester.makeini(f"[pytest]\ntidings_registry = {MULTI}\ntidings_fixtures = {FIXTURES}\n")
    pytester.makepyfile(test_registry=USER_TESTS)
    # In a subprocess, as the other plugin tests: an in-process run would unload the modules it imported.
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_the_registry_setting_comes_from_the_command_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_option=textwrap.dedent(
            f"""
            def test_the_second_producer_is_known(tidings, tidings_settings):
                assert tidings_settings.registry == {str(MULTI)!r}
                queue = tidings.queue()
                tidings.emit("{BOOKING}", crn="X303030")
                assert queue.wait_for("{BOOKING}", crn="X303030").problem is None
            """
        )
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", f"--tidings-registry={MULTI}")
    result.assert_outcomes(passed=1)
