"""The HTTP side of a verification: the fake API as the provider pact's verifier sends consumers' requests to,
and the state-change handler that sets each interaction's provider states by playing their scenarios into it.

The fake API is the one `tidings up` serves (strict: a resource that would not validate is a 500 naming the
rule), on 127.0.0.1 and a free port. For each interaction pact calls the handler once per provider state
(`setup`, with the `given` params), replays the request, then calls it again (`teardown`): setup projects the
state's world (the events its scenario plays, with the `given` params as the scenario's params) into the fake
API's state, teardown forgets everything, so each interaction sees only its own states.

The handler never raises: pact retries a failing state-change call with growing delays for minutes. A state
that could not be set is recorded in `failures` and fails the interactions that needed it, in tidings' words;
an HTTP interaction whose state nobody declared is refused before anything runs (`check_http_states`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from tidings.contracts import Catalog
from tidings.contracts.errors import TidingsError, UsageError
from tidings.contracts.pact.model import PactFile
from tidings.simulator.fake_api.app import create_app
from tidings.simulator.fake_api.server import ApiServer
from tidings.simulator.fake_api.state import FakeApiState
from tidings.simulator.pact.states import ProviderStates, UnknownProviderState

__all__ = ["FakeApiProvider", "check_http_states"]


def check_http_states(pacts: Iterable[PactFile], states: ProviderStates) -> None:
    """A UsageError (exit 2) when an HTTP interaction needs a provider state nobody declared, naming the
    interaction and the known states."""
    for pact in pacts:
        for interaction in pact.http_interactions:
            for state in interaction.states:
                if state.name not in states:
                    unknown = UnknownProviderState(state.name, states.names())
                    raise UsageError(
                        f"{interaction.source}: {interaction.description!r} needs {unknown.message}",
                        hint=unknown.hint,
                    )


class FakeApiProvider:
    """The fake API served while the `with` block runs (`port`), and the state-change handler (`handle`)."""

    HOST = "127.0.0.1"

    def __init__(self, catalog: Catalog, states: ProviderStates) -> None:
        self.catalog = catalog
        self.states = states
        self.state = FakeApiState(catalog=catalog, strict=True)
        self.failures: dict[str, str] = {}
        """`str(ProviderState)`-like key `name` → why it could not be set."""
        self._server = ApiServer(create_app(self.state, catalog=catalog), host=self.HOST, port=0)

    @property
    def port(self) -> int:
        """The port the fake API listens on (while running)."""
        return self._server.port

    def __enter__(self) -> FakeApiProvider:
        self._server.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.stop()

    def handle(self, state: str, action: str, parameters: Mapping[str, Any] | None) -> None:
        """pact's state-change callback (its argument names are how pact passes them)."""
        if action == "teardown":
            self.state.reset()
            return
        if not state:
            return  # pact's generic set-up call: nothing to set
        try:
            for event, extra in self.states.get(state).events(dict(parameters or {})):
                self.state.apply(event, extra)
        except TidingsError as error:
            self.failures[state] = str(error)
        except Exception as error:  # a state must never fail pact's callback (see the module docstring)
            self.failures[state] = f"{type(error).__name__}: {error}"
