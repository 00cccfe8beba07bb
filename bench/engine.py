"""Benchmark: the embedded engine under the issue's workload, against an unmodified moto server.

Workload: a topic with 3 queues subscribed through the prefix filter `eventType: [{prefix: intervention.}]`;
N events (default 10,000) built from the catalogue, published through `Publisher.publish_many` (validated,
PublishBatch of 10), then every queue drained (ReceiveMessage of 10 + DeleteMessageBatch) until all 3 N messages
are back. `events_per_s` = N / (publish + drain time).

- tidings: `start_engine("embedded")` (moto behind tidings' keep-alive server, with simulator/engine/embedded/patches/).
- baseline: the same workload with fewer events (default 1,000: unmodified moto slows down as queues fill - about
  12 events/s over 500 events, 5 over 1,000 - so a short run flatters it and the ratio is conservative; 10,000
  would take hours), in a subprocess with TIDINGS_MOTO_PATCHES=0 against moto's own `ThreadedMotoServer`
  (werkzeug), i.e. moto 5.2.5 as published.
- first/last 1k: publish rates of the first and of the last 1,000 events (queues fill up in between).
- session start: `start_engine()` + `apply_topology()` of the default topology, in a fresh process (imports
  excluded, as a test session pays them once), median of 3; `session_start_cold_seconds` includes the imports.
- api_call_ms: publish one event, receive it, delete it: the cycle's time / 3 calls (mean of 300 cycles).
- inprocess: whether the embedded engine's own clients skipped the socket (simulator/engine/embedded/inprocess.py;
  `TIDINGS_INPROCESS=0` measures them over HTTP).

    python bench/engine.py [--events 10000] [--baseline-events 1000]     # ~4 minutes

Last line: {"events", "events_per_s", "baseline_events", "baseline_events_per_s", "ratio", "first_1k_events_per_s",
"last_1k_events_per_s", "last_vs_first", "session_start_seconds", "session_start_cold_seconds", "api_call_ms",
"inprocess", "seconds"}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUEUES = 3
BLOCK = 1_000  # events per rate sample (first/last 1k)


def _topology(prefix: str, queues: int = QUEUES) -> Any:
    from tidings.simulator.topology import Topology

    intervention_events = {"eventType": [{"prefix": "intervention."}]}
    return Topology.from_dict(
        {
            "topics": [{"name": f"{prefix}-topic"}],
            "queues": [{"name": f"{prefix}-q{n}"} for n in range(queues)],
            "subscriptions": [
                {"topic": f"{prefix}-topic", "queue": f"{prefix}-q{n}", "filter_policy": intervention_events}
                for n in range(queues)
            ],
        }
    )


def workload(engine: Any, events: int, prefix: str) -> dict[str, Any]:
    """Publish `events` through the Publisher and drain the 3 queues; timings in seconds."""
    from tidings.contracts import load_catalog
    from tidings.simulator.engine.publisher import Publisher
    from tidings.simulator.topology import apply_topology

    catalog = load_catalog()
    applied = apply_topology(engine, _topology(prefix))
    publisher = Publisher(engine, catalog, applied.topic_arns[f"{prefix}-topic"])
    types = [t for t in catalog.event_types if t.startswith("intervention.")]
    built = [catalog.example(types[n % len(types)], crn=f"X{n % 1_000_000:06d}") for n in range(events)]
    sqs = engine.client("sqs")
    block_seconds: list[float] = []
    started = time.perf_counter()
    for first in range(0, events, BLOCK):
        block_started = time.perf_counter()
        publisher.publish_many(built[first : first + BLOCK])
        block_seconds.append(time.perf_counter() - block_started)
    published = time.perf_counter()
    received = 0
    for name in (f"{prefix}-q{n}" for n in range(QUEUES)):
        url = applied.queue_urls[name]
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                break
            received += len(batch)
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    finished = time.perf_counter()
    if received != QUEUES * events:
        raise SystemExit(f"expected {QUEUES * events} deliveries, drained {received}")
    return {
        "events": events,
        "publish_seconds": published - started,
        "drain_seconds": finished - published,
        "seconds": finished - started,
        "events_per_s": events / (finished - started),
        "first_block_events_per_s": min(BLOCK, events) / block_seconds[0],
        "last_block_events_per_s": min(BLOCK, events - BLOCK * (len(block_seconds) - 1)) / block_seconds[-1],
    }


def api_call_ms(engine: Any, cycles: int = 300) -> float:
    """Mean time per API call of a publish + receive + delete cycle."""
    from tidings.contracts import load_catalog
    from tidings.simulator.engine.publisher import Publisher
    from tidings.simulator.topology import apply_topology

    catalog = load_catalog()
    applied = apply_topology(engine, _topology("cycle", queues=1))
    publisher = Publisher(engine, catalog, applied.topic_arns["cycle-topic"])
    event = catalog.example("intervention.referral.sent")
    sqs, url = engine.client("sqs"), applied.queue_urls["cycle-q0"]
    durations = []
    for _ in range(cycles):
        started = time.perf_counter()
        publisher.publish(event)
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        durations.append(time.perf_counter() - started)
    return statistics.mean(durations) / 3 * 1000


def _child(mode: str, events: int) -> dict[str, Any]:
    """Runs in a subprocess: `tidings`, `baseline` or `start`."""
    if mode == "start":
        imported = time.perf_counter()
        import boto3  # noqa: F401
        import moto.moto_server.werkzeug_app
        import moto.sns.models
        import moto.sqs.models  # noqa: F401

        from tidings.simulator.engine.engines import start_engine
        from tidings.simulator.topology import Topology, apply_topology

        # moto and boto3 are imported lazily by start_engine; a test session imports them once, so they count
        # as imports here (session_start_cold_seconds has them).
        import_seconds = time.perf_counter() - imported
        started = time.perf_counter()
        engine = start_engine("embedded")
        apply_topology(engine, Topology.load())
        seconds = time.perf_counter() - started
        engine.stop()
        return {"seconds": seconds, "import_seconds": import_seconds}
    if mode == "baseline":
        import logging

        from moto.server import ThreadedMotoServer

        from tidings.simulator.engine.embedded import patches as moto_patches
        from tidings.simulator.engine.engines import Engine

        assert not moto_patches.apply(), "the baseline must run unpatched (TIDINGS_MOTO_PATCHES=0)"
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        result = workload(Engine("localstack", url, "eu-west-2", f"moto server at {url}"), events, "baseline")
        server.stop()
        return result
    from tidings.simulator.engine.engines import start_engine

    with start_engine("embedded") as engine:
        result = workload(engine, events, "bench")
        result["api_call_ms"] = api_call_ms(engine)
    return result


def _run_child(mode: str, events: int, *, patches: bool = True) -> dict[str, Any]:
    env = {**os.environ, "TIDINGS_MOTO_PATCHES": "1" if patches else "0", "PYTHONPATH": str(ROOT)}
    env.pop("TIDINGS_ENDPOINT", None)
    env.pop("TIDINGS_ENGINE", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--events", str(events)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} run failed:\n{done.stdout}\n{done.stderr}")
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    result["process_seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--baseline-events", type=int, default=1_000)
    parser.add_argument("--child", choices=["tidings", "baseline", "start"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(_child(arguments.child, arguments.events)))
        return
    from tidings.simulator.engine.embedded import inprocess as inprocess_transport

    began = time.perf_counter()
    starts = [_run_child("start", 0) for _ in range(3)]
    tidings = _run_child("tidings", arguments.events)
    print(f"tidings: {json.dumps(tidings)}", file=sys.stderr)
    baseline = _run_child("baseline", arguments.baseline_events, patches=False)
    print(f"baseline: {json.dumps(baseline)}", file=sys.stderr)
    session = statistics.median(s["seconds"] for s in starts)
    cold = statistics.median(s["seconds"] + s["import_seconds"] for s in starts)
    print(
        json.dumps(
            {
                "events": tidings["events"],
                "events_per_s": round(tidings["events_per_s"], 1),
                "publish_seconds": round(tidings["publish_seconds"], 2),
                "drain_seconds": round(tidings["drain_seconds"], 2),
                "baseline_events": baseline["events"],
                "baseline_events_per_s": round(baseline["events_per_s"], 1),
                "ratio": round(tidings["events_per_s"] / baseline["events_per_s"], 1),
                "first_1k_events_per_s": round(tidings["first_block_events_per_s"], 1),
                "last_1k_events_per_s": round(tidings["last_block_events_per_s"], 1),
                "last_vs_first": round(tidings["last_block_events_per_s"] / tidings["first_block_events_per_s"], 2),
                "session_start_seconds": round(session, 3),
                "session_start_cold_seconds": round(cold, 3),
                "api_call_ms": round(tidings["api_call_ms"], 2),
                "inprocess": inprocess_transport.enabled_by_environment(),
                "seconds": round(time.perf_counter() - began, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
