"""Hypothesis properties of the loaders (issue 14, item 7): whatever is in the file, loading a scenario, a
catalogue event file or a pact gives a result or a TidingsError (a clear `error:` line), never another
exception. Two kinds of input each: arbitrary text or bytes, and a valid shipped file with one node replaced
by a random JSON/YAML value (or deleted). Bounded for CI; TIDINGS_HYPOTHESIS_EXAMPLES=N runs N examples per
property by hand (the catalogue ones, ~0.3 s a load, run a quarter as many)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pact_support import write_good_pact

from tidings.contracts.catalog.loader import load_catalog
from tidings.contracts.errors import CatalogError, TidingsError
from tidings.contracts.pact.file import load_pact
from tidings.simulator.scenarios.loader import ScenarioLibrary, shipped_scenarios_dir

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "contracts" / "catalogs" / "interventions"
EVENT_TYPE = "intervention.referral.sent"
# pacts/ is not in a clean clone: write the pact these mutate (messages in three states).
PACT = write_good_pact(Path(tempfile.mkdtemp(prefix="tidings-property-pact-")))
SCENARIO = shipped_scenarios_dir() / "referral-lifecycle.yaml"

EXAMPLES = int(os.environ.get("TIDINGS_HYPOTHESIS_EXAMPLES", "100"))
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CATALOG_BOUNDED = settings(BOUNDED, max_examples=max(1, EXAMPLES // 4))

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "0", "null", "~", "v1", "{", "$ref", "#/x", "1e999", "2024-13-45T99:99", "a/../../b"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_DELETE = object()


def _nodes(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a parsed document (the root included)."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _nodes(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _nodes(value, (*path, index))
    return found


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return None if value is _DELETE else value
    copy = dict(document) if isinstance(document, dict) else list(document)
    head, rest = path[0], path[1:]
    if rest or value is not _DELETE:
        copy[head] = _replaced(document[head], rest, value)
    else:
        del copy[head]
    return copy


def mutations(document: Any) -> st.SearchStrategy[Any]:
    """`document` with one node replaced by a random value, or deleted."""
    paths = _nodes(document)
    return st.builds(_replaced, st.just(document), st.sampled_from(paths), values | st.just(_DELETE))


def line_mutations(text: str) -> st.SearchStrategy[str]:
    """`text` with one line replaced by arbitrary text (YAML/JSON syntax broken next to valid structure)."""
    lines = text.splitlines()
    return st.builds(
        lambda index, line: "\n".join([*lines[:index], line, *lines[index + 1 :]]),
        st.integers(0, len(lines) - 1),
        st.text(max_size=40)
        | st.sampled_from(["&a [*a, *a]", "*nowhere", "!!python/object:os.system x", "  - {", "\t"]),
    )


def _yaml(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def loads_or_refuses(load: Callable[[], Any]) -> None:
    try:
        load()
    except TidingsError as error:
        assert str(error).strip()  # a message to print after `error:`


# -- scenarios ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scenario") / "hostile.yaml"


@BOUNDED
@given(data=st.text(max_size=300) | st.binary(max_size=300))
def test_a_scenario_of_any_text_or_bytes_loads_or_is_refused(scenario_file: Path, data: str | bytes) -> None:
    scenario_file.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    loads_or_refuses(lambda: ScenarioLibrary().load_path(scenario_file))


@BOUNDED
@given(document=mutations(yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))))
def test_a_mutated_scenario_loads_or_is_refused(scenario_file: Path, document: Any) -> None:
    scenario_file.write_text(_yaml(document), encoding="utf-8")
    loads_or_refuses(lambda: ScenarioLibrary().load_path(scenario_file))


@BOUNDED
@given(text=line_mutations(SCENARIO.read_text(encoding="utf-8")))
def test_a_scenario_with_a_line_replaced_loads_or_is_refused(scenario_file: Path, text: str) -> None:
    scenario_file.write_text(text, encoding="utf-8", errors="surrogatepass")
    loads_or_refuses(lambda: ScenarioLibrary().load_path(scenario_file))


# -- catalogue event files ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalogue cut to one event type (so each load is quick); its v1.yaml is what is mutated."""
    root = tmp_path_factory.mktemp("catalog") / "interventions"
    shutil.copytree(CATALOG, root)
    index = yaml.safe_load((root / "catalog.yaml").read_text(encoding="utf-8"))
    index["events"] = [EVENT_TYPE]
    (root / "catalog.yaml").write_text(_yaml(index), encoding="utf-8")
    for projection in (root / "projections").glob("*.yaml"):
        if projection.stem != EVENT_TYPE:
            projection.unlink()
    assert not load_catalog(root).problems  # the cut catalogue is valid: what follows breaks only the event file
    return root


