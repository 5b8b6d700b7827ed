"""A complaint desk behind a web handler made of plain functions: request dict in, response out.

No web framework: a request is a dict (``method``, ``path``, ``headers``,
``body`` as JSON text) and a response is a dict (``status``, ``headers``,
``body`` as JSON text), so the functions drop into any framework's view, a
WSGI app or a queue consumer. What the host supplies:

* who is calling — here the ``X-Staff`` header, looked up in a staff table
  (a real host takes it from its login session);
* the command id — the ``Idempotency-Key`` header: a client that retries a
  request after a timeout sends the same key, and the desk does the command
  once and returns the first result again;
* the clock — a :class:`~propcrm.FixedClock` here so the run is repeatable; a
  server uses :class:`~propcrm.SystemClock`.

propcrm's errors map onto HTTP status codes: a bad value (ValidationError)
400, another community's record (PermissionDeniedError) 403, no such record
(NotFoundError) 404, a stale version or a reused command id (ConflictError)
409. The bottom of the script plays a short session against the handler.

Run from the repository root: ``python examples/web_handler.py``. Exits
non-zero if a response is not what the session expects.
"""

import json
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from propcrm import FixedClock
from propcrm.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PropcrmError,
    ValidationError,
)
from propcrm.records import ComplaintCase
from propcrm.services import Actor, ComplaintDesk
from propcrm.storage.memory import MemoryStore

Request = dict[str, Any]
Response = dict[str, Any]

#: propcrm's errors and the HTTP status each becomes; the first match wins.
STATUS: list[tuple[type[PropcrmError], int]] = [
    (ValidationError, 400),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
]

#: The host's staff table: who may call, in which roles, for which communities.
STAFF = {
    "desk-1": Actor("desk-1", roles=["desk_staff"], communities=["东区"]),
    "desk-9": Actor("desk-9", roles=["desk_staff"], communities=["西区"]),
}


def respond(status: int, body: object) -> Response:
    """A JSON response."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    return {"status": status, "headers": headers, "body": json.dumps(body, ensure_ascii=False)}


def error(status: int, message: str) -> Response:
    """An error response: the message says what is wrong and how to fix it."""
    return respond(status, {"error": message})


def case_json(case: ComplaintCase) -> dict[str, object]:
    """The fields of a complaint case a client shows (personal data stays out)."""
    return {
        "id": case.id,
        "community": case.community,
        "grade": case.grade.value,
        "grade_label": case.grade.label,
        "state": case.state.value,
        "owner_id": case.owner_id,
        "received_at": case.received_at.isoformat(),
        "version": case.version,
    }


class ComplaintApi:
    """The routes of the complaint desk, each a plain function of the request."""

    def __init__(self, desk: ComplaintDesk) -> None:
        self.desk = desk

    def register(self, request: Request, actor: Actor) -> Response:
        """POST /complaints: register and grade a complaint; 201 with the case."""
        body = _body(request)
        case = self.desk.register(
            command_id=_command_id(request),
            actor=actor,
            complaint_id=_field(body, "complaint_id"),
            community=_field(body, "community"),
            customer_id=_field(body, "customer_id"),
            summary=_field(body, "summary"),
            category=_field(body, "category"),
            subject=_field(body, "subject"),
            headcount=body.get("headcount"),
        )
        return respond(201, case_json(case))

    def handled(self, request: Request, actor: Actor, complaint_id: str) -> Response:
        """POST /complaints/{id}/handled: record the result (with the version read); 200."""
        body = _body(request)
        case = self.desk.mark_handled(
            command_id=_command_id(request),
            actor=actor,
            complaint_id=complaint_id,
            result=_field(body, "result"),
            version=body.get("version"),
        )
        return respond(200, case_json(case))

    def show(self, request: Request, actor: Actor, complaint_id: str) -> Response:
        """GET /complaints/{id}: the case, if the caller acts for its community; 200."""
        case = self.desk.store.complaint_cases.get(complaint_id)
        actor.require(case.community)
        return respond(200, case_json(case))

    def handle(self, request: Request) -> Response:
        """Route one request and turn propcrm's errors into HTTP statuses."""
        actor = STAFF.get(request.get("headers", {}).get("X-Staff", ""))
        if actor is None:
            return error(403, "X-Staff: unknown caller; sign in as a member of staff")
        route = self._route(request.get("method", ""), request.get("path", ""))
        if route is None:
            return error(404, f"no route {request.get('method')} {request.get('path')}")
        try:
            return route(request, actor)
        except PropcrmError as e:
            for kind, status in STATUS:
                if isinstance(e, kind):
                    return error(status, str(e))
            raise  # another propcrm error is a server fault: let the host log it (500)

    def _route(self, method: str, path: str) -> Callable[[Request, Actor], Response] | None:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["complaints"]:
            return self.register
        if method == "GET" and len(parts) == 2 and parts[0] == "complaints":
            return lambda request, actor: self.show(request, actor, parts[1])
        if method == "POST" and len(parts) == 3 and parts[::2] == ["complaints", "handled"]:
            return lambda request, actor: self.handled(request, actor, parts[1])
        return None


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get("body") or "{}")
    except json.JSONDecodeError as e:
        raise ValidationError("body", f"body: not JSON ({e.msg}); send a JSON object", None) from e
    if not isinstance(body, dict):
        raise ValidationError("body", "body: send a JSON object", body)
    return body


