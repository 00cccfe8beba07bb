"""YAML read with the line of every node: the importer says file:line for what it normalises or refuses.

Timestamps stay strings (an `example: 2024-01-01T10:00:00Z` is what the wire carries), and libyaml's parser is
used when PyYAML has it. The data is `yaml.load`'s; the lines are found only when one is first asked for (most
files of a registry import without a note, and walking every node for its line cost as much as the parse).
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

__all__ = ["Lines", "YamlSyntaxError", "load_with_lines", "plain_loader"]

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """SafeLoader (libyaml when available) whose scalars are JSON's: no timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Lines(dict[str, int]):
    """JSON pointer → 1-based line of the key (or item) there, found on the first `get` from the parser's
    events (no nodes built, no scalar resolved but keys)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text: str | None = text

    def get(self, pointer: str, default: Any = None) -> Any:
        if self._text is not None:
            text, self._text = self._text, None
            _event_lines(text, self)
        return super().get(pointer, default)


class YamlSyntaxError(ValueError):
    """Malformed YAML: `line` is where the parser stopped."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def plain_loader() -> Any:
    """The loader class: `yaml.load(text, Loader=plain_loader())` parses as the importer does, minus lines."""
    return _Loader


def load_with_lines(text: str) -> tuple[Any, Lines]:
    """`(data, lines)` for one YAML (or JSON) document."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(what, mark.line + 1 if mark is not None else None) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), None) from None
    return data, Lines(text)


_NODE_START = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
_SKIP = "\0"  # a pointer not recorded (inside a complex key, or a merge key's own line)


def _event_lines(text: str, lines: dict[str, int]) -> None:
    """Fill `lines` from the parser's events: a mapping child's line is its key's, an item's its own."""
    loader = _Loader(text)
    stack: list[list[Any]] = []  # [pointer, is_mapping, pending child pointer or item index]
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if not isinstance(event, _NODE_START):
                continue
            mark: Any = event.start_mark
            line = mark.line + 1 if mark is not None else 0
            if stack and stack[-1][1] and stack[-1][2] is None:  # a key
                frame = stack[-1]
                if not isinstance(event, yaml.ScalarEvent):
                    frame[2] = _SKIP
                    pointer = _SKIP
                else:
                    key = _key_text(event.value, event.style)
                    frame[2] = frame[0] if key == "<<" else _child(frame[0], key)
                    if key != "<<" and frame[0] != _SKIP:
                        lines[frame[2]] = line
                    continue
            elif stack and stack[-1][1]:  # the value of the pending key
                pointer, stack[-1][2] = stack[-1][2], None
            elif stack:  # a sequence item
                pointer = _child(stack[-1][0], str(stack[-1][2]))
                stack[-1][2] += 1
                if pointer != _SKIP:
                    lines[pointer] = line
            else:
                pointer = ""
                lines[pointer] = line
            if isinstance(event, yaml.MappingStartEvent):
                stack.append([pointer, True, None])
            elif isinstance(event, yaml.SequenceStartEvent):
                stack.append([pointer, False, 0])
    finally:
        loader.dispose()


def _child(pointer: str, key: str) -> str:
    return _SKIP if pointer == _SKIP else f"{pointer}/{_escape(key)}"


@functools.lru_cache(maxsize=4096)
def _key_text(value: str, style: str | None) -> str:
    """A key as the loaded data has it, as text: a plain `200` or `true` is resolved as YAML does."""
    if style:  # quoted or block: a string
        return value
    return str(yaml.load(value, Loader=_Loader)) if value[:1] in "0123456789+-.~nNtTfFyYoO" else value


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
