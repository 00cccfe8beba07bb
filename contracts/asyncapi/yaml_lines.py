"""YAML read with the line of every node: the importer says file:line for what it normalises or refuses.

Timestamps stay strings (an `example: 2024-01-01T10:00:00Z` is what the wire carries), and libyaml's parser is
used when PyYAML has it. The data is `yaml.load`'s; a line is looked up in the nodes the parse composed, only
when asked for, along its pointer (walking every node for its line, or parsing again, cost as much as the parse).
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
    """JSON pointer → 1-based line of the key (or item) there, looked up on `get` in the node tree the parse
    composed anyway: one descent along the pointer, not a walk of every node (or a second parse)."""

    def __init__(self, node: yaml.Node | None) -> None:
        super().__init__()
        self._node = node

    def get(self, pointer: str, default: Any = None) -> Any:
        if pointer not in self:
            line = _line_at(self._node, pointer)
            if line is None:
                return default
            self[pointer] = line
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
    """`(data, lines)` for one YAML (or JSON) document: `yaml.load`'s data, and its composed nodes for lines."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(what, mark.line + 1 if mark is not None else None) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), None) from None
    finally:
        loader.dispose()
    return data, Lines(node)


def _line_at(node: yaml.Node | None, pointer: str) -> int | None:
    """The line of what `pointer` names under `node`: a mapping child's is its key's, an item's its own."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in pointer.split("/")[1:] if pointer else []:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, yaml.MappingNode):
            found = _entry(node, key)
            if found is None:
                return None
            key_node, node = found
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
            line = node.start_mark.line + 1
        else:
            return None
    return line


def _entry(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) of `key` in `mapping`, looking into `<<` merges as the constructor does."""
    merged: list[yaml.Node] = []
    for key_node, value_node in reversed(mapping.value):  # the last of duplicate keys wins, as in the data
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        text = _key_text(key_node.value, key_node.style)
        if text == key and key_node.value != "<<":
            return key_node, value_node
        if key_node.value == "<<" and not key_node.style:
            merged.extend(value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node])
    for source in merged:
        if isinstance(source, yaml.MappingNode) and (found := _entry(source, key)) is not None:
            return found
    return None


@functools.lru_cache(maxsize=4096)
def _key_text(value: str, style: str | None) -> str:
    """A key as the loaded data has it, as text: a plain `200` or `true` is resolved as YAML does."""
    if style:  # quoted or block: a string
        return value
    return str(yaml.load(value, Loader=_Loader)) if value[:1] in "0123456789+-.~nNtTfFyYoO" else value
