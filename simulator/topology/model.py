"""Topology as code: the topics, queues (with their dead-letter queues) and subscriptions a test needs, read from
YAML (`fixtures/topology.yaml` is the default) and checked before anything touches an engine.

    topics:
      - name: hmpps-domain-events
    queues:
      - name: intervention-events
        visibility_timeout: 30
        dead_letter: {queue: intervention-events-dlq, max_receive_count: 3}
    subscriptions:
      - topic: hmpps-domain-events
        queue: intervention-events
        raw_delivery: false
        filter_policy: {eventType: [{prefix: intervention.}]}
        filter_scope: attributes            # or body: the policy then matches the event JSON
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from tidings.contracts.catalog.safe_read import GuardedComposer, SafeLoader, read_file_text, yaml_problem
from tidings.contracts.errors import InputFileError
from tidings.contracts.settings import resolve_setting

__all__ = [
    "DEFAULT_MAX_RECEIVE_COUNT",
    "DeadLetterSpec",
    "QueueSpec",
    "SubscriptionSpec",
    "TopicSpec",
    "Topology",
    "default_topology_path",
]

DEFAULT_MAX_RECEIVE_COUNT = 3  # as HMPPS queues use
DEFAULT_VISIBILITY_TIMEOUT = 30  # SQS's own default
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
FilterScope = Literal["MessageAttributes", "MessageBody"]
_SCOPES: dict[str, FilterScope] = {"attributes": "MessageAttributes", "body": "MessageBody"}


@dataclass(frozen=True)
class TopicSpec:
    name: str


@dataclass(frozen=True)
class DeadLetterSpec:
    queue: str
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT


@dataclass(frozen=True)
class QueueSpec:
    name: str
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT
    message_retention: int | None = None
    dead_letter: DeadLetterSpec | None = None


@dataclass(frozen=True)
class SubscriptionSpec:
    topic: str
    queue: str
    raw_delivery: bool = False
    filter_policy: dict[str, Any] | None = None
    filter_scope: FilterScope = "MessageAttributes"


@dataclass(frozen=True)
class Topology:
    """A checked topology. `queues` lists every queue to create, dead-letter queues before their sources."""

    topics: tuple[TopicSpec, ...]
    queues: tuple[QueueSpec, ...]
    subscriptions: tuple[SubscriptionSpec, ...]
    source: str = field(default="<dict>", compare=False)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Topology:
        """Read a topology file: `path`, else `TIDINGS_TOPOLOGY` / `[tool.tidings] topology`, else the default
        `fixtures/topology.yaml`. InputFileError (exit 2) with file:line for anything wrong."""
        chosen = resolve_setting("topology", str(path) if path is not None else None)
        where = Path(chosen) if chosen else default_topology_path()
        text = read_file_text(where)
        loader = None
        try:
            loader = _LineLoader(text)  # a SafeLoader, its depth, aliases and tags bounded
            loader.name = str(where)
            data = loader.get_single_data()
        except yaml.YAMLError as error:
            what, line = yaml_problem(error, text)
            raise InputFileError(
                where,
                f"not valid YAML: {what}",
                line=line,
                hint="check the indentation and quoting there (and no control characters)",
            ) from None
        finally:
            if loader is not None:
                loader.dispose()
        return cls.from_dict(data, source=str(where))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<dict>") -> Topology:
        """A topology from already-parsed data (what the YAML file holds)."""
        return _Parser(source).topology(data)

    @property
    def topic_names(self) -> list[str]:
        return [topic.name for topic in self.topics]

    @property
    def queue_names(self) -> list[str]:
        return [queue.name for queue in self.queues]

    def queue(self, name: str) -> QueueSpec | None:
        return next((queue for queue in self.queues if queue.name == name), None)

    def subscribed_topics(self, queue: str) -> list[str]:
        """The topics subscribed to `queue`."""
        return sorted({s.topic for s in self.subscriptions if s.queue == queue})


def default_topology_path() -> Path:
    """The shipped `fixtures/topology.yaml`."""
    return Path(str(files("tidings.fixtures") / "topology.yaml"))


class _LineMapping(dict[str, Any]):
    line: int | None = None


class _LineLoader(GuardedComposer, SafeLoader):
    """A SafeLoader whose mappings remember their line, for error messages."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = _LineMapping(cast(dict[str, Any], super().construct_mapping(node, deep=True)))
        mapping.line = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node),
)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Any, what: str, hint: str | None = None) -> InputFileError:
        return InputFileError(self.source, what, line=getattr(node, "line", None), hint=hint)

    def topology(self, data: Any) -> Topology:
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise self.fail(data, "a topology is a mapping with topics, queues and subscriptions")
        self.only(data, "the topology", {"topics", "queues", "subscriptions"})
        topics = [TopicSpec(self.name(item, "topic")) for item in self.items(data, "topics")]
        declared = [self.queue(item) for item in self.items(data, "queues")]
        subscriptions = [self.subscription(item) for item in self.items(data, "subscriptions")]
        queues = _with_dead_letter_queues(declared, self.source)
        self.unique(data, "topic", [t.name for t in topics])
        self.unique(data, "queue", [q.name for q in declared])
        topic_names, queue_names = {t.name for t in topics}, {q.name for q in queues}
        for item, subscription in zip(self.items(data, "subscriptions"), subscriptions, strict=True):
            if subscription.topic not in topic_names:
                raise self.fail(item, f"subscription to unknown topic {subscription.topic!r}", self.known(topic_names))
            if subscription.queue not in queue_names:
                raise self.fail(item, f"subscription of unknown queue {subscription.queue!r}", self.known(queue_names))
        return Topology(tuple(topics), tuple(queues), tuple(subscriptions), self.source)

    def items(self, data: Mapping[str, Any], key: str) -> list[Any]:
        items = data.get(key) or []
        if not isinstance(items, list):
            raise self.fail(data, f"`{key}` must be a list", hint=f"e.g. {key}:\n  - name: ...")
        for item in items:
            if not isinstance(item, Mapping):
                raise self.fail(data, f"each entry of `{key}` must be a mapping, got {item!r}")
        return items

    def only(self, item: Mapping[str, Any], what: str, allowed: set[str]) -> None:
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise self.fail(item, f"unknown key {unknown[0]!r} in {what}", f"allowed: {', '.join(sorted(allowed))}")

    def name(self, item: Mapping[str, Any], what: str, key: str = "name") -> str:
        if what == "topic":
            self.only(item, "a topic", {"name"})
        value = item.get(key)
        if not isinstance(value, str) or not _NAME.match(value):
            raise self.fail(
                item,
                f"{what} {key} {value!r} is not a valid SNS/SQS name",
                "1 to 80 letters, digits, hyphens or underscores, e.g. intervention-events",
            )
        return value

    def integer(self, item: Mapping[str, Any], key: str, default: int | None, low: int, high: int) -> int | None:
        value = item.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(
                item, f"{key} must be a whole number from {low} to {high}, got {value!r}", f"e.g. {key}: {low + 1}"
            )
        return value

    def queue(self, item: Mapping[str, Any]) -> QueueSpec:
        self.only(item, "a queue", {"name", "visibility_timeout", "message_retention", "dead_letter"})
        name = self.name(item, "queue")
        visibility = self.integer(item, "visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT, 0, 43200)
        retention = self.integer(item, "message_retention", None, 60, 1209600)
        dead_letter = None
        raw = item.get("dead_letter")
        if raw is not None:
            if raw is True:
                raw = {}
            if not isinstance(raw, Mapping):
                raise self.fail(item, "dead_letter must be a mapping", "e.g. dead_letter: {max_receive_count: 3}")
            self.only(raw, "dead_letter", {"queue", "max_receive_count"})
            dlq = self.name(raw, "dead-letter queue", "queue") if "queue" in raw else f"{name}-dlq"
            count = self.integer(raw, "max_receive_count", DEFAULT_MAX_RECEIVE_COUNT, 1, 1000)
            assert count is not None
            if dlq == name:
                raise self.fail(raw, f"queue {name!r} cannot be its own dead-letter queue")
            dead_letter = DeadLetterSpec(dlq, count)
        assert visibility is not None
        return QueueSpec(name, visibility, retention, dead_letter)

    def subscription(self, item: Mapping[str, Any]) -> SubscriptionSpec:
        self.only(item, "a subscription", {"topic", "queue", "raw_delivery", "filter_policy", "filter_scope"})
        topic, queue = self.name(item, "subscription", "topic"), self.name(item, "subscription", "queue")
        raw_delivery = item.get("raw_delivery", False)
        if not isinstance(raw_delivery, bool):
            raise self.fail(item, f"raw_delivery must be true or false, got {raw_delivery!r}")
        policy = item.get("filter_policy")
        if policy is not None and (not isinstance(policy, Mapping) or not policy):
            raise self.fail(
                item,
                "filter_policy must be a non-empty mapping (an SNS filter policy)",
                'e.g. filter_policy: {eventType: [{prefix: "intervention."}]}',
            )
        scope = item.get("filter_scope", "attributes")
        if scope not in _SCOPES:
            raise self.fail(item, f"filter_scope must be attributes or body, got {scope!r}")
        return SubscriptionSpec(topic, queue, raw_delivery, _plain(policy) if policy else None, _SCOPES[scope])

    def unique(self, data: Any, what: str, names: list[str]) -> None:
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise self.fail(data, f"{what} {name!r} is declared twice")
            seen.add(name)

    @staticmethod
    def known(names: set[str]) -> str:
        return f"declared: {', '.join(sorted(names)) or 'none'}"


def _with_dead_letter_queues(declared: list[QueueSpec], source: str) -> list[QueueSpec]:
    """Every queue to create: dead-letter queues that are not declared themselves get the defaults, and each
    dead-letter queue comes before the queues that send to it (their redrive policy needs its ARN)."""
    by_name = {queue.name: queue for queue in declared}
    ordered: list[QueueSpec] = []
    placed: set[str] = set()

    def place(queue: QueueSpec, chain: tuple[str, ...]) -> None:
        if queue.name in placed:
            return
        if queue.dead_letter is not None:
            if queue.dead_letter.queue in chain:
                raise InputFileError(source, f"dead-letter queues form a loop: {' -> '.join(chain)}")
            target = by_name.get(queue.dead_letter.queue) or QueueSpec(queue.dead_letter.queue)
            place(target, (*chain, target.name))
        placed.add(queue.name)
        ordered.append(queue)

    for queue in declared:
        place(queue, (queue.name,))
    return ordered


def _plain(value: Any) -> Any:
    """Plain dicts and lists (the YAML loader's mappings remember their lines)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
