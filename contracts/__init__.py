"""The contract core: catalogue model, loading, validation, lint and compatibility. Pure: it reads files and
imports no engine, web or CLI library.

    from tidings.contracts import load_catalog
    catalog = load_catalog()                      # the shipped interventions catalogue
    event = catalog.example("intervention.referral.sent", crn="X123456")
    assert catalog.validate(event) == []
"""

from .catalog import Catalog
from .errors import (
    CatalogError,
    CheckFailed,
    InputFileError,
    TidingsError,
    UnknownEventType,
    UnknownVersion,
    UsageError,
)
from .examples import REMOVE
from .loader import SHIPPED_CATALOG, load_catalog
from .model import EventContract, UrlOnlyParam, Violation
from .notification import unwrap_notification

__all__ = [
    "REMOVE",
    "SHIPPED_CATALOG",
    "Catalog",
    "CatalogError",
    "CheckFailed",
    "EventContract",
    "InputFileError",
    "TidingsError",
    "UnknownEventType",
    "UnknownVersion",
    "UrlOnlyParam",
    "UsageError",
    "Violation",
    "load_catalog",
    "unwrap_notification",
]
