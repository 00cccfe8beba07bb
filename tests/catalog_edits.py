"""Helpers for tests that change a copy of the shipped catalogue (the `copy` fixture is in conftest.py)."""

from __future__ import annotations

from pathlib import Path


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in the file, failing the test if `old` is not there (so edits cannot silently miss)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
