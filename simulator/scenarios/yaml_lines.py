"""YAML that remembers where each value came from, so scenario errors can say `file:line`.

PyYAML's composer already records a position on every node; `load_yaml` keeps it by building mappings and
sequences as `YamlMap`/`YamlList`, which carry the line of the node and of each key or item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tidings.contracts.catalog.safe_read import GuardedComposer, SafeLoader, read_file_text, yaml_problem
from tidings.contracts.errors import InputFileError

__all__ = ["YamlList", "YamlMap", "line_of", "load_yaml"]


class YamlMap(dict[str, Any]):
    """A mapping from a YAML file: `line` is where it starts, `key_lines[key]` where each key is (1-based)."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A sequence from a YAML file: `line` is where it starts, `item_lines[i]` where item i is (1-based)."""

    line: int
    item_lines: list[int]


def line_of(value: Any, default: int) -> int:
    """The line a loaded value starts on, or `default` for scalars (which carry no position)."""
    return getattr(value, "line", default)


def load_yaml(path: Path) -> Any:
    """Parse `path` into plain values, with `YamlMap`/`YamlList` for mappings and sequences.

    Raises InputFileError with file:line for unreadable files and YAML syntax errors, and for duplicate keys,
    which plain PyYAML silently resolves to the last one.
    """
    text = read_file_text(path)
    loader = None
    try:
        loader = _GuardedLoader(text)  # a str with a control character is refused here already
        loader.name = str(path)
        node = loader.get_single_node()
        if node is None:
            raise InputFileError(path, "the file is empty", line=1, hint="a scenario needs at least `name` and `steps`")
        return _build(loader, node, path)
    except yaml.YAMLError as exc:
        what, line = yaml_problem(exc, text)
        hint = "check the indentation and quoting there" if line is not None and "character #x" not in what else None
        raise InputFileError(
            path, f"not valid YAML: {what}", line=line, hint=hint or "remove control characters; save as UTF-8"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


class _GuardedLoader(GuardedComposer, SafeLoader):
    """SafeLoader with depth, alias expansion and tags bounded (see `safe_read`)."""


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping = YamlMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        loader.flatten_mapping(node)  # YAML merge keys (`<<: *anchor`) become ordinary keys
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise InputFileError(path, f"keys must be strings, not {key!r}", line=key_node.start_mark.line + 1)
            if key in mapping:
                raise InputFileError(
                    path,
                    f"duplicate key {key!r} (first on line {mapping.key_lines[key]})",
                    line=key_node.start_mark.line + 1,
                    hint="keep one of them",
                )
            mapping[key] = _build(loader, value_node, path)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = YamlList(_build(loader, item, path) for item in node.value)
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence
    return loader.construct_object(node, deep=True)
