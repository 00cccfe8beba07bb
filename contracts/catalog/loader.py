"""Reading a catalogue directory into a `Catalog`.

    <catalogue>/
      catalog.yaml                     producer, topic, apiBaseUrl, shared schema files, the event types
      envelope.schema.json             shared schema(s), listed under `shared:` in catalog.yaml
      events/<event type>/v<N>.yaml    one contract: description, detailUrl, urlOnlyParams, derived,
                                       messageAttributes, schema, examples
      resources/<name>.yaml            the business API's resources, projections/<event type>.yaml how
                                       events change them (see catalog.resources)

Syntax errors (malformed YAML/JSON, empty or non-UTF-8 files, no catalog.yaml) stop the load with an
`InputFileError`/`CatalogError`. Content problems (a field of the wrong type, a listed event without files) do
not: they are collected in `Catalog.problems` for `tidings contracts lint` to report, so one bad contract does
not hide the rest of the catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from referencing import Resource
from referencing.jsonschema import DRAFT202012

from tidings.contracts.catalog.api import BusinessApi
from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.files import key_line, read_data_file
from tidings.contracts.catalog.metaschema import first_metaschema_error
from tidings.contracts.catalog.model import EventContract, UrlOnlyParam
from tidings.contracts.catalog.resources import load_projections, load_resources
from tidings.contracts.catalog.schemas import CATALOG_BASE_URI, catalog_uri, make_registry
from tidings.contracts.errors import CatalogError, InputFileError
from tidings.contracts.settings import resolve_setting

__all__ = ["CATALOG_FILE", "EVENTS_DIR", "SHIPPED_CATALOG", "VERSION_FILE", "load_catalog", "load_catalog_dir"]

CATALOG_FILE = "catalog.yaml"
EVENTS_DIR = "events"
VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.(?:ya?ml|json)$")
DEFAULT_API_BASE_URL = "http://localhost:8080"


def load_catalog_dir(root: Path) -> Catalog:
    """Load the catalogue in directory `root` (see the module docstring for the layout)."""
    if not root.exists():
        raise CatalogError(f"{root}: no such catalogue directory", hint=_WHERE_HINT)
    if not root.is_dir():
        raise CatalogError(f"{root}: a catalogue is a directory, this is a file", hint=_WHERE_HINT)
    index_path = root / CATALOG_FILE
    if not index_path.exists() and not index_path.is_symlink():  # anything else there: the reader says what it is
        raise CatalogError(
            f"{root}: not a contract catalogue (no {CATALOG_FILE})",
            hint=f"a catalogue directory holds {CATALOG_FILE} and events/<event type>/v1.yaml; " + _WHERE_HINT,
        )
    index = read_data_file(index_path)
    if not isinstance(index, dict):
        raise InputFileError(index_path, "expected a mapping with producer, topic and events", line=1)
    problems: list[str] = []
    producer = _required_text(index, "producer", index_path)
    topic = _required_text(index, "topic", index_path)
    events = index.get("events")
    if not isinstance(events, list) or not all(isinstance(name, str) for name in events):
        raise InputFileError(
            index_path,
            "`events` must be a list of event type names",
            line=key_line(index_path, "events"),
            hint="events:\n  - intervention.referral.sent",
        )
    shared = index.get("shared", [])
    if not isinstance(shared, list) or not all(isinstance(name, str) for name in shared):
        raise InputFileError(
            index_path, "`shared` must be a list of schema file paths", line=key_line(index_path, "shared")
        )

    resources: dict[str, Any] = {}
    for relative in shared:
        resources[catalog_uri(relative)] = read_data_file(root / relative)

    contracts: list[EventContract] = []
    seen: set[str] = set()
    for event_type in events:
        if event_type in seen:
            problems.append(f"{index_path}:{key_line(index_path, 'events')}: {event_type} is listed twice")
            continue
        seen.add(event_type)
        folder = root / EVENTS_DIR / event_type
        files = sorted(
            (int(match.group(1)), path)
            for path in (folder.iterdir() if folder.is_dir() else [])
            if (match := VERSION_FILE.match(path.name)) and not path.is_dir()
        )
        if not files:
            problems.append(f"{index_path}: {event_type} is listed but {folder} has no v1.yaml")
        for version, path in files:
            contract = _read_contract(root, path, event_type, version, problems)
            contracts.append(contract)
            if contract.schema:
                resources[contract.schema_uri] = contract.schema

    schema_errors: list[CatalogError] = []
    for uri in list(resources):
        found = metaschema_error(resources[uri], root / uri.removeprefix(CATALOG_BASE_URI), uri)
        if found is not None:  # kept out of the registry: walking it would crash (lint reports it as `schema`)
            schema_errors.append(found)
            del resources[uri]
    declared = load_resources(root, problems)
    for resource in declared:
        if resource.schema:
            resources[resource.schema_uri] = resource.schema
    registry = make_registry(_registrable(root, resources, problems))
    api = BusinessApi(declared, load_projections(root, problems), registry)
    problems.extend(api.problems(contracts))
    return Catalog(
        root=root,
        producer=producer,
        topic=topic,
        api_base_url=str(index.get("apiBaseUrl") or DEFAULT_API_BASE_URL),
        description=str(index.get("description") or ""),
        contracts=contracts,
        registry=registry,
        declared_event_types=list(events),
        shared_files=list(shared),
        problems=problems,
        api=api,
        schema_errors=schema_errors,
    )


_WHERE_HINT = "point --contracts (or TIDINGS_CONTRACTS, or [tool.tidings] contracts) at a catalogue directory"


def _required_text(index: dict[str, Any], key: str, path: Path) -> str:
    value = index.get(key)
    if not isinstance(value, str) or not value:
        raise InputFileError(path, f"missing `{key}` (a non-empty string)", line=key_line(path, key), hint=f"{key}: …")
    return value


def _read_contract(root: Path, path: Path, event_type: str, version: int, problems: list[str]) -> EventContract:
    data = read_data_file(path)
    if not isinstance(data, dict):
        raise InputFileError(path, "expected a mapping with description, detailUrl, schema and examples", line=1)

    def problem(key: str, what: str) -> None:
        problems.append(f"{path}:{key_line(path, key) or 1}: {what}")

    def field(key: str, kind: type, default: Any) -> Any:
        value = data.get(key, default)
        if not isinstance(value, kind):
            problem(key, f"`{key}` must be a {kind.__name__}, not {type(value).__name__}")
            return default
        return value

    relative = path.relative_to(root).as_posix()
    examples = field("examples", list, [])
    if not all(isinstance(example, dict) for example in examples):
        problem("examples", "each example must be a mapping (one event)")
        examples = [example for example in examples if isinstance(example, dict)]
    url_only: dict[str, UrlOnlyParam] = {}
    for name, declared in field("urlOnlyParams", dict, {}).items():
        if isinstance(declared, str):
            url_only[name] = UrlOnlyParam(name, declared)
        elif isinstance(declared, dict) and isinstance(declared.get("reason"), str):
            url_only[name] = UrlOnlyParam(name, declared["reason"], declared.get("example"))
        else:
            problem("urlOnlyParams", f"url-only placeholder {name!r} needs a `reason`")
    derived = {str(k): v for k, v in field("derived", dict, {}).items()}
    for name, template in list(derived.items()):
        if not isinstance(template, str) or not template:
            problem("derived", f'derived field {name!r} needs a template string, e.g. "urn:x:{{referralId}}"')
            del derived[name]
    default_attributes = {"eventType": {"DataType": "String", "StringValue": event_type}}
    return EventContract(
        event_type=event_type,
        version=version,
        description=str(field("description", str, "")).strip(),
        schema=field("schema", dict, {}),
        detail_url_template=field("detailUrl", str, ""),
        message_attributes=field("messageAttributes", dict, default_attributes),
        examples=examples,
        source_path=path,
        url_only_params=url_only,
        schema_uri=catalog_uri(relative),
        derived=derived,
    )


def metaschema_error(schema: Any, path: Path, uri: str) -> CatalogError | None:
    """The error (file + JSON pointer) when its own metaschema (its `$schema`, default 2020-12) rejects a schema:
    `minLength: null` or `properties: null` would otherwise crash the tools that walk it."""
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, dict):
        return CatalogError(
            f"{path}: not a JSON Schema: the document is {type(schema).__name__}, not an object",
            hint="a schema is a mapping such as {type: object, properties: {...}}",
        )
    draft = schema.get("$schema", "")
    if not isinstance(draft, str):  # validator_for would hash or decode it: TypeError / AttributeError
        inside = "/schema" if uri.endswith((".yaml", ".yml")) else ""
        return CatalogError(
            f"{path}: {inside}/$schema: not a valid JSON Schema: $schema is {type(draft).__name__}, not a URI string",
            hint="$schema names the draft, e.g. https://json-schema.org/draft/2020-12/schema (or leave it out)",
        )
    error = first_metaschema_error(schema)
    if error is not None:
        inside = "/schema" if uri.endswith((".yaml", ".yml")) else ""
        pointer = inside + "".join(f"/{part}" for part in error.absolute_path) or "/"
        return CatalogError(
            f"{path}: {pointer}: not a valid JSON Schema: {error.message}",
            hint="fix the schema there (its $schema draft's metaschema says what is allowed)",
        )
    return None


def _registrable(root: Path, resources: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """The resources `referencing` accepts; one it refuses (e.g. an unknown `$schema`) becomes a problem."""
    accepted: dict[str, Any] = {}
    for uri, contents in resources.items():
        try:
            Resource.from_contents(contents, default_specification=DRAFT202012)
        except Exception as exc:  # referencing raises various types for contents it cannot read as a schema
            problems.append(f"{root / uri.removeprefix(CATALOG_BASE_URI)}: not a usable JSON Schema: {exc}")
            continue
        accepted[uri] = contents
    return accepted


SHIPPED_CATALOG = Path(__file__).parents[1] / "catalogs" / "interventions"
"""The interventions catalogue shipped with tidings, the default."""


def load_catalog(path: str | Path | None = None, *, strict: bool = True) -> Catalog:
    """Load a catalogue: `path`, else the `contracts` setting (`TIDINGS_CONTRACTS`, `[tool.tidings] contracts`),
    else the shipped interventions catalogue. `strict`: a schema its metaschema rejects is a CatalogError (exit 2)
    before anything walks it; `tidings contracts lint` loads non-strict and reports it as a `schema` problem."""
    chosen = path if path is not None else resolve_setting("contracts")
    catalog = load_catalog_dir(Path(chosen).expanduser() if chosen is not None else SHIPPED_CATALOG)
    if strict and catalog.schema_errors:
        raise catalog.schema_errors[0]
    return catalog
