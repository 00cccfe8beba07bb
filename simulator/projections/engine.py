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
        convert: {deliusAppointmentId: integer}   # the event's text, the resource's number

Templates are the scenario language (`scenarios.templates`): the event is the step `event`, the rule's path
params are `params`, `now` is the event's occurredAt. A template naming a field the event does not carry (an
optional one) or whose value is null sets nothing; a literal `null` sets null. Fields no rule sets come from
`generate` (the schema, the seed, the path).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tidings.contracts import Catalog
from tidings.contracts.catalog.resources import ResourceContract
from tidings.simulator.projections.generate import generate, generate_at
from tidings.simulator.scenarios.generators import Generators
from tidings.simulator.scenarios.templates import TemplateError, TemplateScope, compile_tree, render_tree

__all__ = ["Projector", "Rule", "deep_merge"]

_CONVERT = {"integer": int, "string": str, "number": float}


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
                compiled.append(
                    Rule(
                        resource=resource,
                        at=compile_tree(raw.get("at") or {}),
                        bind=raw.get("as"),
                        set={k: compile_tree(v) for k, v in (raw.get("set") or {}).items()},
                        append={k: compile_tree(v) for k, v in (raw.get("append") or {}).items()},
                        convert=dict(raw.get("convert") or {}),
                        label=f"{where} rules[{index}]",
                    )
                )
            self.rules[event_type] = compiled

    def new_resource(self, resource: ResourceContract, path: str) -> dict[str, Any]:
        """A resource no event has touched yet: every field generated from its schema."""
        return generate(self.api.bundled(resource.name), self.seed, path)

    def project(
        self,
        store: dict[str, dict[str, Any]],
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
            if any(name not in params for name in rule.resource.params):
                continue  # the event does not say where (lint names the rule)
            target = rule.resource.render(params)
            body = self._resource(store, rule.resource, target, touched)
            if rule.bind:
                steps[rule.bind] = body
            rule_scope = TemplateScope({**detail_params, **params}, steps, self._generators, scope.now)
            schema = self.api.bundled(rule.resource.name)

            def fill(parts: list[str], schema: dict[str, Any] = schema, target: str = target) -> Any:
                return generate_at(schema, self.seed, target, parts)

            origins = touched[target]
            for dotted, tree in rule.set.items():
                if _render(tree, rule_scope, rule.convert.get(dotted), body, dotted, fill, append=False):
                    origins["/" + dotted.replace(".", "/")] = rule.label
            for dotted, tree in rule.append.items():
                if _render(tree, rule_scope, rule.convert.get(dotted), body, dotted, fill, append=True):
                    origins["/" + dotted.replace(".", "/")] = rule.label
        if detail is not None and extra:
            deep_merge(store[path or ""], extra)
        return touched

    def _resource(
        self, store: dict[str, dict[str, Any]], resource: ResourceContract, path: str, touched: dict[str, Any]
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


def _render(
    tree: Any, scope: TemplateScope, convert: str | None, body: dict[str, Any], dotted: str, fill: Any, *, append: bool
) -> bool:
    try:
        value = render_tree(tree, scope)
    except TemplateError:
        return False  # an optional field the event does not carry: nothing to set
    if value is None and tree is not None:
        return False  # a template whose value is null (a field not known yet) leaves the generated value
    if convert is not None and value is not None:
        try:
            value = _CONVERT[convert](value)
        except (KeyError, ValueError, TypeError):
            return False
    if isinstance(value, dict | list):
        value = copy.deepcopy(value)  # a private copy; scalars need none
    (_add if append else _put)(body, dotted, value, fill)
    return True


def _walk(body: dict[str, Any], dotted: str, fill: Any) -> tuple[Any, str]:
    """The container holding the last part of `dotted`; a null object on the way is generated first (`fill`),
    so setting one field of it leaves the others valid."""
    *parents, last = dotted.split(".")
    node: Any = body
    for depth, part in enumerate(parents):
        if isinstance(node, list):
            node = node[int(part)]
            continue
        child = node.get(part)
        if not isinstance(child, dict | list):
            child = node[part] = fill(parents[: depth + 1])
        node = child
    return node, last


def _put(body: dict[str, Any], dotted: str, value: Any, fill: Any) -> None:
    node, last = _walk(body, dotted, fill)
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _add(body: dict[str, Any], dotted: str, value: Any, fill: Any) -> None:
    node, last = _walk(body, dotted, fill)
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
