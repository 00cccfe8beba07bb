"""Soak: many events through a `tidings up` of the test's own while a consumer drains its queue and clients
hammer the fake API; and `tidings up` SIGKILLed mid-run, then the run resumed on a fresh one.

Small by default (CI); by hand: `TIDINGS_SOAK_EVENTS=100000 python -m pytest -m soak tests/soak -s` (the
figures are printed). Each test starts its own `tidings up`: the suite's shared engine is never used."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
from typing import Any

import pytest

from tests.soak.soak_support import ApiClients, Consumer, MemoryWatch, soak_events, tidings_env
from tests.up_process import TIDINGS, up_started
from tidings.contracts import load_catalog
from tidings.simulator.scenarios.clock import parse_start
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan

pytestmark = pytest.mark.soak

QUEUE = "intervention-events"
SEED, START = 1414, "2024-01-01T09:00:00+00:00"
# Growth of `tidings up`'s RSS allowed from the middle of the run to its end, whatever the size: flat, less the
# allocator's and caches' noise. Nothing may be kept per message once it is consumed (the fake API's resources,
# compressed once cold, are what grows: by hand at 100,000 events +29 MiB, see the README's "Soak").
RSS_GROWTH_MIB = 40.0


def _caseload_count(events: int) -> int:
    """`count` of the caseload scenario (referral lifecycles) that makes at least `events` events."""
    per = _plan(1).preflight()
    return max(1, -(-events // per))


def _plan(count: int, *, seed: int = SEED, start: str = START) -> Plan:
    library = ScenarioLibrary.from_setting(None)
    return Plan(
        library.load("caseload"), load_catalog(None), params={"count": count}, seed=seed, start=parse_start(start)
    )


def _play(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*TIDINGS, "play", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _run_events(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.strip()]


def test_every_published_message_is_received_once_the_api_answers_and_memory_stays_flat() -> None:
    count = _caseload_count(soak_events())
    began = time.monotonic()
    with up_started("--port", "0", "--api-port", "0", env=tidings_env()) as (up, printed):
        env = tidings_env(**printed)
        consumer = Consumer(printed, printed["INTERVENTION_EVENTS_QUEUE_URL"])
        clients = ApiClients(consumer, count=3)
        published: list[str] = []  # MessageIds of messages the intervention-events filter admits
        total = _plan(count).preflight()
        memory = MemoryWatch(up.pid, lambda: len(published))
        consumer.start()
        clients.start()
        memory.start()
        try:
            play = _play("caseload", "--param", f"count={count}", "--seed", str(SEED), "--json", env=env)
            assert play.stdout is not None
            events = []
            for line in play.stdout:
                event = json.loads(line)
                if event["type"] == "EventPublished":
                    events.append(event)
                    if QUEUE in event["queues"]:
                        published.append(event["message_id"])
                elif event["type"] != "StepStarted":
                    events.append(event)
            _, stderr = play.communicate(timeout=120)
            played = time.monotonic() - began
            assert play.returncode == 0, stderr
            consumer.wait_for(set(published), timeout=60)
            memory.stop()
            end_rss = memory.rss()
        finally:
            clients.stop()
            consumer.stop()
            memory.stop()
    assert consumer.failure is None, consumer.failure
    sent = [e for e in events if e["type"] == "EventPublished"]
    assert len(sent) == total and len({e["message_id"] for e in sent}) == total
    assert published, "no event reached the consumer's queue"
    # Exactly once: every message the queue's filter admits, received once, and nothing else.
    assert set(consumer.received) == set(published)
    twice = {message_id: n for message_id, n in consumer.received.items() if n != 1}
    assert not twice, f"received more than once: {list(twice.items())[:5]}"
    # The fake API answered every detailUrl the clients asked for, never with a 5xx, never dropping a connection.
    asked = sum(clients.statuses.values())
    assert asked > 0 and not clients.errors, (clients.statuses, clients.errors)
    assert not {status for status in clients.statuses if status >= 500 or status == 0}, clients.statuses
    half, peak = memory.at_half(len(published)), memory.peak()
    print(
        f"\nsoak: {total:,} events ({len(published):,} to {QUEUE}) in {played:.1f}s; {asked:,} API requests "
        f"{dict(clients.statuses)}; tidings up RSS {half:.0f} MiB at half, {peak:.0f} MiB peak, {end_rss:.0f} at end"
    )
    assert peak - half <= RSS_GROWTH_MIB, f"RSS grew {peak - half:.0f} MiB from the middle of the run to its end"


def test_up_killed_mid_run_play_exits_2_with_the_count_and_the_hinted_command_publishes_exactly_the_rest() -> None:
    count = _caseload_count(soak_events())
    half = _plan(count).preflight() // 2
    with up_started("--port", "0", "--api-port", "0", env=tidings_env()) as (up, printed):
        # No --seed, no --start-at: the hint must give the ones this run resolved.
        play = _play("caseload", "--param", f"count={count}", "--json", env=tidings_env(**printed))
        assert play.stdout is not None
        lines, published = [], 0
        for line in play.stdout:
            lines.append(line)
            published += '"type": "EventPublished"' in line
            if published == half and up.poll() is None:
                os.kill(up.pid, signal.SIGKILL)
        _, stderr = play.communicate(timeout=60)
    assert play.returncode == 2, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    hints = [line for line in stderr.splitlines() if line.startswith("hint:")]
    assert len(errors) == 1 and len(hints) == 1, stderr
    first = _run_events(lines)
    started = first[0]
    assert started["type"] == "RunStarted"
    sent = [e for e in first if e["type"] == "EventPublished"]
    total = started["total_events"]
    assert half <= len(sent) < total
    assert f"published {len(sent):,} of {total:,} events of caseload (seed {started['seed']})" in errors[0]
    # The published ones are the plan's first N, in order: so --from N is where the rest begins.
    plan = _plan(count, seed=started["seed"], start=started["start"])
    expected = [(e.seq, e.occurred_at.isoformat(), e.event_type, e.crn) for e in plan.events()]
    assert [(e["seq"], e["at"], e["event_type"], e["crn"]) for e in sent] == expected[: len(sent)]
    command = re.search(r"with: (tidings play .*)$", hints[0])
    assert command is not None, hints[0]
    argv = shlex.split(command.group(1))
    assert argv[-6:] == ["--seed", str(started["seed"]), "--start-at", started["start"], "--from", str(len(sent))]

    with up_started("--port", "0", "--api-port", "0", env=tidings_env()) as (_, printed):
        resumed = subprocess.run(
            [*TIDINGS, *argv[1:]], capture_output=True, text=True, env=tidings_env(**printed), timeout=120
        )
    assert resumed.returncode == 0, resumed.stderr
    rest = _run_events(resumed.stdout.splitlines())
    assert rest[0]["type"] == "RunStarted" and rest[0]["resumed_from"] == len(sent)
    again = [e for e in rest if e["type"] == "EventPublished"]
    # Exactly the rest, nothing twice: the events a full run with that seed and start has at N+1..end.
    assert [(e["seq"], e["at"], e["event_type"], e["crn"]) for e in again] == expected[len(sent) :]
    (checked,) = [e for e in rest if e["type"] == "DeliveryChecked" and e["queue"] == QUEUE]
    admitted = sum(QUEUE in e["queues"] for e in again)
    assert checked["complete"] and checked["received"] == checked["expected"] == admitted
