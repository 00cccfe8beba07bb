"""Benchmark: the fake API's detail endpoint under 50 concurrent clients for 10 s, over loopback.

The API runs in its own process (as it does under `tidings up`), holding the state of 1,000 played referrals;
the load comes from this process: 50 keep-alive connections, each sending GET /sent-referral/{id} for random
played ids as fast as answers come back (a small raw HTTP/1.1 client on asyncio, so the measuring side costs
little of the 2 cores). Latency is measured per request, from write to the end of the body.

    python bench/api.py [--clients 50] [--seconds 10]

Side by side in one run, alternating rounds: the strict fake API (projections, validation on) against a bare
FastAPI endpoint on the same uvicorn server returning a constant body of the same size. Last line:
{"strict_fake_api": {...}, "bare_fastapi": {...}, "body_bytes", "clients", "p99_ratio", "ratio"}, ratio being
the fake API's requests/s over the bare endpoint's (target >= 0.8; p99_ratio target <= 1.5).
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

REFERRALS = 1_000


def serve_bare(port_file: str, size: int) -> None:
    """Child process, the baseline: a bare FastAPI endpoint on the same uvicorn server, a constant body of
    `size` bytes (the framework's own floor)."""
    from fastapi import FastAPI
    from fastapi.responses import Response

    from tidings.simulator.fake_api.server import ApiServer

    body = b'{"x":"' + b"a" * max(size - 8, 0) + b'"}'
    app = FastAPI()

    @app.get("/sent-referral/{referral_id}")
    async def constant(referral_id: str) -> Response:
        return Response(body, media_type="application/json")

    server = ApiServer(app, port=0).bind()
    server.start()
    Path(port_file).write_text(json.dumps({"port": server.port, "ids": ["1"]}))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


def serve(port_file: str) -> None:
    """Child process: play `REFERRALS` referral-sent events into a FakeApiState (the catalogue's projections,
    strict validation on) and serve it."""
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
    assert state.strict
    sizes = [len(state.served(f"/sent-referral/{i}")[1]) for i in ids]  # type: ignore[index]
    server.start()
    Path(port_file).write_text(json.dumps({"port": server.port, "ids": ids, "size": sum(sizes) // len(sizes)}))
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


def start(args: list[str]) -> tuple[subprocess.Popen[bytes], dict[str, object], Path]:
    port_file = Path(f"/tmp/tidings-bench-api-{os.getpid()}-{len(args)}.json")
    port_file.unlink(missing_ok=True)
    child = subprocess.Popen([sys.executable, __file__, *args, str(port_file)])
    deadline = time.monotonic() + 120
    while not port_file.exists() or not port_file.read_text():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            raise SystemExit("the fake API did not start")
        time.sleep(0.1)
    return child, json.loads(port_file.read_text()), port_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round; 2 rounds per side, alternating")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.serve_bare:
        serve_bare(args.serve_bare[1], int(args.serve_bare[0]))
        return
    fake, fake_info, fake_file = start(["--serve"])
    bare, bare_info, bare_file = start(["--serve-bare", str(fake_info["size"])])
    results: dict[str, tuple[list[float], list[str], float]] = {"fake": ([], [], 0.0), "bare": ([], [], 0.0)}
    try:
        for side in ("fake", "bare", "bare", "fake"):  # alternate, so drift hits both sides alike
            info = fake_info if side == "fake" else bare_info
            lat, err, took = asyncio.run(load(int(info["port"]), list(info["ids"]), args.clients, args.seconds))  # type: ignore[call-overload]
            total = results[side]
            results[side] = (total[0] + lat, total[1] + err, total[2] + took)
    finally:
        for child, file in ((fake, fake_file), (bare, bare_file)):
            child.terminate()
            child.wait(timeout=10)
            file.unlink(missing_ok=True)

    def figures(side: str) -> dict[str, float]:
        latencies, errors, elapsed = results[side]
        latencies.sort()

        def percentile(p: float) -> float:
            return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else 0.0

        return {
            "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": percentile(0.50),
            "p99_ms": percentile(0.99),
            "errors": len(errors),
            "requests": len(latencies),
        }

    fake_figures, bare_figures = figures("fake"), figures("bare")
    result = {
        "strict_fake_api": fake_figures,
        "bare_fastapi": bare_figures,
        "body_bytes": fake_info["size"],
        "clients": args.clients,
        "p99_ratio": round(fake_figures["p99_ms"] / max(bare_figures["p99_ms"], 1e-9), 3),
        "ratio": round(fake_figures["requests_per_s"] / max(bare_figures["requests_per_s"], 1e-9), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
