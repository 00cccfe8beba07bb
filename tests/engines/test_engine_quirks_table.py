"""The README's "Engine quirks" table lists every quirk the conformance suite knows, with its engines."""

from __future__ import annotations

from pathlib import Path

from engine_quirks import QUIRKS

README = Path(__file__).resolve().parents[2] / "README.md"


def _table_rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Engine quirks", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith("`") and cells[0].endswith("`"):
            rows[cells[0].strip("`")] = line
    return rows


def test_every_quirk_is_in_the_readme_table_with_its_engines() -> None:
    rows = _table_rows()
    assert set(rows) == set(QUIRKS)
    for quirk_id, quirk in QUIRKS.items():
        engines_cell = rows[quirk_id].strip("|").split("|")[1]
        assert {name.strip() for name in engines_cell.split(",")} == set(quirk.engines), quirk_id
