"""The environment variables an engine command reads, checked before any of them is used: a bad value is one
UsageError naming the variable (not a traceback from botocore or localstack-client deep inside a call)."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from tidings.contracts.errors import UsageError

__all__ = ["check_environment"]

_SWITCHES = ("TIDINGS_INPROCESS", "TIDINGS_MOTO_PATCHES")
_SWITCH_VALUES = {"", "0", "1", "true", "false", "yes", "no", "on", "off"}
_URLS = ("AWS_ENDPOINT_URL", "TIDINGS_ENDPOINT", "TIDINGS_API_URL")
_REGION = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")  # what botocore accepts, lower case


def check_environment() -> None:
    """UsageError for the first bad TIDINGS_*/AWS_*/LOCALSTACK_HOST value, naming the variable."""
    for name in _URLS:
        value = os.environ.get(name, "").strip()
        if value:
            _check_url(name, value)
    host = os.environ.get("LOCALSTACK_HOST", "").strip()
    if host:
        _check_host_port("LOCALSTACK_HOST", host)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        value = os.environ.get(name, "").strip()
        if value and not _REGION.match(value):
            raise UsageError(f"{name}={value!r} is not an AWS region name", hint=f"e.g. {name}=eu-west-2")
    for name in _SWITCHES:
        value = os.environ.get(name, "").strip().lower()
        if value not in _SWITCH_VALUES:
            raise UsageError(
                f"{name}={os.environ[name]!r} is neither on nor off", hint=f"use {name}=1 or {name}=0 (or unset it)"
            )


def _check_url(name: str, value: str) -> None:
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0..65535
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(f"{name}={value!r} is not an http(s) URL", hint=f"e.g. {name}=http://localhost:4566")


def _check_host_port(name: str, value: str) -> None:
    host, colon, port = value.rpartition(":") if not value.endswith("]") else (value, "", "")
    if not colon:
        host, port = value, ""
    if not host or (port and (not port.isdigit() or not 0 < int(port) <= 65535)):
        raise UsageError(f"{name}={value!r} is not HOST or HOST:PORT", hint=f"e.g. {name}=localhost:4566")
