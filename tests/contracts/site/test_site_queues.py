"""The site's "Subscribed queues": given which queues receive which event types (as data, the way the CLI
evaluates them), each event page lists its queues with their filter policies, the index counts them, the
picture gets a queues column with a line per route (dashed where a queue only may receive); without them the
pages say no topology was given and the picture has no queues."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tidings.contracts import load_catalog
from tidings.contracts.registry.model import Registry
from tidings.contracts.site.build import build_site
from tidings.contracts.site.model import QueueRoutes, SubscribedQueue, page_name

SVG = "{http://www.w3.org/2000/svg}"
SENT = "intervention.referral.sent"
SENT_POLICY = {"eventType": [SENT]}
EVERYTHING = SubscribedQueue("everything", None)
SENT_ONLY = SubscribedQueue("sent-only", SENT_POLICY)
MAYBE = SubscribedQueue("wildcard", {"eventType": [{"wildcard": "a<b*"}]}, certain=False, note="unknown operator")
BODY = SubscribedQueue("completed", {"additionalInformation": {"deliveryState": ["COMPLETED"]}}, "MessageBody")


def _registry() -> Registry:
    catalog = load_catalog()
    return Registry(root=None, topic=catalog.topic, catalogs=[catalog])


def _routes() -> QueueRoutes:
    by_type = {event_type: [EVERYTHING] for event_type in load_catalog().event_types}
    by_type[SENT] = [SENT_ONLY, EVERYTHING, MAYBE]
    by_type["intervention.referral.concluded"] = [EVERYTHING, BODY]
    by_type["intervention.referral.assigned"] = []
    return QueueRoutes("my-topology.yaml", ["sent-only", "everything", "completed", "wildcard", "idle"], by_type)


@pytest.fixture(scope="module")
def routed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("routed-site")
    built = build_site(_registry(), out, routes=_routes())
    assert built.queues == 5
    return out


def _event(site: Path, event_type: str) -> str:
    return (site / "events" / page_name(event_type)).read_text(encoding="utf-8")


def test_an_event_page_lists_its_queues_with_their_policies(routed_site: Path) -> None:
    html = _event(routed_site, SENT)
    section = html.split("<h2>Subscribed queues</h2>")[1].split("<h2>")[0]
    assert re.findall(r'<td class="queue">([^<]+)</td>', section) == ["sent-only", "everything", "wildcard"]
    compact = json.dumps(SENT_POLICY, separators=(",", ":")).replace('"', "&quot;")
    assert f"attributes: <code>{compact}</code>" in section
    assert "everything on the topic (no filter policy)" in section
    assert "may receive it</span>: unknown operator" in section
    assert "a&lt;b*" in section and "a<b*" not in section
    assert "my-topology.yaml" in section


def test_a_body_policy_says_so_and_an_unrouted_event_says_no_queue(routed_site: Path) -> None:
    assert "body: <code>" in _event(routed_site, "intervention.referral.concluded")
    assigned = _event(routed_site, "intervention.referral.assigned")
    assert 'id="no-queues"' in assigned and 'id="queues"' not in assigned


def test_the_index_counts_queues_per_event_and_the_filter_knows_them(routed_site: Path) -> None:
    index = (routed_site / "index.html").read_text(encoding="utf-8")
    assert "<th>queues</th>" in index
    row = re.search(rf'<tr data-event="([^"]*)"><td class="event"><a [^>]*>{re.escape(SENT)}</a>.*?</tr>', index)
    assert row is not None and "sent-only" in row.group(1)
    assert '<td class="queues" title="sent-only, everything, wildcard">3</td>' in row.group(0)


def test_the_picture_has_a_queues_column_and_a_line_per_route(routed_site: Path) -> None:
    svg = ET.fromstring((routed_site / "diagram.svg").read_text(encoding="utf-8"))
    queues = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "queue-node"]
    assert queues == ["sent-only", "everything", "completed", "wildcard", "idle"]
    routes = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "route"]
    assert len(routes) == sum(len(found) for found in _routes().by_event_type.values())
    dashed = [line for line in routes if line.get("stroke-dasharray")]
    assert len(dashed) == 1  # the one route the matcher could not decide


def test_without_routes_the_pages_say_no_topology_and_the_picture_has_no_queues(tmp_path: Path) -> None:
    built = build_site(_registry(), tmp_path)
    assert built.queues is None
    assert "No topology was given" in _event(tmp_path, SENT)
    assert "<th>queues</th>" not in (tmp_path / "index.html").read_text(encoding="utf-8")
    svg = (tmp_path / "diagram.svg").read_text(encoding="utf-8")
    assert "queue-node" not in svg and 'class="route"' not in svg
