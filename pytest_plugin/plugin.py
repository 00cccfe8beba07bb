"""The plugin's hooks and fixtures. Fixtures come in pairs: session ones start the expensive things once
(`tidings_engine`, `tidings_api`), the function one (`tidings`) resets them cheaply for each test. Nothing
starts until a test asks for a tidings fixture, so other tests pay nothing for the plugin: this module imports
nothing of tidings' own at load time (the contract core and the simulator are imported by the fixtures).

`tidings_pact` needs no engine: it makes consumers' message pacts (pact-python, V4), checks each interaction
against the contracts when the test that defined it ends (an error fails that test), and writes the pacts of the
tests that passed to the pact folder when the session ends. pact-python is imported only when it is used."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from .options import MARKER, MARKER_HELP, Settings, add_options, pact_dir_from_config, settings_from_config

if TYPE_CHECKING:
    from pact import Pact

    from .handles import Tidings, TidingsApi, TidingsEngine
    from .pacts import PactRecorder, WrittenPact

__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_sessionfinish",
    "pytest_sessionstart",
    "pytest_terminal_summary",
    "tidings",
    "tidings_api",
    "tidings_engine",
    "tidings_pact",
    "tidings_settings",
]

_HANDLE = pytest.StashKey["Tidings"]()
_PACTS: pytest.StashKey[list[Pact]] = pytest.StashKey()  # the pacts one test made with tidings_pact
_RECORDER: pytest.StashKey[PactRecorder] = pytest.StashKey()  # the session's, once a test used tidings_pact
_STARTED: pytest.StashKey[float] = pytest.StashKey()
_WRITTEN: pytest.StashKey[list[WrittenPact]] = pytest.StashKey()
_T = TypeVar("_T")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    # Before any test module imports pact: consumer tests must not send pact's usage metrics.
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test marked tidings_scenario needs the `tidings` fixture, whether or not it names it.
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is not None and "tidings" not in names and item.get_closest_marker(MARKER) is not None:
            names.append("tidings")


def pytest_sessionstart(session: pytest.Session) -> None:
    # A pact file older than this was left by an earlier run: it is replaced at the end, not merged into.
    session.config.stash[_STARTED] = time.time()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Play the markers' scenarios after the fixtures and before the body; after it, re-raise errors of the
    fake API's thread, fail when a queue's dead-letter queue got messages it did not expect, and check the
    test's pacts against the contracts."""
    handle = item.stash.get(_HANDLE, None)
    if handle is None:
        result = yield
        _check_pacts(item)
        return result
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
    _check_pacts(item)
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


@pytest.fixture
def tidings_pact(request: pytest.FixtureRequest, tidings_settings: Settings) -> Callable[..., Pact]:
    """A factory of pacts: `tidings_pact(consumer, provider=None)` is a pact-python `Pact` (V4) whose provider
    is the catalogue's producer unless named. When the test ends, each interaction (message, or HTTP request to
    the producer's API) is checked against the contracts (as `tidings pact lint`): an error fails the test with
    the pointer and the contract field.
    The pacts of passing tests are written to the pact folder (--tidings-pact-dir, TIDINGS_PACT_DIR, ini
    tidings_pact_dir; default `pacts` in the rootdir) when the session ends, merged per consumer and provider.

        def test_handles_a_sent_referral(tidings_pact):
            pact = tidings_pact("probation-case-consumer")
            pact.upon_receiving("a referral sent event", "Async").with_body({...}).with_metadata({...})
            pact.verify(handler, "Async")
    """
    recorder = _recorder(request.config, tidings_settings)
    made = request.node.stash.setdefault(_PACTS, [])

    def new_pact(consumer: str, provider: str | None = None) -> Pact:
        pact = recorder.new_pact(consumer, provider)
        made.append(pact)
        return pact

    return new_pact


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the pacts of the tests that passed (nothing when no test used `tidings_pact`)."""
    recorder = session.config.stash.get(_RECORDER, None)
    if recorder is not None and recorder.kept:
        session.config.stash[_WRITTEN] = recorder.write()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    written = config.stash.get(_WRITTEN, None)
    if written:
        terminalreporter.write_sep("-", "tidings pacts")
        for pact in written:
            terminalreporter.write_line(f"{pact.path}: {pact.interactions} interaction(s)")


def _recorder(config: pytest.Config, settings: Settings) -> PactRecorder:
    recorder = config.stash.get(_RECORDER, None)
    if recorder is None:
        from .pacts import PactRecorder

        catalog = _started(lambda: _load_catalog(settings))
        recorder = config.stash[_RECORDER] = PactRecorder(catalog, config.stash.get(_STARTED, time.time()))
    return recorder


def _load_catalog(settings: Settings) -> Any:
    from tidings.contracts import load_catalog

    return load_catalog(settings.contracts)


def _check_pacts(item: pytest.Item) -> None:
    """Fail the test when an interaction of its pacts breaks the contracts; otherwise keep them for writing."""
    __tracebackhide__ = True
    pacts = item.stash.get(_PACTS, None)
    recorder = item.config.stash.get(_RECORDER, None)
    if not pacts or recorder is None:
        return
    from .pacts import check_pacts, describe_failures

    failure = describe_failures(check_pacts(recorder.catalog, pacts))
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    recorder.keep(pacts, pact_dir_from_config(item.config))


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
    start_at, speed = params.pop("start_at", None), params.pop("speed", None)
    try:
        handle.play(marker.args[0], seed=seed, faults=faults, start_at=start_at, speed=speed, **params)
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