def _event_file(root: Path) -> Path:
    return root / "events" / EVENT_TYPE / "v1.yaml"


@CATALOG_BOUNDED
@given(data=st.text(max_size=300) | st.binary(max_size=300))
def test_a_catalogue_event_file_of_any_text_or_bytes_loads_or_is_refused(catalog_copy: Path, data: str | bytes) -> None:
    _event_file(catalog_copy).write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    loads_or_refuses(lambda: load_catalog(catalog_copy))


@CATALOG_BOUNDED
@given(document=mutations(yaml.safe_load(_event_file(CATALOG).read_text(encoding="utf-8"))))
def test_a_mutated_catalogue_event_file_loads_or_is_refused(catalog_copy: Path, document: Any) -> None:
    _event_file(catalog_copy).write_text(_yaml(document), encoding="utf-8")
    loads_or_refuses(lambda: load_catalog(catalog_copy))


@CATALOG_BOUNDED
@given(text=line_mutations(_event_file(CATALOG).read_text(encoding="utf-8")))
def test_a_catalogue_event_file_with_a_line_replaced_loads_or_is_refused(catalog_copy: Path, text: str) -> None:
    _event_file(catalog_copy).write_text(text, encoding="utf-8", errors="surrogatepass")
    loads_or_refuses(lambda: load_catalog(catalog_copy))


@pytest.mark.parametrize("draft", [True, [1], {"a": 1}, 3, None])
def test_a_schema_whose_schema_keyword_is_not_a_string_is_refused_with_its_pointer(
    catalog_copy: Path, draft: Any
) -> None:
    """Found by the mutation property: jsonschema's validator_for crashed (AttributeError, TypeError)."""
    document = yaml.safe_load(_event_file(CATALOG).read_text(encoding="utf-8"))
    document["schema"]["$schema"] = draft
    _event_file(catalog_copy).write_text(_yaml(document), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"v1\.yaml: /schema/\$schema: not a valid JSON Schema"):
        load_catalog(catalog_copy)


# -- pact files ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pact_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pact") / "hostile.json"


@BOUNDED
@given(data=st.text(max_size=300) | st.binary(max_size=300))
def test_a_pact_of_any_text_or_bytes_loads_or_is_refused(pact_file: Path, data: str | bytes) -> None:
    pact_file.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    loads_or_refuses(lambda: load_pact(pact_file))


@BOUNDED
@given(document=mutations(json.loads(PACT.read_text(encoding="utf-8"))))
def test_a_mutated_pact_loads_or_is_refused(pact_file: Path, document: Any) -> None:
    pact_file.write_text(json.dumps(document), encoding="utf-8")
    loads_or_refuses(lambda: load_pact(pact_file))


@BOUNDED
@given(text=line_mutations(PACT.read_text(encoding="utf-8")))
def test_a_pact_with_a_line_replaced_loads_or_is_refused(pact_file: Path, text: str) -> None:
    pact_file.write_text(text, encoding="utf-8", errors="surrogatepass")
    loads_or_refuses(lambda: load_pact(pact_file))
