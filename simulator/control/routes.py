"""The control API under `/_tidings/`: so a consumer in any language, or a tester with curl, drives the simulator.

    GET  /_tidings/health              is it up, how much state, which engine
    GET  /_tidings/scenarios           the scenarios and their parameters
    GET  /_tidings/scenarios/{name}    one scenario
    POST /_tidings/runs                {scenario, params, faults, seed, speed} → 202 {id, …}
    GET  /_tidings/runs                the recent runs
    GET  /_tidings/runs/{id}           status and timeline (JSON)
    DELETE /_tidings/runs/{id}         cancel it: stops after the event in hand; says what was published
    POST /_tidings/events              {eventType, version, data, state} → 201, one event published
    POST /_tidings/reset               forget the fake API's state (and finished runs) → 204
    GET  /_tidings/state               the paths that have a resource
    POST /_tidings/state               {events: [{event, state}]}: apply state changes of events published
                                       elsewhere (a `tidings play --endpoint` against `tidings up`) → 204

Mistakes (unknown scenario or parameter, a bad fault spec, an invalid event) are problem+json with the same
message and hint the CLI prints.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from tidings.contracts.errors import TidingsError
from tidings.simulator.control.runs import RunManager
from tidings.simulator.fake_api.problem import problem, problem_responses
from tidings.simulator.fake_api.routed import AnyFakeApiState
from tidings.simulator.runs.player import Player
from tidings.simulator.scenarios.loader import ScenarioLibrary, ScenarioNotFound
from tidings.simulator.scenarios.model import Scenario

__all__ = ["EmitRequest", "RunRequest", "StateRequest", "control_router"]


class RunRequest(BaseModel):
    """Start a run of a scenario."""

    scenario: str = Field(description="scenario name", examples=["referral-lifecycle"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"crn": "X123456"}])
    faults: list[str] = Field(default_factory=list, description="fault specs", examples=[["duplicate=0.2"]])
    seed: int | None = Field(default=None, description="replay a run exactly by giving its seed")
    speed: float | None = Field(default=None, description="play delays at this many times real time")
    start_at: str | None = Field(
        default=None,
        description="simulated time starts here (ISO-8601 with offset); default: the run ends now",
        examples=["2024-01-01T09:00:00Z"],
        json_schema_extra={"format": "date-time"},
    )
    taps: bool = Field(
        default=False, description="count deliveries with tap queues of tidings' own (observed, not inferred)"
    )


class StateChange(BaseModel):
    """One event's effect on the fake API's state (sent by `tidings play` running in another process)."""

    event: dict[str, Any]
    state: dict[str, Any] | None = None
    api_faults: list[str] = Field(
        default_factory=list,
        description="business-API faults for the event's detailUrl from now (api-lag, api-error, api-slow)",
        examples=[["api-lag=2s"]],
    )
    seed: int = 0
    apply: bool = Field(default=True, description="false: the event's state was applied already; faults only")


class StateRequest(BaseModel):
    events: list[StateChange]


class EmitRequest(BaseModel):
    """Publish one event built from its contract's example."""

    eventType: str = Field(examples=["intervention.referral.assigned"])  # camelCase: the envelope names it so
    version: int | None = None
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides merged into the example (dotted keys, `crn` shorthand, url-only params)",
        examples=[{"crn": "X123456", "additionalInformation.assignedTo": "someone@example.com"}],
    )
    state: dict[str, Any] | None = Field(default=None, description="extra fields for the fake API's resource")


