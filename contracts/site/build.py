"""`tidings docs build`: the catalog site written to a directory.

<out>/index.html               topic, producers, event types (filter box), the picture
<out>/diagram.svg              producers → topic → event types (→ queues, given a topology)
<out>/producers/<name>.html    one per producer
<out>/events/<type>.html       one per event type
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tidings.contracts.errors import UsageError
from tidings.contracts.pact.model import PactFile
from tidings.contracts.registry.model import Registry
from tidings.contracts.site.diagram import diagram_svg
from tidings.contracts.site.model import QueueRoutes, SiteModel, gather
from tidings.contracts.site.pages import event_page, index_page, producer_page

__all__ = ["BuiltSite", "build_site", "write_site"]


@dataclass(frozen=True)
class BuiltSite:
    """What was written."""

    out: Path
    pages: int
    producers: int
    event_types: int
    queues: int | None = None
    """Queues subscribed to the topic in the topology given (None: no topology)."""


def build_site(
    registry: Registry, out: Path, pacts: list[PactFile] | None = None, routes: QueueRoutes | None = None
) -> BuiltSite:
    """Gather the registry's content (the pacts' consumers, the queues of `routes`) and write the site under `out`."""
    return write_site(gather(registry, pacts, routes), out)


def write_site(model: SiteModel, out: Path) -> BuiltSite:
    """Write the pages of `model` under `out` (created; pages already there are replaced)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a directory", hint="--out names a directory for the site, e.g. site/")
    (out / "producers").mkdir(parents=True, exist_ok=True)
    (out / "events").mkdir(exist_ok=True)
    (out / "index.html").write_text(index_page(model), encoding="utf-8")
    (out / "diagram.svg").write_text(
        diagram_svg(model, events_prefix="events/", producers_prefix="producers/") + "\n", encoding="utf-8"
    )
    for producer in model.producers:
        (out / "producers" / producer.page).write_text(producer_page(producer, model), encoding="utf-8")
    for event in model.events:
        (out / "events" / event.page).write_text(event_page(event, model), encoding="utf-8")
    pages = 1 + len(model.producers) + len(model.events)
    queues = len(model.routes.queues) if model.routes is not None else None
    return BuiltSite(out, pages, len(model.producers), len(model.events), queues)
