"""The pytest plugin tested as its users use it: test files run by `pytester`, asserting outcomes and output.

Few inner runs, each covering several behaviours: every run that asks for a tidings fixture starts an engine
and the fake API (a few hundred milliseconds in-process, seconds in a subprocess).
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tidings.simulator.engine.engines import Engine

pytest_plugins = ["pytester"]

STRICT = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings = error
"""
INI = STRICT + "tidings_fixtures = my-fixtures\n"

MY_SCENARIO = """
name: one-referral
description: A user's own scenario, found through the tidings_fixtures ini key.
params:
  crn: X000042
steps:
  - emit: intervention.referral.sent
    data: {crn: "{{ params.crn }}"}
"""

USER_TESTS = '''
import json
import sys
import urllib.error
import urllib.request

import pytest

SEEN = {}


def test_a_test_that_asks_for_no_tidings_fixture_starts_nothing():
    # The first test of the run: the plugin is loaded, but neither the simulator nor moto or FastAPI are.
    assert "tidings.pytest_plugin.plugin" in sys.modules
    assert not {"tidings.simulator.harness.harness", "moto", "fastapi", "boto3"} & set(sys.modules)


@pytest.fixture
def sent_queue(tidings):
    """Created in a fixture: it exists when the marker plays."""
    return tidings.queue("sent", filter={"eventType": ["intervention.referral.sent"]})


def test_session_fixtures_say_where_things_are(tidings_engine, tidings_api, tidings):
    assert tidings_engine.env["AWS_ENDPOINT_URL"] == tidings_engine.endpoint_url == tidings.endpoint_url
    assert tidings_engine.env["AWS_REGION"] == tidings_engine.region
    assert tidings_engine.topic_arn.endswith(":hmpps-domain-events") and tidings.topic_arn == tidings_engine.topic_arn
    assert tidings.api_url == tidings_api.base_url == tidings.env["TIDINGS_API_URL"]
    assert tidings.env["AWS_ENDPOINT_URL"] == tidings_engine.endpoint_url


@pytest.mark.tidings_scenario("referral-sent", crn="X123456", seed=4)
def test_the_marker_plays_before_the_body(tidings, tidings_api, sent_queue):
    (run,) = tidings.runs
    assert (run.scenario, run.seed, run.params["crn"]) == ("referral-sent", 4, "X123456")
    (message,) = sent_queue.receive(1)
    assert message.event["eventType"] == message.attributes["eventType"] == "intervention.referral.sent"
    assert message.message_id == run.events[0].message_id != message.sqs_message_id
    assert message.receipt_handle == message.raw["ReceiptHandle"]
    assert [(d.queue, d.expected, d.received) for d in run.deliveries] == [(sent_queue.name, 1, 1)]
    with urllib.request.urlopen(message.event["detailUrl"]) as answer:  # the state the scenario set up
        referral = json.load(answer)
    assert referral["serviceUserCRN"] == "X123456" and referral["assignedTo"] is None
    SEEN["detail"] = message.event["detailUrl"][len(tidings_api.base_url):]
    assert tidings_api.get(SEEN["detail"]) == referral


def test_each_test_starts_with_an_empty_fake_api(tidings_api, tidings):
    assert tidings_api.get(SEEN["detail"]) is None


def test_a_queue_gets_what_its_filter_admits(tidings, sent_queue):
    everything = tidings.queue()
    run = tidings.play("referral-lifecycle", seed=2)
    assert [m.message_id for m in everything.receive(len(run.events))] == [e.message_id for e in run.events]
    (sent,) = sent_queue.receive(1)
    assert sent.event["eventType"] == "intervention.referral.sent"
    assert sent_queue.drain() == [] and everything.drain() == []
    assert sent_queue.depth == 0 and sent_queue.name != everything.name


def test_emit_and_wait_for_a_matching_event(tidings):
    queue = tidings.queue(filter=[{"prefix": "intervention.referral."}])
    tidings.emit("intervention.referral.sent", crn="X000001")
    published = tidings.emit(
        "intervention.referral.assigned", crn="X000002", additionalInformation={"assignedTo": "sam@example.org"}
    )
    found = queue.wait_for("intervention.referral.assigned", crn="X000002", assignedTo="sam@example.org")
    assert found.message_id == published.message_id and found.event == published.event
    (passed_over,) = queue.receive(1)
    assert passed_over.event["eventType"] == "intervention.referral.sent"


def test_raw_delivery_gets_the_bare_event(tidings):
    queue = tidings.queue(raw=True)
    published = tidings.emit("intervention.referral.sent")
    (message,) = queue.receive(1)
    assert message.event == published.event == json.loads(message.body)
    assert message.message_id == message.sqs_message_id and message.attributes["eventType"] == published.event_type


def test_a_scenario_from_the_users_fixtures(tidings):
    queue = tidings.queue()
    tidings.play("one-referral")
    assert queue.wait_for("intervention.referral.sent", crn="X000042")


def test_expected_dead_letters_pass(tidings, tidings_engine):
    queue = tidings.queue(max_receive_count=1, visibility_timeout=0, expect_dlq=True)
    tidings.emit("intervention.referral.sent", crn="X888881")
    _receive_without_deleting(tidings_engine, queue, times=2)  # the second receive dead-letters it
    (dead,) = queue.dlq.receive(1)
    assert dead.event["personReference"]["identifiers"][0]["value"] == "X888881"


def test_receive_fails_listing_what_arrived(tidings):
    queue = tidings.queue()
    tidings.play("referral-sent", crn="X777777", seed=1)
    queue.receive(2, timeout=0.2)


def test_unexpected_dead_letters_fail_the_test(tidings, tidings_engine):
    queue = tidings.queue("orders", max_receive_count=1, visibility_timeout=0)
    tidings.emit("intervention.referral.sent", crn="X888888")
    _receive_without_deleting(tidings_engine, queue, times=2)
    assert queue.dlq.depth == 1


@pytest.mark.tidings_scenario("referal-sent")
def test_a_misspelt_scenario(tidings):
    pass


def test_fake_api_errors_are_raised_in_the_test(tidings, monkeypatch):
    from tidings.simulator.fake_api.state import FakeApiState

    def broken(self, path):
        raise RuntimeError("boom: the fake API broke")

    monkeypatch.setattr(FakeApiState, "get_json", broken)
    try:
        urllib.request.urlopen(tidings.api_url + "/sent-referral/1")
    except urllib.error.HTTPError as error:
        assert error.code == 500


def _receive_without_deleting(tidings_engine, queue, *, times):
    sqs = tidings_engine.client("sqs")
    for _ in range(times):
        sqs.receive_message(QueueUrl=queue.url, WaitTimeSeconds=0)
'''


