"""`tidings asyncapi import`: registry message specs, the envelope schema and AsyncAPI documents → one tidings
catalogue per producer. Never stops at the first bad file: every file gets a line in the `ImportReport`.

Producer: the registry folder (`spec/schemas/<producer>/…`, `spec/auto/<prefix>/…`, `_` read as `-`), else the
document (`info.x-tidings-producer` or its title), else the event type's first segment. Two files for one event
type are a conflict: `spec/schemas` wins over documents and loose files, which win over `spec/auto`; between
equals the first path wins. Both paths are reported.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tidings.contracts.asyncapi.documents import DocMessage, document_messages, document_producer, document_topic
from tidings.contracts.asyncapi.messages import ENVELOPE_REF, ImportedEvent, Refused, message_event
from tidings.contracts.asyncapi.normalise import Note
from tidings.contracts.asyncapi.report import FileReport, ImportReport
from tidings.contracts.asyncapi.writer import DEFAULT_TOPIC, write_registry
from tidings.contracts.asyncapi.yaml_lines import YamlSyntaxError, load_with_lines
from tidings.contracts.catalog.safe_read import read_file_bytes
from tidings.contracts.errors import UsageError

__all__ = ["MINIMAL_ENVELOPE", "import_paths"]

MINIMAL_ENVELOPE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"eventType": {"type": "string"}, "version": {"type": "integer"}},
    "required": ["eventType", "version"],
}
"""The envelope written when the inputs hold none (no `schema/hmpps-domain-event.json`)."""

_RANK = {"schemas": 0, "document": 1, "file": 1, "auto": 2}
_ENVELOPE_URI = "urn:tidings:import:envelope"
_SPEC_SUFFIXES = (".yml", ".yaml", ".json")


def import_paths(
    paths: list[Path], into: Path, *, ref_bases: dict[str, Path] | None = None, force: bool = False
) -> ImportReport:
    """Import every file under `paths` and write the catalogues into `into`."""
    files = _files(paths)
    envelope, envelope_notes, envelope_path = _envelope(files)
    run = _Import(envelope, {f.resolve() for f in files if f.suffix in (".yml", ".yaml")}, ref_bases or {})
    if envelope_path is not None:
        run.reports[envelope_path] = FileReport(
            envelope_path, "normalised" if envelope_notes else "imported", ["(envelope)"], notes=envelope_notes
        )
    topic: str | None = None
    for path in files:
        if str(path) == envelope_path or (path.suffix == ".json" and _is_envelope_file(path)):
            continue
        topic = run.read_file(path) or topic
    kept = _resolve_conflicts(run.events, run.reports)
    _check_examples(kept, envelope, run.reports)
    report = ImportReport(files=list(run.reports.values()), into=str(into))
    report.producers = write_registry(kept, envelope, into, topic=topic or DEFAULT_TOPIC, force=force)
    return report


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(_spec_files(path))
        else:
            if os.path.lexists(path):
                read_file_bytes(path)  # a FIFO, device, socket or link loop: the safe reader names which
            raise UsageError(f"{path}: no such file or directory", hint="give registry checkouts, folders or files")
    return found


def _spec_files(folder: Path) -> list[Path]:
    """The regular YAML and JSON files under `folder`, not in hidden folders, `script/` or `node_modules/`.
    Walked with os.scandir, whose entries know files from folders without a stat each (rglob + is_file took
    a tenth of an import); a FIFO or a broken link is not a file here either."""
    found: list[Path] = []
    pending = [str(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):  # as rglob: never into a linked folder (loops)
                    if entry.name not in ("script", "node_modules"):
                        pending.append(entry.path)
                elif entry.name.endswith(_SPEC_SUFFIXES) and entry.is_file():
                    found.append(Path(entry.path))
    return found


def _is_envelope_file(path: Path) -> bool:
    return path.name == "hmpps-domain-event.json" or (path.parent.name == "schema" and path.suffix == ".json")


def _envelope(files: list[Path]) -> tuple[dict[str, Any], list[Note], str | None]:
    for path in files:
        if path.suffix == ".json" and _is_envelope_file(path):
            data = json.loads(path.read_text(encoding="utf-8"))
            notes = []
            if data.get("$schema") != MINIMAL_ENVELOPE["$schema"]:
                notes.append(Note(2, f"$schema {data.get('$schema')!r} pinned to draft 2020-12 (the file uses $defs)"))
                data["$schema"] = MINIMAL_ENVELOPE["$schema"]
            return data, notes, str(path)
    return dict(MINIMAL_ENVELOPE), [], None


def _area(path: Path) -> tuple[str, str | None]:
    """`(area, producer folder)` from where a file sits in a registry checkout."""
    parts = path.parts
    for index in range(len(parts) - 2):
        if parts[index] == "spec" and parts[index + 1] in ("schemas", "auto", "override"):
            return parts[index + 1], parts[index + 2].replace("_", "-") if index + 3 < len(parts) else None
    return "file", None


@dataclass
class _Import:
    """What one import gathers as it reads files: the envelope events are put on, the files read as files of
    their own (a document's `$ref` to one of them is not read twice), where `$ref` URLs live locally, the
    events found and a report per file."""

    envelope: dict[str, Any]
    direct: set[Path]
    ref_bases: dict[str, Path]
    events: list[ImportedEvent] = field(default_factory=list)
    reports: dict[str, FileReport] = field(default_factory=dict)

    def read_file(self, path: Path) -> str | None:
        """Read one file of the import; returns the topic an AsyncAPI document names."""
        name = str(path)
        area, folder = _area(path)
        try:
            data, lines = load_with_lines(path.read_text(encoding="utf-8"))
        except (YamlSyntaxError, UnicodeDecodeError, OSError) as exc:
            note = Note(getattr(exc, "line", None), f"not readable YAML: {exc}")
            self.reports[name] = FileReport(name, "refused", notes=[note])
            return None
        if area == "override":
            note = Note(1, "an override (the registry's generator merges it into the spec/auto file), not a message")
            self.reports[name] = FileReport(name, "skipped", notes=[note])
            return None
        if isinstance(data, dict) and "asyncapi" in data:
            return self.read_document(path, data, lines)
        if not isinstance(data, dict) or not ("payload" in data or "name" in data):
            note = Note(1, "neither a message spec nor an AsyncAPI document")
            self.reports[name] = FileReport(name, "skipped", notes=[note])
            return None
        self.add(name, data, lines, "", area, folder)
        return None

    def add(self, name: str, message: Any, lines: dict[str, int], base: str, area: str, producer: str | None) -> None:
        """The event of `message` (at `base` in file `name`), or the file's refusal, into the import."""
        try:
            event = message_event(
                message, lines, base, source=name, producer=producer or "", area=area, envelope=self.envelope
            )
        except Refused as refused:
            self.reports[name] = FileReport(name, "refused", notes=[Note(refused.line, refused.text)])
            return
        if not event.producer:
            event.producer = event.event_type.split(".")[0]
        self.events.append(event)
        status = "normalised" if event.notes else "imported"
        report = self.reports.setdefault(name, FileReport(name, status, producer=event.producer))
        report.event_types.append(f"{event.event_type} v{event.version}")
        report.notes += event.notes
        if event.notes and report.status == "imported":
            report.status = "normalised"

    def read_document(self, path: Path, doc: dict[str, Any], lines: dict[str, int]) -> str | None:
        """An AsyncAPI document's messages, inline or by `$ref`; returns the topic it names."""
        name = str(path)
        version = str(doc.get("asyncapi"))
        doc_report = self.reports[name] = FileReport(name, "imported", producer=document_producer(doc, path))
        if not (version.startswith("2.") or version.startswith("3.")):
            doc_report.status = "refused"
            doc_report.notes.append(Note(lines.get("/asyncapi"), f"AsyncAPI {version}: only 2.x and 3.0 documents"))
            return None
        for item in document_messages(doc, lines, path, self.ref_bases):
            if isinstance(item, Refused):
                doc_report.notes.append(Note(item.line, f"refused: {item.text}"))
                continue
            assert isinstance(item, DocMessage)
            if item.file is None:
                self.add(name, item.message, lines, item.pointer, "document", doc_report.producer)
            elif item.file in self.direct:
                doc_report.notes.append(
                    Note(item.line, f"{item.key}: {item.file.name} is imported as a file of its own")
                )
            else:
                area, folder = _area(item.file)
                self.read_referenced(item.file, area, folder or doc_report.producer)
                self.direct.add(item.file)
        if doc_report.notes and doc_report.status == "imported":
            doc_report.status = "normalised"
        return document_topic(doc)

    def read_referenced(self, path: Path, area: str, producer: str | None) -> None:
        """A message file a document `$ref`s (and that was not given to the import itself)."""
        try:
            data, lines = load_with_lines(path.read_text(encoding="utf-8"))
        except (YamlSyntaxError, UnicodeDecodeError, OSError) as exc:
            self.reports[str(path)] = FileReport(
                str(path), "refused", notes=[Note(getattr(exc, "line", None), str(exc))]
            )
            return
        self.add(str(path), data, lines, "", "document" if area == "file" else area, producer)


def _resolve_conflicts(events: list[ImportedEvent], reports: dict[str, FileReport]) -> list[ImportedEvent]:
    by_type: dict[str, list[ImportedEvent]] = {}
    for event in events:
        by_type.setdefault(event.event_type, []).append(event)
    kept: list[ImportedEvent] = []
    for event_type, group in by_type.items():
        winner = min(group, key=lambda e: (_RANK.get(e.area, 1), e.source))
        kept += [e for e in group if e.source == winner.source]
        for loser in (e for e in group if e.source != winner.source):
            if _RANK.get(loser.area, 1) > _RANK.get(winner.area, 1):
                why = (
                    f"spec/{winner.area} wins over spec/{loser.area}"
                    if loser.area == "auto"
                    else (f"{winner.area} wins over {loser.area}")
                )
            else:
                why = "both rank the same, the first path wins: merge them by hand"
            text = f"{event_type}: also in {winner.source} and {loser.source}; kept {winner.source} ({why})"
            report = reports[loser.source]
            report.notes.append(Note(None, "conflict: " + text))
            if all(t.startswith(event_type + " ") for t in report.event_types):
                report.status = "conflict"
            reports[winner.source].notes.append(Note(None, "conflict: " + text))
    return kept


def _check_examples(events: list[ImportedEvent], envelope: dict[str, Any], reports: dict[str, FileReport]) -> None:
    registry: Registry[Any] = Registry().with_resource(
        _ENVELOPE_URI, Resource.from_contents(envelope, default_specification=DRAFT202012)
    )
    for event in events:
        schema = dict(event.schema)
        if schema.get("$ref") == ENVELOPE_REF:
            schema["$ref"] = _ENVELOPE_URI
        report = reports[event.source]
        # No check_schema here (it costs 3x the whole import): a schema jsonschema cannot use fails below, and
        # `tidings contracts lint` checks every schema against its metaschema.
        validator = Draft202012Validator(schema, registry=registry)
        valid = []
        for example in event.examples:
            try:
                errors = sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path))
            except Exception as exc:  # jsonschema raises several types for a schema it cannot use
                report.notes.append(Note(None, f"{event.event_type}: the schema is not usable JSON Schema: {exc}"))
                break
            if not errors:
                valid.append(example)
                continue
            first = errors[0]
            where = "/" + "/".join(map(str, first.absolute_path))
            report.notes.append(
                Note(
                    None,
                    f"{event.event_type}: example not kept, it breaks the file's own schema at "
                    f"{where}: {first.message} (the registry's type and example disagree)",
                )
            )
            if report.status == "imported":
                report.status = "normalised"
        event.examples = valid
