"""Field-by-field differences between two versions of a schema, and which readers each one can break.

Directions, as the compatibility check names them:

- `forward`: data written with the NEW schema must be accepted by readers of the OLD one (producers publish,
  consumers built on the old contract read). A change that lets the new schema accept something the old one
  rejects (a widening) breaks forward.
- `backward`: data written with the OLD schema must be accepted by the NEW one (a consumer upgraded to the new
  contract reading events already published). A narrowing breaks backward.

A change that is neither a plain widening nor a plain narrowing (a type changed to another) breaks both.
The pact layer can reuse `diff_schemas` to ask which fields a consumer relies on have changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tidings.contracts.catalog.fields import Field, schema_fields

__all__ = ["BACKWARD", "FORWARD", "FieldChange", "diff_fields", "diff_schemas"]

FORWARD = "forward"
BACKWARD = "backward"
_BOTH = frozenset({FORWARD, BACKWARD})
_NARROWS = frozenset({BACKWARD})
_WIDENS = frozenset({FORWARD})


@dataclass(frozen=True)
class FieldChange:
    """One difference at one pointer; `breaks` says which directions it can break."""

    pointer: str
    change: str
    """What changed, for people: `type string → number`, `now required`, `added (optional)`."""
    breaks: frozenset[str]

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.change}"

    def breaks_in(self, mode: str) -> bool:
        """Whether this change can break compatibility `mode` (`forward`, `backward` or `full`)."""
        return bool(self.breaks) if mode == "full" else mode in self.breaks


def diff_schemas(old_bundled: dict[str, Any], new_bundled: dict[str, Any]) -> list[FieldChange]:
    """The changes from one bundled schema to another, by pointer."""
    return diff_fields(schema_fields(old_bundled), schema_fields(new_bundled))


def diff_fields(old: dict[str, Field], new: dict[str, Field]) -> list[FieldChange]:
    """The changes between two field maps (see `tidings.contracts.catalog.fields.schema_fields`)."""
    changes: list[FieldChange] = []
    for pointer in [*old, *(p for p in new if p not in old)]:
        before, after = old.get(pointer), new.get(pointer)
        if before is None and after is not None:
            changes.append(_added(pointer, after, old))
        elif after is None and before is not None:
            changes.append(_removed(pointer, before, new))
        elif before is not None and after is not None:
            changes += _changed(pointer, before, after)
    return changes


def _parent_is_open(pointer: str, fields: dict[str, Field]) -> bool:
    parent = fields.get(pointer.rsplit("/", 1)[0])  # the document itself is pointer ""
    return parent is None or parent.constraints.get("additionalProperties", True) is not False


def _added(pointer: str, field: Field, old: dict[str, Field]) -> FieldChange:
    label = "added (required)" if field.required else "added (optional)"
    if _parent_is_open(pointer, old):
        # Old schemas let any value through here; the new one constrains it (and may demand it).
        return FieldChange(pointer, label, _NARROWS)
    return FieldChange(pointer, label, _WIDENS | (_NARROWS if field.required else frozenset()))


def _removed(pointer: str, field: Field, new: dict[str, Field]) -> FieldChange:
    label = "removed (was required)" if field.required else "removed (was optional)"
    if _parent_is_open(pointer, new):
        return FieldChange(pointer, label, _WIDENS)
    return FieldChange(pointer, label, _NARROWS | (_WIDENS if field.required else frozenset()))


def _changed(pointer: str, before: Field, after: Field) -> list[FieldChange]:
    changes: list[FieldChange] = []
    if set(before.types) != set(after.types):
        changes.append(
            FieldChange(
                pointer, f"type {before.type_text} → {after.type_text}", _type_change(before.types, after.types)
            )
        )
    if before.required != after.required:
        changes.append(
            FieldChange(pointer, "now required", _NARROWS)
            if after.required
            else FieldChange(pointer, "no longer required", _WIDENS)
        )
    keys = [*before.constraints, *(k for k in after.constraints if k not in before.constraints)]
    for key in keys:
        change = _constraint_change(
            pointer, key, before.constraints.get(key, _ABSENT), after.constraints.get(key, _ABSENT)
        )
        if change is not None:
            changes.append(change)
    return changes


def _type_change(before: tuple[str, ...], after: tuple[str, ...]) -> frozenset[str]:
    old, new = _expand(before), _expand(after)
    if old is None and new is None:
        return frozenset()
    if old is None:
        return _NARROWS  # any → something
    if new is None:
        return _WIDENS
    if new < old:
        return _NARROWS
    if new > old:
        return _WIDENS
    return _BOTH


def _expand(types: tuple[str, ...]) -> set[str] | None:
    """The types as a set, `number` including `integer`; `None` stands for any type."""
    if not types:
        return None
    expanded = set(types)
    if "number" in expanded:
        expanded.add("integer")
    return expanded


class _Absent:
    def __repr__(self) -> str:
        return "(none)"


_ABSENT: Any = _Absent()

_LOWER_BOUNDS = {"minLength", "minimum", "exclusiveMinimum", "minItems"}
_UPPER_BOUNDS = {"maxLength", "maximum", "exclusiveMaximum", "maxItems"}


def _constraint_change(pointer: str, key: str, before: Any, after: Any) -> FieldChange | None:
    if before == after and type(before) is type(after):
        return None
    text = f"{key} {_show(before)} → {_show(after)}"
    if before is _ABSENT:
        return FieldChange(pointer, text, _NARROWS if key != "additionalProperties" or after is False else frozenset())
    if after is _ABSENT:
        return FieldChange(pointer, text, _WIDENS if key != "additionalProperties" or before is False else frozenset())
    if key == "enum" and isinstance(before, list) and isinstance(after, list):
        dropped = [value for value in before if value not in after]
        added = [value for value in after if value not in before]
        parts = []
        if dropped:
            parts.append("dropped " + ", ".join(_show(value) for value in dropped))
        if added:
            parts.append("added " + ", ".join(_show(value) for value in added))
        breaks = (_NARROWS if dropped else frozenset()) | (_WIDENS if added else frozenset())
        kind = "narrowed" if dropped and not added else "widened" if added and not dropped else "changed"
        return FieldChange(pointer, f"enum {kind}: {'; '.join(parts)}", breaks)
    if key in _LOWER_BOUNDS and _numbers(before, after):
        return FieldChange(pointer, text, _NARROWS if after > before else _WIDENS)
    if key in _UPPER_BOUNDS and _numbers(before, after):
        return FieldChange(pointer, text, _NARROWS if after < before else _WIDENS)
    if key == "additionalProperties":
        return FieldChange(pointer, text, _NARROWS if after is False else _WIDENS if before is False else _BOTH)
    return FieldChange(pointer, text, _BOTH)


def _numbers(*values: Any) -> bool:
    return all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values)


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
