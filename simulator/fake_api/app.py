"""The fake business API as a FastAPI app: every resource the catalogue declares (and any detailUrl path none
covers), answered from `FakeApiState`, OpenAPI at `/openapi.json` (the resource schemas as response
models), docs at `/docs`, and (when given) the control API under `/_tidings/`.

Errors are `application/problem+json` (RFC 9457): an unknown id is a 404 that says what was asked for and how
to make it exist.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tidings.contracts import Catalog
from tidings.contracts.registry.routed import CatalogView, RoutedCatalog
from tidings.simulator.fake_api.problem import PROBLEM_SCHEMA, problem, problem_responses
from tidings.simulator.fake_api.routed import AnyFakeApiState

__all__ = ["create_app", "detail_templates"]


def detail_templates(catalog: Catalog) -> dict[str, list[str]]:
    """Each distinct detailUrl path template of the catalogue → the event types that point at it."""
    templates: dict[str, list[str]] = {}
    for contract in catalog:
        types = templates.setdefault(contract.detail_url_template, [])
        if contract.event_type not in types:
            types.append(contract.event_type)
    return templates


def create_app(
    state: AnyFakeApiState,
    *,
    catalog: CatalogView,
    control: Any | None = None,
    title: str | None = None,
) -> FastAPI:
    """The app. `control` is an APIRouter for `/_tidings/` (see control.routes.control_router). A registry's
    catalogue (`RoutedCatalog`) gets every producer's routes, each under its base path."""
    app = FastAPI(
        title=title or f"{catalog.producer} (fake, by tidings)",
        description=(
            "A fake of the producer's business API: every `detailUrl` of the event catalogue, answered with data "
            "consistent with the events played so far. Drive it with the control API under `/_tidings/`."
        ),
        version="tidings",
    )
    mounts = catalog.mounts if isinstance(catalog, RoutedCatalog) else [("", catalog)]
    for base_path, template, summary, schema in ((base, *route) for base, one in mounts for route in _routes(one)):
        app.add_api_route(
            base_path + template,
            _detail_endpoint(state, base_path, template),
            methods=["GET"],
            name=base_path + template,
            summary=summary,
            tags=["detail"],
            response_class=Response,
            responses={
                200: {
                    "description": "The resource as the producer would return it",
                    "content": {"application/json": {"schema": schema} if schema else {}},
                },
                404: {
                    "description": "Nothing with that id has been played",
                    "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
                },
                500: {
                    "description": "Strict mode: the resource would not validate (a catalogue bug, named)",
                    "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
                },
            },
            openapi_extra={"parameters": [_path_parameter(name) for name in _placeholders(template)]},
        )
    if control is not None:
        app.include_router(control)
    app.add_middleware(_PlayedResources, state=state)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(RequestValidationError, _validation_problem)
    _document_validation_as_problem(app)
    return app


def _document_validation_as_problem(app: FastAPI) -> None:
    """FastAPI documents its 422 as `application/json` HTTPValidationError; ours is a problem+json (see
    `_validation_problem`): say so in /openapi.json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for operation in (op for item in document.get("paths", {}).values() for op in item.values()):
                if isinstance(operation, dict) and "422" in operation.get("responses", {}):
                    operation["responses"]["422"] = problem_responses(422)[422]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _routes(catalog: Catalog) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(path template, summary, response schema) for every declared resource, then for every detailUrl template
    no resource covers (served plainly, from the event)."""
    pointing = detail_templates(catalog)
    routes: list[tuple[str, str, dict[str, Any] | None]] = []
    covered: set[str] = set()
    for resource in catalog.api.resources.values():
        types = [t for template, ts in pointing.items() if catalog.api.for_template(template) is resource for t in ts]
        covered.update(template for template in pointing if catalog.api.for_template(template) is resource)
        schema = {k: v for k, v in catalog.api.bundled(resource.name).items() if k != "$schema"}
        summary = f"{resource.name} v{resource.version}" + (f" (what {', '.join(types)} point at)" if types else "")
        routes.append((resource.path, summary, schema))
    for template, types in pointing.items():
        if template not in covered:
            routes.append((template, f"What {', '.join(types)} point at", None))
    return routes


def _detail_endpoint(
    state: AnyFakeApiState, base_path: str, template: str
) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    kind = template.strip("/").split("/")[0].replace("-", " ")

    async def detail(request: Request) -> Response:
        path = request.scope["path"]
        answer = state.served(path)
        if answer is None:
            return problem(
                404,
                "Not Found",
                f"no {kind} at {path}: nothing played so far created it",
                instance=path,
                hint="play a scenario that creates it (POST /_tidings/runs) or emit its event (POST /_tidings/events)",
            )
        status, body, media_type = answer
        return Response(body, status_code=status, media_type=media_type)

    detail.__name__ = "detail_" + "".join(c if c.isalnum() else "_" for c in base_path + template).strip("_")
    return detail


class _PlayedResources:
    """Answers GETs for resources that exist straight from the state's cached JSON, before routing: the detail
    endpoint is what consumers hammer, and this roughly doubles its throughput. Anything else (unknown ids
    included, which get their 404 problem from the route) goes on to the app."""

    def __init__(self, app: Any, state: AnyFakeApiState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            decision = self.state.api_faults.decide(scope["path"]) if self.state.api_faults else None
            if decision is not None:  # an api-lag, api-error or api-slow fault on this path
                wait, faulted = decision
                if wait:
                    await asyncio.sleep(wait)
                if faulted is not None:
                    await _send(send, faulted)
                    return
            answer = self.state.served(scope["path"])
            if answer is not None:
                await _send(send, answer)
                return
        await self.app(scope, receive, send)


async def _send(send: Any, answer: tuple[int, bytes, str]) -> None:
    status, body, media_type = answer
    headers = [(b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _placeholders(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{") and part.endswith("}")]


def _path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


async def _http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), detail, instance=request.url.path)


async def _validation_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"pointer": "/" + "/".join(str(part) for part in error.get("loc", ())[1:]), "message": error.get("msg")}
        for error in exc.errors()
    ]
    return problem(
        422, "Unprocessable Content", "the request body is not valid", instance=request.url.path, errors=errors
    )


_TITLES = {404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request", 409: "Conflict", 503: "Service Unavailable"}
