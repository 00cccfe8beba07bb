"""The one exception root of tidings, and the exit code each kind of failure maps to.

    TidingsError                      every error tidings raises on purpose
    ├── UsageError          (exit 2)  bad usage or input: the user must change what they asked for
    │   ├── InputFileError            a file that cannot be read or parsed (carries file:line)
    │   ├── CatalogError              a catalogue directory that is not a catalogue
    │   ├── UnknownEventType          an event type the catalogue does not know (names the closest)
    │   │   └── UnknownVersion        a version of a known event type that the catalogue does not have
    │   └── EngineError               an engine that cannot be reached or refuses (what was tried, how to start one)
    └── CheckFailed         (exit 1)  a check ran and found problems (violations, breaking changes, failures)

Adapters (CLI, pytest plugin) catch `TidingsError`, print `str(error)` and exit with `error.exit_code`; anything
else is a bug in tidings and is allowed to show its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "CatalogError",
    "CheckFailed",
    "EngineError",
    "InputFileError",
    "TidingsError",
    "UnknownEventType",
    "UnknownVersion",
    "UsageError",
    "closest",
]

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2


class TidingsError(Exception):
    """Root of every error tidings raises on purpose."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\nhint: {self.hint}"


class UsageError(TidingsError):
    """Bad usage or input (exit 2)."""


class InputFileError(UsageError):
    """A file that cannot be read or parsed. The message starts with `file:line:` when the line is known."""

    def __init__(self, path: object, what: str, *, line: int | None = None, hint: str | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {what}", hint=hint)


class CatalogError(UsageError):
    """A catalogue directory that cannot be loaded."""


class UnknownEventType(UsageError):
    """An event type (or version) that the catalogue does not know."""

    def __init__(self, event_type: str, known: Iterable[str], *, what: str = "event type") -> None:
        self.event_type = event_type
        self.suggestions = closest(event_type, known)
        hint = (
            f"did you mean {', '.join(self.suggestions)}?"
            if self.suggestions
            else "run `tidings contracts list` to see the known event types"
        )
        super().__init__(f"unknown {what} {event_type!r}", hint=hint)


class UnknownVersion(UnknownEventType):
    """A version of a known event type that the catalogue does not have (names the versions it has)."""

    def __init__(self, event_type: str, version: object, known_versions: Iterable[int]) -> None:
        versions = sorted(known_versions)
        self.version = version
        UsageError.__init__(
            self,
            f"{event_type} has no version {version!r}",
            hint=f"known versions: {', '.join(map(str, versions)) or 'none'}",
        )
        self.event_type = event_type
        self.suggestions = [str(v) for v in versions]


class EngineError(UsageError):
    """The SNS/SQS engine cannot be reached, or refused a request outright."""


class CheckFailed(TidingsError):
    """A check ran and found problems."""

    exit_code = EXIT_CHECK_FAILED


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The known names most like `word`, best first, for 'did you mean' hints."""
    pool = list(candidates)
    found = difflib.get_close_matches(word, pool, n=n, cutoff=0.5)
    if found:
        return found
    # Fall back to substring matches: `referral.sent` should still find `intervention.referral.sent`.
    return [c for c in pool if word.lower() in c.lower()][:n]
