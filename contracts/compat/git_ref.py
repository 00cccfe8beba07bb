"""Reading a catalogue as it was at a git ref, for `tidings contracts check --against REF`.

The catalogue's path relative to the repository root is exported from the ref with `git archive` into a
temporary directory; the working tree, the index and HEAD are never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tidings.contracts.errors import UsageError

__all__ = ["catalog_at_ref"]


def _git(cwd: Path, *args: str) -> bytes:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git, or pass --against a directory") from None
    if completed.returncode != 0:
        raise _GitFailed(completed.stderr.decode("utf-8", "replace").strip())
    return completed.stdout


class _GitFailed(Exception):
    pass


@contextmanager
def catalog_at_ref(catalog_root: Path, ref: str) -> Iterator[Path]:
    """A temporary copy of the catalogue directory `catalog_root` as it was at git `ref` (deleted on exit)."""
    root = catalog_root.resolve()
    try:
        toplevel = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    except _GitFailed:
        raise UsageError(
            f"{catalog_root} is not inside a git repository, so --against {ref!r} cannot be read from git",
            hint="pass --against a directory holding the other catalogue",
        ) from None
    try:
        _git(toplevel, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except _GitFailed:
        raise UsageError(
            f"--against {ref!r} is neither a directory nor a git ref of {toplevel}",
            hint="use a branch, tag or commit (e.g. main, v1.2.0, HEAD~1), or an existing directory",
        ) from None
    relative = root.relative_to(toplevel.resolve()).as_posix()
    try:
        archive = _git(toplevel, "archive", "--format=tar", ref, "--", relative or ".")
    except _GitFailed as failure:
        raise UsageError(
            f"the catalogue {relative or '.'} does not exist at {ref!r} ({failure})",
            hint="check that the catalogue was committed at that ref",
        ) from None
    with tempfile.TemporaryDirectory(prefix="tidings-ref-") as temporary:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(temporary, filter="data")
        yield Path(temporary) / relative
