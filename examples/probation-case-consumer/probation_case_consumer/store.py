"""The consumer's own database (SQLite): the referrals it knows, the referral events it has applied, and the
messages it has processed (by MessageId, so a redelivered message is a no-op)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .sent_referral import SentReferral

__all__ = ["Referral", "ReferralStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS processed_message (
    message_id   TEXT PRIMARY KEY,
    event_type   TEXT,
    processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS referral_event (
    referral_id  TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    PRIMARY KEY (referral_id, event_type, occurred_at)
);
CREATE TABLE IF NOT EXISTS referral (
    id            TEXT PRIMARY KEY,
    crn           TEXT NOT NULL,
    reference     TEXT,
    status        TEXT,
    assigned_to   TEXT,
    end_state     TEXT,
    last_event_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Referral:
    """A referral as this service records it."""

    id: str
    crn: str
    reference: str | None
    status: str | None
    assigned_to: str | None
    end_state: str | None
    last_event_at: str


class ReferralStore:
    """Referrals in SQLite. Each processed message is recorded in one transaction with its effects."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)

    def seen(self, message_id: str) -> bool:
        """Whether the message with this MessageId was processed already."""
        found = self._db.execute("SELECT 1 FROM processed_message WHERE message_id = ?", (message_id,)).fetchone()
        return found is not None

    def mark_processed(self, message_id: str, event_type: str | None) -> None:
        """Remember a message that needed no work (an event type this service ignores)."""
        with self._db:
            self._processed(message_id, event_type)

    def record(
        self,
        message_id: str,
        event_type: str,
        occurred_at: datetime,
        referral_id: str,
        crn: str,
        detail: SentReferral,
        *,
        end_state: str | None = None,
    ) -> None:
        """Apply one referral event and its detail (the producer's SentReferralDTO), atomically with the
        message's MessageId. The same event published twice (another MessageId) adds no second event row, and
        an event older than the newest one applied does not overwrite the referral: events come out of order."""
        when = occurred_at.astimezone(UTC).isoformat()
        with self._db:
            self._processed(message_id, event_type)
            self._db.execute(
                "INSERT OR IGNORE INTO referral_event VALUES (?, ?, ?, ?)", (referral_id, event_type, when, message_id)
            )
            self._db.execute(
                """
                INSERT INTO referral (id, crn, reference, status, assigned_to, end_state, last_event_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    reference = excluded.reference, status = excluded.status, assigned_to = excluded.assigned_to,
                    end_state = COALESCE(excluded.end_state, referral.end_state), last_event_at = excluded.last_event_at
                WHERE excluded.last_event_at >= referral.last_event_at
                """,
                (
                    referral_id,
                    crn,
                    detail.reference_number,
                    detail.status,
                    detail.assigned_to,
                    end_state,
                    when,
                ),
            )

    def referral(self, referral_id: str) -> Referral | None:
        row = self._db.execute(
            "SELECT id, crn, reference, status, assigned_to, end_state, last_event_at FROM referral WHERE id = ?",
            (referral_id,),
        ).fetchone()
        return Referral(*row) if row else None

    def referrals(self) -> list[Referral]:
        rows = self._db.execute(
            "SELECT id, crn, reference, status, assigned_to, end_state, last_event_at FROM referral ORDER BY id"
        ).fetchall()
        return [Referral(*row) for row in rows]

    def events(self, referral_id: str) -> list[tuple[str, str]]:
        """(event type, occurredAt) of the referral's applied events, oldest first."""
        return [
            (event_type, occurred_at)
            for event_type, occurred_at in self._db.execute(
                "SELECT event_type, occurred_at FROM referral_event WHERE referral_id = ? ORDER BY occurred_at",
                (referral_id,),
            )
        ]

    def processed_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM processed_message").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def _processed(self, message_id: str, event_type: str | None) -> None:
        self._db.execute(
            "INSERT INTO processed_message VALUES (?, ?, ?)",
            (message_id, event_type, datetime.now(UTC).isoformat()),
        )
