"""A catalogue written as the registry's own message spec files (`spec/schemas/<producer>/<name>.yml`: name,
title, summary, contentType, payload with `example:` values inside the properties), so a producer can contribute
its catalogue to the registry as the registry expects."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tidings.contracts.catalog.catalog import Catalog
from tidings.contracts.catalog.schemas import fold_all_of

__all__ = ["registry_files", "write_registry_files"]


def _with_examples(schema: Any, example: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    result = copy.deepcopy(schema)
    properties = result.get("properties")
    if isinstance(properties, dict) and isinstance(example, dict):
        for name, child in properties.items():
            if name in example:
                properties[name] = _with_examples(child, example[name])
    elif not isinstance(example, (dict, list)) and example is not None and "const" not in result:
        result["example"] = example
    return result


def registry_files(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """`spec/schemas/<producer>/<file>.yml` → message object, one per event type (its latest version)."""
    files = {}
    for event_type in catalog.event_types:
        contract = catalog.get(event_type)
        bundled = {
            k: v
            for k, v in fold_all_of(catalog.compiled(event_type, contract.version).bundled).items()
            if k != "$schema"
        }
        example = contract.examples[0] if contract.examples else None
        summary = contract.description.split(". ")[0] if contract.description else event_type
        message = {
            "name": event_type,
            "title": event_type,
            "summary": summary,
            "contentType": "application/json",
            "payload": _with_examples(bundled, example),
        }
        stem = "-".join(event_type.split(".")[1:]) or event_type
        files[f"spec/schemas/{catalog.producer}/{stem}.yml"] = message
    return files


def write_registry_files(catalog: Catalog, out: Path) -> list[Path]:
    """Write `registry_files(catalog)` under `out`; returns the paths written."""
    written = []
    for relative, message in registry_files(catalog).items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(message, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
        written.append(path)
    return written
