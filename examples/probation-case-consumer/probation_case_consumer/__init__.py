"""An example consumer of the interventions service's referral events, tested with the tidings pytest plugin."""

from .consumer import NotProcessable, ReferralConsumer, Stats, fetch_json, sqs_client
from .sent_referral import SentReferral
from .store import Referral, ReferralStore

__all__ = [
    "NotProcessable",
    "Referral",
    "ReferralConsumer",
    "ReferralStore",
    "SentReferral",
    "Stats",
    "fetch_json",
    "sqs_client",
]
