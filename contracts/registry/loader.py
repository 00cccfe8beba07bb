"""Reading a registry: a directory with `registry.yaml`, or several catalogue directories.

    <registry>/
      registry.yaml       topic, producers (catalogue directories, relative), moves, naming
      <producer>/         one tidings catalogue each (catalog.yaml, envelope, events/…)

`registry.yaml`:

    topic: hmpps-domain-events
    producers: [refer-and-monitor, accommodation]
    moves:
      - {eventType: intervention.referral.ended, from: refer-and-monitor, to: accommodation}
    naming:
      segments: [3, 3]          # min, max
      kebabCase: true
      pastTense: true
      producerPrefix: true
      allow: [complete]         # last words accepted as past tense
      prefixes: {refer-and-monitor: [intervention]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tidings.contracts.catalog.files import key_line, read_data_file
from tidings.contracts.catalog.loader import CATALOG_FILE, load_catalog_dir
from tidings.contracts.errors import CatalogError, InputFileError
from tidings.contracts.registry.model import Move, NamingRules, Registry
from tidings.contracts.settings import resolve_setting

__all__ = ["REGISTRY_FILE", "load_registry", "registry_setting"]

REGISTRY_FILE = "registry.yaml"


def registry_setting(cli_value: Path | None = None) -> Path | None:
    """`--registry`, else `TIDINGS_REGISTRY`, else `[tool.tidings] registry`; `None` when none is set."""
    chosen = resolve_setting("registry", cli_value)
    return Path(chosen).expanduser() if chosen is not None else None


def load_registry(paths: Path | list[Path]) -> Registry:
    """A registry directory, or one or several catalogue directories taken as one registry."""
    dirs = [paths] if isinstance(paths, Path) else list(paths)
    if len(dirs) == 1 and (dirs[0] / REGISTRY_FILE).is_file():
        return _from_index(dirs[0])
    for folder in dirs:
        if not (folder / CATALOG_FILE).is_file():
            raise CatalogError(
                f"{folder}: neither a registry ({REGISTRY_FILE}) nor a catalogue ({CATALOG_FILE})",
                hint="point --registry (or TIDINGS_REGISTRY) at a directory holding registry.yaml",
            )
    catalogs = [load_catalog_dir(folder) for folder in dirs]
    return Registry(root=None, topic=catalogs[0].topic if catalogs else "", catalogs=catalogs)


def _from_index(root: Path) -> Registry:
    path = root / REGISTRY_FILE
    index = read_data_file(path)
    if not isinstance(index, dict):
        raise InputFileError(path, "expected a mapping with topic and producers", line=1)
    producers = index.get("producers")
    if not isinstance(producers, list) or not all(isinstance(p, str) for p in producers):
        raise InputFileError(
            path,
            "`producers` must be a list of catalogue directories",
            line=key_line(path, "producers"),
            hint="producers:\n  - refer-and-monitor",
        )
    catalogs = [load_catalog_dir(root / producer) for producer in producers]
    topic = index.get("topic") or (catalogs[0].topic if catalogs else "")
    return Registry(
        root=root,
        topic=str(topic),
        catalogs=catalogs,
        moves=_moves(index.get("moves") or [], path, {c.producer for c in catalogs}),
        naming=_naming(index.get("naming") or {}, path),
    )


def _moves(raw: Any, path: Path, producers: set[str]) -> list[Move]:
    line = key_line(path, "moves")
    if not isinstance(raw, list):
        raise InputFileError(path, "`moves` must be a list of {eventType, from, to}", line=line)
    moves = []
    for entry in raw:
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("eventType", "from", "to"))):
            raise InputFileError(
                path,
                f"a move needs eventType, from and to (strings), not {entry!r}",
                line=line,
                hint="moves:\n  - {eventType: x.y.sent, from: old-service, to: new-service}",
            )
        for key in ("from", "to"):
            if entry[key] not in producers:
                raise InputFileError(
                    path,
                    f"move of {entry['eventType']}: {key} {entry[key]!r} is not a producer of this registry",
                    line=line,
                    hint="known: " + ", ".join(sorted(producers)),
                )
        moves.append(Move(entry["eventType"], entry["from"], entry["to"]))
    return moves


def _naming(raw: Any, path: Path) -> NamingRules:
    line = key_line(path, "naming")
    if not isinstance(raw, dict):
        raise InputFileError(path, "`naming` must be a mapping", line=line)
    segments = raw.get("segments", [3, 3])
    if isinstance(segments, int):
        segments = [segments, segments]
    if not (isinstance(segments, list) and len(segments) == 2 and all(isinstance(n, int) and n >= 1 for n in segments)):
        raise InputFileError(path, "naming.segments is a count or [min, max]", line=line, hint="segments: [3, 4]")
    prefixes = raw.get("prefixes", {})
    if not isinstance(prefixes, dict):
        raise InputFileError(path, "naming.prefixes maps a producer to its prefixes", line=line)
    return NamingRules(
        min_segments=segments[0],
        max_segments=segments[1],
        kebab_case=bool(raw.get("kebabCase", True)),
        past_tense=bool(raw.get("pastTense", True)),
        producer_prefix=bool(raw.get("producerPrefix", True)),
        allow=frozenset(str(word) for word in raw.get("allow", [])),
        prefixes={str(k): tuple(str(p) for p in (v if isinstance(v, list) else [v])) for k, v in prefixes.items()},
    )
