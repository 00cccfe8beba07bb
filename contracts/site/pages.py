"""The site's pages as HTML text: plain string templates, every value through `html.escape`, links relative
(the site works opened from disk or served), one small inline script (the filter box) and no CDN."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from tidings.contracts.site.diagram import diagram_svg
from tidings.contracts.site.model import EventDoc, FieldRow, ProducerDoc, SiteModel, SubscribedQueue, page_name

__all__ = ["event_page", "index_page", "producer_page"]

_STYLE = """
body{font-family:sans-serif;margin:0 2em 2em;color:#0b0c0c;max-width:80em}
header{border-bottom:4px solid #1d70b8;margin-bottom:1em}header a{color:#0b0c0c;text-decoration:none}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #b1b4b6;padding:.2em .5em;
text-align:left;vertical-align:top}th{background:#f3f2f1}code,pre{font-family:monospace}
pre{background:#f3f2f1;padding:.8em;overflow:auto}.no{color:#505a5f}.bad{color:#d4351c}.ok{color:#00703c}.may{color:#b35c00}
#filter{font-size:1.1em;padding:.3em;width:30em}.diagram{overflow:auto;border:1px solid #b1b4b6}
"""

_FILTER_SCRIPT = """
(function () {
  var box = document.getElementById("filter");
  var rows = document.querySelectorAll("tr[data-event]");
  var shown = document.getElementById("shown");
  function apply() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-event");
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !match;
      if (match) { count += 1; }
    });
    shown.textContent = String(count);
  }
  box.addEventListener("input", apply);
  apply();
  document.body.setAttribute("data-ready", "yes");
})();
"""


def _layout(title: str, body: str, *, depth: int, script: str = "") -> str:
    home = "../" * depth + "index.html"
    tail = f"<script>{script}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<header><p><a href="{home}">tidings catalog</a></p></header>'
        f"<main>{body}</main>{tail}</body></html>\n"
    )


def _producer_link(name: str, depth: int) -> str:
    return f'<a href="{"../" * depth}producers/{escape(page_name(name))}">{escape(name)}</a>'


def _event_link(event_type: str, depth: int) -> str:
    return f'<a href="{"../" * depth}events/{escape(page_name(event_type))}">{escape(event_type)}</a>'


def index_page(model: SiteModel) -> str:
    """The index: the topic, producers, every event type with a filter box, and the picture."""
    producers = "".join(
        f"<tr><td>{_producer_link(p.name, 0)}</td><td>{len(p.event_types) - len(p.moved_away)}</td>"
        f"<td>{escape(p.api_base_url)}</td></tr>"
        for p in model.producers
    )
    routed = model.routes is not None
    events = "".join(_event_row(event, routed) for event in model.events)
    queues_head = "<th>queues</th>" if routed else ""
    body = (
        f"<h1>Events on <code>{escape(model.topic)}</code></h1>"
        f'<p><span id="event-count">{len(model.events)}</span> event types from '
        f'<span id="producer-count">{len(model.producers)}</span> producers.</p>'
        f'<h2>Producers</h2><table id="producers"><tr><th>producer</th><th>event types</th>'
        f"<th>API base URL</th></tr>{producers}</table>"
        '<h2>Event types</h2><p><label for="filter">Filter: </label>'
        '<input id="filter" type="search" placeholder="event type, producer or words" autocomplete="off"> '
        '<span id="shown"></span> shown</p>'
        f'<table id="events"><tr><th>event type</th><th>emitted by</th><th>versions</th>{queues_head}'
        "<th>description</th></tr>"
        f"{events}</table>"
        f'<h2>Who emits what</h2><p><a href="diagram.svg">diagram.svg</a></p><div class="diagram">'
        f"{diagram_svg(model)}</div>"
    )
    return _layout(f"{model.topic}: event catalog", body, depth=0, script=_FILTER_SCRIPT)


def _event_row(event: EventDoc, routed: bool) -> str:
    """One row of the index's table; the filter box matches its data-event text (queue names included)."""
    words = [event.event_type, event.producer, event.description, *(queue.queue for queue in event.queues)]
    queues = ""
    if routed:
        names = ", ".join(queue.queue for queue in event.queues)
        queues = f'<td class="queues" title="{escape(names)}">{len(event.queues)}</td>'
    return (
        f'<tr data-event="{escape(" ".join(words).lower())}">'
        f'<td class="event">{_event_link(event.event_type, 0)}</td><td>{_producer_link(event.producer, 0)}'
        f"{_moved_note(event)}</td><td>{', '.join(f'v{v}' for v in event.versions)}</td>{queues}"
        f"<td>{escape(event.description)}</td></tr>"
    )


def _moved_note(event: EventDoc) -> str:
    if event.moved_from is None:
        return ""
    return f' <span class="move">(moved from {escape(event.moved_from)})</span>'


def producer_page(producer: ProducerDoc, model: SiteModel) -> str:
    """One producer: its API and its event types (those moved away say who emits them now)."""
    descriptions = {e.event_type: e.description for e in model.events}
    rows = []
    for event_type in producer.event_types:
        now = producer.moved_away.get(event_type)
        note = f" moved to {_producer_link(now, 1)}" if now else ""
        rows.append(
            f"<tr><td>{_event_link(event_type, 1)}</td><td>{note or 'emits it'}</td>"
            f"<td>{escape(descriptions.get(event_type, ''))}</td></tr>"
        )
    body = (
        f"<h1>{escape(producer.name)}</h1><p>{escape(producer.description)}</p>"
        f"<p>API base URL: <code>{escape(producer.api_base_url)}</code>; publishes on "
        f"<code>{escape(model.topic)}</code></p>"
        f'<table id="producer-events"><tr><th>event type</th><th>now</th><th>description</th></tr>'
        f"{''.join(rows)}</table>"
    )
    return _layout(producer.name, body, depth=1)


