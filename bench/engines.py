"""Benchmark: tidings' engine side by side with its peers, one run, the same workload on each.

Workload: a topic with 3 queues subscribed through the prefix filter `eventType: [{prefix: intervention.}]`; N
events (default 2,000) built from the catalogue, published with PublishBatch of 10 (eventType as a message
attribute), then every queue drained with ReceiveMessage of 10 + DeleteMessageBatch until all 3 N messages are
back. Over HTTP the client is plain boto3 in another process (this one) and the engine a server process:

- `tidings-up`: `tidings up` (moto 5.2.5 + tidings' patches, keep-alive server), started by this bench;
- `localstack`, `ministack`: started with scripts/engines/engine-start.sh from the venvs engine-install.sh made
  (default build/engines/<name>; `--venvs DIR`); skipped with a message when not installed;
- `moto`: unmodified moto 5.2.5 (`tidings up` with TIDINGS_MOTO_PATCHES=0), on `--moto-events` (default 300:
  unpatched moto slows down as queues fill, so a short run flatters it);
- `embedded-inprocess`: the embedded engine in a child process that also runs the client: tidings' own
  publisher's SNS client (PublishBatch handed to moto's backend, embedded/handoff.py) and a boto3 SQS client
  answered without a socket; its CPU is client and engine together.

Per engine: `server_cpu_ms_per_event` (utime + stime of the server's process group from /proc/PID/stat, over
publish + drain, / N), `publish_events_per_s`, `drain_messages_per_s`, `events_per_s` (N / publish + drain),
`start_seconds` (process start to healthy), `peak_rss_mb` (VmHWM), and `flat` (last fifth of publish batches'
rate / first fifth's). Engines run `--rounds` times (default 2), order rotated per round; the figure is each
engine's median. Ratios: tidings-up CPU / each peer's, embedded-inprocess events/s / the best peer's over HTTP.

    python bench/engines.py [--events 2000] [--rounds 2] [--venvs build/engines] [--memory-events 100000]
    python bench/engines.py --only memory [--memory-events 100000]     # the memory figure alone

Memory (`--memory-events N`): peak RSS (wait4) of `tidings play caseload` with ~N events on the embedded engine
in that process, the delivery check included (target <= 250 MB at 100,000).

Last line: {"engines": {name: figures}, "skipped": {...}, "ratio": embedded-inprocess / best peer events/s,
"cpu_ratio_vs_ministack", "cpu_ratio_vs_localstack", "best_peer", "events", "rounds", "seconds"}.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts" / "engines"
QUEUES = 3
TICKS = os.sysconf("SC_CLK_TCK")
PEERS = ("localstack", "ministack")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _group_cpu_seconds(pgid: int) -> float:
    """utime + stime (+ waited-for children) of every live process in process group `pgid`."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state, ppid, pgrp, ...
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def _peak_rss_mb(pgid: int) -> float:
    peak = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def _clients(endpoint: str) -> tuple[Any, Any]:
    import boto3
    from botocore.config import Config

    config = Config(region_name="eu-west-2", retries={"mode": "standard"}, max_pool_connections=4)
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    return (
        boto3.client("sns", endpoint_url=endpoint, config=config, **keys),
        boto3.client("sqs", endpoint_url=endpoint, config=config, **keys),
    )


def _bodies(events: int) -> list[tuple[str, str]]:
    from tidings.contracts import load_catalog

    catalog = load_catalog()
    types = [t for t in catalog.event_types if t.startswith("intervention.")]
    built = [catalog.example(types[n % len(types)], crn=f"X{n:06d}") for n in range(events)]
    return [(json.dumps(event), str(event["eventType"])) for event in built]


