"""Benchmark: the pytest plugin's cost per test and at session start, on the embedded engine.

Generates a suite of `--tests` tests (default 100) in a temporary folder: each creates its own queue, plays a
5-event scenario (written into the suite's own fixtures folder, `tidings_fixtures` in its pytest.ini) and
receives the 5 events. Runs it with pytest in a subprocess; a conftest in the suite records each test's
setup + call + teardown time and how long the session fixtures took to start.

- `per_test_ms`: the median of setup + call + teardown over tests 2.. (target ≤ 50 ms);
- `session_start_s`: `tidings_engine` + `tidings_api` set-up (the embedded engine, the topology, the fake API;
  target ≤ 1 s);
- `seconds`: the subprocess's whole wall time (interpreter start, imports, collection included);
- `one_cycle_test_ms`: the median of a test that creates its queue, emits one event and receives it (one
  publish → receive → delete through the plugin, with the queue's setup and teardown);
- `bare_cycle_ms`: one publish → receive → delete with boto3 on the same engine and an existing queue (the
  median of 50, measured inside the same session);
- `overhead_x`: one_cycle_test_ms / bare_cycle_ms (issue 12's target: ≤ 3);
- `imports_s`: a bare `import boto3, moto, fastapi` in a fresh interpreter (the floor of the session start;
  the median of 3, measured between the suite's rounds); `start_x`: session_start_s / imports_s (target ≤ 1);
- `ratio`: per_test_ms / 50 ms (≤ 1 meets the target).

    python bench/plugin.py [--tests 100] [--rounds 2]

The machine is shared: the best of `--rounds` runs counts. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_PER_TEST_MS = 50.0

SCENARIO = """\
name: five-events
description: Five referral events, for the plugin benchmark.
params:
  crn: "{{ faker.crn() }}"
  referralId: "{{ faker.uuid4() }}"
data:
  crn: "{{ params.crn }}"
steps:
  - emit: intervention.referral.sent
    data: {additionalInformation.referralId: "{{ params.referralId }}"}
  - emit: intervention.referral.assigned
    after: 1h
    data: {additionalInformation.referralId: "{{ params.referralId }}"}
  - emit: intervention.initial-assessment-appointment.attended
    after: 1d
    data: {additionalInformation.referralId: "{{ params.referralId }}"}
  - emit: intervention.session-appointment.attended
    after: 7d
    data: {additionalInformation.referralId: "{{ params.referralId }}", sessionNumber: 1}
  - emit: intervention.referral.concluded
    after: 7d
    data: {additionalInformation: {referralId: "{{ params.referralId }}", deliveryState: COMPLETED}}
"""

CONFTEST = """\
import json
import time

import pytest

TIMES = {}


@pytest.fixture(scope="session", autouse=True)
def _session_start(tidings_engine, tidings_api):
    pass


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        if fixturedef.argname in ("tidings_engine", "tidings_api"):
            TIMES[fixturedef.argname] = time.perf_counter() - started


@pytest.fixture(scope="session", autouse=True)
def _bare_cycle(tidings_engine):
    yield
    # After the tests: one publish -> receive -> delete with boto3 alone, on the same engine.
    sns, sqs = tidings_engine.client("sns"), tidings_engine.client("sqs")
    url = sqs.create_queue(QueueName="bench-bare-cycle")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=tidings_engine.topic_arn, Protocol="sqs", Endpoint=arn)
    body = json.dumps(tidings_engine.catalog.example("intervention.referral.sent"))
    cycles = []
    for _ in range(50):
        started = time.perf_counter()
        sns.publish(TopicArn=tidings_engine.topic_arn, Message=body)
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        cycles.append(time.perf_counter() - started)
    TIMES["cycle"] = sorted(cycles)[len(cycles) // 2]


def pytest_runtest_logreport(report):
    TIMES.setdefault("tests", {}).setdefault(report.nodeid, 0.0)
    TIMES["tests"][report.nodeid] += report.duration


def pytest_sessionfinish(session):
    with open("times.json", "w") as out:
        json.dump(TIMES, out)
"""

TEST = """
def test_{n}(tidings):
    queue = tidings.queue()
    run = tidings.play("five-events")
    received = queue.receive(5)
    assert [m.message_id for m in received] == [e.message_id for e in run.events]


def test_one_{n}(tidings):
    queue = tidings.queue()
    sent = tidings.emit("intervention.referral.sent")
    assert queue.receive(1)[0].message_id == sent.message_id
"""

IMPORTS = "import time; t = time.perf_counter(); import boto3, moto, fastapi; print(time.perf_counter() - t)"


def bare_imports() -> float:
    """`import boto3, moto, fastapi` in a fresh interpreter, seconds (the median of 3)."""
    found = [
        float(subprocess.run([sys.executable, "-c", IMPORTS], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return sorted(found)[1]


def generate(folder: Path, tests: int) -> None:
    (folder / "fixtures" / "scenarios").mkdir(parents=True)
    (folder / "fixtures" / "scenarios" / "five-events.yaml").write_text(SCENARIO, encoding="utf-8")
    (folder / "pytest.ini").write_text(
        "[pytest]\ntidings_fixtures = fixtures\naddopts = -p no:cacheprovider\n", encoding="utf-8"
    )
    (folder / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    body = "".join(TEST.format(n=n) for n in range(tests))
    (folder / "test_generated.py").write_text(textwrap.dedent(body), encoding="utf-8")


def run_suite(tests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tidings-bench-plugin-") as where:
        folder = Path(where)
        generate(folder, tests)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q"], cwd=folder, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"the generated suite failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
        times = json.loads((folder / "times.json").read_text(encoding="utf-8"))
    per_test = sorted(times["tests"].values())
    start = times.get("tidings_engine", 0.0) + times.get("tidings_api", 0.0)
    # The first test's set-up includes the session start; the others are the plugin's cost per test.
    later = [d for nodeid, d in times["tests"].items() if not nodeid.endswith("::test_0") and "test_one_" not in nodeid]
    one = [d for nodeid, d in times["tests"].items() if "test_one_" in nodeid]
    return {
        "seconds": seconds,
        "one_cycle_test_ms": statistics.median(one) * 1000,
        "bare_cycle_ms": times["cycle"] * 1000,
        "per_test_ms": statistics.median(later or per_test) * 1000,
        "mean_per_test_ms": statistics.fmean(later or per_test) * 1000,
        "session_start_s": start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2, help="runs of the suite; the best counts")
    args = parser.parse_args()
    runs, imports = [], []
    for _ in range(args.rounds):  # alternated: the imports floor, then the suite
        imports.append(bare_imports())
        runs.append(run_suite(args.tests))
    best = min(runs, key=lambda measured: measured["per_test_ms"])
    start = min(run["session_start_s"] for run in runs)
    one = min(run["one_cycle_test_ms"] for run in runs)
    cycle = min(run["bare_cycle_ms"] for run in runs)
    result = {
        "tests": args.tests,
        "one_cycle_test_ms": round(one, 2),
        "bare_cycle_ms": round(cycle, 2),
        "overhead_x": round(one / cycle, 2),
        "imports_s": round(min(imports), 3),
        "start_x": round(start / min(imports), 2),
        "seconds": round(min(run["seconds"] for run in runs), 2),
        "per_test_ms": round(best["per_test_ms"], 1),
        "mean_per_test_ms": round(best["mean_per_test_ms"], 1),
        "session_start_s": round(min(run["session_start_s"] for run in runs), 3),
        "ratio": round(best["per_test_ms"] / TARGET_PER_TEST_MS, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