def _field(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise ValidationError(name, f"{name}: missing from the body; add it", None)
    return body[name]


def _command_id(request: Request) -> str:
    key = request.get("headers", {}).get("Idempotency-Key")
    if not key:
        raise ValidationError(
            "Idempotency-Key", "Idempotency-Key: header missing; send a unique key per command", key
        )
    return str(key)


# --- a short session against the handler -----------------------------------------------------

if __name__ == "__main__":
    clock = FixedClock(datetime(2025, 3, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    api = ComplaintApi(ComplaintDesk(MemoryStore(), clock=clock))
    problems: list[str] = []

    def call(method: str, path: str, staff: str, key: str | None, body: object) -> Response:
        headers = {"X-Staff": staff, **({"Idempotency-Key": key} if key else {})}
        request = {"method": method, "path": path, "headers": headers, "body": json.dumps(body)}
        response = api.handle(request)
        print(f"{method} {path} as {staff} -> {response['status']} {response['body']}")
        return response

    def expect(response: Response, status: int, what: str) -> dict[str, Any]:
        if response["status"] != status:
            problems.append(f"{what}: expected {status}, got {response['status']}")
        return json.loads(response["body"])  # type: ignore[no-any-return]

    new = {
        "complaint_id": "C-17", "community": "东区", "customer_id": "cust-1",
        "summary": "pump room hums at night", "category": "noise", "subject": "pump room",
        "headcount": 3,
    }  # fmt: skip
    made = expect(call("POST", "/complaints", "desk-1", "k-1", new), 201, "register")
    if made.get("grade") != "hot":
        problems.append("a collective complaint by 3 people is HOT (002 §40)")
    expect(call("POST", "/complaints", "desk-1", "k-1", new), 201, "the same key again")
    expect(call("POST", "/complaints", "desk-1", None, new), 400, "no Idempotency-Key")
    expect(call("POST", "/complaints", "desk-1", "k-2", new), 409, "the id is taken")
    expect(call("POST", "/complaints", "desk-1", "k-3", {**new, "headcount": 0}), 400, "bad count")
    expect(call("GET", "/complaints/C-17", "desk-9", None, {}), 403, "another community's desk")
    expect(call("GET", "/complaints/C-404", "desk-1", None, {}), 404, "no such complaint")

    clock.advance(timedelta(hours=5))
    # A client that read the case before another desk changed it sends an old version.
    stale = {"result": "pump mounts replaced", "version": made["version"] - 1}
    expect(call("POST", "/complaints/C-17/handled", "desk-1", "k-4", stale), 409, "stale version")
    done = {"result": "pump mounts replaced", "version": made["version"]}
    handled = call("POST", "/complaints/C-17/handled", "desk-1", "k-5", done)
    if expect(handled, 200, "handled").get("state") != "handled":
        problems.append("the case must be handled")

    if problems:
        sys.exit("unexpected: " + "; ".join(problems))
    print("every response was as expected")