def workload(sns: Any, sqs: Any, bodies: list[tuple[str, str]], prefix: str, cpu: Any) -> dict[str, float]:
    """Wire, publish, drain; `cpu()` reads the server's CPU seconds around publish + drain."""
    policy = json.dumps({"eventType": [{"prefix": "intervention."}]})
    topic = sns.create_topic(Name=f"{prefix}-topic")["TopicArn"]
    urls = []
    for n in range(QUEUES):
        url = sqs.create_queue(QueueName=f"{prefix}-q{n}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"FilterPolicy": policy, "RawMessageDelivery": "false"}
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        urls.append(url)
    batch_seconds = []
    cpu_before = cpu()
    started = time.perf_counter()
    for first in range(0, len(bodies), 10):
        entries = [
            {
                "Id": str(i),
                "Message": body,
                "MessageAttributes": {"eventType": {"DataType": "String", "StringValue": event_type}},
            }
            for i, (body, event_type) in enumerate(bodies[first : first + 10])
        ]
        batch_started = time.perf_counter()
        answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        batch_seconds.append(time.perf_counter() - batch_started)
        if answer.get("Failed"):
            raise SystemExit(f"publish failed: {answer['Failed'][0]}")
    published = time.perf_counter()
    received = 0
    for url in urls:
        empty = 0
        while empty < 3:  # an engine may deliver a little after PublishBatch answers
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                empty += 1
                if received < QUEUES * len(bodies):
                    time.sleep(0.05)
                continue
            received += len(batch)
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    finished = time.perf_counter()
    cpu_used = cpu() - cpu_before
    if received != QUEUES * len(bodies):
        raise SystemExit(f"expected {QUEUES * len(bodies)} deliveries, drained {received}")
    fifth = max(1, len(batch_seconds) // 5)
    return {
        "server_cpu_ms_per_event": 1000 * cpu_used / len(bodies),
        "publish_events_per_s": len(bodies) / (published - started),
        "drain_messages_per_s": received / (finished - published),
        "events_per_s": len(bodies) / (finished - started),
        "flat": sum(batch_seconds[:fifth]) / sum(batch_seconds[-fifth:]),
    }


def _start(name: str, venvs: Path, state: Path) -> tuple[subprocess.Popen[bytes] | None, int, str, float]:
    """Start engine `name`; (our Popen or None, its process group, endpoint, seconds to healthy)."""
    port = _free_port()
    started = time.perf_counter()
    if name in PEERS:
        url = subprocess.run(
            ["bash", str(SCRIPTS / "engine-start.sh"), name, str(venvs / name), str(port), str(state)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return None, int((state / f"{name}.pid").read_text()), url, time.perf_counter() - started
    env = {**os.environ, "TIDINGS_MOTO_PATCHES": "0" if name == "moto" else "1", "PYTHONWARNINGS": "ignore"}
    command = [str(Path(sys.executable).parent / "tidings"), "up", "--port", str(port), "--api-port", "0"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    _, sqs = _clients(url)
    while True:
        try:
            sqs.list_queues()
            break
        except Exception:
            if process.poll() is not None or time.perf_counter() - started > 60:
                raise SystemExit(f"{name} did not start") from None
            time.sleep(0.05)
    return process, process.pid, url, time.perf_counter() - started


def _stop(name: str, process: subprocess.Popen[bytes] | None, state: Path) -> None:
    if process is None:
        subprocess.run(["bash", str(SCRIPTS / "engine-stop.sh"), name, str(state)], check=False, capture_output=True)
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_over_http(name: str, events: int, venvs: Path, state: Path, round_no: int) -> dict[str, float]:
    process, pgid, url, start_seconds = _start(name, venvs, state)
    try:
        sns, sqs = _clients(url)
        figures = workload(sns, sqs, _bodies(events), f"bench{round_no}", lambda: _group_cpu_seconds(pgid))
        figures.update(start_seconds=start_seconds, peak_rss_mb=_peak_rss_mb(pgid))
        return figures
    finally:
        _stop(name, process, state)


def _inprocess_child(events: int) -> None:
    """In a child process: the embedded engine and the client together, no socket."""
    import resource

    from tidings.simulator.engine.engines import start_engine

    bodies = _bodies(events)
    started = time.perf_counter()
    with start_engine("embedded") as engine:
        start_seconds = time.perf_counter() - started
        # tidings' own publisher's SNS client: PublishBatch handed to moto's backend (embedded/handoff.py); the
        # drain is the consumers' boto3 SQS client, answered without a socket.
        sns, sqs = engine.publishing_client(), engine.client("sqs")
        figures = workload(sns, sqs, bodies, "bench", lambda: time.process_time())
    figures.update(start_seconds=start_seconds, peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures))


def run_inprocess(events: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--inprocess-child", "--events", str(events)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def play_memory(events: int) -> dict[str, float]:
    """Peak RSS of `tidings play caseload` (~`events` events) on the embedded engine in its own process."""
    cases = max(1, events // 14)  # caseload: 14 events a referral lifecycle
    command = [str(Path(sys.executable).parent / "tidings"), "play", "caseload", "--param", f"count={cases}"]
    command += ["--seed", "1", "--delivery-timeout", "600"]
    env = {k: v for k, v in os.environ.items() if k not in ("TIDINGS_ENDPOINT", "TIDINGS_ENGINE")}
    started = time.perf_counter()
    play = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    _, status, usage = os.wait4(play.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tidings play exited {os.waitstatus_to_exitcode(status)}")
    return {
        "play_events": cases * 14,
        "play_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "play_seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--moto-events", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--venvs", type=Path, default=ROOT / "build" / "engines")
    parser.add_argument("--only", nargs="*", help="run only these engines")
    parser.add_argument("--memory-events", type=int, default=0, help="also: peak RSS of a play of this many events")
    parser.add_argument("--inprocess-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inprocess_child:
        _inprocess_child(args.events)
        return
    if args.only == ["memory"]:
        print(json.dumps(play_memory(args.memory_events or 100_000)))
        return
    state = Path(os.environ.get("TMPDIR", "/tmp")) / f"tidings-bench-engines-{os.getpid()}"
    names = ["tidings-up", "embedded-inprocess", "moto", *PEERS]
    skipped = {}
    for peer in PEERS:
        if not (args.venvs / peer / ".engine-stamp").exists():
            skipped[peer] = f"not installed in {args.venvs / peer}: scripts/engines/engine-install.sh {peer} DIR"
            print(f"skipping {peer}: {skipped[peer]}", file=sys.stderr)
    names = [n for n in names if n not in skipped and (not args.only or n in args.only)]
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    began = time.perf_counter()
    for round_no in range(args.rounds):
        order = names[round_no % len(names) :] + names[: round_no % len(names)]
        for name in order:
            if name == "embedded-inprocess":
                figures = run_inprocess(args.events)
            else:
                events = args.moto_events if name == "moto" else args.events
                figures = run_over_http(name, events, args.venvs, state, round_no)
            runs[name].append(figures)
            print(
                f"round {round_no + 1} {name}: " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()),
                file=sys.stderr,
            )
    medians = {
        name: {key: round(statistics.median(r[key] for r in found), 3) for key in found[0]}
        for name, found in runs.items()
    }
    _table(medians)
    peers = {n: f for n, f in medians.items() if n in PEERS}
    best_peer = max(peers, key=lambda n: peers[n]["events_per_s"]) if peers else None
    up_cpu = medians.get("tidings-up", {}).get("server_cpu_ms_per_event")

    def cpu_ratio(peer: str) -> float | None:
        return round(up_cpu / medians[peer]["server_cpu_ms_per_event"], 3) if up_cpu and peer in medians else None

    inproc = medians.get("embedded-inprocess", {}).get("events_per_s")
    result = {
        "engines": medians,
        "skipped": skipped,
        "events": args.events,
        "moto_events": args.moto_events,
        "rounds": args.rounds,
        "best_peer": best_peer,
        "ratio": round(inproc / peers[best_peer]["events_per_s"], 3) if inproc and best_peer else None,
        "cpu_ratio_vs_ministack": cpu_ratio("ministack"),
        "cpu_ratio_vs_localstack": cpu_ratio("localstack"),
        "targets": {"ratio": ">= 2", "cpu_ratio_vs_ministack": "<= 0.5", "cpu_ratio_vs_localstack": "<= 0.25"},
        "seconds": round(time.perf_counter() - began, 1),
    }
    if args.memory_events:
        result.update(play_memory(args.memory_events), play_peak_rss_target_mb=250)
    print(json.dumps(result))


def _table(medians: dict[str, dict[str, float]]) -> None:
    keys = [
        "server_cpu_ms_per_event",
        "publish_events_per_s",
        "drain_messages_per_s",
        "events_per_s",
        "start_seconds",
        "peak_rss_mb",
        "flat",
    ]
    print("| engine | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, figures in medians.items():
        print(f"| {name} | " + " | ".join(f"{figures[k]:.2f}" for k in keys) + " |")


if __name__ == "__main__":
    main()
