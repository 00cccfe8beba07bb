"""Static checks of projection rules against the schemas: every field a rule sets exists in its resource's
schema, every `{{ steps.event.FIELD }}` names a field of the event's schema, and a value copied straight from
an event field has a type the resource field accepts (or a `convert:` that makes it so)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tidings.contracts.catalog.resources import Projection

__all__ = ["check_projection"]

_EVENT_FIELD = re.compile(r"\{\{\s*steps\.event\.([A-Za-z_][A-Za-z0-9_-]*)[^}]*\}\}")
_WHOLE = re.compile(r"^\{\{\s*steps\.event\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}$")


def _types(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    kind = schema.get("type")
    found = {kind} if isinstance(kind, str) else set(kind or [])
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            found |= _types(branch)
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        found |= {"string" if isinstance(v, str) else "null" if v is None else "other" for v in values}
    return found


def _props(schema: Any) -> dict[str, Any]:
    """The properties a schema declares, its allOf/anyOf branches' included (first declaration wins)."""
    if not isinstance(schema, dict):
        return {}
    found: dict[str, Any] = {}
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key, []):
            for name, sub in _props(branch).items():
                found.setdefault(name, sub)
    return {**found, **schema.get("properties", {})}


def _occurrences(schema: Any, name: str) -> list[Any]:
    """Every subschema of property `name` across a schema's branches (the envelope's and the event's own)."""
    if not isinstance(schema, dict):
        return []
    found = [schema["properties"][name]] if name in schema.get("properties", {}) else []
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key, []):
            found.extend(_occurrences(branch, name))
    return found


def _child(schema: Any, part: str) -> Any:
    if not isinstance(schema, dict):
        return None
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            found = _child(branch, part)
            if found is not None:
                return found
    if part.isdigit():
        return schema.get("items")
    return schema.get("properties", {}).get(part)


def check_projection(
    projection: Projection,
    resource_schema: Callable[[str], dict[str, Any] | None],
    event_schema: dict[str, Any] | None,
) -> list[str]:
    """The problems of one projection file (`file: rules[i].set.FIELD: what`)."""
    problems: list[str] = []
    top = _props(event_schema)
    info: dict[str, Any] = {}
    for branch in _occurrences(event_schema, "additionalInformation"):
        info.update({k: v for k, v in _props(branch).items() if k not in info})
    event_fields = {*top, *info, "crn"}
    for index, rule in enumerate(projection.rules):
        schema = resource_schema(str(rule.get("resource")))
        if schema is None:
            continue
        convert = rule.get("convert") or {}
        for section in ("set", "append"):
            for dotted, value in (rule.get(section) or {}).items():
                where = f"{projection.source_path}: rules[{index}].{section}.{dotted}"
                target: Any = schema
                for part in str(dotted).split("."):
                    target = _child(target, part)
                    if target is None:
                        break
                if target is None:
                    problems.append(f"{where}: the {rule.get('resource')} schema has no such field")
                    continue
                if section == "append":
                    target = _child(target, "0")
                for name in _EVENT_FIELD.findall(str(value)):
                    if event_schema is not None and name not in event_fields:
                        problems.append(f"{where}: the event has no field {name!r}")
                whole = _WHOLE.match(str(value))
                if whole and event_schema is not None and dotted not in convert:
                    name = whole.group(1)
                    source = info.get(name) or top.get(name)
                    accepts, gives = _types(target), _types(source) - {"null"}
                    if accepts and gives and "other" not in gives and not gives & accepts:
                        problems.append(
                            f"{where}: the event's {name} is {'/'.join(sorted(gives))}, the field takes "
                            f"{'/'.join(sorted(accepts))} (add `convert: {{{dotted}: ...}}`)"
                        )
    return problems
