"""The contract core: catalogue model, loading, validation, lint and compatibility. Pure: it reads files and
imports no engine, web or CLI library.

    from tidings.contracts import load_catalog
    catalog = load_catalog()                      # the shipped interventions catalogue
    event = catalog.example("intervention.referral.sent", crn="X123456")
    assert catalog.validate(event) == []
"""

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.examples import REMOVE
from tidings.contracts.catalog.loader import SHIPPED_CATALOG, load_catalog
from tidings.contracts.catalog.model import EventContract, UrlOnlyParam, Violation
from tidings.contracts.catalog.notification import unwrap_notification
from tidings.contracts.errors import (
    CatalogError,
    CheckFailed,
    InputFileError,
    TidingsError,
    UnknownEventType,
    UnknownVersion,
    UsageError,
)

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
