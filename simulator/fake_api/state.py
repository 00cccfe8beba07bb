"""The fake business API's data: what the producer's database would hold after the events played so far.

Fed by published events (and a step's `state:` extras), it keeps one JSON resource per detailUrl path, so a
consumer that follows an event's `detailUrl` finds data consistent with what happened: after
`intervention.referral.assigned`, `/sent-referral/{id}` shows the assignee; after `concluded`, its end state.
Event types this module does not know still get a resource at their detailUrl (their additionalInformation),
so another producer's catalogue works too, only more plainly.

Thread safe: the runner writes while uvicorn's loop reads. Reads return ready-serialised JSON bytes (cached per
resource until it changes), which keeps the detail endpoint cheap under load.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

__all__ = ["FakeApiState", "StateSink"]

Resource = dict[str, Any]


class StateSink(Protocol):
    """Where a run records the producer's state: this module's FakeApiState, or a remote one."""

    def apply(self, event: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Any: ...

    def flush(self) -> None: ...


class FakeApiState:
    """Resources by path (`/sent-referral/<id>`), built from events. `base_url` is the fake API's own address:
    its path prefix, if any, is stripped from detailUrls."""

    def __init__(self, base_url: str = "") -> None:
        self._prefix = urlsplit(base_url).path.rstrip("/")
        self._base = base_url.rstrip("/")
        self._lock = threading.Lock()
        self._resources: dict[str, Resource] = {}
        self._json: dict[str, bytes] = {}
        self.events_applied = 0

    # -- writing ------------------------------------------------------------------------------------------------

    def apply(self, event: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> str | None:
        """Record what `event` says happened, plus `extra` (a step's `state:`) merged into the resource at its
        detailUrl. Returns that path, or None when the event has no usable detailUrl."""
        path = self.path_of(event.get("detailUrl"))
        if path is None:
            return None
        event_type = str(event.get("eventType", ""))
        info = event.get("additionalInformation")
        info = info if isinstance(info, Mapping) else {}
        context = _Context(event, info, path, str(event.get("occurredAt", "")), extra or {})
        handler = _HANDLERS.get(event_type.partition(".")[2], _generic)
        with self._lock:
            touched = handler(self, context)
            if extra:
                _deep_merge(self._resource(path), extra)
                touched.add(path)
            for changed in touched:
                self._json.pop(changed, None)
            self.events_applied += 1
        return path

    def flush(self) -> None:
        """Nothing to do: changes are applied at once (a remote state sends its queued changes here)."""

    def reset(self) -> None:
        """Forget everything (the control API's POST /_tidings/reset)."""
        with self._lock:
            self._resources.clear()
            self._json.clear()
            self.events_applied = 0

    def _resource(self, path: str, **initial: Any) -> Resource:
        resource = self._resources.get(path)
        if resource is None:
            resource = self._resources[path] = dict(initial)
        return resource

    # -- reading ------------------------------------------------------------------------------------------------

    def get(self, path: str) -> Resource | None:
        """A copy of the resource at `path`, or None."""
        body = self.get_json(path)
        return None if body is None else json.loads(body)

    def get_json(self, path: str) -> bytes | None:
        """The resource at `path` as JSON bytes, or None."""
        body = self._json.get(path)
        if body is not None:
            return body
        with self._lock:
            resource = self._resources.get(path)
            if resource is None:
                return None
            body = self._json[path] = json.dumps(resource, separators=(",", ":")).encode()
            return body

    def paths(self) -> list[str]:
        """Every path that has a resource, sorted."""
        with self._lock:
            return sorted(self._resources)

    def __len__(self) -> int:
        return len(self._resources)

    def path_of(self, detail_url: object) -> str | None:
        """The path an event's detailUrl names on this API (its base path prefix removed)."""
        if not isinstance(detail_url, str) or not detail_url:
            return None
        if self._base and detail_url.startswith(self._base + "/") and "?" not in detail_url and "#" not in detail_url:
            path = detail_url[len(self._base) :]  # the usual case, without parsing the URL
            return unquote(path) if "%" in path else path
        path = unquote(urlsplit(detail_url).path)
        if self._prefix and path.startswith(self._prefix + "/"):
            path = path[len(self._prefix) :]
        return path or None


class _Context:
    __slots__ = ("event", "extra", "info", "path", "when")

    def __init__(
        self, event: Mapping[str, Any], info: Mapping[str, Any], path: str, when: str, extra: Mapping[str, Any]
    ) -> None:
        self.event, self.info, self.path, self.when, self.extra = event, info, path, when, extra

    @property
    def crn(self) -> str | None:
        for identifier in self.event.get("personReference", {}).get("identifiers", []) or []:
            if isinstance(identifier, Mapping) and identifier.get("type") == "CRN":
                return str(identifier.get("value"))
        return self.info.get("serviceUserCRN")


def _referral(state: FakeApiState, referral_id: Any, context: _Context) -> Resource:
    """The referral at /sent-referral/{id}, created on first mention (events may be played out of order)."""
    return state._resource(
        f"/sent-referral/{referral_id}",
        id=referral_id,
        referenceNumber=None,
        serviceUser={"crn": context.crn},
        sentAt=None,
        sentBy=None,
        assignedTo=None,
        assignedAt=None,
        actionPlanId=None,
        endOfServiceReportId=None,
        endRequestedAt=None,
        withdrawalCode=None,
        concludedAt=None,
        endState=None,
        status="SENT",
    )


def _sent(state: FakeApiState, c: _Context) -> set[str]:
    referral = _referral(state, c.info.get("referralId"), c)
    referral["sentAt"] = c.when
    return {c.path}


def _assigned(state: FakeApiState, c: _Context) -> set[str]:
    referral = _referral(state, c.info.get("referralId"), c)
    referral.update(assignedTo={"username": c.info.get("assignedTo")}, assignedAt=c.when)
    if referral["status"] == "SENT":
        referral["status"] = "ASSIGNED"
    return {c.path}


def _ended(state: FakeApiState, c: _Context) -> set[str]:
    referral = _referral(state, c.info.get("referralId"), c)
    referral.update(endRequestedAt=c.when, withdrawalCode=c.info.get("withdrawalCode"), status="ENDED")
    referral["endState"] = c.info.get("deliveryState")
    return {c.path}


def _concluded(state: FakeApiState, c: _Context) -> set[str]:
    referral = _referral(state, c.info.get("referralId"), c)
    referral.update(concludedAt=c.when, endState=c.info.get("deliveryState"), status="CONCLUDED")
    return {c.path}


def _action_plan(verb: str) -> Callable[[FakeApiState, _Context], set[str]]:
    def handle(state: FakeApiState, c: _Context) -> set[str]:
        plan = state._resource(
            c.path,
            id=c.info.get("actionPlanId"),
            referralId=c.info.get("referralId"),
            submittedBy=None,
            submittedAt=None,
            approvedBy=None,
            approvedAt=None,
            status="DRAFT",
        )
        if verb == "submitted":
            plan.update(submittedBy=c.info.get("submittedBy"), submittedAt=c.when, status="SUBMITTED")
        else:
            plan.update(approvedBy=c.info.get("approvedBy"), approvedAt=c.when, status="APPROVED")
        touched = {c.path}
        if c.info.get("referralId"):
            _referral(state, c.info["referralId"], c)["actionPlanId"] = c.info.get("actionPlanId")
            touched.add(f"/sent-referral/{c.info['referralId']}")
        return touched

    return handle


def _appointment(kind: str, verb: str) -> Callable[[FakeApiState, _Context], set[str]]:
    """Delivery sessions (/referral/{id}/sessions/{n}) and the supplier assessment share one shape."""

    def handle(state: FakeApiState, c: _Context) -> set[str]:
        initial: dict[str, Any] = {"referralId": c.info.get("referralId")}
        if kind == "session":
            number = c.path.rstrip("/").rpartition("/")[2]
            initial["sessionNumber"] = int(number) if number.isdigit() else number
        initial |= {"attended": None, "attendanceRecordedAt": None, "feedbackSubmittedAt": None}
        appointment = state._resource(c.path, **initial)
        if verb == "attended":
            appointment.update(attended="YES", attendanceRecordedAt=c.when)
        elif verb == "missed":
            appointment.update(attended="NO", attendanceRecordedAt=c.when)
        else:
            appointment["feedbackSubmittedAt"] = c.when
            if c.info.get("deliusAppointmentId") is not None:
                appointment["deliusAppointmentId"] = c.info["deliusAppointmentId"]
        return {c.path}

    return handle


def _end_of_service_report(state: FakeApiState, c: _Context) -> set[str]:
    report = state._resource(c.path, id=c.info.get("endOfServiceReportId"), referralId=None)
    report.update(submittedBy=c.info.get("submittedBy"), submittedAt=c.when, serviceUser={"crn": c.crn})
    touched = {c.path}
    # The event does not say whose report it is; a scenario's `state: {referralId: …}` does.
    referral_id = c.extra.get("referralId")
    if referral_id:
        _referral(state, referral_id, c)["endOfServiceReportId"] = c.info.get("endOfServiceReportId")
        touched.add(f"/sent-referral/{referral_id}")
    return touched


def _generic(state: FakeApiState, c: _Context) -> set[str]:
    """An event type not modelled here: its additionalInformation, and when it last happened."""
    resource = state._resource(c.path)
    resource.update(c.info)
    resource["lastEvent"] = {"eventType": c.event.get("eventType"), "occurredAt": c.when}
    return {c.path}


# Keyed by event type without its producer prefix (`intervention.`), so a renamed producer still matches.
_HANDLERS: dict[str, Callable[[FakeApiState, _Context], set[str]]] = {
    "referral.sent": _sent,
    "referral.assigned": _assigned,
    "referral.ended": _ended,
    "referral.concluded": _concluded,
    "action-plan.submitted": _action_plan("submitted"),
    "action-plan.approved": _action_plan("approved"),
    "session-appointment.attended": _appointment("session", "attended"),
    "session-appointment.missed": _appointment("session", "missed"),
    "session-appointment.session-feedback-submitted": _appointment("session", "feedback"),
    "initial-assessment-appointment.attended": _appointment("assessment", "attended"),
    "initial-assessment-appointment.missed": _appointment("assessment", "missed"),
    "initial-assessment-appointment.session-feedback-submitted": _appointment("assessment", "feedback"),
    "end-of-service-report.submitted": _end_of_service_report,
}


def _deep_merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = json.loads(json.dumps(value))  # a private copy: the caller keeps its own
