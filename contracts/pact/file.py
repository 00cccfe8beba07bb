"""Loading consumers' pact files (specification V3 or V4) into `PactFile`s of asynchronous message interactions
and HTTP interactions (`pact.http_file`).

A file that is not JSON, not a pact, or of another specification is an `InputFileError` (exit 2) naming the
file and saying what it found. Reading does not judge the interactions: `pact.check` does that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tidings.contracts.catalog.safe_read import MAX_DEPTH, check_depth, read_file_text
from tidings.contracts.errors import InputFileError, UsageError
from tidings.contracts.pact.http_file import HTTP_INTERACTION, http_interaction
from tidings.contracts.pact.model import HttpInteraction, MessageInteraction, PactFile
from tidings.contracts.pact.parts import json_or_none, object_of, rules_of, states_of, v4_contents

__all__ = ["load_pact", "load_pacts", "pact_files", "parse_pact"]

_ASYNC_MESSAGE = "Asynchronous/Messages"
_HINT_PACT = "a pact is written by pact-python: Pact(consumer, provider).upon_receiving(..., 'Async') ... write_file()"


def pact_files(paths: Iterable[Path | str]) -> list[Path]:
    """The pact files named by `paths`: a file as given, a directory's `*.json` files (sorted, not recursive,
    as pact's own directory source reads them). A missing path, or a directory without pacts, is a UsageError."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(candidate for candidate in path.glob("*.json") if candidate.is_file())
            if not inside:
                raise UsageError(f"{path}: no pact files (*.json) in this directory", hint=_HINT_PACT)
            found.extend(inside)
        elif path.is_file() or path.exists() or path.is_symlink():
            found.append(path)  # not a regular file (a FIFO, a device, a link loop): the reader says which
        else:
            raise InputFileError(path, "no such file or directory", hint="pass pact files or folders of them")
    return list(dict.fromkeys(found))


def load_pacts(paths: Iterable[Path | str]) -> list[PactFile]:
    """Every pact under `paths` (see `pact_files`), loaded; the first unreadable one raises."""
    return [load_pact(path) for path in pact_files(paths)]


def load_pact(path: Path | str) -> PactFile:
    """One pact file, V3 or V4, with its asynchronous message and HTTP interactions."""
    path = Path(path)
    text = read_file_text(path)
    try:
        document = json.loads(text)
    except RecursionError:
        raise InputFileError(path, f"nested deeper than {MAX_DEPTH} levels", hint=_HINT_PACT) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"not JSON: {exc.msg}", line=exc.lineno, hint=_HINT_PACT) from None
    check_depth(document, path)
    return parse_pact(document, path)


def parse_pact(document: Any, path: Path) -> PactFile:
    """A pact from its parsed JSON (`path` is only used in messages)."""
    if not isinstance(document, dict):
        raise InputFileError(path, f"not a pact: the document is {_kind(document)}, not an object", hint=_HINT_PACT)
    consumer, provider = _name(document, "consumer"), _name(document, "provider")
    if consumer is None or provider is None or not ({"interactions", "messages"} & document.keys()):
        missing = [key for key, value in (("consumer", consumer), ("provider", provider)) if value is None]
        if not ({"interactions", "messages"} & document.keys()):
            missing.append("interactions or messages")
        raise InputFileError(path, f"not a pact: no {', '.join(missing)}", hint=_HINT_PACT)
    specification = _specification(document, path)
    interactions: list[MessageInteraction] = []
    http: list[HttpInteraction] = []
    skipped: list[str] = []
    key = "messages" if specification == "V3" and "messages" in document else "interactions"
    raw_interactions = document.get(key) or []
    if not isinstance(raw_interactions, list):
        raise InputFileError(path, f"not a pact: {key} is {_kind(raw_interactions)}, not a list", hint=_HINT_PACT)
    for index, raw in enumerate(raw_interactions):
        where = f"{path}#/{key}/{index}"
        if not isinstance(raw, dict):
            raise InputFileError(path, f"/{key}/{index} is {_kind(raw)}, not an interaction object")
        kind = raw.get("type", _ASYNC_MESSAGE if key == "messages" else HTTP_INTERACTION)
        if kind == HTTP_INTERACTION:
            http.append(http_interaction(raw, specification, where, consumer, provider, path))
            continue
        if kind != _ASYNC_MESSAGE:
            skipped.append(f"{raw.get('description', f'#{index}')} ({kind})")
            continue
        interactions.append(_interaction(raw, specification, where, consumer, provider, path))
    return PactFile(path, consumer, provider, specification, tuple(interactions), tuple(skipped), tuple(http))


def _specification(document: dict[str, Any], path: Path) -> str:
    metadata = object_of(document.get("metadata"))
    declared = None
    for key in ("pactSpecification", "pact-specification"):
        value = metadata.get(key)
        if isinstance(value, dict) and "version" in value:
            declared = str(value["version"])
    if declared is None and isinstance(metadata.get("pactSpecificationVersion"), str):
        declared = metadata["pactSpecificationVersion"]
    if declared is None:
        # Message pacts exist from V3 on: `messages` means V3, typed interactions mean V4.
        if "messages" in document:
            return "V3"
        interactions = document.get("interactions")
        if isinstance(interactions, list) and all(isinstance(i, dict) and "type" in i for i in interactions):
            return "V4"
        declared = "unknown"
    major = declared.lstrip("vV").split(".")[0]
    if major in ("3", "4"):
        return f"V{major}"
    raise InputFileError(
        path,
        f"pact specification {declared} is not supported: tidings reads pacts of specification V3 or V4",
        hint='write the pact with pact-python 3+ and Pact(...).with_specification("V4")',
    )


def _interaction(
    raw: dict[str, Any], specification: str, where: str, consumer: str, provider: str, path: Path
) -> MessageInteraction:
    description = str(raw.get("description", ""))
    body, content_type = v4_contents(raw.get("contents"), where, path) if specification == "V4" else _v3_contents(raw)
    metadata = object_of(raw.get("metadata"))
    rules = object_of(raw.get("matchingRules"))
    return MessageInteraction(
        description=description,
        states=states_of(raw),
        body=body,
        content_type=content_type or metadata.get("contentType") or metadata.get("content-type"),
        metadata=dict(metadata),
        body_rules=rules_of(rules.get("body")),
        metadata_rules=rules_of(rules.get("metadata")),
        consumer=consumer,
        provider=provider,
        source=where,
    )


def _v3_contents(raw: dict[str, Any]) -> tuple[Any, str | None]:
    metadata = object_of(raw.get("metadata"))
    content_type = metadata.get("contentType") or metadata.get("content-type")
    contents = raw.get("contents")
    if isinstance(contents, str) and (content_type is None or "json" in str(content_type)):
        contents = json_or_none(contents)
    return contents, content_type


def _name(document: dict[str, Any], key: str) -> str | None:
    party = document.get(key)
    name = party.get("name") if isinstance(party, dict) else None
    return name if isinstance(name, str) and name else None


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", type(None): "null", bool: "a boolean", dict: "an object"}.get(
        type(value), "a number"
    )