def test_fixtures_marker_checks_and_failures_as_a_user_sees_them(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.mkdir("my-fixtures")
    (pytester.path / "my-fixtures" / "one-referral.yaml").write_text(MY_SCENARIO, encoding="utf-8")
    pytester.makepyfile(test_user=USER_TESTS)

    # In a subprocess: an in-process run would unload, when it ends, the modules it imported (moto's lazily
    # imported ones among them) under the engines of this session's other tests.
    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=9, failed=4)
    result.stdout.fnmatch_lines(
        [
            # what arrived, when fewer messages than asked for came
            "*expected 2 messages on queue test_receive_fails_listing_what_arrived-main-*-* within 0.2 s; "
            "1 other arrived:",
            "*- intervention.referral.sent  crn=X777777  MessageId=*",
            # a failing test's report shows the timelines of the runs it played
            "*- tidings runs -*",
            "run of referral-sent (seed 1, replay with seed=1, start_at=*)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*tidings: 1 message reached the dead-letter queue of orders-main-*, each received max_receive_count=1*",
            "*- intervention.referral.sent  crn=X888888  MessageId=*",
            "*If this test expects dead letters, create the queue with tidings.queue(..., expect_dlq=True).",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.tidings_scenario('referal-sent'): unknown scenario 'referal-sent'*",
            "*hint: did you mean referral-sent*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*RuntimeError: boom: the fake API broke",
            "*raised in the tidings fake API while answering GET /sent-referral/1",
        ]
    )


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT)
    pytester.makepyfile(test_needs_tidings="def test_needs(tidings):\n    pass\n")

    disabled = pytester.runpytest_inprocess("-p", "no:tidings")

    disabled.assert_outcomes(errors=1)
    disabled.stdout.fnmatch_lines(["*fixture 'tidings' not found*"])


