"""`Projector`: applies a catalogue's projections (`projections/<event type>.yaml`) to a store of resources.

A projection file is a list of rules; each names a resource, where it is, and what the event does to it:

    rules:
      - resource: sent-referral          # a resource of resources/; created from its schema on first mention
        at: {referralId: "{{ steps.event.referralId }}"}   # its path params (default: the event's detailUrl)
        as: referral                     # later rules (and this one) read it as steps.referral.FIELD
        set:                             # dotted path -> value: a template, or a literal
          serviceUserCRN: "{{ steps.event.crn }}"
          assignedTo.username: "{{ steps.event.assignedTo }}"
        append:                          # dotted path -> value added to a list (once: duplicates are no-ops)
          approvedActionPlanIds: "{{ steps.event.actionPlanId }}"
        convert: {deliusAppointmentId: integer}   # the event's text, the resource's number (also string,
                                                  # number, null-if-empty: the event's "" is the DTO's null)

Templates are the scenario language (`scenarios.templates`): the event is the step `event`, the rule's path
params are `params`, `now` is the event's occurredAt. A template naming a field the event does not carry (an
optional one) or whose value is null sets nothing; a literal `null` sets null. Fields no rule sets come from
`generate` (the schema, the seed, the path).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tidings.contracts import Catalog
from tidings.contracts.catalog.resources import ResourceContract
from tidings.simulator.projections.generate import generate, generate_at
from tidings.simulator.scenarios.generators import Generators
from tidings.simulator.scenarios.templates import (
    Expression,
    Template,
    TemplateError,
    TemplateScope,
    compile_tree,
    render_tree,
)

__all__ = ["Projector", "Rule", "Write", "deep_merge"]

_CONVERT: dict[str, Any] = {
    "integer": int,
    "string": str,
    "number": float,
    "null-if-empty": lambda value: None if value == "" else value,  # a producer's `x ?: ""` read back as `x`
}
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Write:
    """One `set:` or `append:` entry, compiled: the dotted path split once, its JSON pointer, the template."""

    parts: tuple[str, ...]
    pointer: str
    tree: Any
    convert: str | None
    append: bool
    step: tuple[str, str] | None = None
    """(step, field) when the template is exactly `{{ steps.STEP.FIELD }}`, the common case, read directly."""


@dataclass(frozen=True)
class Rule:
    """One compiled rule; `label` (`projections/x.yaml rules[2]`) is how errors name it."""

    resource: ResourceContract
    at: Any
    bind: str | None
    set: dict[str, Any]
    append: dict[str, Any]
    convert: dict[str, str]
    label: str
    writes: tuple[Write, ...] = ()
    """`set` then `append`, compiled (what `project` applies)."""
    params: tuple[str, ...] = ()
    """The resource path's placeholders."""

    @staticmethod
    def compile_writes(set_: dict[str, Any], append: dict[str, Any], convert: dict[str, str]) -> tuple[Write, ...]:
        """The writes of a rule's `set:` and `append:` maps."""
        return tuple(
            Write(
                tuple(dotted.split(".")),
                "/" + dotted.replace(".", "/"),
                tree,
                convert.get(dotted),
                appending,
                _step_field(tree),
            )
            for entries, appending in ((set_, False), (append, True))
            for dotted, tree in entries.items()
        )


def _step_field(tree: Any) -> tuple[str, str] | None:
    if isinstance(tree, Template) and len(tree.parts) == 1 and isinstance(tree.parts[0], Expression):
        expression = tree.parts[0]
        if expression.root == "steps" and len(expression.path) == 1:
            return expression.name, expression.path[0]
    return None


