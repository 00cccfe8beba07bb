"""The workflow `tidings up` exists for, each part its own process: `tidings up`, a consumer draining its queue,
and `tidings play` finding the engine through the AWS_ENDPOINT_URL that `up` printed. Play must report the
true delivery (observed by taps, not inferred from a drained queue's depth), write the state to *that* up's
fake API, and exit 0 within a second of its last publish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.up_process import up_process

_CONSUMER = textwrap.dedent(
    """
    import os, sys, boto3
    sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    url = os.environ["INTERVENTION_EVENTS_QUEUE_URL"]
    print("consuming", flush=True)
    while True:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            print("got", m["MessageId"], flush=True)
    """
)


def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TIDINGS_", "AWS_ENDPOINT_URL"))}


@pytest.fixture
def up() -> Iterator[dict[str, str]]:
    with up_process("--port", "0", "--api-port", "0", env=_clean_env()) as printed:
        assert "AWS_ENDPOINT_URL" in printed, printed
        yield printed


def test_play_finds_the_up_by_aws_endpoint_url_and_reports_what_a_draining_consumer_really_got(
    up: dict[str, str],
) -> None:
    env = {**_clean_env(), **up}
    info = _get_json(up["AWS_ENDPOINT_URL"] + "/_tidings/info")
    assert info["api_url"] == up["TIDINGS_API_URL"]
    assert info["queue_urls"]["intervention-events"] == up["INTERVENTION_EVENTS_QUEUE_URL"]
    consumer = subprocess.Popen(
        [sys.executable, "-c", _CONSUMER], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        assert consumer.stdout is not None and consumer.stdout.readline().strip() == "consuming"
        env.pop("TIDINGS_API_URL")  # the fake API must be found from the engine itself (GET /_tidings/info)
        play = subprocess.Popen(
            [sys.executable, "-c", "from tidings.cli.app import main; main()", "play", "referral-lifecycle", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert play.stdout is not None
        last_publish = 0.0
        events = []
        for line in play.stdout:
            event = json.loads(line)
            events.append(event)
            if event["type"] == "EventPublished":
                last_publish = time.monotonic()
        play.wait(timeout=30)
        ended = time.monotonic()
        _, stderr = play.communicate(timeout=10)
    finally:
        consumer.kill()
        consumer.communicate(timeout=10)
    assert play.returncode == 0, stderr
    assert f"engine: engine at {up['AWS_ENDPOINT_URL']} (from AWS_ENDPOINT_URL)" in stderr
    assert f"fake API: {up['TIDINGS_API_URL']}" in stderr
    published = [e for e in events if e["type"] == "EventPublished"]
    (checked,) = [e for e in events if e["type"] == "DeliveryChecked" and e["queue"] == "intervention-events"]
    assert checked["observed"] and checked["complete"]
    assert checked["received"] == checked["expected"] == len(published) == 14
    assert sorted(checked["message_ids"]) == sorted(e["message_id"] for e in published)
    (finished,) = [e for e in events if e["type"] == "RunFinished"]
    assert finished["summary"]["delivery_complete"]
    print(f"exit {ended - last_publish:.3f}s after the last publish")
    assert ended - last_publish < 1.0, f"{ended - last_publish:.2f}s after the last publish"
    # The state went to that up's fake API: every detailUrl answers there.
    state = _get_json(up["TIDINGS_API_URL"] + "/_tidings/state")
    assert state, "the up's fake API got no state"
    # And no tap is left behind.
    import boto3

    sqs = boto3.client(
        "sqs",
        endpoint_url=up["AWS_ENDPOINT_URL"],
        region_name=up["AWS_REGION"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    assert not [u for u in sqs.list_queues().get("QueueUrls", []) if "tidings-tap-" in u]
    sqs.close()


def test_a_named_fake_api_that_does_not_answer_is_exit_2_not_a_silent_success(up: dict[str, str]) -> None:
    env = {**_clean_env(), **up}
    dead = "http://127.0.0.1:9"  # discard port: nothing answers
    result = subprocess.run(
        [sys.executable, "-c", "from tidings.cli.app import main; main()", "play", "referral-sent", "--api-url", dead],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"no tidings fake API answers at {dead} (from --api-url)" in result.stderr
    assert "hint:" in result.stderr
