"""The scenario template language: `{{ expression }}` inside YAML strings. Deliberately tiny, and no eval.

Expressions:
    params.NAME                 a scenario parameter
    steps.NAME.FIELD[.MORE]     a field of an earlier step's published event: additionalInformation first
                                (`steps.sent.referralId`), then top level (`steps.sent.occurredAt`); `crn` is the
                                person's CRN
    faker.CALL(ARGS)            a whitelisted, seeded generator (see scenarios.generators.FAKER_CALLS)
    index / number              the repeat iteration, from 0 / from 1
    now                         the simulated time of the event, ISO-8601 with offset

A string that is exactly one `{{ … }}` keeps the value's type (`"{{ params.count }}"` is an int); a string
mixing text and templates is a string.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tidings.contracts.errors import UsageError, closest
from tidings.simulator.scenarios.generators import FAKER_CALLS, Generators

__all__ = [
    "Expression",
    "Template",
    "TemplateError",
    "TemplateScope",
    "compile_tree",
    "compiled_mapping",
    "compiled_sequence",
    "iter_templates",
    "render_tree",
    "step_field",
]

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_LOOKUP = re.compile(rf"^(params|steps)\.({_NAME})((?:\.(?:{_NAME}|[0-9]+))*)$")
_CALL = re.compile(r"^faker\.(\w+)\((.*)\)$", re.DOTALL)
_BARE = {"index", "number", "now"}


class TemplateError(UsageError):
    """A template that cannot be parsed or evaluated. The scenario loader adds file:line and the step."""


@dataclass(slots=True)
class TemplateScope:
    """What templates can see while one event is resolved."""

    params: Mapping[str, Any]
    steps: Mapping[str, Mapping[str, Any]]
    generators: Generators
    now: datetime
    index: int | None = None


@dataclass(frozen=True, slots=True)
class Expression:
    """One parsed `{{ … }}`: `root` is params, steps, faker, index, number or now; `name` the param, step or call."""

    source: str
    root: str
    name: str = ""
    path: tuple[str, ...] = ()
    args: tuple[Any, ...] = ()

    def evaluate(self, scope: TemplateScope) -> Any:
        """The expression's value in `scope`."""
        if self.root == "params":
            if self.name not in scope.params:
                raise TemplateError(f"{{{{ {self.source} }}}}: no parameter {self.name!r}")
            return _descend(scope.params[self.name], self.path, self.source)
        if self.root == "steps":
            event = scope.steps.get(self.name)
            if event is None:
                raise TemplateError(
                    f"{{{{ {self.source} }}}}: step {self.name!r} has not been played yet",
                    hint="a template can only refer to a step above it (`as: NAME`)",
                )
            return step_field(event, self.path, self.source)
        if self.root == "faker":
            return scope.generators.call(self.name, self.args)
        if self.root == "now":
            return scope.now.isoformat()
        if scope.index is None:
            raise TemplateError(f"{{{{ {self.source} }}}} is only defined in a step with `repeat:`")
        return scope.index if self.root == "index" else scope.index + 1


@dataclass(frozen=True, slots=True)
class Template:
    """A string holding one or more `{{ … }}`, split into literal text and expressions."""

    source: str
    parts: tuple[str | Expression, ...]
    expressions: tuple[Expression, ...] = field(default=())

    def render(self, scope: TemplateScope) -> Any:
        """The rendered value: the expression's own value when the string is exactly one template."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Expression):
            return self.parts[0].evaluate(scope)
        return "".join(part if isinstance(part, str) else _as_text(part.evaluate(scope)) for part in self.parts)


class _Dynamic(dict[str, Any]):
    """A compiled mapping with templates somewhere inside (a plain dict or list in a compiled tree has none)."""


class _DynamicList(list[Any]):
    """A compiled sequence with templates somewhere inside."""


def compile_tree(value: Any) -> Any:
    """`value` (from YAML) with every string that holds `{{ … }}` replaced by a Template. Raises TemplateError.

    Containers that hold no template come back as they are, and rendering returns them without copying: the
    callers (Catalog.example, FakeApiState) copy what they keep, and this saves most of the work per event."""
    if isinstance(value, str):
        return _compile_string(value) if "{{" in value or "}}" in value else value
    if isinstance(value, Mapping):
        return compiled_mapping({key: compile_tree(item) for key, item in value.items()})
    if isinstance(value, list):
        return compiled_sequence([compile_tree(item) for item in value])
    return value


def compiled_mapping(items: dict[str, Any]) -> dict[str, Any]:
    """A mapping of already compiled values, marked for rendering if any holds a template."""
    return _Dynamic(items) if any(_is_dynamic(item) for item in items.values()) else items


def compiled_sequence(elements: list[Any]) -> list[Any]:
    """A sequence of already compiled values, marked for rendering if any holds a template."""
    return _DynamicList(elements) if any(_is_dynamic(item) for item in elements) else elements


def _is_dynamic(value: Any) -> bool:
    return isinstance(value, Template | _Dynamic | _DynamicList)


def render_tree(tree: Any, scope: TemplateScope) -> Any:
    """The compiled tree with every Template rendered (containers holding templates are fresh copies; the
    others are shared, so callers must not mutate the result)."""
    kind = type(tree)
    if kind is Template:
        return tree.render(scope)
    if kind is _Dynamic:
        return {key: render_tree(item, scope) for key, item in tree.items()}
    if kind is _DynamicList:
        return [render_tree(item, scope) for item in tree]
    return tree


def iter_templates(tree: Any) -> Iterator[Template]:
    """Every Template in a compiled tree, for static checks (unknown params, steps not yet defined)."""
    if isinstance(tree, Template):
        yield tree
    elif isinstance(tree, _Dynamic):
        for item in tree.values():
            yield from iter_templates(item)
    elif isinstance(tree, _DynamicList):
        for item in tree:
            yield from iter_templates(item)


def step_field(event: Mapping[str, Any], path: tuple[str, ...], source: str = "") -> Any:
    """`steps.NAME.FIELD…` on a published event: additionalInformation, then top level; `crn` the person's CRN."""
    if not path:
        raise TemplateError(
            f"{{{{ {source} }}}}: name a field of the step's event", hint="e.g. {{ steps.sent.referralId }}"
        )
    first, rest = path[0], path[1:]
    extra = event.get("additionalInformation")
    if isinstance(extra, Mapping) and first in extra:
        return _descend(extra[first], rest, source)
    if first in event:
        return _descend(event[first], rest, source)
    if first == "crn":
        for identifier in event.get("personReference", {}).get("identifiers", []):
            if identifier.get("type") == "CRN":
                return _descend(identifier.get("value"), rest, source)
    known = sorted({*(extra or {}), *event, "crn"})
    raise TemplateError(
        f"{{{{ {source} }}}}: the step's {event.get('eventType', 'event')} has no field {first!r}",
        hint=f"fields: {', '.join(known)}",
    )


