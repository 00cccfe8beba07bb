"""The messages of a whole AsyncAPI 2.6 or 3.0 document: inline, by local `$ref`, by `$ref` to a file, or by
`$ref` to a URL mapped to a local checkout with `--ref-base URL=DIR` (nothing is fetched)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidings.contracts.asyncapi.messages import Refused

__all__ = ["DocMessage", "document_messages", "document_producer", "document_topic"]


@dataclass
class DocMessage:
    """One message of a document: inline (`file` is None), or the file a `$ref` points at."""

    key: str
    pointer: str
    line: int | None
    message: Any = None
    file: Path | None = None


def document_producer(doc: dict[str, Any], path: Path) -> str:
    """`info.x-tidings-producer`, else the slug of `info.title`, else the file's name."""
    info: dict[str, Any] = doc["info"] if isinstance(doc.get("info"), dict) else {}
    named = info.get("x-tidings-producer")
    if isinstance(named, str) and named:
        return named
    title = info.get("title")
    slug = re.sub(r"[^a-z0-9]+", "-", str(title or path.stem).lower()).strip("-")
    return slug or path.stem


def document_topic(doc: dict[str, Any]) -> str | None:
    """The SNS topic: a channel's `bindings.sns.name`, else its `address` (3.0) or key (2.x)."""
    for key, channel in (doc.get("channels") or {}).items():
        if not isinstance(channel, dict):
            continue
        sns = (channel.get("bindings") or {}).get("sns") if isinstance(channel.get("bindings"), dict) else None
        if isinstance(sns, dict) and isinstance(sns.get("name"), str):
            return str(sns["name"])
        if isinstance(channel.get("address"), str):
            return str(channel["address"])
        if not str(doc.get("asyncapi", "")).startswith("3"):
            return str(key)
    return None


def document_messages(
    doc: dict[str, Any], lines: dict[str, int], path: Path, ref_bases: dict[str, Path]
) -> Iterator[DocMessage | Refused]:
    """Each message of `doc` once (a message listed by several channels or operations is one message)."""
    seen: set[str] = set()
    for pointer, value in _message_slots(doc):
        resolved = _resolve(doc, value, pointer, lines, path, ref_bases, depth=0)
        if isinstance(resolved, DocMessage):
            identity = str(resolved.file) if resolved.file else resolved.pointer
            if identity in seen:
                continue
            seen.add(identity)
        yield resolved


def _message_slots(doc: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    channels: dict[str, Any] = doc["channels"] if isinstance(doc.get("channels"), dict) else {}
    if str(doc.get("asyncapi", "")).startswith("3"):
        for name, channel in channels.items():
            messages = channel.get("messages") if isinstance(channel, dict) else None
            for key, message in (messages or {}).items():
                yield f"/channels/{name}/messages/{key}", message
    else:
        for name, channel in channels.items():
            for action in ("publish", "subscribe"):
                operation = channel.get(action) if isinstance(channel, dict) else None
                message = operation.get("message") if isinstance(operation, dict) else None
                if isinstance(message, dict) and isinstance(message.get("oneOf"), list):
                    for index, one in enumerate(message["oneOf"]):
                        yield f"/channels/{name}/{action}/message/oneOf/{index}", one
                elif message is not None:
                    yield f"/channels/{name}/{action}/message", message
    components = (doc.get("components") or {}).get("messages") if isinstance(doc.get("components"), dict) else None
    for key, message in (components or {}).items():
        yield f"/components/messages/{key}", message


def _resolve(
    doc: dict[str, Any],
    value: Any,
    pointer: str,
    lines: dict[str, int],
    path: Path,
    ref_bases: dict[str, Path],
    depth: int,
) -> DocMessage | Refused:
    line = lines.get(pointer)
    key = pointer.rsplit("/", 1)[-1]
    if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
        return DocMessage(key, pointer, line, message=value)
    ref = value["$ref"]
    if ref.startswith("#/"):
        if depth > 8:
            return Refused(line, f"$ref {ref!r}: a cycle of references")
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return Refused(line, f"$ref {ref!r} points at nothing in this document")
            target = target[part]
        return _resolve(doc, target, ref[1:], lines, path, ref_bases, depth + 1)
    if re.match(r"^[a-z][a-z0-9+.-]*://", ref):
        for prefix, folder in sorted(ref_bases.items(), key=lambda item: -len(item[0])):
            if ref.startswith(prefix):
                local = folder / ref[len(prefix) :].lstrip("/").split("#")[0]
                break
        else:
            return Refused(line, f"$ref {ref} is a URL and nothing is fetched: map it with --ref-base URL=DIR")
    else:
        local = path.parent / ref.split("#")[0]
    if not local.is_file():
        return Refused(line, f"$ref {ref} → {local}: no such file")
    return DocMessage(key, pointer, line, file=local.resolve())
