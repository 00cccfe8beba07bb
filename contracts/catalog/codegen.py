"""Generate a plain Python predicate `check(event) -> bool` from a bundled schema: the fast path.

Proving an event valid is the hot path, and the shape of a contract is simple (objects, required keys, typed
strings with a pattern or format, a const or two), so a straight-line function of `isinstance` tests and
pre-compiled regular expressions answers in a few microseconds. Only a subset of JSON Schema is generated;
any other keyword raises `NotGeneratable` and the caller uses a slower path. Semantics follow jsonschema's
Draft 2020-12 validator, which stays the validator of record (tests compare the two on valid and invalid
events): `integer` accepts 2.0 but not True, `const: 1` is not matched by True, `pattern` is `re.search`,
formats are `tidings.contracts.catalog.formats`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from numbers import Number
from typing import Any

from jsonschema import Draft202012Validator

from tidings.contracts.catalog.formats import FORMAT_CHECKER, FORMAT_PATTERNS

__all__ = ["NotGeneratable", "generate_check"]

_IGNORED = frozenset(
    {"$schema", "$comment", "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly"}
)
_HANDLED = frozenset(
    {
        "type", "const", "enum", "pattern", "format", "minLength", "maxLength", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "required", "properties", "additionalProperties", "items",
        "minItems", "maxItems", "allOf",
    }
)  # fmt: skip

_TYPE_TESTS = {
    "string": "isinstance({v}, str)",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool) or isinstance({v}, float) and {v}.is_integer())",
    "number": "(isinstance({v}, Number) and not isinstance({v}, bool))",
}


class NotGeneratable(Exception):
    """The schema uses something the generator does not handle; validate it another way."""


class _Generator:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {"Number": Number}
        self.counter = 0

    def constant(self, value: Any) -> str:
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def variable(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def fail_unless(self, indent: int, condition: str) -> None:
        self.emit(indent, f"if not ({condition}):")
        self.emit(indent + 1, "return False")

    def schema(self, schema: Any, v: str, indent: int) -> None:
        if schema is True:
            return
        if schema is False:
            self.emit(indent, "return False")
            return
        if not isinstance(schema, dict):
            raise NotGeneratable("a schema must be an object or a boolean")
        unknown = set(schema) - _HANDLED - _IGNORED
        if unknown:
            raise NotGeneratable(f"keyword(s) {sorted(unknown)} are not generated")
        if "const" in schema and _const_decides(schema):
            self.fail_unless(indent, self.const(schema["const"], v))
            return
        # Conditions on this value are joined into one test; once the type is known, guards are dropped.
        known = _single_type(schema)
        conditions = [self.type(schema, v)] if "type" in schema else []
        if "const" in schema:
            conditions.append(self.const(schema["const"], v))
        if "enum" in schema:
            conditions.append(self.enum(schema["enum"], v))
        for guard, checks in (("string", self.string(schema, v)), ("number", self.number(schema, v))):
            if checks and known == guard:
                conditions += checks
            elif checks:
                conditions.append(f"not {_TYPE_TESTS[guard].format(v=v)} or ({' and '.join(checks)})")
        if conditions:
            self.fail_unless(indent, " and ".join(f"({c})" if " or " in c else c for c in conditions))
        self.object(schema, v, indent, known == "object")
        self.array(schema, v, indent, known == "array")
        for branch in schema.get("allOf", []):
            self.schema(branch, v, indent)

    def type(self, schema: dict[str, Any], v: str) -> str:
        names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        if not isinstance(names, list) or not names or any(name not in _TYPE_TESTS for name in names):
            raise NotGeneratable(f"type {schema['type']!r}")
        return " or ".join(_TYPE_TESTS[name].format(v=v) for name in names)

    def const(self, value: Any, v: str) -> str:
        if isinstance(value, str):
            return f"isinstance({v}, str) and {v} == {value!r}"
        if isinstance(value, bool):
            return f"{v} is {value!r}"
        if value is None:
            return f"{v} is None"
        if isinstance(value, (int, float)):
            # Strictly int/float: jsonschema would also accept e.g. Decimal(1); saying "invalid" there only
            # sends the event to jsonschema, which decides.
            return f"isinstance({v}, (int, float)) and not isinstance({v}, bool) and {v} == {value!r}"
        raise NotGeneratable("const of an array or object")

    def enum(self, values: Any, v: str) -> str:
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise NotGeneratable("enum with values other than strings")
        return f"isinstance({v}, str) and {v} in {self.constant(frozenset(values))}"

    def string(self, schema: dict[str, Any], v: str) -> list[str]:
        checks = []
        if "pattern" in schema:
            checks.append(f"{self.constant(re.compile(schema['pattern']))}.search({v}) is not None")
        if schema.get("format") in FORMAT_PATTERNS:
            checks.append(f"{self.constant(re.compile(FORMAT_PATTERNS[schema['format']]))}.match({v}) is not None")
        if "minLength" in schema:
            checks.append(f"len({v}) >= {int(schema['minLength'])}")
        if "maxLength" in schema:
            checks.append(f"len({v}) <= {int(schema['maxLength'])}")
        return checks

    def number(self, schema: dict[str, Any], v: str) -> list[str]:
        bounds = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        for key in bounds:
            if key in schema and (isinstance(schema[key], bool) or not isinstance(schema[key], (int, float))):
                raise NotGeneratable(f"{key} must be a number")
        return [f"{v} {sign} {schema[key]!r}" for key, sign in bounds.items() if key in schema]

    def object(self, schema: dict[str, Any], v: str, indent: int, known: bool) -> None:
        if not any(key in schema for key in ("required", "properties", "additionalProperties")):
            return
        if not known:
            self.emit(indent, f"if isinstance({v}, dict):")
            indent += 1
            self.emit(indent, "pass")
        required = schema.get("required", [])
        if required:
            self.fail_unless(indent, f"{self.constant(frozenset(required))} <= {v}.keys()")
        properties = schema.get("properties", {})
        additional = schema.get("additionalProperties", True)
        if additional is False:
            self.fail_unless(indent, f"{v}.keys() <= {self.constant(frozenset(properties))}")
        elif additional is not True:
            raise NotGeneratable("additionalProperties with a schema")
        for name, subschema in properties.items():
            child = self.variable()
            if name in required:
                self.emit(indent, f"{child} = {v}[{name!r}]")
                self.schema(subschema, child, indent)
            else:
                self.emit(indent, f"if {name!r} in {v}:")
                self.emit(indent + 1, f"{child} = {v}[{name!r}]")
                self.schema(subschema, child, indent + 1)

    def array(self, schema: dict[str, Any], v: str, indent: int, known: bool) -> None:
        if not any(key in schema for key in ("items", "minItems", "maxItems")):
            return
        if not known:
            self.emit(indent, f"if isinstance({v}, list):")
            indent += 1
            self.emit(indent, "pass")
        if "minItems" in schema:
            self.fail_unless(indent, f"len({v}) >= {int(schema['minItems'])}")
        if "maxItems" in schema:
            self.fail_unless(indent, f"len({v}) <= {int(schema['maxItems'])}")
        if "items" in schema:
            item = self.variable()
            self.emit(indent, f"for {item} in {v}:")
            self.emit(indent + 1, "pass")
            self.schema(schema["items"], item, indent + 1)


def _single_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list) and len(kind) == 1:
        kind = kind[0]
    return kind if isinstance(kind, str) else None


def _const_decides(schema: dict[str, Any]) -> bool:
    """True when `const` alone decides: its value satisfies every other keyword of the schema, so any value
    equal to it (as the generated const test defines equal) does too."""
    value = schema["const"]
    if isinstance(value, (dict, list)) or "allOf" in schema:
        return False
    rest = {key: item for key, item in schema.items() if key != "const"}
    return Draft202012Validator(rest, format_checker=FORMAT_CHECKER).is_valid(value)


def generate_check(bundled: dict[str, Any]) -> tuple[Callable[[Any], bool], str]:
    """`(check, source)`: a predicate that is True exactly when `bundled` accepts the value, and its code.

    `bundled` must be self-contained (no `$ref`); `NotGeneratable` if it uses keywords outside the subset."""
    generator = _Generator()
    generator.emit(0, "def check(v0):")
    generator.schema(bundled, "v0", 1)
    generator.emit(1, "return True")
    source = "\n".join(generator.lines) + "\n"
    namespace = dict(generator.constants)
    exec(compile(source, "<tidings generated check>", "exec"), namespace)
    check: Callable[[Any], bool] = namespace["check"]
    return check, source
