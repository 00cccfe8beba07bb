"""How far a `tidings play` got: the events it published (only those the engine confirmed), and, when it stops
early (the engine gone, Ctrl-C), the exact command that publishes the rest and nothing twice."""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence

from tidings.contracts.errors import UsageError
from tidings.simulator.runs.events import EventPublished, FaultInjected, RunEvent, RunStarted

__all__ = ["RunProgress", "resume_command", "settles"]

_REPLAY_OPTIONS = ("--seed", "--start-at", "--from")


def settles(event: RunEvent) -> int | None:
    """The plan position (seq) of the scenario event whose fate `event` decides - published (as itself or as
    poison) or dropped - else None (a republished copy, a step starting, another fault's mark)."""
    if isinstance(event, EventPublished):
        return None if (event.fault or "").startswith("republish") else event.seq
    if isinstance(event, FaultInjected) and event.kind == "drop":
        return event.seq
    return None


class RunProgress:
    """The run's events, passed through, counting what was published. EventPublished comes only after the engine
    answered for its batch, so the counts are of confirmed publishes.

    `settled` is the longest prefix of the plan whose every event was published or dropped: the `--from` that
    resumes the run. Without reorder or delay faults events go out in plan order and it follows the count;
    with them, the few published ahead of the prefix are counted in `ahead` (a resume publishes them again)."""

    def __init__(self, events: Iterator[RunEvent]) -> None:
        self.events = events
        self.started: RunStarted | None = None
        self.published = self.dropped = 0
        self.settled = 0
        self._ahead: set[int] = set()  # bounded by the reorder window and delay horizon

    def __iter__(self) -> Iterator[RunEvent]:
        for event in self.events:
            if isinstance(event, RunStarted):
                self.started = event
                self.settled = event.resumed_from
            seq = settles(event)
            if seq is not None:
                self.published += isinstance(event, EventPublished)
                self.dropped += isinstance(event, FaultInjected)
                self._settle(seq)
            yield event

    def _settle(self, seq: int) -> None:
        if seq <= self.settled:
            return
        self._ahead.add(seq)
        while self.settled + 1 in self._ahead:
            self._ahead.remove(self.settled + 1)
            self.settled += 1

    @property
    def ahead(self) -> int:
        """Events published (or dropped) after the first one still to go."""
        return len(self._ahead)

    def close(self) -> None:
        self.events.close()  # type: ignore[attr-defined]

    def said(self) -> str:
        if self.started is None:
            return "nothing was published"
        started = self.started
        resumed = f", resumed from event {started.resumed_from:,}" if started.resumed_from else ""
        dropped = f", {self.dropped:,} dropped by the drop fault" if self.dropped else ""
        return (
            f"published {self.published:,} of {started.total_events:,} events of {started.scenario} "
            f"(seed {started.seed}{resumed}{dropped})"
        )

    def resume_hint(self, argv: Sequence[str]) -> str:
        """Where to pick up: the command that publishes the plan's events after `settled`, and only those."""
        assert self.started is not None
        started = self.started
        left = started.resumed_from + started.total_events - self.settled
        command = resume_command(argv, started.seed, started.start.isoformat(), self.settled)
        again = (
            f" ({self.ahead:,} of them went out ahead of event {self.settled + 1:,}, by the reorder or delay fault, "
            "and will be published again)"
            if self.ahead
            else ""
        )
        return f"publish the other {left:,} events{again} with: {command}"

    def stopped(self, cause: BaseException, argv: Sequence[str]) -> UsageError:
        """The one-line error (and resume hint) of a run that failed after it started publishing."""
        reason = str(getattr(cause, "message", None) or cause).splitlines()[0]
        return UsageError(
            f"{self.said()}, then the run stopped: {reason}",
            hint=f"once the engine is back (e.g. `tidings up`), {self.resume_hint(argv)}",
        )


def resume_command(argv: Sequence[str], seed: int, start: str, skip: int) -> str:
    """`tidings ARGV...` with its own --seed, --start-at and --from replaced by these: the same plan (same
    scenario, parameters, seed and start: the same events), from event `skip` + 1 on."""
    kept: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in _REPLAY_OPTIONS:
            next(args, None)  # and its value
            continue
        if arg.startswith(tuple(f"{option}=" for option in _REPLAY_OPTIONS)):
            continue
        kept.append(arg)
    kept += ["--seed", str(seed), "--start-at", start, "--from", str(skip)]
    return shlex.join(["tidings", *kept])
