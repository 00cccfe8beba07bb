"""Benchmark: `tidings play` end to end, against the engine's raw publish rate, and the memory of a long play.

1. Throughput. `caseload` with --no-wait, ~10,000 events (714 referral lifecycles of 14 events), on a fresh
   embedded engine: events/s from the plan to the last queue delivery (resolved, validated, state applied,
   published in batches of 10, delivered). In the same run, on another fresh embedded engine, the raw rate:
   the very same events, already built, published with `Publisher.publish_many` and waited for in the queue.
   Each measurement runs in its own process, so neither sees the other's messages in moto's shared state;
   they alternate, and the best of `--rounds` of each counts (the machine is shared and noisy).
   `ratio` = play rate / raw rate (target ≥ 0.8: the scenario layer must not be the bottleneck). The engine
   runs in the measuring process, so its CPU time covers everything an event costs (plan, projections,
   publishing, moto's delivery): `cpu_ratio` is the same comparison in CPU seconds per event, which a shared
   machine's load does not swing as it swings wall time.
2. Memory. An embedded engine in another process (as `tidings up` runs it); `tidings play caseload` publishing
   ~100,000 events to it (--endpoint), its peak RSS from wait4's rusage (target ≤ 250 MB).

    python bench/play.py [--events 10000] [--rounds 2] [--rss-events 100000] [--skip-rss]

Last line: {"events", "events_per_s", "raw_events_per_s", "ratio", "cpu_ms_per_event", "raw_cpu_ms_per_event",
"cpu_ratio", "rss_events", "peak_rss_mb", "rss_seconds"}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

EVENTS_PER_CASE = 14
ROOT = Path(__file__).resolve().parents[1]


def _count(events: int) -> int:
    """Referrals for about `events` events (rounded down, so 10,000 stays a fully validated plan)."""
    return max(1, events // EVENTS_PER_CASE)


def phase(which: str, count: int) -> dict[str, float]:
    """One measurement in this (fresh) process: `play` or `raw`."""
    from tidings.contracts import load_catalog
    from tidings.simulator.runs.events import RunFinished
    from tidings.simulator.runs.player import PlayOptions
    from tidings.simulator.scenarios.loader import ScenarioLibrary
    from tidings.simulator.scenarios.plan import Plan
    from tidings.simulator.session import play_session

    catalog = load_catalog()
    library = ScenarioLibrary()
    scenario = library.load("caseload")
    with play_session(catalog, library) as session:
        player = session.player
        if which == "play":
            cpu = time.process_time()
            started = time.perf_counter()
            plan = Plan(scenario, catalog, params={"count": count}, seed=1, base_url=player.base_url)
            finished = None
            for event in player.play(plan, PlayOptions(delivery_timeout=120)):
                if isinstance(event, RunFinished):
                    finished = event
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            assert finished is not None and finished.summary.delivery_complete, finished
            return {"events": finished.summary.published, "seconds": elapsed, "cpu": cpu}
        plan = Plan(scenario, catalog, params={"count": count}, seed=1, base_url=player.base_url)
        events = [planned.event for planned in plan.events()]  # built beforehand: not timed
        tracker = player.tracker
        baseline = tracker.depths()
        cpu = time.process_time()
        started = time.perf_counter()
        player.publisher.publish_many(events, validate=False)
        received = tracker.wait(baseline, dict.fromkeys(tracker.queues, len(events)), timeout=120)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        assert all(count >= len(events) for count in received.values()), received
        return {"events": len(events), "seconds": elapsed, "cpu": cpu}


def run_phase(which: str, count: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", which, "--count", str(count)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def engine_process() -> None:
    """Child: an embedded engine on a free port, its URL on stdout, until killed."""
    from tidings.simulator.engine.engines import start_engine

    engine = start_engine("embedded")
    print(engine.endpoint_url, flush=True)
    while True:
        time.sleep(3600)


def peak_rss(events: int) -> dict[str, float]:
    engine = subprocess.Popen(
        [sys.executable, __file__, "--phase", "engine"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert engine.stdout is not None
        endpoint = engine.stdout.readline().strip()
        tidings = Path(sys.executable).with_name("tidings")
        started = time.perf_counter()
        play = subprocess.Popen(
            [
                str(tidings),
                "play",
                "caseload",
                "--param",
                f"count={_count(events)}",
                "--endpoint",
                endpoint,
                "--seed",
                "1",
                "--delivery-timeout",
                "300",
            ],
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        _, status, usage = os.wait4(play.pid, 0)
        play.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if play.returncode != 0:
            raise SystemExit(f"tidings play exited {play.returncode}")
        # ru_maxrss is in kilobytes on Linux.
        return {
            "rss_events": _count(events) * EVENTS_PER_CASE,
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "rss_seconds": round(seconds, 1),
        }
    finally:
        engine.terminate()
        engine.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rss-events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2, help="alternating raw/play measurements; best of each")
    parser.add_argument("--skip-rss", action="store_true", help="only the throughput part")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "engine":
        engine_process()
        return
    if args.phase:
        print(json.dumps(phase(args.phase, args.count)))
        return
    count = _count(args.events)
    # Alternated and best of `rounds`: other processes on a 2-core machine make single measurements noisy.
    raws, plays = [], []
    for _ in range(args.rounds):
        raws.append(run_phase("raw", count))
        plays.append(run_phase("play", count))
    raw = min(raws, key=lambda measured: measured["seconds"])
    played = min(plays, key=lambda measured: measured["seconds"])
    play_rate = played["events"] / played["seconds"]
    raw_rate = raw["events"] / raw["seconds"]
    result: dict[str, float | None] = {
        "events": played["events"],
        "events_per_s": round(play_rate, 1),
        "raw_events_per_s": round(raw_rate, 1),
        "ratio": round(play_rate / raw_rate, 3) if raw_rate else math.nan,
    }
    play_cpu = min(measured["cpu"] / measured["events"] for measured in plays)
    raw_cpu = min(measured["cpu"] / measured["events"] for measured in raws)
    result.update(
        {
            "cpu_ms_per_event": round(play_cpu * 1000, 3),
            "raw_cpu_ms_per_event": round(raw_cpu * 1000, 3),
            "cpu_ratio": round(raw_cpu / play_cpu, 3) if play_cpu else math.nan,
        }
    )
    if not args.skip_rss:
        result.update(peak_rss(args.rss_events))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
