"""Where a command against an engine of another process writes the fake API's state, and where the events'
detailUrls point: one resolution for `tidings play` and `tidings emit`.

In order: `--api-url`, then `TIDINGS_API_URL`, then the fake API of the `tidings up` that runs the engine (it
answers `GET /_tidings/info`), then `[tool.tidings] api_url`. A target named but not answering as a tidings
fake API is a UsageError (exit 2) with a hint, never a silent success. With none at all, `None`: the caller
serves a fake API of its own (and points detailUrls at it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from tidings.contracts.errors import UsageError
from tidings.contracts.settings import project_setting
from tidings.simulator.fake_api.remote import RemoteFakeApiState
from tidings.simulator.info import fetch_info

__all__ = ["StateTarget", "resolve_state_target"]


@dataclass(frozen=True)
class StateTarget:
    """A fake API of another process: its base URL (detailUrls point there), the state sink, and why it."""

    base_url: str
    state: RemoteFakeApiState
    source: str

    @property
    def banner(self) -> str:
        return f"fake API: {self.base_url} (from {self.source})"


def resolve_state_target(
    engine: Any,
    api_url: str | None = None,
    *,
    named_only: bool = False,
    producers: dict[str, str] | None = None,
) -> StateTarget | None:
    """The fake API state goes to for `engine` (see the module doc); None: serve one of your own. `named_only`
    (an engine this command started itself, which no `tidings up` serves): only `--api-url` / TIDINGS_API_URL.
    `producers` (producer -> base path, what the events need): a fake API that serves them elsewhere, or not at
    all, is a UsageError: the events' detailUrls would name paths it has no producer's shapes for."""
    url, source = _named(engine, api_url, named_only)
    if url is None:
        return None
    state = RemoteFakeApiState.reachable(url)
    if state is None:
        raise UsageError(
            f"no tidings fake API answers at {url} (from {source}), so the events' detailUrls would point at "
            "nothing and their state would be lost",
            hint="start `tidings up` (it serves one and prints TIDINGS_API_URL), or drop --api-url / "
            "TIDINGS_API_URL to let this command serve its own",
        )
    served = state.producers
    if producers is not None and served is not None and not producers.items() <= served.items():
        raise UsageError(
            f"the fake API at {url} (from {source}) serves {_listed(served)}, but these events need "
            f"{_listed(producers)}: their detailUrls would name paths it has no producer's shapes for",
            hint="start that `tidings up` with the same --contracts / --registry as this command, or name another "
            "fake API with --api-url",
        )
    return StateTarget(url.rstrip("/"), state, source)


def _listed(producers: dict[str, str]) -> str:
    return ", ".join(f"{name} at {path or '/'}" for name, path in producers.items()) or "no producer"


def _named(engine: Any, api_url: str | None, named_only: bool) -> tuple[str | None, str]:
    if api_url:
        return api_url, "--api-url"
    if os.environ.get("TIDINGS_API_URL"):
        return os.environ["TIDINGS_API_URL"], "TIDINGS_API_URL"
    if named_only:
        return None, ""
    if engine.endpoint_url and engine.kind != "aws":
        info = fetch_info(engine.endpoint_url)
        if info is not None and info.get("api_url"):
            return str(info["api_url"]), f"GET {engine.endpoint_url}/_tidings/info"
    configured = project_setting("api_url")
    if configured:
        return str(configured), "[tool.tidings] api_url"
    return None, ""
