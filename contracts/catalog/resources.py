"""The business API as contract: one resource per path template of the producer's API, read from the catalogue.

    <catalogue>/resources.schema.json     shared parts of the response schemas (listed under `shared:`)
    <catalogue>/resources/<name>.yaml     name, version, path (`/sent-referral/{referralId}`), description,
                                          source (repo, commit, dto, controller), links, schema, examples
    <catalogue>/projections/<type>.yaml   how one event type creates or changes resources (read here as data;
                                          the simulator's `projections` package applies them)

Like the loader, this module collects content problems (`file:line: what`) instead of raising, so lint reports
them all; syntax errors still stop the load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.contracts.catalog.files import key_line, read_data_file
from tidings.contracts.catalog.schemas import catalog_uri

__all__ = [
    "PROJECTIONS_DIR",
    "RESOURCES_DIR",
    "Projection",
    "ResourceContract",
    "load_projections",
    "load_resources",
    "path_pattern",
]

RESOURCES_DIR = "resources"
PROJECTIONS_DIR = "projections"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class ResourceContract:
    """What a producer's API promises for one path template: the JSON Schema (2020-12) of its 200 response."""

    name: str
    version: int
    path: str
    description: str
    schema: dict[str, Any]
    examples: list[dict[str, Any]]
    source_path: Path
    schema_uri: str
    source: dict[str, Any] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> list[str]:
        """The path template's placeholders, in order."""
        return _PLACEHOLDER.findall(self.path)

    def render(self, params: dict[str, Any]) -> str:
        """The path with `params` filled in (a missing one stays a placeholder)."""
        return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), self.path)

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.path})"


@dataclass(frozen=True)
class Projection:
    """The rules of one event type's projection file, as read (the simulator compiles and applies them)."""

    event_type: str
    rules: list[dict[str, Any]]
    source_path: Path


def path_pattern(template: str) -> re.Pattern[str]:
    """A regex matching concrete paths of `template`, one named group per placeholder (no `/` inside)."""
    parts = _PLACEHOLDER.split(template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


def load_resources(root: Path, problems: list[str]) -> list[ResourceContract]:
    """Every `resources/*.yaml` of the catalogue at `root`, sorted by name."""
    folder = root / RESOURCES_DIR
    if not folder.is_dir():
        return []
    resources: list[ResourceContract] = []
    for path in sorted(folder.glob("*.y*ml")):
        resource = _read_resource(root, path, problems)
        if resource is not None:
            resources.append(resource)
    return resources


def load_projections(root: Path, problems: list[str]) -> dict[str, Projection]:
    """Every `projections/<event type>.yaml`: a mapping with a `rules:` list."""
    folder = root / PROJECTIONS_DIR
    projections: dict[str, Projection] = {}
    if not folder.is_dir():
        return projections
    for path in sorted(folder.glob("*.y*ml")):
        data = read_data_file(path)
        rules = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
            problems.append(f"{path}:{key_line(path, 'rules') or 1}: a projection is a mapping with a `rules:` list")
            continue
        event_type = path.name.rsplit(".", 1)[0]
        projections[event_type] = Projection(event_type, rules, path)
    return projections


def _read_resource(root: Path, path: Path, problems: list[str]) -> ResourceContract | None:
    data = read_data_file(path)
    if not isinstance(data, dict):
        problems.append(f"{path}:1: a resource is a mapping with name, version, path, schema and examples")
        return None

    def problem(key: str, what: str) -> None:
        problems.append(f"{path}:{key_line(path, key) or 1}: {what}")

    name, version, template = data.get("name"), data.get("version"), data.get("path")
    if name != path.name.rsplit(".", 1)[0]:
        problem("name", f"`name` must be the file's name ({path.stem!r}), not {name!r}")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problem("version", f"`version` must be an integer >= 1, not {version!r}")
        version = 1
    if not isinstance(template, str) or not template.startswith("/"):
        problem("path", f"`path` must be a path template such as /sent-referral/{{referralId}}, not {template!r}")
        return None
    schema = data.get("schema")
    if not isinstance(schema, dict):
        problem("schema", "`schema` must be a JSON Schema (a mapping)")
        schema = {}
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(example, dict) for example in examples):
        problem("examples", "`examples` must be a list of mappings (one response each)")
        examples = []
    links = data.get("links", {})
    if not isinstance(links, dict):
        problem("links", "`links` must map a field to the path template it names")
        links = {}
    return ResourceContract(
        name=path.stem,
        version=version,
        path=template,
        description=str(data.get("description") or "").strip(),
        schema=schema,
        examples=examples,
        source_path=path,
        schema_uri=catalog_uri(path.relative_to(root).as_posix()),
        source=dict(data["source"]) if isinstance(data.get("source"), dict) else {},
        links={str(k): str(v) for k, v in links.items()},
    )