class Projector:
    """The catalogue's projections, compiled once. `seed` makes generated fields reproducible."""

    def __init__(self, catalog: Catalog, *, seed: int = 0) -> None:
        self.api = catalog.api
        self.seed = seed
        self._generators = Generators(seed)
        self.rules: dict[str, list[Rule]] = {}
        root = catalog.root
        for event_type, projection in self.api.projections.items():
            where = projection.source_path.relative_to(root).as_posix() if root else str(projection.source_path)
            compiled = []
            for index, raw in enumerate(projection.rules):
                resource = self.api.resources.get(str(raw.get("resource")))
                if resource is None:
                    continue  # lint reports it (BusinessApi.problems)
                set_ = {k: compile_tree(v) for k, v in (raw.get("set") or {}).items()}
                append = {k: compile_tree(v) for k, v in (raw.get("append") or {}).items()}
                convert = dict(raw.get("convert") or {})
                compiled.append(
                    Rule(
                        resource=resource,
                        at=compile_tree(raw.get("at") or {}),
                        bind=raw.get("as"),
                        set=set_,
                        append=append,
                        convert=convert,
                        label=f"{where} rules[{index}]",
                        writes=Rule.compile_writes(set_, append, convert),
                        params=tuple(resource.params),
                    )
                )
            self.rules[event_type] = compiled

    def new_resource(self, resource: ResourceContract, path: str) -> dict[str, Any]:
        """A resource no event has touched yet: every field generated from its schema."""
        return generate(self.api.bundled(resource.name), self.seed, path)

    def project(
        self,
        store: MutableMapping[str, dict[str, Any]],
        event: Mapping[str, Any],
        path: str | None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, dict[str, str]]:
        """Apply `event` to `store` (path -> resource). Returns path -> {pointer: rule label} for what changed;
        a resource the event's detailUrl names is created even when no rule mentions it. `extra` (a step's
        `state:`) is merged into that resource before the rules (so linked resources see it) and after them
        (so it overrides anything)."""
        touched: dict[str, dict[str, str]] = {}
        detail = self.api.match(path) if path else None
        if detail is not None:
            body = self._resource(store, detail[0], path or "", touched)
            if extra:
                schema = self.api.bundled(detail[0].name)
                deep_merge(body, extra, lambda parts: generate_at(schema, self.seed, path or "", parts))
                touched[path or ""].update({f"/{key}": "the scenario step's state:" for key in extra})
        rules = self.rules.get(str(event.get("eventType", "")))
        if not rules:
            return touched
        steps: dict[str, Mapping[str, Any]] = {"event": event}
        detail_params: dict[str, Any] = dict(detail[1]) if detail else {}
        scope = TemplateScope(detail_params, steps, self._generators, _when(event.get("occurredAt")))
        for rule in rules:
            try:
                at = render_tree(rule.at, scope) if rule.at else {}
            except TemplateError:
                continue
            own = detail is not None and detail[0] is rule.resource
            params = {str(k): v for k, v in at.items()} if at else (dict(detail_params) if own else {})
            if any(name not in params for name in rule.params):
                continue  # the event does not say where (lint names the rule)
            target = rule.resource.path.format_map(params)  # every placeholder is there (checked above)
            body = self._resource(store, rule.resource, target, touched)
            if rule.bind:
                steps[rule.bind] = body
            rule_scope = TemplateScope({**detail_params, **params}, steps, self._generators, scope.now)
            schema = self.api.bundled(rule.resource.name)

            def fill(parts: list[str], schema: dict[str, Any] = schema, target: str = target) -> Any:
                return generate_at(schema, self.seed, target, parts)

            origins = touched[target]
            for write in rule.writes:
                if _render(write, rule_scope, body, fill):
                    origins[write.pointer] = rule.label
        if detail is not None and extra:
            deep_merge(store[path or ""], extra)
        return touched

    def _resource(
        self, store: MutableMapping[str, dict[str, Any]], resource: ResourceContract, path: str, touched: dict[str, Any]
    ) -> dict[str, Any]:
        body = store.get(path)
        if body is None:
            body = store[path] = self.new_resource(resource, path)
        touched.setdefault(path, {})
        return body


def _when(occurred_at: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(occurred_at))
    except ValueError:
        return datetime.now(UTC)


def _render(write: Write, scope: TemplateScope, body: dict[str, Any], fill: Any) -> bool:
    tree = write.tree
    value = _MISSING
    if write.step is not None:  # what step_field does, for plain dicts, without the template machinery
        event = scope.steps.get(write.step[0])
        name = write.step[1]
        if type(event) is dict:
            information = event.get("additionalInformation")
            if type(information) is dict and name in information:
                value = information[name]
            elif name in event and (information is None or type(information) is dict):
                value = event[name]
    if value is _MISSING:
        try:
            value = render_tree(tree, scope)
        except TemplateError:
            return False  # an optional field the event does not carry: nothing to set
    if value is None and tree is not None:
        return False  # a template whose value is null (a field not known yet) leaves the generated value
    if write.convert is not None and value is not None:
        try:
            value = _CONVERT[write.convert](value)
        except (KeyError, ValueError, TypeError):
            return False
    if isinstance(value, dict | list):
        value = copy.deepcopy(value)  # a private copy; scalars need none
    (_add if write.append else _put)(body, write.parts, value, fill)
    return True


def _walk(body: dict[str, Any], parts: tuple[str, ...], fill: Any) -> tuple[Any, str]:
    """The container holding the last of `parts`; a null object on the way is generated first (`fill`), so
    setting one field of it leaves the others valid."""
    node: Any = body
    for depth in range(len(parts) - 1):
        part = parts[depth]
        if isinstance(node, list):
            node = node[int(part)]
            continue
        child = node.get(part)
        if not isinstance(child, dict | list):
            child = node[part] = fill(list(parts[: depth + 1]))
        node = child
    return node, parts[-1]


def _put(body: dict[str, Any], parts: tuple[str, ...], value: Any, fill: Any) -> None:
    if len(parts) == 1:
        body[parts[0]] = value
        return
    node, last = _walk(body, parts, fill)
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _add(body: dict[str, Any], parts: tuple[str, ...], value: Any, fill: Any) -> None:
    node, last = _walk(body, parts, fill)
    items = node.get(last)
    if not isinstance(items, list):
        items = node[last] = []
    if value not in items:
        items.append(value)


def deep_merge(
    target: dict[str, Any], extra: Mapping[str, Any], fill: Any = None, parents: tuple[str, ...] = ()
) -> None:
    """`extra` merged into `target`: nested mappings merge, anything else replaces (a private copy). With
    `fill`, a null object that a mapping merges into is generated first (so its other fields stay valid)."""
    for key, value in extra.items():
        if isinstance(value, Mapping) and fill is not None and target.get(key) is None:
            generated = fill([*parents, key])
            if isinstance(generated, dict):
                target[key] = generated
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            deep_merge(target[key], value, fill, (*parents, key))
        else:
            target[key] = copy.deepcopy(value)
