"""The engine conformance suite runs every check on every engine available: the embedded one always, LocalStack
and ministack when `TIDINGS_CONFORMANCE_LOCALSTACK` / `TIDINGS_CONFORMANCE_MINISTACK` give their endpoints
(`scripts/engines/engine-start.sh` prints one). A difference from AWS that an engine is known to have is listed in
`engine_quirks.QUIRKS`; its check is then an xfail(strict), so a quirk that goes away fails the suite until the
table (and the README's) says so."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from engine_quirks import QUIRKS
from engine_wiring import Wiring

from tidings.simulator.engine.engines import Engine, start_engine

ENDPOINT_VARIABLES = {
    "localstack": "TIDINGS_CONFORMANCE_LOCALSTACK",
    "ministack": "TIDINGS_CONFORMANCE_MINISTACK",
}
ENGINE_NAMES = ("embedded", *ENDPOINT_VARIABLES)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine_name" in metafunc.fixturenames:
        metafunc.parametrize("engine_name", ENGINE_NAMES, scope="session")


_running: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, Engine]]:
    yield _running
    for running in _running.values():
        running.stop()


@pytest.fixture
def conformance_engine(engine_name: str, engines: dict[str, Engine]) -> Engine:
    """The engine named by the test's parameter (started or connected once per session); skipped when absent."""
    if engine_name not in engines:
        if engine_name == "embedded":
            engines[engine_name] = start_engine("embedded")
        else:
            endpoint = os.environ.get(ENDPOINT_VARIABLES[engine_name], "").strip()
            if not endpoint:
                pytest.skip(f"{engine_name}: set {ENDPOINT_VARIABLES[engine_name]} to its endpoint to check it")
            engines[engine_name] = start_engine("localstack", endpoint)
    return engines[engine_name]


@pytest.fixture
def quirk(engine_name: str) -> Callable[[str], AbstractContextManager[None]]:
    """`with quirk("id"):` around the assertions that quirk `id` breaks. On an engine the table lists for it they
    must fail (the test is then an xfail); if they pass, the quirk has gone and the test fails until the table
    says so (unless the quirk is timing-dependent, `strict=False`). Elsewhere the block runs as it is."""

    @contextmanager
    def expect(quirk_id: str) -> Iterator[None]:
        found = QUIRKS[quirk_id]
        if engine_name not in found.engines:
            yield
            return
        try:
            yield
        except AssertionError as error:
            pytest.xfail(f"{engine_name} quirk {quirk_id}: {found.says} ({str(error).splitlines()[0][:200]})")
        if not found.strict:
            return  # timing-dependent: this time it held
        pytest.fail(
            f"{engine_name} no longer has quirk {quirk_id!r} ({found.says}): update engine_quirks and the README"
        )

    return expect


@pytest.fixture
def wiring(conformance_engine: Engine) -> Iterator[Wiring]:
    made = Wiring(conformance_engine)
    yield made
    made.close()