def _value(value: Any) -> str:
    return "" if value is None else f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"


def _fields_table(rows: list[FieldRow], table_id: str, readers: dict[str, list[str]] | None = None) -> str:
    head = "<th>pointer</th><th>type</th><th>required</th><th>constraints</th><th>example</th>"
    if readers is not None:
        head += "<th>read by</th>"
    lines = []
    for row in rows:
        cells = (
            f"<td><code>{escape(row.pointer)}</code></td><td>{escape(row.type)}</td>"
            f"<td>{'yes' if row.required else '<span class=no>no</span>'}</td><td>{escape(row.constraints)}</td>"
            f"<td>{_value(row.example)}</td>"
        )
        if readers is not None:
            cells += f"<td>{escape(', '.join(readers.get(row.pointer, [])))}</td>"
        lines.append(f"<tr>{cells}</tr>")
    return f'<table id="{table_id}"><tr>{head}</tr>{"".join(lines)}</table>'


def event_page(event: EventDoc, model: SiteModel) -> str:
    """One event type: description, emitter (and move), fields, example, detailUrl resource, versions, consumers."""
    readers: dict[str, list[str]] = {}
    for use in event.consumers:
        for pointer in use.pointers:
            names = readers.setdefault(pointer, [])
            if use.consumer not in names:
                names.append(use.consumer)
    moved = (
        f"; it moved here from {_producer_link(event.moved_from, 1)} (strangler fig), which no longer emits it"
        if event.moved_from
        else ""
    )
    parts = [
        f'<h1 id="event-type">{escape(event.event_type)}</h1><p>{escape(event.description)}</p>',
        f'<p>Emitted now by <span id="emitter">{_producer_link(event.producer, 1)}</span>{moved}, '
        f"on <code>{escape(model.topic)}</code>. Versions: {', '.join(f'v{v}' for v in event.versions)} "
        f"(this page: v{event.versions[-1]}).</p>",
        "<h2>Fields</h2>",
        _fields_table(event.fields, "fields", readers if model.pact_count else None),
        "<h2>Example</h2>",
        f'<pre id="example">{escape(json.dumps(event.example, indent=2, ensure_ascii=False))}</pre>'
        if event.example is not None
        else "<p>No example in the catalogue.</p>",
        "<h2>detailUrl</h2>",
        f'<p><code id="detail-url">{escape(event.api_base_url)}{escape(event.detail_url)}</code></p>',
    ]
    if event.resource is not None:
        resource = event.resource
        parts.append(
            f'<p>leads to the resource <b id="resource">{escape(resource.name)}</b> v{resource.version} '
            f"(<code>{escape(resource.path)}</code>): {escape(resource.description)}</p>"
        )
        parts.append(_fields_table(resource.fields, "resource-fields"))
    else:
        parts.append("<p>The catalogue declares no resource for this path.</p>")
    parts.append("<h2>Version history</h2>")
    if not event.history:
        parts.append("<p>One version; nothing to compare.</p>")
    for old, new, compatible, reasons in event.history:
        verdict = '<span class="ok">compatible</span>' if compatible else '<span class="bad">incompatible</span>'
        details = "".join(f"<li>{escape(reason)}</li>" for reason in reasons)
        parts.append(f"<p>v{old} → v{new}: {verdict} (readers of v{old})</p><ul>{details}</ul>")
    parts.append(_queues_section(event, model))
    parts.append("<h2>Consumers</h2>")
    if not model.pact_count:
        parts.append("<p>No pacts were given (<code>tidings docs build --pacts DIR</code>).</p>")
    elif not event.consumers:
        parts.append("<p>No consumer pact uses this event type.</p>")
    else:
        items = "".join(
            f"<li><b>{escape(use.consumer)}</b>: {escape(use.description)} — reads "
            f"{escape(', '.join(use.pointers))}</li>"
            for use in event.consumers
        )
        parts.append(f'<ul id="consumers">{items}</ul>')
    return _layout(event.event_type, "".join(parts), depth=1)


def _queues_section(event: EventDoc, model: SiteModel) -> str:
    """Which queues of the topology receive the event type, with the filter policy that lets it through."""
    head = "<h2>Subscribed queues</h2>"
    if model.routes is None:
        return head + "<p>No topology was given (<code>tidings docs build --topology FILE</code>).</p>"
    source = f"<code>{escape(model.routes.source)}</code>"
    if not event.queues:
        return head + f'<p id="no-queues">No queue of the topology {source} receives this event type.</p>'
    rows = "".join(
        f'<tr><td class="queue">{escape(queue.queue)}</td><td>{_policy_cell(queue)}</td>'
        f"<td>{'yes' if queue.raw_delivery else 'no'}</td><td>{_receives(queue)}</td></tr>"
        for queue in event.queues
    )
    return (
        f"{head}<p>From the topology {source}, filter policies evaluated by the engine's own matcher.</p>"
        '<table id="queues"><tr><th>queue</th><th>filter policy</th><th>raw delivery</th><th>receives</th></tr>'
        f"{rows}</table>"
    )


def _policy_cell(queue: SubscribedQueue) -> str:
    if not queue.filter_policy:
        return '<span class="no">none</span>'
    where = "body" if queue.filter_scope == "MessageBody" else "attributes"
    policy = json.dumps(queue.filter_policy, separators=(",", ":"), ensure_ascii=False)
    return f"{where}: <code>{escape(policy)}</code>"


def _receives(queue: SubscribedQueue) -> str:
    if not queue.filter_policy:
        return "everything on the topic (no filter policy)"
    if not queue.certain:
        return f'<span class="may">may receive it</span>: {escape(queue.note)}'
    return "yes"
