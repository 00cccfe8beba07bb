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
    "check_depth",
    "max_file_bytes",
    "read_file_bytes",
    "read_file_text",
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


class GuardedComposer(yaml.composer.Composer):
    """A composer mixin (put it before the loader) that bounds depth, alias expansion and tags."""

    def compose_document(self) -> Any:
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        parser: Any = self  # the loader this is mixed into parses the events
        if parser.check_event(yaml.AliasEvent):
            event = parser.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:
                    raise self._refuse(event, f"alias *{event.anchor} refers to itself (a recursive alias)")
                self._count(size, event)
            return super().compose_node(parent, index)
        event = parser.peek_event()
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _too_deep(self._source(), MAX_DEPTH, event.start_mark.line + 1)
        before = self._nodes
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None and node.tag not in _CORE_TAGS:
            raise self._refuse(node, f"the tag {node.tag!r} is not allowed (only plain YAML data is read)")
        self._count(1, event)
        self._sizes[id(node)] = self._nodes - before
        return node

    def _count(self, size: int, event: Any) -> None:
        self._nodes += size
        if self._nodes > MAX_YAML_NODES:
            raise self._refuse(
                event,
                f"the aliases expand to more than {MAX_YAML_NODES:,} values",
                hint="write the values out, or use fewer nested aliases",
            )

    def _source(self) -> str:
        return str(getattr(self, "name", None) or "<yaml>")

    def _refuse(self, where: Any, what: str, hint: str | None = None) -> InputFileError:
        line = where.start_mark.line + 1 if getattr(where, "start_mark", None) is not None else None
        return InputFileError(self._source(), what, line=line, hint=hint or "remove it; tidings reads data only")
