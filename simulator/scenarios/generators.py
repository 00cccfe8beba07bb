"""Generated values for scenarios: a whitelist of Faker calls, seeded, plus CRN-shaped values.

Templates call these as `{{ faker.name() }}`; only the names in `FAKER_CALLS` are allowed, so a scenario file
cannot reach anything else of Faker (or of Python). With the same seed every run generates the same values.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from faker import Faker

__all__ = ["FAKER_CALLS", "Generators"]

# name → (fewest arguments, most arguments, what it makes). Kept small on purpose: the README lists them.
FAKER_CALLS: dict[str, tuple[int, int, str]] = {
    "crn": (0, 0, "a CRN-shaped case reference: one capital letter and six digits, e.g. X123456"),
    "uuid4": (0, 0, "a random UUID (from the seeded generator)"),
    "name": (0, 0, "a person's full name"),
    "first_name": (0, 0, "a first name"),
    "last_name": (0, 0, "a last name"),
    "email": (0, 0, "an email address (example.com/net/org)"),
    "user_name": (0, 0, "a user name"),
    "company": (0, 0, "a company name"),
    "word": (0, 0, "a word"),
    "sentence": (0, 0, "a sentence"),
    "random_int": (0, 2, "an integer: random_int(min, max), both inclusive (default 0, 9999)"),
    "bothify": (1, 1, "a pattern filled in: # → a digit, ? → a capital letter, e.g. bothify('??#####??')"),
    "random_element": (1, 1, "one of the comma-separated words: random_element('A,B,C')"),
}

_LETTERS = string.ascii_uppercase


class Generators:
    """The seeded Faker instance behind `{{ faker.… }}`; one per resolution, so runs are reproducible."""

    def __init__(self, seed: int, *, locale: str = "en_GB") -> None:
        self._faker = Faker(locale)
        self._faker.seed_instance(seed)
        self._calls: dict[str, Callable[..., Any]] = {
            "crn": self.crn,
            "uuid4": lambda: str(self._faker.uuid4()),
            "bothify": self.bothify,
            "random_element": lambda words: self._faker.random_element(str(words).split(",")).strip(),
        }

    def crn(self) -> str:
        """A value shaped like an nDelius CRN (letter + six digits); not necessarily one that exists."""
        rnd = self._faker.random
        return rnd.choice(_LETTERS) + f"{rnd.randrange(1_000_000):06d}"

    def bothify(self, pattern: object) -> str:
        """`'??#####??'` → `'JS18726AC'`: # a digit, ? a capital letter, anything else kept."""
        rnd = self._faker.random
        out = []
        for char in str(pattern):
            out.append(str(rnd.randrange(10)) if char == "#" else rnd.choice(_LETTERS) if char == "?" else char)
        return "".join(out)

    def call(self, name: str, args: tuple[Any, ...] = ()) -> Any:
        """Call whitelisted generator `name`; the caller has already checked the name and argument count."""
        special = self._calls.get(name)
        if special is not None:
            return special(*args)
        return getattr(self._faker, name)(*args)
