"""The one safe way tidings reads a file a user hands it: catalogue files, shared schemas, scenarios, the
topology, pact files, `emit --file` and event files all come through here.

- **Regular files only.** A FIFO would block the reader forever and `/dev/zero` never ends, so anything that
  is not a regular file (after following symlinks) is refused by name, and so is a symlink loop.
- **A size limit** (`MAX_FILE_BYTES`, raise it with `TIDINGS_MAX_FILE_BYTES`), checked before reading and
  while reading (a file may grow between the two).
- **One encoding rule:** UTF-8, an optional BOM dropped, nothing else.
- **A depth limit** (`MAX_DEPTH`) for JSON and YAML, so a 100,000-deep document is an error and not a
  `RecursionError` in whatever walks it next.
- **YAML aliases bounded:** an alias costs the size of what it expands to, and a document that expands beyond
  `MAX_YAML_NODES` nodes ("billion laughs") is refused, as is a recursive alias; tags other than YAML's core
  ones (`!!python/object`, `!custom`) are refused by name rather than silently read as plain mappings.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from tidings.contracts.errors import InputFileError, UsageError

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_YAML_NODES",
    "GuardedComposer",
    "SafeLoader",
    "check_depth",
    "max_file_bytes",
    "read_file_bytes",
    "read_file_text",
    "yaml_problem",
]

MAX_FILE_BYTES = 1024 * 1024
"""Default size limit of one input file (1 MiB); `TIDINGS_MAX_FILE_BYTES` raises it."""
MAX_DEPTH = 64
"""Deepest nesting of objects/arrays (mappings/sequences) accepted in a JSON or YAML file."""
MAX_YAML_NODES = 200_000
"""Most nodes a YAML document may hold once its aliases are expanded."""

_CORE_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "str", "seq", "map", "merge", "timestamp", "value")
}


def max_file_bytes() -> int:
    """The size limit in force: `TIDINGS_MAX_FILE_BYTES` when set, else `MAX_FILE_BYTES`."""
    raw = os.environ.get("TIDINGS_MAX_FILE_BYTES", "").strip()
    if not raw:
        return MAX_FILE_BYTES
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise UsageError(
            f"TIDINGS_MAX_FILE_BYTES={raw!r} is not a positive whole number of bytes",
            hint="e.g. TIDINGS_MAX_FILE_BYTES=10485760 for 10 MiB, or unset it for the default (1 MiB)",
        )
    return value


def _kind(mode: int) -> str | None:
    kinds = (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    )
    return next((name for test, name in kinds if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a regular file within the size limit; anything else is an `InputFileError` that says why."""
    limit = max_file_bytes()
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputFileError(path, "is a symlink to a missing file", hint="fix or remove the link") from None
        raise InputFileError(path, "no such file", hint="check the path") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputFileError(path, "is a symlink loop", hint="point the link at a real file") from None
        raise InputFileError(path, f"cannot read: {exc.strerror}", hint="check the path and its permissions") from None
    kind = _kind(info.st_mode)
    if kind is not None:
        raise InputFileError(path, f"is {kind}, expected a regular file", hint="pass the path of a JSON or YAML file")
    if info.st_size > limit:
        raise _too_big(path, limit)
    try:
        # O_NONBLOCK: should the path have been swapped for a FIFO since the stat, opening it does not block.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror}", hint="check the file's permissions") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InputFileError(path, "is not a regular file", hint="pass the path of a JSON or YAML file")
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise _too_big(path, limit)
    return raw


def _too_big(path: Path, limit: int) -> InputFileError:
    return InputFileError(
        path,
        f"is larger than the limit of {limit:,} bytes",
        hint="split it, or raise the limit with TIDINGS_MAX_FILE_BYTES (see the README's Limits)",
    )


def read_file_text(path: Path) -> str:
    """`read_file_bytes` decoded by the one rule: UTF-8, an optional BOM dropped."""
    raw = read_file_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(
            path,
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            line=line,
            hint="save the file as UTF-8",
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def check_depth(value: Any, source: object, limit: int = MAX_DEPTH) -> None:
    """Refuse `value` (parsed JSON/YAML) when it nests deeper than `limit`; iterative, so any depth is safe."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        if depth > limit:
            raise _too_deep(source, limit, None)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children)


def _too_deep(source: object, limit: int, line: int | None) -> InputFileError:
    return InputFileError(
        source,
        f"nested deeper than {limit} levels",
        line=line,
        hint="flatten the document; no contract, scenario or event needs that depth (see the README's Limits)",
    )


SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's SafeLoader when PyYAML has it (parsing and composing in C, ten times faster), else PyYAML's own."""


class GuardedComposer:
    """A loader mixin (put it before the loader, e.g. `class L(GuardedComposer, SafeLoader)`): the document's
    node graph, once composed, is checked before anything is constructed from it — depth, alias expansion and
    tags bounded. Composing cannot blow up (an alias is a reference to its anchor's node, not a copy; libyaml
    stops at 1,000 levels), so the checks can run on the result, in one walk that visits each node once."""

    def get_single_node(self) -> Any:
        try:
            node = super().get_single_node()  # type: ignore[misc]
        except yaml.scanner.ScannerError as exc:
            if "maximum nesting depth" not in str(exc.problem):
                raise
            line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
            raise _too_deep(self._source(), MAX_DEPTH, line) from None
        if node is not None:
            self._check(node)
        return node

    def _check(self, root: yaml.Node) -> None:
        done: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes once aliases are expanded, levels)
        open_nodes: set[int] = set()  # entered, not yet done: meeting one again is a cycle
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            key = id(node)
            children = _children(node)
            if children_done:
                open_nodes.discard(key)
                size = 1 + sum(done[id(child)][0] for child in children)
                levels = 1 + max((done[id(child)][1] for child in children), default=0)
                if size > MAX_YAML_NODES:
                    raise self._refuse(
                        node,
                        f"the aliases expand to more than {MAX_YAML_NODES:,} values",
                        hint="write the values out, or use fewer nested aliases",
                    )
                if levels > MAX_DEPTH:
                    raise _too_deep(self._source(), MAX_DEPTH, node.start_mark.line + 1)
                done[key] = (size, levels)
                continue
            if key in done:
                continue
            if key in open_nodes:
                raise self._refuse(node, "an alias refers to a node that contains it (a recursive alias)")
            if node.tag not in _CORE_TAGS:
                raise self._refuse(node, f"the tag {node.tag!r} is not allowed (only plain YAML data is read)")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in done)

    def _source(self) -> str:
        return str(getattr(self, "name", None) or "<yaml>")

    def _refuse(self, where: Any, what: str, hint: str | None = None) -> InputFileError:
        line = where.start_mark.line + 1 if getattr(where, "start_mark", None) is not None else None
        return InputFileError(self._source(), what, line=line, hint=hint or "remove it; tidings reads data only")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def yaml_problem(error: yaml.YAMLError, text: str) -> tuple[str, int | None]:
    """What a YAML error says, on one line, and the 1-based line it is on. A character YAML does not allow (a
    control character) is a `ReaderError`, which carries a position in the text rather than a line."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        what = " ".join(part for part in (error.context, error.problem) if part) or str(error).splitlines()[0]
        return what, mark.line + 1 if mark is not None else None
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1 if isinstance(error.position, int) else None
        if isinstance(error.character, str):
            return f"character #x{ord(error.character):04x} is not allowed in YAML (a control character)", line
        return str(error.reason), line
    return str(error).splitlines()[0], None
