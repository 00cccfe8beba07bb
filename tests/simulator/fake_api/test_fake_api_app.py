"""The fake API served for real (uvicorn on loopback): detail endpoints, problem+json 404s, OpenAPI and docs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tidings.contracts import Catalog, load_catalog
from tidings.contracts.errors import UsageError
from tidings.simulator.fake_api.app import create_app, detail_templates
from tidings.simulator.fake_api.server import ApiServer
from tidings.simulator.fake_api.state import FakeApiState


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def served(catalog: Catalog) -> Iterator[tuple[ApiServer, FakeApiState]]:
    server = ApiServer(None).bind()
    state = FakeApiState(server.base_url, catalog=catalog)
    server.app = create_app(state, catalog=catalog)
    with server:
        yield server, state


def test_every_detail_url_path_of_the_catalogue_is_served(catalog: Catalog) -> None:
    assert set(detail_templates(catalog)) == {
        "/sent-referral/{referralId}",
        "/sent-referral/{referralId}/supplier-assessment",
        "/action-plan/{actionPlanId}",
        "/referral/{referralId}/sessions/{sessionNumber}",
        "/end-of-service-report/{endOfServiceReportId}",
    }


def test_a_played_referral_is_served_and_follows_assignment(
    served: tuple[ApiServer, FakeApiState], catalog: Catalog
) -> None:
    server, state = served
    sent = catalog.example("intervention.referral.sent", base_url=server.base_url)
    state.apply(sent)
    response = httpx.get(sent["detailUrl"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json()["assignedTo"] is None
    state.apply(catalog.example("intervention.referral.assigned", base_url=server.base_url))
    assert httpx.get(sent["detailUrl"]).json()["assignedTo"]["username"] == "caseworker.one@provider.example"


def test_an_unknown_id_is_a_problem_json_404(served: tuple[ApiServer, FakeApiState]) -> None:
    server, _ = served
    response = httpx.get(f"{server.base_url}/action-plan/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not Found"
    assert "no action plan at /action-plan/00000000" in body["detail"]
    assert "POST /_tidings/runs" in body["hint"]


def test_an_unknown_path_is_a_problem_json_404_too(served: tuple[ApiServer, FakeApiState]) -> None:
    response = httpx.get(f"{served[0].base_url}/nothing/here")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_openapi_and_docs(served: tuple[ApiServer, FakeApiState]) -> None:
    server, _ = served
    spec = httpx.get(f"{server.base_url}/openapi.json").json()
    session = spec["paths"]["/referral/{referralId}/sessions/{sessionNumber}"]["get"]
    assert [p["name"] for p in session["parameters"]] == ["referralId", "sessionNumber"]
    assert "404" in session["responses"]
    docs = httpx.get(f"{server.base_url}/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_a_port_in_use_is_a_clear_error(served: tuple[ApiServer, FakeApiState]) -> None:
    with pytest.raises(UsageError) as caught:
        ApiServer(None, port=served[0].port).bind()
    assert "the port is in use" in caught.value.message and "--api-port" in (caught.value.hint or "")