def test_the_marker_is_registered_with_its_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.tidings_scenario(name, *, seed=None, faults=None, start_at=None, speed=None, **params): play*"]
    )


PARALLEL_TESTS = """
import json
import time
from pathlib import Path

import pytest

BARRIER = Path({barrier!r})


def wait_for_both(stage, name):
    (BARRIER / f"{{stage}}-{{name}}").touch()
    deadline = time.monotonic() + 30
    while len(list(BARRIER.glob(f"{{stage}}-*"))) < 2:
        assert time.monotonic() < deadline, f"the other test never reached {{stage}}: not run in parallel?"
        time.sleep(0.02)


@pytest.mark.parametrize("crn", ["X100001", "X200002"])
def test_parallel_tests_see_only_their_own_messages(tidings, crn):
    queue = tidings.queue("shared-name")
    wait_for_both("subscribed", crn)  # both queues exist on the shared engine...
    for _ in range(5):
        tidings.emit("intervention.referral.sent", crn=crn)
    wait_for_both("published", crn)  # ...and both tests have published
    received = queue.receive(5)
    assert {{m.event["personReference"]["identifiers"][0]["value"] for m in received}} == {{crn}}
    assert queue.drain() == []
    (BARRIER / f"ran-{{crn}}.json").write_text(json.dumps([queue.name, tidings.topic_arn]))
"""


def test_parallel_workers_sharing_an_engine_do_not_see_each_others_messages(
    pytester: pytest.Pytester, engine: Engine
) -> None:
    """Two xdist workers on one engine (the test session's), running at the same time: each gets its own topic
    and queues, so neither receives what the other published."""
    pytester.makeini(STRICT)
    barrier = pytester.mkdir("barrier")
    pytester.makepyfile(test_parallel=PARALLEL_TESTS.format(barrier=str(barrier)))

    result = pytester.runpytest_subprocess("-n", "2", "--tidings-endpoint", str(engine.endpoint_url))

    result.assert_outcomes(passed=2)
    ran = [json.loads(path.read_text()) for path in barrier.glob("ran-*.json")]
    queues, topics = {queue for queue, _ in ran}, {topic for _, topic in ran}
    assert len(ran) == 2 and len(queues) == 2 and len(topics) == 2, ran
    assert {topic.rsplit(":", 1)[1] for topic in topics} == {"hmpps-domain-events-gw0", "hmpps-domain-events-gw1"}


def test_settings_come_from_the_command_line_then_the_environment_then_the_ini_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tidings.pytest_plugin.options import settings_from_config

    pytester.makeini(
        textwrap.dedent(
            """
            [pytest]
            tidings_engine = aws
            tidings_topology = deploy/topology.yaml
            """
        )
    )
    monkeypatch.delenv("TIDINGS_ENGINE", raising=False)
    monkeypatch.delenv("TIDINGS_TOPOLOGY", raising=False)
    from_ini = settings_from_config(pytester.parseconfig())
    assert from_ini.engine == "aws"
    assert from_ini.topology == str(pytester.path / "deploy" / "topology.yaml")  # relative to the ini file
    assert from_ini.worker is None

    monkeypatch.setenv("TIDINGS_ENGINE", "localstack")
    assert settings_from_config(pytester.parseconfig()).engine == "localstack"
    assert settings_from_config(pytester.parseconfig("--tidings-engine", "embedded")).engine == "embedded"


def test_the_exported_names_are_the_public_interface() -> None:
    import tidings.pytest_plugin as plugin

    public = {name for name in plugin.__all__ if not name.startswith(("pytest_", "tidings"))}
    assert public == {
        "NotConsumed",
        "NotReceived",
        "Published",
        "Queue",
        "Received",
        "Run",
        "Settings",
        "Tidings",
        "TidingsApi",
        "TidingsEngine",
    }
    assert all(getattr(plugin, name) is not None for name in plugin.__all__)
    assert {name for name in plugin.__all__ if name.startswith("tidings")} == {
        "tidings",
        "tidings_api",
        "tidings_engine",
        "tidings_pact",
        "tidings_settings",
    }
