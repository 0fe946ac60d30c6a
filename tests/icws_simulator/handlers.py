"""Handlers of the ICWS endpoints (called by the raw-path router in app.py)."""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .messages import MWI_STATE_MESSAGE
from .proxy import html_page
from .responses import (
    COOKIE_EXPECTED,
    CSRF_EXPECTED,
    GENERIC_FAILURE_CODE,
    NOT_FOUND_CODE,
    NOT_FOUND_ID,
    empty,
    error,
    fault_body,
    invalid_property,
    json_response,
    malformed,
    missing_property,
    not_found,
    session_ended,
    unauthorized,
)
from .sse import stream_messages
from .state import RecordedRequest, Session

if TYPE_CHECKING:
    from .simulator import IcwsSimulator

IC_AUTH = "urn:inin.com:connection:icAuthConnectionRequestSettings"
OTHER_AUTH = {
    "urn:inin.com:connection:authTokenConnectionRequestSettings",
    "urn:inin.com:connection:singleSignOnTokenConnectionRequestSettings",
}
STATION_TYPES = {
    "urn:inin.com:connection:workstationSettings": "workstation",
    "urn:inin.com:connection:remoteWorkstationSettings": "workstation",
    "urn:inin.com:connection:remoteNumberSettings": "remoteNumber",
    "urn:inin.com:connection:stationlessSettings": "",
}
CURRENT_STATION = "urn:inin.com:unifiedMessaging:currentStation"
PLAY_TARGET = "urn:inin.com:unifiedMessaging:voicemailPlayTarget"
_ESCAPE = re.compile(r"\\(.)")


def host_name(request: web.BaseRequest) -> str:
    """Return the Host header without its port, lowercased."""
    host = request.headers.get("Host", "").strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit():
        return name
    return host


