"""What every part of the engine shares: the region and dummy credentials of local engines, and this process's one
boto3 session. Its own module so that the embedded server's patches can use the session without importing the
engine that starts the server (which would close an import circle)."""

from __future__ import annotations

import functools
import threading
from typing import Any

__all__ = ["DEFAULT_REGION", "LOCAL_CREDENTIALS", "SESSION_LOCK", "RegionCatalogue", "shared_session"]

DEFAULT_REGION = "eu-west-2"  # HMPPS runs in London
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
"""Dummy credentials for local engines: never the user's real ones, which a local engine has no use for."""

SESSION_LOCK = threading.Lock()


@functools.cache
def shared_session() -> Any:
    """One boto3 session per process: each session loads the service models again (~50 ms a client)."""
    import boto3

    return boto3.session.Session()


class RegionCatalogue:
    """The partitions and regions botocore knows, read from this process's one boto3 session under its lock: moto
    asks for them once per service backend, which with a session of its own loaded the endpoint data again
    (~80 ms of the first request; see moto_patches `one_botocore_session`)."""

    def get_available_partitions(self) -> list[str]:
        """As `boto3.session.Session.get_available_partitions`."""
        with SESSION_LOCK:
            return list(shared_session().get_available_partitions())

    def get_available_regions(self, service_name: str, partition_name: str = "aws") -> list[str]:
        """As `boto3.session.Session.get_available_regions`."""
        with SESSION_LOCK:
            return list(shared_session().get_available_regions(service_name, partition_name=partition_name))
