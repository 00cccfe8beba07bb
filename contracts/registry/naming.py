"""The registry's naming rule (configurable in registry.yaml `naming:`), applied to every event type on the
topic: segment count, kebab-case segments, a past-tense last word (with an allow-list), the producer's prefix,
and one concept spelt two ways (`intervention.` and `interventions.`)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tidings.contracts.lint.rules import is_past_tense
from tidings.contracts.registry.model import Registry

__all__ = ["NamingFinding", "naming_counts", "naming_findings"]

_KEBAB = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class NamingFinding:
    """One misaligned name."""

    event_type: str
    producer: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.event_type} ({self.producer}): [{self.rule}] {self.message}"


def naming_findings(registry: Registry) -> list[NamingFinding]:
    """Every misaligned event type name of the registry."""
    rules = registry.naming
    found: list[NamingFinding] = []
    spellings: dict[str, set[str]] = {}
    for event_type in registry.event_types:
        producer = registry.owner(event_type).producer
        segments = event_type.split(".")

        def add(rule: str, message: str, _type: str = event_type, _producer: str = producer) -> None:
            found.append(NamingFinding(_type, _producer, rule, message))

        if not rules.min_segments <= len(segments) <= rules.max_segments:
            wanted = (
                str(rules.min_segments)
                if rules.min_segments == rules.max_segments
                else (f"{rules.min_segments}-{rules.max_segments}")
            )
            add("segments", f"{len(segments)} segments, the rule is {wanted} (<producer>.<entity>.<verb>)")
        if rules.kebab_case:
            for segment in segments:
                if not _KEBAB.match(segment):
                    add("kebab-case", f"segment {segment!r} is not lowercase kebab-case")
        last = segments[-1].rsplit("-", 1)[-1]
        if rules.past_tense and last not in rules.allow and not is_past_tense(last):
            add("past-tense", f"{last!r} is not a past-tense verb (an event says what happened)")
        allowed = {producer, *rules.prefixes.get(producer, ())}
        if rules.producer_prefix and segments[0] not in allowed:
            add("producer-prefix", f"prefix {segments[0]!r} is not the producer {producer!r}")
        for segment in segments[:-1]:
            key = re.sub(r"[-_]", "", segment.lower()).removesuffix("s")
            spellings.setdefault(key, set()).add(segment)
    for _key, spelt in sorted(spellings.items()):
        if len(spelt) > 1:
            names = sorted(spelt)
            users = [t for t in registry.event_types if set(t.split(".")[:-1]) & spelt]
            found.append(
                NamingFinding(
                    users[0],
                    registry.owner(users[0]).producer,
                    "one-concept",
                    f"one concept, {len(names)} names: {', '.join(names)} ({len(users)} event types)",
                )
            )
    return found


def naming_counts(findings: list[NamingFinding]) -> dict[str, int]:
    """Findings per rule."""
    return dict(sorted(Counter(f.rule for f in findings).items()))
