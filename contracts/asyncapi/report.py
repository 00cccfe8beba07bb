"""What `tidings asyncapi import` did with each file: imported, normalised (with what), refused (why, where),
lost a conflict (to which file), or skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.asyncapi.normalise import Note

__all__ = ["STATUSES", "FileReport", "ImportReport"]

STATUSES = ("imported", "normalised", "conflict", "refused", "skipped")


@dataclass
class FileReport:
    """One input file (or one message of an AsyncAPI document)."""

    path: str
    status: str
    event_types: list[str] = field(default_factory=list)
    producer: str = ""
    notes: list[Note] = field(default_factory=list)

    def lines(self) -> list[str]:
        """`path[:line]: status …` lines, the first naming what was imported."""
        what = ", ".join(self.event_types)
        head = f"{self.path}: {self.status}" + (f" {what}" if what else "")
        head += f" ({self.producer})" if self.producer and self.status in ("imported", "normalised") else ""
        out = [head]
        for note in self.notes:
            where = f"{self.path}:{note.line}" if note.line else self.path
            out.append(f"  {where}: {note.text}")
        return out

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "file": self.path,
            "status": self.status,
            "eventTypes": self.event_types,
            "producer": self.producer,
            "notes": [{"line": n.line, "text": n.text} for n in self.notes],
        }


@dataclass
class ImportReport:
    """Every file's outcome, and where the catalogues were written."""

    files: list[FileReport] = field(default_factory=list)
    producers: dict[str, list[str]] = field(default_factory=dict)
    """producer → its event types, as written."""
    into: str = ""

    @property
    def counts(self) -> dict[str, int]:
        """Files per status (every status present, 0 included)."""
        counted = Counter(f.status for f in self.files)
        return {status: counted.get(status, 0) for status in STATUSES}

    @property
    def event_type_count(self) -> int:
        """How many event types were written."""
        return sum(len(types) for types in self.producers.values())

    def summary(self) -> str:
        """One line: the counts, the producers and the event types."""
        counts = ", ".join(f"{n} {status}" for status, n in self.counts.items())
        return (
            f"{len(self.files)} file(s): {counts}; {self.event_type_count} event type(s) in "
            f"{len(self.producers)} producer catalogue(s) under {self.into}"
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "into": self.into,
            "counts": self.counts,
            "producers": self.producers,
            "files": [f.to_json() for f in self.files],
        }
