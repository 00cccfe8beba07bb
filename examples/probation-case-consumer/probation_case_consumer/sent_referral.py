"""The referral as the producer's API serves it (`GET /sent-referral/{id}`: the interventions service's
SentReferralDTO), read the way a typed client would: every field this service needs that the producer's type
declares non-null must be there and not null, or the answer is refused (and the message retried)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["SentReferral"]


@dataclass(frozen=True)
class SentReferral:
    """What this service reads of a SentReferralDTO (the rest it ignores, as a tolerant reader should)."""

    id: str
    reference_number: str
    service_user_crn: str
    sent_at: datetime
    assigned_to: str | None
    """`assignedTo.username` (AuthUserDTO?: null until a caseworker is assigned)."""
    end_requested_at: datetime | None
    concluded_at: datetime | None

    @property
    def status(self) -> str:
        """SentReferralDTO has no status field: the state is what its timestamps and assignee say."""
        if self.concluded_at:
            return "CONCLUDED"
        if self.end_requested_at:
            return "ENDED"
        return "ASSIGNED" if self.assigned_to else "SENT"

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> SentReferral:
        """Read a SentReferralDTO; a ValueError names the first field that is missing, null or mistyped."""
        assigned = body.get("assignedTo")
        if assigned is not None and not isinstance(assigned, dict):
            raise ValueError(f"assignedTo is not an AuthUserDTO: {assigned!r}")
        return cls(
            id=_text(body, "id"),
            reference_number=_text(body, "referenceNumber"),
            service_user_crn=_text(body, "serviceUserCRN"),
            sent_at=_instant(body.get("sentAt"), "sentAt"),
            assigned_to=_text(assigned, "username") if assigned else None,
            end_requested_at=_instant(body["endRequestedAt"], "endRequestedAt") if body.get("endRequestedAt") else None,
            concluded_at=_instant(body["concludedAt"], "concludedAt") if body.get("concludedAt") else None,
        )


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-null string in a SentReferralDTO, got {value!r}")
    return value


def _instant(value: Any, name: str) -> datetime:
    """An OffsetDateTime: ISO-8601 with an offset (`Z` included)."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} is not an ISO-8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{name} has no offset: {value!r}")
    return parsed
