"""Answering each request without redoing per-request work whose answer never changes (moto 5.2.5; registered in
`patches/__init__.py`).

- `dispatch_remembered`: per request, moto listed its package directory and matched ~300 URL patterns to route,
  listed the response class's methods with `inspect`, drew a request id letter by letter, and asked six alias
  providers again for every field it serialised; each answer depends only on its inputs and is now kept.
  Without it: 4.1 s (x1.16).
- `one_botocore_session`: the first request to each service made moto create a boto3 session of its own only to
  list the regions botocore knows, loading botocore's endpoint data a second time; it now asks the engine's one
  session (which its clients loaded already). Without it: the first SQS request of a session +80 ms.
- `query_prefixes_indexed`: parsing a query-protocol request (SNS) asked, for every structure it tried, whether
  any parameter name starts with its prefix by scanning all names (and werkzeug rebuilt the name set each time):
  a PublishBatch of 10 entries scanned ~2,600 times. The names are now sorted once per request and each question
  is one binary search. Without it: ~4% more CPU on the benchmark.
"""

from __future__ import annotations

import bisect
import functools
import string
from collections.abc import Callable
from typing import Any


def _has_no_key_starting_with(parser: Any, query_params: Any, prefix: str) -> bool:
    """moto 5.2.5's `QueryParser._gonna_recurse`: whether no parameter name starts with `prefix`. Names starting
    with it sort right at `prefix`'s place, so one binary search in the names (sorted once per parse, which hands
    the same mapping down) answers."""
    if prefix == "":
        return False
    names = getattr(parser, "_tidings_sorted_names", None)
    if names is None or names[0] is not query_params:
        names = parser._tidings_sorted_names = (query_params, sorted(query_params))
    found = bisect.bisect_left(names[1], prefix)
    return not (found < len(names[1]) and names[1][found].startswith(prefix))


def _listed_once(original: Callable[[], Any]) -> Callable[[], tuple[str, ...]]:
    """moto's service folders, listed once: moto lists its package directory on every request to route it."""
    listed = functools.cache(lambda: tuple(original()))

    def list_of_moto_modules() -> tuple[str, ...]:
        return listed()

    return list_of_moto_modules


def _remembered(dispatcher_class: type) -> Callable[[Any, str | None], Any]:
    """The backend for a Host header depends on the header only; moto matches it against ~300 patterns each time."""
    original = vars(dispatcher_class)["get_backend_for_host"]
    found: dict[str | None, Any] = {}

    def get_backend_for_host(dispatcher: Any, host: str | None) -> Any:
        if host not in found:
            found[host] = original(dispatcher, host)
        return found[host]

    return get_backend_for_host


def _method_names(original: Callable[[type], list[str]]) -> Callable[[type], frozenset[str]]:
    """The actions a response class handles: moto lists the class's functions with `inspect` on every request;
    a class's functions do not change, so each class is listed once."""
    listed: dict[type, frozenset[str]] = {}

    def method_names_from_class(cls: type) -> frozenset[str]:
        if cls not in listed:
            listed[cls] = frozenset(original(cls))
        return listed[cls]

    return method_names_from_class


def _request_id(headers: dict[str, Any] | None = None) -> str:
    """moto's 52-letter `x-amzn-requestid`, drawn at once from moto's random source rather than per letter."""
    from moto.moto_api._internal import mock_random

    raw = mock_random.getrandbits(8 * 52).to_bytes(52, "little")
    request_id = raw.translate(_LETTER_OR_DIGIT_FOR_BYTE).decode("ascii")
    if isinstance(headers, dict):
        headers["x-amzn-requestid"] = request_id
    return request_id


_LETTER_OR_DIGIT_FOR_BYTE = bytes(ord((string.ascii_letters + string.digits)[i % 62]) for i in range(256))


def _keys_remembered(original: Callable[..., Any]) -> Callable[..., Any]:
    """Which attribute names moto's response serializer tries for a field. moto asks six alias providers again for
    every field of every value (~30 % of answering a ReceiveMessage); their answer depends only on the value's
    class, the field and its shape, so it is worked out once per combination. A value carrying its own `Meta`
    (per-object aliases) is asked every time, as before."""
    found: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def get_possible_keys(picker: Any, context: Any) -> Any:
        obj = context.obj
        if "Meta" in getattr(obj, "__dict__", ()):
            return original(picker, context)
        key = (tuple(picker.alias_providers), type(obj), context.key, id(context.shape), context.shape)
        keys = found.get(key)
        if keys is None:
            keys = found[key] = tuple(original(picker, context))
        return keys

    return get_possible_keys


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patches, by name, as the (owner, attribute, replacement) triples each sets."""
    import moto.backends
    import moto.core.responses
    from moto.core.base_backend import AccountSpecificBackend
    from moto.core.parse import QueryParser
    from moto.core.serialize import AttributePicker
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from tidings.simulator.engine.aws_session import RegionCatalogue

    catalogue = RegionCatalogue()
    return {
        "one_botocore_session": [(AccountSpecificBackend, "get_session", classmethod(lambda cls: catalogue))],
        "query_prefixes_indexed": [(QueryParser, "_gonna_recurse", _has_no_key_starting_with)],
        "dispatch_remembered": [
            (moto.backends, "list_of_moto_modules", _listed_once(moto.backends.list_of_moto_modules)),
            (DomainDispatcherApplication, "get_backend_for_host", _remembered(DomainDispatcherApplication)),
            (
                moto.core.responses,
                "method_names_from_class",
                _method_names(moto.core.responses.method_names_from_class),
            ),
            (
                moto.core.responses,
                "camelcase_to_underscores",
                functools.cache(moto.core.responses.camelcase_to_underscores),
            ),
            (moto.core.responses, "gen_amzn_requestid_long", _request_id),
            (AttributePicker, "get_possible_keys", _keys_remembered(vars(AttributePicker)["get_possible_keys"])),
        ],
    }
