"""The JSON Schema `format`s tidings enforces, written once and used by both validators (jsonschema's and the
generated fast path) so that they cannot disagree.

jsonschema only checks `date-time` when an optional package is installed and never checks `uri` without
another; contracts must mean the same on every machine, so the checks live here, on the standard library.
Each format is one anchored regular expression: the fast path compiles it into its generated code (no function
call per value, which matters at 100,000 events a second), and jsonschema calls the same pattern.
Character classes are spelled `[0-9]`, not `\\d`, because the pattern is compiled without `re.ASCII` there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from jsonschema import FormatChecker

__all__ = [
    "FORMAT_CHECKER",
    "FORMAT_EXPECTATIONS",
    "FORMAT_FUNCTIONS",
    "FORMAT_PATTERNS",
    "is_date_time",
    "is_uri",
    "is_uuid",
]

_YEAR_MONTH_DAY = (
    r"(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    # 29 February: years divisible by 4 but not by 100, and years divisible by 400
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
)
_TIME_WITH_OFFSET = (
    r"[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"  # :60 is a leap second (RFC 3339)
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"  # the offset is required: a local time names no instant
)
_NOT_SPACE = r"[^\s\x00-\x1f\x7f]"

FORMAT_PATTERNS: dict[str, str] = {
    # RFC 3339 date-time WITH an offset; the calendar is checked (no 31 April, 29 February in leap years only).
    "date-time": "^" + _YEAR_MONTH_DAY + _TIME_WITH_OFFSET + r"\Z",
    # RFC 3986 absolute URI, loosely: a scheme, ':', then either '//' and a non-empty authority, or a non-empty
    # rest that does not start with '//'; no whitespace or control characters anywhere. `urn:…` counts.
    "uri": (r"^[A-Za-z][A-Za-z0-9+.\-]*:(?://[^/?#\s\x00-\x1f\x7f]+" + _NOT_SPACE + r"*|(?!//)" + _NOT_SPACE + r"+)\Z"),
    # a UUID in its canonical hyphenated text form, any version
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z",
}


def _checker(pattern: str) -> Callable[[Any], bool]:
    compiled = re.compile(pattern)

    def check(value: Any) -> bool:
        # formats only constrain strings; `type` reports anything else
        return not isinstance(value, str) or compiled.match(value) is not None

    return check


is_date_time = _checker(FORMAT_PATTERNS["date-time"])
is_uri = _checker(FORMAT_PATTERNS["uri"])
is_uuid = _checker(FORMAT_PATTERNS["uuid"])

FORMAT_FUNCTIONS: dict[str, Callable[[Any], bool]] = {"date-time": is_date_time, "uri": is_uri, "uuid": is_uuid}
"""Every format tidings checks; a schema's other formats are annotations only (as JSON Schema 2020-12 allows)."""

FORMAT_EXPECTATIONS = {
    "date-time": "an RFC 3339 date-time with offset, e.g. 2024-01-01T10:00:00Z",
    "uri": "an absolute URI, e.g. https://example.org/path",
    "uuid": "a UUID, e.g. 68df9f6c-3fcb-4ec6-8fcf-96551cd9b080",
}

FORMAT_CHECKER = FormatChecker(formats=())
for _name, _function in FORMAT_FUNCTIONS.items():
    FORMAT_CHECKER.checks(_name)(_function)
