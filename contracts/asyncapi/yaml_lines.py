"""YAML read with the line of every node: the importer says file:line for what it normalises or refuses.

Timestamps stay strings (an `example: 2024-01-01T10:00:00Z` is what the wire carries), and libyaml's parser is
used when PyYAML has it, so reading a file costs about what `yaml.load` costs.
"""

from __future__ import annotations

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

Lines = dict[str, int]
"""JSON pointer → 1-based line of the key (or item) there."""


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
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlSyntaxError(what, mark.line + 1 if mark is not None else None) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), None) from None
    finally:
        loader.dispose()
    lines: Lines = {}
    if node is None:
        return None, lines
    constructor = yaml.SafeLoader("")  # only its scalar constructors are used
    constructor.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    return _build(node, "", lines, constructor), lines


def _build(node: yaml.Node, pointer: str, lines: Lines, constructor: Any) -> Any:
    lines[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node)
            if key == "<<":  # a merge key: fold the mapping in
                merged = _build(value_node, pointer, lines, constructor)
                if isinstance(merged, dict):
                    result.update(merged)
                continue
            child = f"{pointer}/{_escape(key)}"
            result[key] = _build(value_node, child, lines, constructor)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, f"{pointer}/{index}", lines, constructor) for index, item in enumerate(node.value)]
    return constructor.construct_object(node)


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
