"""The public API of `tidings.contracts` is explicit; this fails when it drifts without a decision."""

from __future__ import annotations

import tidings.contracts as contracts

EXPECTED = {
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
}


def test_exported_names() -> None:
    assert set(contracts.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(contracts, name) is not None
