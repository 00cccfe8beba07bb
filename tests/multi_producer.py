"""The two-producer registry of tests/data/multi_producer (the shipped interventions catalogue and a cut-down
approved-premises), for the tests of playing, emitting and serving several producers."""

from __future__ import annotations

from pathlib import Path

from tidings.contracts import SHIPPED_CATALOG

MULTI = Path(__file__).parent / "data" / "multi_producer"
FIXTURES = MULTI / "fixtures"
SECOND = MULTI / "approved-premises"
BOOKING = "approved-premises.booking.made"
SENT = "intervention.referral.sent"
BASE_PATHS = {SENT: "/hmpps-interventions-service", BOOKING: "/approved-premises"}
"""Where each event type's producer sits on the shared fake API."""

__all__ = ["BASE_PATHS", "BOOKING", "FIXTURES", "MULTI", "SECOND", "SENT", "SHIPPED_CATALOG"]
