"""Provider verification of consumers' pacts, with the simulator playing the producer: message interactions
answered by the simulator, HTTP interactions by the fake API (`pact.http_states`), in one run per pact file.

pact-python's `Verifier` replays each asynchronous message interaction: it asks a provider state handler to set
the interaction's states, then a message handler for the message, and checks the consumer's matchers against it.
Here both handlers are `SimulatedProducer`: the message is the one the producer would publish in those states
(`pact.messages.produce_message`), for the contract the interaction is about (`pact.resolve`).

Local pact files are verified one file at a time (a description is unique only within its pact, and the message
handler is told only the description and the states); pacts for another provider are skipped. A broker source
(`BrokerOptions`) is one run, its interactions known only by description and states. pact's own report and the
log lines of its helper servers are captured, not printed: `VerificationReport` says what happened.

Over a registry (a `RoutedCatalog`), each message is resolved across every producer and built by the catalogue
of the producer that emits its event type; the pacts verified are those of any of its producers (or
`provider`'s). HTTP interactions call one producer's business API, chosen with `api_producer`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.contracts.errors import TidingsError, UsageError
from tidings.contracts.pact.file import load_pact, pact_files
from tidings.contracts.pact.http_check import request_path
from tidings.contracts.pact.model import HttpInteraction, MessageInteraction, PactFile, ProviderState
from tidings.contracts.pact.resolve import resolve_contract
from tidings.contracts.registry.routed import CatalogView, RoutedCatalog
from tidings.simulator.pact.http_states import FakeApiProvider, check_http_states
from tidings.simulator.pact.message_server import MessageServer
from tidings.simulator.pact.messages import produce_message
from tidings.simulator.pact.producers import api_catalog, one_catalog, providers_of
from tidings.simulator.pact.states import ProviderStates

__all__ = [
    "BrokerOptions",
    "InteractionResult",
    "SimulatedProducer",
    "VerificationReport",
    "configure_broker",
    "quiet_pact",
    "verify_pacts",
]

os.environ["PACT_DO_NOT_TRACK"] = "true"  # before pact is imported: no usage telemetry, ever


@dataclass(frozen=True)
class BrokerOptions:
    """Where to fetch pacts from, and whether to publish the results (pact-python's broker source; credentials
    come from PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD, as pact-python reads them)."""

    url: str
    provider_version: str | None = None
    branch: str | None = None
    publish: bool = False

    def check(self) -> None:
        """UsageError when the options cannot work together."""
        if not self.url.startswith(("http://", "https://")):
            raise UsageError(f"--broker-url {self.url!r} is not an http(s) URL", hint="e.g. https://broker.example.com")
        if self.publish and not self.provider_version:
            raise UsageError(
                "--publish needs --provider-version: the broker records results against a provider version",
                hint="e.g. --provider-version $(git rev-parse --short HEAD)",
            )


@dataclass(frozen=True)
class InteractionResult:
    """How one interaction fared: passed, or failed with pact's mismatch text (or tidings' own reason)."""

    consumer: str
    description: str
    states: tuple[str, ...]
    passed: bool
    mismatches: tuple[str, ...] = ()
    source: str = ""
    event_type: str | None = None
    version: int | None = None
    duration: str = ""
    request: str = ""
    """An HTTP interaction's request (`GET /sent-referral/...`); "" for a message."""
    resource: str | None = None
    """The resource an HTTP interaction's request reaches (`sent-referral v1`)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (for `--json`)."""
        return {
            "consumer": self.consumer,
            "description": self.description,
            "providerStates": list(self.states),
            "passed": self.passed,
            "mismatches": list(self.mismatches),
            "source": self.source,
            "eventType": self.event_type,
            "version": self.version,
            "duration": self.duration,
            "request": self.request or None,
            "resource": self.resource,
        }


