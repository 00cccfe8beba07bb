"""Benchmark: validate 100,000 generated events (all event types, 5% invalid) through `Catalog.validate`.

Run from the repository root: `python bench/validate.py [--events N] [--invalid-share F] [--sample N]`. The last line of
stdout is one JSON object: events, seconds, events_per_s, baseline_events_per_s, ratio (and a few details).

The baseline is the naive way: `jsonschema.validate(event, schema, registry=..., format_checker=...)` per event,
which re-checks the schema and rebuilds a validator every call. It is measured on a sample of the same events
because it is ~100x slower. Same formats are checked on both sides, so the comparison is like for like.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid
from typing import Any

import jsonschema

from tidings.contracts import REMOVE, Catalog, load_catalog
from tidings.contracts.catalog.formats import FORMAT_CHECKER
from tidings.contracts.catalog.schemas import with_base_uri

INVALID_SHARE = 0.05
"""Share of events broken on purpose. A valid event takes the generated fast path (~4 microseconds); an
invalid one is then explained by jsonschema (~25-40 microseconds), so this share weighs on the result."""


def _crn(rng: random.Random) -> str:
    return rng.choice("ABCDEFGHJKLMNPRSTVWXYZ") + f"{rng.randrange(1_000_000):06d}"


def _occurred_at(rng: random.Random) -> str:
    offset = rng.choice(["Z", "+00:00", "+01:00"])
    return (
        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randrange(1000):03d}{offset}"
    )


def _breakage(rng: random.Random) -> dict[str, Any]:
    """Overrides that make an event invalid, the ways fixtures and producers really get it wrong."""
    return rng.choice(
        [
            {"occurredAt": "2024-01-01T10:00:00"},  # no offset
            {"additionalInformation.referralId": 12345},  # wrong type
            {"additionalInformation.referralId": REMOVE},  # missing required field
            {"personReference": {"identifiers": [{"type": "CRN", "value": "x123"}]}},  # bad CRN
            {"description": ""},  # empty description
            {"detailUrl": "/sent-referral/123"},  # relative URL
        ]
    )


def generate(catalog: Catalog, count: int, seed: int, invalid_share: float = INVALID_SHARE) -> list[dict[str, Any]]:
    """`count` events over every event type, each with fresh ids, CRN and time; `invalid_share` broken."""
    rng = random.Random(seed)
    types = catalog.event_types
    events = []
    for index in range(count):
        event_type = types[index % len(types)]
        overrides: dict[str, Any] = {
            "crn": _crn(rng),
            "occurredAt": _occurred_at(rng),
            "additionalInformation.referralId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        }
        if rng.random() < invalid_share:
            overrides.update(_breakage(rng))
        events.append(catalog.example(event_type, **overrides))
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1_000, help="events validated the naive way (baseline)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--invalid-share", type=float, default=INVALID_SHARE, help="share of broken events")
    args = parser.parse_args()

    catalog = load_catalog()
    events = generate(catalog, args.events, args.seed, args.invalid_share)
    for event_type in catalog.event_types:
        catalog.compiled(event_type)  # compile outside the timed loop, as any long-running user would

    validate = catalog.validate
    started = time.perf_counter()
    invalid = sum(1 for event in events if validate(event))
    seconds = time.perf_counter() - started

    sample = events[: args.sample]
    schemas = {c.key: with_base_uri(c.schema, c.schema_uri) for c in catalog.events}
    started = time.perf_counter()
    baseline_invalid = 0
    for event in sample:
        schema = schemas.get((event["eventType"], event["version"])) or schemas[(event["eventType"], 1)]
        try:
            jsonschema.validate(event, schema, registry=catalog.registry, format_checker=FORMAT_CHECKER)
        except jsonschema.ValidationError:
            baseline_invalid += 1
    baseline_seconds = time.perf_counter() - started

    events_per_s = args.events / seconds
    baseline_events_per_s = len(sample) / baseline_seconds
    sample_invalid = sum(1 for event in sample if validate(event))
    print(
        f"validated {args.events} events in {seconds:.3f}s ({events_per_s:,.0f}/s), {invalid} invalid; "
        f"naive jsonschema.validate: {baseline_events_per_s:,.0f}/s on {len(sample)} events "
        f"(agrees on the sample: {sample_invalid == baseline_invalid})"
    )
    print(
        json.dumps(
            {
                "events": args.events,
                "invalid_events": invalid,
                "invalid_share": args.invalid_share,
                "seconds": round(seconds, 4),
                "events_per_s": round(events_per_s),
                "baseline_events_per_s": round(baseline_events_per_s),
                "baseline_sample": len(sample),
                "ratio": round(events_per_s / baseline_events_per_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
