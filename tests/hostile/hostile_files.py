"""Hostile files for the corpus: each kind writes something at a path that no reader may choke on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["FILE_KINDS", "YAML_ONLY"]


def _text(content: str | bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return write


def _missing(path: Path) -> None:
    pass


def _directory(path: Path) -> None:
    path.mkdir()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _loop(path: Path) -> None:
    other = path.with_name(path.name + ".other")
    path.symlink_to(other)
    other.symlink_to(path)


def _dangling(path: Path) -> None:
    path.symlink_to(path.with_name("nowhere.yaml"))


_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

# kind -> (writer, pattern the error line must match)
FILE_KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing": (_missing, r"no such file"),
    "directory": (_directory, r"directory"),
    "fifo": (_fifo, r"FIFO"),
    "dev-zero": (_dev_zero, r"character device"),
    "symlink-loop": (_loop, r"symlink loop"),
    "dangling": (_dangling, r"symlink to a missing file"),
    "not-utf8": (_text(b"name: \xff\xfe\xfa\n"), r"not UTF-8"),
    "control-char": (_text("name: bad\x01\n"), r"not valid YAML|special characters|control"),
    "deep-json": (_text("[" * 100_000 + "]" * 100_000), r"nested"),
    "deep-yaml": (_text("x: " + "[" * 100_000 + "]" * 100_000 + "\n"), r"nested"),
    "billion-laughs": (_text(_LAUGHS), r"aliases expand"),
    "recursive-alias": (_text("a: &a [*a]\n"), r"recursive alias"),
    "python-tag": (_text("x: !!python/object/apply:os.system ['echo pwned']\n"), r"python/object"),
    "huge": (_text("x: " + "y" * (1024 * 1024 + 10) + "\n"), r"larger than the limit"),
    "empty": (_text(""), r"empty|no document"),
}

YAML_ONLY = {"control-char", "deep-yaml", "billion-laughs", "recursive-alias", "python-tag"}
"""Kinds that only a YAML reader sees as such; a JSON-only reader (pact files) says "not JSON"."""
