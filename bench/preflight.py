"""Benchmark: checking a whole plan before the first publish (`Plan.preflight`, what `tidings play` and
`tidings scenarios validate` do), against validating the same events alone.

`caseload` with `--count` lifecycles (14 events each). Per round, in this process, alternating the order:
- `preflight`: a fresh Plan's preflight (templates rendered, Faker values drawn, each event built from its
  contract's example and validated; a scenario with repetitions gets a sample pass then the full lazy pass);
- `validate`: `Catalog.validate` over the plan's events, already built (the floor: validation alone).
CPU time (process_time), the best round of each.

    python bench/preflight.py [--count 1000] [--rounds 3]

Last line: {"events", "preflight_events_per_s", "validate_events_per_s", "preflight_us_per_event",
"validate_us_per_event", "ratio"}, ratio = preflight time / validate time per event (how many validations one
event's whole check costs).
"""

from __future__ import annotations

import argparse
import json
import time

from tidings.contracts import load_catalog
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog()
    scenario = ScenarioLibrary.from_setting(None).load("caseload")
    events = [planned.event for planned in Plan(scenario, catalog, params={"count": args.count}, seed=1).events()]
    times: dict[str, list[float]] = {"preflight": [], "validate": []}
    total = 0
    for round_ in range(args.rounds):
        for what in ("preflight", "validate") if round_ % 2 == 0 else ("validate", "preflight"):
            start = time.process_time()
            if what == "preflight":
                total = Plan(scenario, catalog, params={"count": args.count}, seed=1).preflight()
            else:
                for event in events:
                    catalog.validate(event)
            times[what].append(time.process_time() - start)
    best = {what: min(values) for what, values in times.items()}
    for what, values in times.items():
        print(f"{what:9} {total} events: best {best[what]:.3f} s CPU (rounds: {', '.join(f'{t:.3f}' for t in values)})")
    print(
        json.dumps(
            {
                "events": total,
                "preflight_events_per_s": round(total / best["preflight"]),
                "validate_events_per_s": round(len(events) / best["validate"]),
                "preflight_us_per_event": round(best["preflight"] / total * 1e6, 1),
                "validate_us_per_event": round(best["validate"] / len(events) * 1e6, 1),
                "ratio": round((best["preflight"] / total) / (best["validate"] / len(events)), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