def local_port(request: web.BaseRequest) -> int:
    """Return the port the request arrived on."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if isinstance(sockname, tuple) and len(sockname) >= 2:
        return int(sockname[1])
    return request.url.port or 0


def parse_json(body: bytes) -> tuple[Any, web.Response | None]:
    """Parse a request body; a 400 malformed answer when it is not JSON."""
    try:
        return json.loads(body), None
    except ValueError:
        return None, malformed()


def find_cookie(
    request: web.BaseRequest, name: str, *, accept_quoted: bool
) -> str | None:
    """Return the raw value of a cookie from the Cookie headers.

    A quoted value counts as missing unless `accept_quoted`.
    """
    for header in request.headers.getall("Cookie", []):
        for part in header.split(";"):
            key, sep, value = part.strip().partition("=")
            if not sep or key.strip() != name:
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                if not accept_quoted:
                    return None
                value = _ESCAPE.sub(r"\1", value[1:-1])
            return value
    return None


# --- Session checks --------------------------------------------------------------------------


def check_session(
    sim: IcwsSimulator,
    request: web.Request,
    session_id: str,
    *,
    csrf: bool = True,
    drain: bool = False,
    connection_state: bool = False,
) -> Session | web.Response:
    """Return the session of a `/icws/{sessionId}/...` request, or the 401 to answer."""
    session = sim.sessions.get(session_id)
    if session is None or session.forgotten:
        return unauthorized("This request requires a session ID!", error_code=1)
    cookie = find_cookie(
        request, f"icws_{session_id}", accept_quoted=sim.settings.accept_quoted_cookie
    )
    if cookie is None or cookie != session.cookie_value:
        return unauthorized(COOKIE_EXPECTED, error_code=4)
    if csrf and request.headers.get("ININ-ICWS-CSRF-Token") != session.csrf_token:
        return unauthorized(
            CSRF_EXPECTED,
            error_code=2,
        )
    if not session.alive:
        if drain and session.queue and sim.settings.deliver_queue_after_down:
            return session
        if connection_state and sim.settings.previous_connection_state_visible:
            return session
        return session_ended()
    session.last_activity = time.monotonic()
    return session


# --- Connection ------------------------------------------------------------------------------


def get_connection(session: Session) -> web.Response:
    """`GET /icws/{id}/connection`: connectionState 1 up, 2 down."""
    if session.alive:
        return json_response(200, {"connectionState": 1})
    return json_response(
        200,
        {
            "connectionState": 2,
            "reason": session.reason,
            "shouldReconnect": session.reason == "Switchover",
        },
    )


def logout(sim: IcwsSimulator, session: Session) -> web.Response:
    """`DELETE /icws/{id}/connection`."""
    sim.end_session(session, "UserLogOff")
    return empty(sim.settings.logout_status)


def put_station(sim: IcwsSimulator, session: Session, body: bytes) -> web.Response:
    """`PUT /icws/{id}/connection/station`."""
    data, failure = parse_json(body)
    if failure is not None:
        return failure
    if not isinstance(data, dict):
        return malformed()
    station_type = data.get("__type")
    if station_type is None:
        return missing_property("__type")
    if station_type not in STATION_TYPES:
        return invalid_property("__type")
    field_name = STATION_TYPES[station_type]
    if not field_name:
        session.station = None
        return empty(sim.settings.station_put_status)
    value = data.get(field_name)
    if value is None or value == "":
        return missing_property(field_name)
    if not isinstance(value, str):
        return invalid_property(field_name)
    session.station = value
    return empty(sim.settings.station_put_status)


def get_station(session: Session) -> web.Response:
    """`GET /icws/{id}/connection/station`."""
    if session.station is None:
        return station_not_found()
    return json_response(200, {"stationId": session.station})


def delete_station(session: Session) -> web.Response:
    """`DELETE /icws/{id}/connection/station`."""
    session.station = None
    return empty(204)


def station_not_found(message: str = "The station could not be found.") -> web.Response:
    """400 with the numeric-string errorId older servers use for "not found"."""
    return error(
        400,
        message,
        errorId=NOT_FOUND_ID,
        errorCode=NOT_FOUND_CODE,
    )


# --- Messaging -------------------------------------------------------------------------------


def wants_stream(sim: IcwsSimulator, request: web.Request) -> bool:
    """Whether a GET messages request opens the event stream (Accept and messaging >= 2)."""
    accept = request.headers.get("Accept", "").lower()
    return "text/event-stream" in accept and sim.settings.messaging_version >= 2


def stream_refusal(sim: IcwsSimulator, request: web.Request) -> web.Response | None:
    """Return `stream_status`'s answer to an event-stream request (else None).

    401: the cookie-expected body (a proxy stripped the cookie); any other status: a
    reverse proxy's HTML page (502, 504).
    """
    status = sim.settings.stream_status
    accept = request.headers.get("Accept", "").lower()
    if status is None or "text/event-stream" not in accept:
        return None
    if status == 401:
        return unauthorized(COOKIE_EXPECTED, error_code=4)
    return html_page(status)


async def get_messages(
    sim: IcwsSimulator, request: web.Request, session: Session, record: RecordedRequest
) -> web.StreamResponse:
    """`GET /icws/{id}/messaging/messages`: short poll (drains the queue) or SSE."""
    if wants_stream(sim, request):
        return await stream_messages(sim, request, session, record)
    items = list(session.queue)
    session.queue.clear()
    if not items and sim.settings.empty_poll_answer == "204":
        return empty(204)
    if not items and sim.settings.empty_poll_answer == "empty_200":
        return json_response(200, text="")
    return json_response(200, text="[" + ",".join(items) + "]")


def subscribe(
    sim: IcwsSimulator, session: Session, kind: str, method: str
) -> web.Response:
    """PUT/DELETE of the voicemail, fax and messages-waiting-indicator subscriptions."""
    s = sim.settings
    if method != "PUT":
        if kind == "voicemail-messages":
            session.voicemail_subscribed = False
        elif kind == "fax-messages":
            session.fax_subscribed = False
        else:
            session.mwi_subscribed = False
            session.last_mwi = None
        return empty(s.subscription_delete_status)
    if kind == "messages-waiting-indicator" and s.mwi_subscription_status is not None:
        return _mwi_unavailable(s.mwi_subscription_status)
    active = {
        "voicemail-messages": session.voicemail_subscribed,
        "fax-messages": session.fax_subscribed,
        "messages-waiting-indicator": session.mwi_subscribed,
    }[kind]
    if active and s.repeated_subscription_put == "error":
        return error(
            400,
            "The subscription already exists.",
            errorId="error.request.subscription.alreadyExists",
        )
    fault = (
        session.user.store_fault
        if kind == "voicemail-messages"
        else session.user.mwi_fault
        if kind == "messages-waiting-indicator"
        else None
    )
    if fault is not None and s.faulted_subscription_put == "error":
        return error(500, fault.message, errorCode=GENERIC_FAILURE_CODE)
    send = not active or s.repeated_subscription_put == "snapshot"
    if kind == "voicemail-messages":
        session.voicemail_subscribed = True
        if send:
            sim.send_snapshot(session)
    elif kind == "fax-messages":
        session.fax_subscribed = True
        if send:
            session.push(sim.fax_snapshot_json(session.user, sim.item_origin(session)))
    else:
        session.mwi_subscribed = True
        if send and fault is not None:
            session.push(
                sim.state_message_json(MWI_STATE_MESSAGE, fault.state, fault.message)
            )
        elif send:
            sim.send_mwi(session)
    return empty(s.subscription_put_status)


def _mwi_unavailable(status: int) -> web.Response:
    """Answer as a server (or licence) without the messages-waiting indicator."""
    if status == 404:
        return not_found()
    if status == 403:
        return error(
            403,
            "The user does not have the rights for this resource.",
            errorId="error.request.accessDenied",
        )
    if status == 400:
        return invalid_property(
            "messages-waiting-indicator", "The subscription is not supported."
        )
    return json_response(status, fault_body(status))


def count_refresh(sim: IcwsSimulator, session: Session) -> web.Response:
    """`PUT /icws/{id}/unified-messaging/messages-waiting-indicator/count-refresh`."""
    if session.mwi_subscribed:
        sim.send_mwi(session)
    return empty(sim.settings.count_refresh_status)
