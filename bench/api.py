"""Benchmark: the fake API's detail endpoint under 50 concurrent clients for 10 s, over loopback.

The API runs in its own process (as it does under `tidings up`), holding the state of 1,000 played referrals;
the load comes from this process: 50 keep-alive connections, each sending GET /sent-referral/{id} for random
played ids as fast as answers come back (a small raw HTTP/1.1 client on asyncio, so the measuring side costs
little of the 2 cores). Latency is measured per request, from write to the end of the body.

    python bench/api.py [--clients 50] [--seconds 10]

Last line: {"requests_per_s", "p50_ms", "p99_ms", "errors", "requests", "clients", "seconds", "ratio"}, ratio being
requests_per_s over the 3,000 req/s target (the issue's baseline for this endpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

TARGET_REQUESTS_PER_S = 3_000
REFERRALS = 1_000


def serve(port_file: str) -> None:
    """Child process: play `REFERRALS` referral-sent events into a FakeApiState and serve it."""
    from tidings.contracts import load_catalog
    from tidings.simulator.fake_api.app import create_app
    from tidings.simulator.fake_api.server import ApiServer
    from tidings.simulator.fake_api.state import FakeApiState
    from tidings.simulator.scenarios.loader import ScenarioLibrary
    from tidings.simulator.scenarios.plan import Plan

    catalog = load_catalog()
    server = ApiServer(None, port=0).bind()
    state = FakeApiState(server.base_url, catalog=catalog)
    server.app = create_app(state, catalog=catalog)
    library = ScenarioLibrary()
    ids = []
    for seed in range(REFERRALS):
        plan = Plan(library.load("referral-sent"), catalog, seed=seed + 1, base_url=server.base_url)
        for planned in plan.events():
            state.apply(planned.event, planned.state)
        ids.append(plan.params["referralId"])
    server.start()
    Path(port_file).write_text(json.dumps({"port": server.port, "ids": ids}))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


async def client(port: int, ids: list[str], deadline: float, latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rnd = random.Random(port)
    try:
        while time.perf_counter() < deadline:
            path = f"/sent-referral/{rnd.choice(ids)}"
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != b"200":
                errors.append(status.decode())
    except (OSError, asyncio.IncompleteReadError) as error:
        errors.append(repr(error))
    finally:
        writer.close()


async def load(port: int, ids: list[str], clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(client(port, ids, deadline, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    port_file = Path(f"/tmp/tidings-bench-api-{os.getpid()}.json")
    port_file.unlink(missing_ok=True)
    child = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file)])
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text():
            if child.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the fake API did not start")
            time.sleep(0.1)
        info = json.loads(port_file.read_text())
        latencies, errors, elapsed = asyncio.run(load(info["port"], info["ids"], args.clients, args.seconds))
    finally:
        child.terminate()
        child.wait(timeout=10)
        port_file.unlink(missing_ok=True)
    latencies.sort()
    rate = len(latencies) / elapsed

    def percentile(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else 0.0

    result = {
        "requests_per_s": round(rate, 1),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "errors": len(errors),
        "requests": len(latencies),
        "clients": args.clients,
        "seconds": round(elapsed, 2),
        "ratio": round(rate / TARGET_REQUESTS_PER_S, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
