"""Pact's date/time matcher formats (Java `DateTimeFormatter` patterns, `yyyy-MM-dd'T'HH:mm:ssXXX`) as regular
expressions, so the static check can tell whether the producer's timestamps fit a consumer's format.

The classic trap: pact-python turns `%z` into `Z`, which means `+0100`, while the contract's `date-time` values
carry `+01:00` (`XXX`). Only the common pattern letters are translated; a pattern with others is not judged.
"""

from __future__ import annotations

import re

__all__ = ["format_regex"]

_NUMERIC = {
    "y": r"\d{4}",
    "u": r"\d{4}",
    "M": r"\d{1,2}",
    "d": r"\d{1,2}",
    "H": r"\d{1,2}",
    "h": r"\d{1,2}",
    "k": r"\d{1,2}",
    "K": r"\d{1,2}",
    "m": r"\d{1,2}",
    "s": r"\d{1,2}",
    "D": r"\d{1,3}",
}
_OFFSETS = {
    # X: "Z" for zero; x: never "Z". One letter: +HH[mm], two: +HHmm, three: +HH:mm.
    "X": r"(?:Z|[+-]\d{2}(?:\d{2})?)",
    "XX": r"(?:Z|[+-]\d{4})",
    "XXX": r"(?:Z|[+-]\d{2}:\d{2})",
    "x": r"[+-]\d{2}(?:\d{2})?",
    "xx": r"[+-]\d{4}",
    "xxx": r"[+-]\d{2}:\d{2}",
    "Z": r"[+-]\d{4}",
    "ZZ": r"[+-]\d{4}",
    "ZZZ": r"[+-]\d{4}",
    "ZZZZZ": r"(?:Z|[+-]\d{2}:\d{2})",
}
_RUN = re.compile(r"'(?P<quoted>[^']*)'|(?P<letters>([A-Za-z])\3*)|(?P<other>.)", re.DOTALL)


def format_regex(pattern: str) -> re.Pattern[str] | None:
    """A regex matching exactly the strings `pattern` formats, or None when it uses letters not translated."""
    parts: list[str] = []
    for match in _RUN.finditer(pattern):
        if match.group("quoted") is not None:
            parts.append(re.escape(match.group("quoted")) if match.group("quoted") else "'")
        elif match.group("other") is not None:
            parts.append(re.escape(match.group("other")))
        else:
            translated = _letters(match.group("letters"))
            if translated is None:
                return None
            parts.append(translated)
    return re.compile("".join(parts))


def _letters(run: str) -> str | None:
    letter, count = run[0], len(run)
    if run in _OFFSETS:
        return _OFFSETS[run]
    if letter == "S":
        return rf"\d{{{count}}}"
    if letter == "y" and count == 2:
        return r"\d{2}"
    if letter in _NUMERIC and not (letter == "M" and count > 2):  # MMM, MMMM: month names
        if letter in "yu":
            return _NUMERIC[letter]
        return rf"\d{{{count}}}" if count >= 2 else _NUMERIC[letter]
    if letter == "a":
        return r"(?:AM|PM|am|pm)"
    return None
