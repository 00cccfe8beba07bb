"""The catalog site in a real browser: Debian's chromium, headless, driven by playwright, over `tidings docs
serve` — for the shipped catalogue and for an imported registry of 260 message files (the sample multiplied).
The page loads without a console error, the event count is right, the filter finds an event type, an event page
shows its fields, every link resolves (no 404) and the SVG picture is there.

Skipped, saying why, where chromium or playwright is missing; `.ci/run` installs both and sets
TIDINGS_REQUIRE_BROWSER=1, under which a missing one is an error rather than a skip."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.site_topology import SITE_TOPOLOGY, write_site_topology
from tidings.cli.docs_queues import queue_routes
from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.site.build import build_site
from tidings.contracts.site.model import page_name
from tidings.simulator.topology import Topology

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).parents[2]
_TARGET = "copy3-intervention.referral.sent"

_MISSING = (
    "no chromium binary (apt-get install chromium; .ci/run does it)"
    if not Path(CHROMIUM).exists()
    else "playwright is not installed (pip install playwright; .ci/run does it)"
    if importlib.util.find_spec("playwright") is None
    else None
)
if _MISSING and os.environ.get("TIDINGS_REQUIRE_BROWSER"):  # CI installed them: a skip there would hide a failure
    raise RuntimeError(f"TIDINGS_REQUIRE_BROWSER is set but {_MISSING}")
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


def _served(site: Path) -> Iterator[str]:
    command = [sys.executable, "-c", "from tidings.cli.app import main; main()", "docs", "serve", "--site", str(site)]
    server = subprocess.Popen([*command, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "at http://127.0.0.1:" in line, line
        yield line.split(" at ")[1].split()[0]
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


@pytest.fixture(scope="module")
def shipped_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("shipped-site")
    topology = write_site_topology(tmp_path_factory.mktemp("topology") / "topology.yaml")
    command = [sys.executable, "-c", "from tidings.cli.app import main; main()", "docs", "build"]
    subprocess.run([*command, "--topology", str(topology), "--out", str(out)], check=True, capture_output=True)
    yield from _served(out)


@pytest.fixture(scope="module")
def big_registry(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    spec = importlib.util.spec_from_file_location("bench_registry", ROOT / "bench" / "registry.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    tmp = tmp_path_factory.mktemp("big")
    bench.synthetic_registry(tmp / "hmpps-domain-events", 260)
    import_paths([tmp / "hmpps-domain-events"], tmp / "imported")
    registry = load_registry(tmp / "imported")
    build_site(registry, tmp / "site", routes=queue_routes(registry, Topology.from_dict(SITE_TOPOLOGY)))
    return tmp / "site", len(registry.event_types), registry.owner(_TARGET).producer


@pytest.fixture(scope="module")
def big_url(big_registry: tuple[Path, int, str]) -> Iterator[str]:
    yield from _served(big_registry[0])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page, errors


def _visible_events(page: Any) -> list[str]:
    return page.eval_on_selector_all("tr[data-event]:not([hidden]) td.event a", "els => els.map(e => e.textContent)")


def _queues(page: Any) -> list[str]:
    """The queue names of an event page's "Subscribed queues" table, as the browser shows them."""
    return page.eval_on_selector_all("#queues td.queue", "els => els.map(e => e.textContent)")


def test_the_shipped_catalogue_in_a_browser(browser: Any, shipped_url: str) -> None:
    from tidings.contracts import load_catalog

    catalog = load_catalog()
    page, errors = _open(browser, shipped_url)
    page.wait_for_selector("body[data-ready=yes]")
    assert page.inner_text("#event-count") == str(len(catalog.event_types))
    assert sorted(_visible_events(page)) == catalog.event_types
    page.fill("#filter", "end-of-service")
    assert _visible_events(page) == ["intervention.end-of-service-report.submitted"]
    assert page.inner_text("#shown") == "1"
    assert page.locator("svg#diagram text.event-node").count() == len(catalog.event_types)
    page.click("text=intervention.end-of-service-report.submitted")
    page.wait_for_selector("#fields")
    assert page.inner_text("#event-type") == "intervention.end-of-service-report.submitted"
    pointers = page.eval_on_selector_all("#fields tr td:first-child", "els => els.map(e => e.textContent)")
    assert "/additionalInformation/endOfServiceReportId" in pointers
    assert _queues(page) == ["everything", "not-referrals", "wildcard"]
    assert "may receive it" in page.inner_text("#queues")
    assert errors == []


def test_an_imported_registry_of_200_event_types_in_a_browser(
    browser: Any, big_url: str, big_registry: tuple[Path, int, str]
) -> None:
    _, count, emitter = big_registry
    assert count >= 200
    page, errors = _open(browser, big_url)
    page.wait_for_selector("body[data-ready=yes]")
    assert page.inner_text("#event-count") == str(count)
    assert len(_visible_events(page)) == count
    target = _TARGET
    page.fill("#filter", target)
    assert target in _visible_events(page)
    assert all(target in name for name in _visible_events(page))
    event, more = _open(browser, f"{big_url}events/{page_name(target)}")
    assert event.locator("#fields tr").count() > 5
    assert event.inner_text("#emitter") == emitter
    assert _queues(event) == ["everything", "not-referrals", "wildcard"]
    assert page.locator("svg#diagram text.queue-node").count() == 6  # the site topology's, but for another topic's
    assert errors == [] and more == []


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(value for name, value in attrs if name in ("href", "src") and value)


def test_every_link_of_the_served_site_resolves(big_url: str, big_registry: tuple[Path, int, str]) -> None:
    seen, queue, pages = set(), [big_url + "index.html"], 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read().decode("utf-8")
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            pytest.fail(f"{url}: HTTP {exc.code}")
        if url.endswith(".svg"):
            assert kind.startswith("image/svg+xml") and "<svg" in body
        if "text/html" in kind:
            pages += 1
            parser = _Hrefs()
            parser.feed(body)
            queue.extend(urllib.parse.urljoin(url, link) for link in parser.found)
    site, count, _ = big_registry
    assert pages == len(list(site.rglob("*.html"))) and pages > count
