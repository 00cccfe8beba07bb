"""The site's picture, drawn here as SVG text (nothing fetched at view time): producers on the left, the topic
in the middle, every event type on the right, linked to its page; a line from each producer to the topic and
from the topic to each event type, coloured by the producer that emits it; a moved event type also gets a
dashed line back to the producer it moved from. Given a topology's routes, a fourth column: the queues subscribed to
the topic, with a line from each event type to each queue that receives it (dashed where it only may: a filter the
matcher could not decide). Lines from the event types rather than from the topic: the filter policies are what the
picture has to show, and a line from the topic would say only "subscribed"."""

from __future__ import annotations

from html import escape

from tidings.contracts.site.model import SiteModel

__all__ = ["diagram_svg"]

_ROW = 20
_TOP = 40
_PRODUCER_X, _TOPIC_X, _EVENT_X = 10, 330, 560
_PORT_X, _QUEUE_X = _EVENT_X + 400, _EVENT_X + 520  # where queue lines leave the event labels; the queues column
_BOX_W = 240
_PALETTE = ("#1d70b8", "#00703c", "#d4351c", "#912b88", "#f47738", "#28a197", "#5694ca", "#b58840", "#6f72af")


def diagram_svg(model: SiteModel, *, events_prefix: str = "events/", producers_prefix: str = "producers/") -> str:
    """The picture as one `<svg>` element (links relative to the page it sits in)."""
    producers = model.producers
    events = model.events
    routes = model.routes
    queues = routes.queues if routes is not None else []
    rows = max(len(producers), len(events), len(queues), 1)
    height = _TOP + rows * _ROW + 20
    width = _QUEUE_X + _BOX_W + 10 if routes is not None else _EVENT_X + 420
    # Few queues against many event types: spread them over the height rather than crowd the top.
    queue_y = {name: _TOP + int((i + 0.5) * rows * _ROW / len(queues)) for i, name in enumerate(queues)}
    topic_y = _TOP + (rows * _ROW) // 2
    colour = {p.name: _PALETTE[i % len(_PALETTE)] for i, p in enumerate(producers)}
    producer_y = {p.name: _TOP + i * _ROW + _ROW // 2 for i, p in enumerate(producers)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="diagram" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>producers → {escape(model.topic)} → event types{' → queues' if routes is not None else ''}</title>",
        '<text x="10" y="20" font-weight="bold">producers</text>',
        f'<text x="{_TOPIC_X}" y="20" font-weight="bold">topic</text>',
        f'<text x="{_EVENT_X}" y="20" font-weight="bold">event types</text>',
    ]
    if routes is not None:
        parts.append(f'<text x="{_QUEUE_X}" y="20" font-weight="bold">queues</text>')
    for producer in producers:
        y = producer_y[producer.name]
        parts.append(
            f'<line x1="{_PRODUCER_X + _BOX_W}" y1="{y}" x2="{_TOPIC_X}" y2="{topic_y}" '
            f'stroke="{colour[producer.name]}" stroke-width="1"/>'
        )
    for index, event in enumerate(events):
        y = _TOP + index * _ROW + _ROW // 2
        stroke = colour.get(event.producer, "#505a5f")
        parts.append(
            f'<line x1="{_TOPIC_X + 180}" y1="{topic_y}" x2="{_EVENT_X}" y2="{y}" stroke="{stroke}" stroke-width="1"/>'
        )
        if event.moved_from in producer_y:
            parts.append(
                f'<path d="M{_PRODUCER_X + _BOX_W},{producer_y[event.moved_from]} C{_TOPIC_X},{y} {_TOPIC_X},{y} '
                f'{_EVENT_X},{y}" fill="none" stroke="#505a5f" stroke-dasharray="4 3" class="move"/>'
            )
        parts.append(
            f'<a href="{escape(events_prefix + event.page)}"><text x="{_EVENT_X + 4}" y="{y + 4}" fill="{stroke}" '
            f'class="event-node">{escape(event.event_type)}</text></a>'
        )
        for queue in event.queues:
            if queue.queue in queue_y:
                dashed = "" if queue.certain else ' stroke-dasharray="4 3"'
                parts.append(
                    f'<line x1="{_PORT_X}" y1="{y}" x2="{_QUEUE_X}" y2="{queue_y[queue.queue]}" stroke="{stroke}" '
                    f'stroke-width="1"{dashed} class="route"/>'
                )
    for name, y in queue_y.items():
        parts.append(
            f'<rect x="{_QUEUE_X}" y="{y - 8}" width="{_BOX_W}" height="16" rx="3" fill="#fff" stroke="#0b0c0c"/>'
            f'<text x="{_QUEUE_X + 4}" y="{y + 4}" class="queue-node">{escape(name)}</text>'
        )
    for producer in producers:
        y = producer_y[producer.name]
        parts.append(
            f'<a href="{escape(producers_prefix + producer.page)}"><rect x="{_PRODUCER_X}" y="{y - 8}" '
            f'width="{_BOX_W}" height="16" rx="3" fill="#fff" stroke="{colour[producer.name]}"/>'
            f'<text x="{_PRODUCER_X + 4}" y="{y + 4}" class="producer-node">{escape(producer.name)}</text></a>'
        )
    parts.append(
        f'<rect x="{_TOPIC_X}" y="{topic_y - 14}" width="180" height="28" rx="6" fill="#f3f2f1" stroke="#0b0c0c"/>'
        f'<text x="{_TOPIC_X + 8}" y="{topic_y + 4}" font-weight="bold" class="topic-node">{escape(model.topic)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)