def control_router(
    state: AnyFakeApiState,
    library: ScenarioLibrary,
    *,
    runs: RunManager | None = None,
    player: Player | None = None,
) -> APIRouter:
    """The `/_tidings/` routes. Without `runs`/`player` (no engine), starting runs and emitting answer 503."""
    router = APIRouter(prefix="/_tidings", tags=["control"])

    @router.get("/health", summary="Whether the simulator is up")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "resources": len(state),
            "eventsApplied": state.events_applied,
            "engine": player.endpoint if player else None,
            "producers": dict(state.producers),
        }

    @router.get("/scenarios", summary="The scenarios that can be played")
    def scenarios() -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = []
        for item in library.load_all():
            if isinstance(item, Scenario):
                listed.append(_describe(item))
            else:
                listed.append({"error": str(item)})
        return listed

    @router.get("/scenarios/{name}", summary="One scenario", responses=problem_responses(400, 404))
    def scenario(name: str) -> Response:
        try:
            return JSONResponse(_describe(library.load(name), steps=True))
        except TidingsError as error:
            return _error(error)

    @router.post(
        "/runs",
        status_code=202,
        summary="Start a run (checked first; played in the background)",
        responses=problem_responses(400, 404, 503),
    )
    def start_run(request: RunRequest) -> Response:
        if runs is None:
            return _no_engine()
        try:
            record = runs.start(
                request.scenario,
                params=request.params,
                faults=request.faults,
                seed=request.seed,
                speed=request.speed,
                start_at=request.start_at,
                taps=request.taps,
            )
        except TidingsError as error:
            return _error(error)
        body = record.to_json(timeline=False) | {"url": f"/_tidings/runs/{record.id}"}
        return JSONResponse(body, status_code=202, headers={"Location": f"/_tidings/runs/{record.id}"})

    @router.get("/runs", summary="Recent runs, newest first")
    def list_runs() -> list[dict[str, Any]]:
        return [record.to_json(timeline=False) for record in runs.all()] if runs else []

    @router.get("/runs/{run_id}", summary="A run's status and timeline", responses=problem_responses(404))
    def get_run(run_id: str) -> Response:
        record = runs.get(run_id) if runs else None
        if record is None:
            return problem(404, "Not Found", f"no run {run_id!r}", hint="GET /_tidings/runs lists the recent ones")
        return JSONResponse(record.to_json())

    @router.delete(
        "/runs/{run_id}",
        summary="Cancel a run: it stops after the event being published; the answer says what was published",
        responses=problem_responses(404),
    )
    def cancel_run(run_id: str) -> Response:
        record = runs.cancel(run_id) if runs else None
        if record is None:
            return problem(404, "Not Found", f"no run {run_id!r}", hint="GET /_tidings/runs lists the recent ones")
        return JSONResponse(record.to_json(timeline=False))

    @router.post(
        "/events",
        status_code=201,
        summary="Publish one event (and apply it to the fake API)",
        responses=problem_responses(400, 404, 503),
    )
    def emit(request: EmitRequest) -> Response:
        if player is None:
            return _no_engine()
        try:
            published = player.emit(request.eventType, version=request.version, data=request.data, state=request.state)
        except TidingsError as error:
            return _error(error)
        body = {
            "messageId": published.message_id,
            "trackingId": published.tracking_id,
            "eventType": published.event_type,
            "crn": published.crn,
            "queues": list(published.queues),
        }
        return JSONResponse(body, status_code=201)

    @router.post("/reset", status_code=204, summary="Forget the fake API's state and finished runs")
    def reset() -> Response:
        state.reset()
        if runs is not None:
            runs.clear()
        return Response(status_code=204)

    @router.post(
        "/state",
        status_code=204,
        summary="Apply events' state changes without publishing them",
        responses=problem_responses(400, 404),
    )
    def apply_state(request: StateRequest) -> Response:
        try:
            for change in request.events:
                path = state.apply(change.event, change.state) if change.apply else None
                path = path or state.path_of(change.event.get("detailUrl"))
                if change.api_faults and path is not None:
                    state.add_api_faults(path, change.api_faults, seed=change.seed)
        except TidingsError as error:
            return _error(error)
        return Response(status_code=204)

    @router.get("/state", summary="The paths the fake API has a resource for")
    def paths(limit: int = 1000) -> dict[str, Any]:
        every = state.paths()
        return {"count": len(every), "paths": every[:limit]}

    return router


def _describe(scenario: Scenario, *, steps: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": scenario.name,
        "description": scenario.description,
        "file": str(scenario.path),
        "params": {
            name: {"type": p.type, "required": p.required, "description": p.description}
            for name, p in scenario.params.items()
        },
    }
    if steps:
        body["eventTypes"] = scenario.event_types()
    return body


def _error(error: TidingsError) -> Response:
    status = 404 if isinstance(error, ScenarioNotFound) else 400
    return problem(status, "Not Found" if status == 404 else "Bad Request", error.message, hint=error.hint)


def _no_engine() -> Response:
    return problem(
        503,
        "Service Unavailable",
        "this fake API has no engine to publish to",
        hint="serve it with `tidings up`, which starts the engine alongside",
    )
