"""Reading the files a user hands tidings (catalogue files, event files) with errors that say file:line.

YAML is read without timestamp resolution so that `occurredAt: 2024-01-01T10:00:00Z` stays the string an event
carries on the wire instead of becoming a `datetime` that JSON Schema would call the wrong type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tidings.contracts.catalog.safe_read import GuardedComposer, SafeLoader, check_depth, read_file_text, yaml_problem
from tidings.contracts.errors import InputFileError

__all__ = ["key_line", "load_plain_yaml", "parse_json_or_yaml", "read_data_file", "read_text"]


class _PlainSafeLoader(GuardedComposer, SafeLoader):
    """A SafeLoader whose scalars are JSON's: no timestamps (they stay strings); depth, aliases and tags bounded."""


_PlainSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path) -> str:
    """The file's text (see `safe_read.read_file_text`); an empty file is an `InputFileError` too."""
    text = read_file_text(path)
    if not text.strip():
        raise InputFileError(path, "file is empty", hint="expected a JSON or YAML document")
    return text


def load_plain_yaml(text: str, source: object) -> Any:
    """YAML text to plain data with the guarded loader (errors name `source`)."""
    loader = _PlainSafeLoader(text)
    loader.name = str(source)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_json_or_yaml(text: str, source: object) -> Any:
    """Parse `text` as JSON when it looks like JSON, else as YAML; errors carry `source:line`."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or str(source).endswith(".json"):
        try:
            data = json.loads(text)
        except RecursionError:
            raise InputFileError(
                source, "nested too deeply", hint="flatten the document (see the README's Limits)"
            ) from None
        except json.JSONDecodeError as exc:
            raise InputFileError(
                source, f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno, hint=_JSON_HINT
            ) from None
        check_depth(data, source)
        return data
    try:
        return load_plain_yaml(text, source)
    except yaml.YAMLError as exc:
        what, line = yaml_problem(exc, text)
        raise InputFileError(source, f"not valid YAML: {what}", line=line, hint=_YAML_HINT) from None


_JSON_HINT = "fix the JSON syntax (a trailing comma or a missing quote is the usual cause)"
_YAML_HINT = "fix the YAML syntax (check indentation, and quote values containing ': ' or '#')"


def read_data_file(path: Path) -> Any:
    """Read and parse one JSON or YAML file (see `read_text` and `parse_json_or_yaml`)."""
    data = parse_json_or_yaml(read_text(path), path)
    if data is None:
        raise InputFileError(path, "file holds no document (only comments?)", hint="expected a JSON or YAML document")
    return data


def key_line(path: Path, *keys: str) -> int | None:
    """The 1-based line of the mapping key reached by `keys` in a YAML/JSON file, for error messages."""
    try:
        node: yaml.Node | None = yaml.compose(read_file_text(path), Loader=_PlainSafeLoader)
    except (InputFileError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return line
        for key_node, value_node in node.value:
            if key_node.value == key:
                line = key_node.start_mark.line + 1
                node = value_node
                break
        else:
            return line
    return line
