"""Benchmark: verify a pact of 100 asynchronous message interactions across all event types, the simulator
playing the producer (`tidings pact verify`'s core).

Run from the repository root: `python bench/pact.py [--interactions N]`. The pact is written first with plain
pact-python (V4): interaction i is about event type i mod 13, with its `additionalInformation` matched by type,
and every fourth one given a provider state played by the `referral-sent` scenario. The last line of stdout is
one JSON object: interactions, seconds, per_interaction_ms, target_seconds (3), baseline_seconds and ratio.

The baseline is the same verification through pact-python's own message relay (`Verifier.message_handler`)
instead of tidings' message server; ratio = baseline_seconds / seconds (above 1: tidings is faster).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["PACT_DO_NOT_TRACK"] = "true"  # before pact is imported
# Run as a script, this file's folder comes first on sys.path, and this file is named pact.py: drop the folder so
# `import pact` finds pact-python.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

from pact import Pact, Verifier, match  # noqa: E402 (after the sys.path fix)

from tidings.contracts import Catalog, load_catalog  # noqa: E402
from tidings.contracts.pact.file import load_pact  # noqa: E402
from tidings.simulator.pact.provider import SimulatedProducer, quiet_pact, verify_pacts  # noqa: E402
from tidings.simulator.pact.states import ProviderStates  # noqa: E402
from tidings.simulator.scenarios.loader import ScenarioLibrary  # noqa: E402

TARGET_SECONDS = 3.0
STATE = "a referral has been sent"


def write_pact(catalog: Catalog, directory: Path, count: int) -> Path:
    """A V4 pact of `count` message interactions, cycling through every event type of the catalogue."""
    pact = Pact("bench-consumer", catalog.producer).with_specification("V4")
    types = catalog.event_types
    for index in range(count):
        event_type = types[index % len(types)]
        example = catalog.example(event_type)
        interaction = pact.upon_receiving(f"message {index}: {event_type}", "Async")
        if event_type == "intervention.referral.sent" or index % 4 == 0:
            interaction.given(STATE, crn=f"X{index:06d}")
        interaction.with_body(
            {
                "eventType": event_type,
                "version": match.int(1),
                "additionalInformation": match.like(example["additionalInformation"]),
                "personReference": {"identifiers": match.each_like({"type": "CRN", "value": match.str("X123456")})},
            },
            content_type="application/json",
        ).with_metadata({"eventType": event_type})
    pact.write_file(directory, overwrite=True)
    return directory / f"bench-consumer-{catalog.producer}.json"


def baseline(catalog: Catalog, states: ProviderStates, path: Path) -> float:
    """The same verification through pact-python's own message relay."""
    producer = SimulatedProducer(catalog, states, load_pact(path).interactions)
    started = time.perf_counter()

    def handler(name: str, metadata: dict[str, Any] | None) -> Any:  # the argument names pact-python passes
        return producer.message(name, metadata)

    verifier = Verifier(catalog.producer).message_handler(handler).add_source(path)
    with quiet_pact(), contextlib.suppress(RuntimeError):
        verifier.verify()
    seconds = time.perf_counter() - started
    failed = [r for r in verifier.results["interactionResults"] if r["result"] != "OK"]
    if failed:
        raise SystemExit(f"baseline: {len(failed)} interaction(s) failed: {failed[0]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=100)
    args = parser.parse_args()
    catalog = load_catalog()
    states = ProviderStates()
    states.add_scenario(STATE, ScenarioLibrary().load("referral-sent"), catalog)
    with tempfile.TemporaryDirectory() as folder:
        path = write_pact(catalog, Path(folder), args.interactions)
        started = time.perf_counter()
        report = verify_pacts(catalog, states, [path])
        seconds = time.perf_counter() - started
        if not report.ok:
            raise SystemExit(f"{len(report.failed)} interaction(s) failed: {report.failed[0]}")
        baseline_seconds = baseline(catalog, states, path)
    per_interaction_ms = seconds / len(report.results) * 1000
    print(
        f"verified {len(report.results)} interactions ({len(catalog.event_types)} event types) in {seconds:.3f}s "
        f"({per_interaction_ms:.1f} ms each; target {TARGET_SECONDS:.0f}s); "
        f"through pact-python's message relay: {baseline_seconds:.3f}s"
    )
    print(
        json.dumps(
            {
                "interactions": len(report.results),
                "event_types": len(catalog.event_types),
                "seconds": round(seconds, 3),
                "per_interaction_ms": round(per_interaction_ms, 2),
                "target_seconds": TARGET_SECONDS,
                "within_target": seconds <= TARGET_SECONDS,
                "baseline_seconds": round(baseline_seconds, 3),
                "ratio": round(baseline_seconds / seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
