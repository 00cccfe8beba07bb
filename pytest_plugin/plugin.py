"""The plugin's hooks and fixtures. Fixtures come in pairs: session ones start the expensive things once
(`tidings_engine`, `tidings_api`), the function one (`tidings`) resets them cheaply for each test. Nothing
starts until a test asks for a tidings fixture, so other tests pay nothing for the plugin: this module imports
nothing of tidings' own at load time (the contract core and the simulator are imported by the fixtures)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from .options import MARKER, MARKER_HELP, Settings, add_options, settings_from_config

if TYPE_CHECKING:
    from .handles import Tidings, TidingsApi, TidingsEngine

__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "tidings",
    "tidings_api",
    "tidings_engine",
    "tidings_settings",
]

_HANDLE = pytest.StashKey["Tidings"]()
_T = TypeVar("_T")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test marked tidings_scenario needs the `tidings` fixture, whether or not it names it.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is not None and "tidings" not in names and item.get_closest_marker(MARKER) is not None:
            names.append("tidings")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Play the markers' scenarios after the fixtures and before the body; after it, re-raise errors of the
    fake API's thread and fail when a queue's dead-letter queue got messages it did not expect."""
    handle = item.stash.get(_HANDLE, None)
    if handle is None:
        return (yield)
    # Outermost marker first (module, class, then the function's own).
    for marker in reversed(list(item.iter_markers(MARKER))):
        _play_marker(handle, marker)
    try:
        result = yield
    except Exception:
        _raise_api_errors(handle)  # the root cause of the failure, if the API broke
        raise
    _raise_api_errors(handle)
    report = handle.dead_letter_report()
    if report is not None:
        pytest.fail(report, pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test's report shows the timelines of the runs it played."""
    report: Any = yield
    handle = item.stash.get(_HANDLE, None)
    if handle is not None and handle.runs and report.failed and call.when == "call":
        report.sections.append(("tidings runs", handle.describe_runs()))
    return report


@pytest.fixture(scope="session")
def tidings_settings(pytestconfig: pytest.Config) -> Settings:
    """Where the engine, catalogue, scenarios and topology come from. Override it to set them in code."""
    return settings_from_config(pytestconfig)


@pytest.fixture(scope="session")
def tidings_engine(tidings_settings: Settings) -> Iterator[TidingsEngine]:
    """The SNS/SQS engine for the session (embedded unless configured) with the topology applied."""
    from .handles import TidingsEngine

    engine = _started(lambda: TidingsEngine.start(tidings_settings))
    yield engine
    engine.stop()


@pytest.fixture(scope="session")
def tidings_api(tidings_engine: TidingsEngine) -> Iterator[TidingsApi]:
    """The fake business API for the session, served in a thread; `.base_url`."""
    from .handles import TidingsApi

    api = _started(lambda: TidingsApi.start(tidings_engine))
    yield api
    api.stop()


@pytest.fixture
def tidings(
    request: pytest.FixtureRequest, tidings_engine: TidingsEngine, tidings_api: TidingsApi
) -> Iterator[Tidings]:
    """This test's handle: `queue()`, `play()`, `emit()`, `runs`. The fake API starts empty; the test's
    queues are deleted after it."""
    from .handles import Tidings

    handle = Tidings(tidings_engine, tidings_api, test_name=request.node.name)
    request.node.stash[_HANDLE] = handle
    yield handle
    del request.node.stash[_HANDLE]
    handle.close()


def _play_marker(handle: Tidings, marker: pytest.Mark) -> None:
    __tracebackhide__ = True
    from tidings.contracts.errors import TidingsError

    if len(marker.args) != 1 or not isinstance(marker.args[0], str):
        pytest.fail(
            f"@pytest.mark.{MARKER} takes one scenario name, got {marker.args!r}\n"
            f'hint: e.g. @pytest.mark.{MARKER}("referral-sent", crn="X123456")',
            pytrace=False,
        )
    params = dict(marker.kwargs)
    seed, faults = params.pop("seed", None), params.pop("faults", None)
    try:
        handle.play(marker.args[0], seed=seed, faults=faults, **params)
    except TidingsError as error:
        failure = f"@pytest.mark.{MARKER}({marker.args[0]!r}): {error}"
    else:
        return
    pytest.fail(failure, pytrace=False)  # outside `except`: the message alone, not a chain of two


def _raise_api_errors(handle: Tidings) -> None:
    __tracebackhide__ = True
    errors = handle.take_api_errors()
    if errors:
        first = errors[0]
        if len(errors) > 1:
            first.add_note(f"and {len(errors) - 1} more error(s) in the fake API during this test")
        raise first


def _started(start: Callable[[], _T]) -> _T:
    """`start()`, or a test failure with the message alone when it raises a TidingsError (cached by pytest
    for the fixture's scope, so every test that needs it says why)."""
    __tracebackhide__ = True
    from tidings.contracts.errors import TidingsError

    try:
        return start()
    except TidingsError as error:
        failure = f"tidings: {error}"
    pytest.fail(failure, pytrace=False)  # outside `except`: no chain of two tracebacks
