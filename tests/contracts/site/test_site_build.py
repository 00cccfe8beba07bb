"""The catalog site: every page written, links that resolve, fields with examples, detailUrl resources, moves,
consumers from pacts, escaping, and an SVG picture that is well-formed XML naming every producer and event."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.catalog_edits import edit
from tests.pact_support import write_good_pact
from tests.registry_support import MOVED, moved_registry
from tidings.contracts import load_catalog
from tidings.contracts.catalog.fields import schema_fields
from tidings.contracts.pact.file import load_pacts
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.registry.model import Registry
from tidings.contracts.site.build import build_site
from tidings.contracts.site.model import page_name


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            if name == "id" and value:
                self.ids.append(value)


def _parsed(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _shipped_registry() -> Registry:
    catalog = load_catalog()
    return Registry(root=None, topic=catalog.topic, catalogs=[catalog])


@pytest.fixture(scope="module")
def pacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pacts")
    write_good_pact(folder)
    return folder


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory: pytest.TempPathFactory, pacts: Path) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(_shipped_registry(), out, load_pacts([pacts]))
    return out


def test_every_event_type_and_producer_has_a_page(shipped_site: Path) -> None:
    catalog = load_catalog()
    assert sorted(p.name for p in (shipped_site / "events").iterdir()) == sorted(
        page_name(t) for t in catalog.event_types
    )
    assert [p.name for p in (shipped_site / "producers").iterdir()] == [page_name(catalog.producer)]
    index = (shipped_site / "index.html").read_text()
    assert f'<span id="event-count">{len(catalog.event_types)}</span>' in index
    assert index.count("<tr data-event=") == len(catalog.event_types)


def test_every_relative_link_resolves(shipped_site: Path) -> None:
    pages = list(shipped_site.rglob("*.html"))
    checked = 0
    for page in pages:
        for link in _parsed(page).links:
            if link == "data:,":  # the empty favicon: no request for /favicon.ico
                continue
            assert not link.startswith(("http:", "https:", "//")), f"{page}: fetches {link}"
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.is_file(), f"{page}: {link} leads nowhere"
            checked += 1
    assert checked > 3 * len(pages)


def test_an_event_page_shows_fields_with_examples_and_the_resource(shipped_site: Path) -> None:
    catalog = load_catalog()
    contract = catalog.get("intervention.referral.ended")
    html = (shipped_site / "events" / page_name(contract.event_type)).read_text()
    pointers = [p for p in schema_fields(catalog.compiled(contract.event_type).bundled) if p]
    assert re.findall(r"<tr><td><code>([^<]+)</code>", html.split('id="resource-fields"')[0]) == pointers
    referral_id = contract.examples[0]["additionalInformation"]["referralId"]
    assert f"&quot;{referral_id}&quot;" in html
    resource = catalog.api.for_template(contract.detail_url_template)
    assert resource is not None
    assert f'<b id="resource">{resource.name}</b>' in html
    assert f"{catalog.api_base_url}{contract.detail_url_template}" in html


def test_consumers_from_pacts_name_the_fields_they_read(shipped_site: Path, pacts: Path) -> None:
    pact = load_pacts([pacts])[0]
    html = (shipped_site / "events" / "intervention.referral.sent.html").read_text()
    assert f"<b>{pact.consumer}</b>" in html
    row = re.search(r"<tr><td><code>/additionalInformation/referralId</code>.*?</tr>", html)
    assert row is not None and pact.consumer in row.group(0)
    other = (shipped_site / "events" / "intervention.referral.assigned.html").read_text()
    assert "No consumer pact uses this event type." in other


def test_the_picture_is_svg_naming_every_producer_and_event(shipped_site: Path) -> None:
    svg = ET.fromstring((shipped_site / "diagram.svg").read_text())
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    catalog = load_catalog()
    for name in [catalog.producer, catalog.topic, *catalog.event_types]:
        assert name in texts
    assert 'id="diagram"' in (shipped_site / "index.html").read_text()


def test_a_move_says_who_emits_it_now(tmp_path: Path) -> None:
    registry = load_registry(moved_registry(tmp_path / "registry"))
    out = tmp_path / "site"
    built = build_site(registry, out)
    assert built.producers == 2 and built.event_types == len(registry.event_types)
    moved = (out / "events" / page_name(MOVED)).read_text()
    assert 'id="emitter"><a href="../producers/new-service.html">new-service</a>' in moved
    assert "moved here from" in moved and "hmpps-interventions-service" in moved
    assert "http://localhost:8080/new-service/sent-referral/{referralId}" in moved
    old = (out / "producers" / page_name("hmpps-interventions-service")).read_text()
    assert re.search(rf"{re.escape(MOVED)}</a></td><td> moved to <a [^>]*>new-service</a>", old)
    assert 'class="move"' in (out / "diagram.svg").read_text()


def test_text_from_catalogues_is_escaped(tmp_path: Path) -> None:
    root = moved_registry(tmp_path / "registry")
    edit(
        root / "new-service" / "events" / MOVED / "v1.yaml",
        "version 1.\ndescription: >-\n",
        "version 1.\ndescription: >-\n  <script>alert(1)</script>\n",
    )
    build_site(load_registry(root), tmp_path / "site")
    html = (tmp_path / "site" / "events" / page_name(MOVED)).read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html.split("<script>")[0]
