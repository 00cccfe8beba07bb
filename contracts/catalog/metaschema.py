"""Is a schema valid against the Draft 2020-12 metaschema? Answered fast when it is, exactly when it is not.

jsonschema checks a schema against the 2020-12 metaschema at ~8 ms a schema (its `$dynamicRef`s and the seven
vocabulary documents cost a `referencing` lookup per keyword): that was 80 % of loading an imported registry of
200 event types. The metaschema itself only uses keywords draft-07 also has, so it is rewritten here, once,
into one draft-07 document (the vocabularies inlined under `definitions`, `$dynamicRef: "#meta"` as `$ref: "#"`,
which is what it resolves to when nothing extends the metaschema) and compiled with fastjsonschema (~40 times faster).

Only the verdict "valid" is taken from the fast check. Anything it rejects is checked again by jsonschema, the
validator of record, whose error (message and pointer) is what the user sees; tests/contracts/test_metaschema.py
holds the two to the same verdict on the shipped schemas and on generated ones. `format` is dropped, as
jsonschema's metaschema check without a format checker ignores it too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import fastjsonschema
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import Draft202012Validator, validator_for
from jsonschema_specifications import REGISTRY as SPECIFICATIONS

__all__ = ["first_metaschema_error"]

_META = "https://json-schema.org/draft/2020-12/"
_VOCABULARIES = ("core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "content")
_DROPPED = frozenset({"$id", "$schema", "$vocabulary", "$dynamicAnchor", "format"})


def first_metaschema_error(schema: Any) -> ValidationError | None:
    """The most relevant error of `schema` against its own metaschema (its `$schema`, default 2020-12), or None."""
    validator = validator_for(schema, default=Draft202012Validator)
    if validator is Draft202012Validator and _fast_2020_12()(schema):
        return None
    return best_match(validator(validator.META_SCHEMA).iter_errors(schema))


@functools.cache
def _fast_2020_12() -> Callable[[Any], bool]:
    # detailed_exceptions=False: only the verdict is used, and the definitions repeated in every raise made the
    # generated code 340 KB (50 ms to compile) instead of 34 KB (5 ms). (fastjsonschema 2.22.3 cannot generate
    # `const` and `enum` checks this way — KeyError 'definition_rule' — but the metaschema has neither.)
    validate = fastjsonschema.compile(
        _draft07_metaschema(), use_default=False, use_formats=False, detailed_exceptions=False
    )

    def is_valid(schema: Any) -> bool:
        try:
            validate(schema)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


def _draft07_metaschema() -> dict[str, Any]:
    """The 2020-12 metaschema and its vocabularies as one self-contained draft-07 document."""
    root = _rewrite(SPECIFICATIONS.contents(_META + "schema"), "")
    definitions = root.setdefault("definitions", {})
    for name in _VOCABULARIES:
        vocabulary = _rewrite(SPECIFICATIONS.contents(f"{_META}meta/{name}"), name)
        definitions[name] = vocabulary
    root["$schema"] = "http://json-schema.org/draft-07/schema#"
    return root


def _rewrite(node: Any, vocabulary: str) -> Any:
    """One metaschema node in draft-07 terms; `vocabulary` is the document it comes from ("" for the root)."""
    if isinstance(node, list):
        return [_rewrite(item, vocabulary) for item in node]
    if not isinstance(node, dict):
        return node
    rewritten: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED:
            continue
        if key == "$dynamicRef":  # "#meta": the root metaschema, as nothing extends it here
            rewritten["$ref"] = "#"
        elif key == "$ref":
            rewritten["$ref"] = _pointer(value, vocabulary)
        elif key == "$defs":
            rewritten["definitions"] = {name: _rewrite(sub, vocabulary) for name, sub in value.items()}
        elif key in ("properties", "patternProperties"):  # names here are data, not keywords
            rewritten[key] = {name: _rewrite(sub, vocabulary) for name, sub in value.items()}
        else:
            rewritten[key] = _rewrite(value, vocabulary)
    if "$ref" in rewritten and len(rewritten) > 1:  # draft-07 ignores a $ref's siblings; 2020-12 applies them
        reference = rewritten.pop("$ref")
        rewritten = {"allOf": [{"$ref": reference}, rewritten]}
    return rewritten


def _pointer(reference: str, vocabulary: str) -> str:
    """A metaschema `$ref` (`meta/core`, `meta/validation#/$defs/x`, `#/$defs/x`) as a pointer into the one
    draft-07 document."""
    document, _, fragment = reference.partition("#")
    if document:
        vocabulary = document.removeprefix("meta/")
    base = f"#/definitions/{vocabulary}" if vocabulary else "#"
    return base + fragment.replace("/$defs/", "/definitions/") if fragment else base
