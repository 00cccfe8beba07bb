"""What the `tidings_pact` fixture stands on: consumers' pacts made in tests (messages, and HTTP requests to the
producer's detail endpoints), checked against the published contracts (events and resources) when the test that
defined them ends, and written to the pact folder when the session ends.

Imported only when a test first asks for `tidings_pact`: it imports pact-python (and its FFI library), which
other tests should not pay for. PACT_DO_NOT_TRACK is set before that import: tests must not phone home.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

# pact reads PACT_DO_NOT_TRACK when imported: set above, imported below.
from pact import Pact

from tidings.contracts import Catalog
from tidings.contracts.pact.check import InteractionCheck, inspect_interaction
from tidings.contracts.pact.file import parse_pact
from tidings.contracts.pact.http_check import HttpInteractionCheck, inspect_http_interaction

__all__ = [
    "DecodedPact",
    "PactHandlerFailed",
    "PactRecorder",
    "WrittenPact",
    "check_pacts",
    "describe_failures",
    "pact_document",
]


class PactHandlerFailed(AssertionError):
    """The consumer's handler failed on pact messages; the message says which interaction and why."""


class DecodedPact(Pact):
    """pact-python's `Pact`, whose `verify` hands the handler each message decoded (a JSON body as the event
    dict, not pact_ffi's string) and, when the handler fails, says which interaction and why (pact-python's own
    error says only "Error verifying Pact (count: 1)")."""

    def verify(self, handler: Any, kind: Any, *, raises: bool = True) -> Any:
        __tracebackhide__ = True

        def decoded(body: str | bytes | None, metadata: dict[str, object]) -> None:
            handler(_decoded(body), metadata)

        errors = super().verify(decoded, kind, raises=False) or []
        if errors and raises:
            lines = [f"the handler failed on {len(errors)} pact message(s):"]
            lines += [f"  - {str(error.description)!r}: {_why(error.error)}" for error in errors]
            raise PactHandlerFailed("\n".join(lines))
        return None if raises else errors


def _decoded(body: str | bytes | None) -> Any:
    """A JSON body as Python (dicts, lists…); anything else as text (or None)."""
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _why(error: BaseException) -> str:
    """`Type: message`, and where the handler raised it (a bare `assert` has no message of its own)."""
    where = traceback.extract_tb(error.__traceback__)
    place = f" at {where[-1].filename}:{where[-1].lineno} ({where[-1].line})" if where else ""
    return f"{type(error).__name__}{place}" + (f": {error}" if str(error) else "")


@dataclass(frozen=True)
class WrittenPact:
    """A pact file the session wrote (or merged into), and how many interactions it holds now."""

    path: Path
    interactions: int


@dataclass
class PactRecorder:
    """The session's pacts: made by `new_pact`, kept by `keep` once their test passed, written by `write`."""

    catalog: Catalog
    started: float = field(default_factory=time.time)
    """When the session started: a pact file older than this is left from an earlier run and is replaced."""
    kept: list[tuple[Pact, Path]] = field(default_factory=list)

    def new_pact(self, consumer: str, provider: str | None = None) -> Pact:
        """A V4 pact between `consumer` and `provider` (the catalogue's producer by default)."""
        return DecodedPact(consumer, provider or self.catalog.producer).with_specification("V4")

    def keep(self, pacts: list[Pact], directory: Path) -> None:
        """Write these pacts to `directory` at the end of the session."""
        self.kept.extend((pact, directory) for pact in pacts)

    def write(self) -> list[WrittenPact]:
        """Write the kept pacts, merged per consumer and provider (pact-python merges interactions by description
        and provider states into an existing file). A file from an earlier run is replaced, not merged into, so a
        removed interaction does not linger; one written during this session (by another xdist worker) is merged."""
        written: dict[Path, None] = {}
        for pact, directory in self.kept:
            path = directory / f"{pact.consumer}-{pact.provider}.json"
            directory.mkdir(parents=True, exist_ok=True)
            with _locked(directory):
                stale = path.exists() and path not in written and path.stat().st_mtime < self.started
                pact.write_file(directory, overwrite=stale)
            written[path] = None
        return [WrittenPact(path, _count(path)) for path in written]


def pact_document(pact: Pact) -> dict[str, object]:
    """The pact as pact-python would write it (pact-python has no in-memory serialiser: a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="tidings-pact-") as folder:
        pact.write_file(folder, overwrite=True)
        (path,) = Path(folder).glob("*.json")
        document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        return document


def check_pacts(catalog: Catalog, pacts: list[Pact]) -> list[InteractionCheck | HttpInteractionCheck]:
    """The static check (as `tidings pact lint`) of every message and HTTP interaction of these pacts."""
    checks: list[InteractionCheck | HttpInteractionCheck] = []
    for pact in pacts:
        parsed = parse_pact(pact_document(pact), Path(f"{pact.consumer}-{pact.provider}.json"))
        checks.extend(inspect_interaction(catalog, interaction) for interaction in parsed.interactions)
        checks.extend(inspect_http_interaction(catalog, interaction) for interaction in parsed.http_interactions)
    return checks


def describe_failures(checks: list[InteractionCheck | HttpInteractionCheck]) -> str | None:
    """Why the test fails (each failing interaction, the pointer into its message, the contract field, the hint),
    or None when every interaction holds. Warnings do not fail a test; `tidings pact lint` shows them."""
    failing = [check for check in checks if not check.ok]
    if not failing:
        return None
    lines = [f"tidings: {len(failing)} pact interaction(s) break the published contracts:"]
    for check in failing:
        if isinstance(check, HttpInteractionCheck):
            target = check.target
        else:
            target = f"{check.contract}" if check.contract else "no contract"
        lines.append(f"  {check.interaction.description!r} → {target}")
        for finding in check.errors:
            where = f" (contract field {finding.field})" if finding.field else ""
            lines.append(f"    {finding.pointer or '/'}: {finding.message}{where}")
            if finding.hint:
                lines.append(f"      hint: {finding.hint}")
    lines.append("The pact is not written. Fix the interaction, or the contract if the producer really sends it.")
    return "\n".join(lines)


def _count(path: Path) -> int:
    try:
        interactions = json.loads(path.read_text(encoding="utf-8")).get("interactions", [])
    except (OSError, ValueError, AttributeError):
        return 0
    return len(interactions) if isinstance(interactions, list) else 0


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on `directory` while deciding between replacing and merging a pact file and writing
    it: xdist workers end their sessions at about the same time. Without `fcntl` (Windows) there is no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
