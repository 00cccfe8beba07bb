"""The fake API serves the contract: a consumer that deserialises the producer's types (strict pydantic models
written from the DTOs, no None where Kotlin's type is non-null) follows detailUrl and the links between
resources; unknown ids are 404 problems; /openapi.json carries the resource schemas."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import httpx
import pytest
from pydantic import AwareDatetime, BaseModel, ConfigDict

from tidings.contracts import Catalog, load_catalog
from tidings.simulator.fake_api.app import create_app
from tidings.simulator.fake_api.server import ApiServer
from tidings.simulator.fake_api.state import FakeApiState
from tidings.simulator.scenarios.loader import ScenarioLibrary
from tidings.simulator.scenarios.plan import Plan


class Strict(BaseModel):
    model_config = ConfigDict(strict=False, extra="ignore")


class AuthUser(Strict):
    username: str
    authSource: str
    userId: str


class ServiceProvider(Strict):
    name: str
    id: str


class ContractType(Strict):
    code: str
    name: str


class ServiceUser(Strict):
    crn: str


class ReferralFields(Strict):
    serviceUser: ServiceUser
    serviceProvider: ServiceProvider
    interventionId: UUID
    contractTypeName: str


class SentReferral(Strict):
    id: UUID
    sentAt: AwareDatetime
    sentBy: AuthUser
    referenceNumber: str
    interventionId: UUID
    serviceUserCRN: str
    relevantSentenceId: int
    referral: ReferralFields
    assignedTo: AuthUser | None
    actionPlanId: UUID | None
    approvedActionPlanIds: list[UUID] | None
    concludedAt: AwareDatetime | None
    endOfServiceReportCreationRequired: bool
    createdBy: AuthUser


class Intervention(Strict):
    id: UUID
    title: str
    serviceProvider: ServiceProvider
    contractType: ContractType


class ActionPlan(Strict):
    id: UUID
    referralId: UUID
    submittedBy: AuthUser | None
    approvedBy: AuthUser | None
    createdBy: AuthUser
    createdAt: AwareDatetime


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def lifecycle(catalog: Catalog) -> Iterator[tuple[httpx.Client, Plan, list[dict], str]]:
    server = ApiServer(None).bind()
    BASE = server.base_url
    state = FakeApiState(BASE, catalog=catalog)
    plan = Plan(
        ScenarioLibrary().load("referral-lifecycle"),
        catalog,
        seed=9,
        base_url=BASE,
        start=datetime(2024, 5, 1, tzinfo=UTC),
    )
    events = []
    for planned in plan.events():
        state.apply(planned.event, planned.state)
        events.append(planned.event)
    server.app = create_app(state, catalog=catalog)
    with server, httpx.Client(base_url=BASE) as client:
        yield client, plan, events, BASE


def test_a_consumer_follows_detail_url_and_links_in_the_producer_types(lifecycle) -> None:
    client, plan, events, BASE = lifecycle
    approved = next(e for e in events if e["eventType"] == "intervention.action-plan.approved")
    plan_response = client.get(approved["detailUrl"].removeprefix(BASE))
    assert plan_response.status_code == 200
    action_plan = ActionPlan.model_validate(plan_response.json())
    assert action_plan.approvedBy is not None
    referral = SentReferral.model_validate(client.get(f"/sent-referral/{action_plan.referralId}").json())
    info = approved["additionalInformation"]
    assert referral.referenceNumber == info["referralReference"] and referral.actionPlanId == action_plan.id
    assert referral.serviceUserCRN == referral.referral.serviceUser.crn == plan.params["crn"]
    assert referral.referral.interventionId == referral.interventionId and referral.concludedAt is not None
    intervention = Intervention.model_validate(client.get(f"/intervention/{referral.interventionId}").json())
    assert intervention.serviceProvider.name == info["primeProviderName"] == referral.referral.serviceProvider.name
    assert intervention.contractType.name == info["contractTypeName"] == referral.referral.contractTypeName


def test_unknown_ids_are_problems_and_openapi_has_the_schemas(lifecycle, catalog: Catalog) -> None:
    client, _, _, _ = lifecycle
    missing = client.get("/intervention/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    spec = client.get("/openapi.json").json()
    for resource in catalog.api.resources.values():
        operation = spec["paths"][resource.path]["get"]
        assert {p["name"] for p in operation["parameters"]} == set(resource.params)
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        declared = catalog.api.bundled(resource.name)  # the resource file's schema, $refs inlined
        assert schema["required"] == declared["required"] and schema["properties"] == declared["properties"]
        assert "application/problem+json" in operation["responses"]["404"]["content"]