@dataclass
class VerificationReport:
    """Everything a verification run found."""

    provider: str
    results: list[InteractionResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Pacts not verified, with why (another provider)."""
    seconds: float = 0.0
    output: str = ""
    """pact's own report, for `--verbose`."""

    @property
    def failed(self) -> list[InteractionResult]:
        """The interactions that failed."""
        return [result for result in self.results if not result.passed]

    @property
    def ok(self) -> bool:
        """True when every interaction passed (and there was at least one)."""
        return bool(self.results) and not self.failed


class SimulatedProducer:
    """The message handler of a verification, backed by the simulator: for interaction `name` in the provider
    states the request names, the message the producer would publish.

    States are set here, not through a pact state-change callback: pact retries a failing state call with
    growing delays for minutes, while a failing message request fails its interaction at once. Failures are
    recorded in `failures` (description → reason) so the report says why in tidings' words."""

    def __init__(
        self, catalog: CatalogView, states: ProviderStates, interactions: Sequence[MessageInteraction] = ()
    ) -> None:
        self.catalog = catalog
        self.states = states
        self.interactions = {interaction.description: interaction for interaction in interactions}
        self.failures: dict[str, str] = {}
        self.resolved: dict[str, tuple[str, int]] = {}

    def message(self, name: str, request: dict[str, Any] | None) -> dict[str, Any]:
        """The message for interaction `name`; `request` is pact's, with the interaction's `providerStates`."""
        states = tuple(
            ProviderState(str(state.get("name", "")), dict(state.get("params") or {}))
            for state in (request or {}).get("providerStates") or []
            if isinstance(state, dict)
        )
        interaction = self.interactions.get(name) or MessageInteraction(description=name, states=states)
        try:
            resolution = resolve_contract(self.catalog, interaction)
            if resolution.contract is None:
                reasons = "; ".join(str(finding) for finding in resolution.findings)
                raise UsageError(f"cannot tell which contract this message keeps: {reasons}")
            self.resolved[name] = resolution.contract.key
            catalog = self.catalog
            owner = catalog.owner(resolution.contract.event_type) if isinstance(catalog, RoutedCatalog) else catalog
            produced = produce_message(owner, self.states, resolution.contract, states or interaction.states)
            return produced.to_pact()
        except TidingsError as error:
            self.failures[name] = str(error)
            raise


def configure_broker(verifier: Any, broker: BrokerOptions) -> Any:
    """Point `verifier` (a `pact.Verifier`) at the broker, and set publishing; returns the verifier. Called with
    the broker options only: nothing is fetched until `verify()`."""
    broker.check()
    selector = verifier.broker_source(broker.url, selector=True)
    if broker.branch:
        selector = selector.provider_branch(broker.branch)
    verifier = selector.build()
    if broker.publish:
        verifier.set_publish_options(version=str(broker.provider_version), branch=broker.branch)
    return verifier


def verify_pacts(
    catalog: CatalogView,
    states: ProviderStates,
    sources: Sequence[Path | str] = (),
    *,
    broker: BrokerOptions | None = None,
    provider: str | None = None,
    api_producer: str | None = None,
) -> VerificationReport:
    """Verify the pacts in `sources` (files or folders) and/or from `broker` against the simulator: message
    interactions against the simulated producer, HTTP interactions against the fake API (of `api_producer`'s
    catalogue, which a registry with HTTP interactions needs). The pacts verified are `provider`'s, else those
    of any of `providers_of(catalog)`. An HTTP interaction whose provider state nobody
    declared is a UsageError before anything runs."""
    providers = [provider] if provider else providers_of(catalog)
    if broker is not None:
        broker.check()
        if provider is None and isinstance(catalog, RoutedCatalog):
            raise UsageError(
                "a Pact Broker is asked for one provider's pacts, and the registry has several producers",
                hint="choose it with --provider, e.g. --provider " + providers[0],
            )
    if not sources and broker is None:
        raise UsageError("nothing to verify", hint="pass pact files or folders, or --broker-url URL")
    report = VerificationReport(", ".join(providers))
    started = time.perf_counter()
    outputs = []
    pacts = []
    for pact in [load_pact(path) for path in pact_files(sources)]:
        if pact.provider not in providers:
            report.skipped.append(f"{pact.path}: a pact with {pact.provider}, not {' or '.join(providers)}")
        else:
            pacts.append(pact)
    check_http_states(pacts, states)
    http = api_catalog(catalog, api_producer, pacts)
    for pact in pacts:
        producer = SimulatedProducer(catalog, states, pact.interactions)
        api = FakeApiProvider(http, states) if http is not None and pact.http_interactions else None
        results, output = _run(pact.provider, producer, pact.path, None, api)
        report.results += _results(results, producer, pact, api)
        outputs.append(output)
    if broker is not None:
        producer = SimulatedProducer(catalog, states)
        # A broker's interactions are known only as they run: HTTP ones call the provider's own API.
        chosen = http or api_catalog(catalog, api_producer or providers[0], ())
        api = FakeApiProvider(chosen or one_catalog(catalog), states)
        results, output = _run(providers[0], producer, None, broker, api)
        report.results += _results(results, producer, None, api)
        outputs.append(output)
    report.seconds = time.perf_counter() - started
    report.output = "\n".join(outputs)
    if not report.results:
        why = "; ".join(report.skipped) or "the pacts hold no asynchronous message or HTTP interactions"
        raise UsageError(f"no interaction of provider {report.provider} was verified ({why})")
    return report


def _run(
    provider: str,
    producer: SimulatedProducer,
    source: Path | None,
    broker: BrokerOptions | None,
    api: FakeApiProvider | None = None,
) -> tuple[dict[str, Any], str]:
    from pact import Verifier  # loads the FFI: only when verifying

    verifier = Verifier(provider, host=MessageServer.HOST)
    verifier.set_coloured_output(enabled=False)
    if source is not None:
        verifier.add_source(source)
    if broker is not None:
        verifier = configure_broker(verifier, broker)
    with MessageServer(producer.message, api.handle if api else None) as server, api or contextlib.nullcontext():
        # Without a state change URL pact sets no state; the message request carries the interaction's states.
        # With HTTP interactions the fake API is the provider, and a state handler plays their states into it.
        if api is not None:
            verifier.add_transport(protocol="http", port=api.port, path="/", scheme="http")
            verifier.state_handler(server.state_url, teardown=True, body=True)
        verifier.add_transport(protocol="message", port=server.port, path=server.PATH)
        # verify() raises RuntimeError when an interaction fails; the results say which.
        with quiet_pact(), contextlib.suppress(RuntimeError):
            verifier.verify()
    results = verifier.results
    if broker is not None and not results.get("interactionResults") and results.get("errors"):
        raise UsageError(f"pact could not verify from the broker {broker.url}: {_errors_text(results)}")
    return results, verifier.output(strip_ansi=True)


def _results(
    results: dict[str, Any], producer: SimulatedProducer, pact: PactFile | None, api: FakeApiProvider | None = None
) -> list[InteractionResult]:
    found = []
    http = {interaction.description: interaction for interaction in pact.http_interactions} if pact else {}
    for raw in results.get("interactionResults") or []:
        description = str(raw.get("description", ""))
        passed = raw.get("result") == "OK"
        states = tuple(str(state) for state in raw.get("providerStates") or [])
        consumer = str(raw.get("consumer", pact.consumer if pact else ""))
        mismatches = () if passed else tuple(_mismatch_lines(raw.get("mismatch")))
        broker_http = pact is None and api is not None and description not in {**producer.resolved, **producer.failures}
        if description in http or broker_http:
            unset = [
                f"provider state {state!r} was not set: {api.failures[state]}"
                for state in states
                if api and state in api.failures
            ]
            found.append(
                _http_result(
                    http.get(description), consumer, description, states, passed, (*unset, *mismatches), raw, api
                )
            )
            continue
        own = producer.failures.get(description)
        interaction = producer.interactions.get(description)
        key = producer.resolved.get(description)
        found.append(
            InteractionResult(
                consumer=consumer,
                description=description,
                states=states,
                passed=passed and own is None,
                mismatches=(own,) if own else mismatches,
                source=interaction.source if interaction else "broker",
                event_type=key[0] if key else None,
                version=key[1] if key else None,
                duration=str(raw.get("duration", "")),
            )
        )
    return found


def _http_result(
    interaction: HttpInteraction | None,
    consumer: str,
    description: str,
    states: tuple[str, ...],
    passed: bool,
    mismatches: tuple[str, ...],
    raw: dict[str, Any],
    api: FakeApiProvider | None,
) -> InteractionResult:
    business = api.catalog.api if api is not None else None
    matched = business.match(request_path(interaction)) if interaction and business else None
    resource = f"{matched[0].name} v{matched[0].version}" if matched else None
    if interaction is not None and any("but was 404" in line for line in mismatches):
        path = request_path(interaction)
        why = (
            f"the fake API has nothing at {path}: the provider states played no event that creates it "
            "(a state's scenario creates the ids its `given` params name)"
            if matched
            else f"no resource of the catalogue is at {path} (`tidings pact lint` names the closest)"
        )
        mismatches = (*mismatches, why)
    return InteractionResult(
        consumer=consumer,
        description=description,
        states=states,
        passed=passed and not mismatches,
        mismatches=mismatches,
        source=interaction.source if interaction else "broker",
        duration=str(raw.get("duration", "")),
        request=interaction.request_line if interaction else "HTTP",
        resource=resource,
    )


def _mismatch_lines(mismatch: Any) -> list[str]:
    if not isinstance(mismatch, dict):
        return ["failed (pact gave no details)"]
    lines = []
    for item in mismatch.get("mismatches") or []:
        if not isinstance(item, dict):
            continue
        where = item.get("path") or (f"metadata {item['key']}" if item.get("key") else "")
        text = str(item.get("mismatch", "")).strip()
        lines.append(f"{where}: {text}" if where else text)
    if not lines and mismatch.get("message"):
        lines.append(str(mismatch["message"]))
    return lines or ["failed (pact gave no details)"]


def _errors_text(results: dict[str, Any]) -> str:
    texts = []
    for error in results.get("errors") or []:
        mismatch = error.get("mismatch") if isinstance(error, dict) else None
        texts.extend(_mismatch_lines(mismatch) if mismatch else [str(error)])
    return "; ".join(texts)


@contextlib.contextmanager
def quiet_pact() -> Iterator[None]:
    """Keep pact quiet while it verifies: its report (written by the FFI straight to file descriptors 1 and 2;
    `Verifier.output()` gives it back) and its log records (without a handler configured they would reach
    logging's last-resort handler on stderr, one per interaction without a state change URL)."""
    pact_logger = logging.getLogger("pact")
    level = pact_logger.level
    pact_logger.setLevel(logging.CRITICAL + 1)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with tempfile.TemporaryFile() as sink:
        try:
            for fd in saved:
                os.dup2(sink.fileno(), fd)
            yield
        finally:
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            pact_logger.setLevel(level)