def _descend(value: Any, path: tuple[str, ...], source: str) -> Any:
    for key in path:
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]  # a list element: steps.assessment.appointments.0.id
            continue
        if not isinstance(value, Mapping) or key not in value:
            raise TemplateError(f"{{{{ {source} }}}}: no field {key!r} there")
        value = value[key]
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _compile_string(text: str) -> str | Template:
    parts: list[str | Expression] = []
    position = 0
    for match in _TEMPLATE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(_parse_expression(match.group(1).strip()))
        position = match.end()
    tail = text[position:]
    if "{{" in tail or "}}" in tail.replace("}}}", ""):
        raise TemplateError(f"unbalanced braces in {text!r}", hint="write templates as {{ params.crn }}")
    if tail:
        parts.append(tail)
    expressions = tuple(part for part in parts if isinstance(part, Expression))
    return Template(text, tuple(parts), expressions) if expressions else text


def _parse_expression(source: str) -> Expression:
    if source in _BARE:
        return Expression(source, source)
    lookup = _LOOKUP.match(source)
    if lookup:
        root, name, rest = lookup.groups()
        path = tuple(rest.split(".")[1:]) if rest else ()
        return Expression(source, root, name, path)
    call = _CALL.match(source)
    if call:
        name, raw_args = call.group(1), call.group(2).strip()
        if name not in FAKER_CALLS:
            suggestions = closest(name, FAKER_CALLS)
            raise TemplateError(
                f"{{{{ {source} }}}}: faker.{name}() is not one of the allowed generators",
                hint=f"did you mean {', '.join(f'faker.{s}()' for s in suggestions)}?"
                if suggestions
                else f"allowed: {', '.join(f'faker.{s}()' for s in FAKER_CALLS)}",
            )
        args = _parse_args(raw_args, source)
        fewest, most, what = FAKER_CALLS[name]
        if not fewest <= len(args) <= most:
            raise TemplateError(
                f"{{{{ {source} }}}}: faker.{name}() takes {fewest}-{most} arguments, not {len(args)}",
                hint=f"faker.{name}() makes {what}",
            )
        if name == "random_int":
            _check_int_range(args, source)
        return Expression(source, "faker", name, (), args)
    raise TemplateError(
        f"cannot understand {{{{ {source} }}}}",
        hint="templates are params.NAME, steps.NAME.FIELD, faker.CALL(), index, number or now",
    )


def _parse_args(raw: str, source: str) -> tuple[Any, ...]:
    if not raw:
        return ()
    try:
        # literal_eval evaluates literals only (no names, no calls): safe for untrusted scenario files.
        args = ast.literal_eval(f"({raw},)")
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        raise TemplateError(
            f"{{{{ {source} }}}}: arguments must be numbers or quoted strings", hint="e.g. faker.random_int(1, 10)"
        ) from None
    if not all(isinstance(arg, int | str) and not isinstance(arg, bool) for arg in args):
        raise TemplateError(f"{{{{ {source} }}}}: arguments must be numbers or quoted strings")
    return tuple(args)


_INT_LIMIT = 10**18


def _check_int_range(args: tuple[Any, ...], source: str) -> None:
    """faker.random_int(min, max): whole numbers, min <= max, within +-10^18 (checked when the file loads)."""
    low = args[0] if args else 0  # Faker's defaults: min 0, max 9999
    high = args[1] if len(args) > 1 else 9999
    hint = "faker.random_int(MIN, MAX) with whole numbers, MIN <= MAX, e.g. faker.random_int(1, 10)"
    if not all(isinstance(value, int) for value in (low, high)):
        raise TemplateError(f"{{{{ {source} }}}}: faker.random_int() takes whole numbers", hint=hint)
    if not -_INT_LIMIT <= low <= high <= _INT_LIMIT:
        raise TemplateError(
            f"{{{{ {source} }}}}: faker.random_int({low}, {high}) is not a range from -10^18 to 10^18, low first",
            hint=hint,
        )
