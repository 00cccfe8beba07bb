"""Pact's JSONPaths (`$.additionalInformation.referralId`, `$.personReference.identifiers[*].value`) as path
segments, and the two pointers tidings derives from them: one into the consumer's message, one into the
contract's flattened fields (`tidings.contracts.catalog.fields`, where every array item is `*`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from tidings.contracts.catalog.fields import ITEMS
from tidings.contracts.catalog.violations import json_pointer

__all__ = ["ANY_ITEM", "ANY_KEY", "Segment", "body_pointer", "field_pointer", "parse_path", "value_at"]


class _Wildcard(str):
    """A wildcard segment; a `str` so pointers can print it, a distinct type so no property name equals it."""

    __slots__ = ()


ANY_ITEM: Final = _Wildcard("*")
"""`[*]`: every item of an array."""
ANY_KEY: Final = _Wildcard("*")
"""`.*`: every property of an object."""

Segment = str | int

_TOKEN = re.compile(
    r"""\.(?P<name>[^.\[\]]+)        # .name (or .* )
    |\[(?P<index>\d+)\]             # [0]
    |\[\*\]                         # [*]
    |\['(?P<quoted>(?:[^'\\]|\\.)*)'\]   # ['name with . or spaces']
    |\["(?P<dquoted>(?:[^"\\]|\\.)*)"\]""",
    re.VERBOSE,
)


def parse_path(path: str) -> list[Segment] | None:
    """The segments of a pact JSONPath (`$.a[0].b` → `["a", 0, "b"]`), or None when it is not one."""
    text = path.strip()
    if not text.startswith("$"):
        return None
    segments: list[Segment] = []
    position = 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        if match.group("name") is not None:
            name = match.group("name")
            segments.append(ANY_KEY if name == "*" else name)
        elif match.group("index") is not None:
            segments.append(int(match.group("index")))
        elif match.group("quoted") is not None:
            segments.append(match.group("quoted").replace("\\'", "'"))
        elif match.group("dquoted") is not None:
            segments.append(match.group("dquoted").replace('\\"', '"'))
        else:
            segments.append(ANY_ITEM)
        position = match.end()
    return segments


def body_pointer(segments: list[Segment]) -> str:
    """A JSON pointer into the message (`/personReference/identifiers/0/value`; wildcards stay `*`)."""
    return json_pointer(segments)


def field_pointer(segments: list[Segment]) -> str:
    """The pointer of the contract field these segments reach: every array index becomes `*`."""
    return json_pointer(ITEMS if isinstance(segment, int) or segment is ANY_ITEM else segment for segment in segments)


def value_at(document: Any, segments: list[Segment]) -> Iterator[Any]:
    """The values at `segments` in `document` (wildcards and, for field pointers, `*` reach every item)."""
    if not segments:
        yield document
        return
    head, rest = segments[0], segments[1:]
    if isinstance(document, list):
        if head is ANY_ITEM or head == ITEMS:
            for item in document:
                yield from value_at(item, rest)
        elif isinstance(head, int) and 0 <= head < len(document):
            yield from value_at(document[head], rest)
    elif isinstance(document, dict):
        if head is ANY_KEY:
            for value in document.values():
                yield from value_at(value, rest)
        elif isinstance(head, str) and head in document:
            yield from value_at(document[head], rest)
