"""Building events from a contract: its first example with overrides, and `detailUrl`s from its template."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote

from tidings.contracts.catalog.model import EventContract
from tidings.contracts.errors import UsageError

__all__ = ["REMOVE", "build_example", "derive", "placeholders", "render_detail_url"]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class _Remove:
    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Final = _Remove()
"""An override value that deletes the key: `catalog.example(t, **{"additionalInformation.referralId": REMOVE})`."""


def placeholders(template: str) -> list[str]:
    """The `{name}` placeholders of a detailUrl template, in order."""
    return _PLACEHOLDER.findall(template)


def render_detail_url(
    contract: EventContract,
    additional_information: Mapping[str, Any],
    base_url: str,
    url_params: Mapping[str, Any],
) -> str:
    """`base_url` + the contract's template, placeholders filled from `url_params`, then `additionalInformation`,
    then the examples declared for url-only placeholders. A placeholder with no value is a `UsageError`."""
    return base_url.rstrip("/") + _render(contract, contract.detail_url_template, additional_information, url_params)


def _render(
    contract: EventContract,
    template: str,
    additional_information: Mapping[str, Any],
    url_params: Mapping[str, Any],
    *,
    encode: bool = True,
) -> str:
    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in url_params:
            value = url_params[name]
        elif name in additional_information:
            value = additional_information[name]
        elif name in contract.url_only_params and contract.url_only_params[name].example is not None:
            value = contract.url_only_params[name].example
        else:
            raise UsageError(
                f"no value for placeholder {{{name}}} of {contract}'s template {template!r}",
                hint=f"pass {name}=... or put {name} in additionalInformation",
            )
        return quote(str(value), safe="") if encode else str(value)

    return _PLACEHOLDER.sub(value_of, template)


def derive(event: dict[str, Any], contract: EventContract, overridden: set[str], url_params: Mapping[str, Any]) -> None:
    """Fill the contract's `derived:` fields from the event's other fields, so an override of `referralId` also
    changes `referralURN`; a derived field the caller overrode itself (its dotted path in `overridden`) is kept."""
    info = event.get("additionalInformation")
    info = info if isinstance(info, dict) else {}
    for path, template in contract.derived.items():
        if path in overridden:
            continue
        with contextlib.suppress(UsageError):  # a field removed on purpose (invalid events) leaves it as it was
            _set_dotted(event, path.split("."), _render(contract, template, info, url_params, encode=False))


def build_example(
    contract: EventContract,
    base_url: str,
    overrides: Mapping[str, Any],
    *,
    url_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The contract's first example with `overrides` deep-merged (see `Catalog.example`), not validated."""
    if not contract.examples:
        raise UsageError(
            f"{contract} has no example to build from", hint=f"add one under examples: in {_src(contract)}"
        )
    event = _copied(contract.examples[0])
    params = dict(url_params or {})
    remaining = dict(overrides)
    for name in contract.url_only_params:
        if name in remaining:
            params[name] = remaining.pop(name)
    crn = remaining.pop("crn", None)
    if crn is not None:
        _set_crn(event, crn)
    for key, value in remaining.items():
        if "." in key:
            _set_dotted(event, key.split("."), value)
        else:
            _merge_into(event, key, value)
    if contract.derived:
        derive(event, contract, _dotted_keys(remaining), params)
    if "detailUrl" not in remaining:
        info = event.get("additionalInformation")
        # An event built to be invalid (a placeholder's key removed) keeps the example's detailUrl.
        with contextlib.suppress(UsageError):
            event["detailUrl"] = render_detail_url(contract, info if isinstance(info, dict) else {}, base_url, params)
    return event


def _dotted_keys(overrides: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Every dotted path an override sets: `{"additionalInformation": {"a": 1}}` → {"additionalInformation",
    "additionalInformation.a"}."""
    keys: set[str] = set()
    for key, value in overrides.items():
        path = prefix + key
        keys.add(path)
        if isinstance(value, Mapping):
            keys |= _dotted_keys(value, path + ".")
    return keys


def _src(contract: EventContract) -> str:
    return str(contract.source_path)


def _set_crn(event: dict[str, Any], crn: Any) -> None:
    """`crn=` sets the person's CRN everywhere the event carries it."""
    event["personReference"] = {"identifiers": [{"type": "CRN", "value": crn}]}
    info = event.get("additionalInformation")
    if isinstance(info, dict) and "serviceUserCRN" in info:
        info["serviceUserCRN"] = crn


def _merge_into(target: dict[str, Any], key: str, value: Any) -> None:
    if value is REMOVE:
        target.pop(key, None)
    elif isinstance(value, Mapping) and isinstance(target.get(key), dict):
        for inner_key, inner_value in value.items():
            _merge_into(target[key], inner_key, inner_value)
    else:
        target[key] = _plain(value)


def _plain(value: Any) -> Any:
    """A copy with REMOVE markers dropped from nested mappings (there is nothing under them to remove)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v is not REMOVE}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _set_dotted(event: dict[str, Any], path: list[str], value: Any) -> None:
    node = event
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is REMOVE:
                return
            child = node[part] = {}
        node = child
    _merge_into(node, path[-1], value)


def _copied(value: Any) -> Any:
    """A copy of plain loaded data (mappings, lists, scalars): what `copy.deepcopy` gives it, at a quarter of
    the cost (no memo, no dispatch table) — it was a fifth of checking a plan before a play."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value
