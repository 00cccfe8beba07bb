"""The fake API's resources, most of them kept as compressed JSON.

A play of 100,000 events leaves tens of thousands of resources in the fake API, every one readable (a consumer
may GET any detailUrl it was sent), and as Python dicts they cost ~2 KB an event: more than the rest of an
embedded play together. Only the resources events are still changing need to be dicts; the rest are only read,
and a read wants JSON bytes anyway. So `ResourceStore` keeps the `HOT` most recently changed resources as dicts
and the others as their compact JSON (`json.dumps(..., separators=(",", ":"))`, the bytes the API serves),
zlib-compressed with a preset dictionary (`zdict`) taken from the JSON of the first resources stored, which
makes small records compress several times better than alone. A cold resource a projection touches again
becomes a dict again.

Resources leave the hot set only in `settle()`, which the state calls after each event's changes are done, so
a dict a projection is holding is never frozen under it.
"""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from typing import Any

__all__ = ["HOT", "ResourceStore"]

HOT = 2_000
"""Resources kept as dicts (the most recently changed); the rest are compressed JSON."""
_SAMPLE = 32  # resources whose JSON makes the preset dictionary
_ZDICT_BYTES = 16_384


class ResourceStore(MutableMapping[str, dict[str, Any]]):
    """path -> resource, as a projection uses a dict of them (`get`, `[]`, `setdefault`, `in`), plus
    `json_of(path)` for the bytes to serve and `settle()` to freeze what has gone cold."""

    def __init__(self, hot: int = HOT) -> None:
        self._limit = hot
        self._hot: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._cold: dict[str, bytes] = {}
        self._sample: list[bytes] = []
        self._zdict: bytes | None = None

    # -- what a projection uses ------------------------------------------------------------------------------

    def get(self, path: str, default: Any = None) -> Any:
        found = self._hot.get(path)
        if found is not None:
            self._hot.move_to_end(path)
            return found
        packed = self._cold.pop(path, None)
        if packed is None:
            return default
        resource: dict[str, Any] = json.loads(self._unpack(packed))
        self._hot[path] = resource
        return resource

    def __getitem__(self, path: str) -> dict[str, Any]:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found

    def __setitem__(self, path: str, resource: dict[str, Any]) -> None:
        self._cold.pop(path, None)
        self._hot[path] = resource
        self._hot.move_to_end(path)

    def setdefault(self, path: str, default: dict[str, Any]) -> dict[str, Any]:
        found = self.get(path)
        if found is None:
            self[path] = found = default
        return found

    def __delitem__(self, path: str) -> None:
        if self._hot.pop(path, None) is None and self._cold.pop(path, None) is None:
            raise KeyError(path)

    def __contains__(self, path: object) -> bool:
        return path in self._hot or path in self._cold

    def __iter__(self) -> Iterator[str]:
        yield from list(self._hot)
        yield from list(self._cold)

    def __len__(self) -> int:
        return len(self._hot) + len(self._cold)

    def clear(self) -> None:
        self._hot.clear()
        self._cold.clear()

    # -- reading and freezing --------------------------------------------------------------------------------

    def json_of(self, path: str) -> bytes | None:
        """The resource at `path` as the compact JSON the API serves, or None (a cold one is not thawed)."""
        found = self._hot.get(path)
        if found is not None:
            return json.dumps(found, separators=(",", ":")).encode()
        packed = self._cold.get(path)
        return None if packed is None else self._unpack(packed)

    def settle(self) -> None:
        """Freeze the least recently changed resources beyond the hot limit (after an event's changes)."""
        while len(self._hot) > self._limit:
            path, resource = self._hot.popitem(last=False)
            self._cold[path] = self._pack(json.dumps(resource, separators=(",", ":")).encode())

    def _pack(self, body: bytes) -> bytes:
        if self._zdict is None:
            self._sample.append(body)
            if len(self._sample) < _SAMPLE:
                return b"\0" + zlib.compress(body, 1)
            self._zdict = b"".join(self._sample)[-_ZDICT_BYTES:]
            self._sample = []
        packer = zlib.compressobj(level=6, zdict=self._zdict)
        return b"\1" + packer.compress(body) + packer.flush()

    def _unpack(self, packed: bytes) -> bytes:
        if packed[:1] == b"\0":
            return zlib.decompress(packed[1:])
        assert self._zdict is not None
        unpacker = zlib.decompressobj(zdict=self._zdict)
        return unpacker.decompress(packed[1:]) + unpacker.flush()
