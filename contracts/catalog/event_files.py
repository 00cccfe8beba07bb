"""Validating event files: each file holds one event (a raw envelope, or an SNS notification / SQS message
carrying one), as JSON (or YAML). One result per file; a file that cannot be read or matched to a contract is
reported, not raised, so one bad file does not hide the verdict on the others."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tidings.contracts.catalog.files import read_data_file
from tidings.contracts.catalog.model import Violation
from tidings.contracts.catalog.notification import unwrap_notification
from tidings.contracts.errors import InputFileError, TidingsError

__all__ = ["FileResult", "Validates", "validate_file", "validate_files"]


class Validates(Protocol):
    """A `Catalog`, or a registry of catalogues that routes each event by its eventType."""

    def validate(self, event_or_notification: Any) -> list[Violation]: ...


@dataclass
class FileResult:
    """The verdict on one event file: `ok`, `violations`, or `error` (a `TidingsError`: bad input)."""

    path: Path
    event_type: str | None = None
    version: Any = None
    violations: list[Violation] = field(default_factory=list)
    error: TidingsError | None = None

    @property
    def ok(self) -> bool:
        """True when the event was matched to a contract and keeps it."""
        return self.error is None and not self.violations

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (for `--json`)."""
        return {
            "file": str(self.path),
            "ok": self.ok,
            "eventType": self.event_type,
            "version": self.version,
            "violations": [
                {"pointer": v.pointer, "message": v.message, "expected": v.expected, "found": v.found}
                for v in self.violations
            ],
            "error": None if self.error is None else str(self.error),
        }


def validate_file(catalog: Validates, path: Path) -> FileResult:
    """Read one event file and validate its event against the catalogue."""
    result = FileResult(path)
    try:
        data = read_data_file(path)
        try:
            event, _ = unwrap_notification(data)
        except TidingsError as error:
            raise InputFileError(path, error.message, hint=error.hint) from None
        result.event_type = event.get("eventType") if isinstance(event.get("eventType"), str) else None
        result.version = event.get("version")
        if result.event_type is None:
            raise InputFileError(
                path,
                "the event has no eventType, so no contract applies",
                hint='add "eventType" (see `tidings contracts list`)',
            )
        result.violations = catalog.validate(event)
    except TidingsError as error:
        result.error = error
    return result


def validate_files(catalog: Validates, paths: list[Path]) -> list[FileResult]:
    """`validate_file` for each path, in order."""
    return [validate_file(catalog, path) for path in paths]
