"""Handlers of the ICWS endpoints (called by the raw-path router in app.py)."""

from __future__ import annotations

from datetime import UTC, datetime
import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from .responses import (
    NOT_FOUND_CODE,
    NOT_FOUND_ID,
    authentication_failed,
    empty,
    error,
    invalid_property,
    json_response,
    malformed,
    missing_property,
    not_found,
    session_ended,
    unauthorized,
    variant_error,
)
from .sse import stream_messages
from .state import RecordedRequest, Session, StoredVoicemail, format_date

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


def features(sim: IcwsSimulator) -> list[dict[str, Any]]:
    """Return the server's `featureInfoList`."""
    s = sim.settings
    result: list[dict[str, Any]] = [
        {"featureId": "connection", "version": s.connection_version},
        {"featureId": "messaging", "version": s.messaging_version},
    ]
    if s.unified_messaging_version is not None:
        result.append(
            {"featureId": "unified-messaging", "version": s.unified_messaging_version}
        )
    result.extend(
        {"featureId": key, "version": value} for key, value in s.extra_features.items()
    )
    return result


# --- Sessionless endpoints -------------------------------------------------------------------


async def login(sim: IcwsSimulator, request: web.Request, body: bytes) -> web.Response:
    """`POST /icws/connection`."""
    s = sim.settings
    host = host_name(request)
    scheme = "https" if sim.tls else "http"
    if s.login_redirect_status is not None and host != s.login_redirect_host.lower():
        return json_response(
            s.login_redirect_status,
            {"alternateHostList": [s.login_redirect_host]},
            headers={
                "Location": f"{scheme}://{s.login_redirect_host}:{local_port(request)}/icws/connection"
            },
        )
    refusal = _refusal(sim, host)
    if refusal is not None:
        return refusal
    accept_language = request.headers.get("Accept-Language", "").strip()
    if not accept_language:
        return missing_property(
            "Accept-Language", "The Accept-Language header is required."
        )
    language = accept_language.split(",")[0].split(";")[0].strip().lower() or "en-us"
    data, failure = parse_json(body)
    if failure is not None:
        return failure
    if not isinstance(data, dict):
        return malformed(
            "The request body must be a connection request settings object."
        )
    auth_type = data.get("__type")
    if auth_type is None:
        return missing_property("__type")
    if auth_type in OTHER_AUTH:
        return authentication_failed()
    if auth_type != IC_AUTH:
        return invalid_property("__type")
    for name in ("applicationName", "userID", "password"):
        value = data.get(name)
        if value is None or value == "":
            return missing_property(name)
        if not isinstance(value, str):
            return invalid_property(name)
    if s.sdk_license_error_status is not None:
        return error(
            s.sdk_license_error_status,
            "The server does not have the license needed for this application.",
            errorId="error.request.connection.licenseNotAvailable",
        )
    user = sim.users.get(data["userID"]) or next(
        (u for u in sim.users.values() if u.user_id.lower() == data["userID"].lower()),
        None,
    )
    if user is None or user.locked or user.password != data["password"]:
        return authentication_failed()
    if s.max_sessions_per_user is not None:
        live = sim.live_sessions(user.user_id)
        excess = len(live) - s.max_sessions_per_user + 1
        if excess > 0:
            if not s.session_limit_evicts_oldest:
                return error(
                    400,
                    "The maximum number of sessions for this user has been reached.",
                    errorId="error.request.connection.sessionLimitReached",
                )
            for old in live[:excess]:
                sim.disconnect_session(
                    old, reason="AnotherLogOn", should_reconnect=False
                )
    peer = request.remote or ""
    session = sim.create_session(
        user,
        application_name=data["applicationName"],
        language=language,
        host=host,
        client_ip=peer,
    )
    payload: dict[str, Any] = {
        "csrfToken": session.csrf_token,
        "sessionId": session.session_id,
        "alternateHostList": list(s.alternate_host_list),
        "userID": user.user_id,
        "userDisplayName": user.display_name,
        "icServer": s.ic_server,
    }
    payload.update(login_extras(sim, request.query.get("include", "")))
    cookie = f"icws_{session.session_id}={session.cookie_value}; Path=/icws/{session.session_id}; HttpOnly"
    if sim.tls:
        cookie += "; Secure"
        strict = {"Strict-Transport-Security": "max-age=31536000"}
    else:
        strict = {}
    response = json_response(
        201,
        payload,
        headers={
            "ININ-ICWS-Session-ID": session.session_id,
            "ININ-ICWS-CSRF-Token": session.csrf_token,
            "Location": f"/icws/{session.session_id}/connection",
            **strict,
        },
    )
    response.headers["Set-Cookie"] = cookie
    return response


def _refusal(sim: IcwsSimulator, host: str) -> web.Response | None:
    """Return the 503 of a host that does not accept logins (switchover), else None."""
    s = sim.settings
    refusing = {name.lower(): hosts for name, hosts in s.refusing_hosts.items()}
    alternates: tuple[str, ...] | None = None
    if host in refusing:
        alternates = tuple(refusing[host])
    elif sim.switched_over_to is not None and host not in sim.switched_over_to:
        alternates = sim.switched_over_to
    if alternates is None:
        return None
    return json_response(
        503,
        {
            "alternateHostList": list(alternates),
            "errorId": "error.server.notAcceptingConnections",
            "message": "This Session Manager is not currently accepting connections.",
        },
    )


def login_extras(sim: IcwsSimulator, include_param: str) -> dict[str, Any]:
    """Return the login body fields the `include` query asks for."""
    s = sim.settings
    include = {
        part.strip().lower() for part in include_param.split(",") if part.strip()
    }
    payload: dict[str, Any] = {}
    if "features" in include:
        payload["features"] = features(sim)
    if "version" in include:
        payload["version"] = dict(s.server_version)
    if "server-time" in include:
        payload["serverTimeInfo"] = {
            "serverUtcTime": format_date(datetime.now(UTC), s.date_format)
        }
    if "default-workstation" in include:
        payload["defaultWorkstationId"] = None
    if "effective-station" in include:
        payload["effectiveStation"] = None
    if "purecloud-integration" in include:
        payload["purecloudIntegration"] = {
            "integrationEnabled": False,
            "webRTCIntegrationEnabled": False,
        }
    return payload


def get_features(sim: IcwsSimulator, feature_id: str | None) -> web.Response:
    """`GET /icws/connection/features[/{featureId}]`."""
    all_features = features(sim)
    if feature_id is None:
        return json_response(200, {"featureInfoList": all_features})
    for feature in all_features:
        if feature["featureId"] == feature_id:
            return json_response(200, feature)
    return invalid_property(
        "featureId", f"The feature '{feature_id}' is not supported."
    )


def get_version(sim: IcwsSimulator) -> web.Response:
    """`GET /icws/connection/version`."""
    return json_response(200, dict(sim.settings.server_version))


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
    if session is None:
        return unauthorized("This request requires a session ID!", error_code=1)
    cookie = find_cookie(
        request, f"icws_{session_id}", accept_quoted=sim.settings.accept_quoted_cookie
    )
    if cookie is None or cookie != session.cookie_value:
        return unauthorized(
            "A session cookie was expected in the request, but not found.", error_code=4
        )
    if csrf and request.headers.get("ININ-ICWS-CSRF-Token") != session.csrf_token:
        return unauthorized(
            "An authentication token was expected in the request, but not found.",
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


async def get_messages(
    sim: IcwsSimulator, request: web.Request, session: Session, record: RecordedRequest
) -> web.StreamResponse:
    """`GET /icws/{id}/messaging/messages`: short poll (drains the queue) or SSE."""
    accept = request.headers.get("Accept", "").lower()
    if "text/event-stream" in accept and sim.settings.messaging_version >= 2:
        return await stream_messages(sim, request, session, record)
    items = list(session.queue)
    session.queue.clear()
    return json_response(200, text="[" + ",".join(items) + "]")


def subscribe(
    sim: IcwsSimulator, session: Session, kind: str, method: str
) -> web.Response:
    """PUT/DELETE of the voicemail, fax and messages-waiting-indicator subscriptions."""
    s = sim.settings
    on = method == "PUT"
    if kind == "voicemail-messages":
        session.voicemail_subscribed = on
        if on:
            session.push(sim.snapshot_json(session.user))
    elif kind == "fax-messages":
        session.fax_subscribed = on
        if on:
            session.push(sim.fax_snapshot_json(session.user))
    else:
        session.mwi_subscribed = on
        if on:
            sim.send_mwi(session)
        else:
            session.last_mwi = None
    return empty(s.subscription_put_status if on else s.subscription_delete_status)


def count_refresh(sim: IcwsSimulator, session: Session) -> web.Response:
    """`PUT /icws/{id}/unified-messaging/messages-waiting-indicator/count-refresh`."""
    if session.mwi_subscribed:
        sim.send_mwi(session)
    return empty(sim.settings.count_refresh_status)


# --- Unified messaging -----------------------------------------------------------------------


def find_message(
    sim: IcwsSimulator, session: Session, raw_id: str
) -> StoredVoicemail | web.Response:
    """Return the message a (percent-encoded) path segment names, or the error."""
    message_id = unquote(raw_id)
    vm = session.user.mailbox.get(message_id)
    if vm is not None:
        return vm
    status = sim.settings.unknown_message_status
    if status == 404:
        return not_found("The unified message could not be found.")
    return invalid_property(
        "unifiedMessageId", "The unified message could not be found.", status=status
    )


def _state_field(data: Any) -> int | web.Response:
    if not isinstance(data, dict):
        return malformed()
    state = data.get("state")
    if state is None:
        return missing_property("state")
    if isinstance(state, bool) or state not in (0, 1):
        return invalid_property("state")
    return int(state)


def _message_request(
    sim: IcwsSimulator, session: Session, raw_id: str, body: bytes
) -> tuple[StoredVoicemail, int, dict[str, Any]] | web.Response:
    """Parse a `{state, ...}` body and find its message: both, with the body, or the error."""
    data, failure = parse_json(body)
    if failure is not None:
        return failure
    state = _state_field(data)
    if isinstance(state, web.Response):
        return state
    vm = find_message(sim, session, raw_id)
    if isinstance(vm, web.Response):
        return vm
    return vm, state, data


def update_message(
    sim: IcwsSimulator, session: Session, raw_id: str, body: bytes
) -> web.Response:
    """`PUT /icws/{id}/unified-messaging/{umId}` `{state}`."""
    request = _message_request(sim, session, raw_id, body)
    if isinstance(request, web.Response):
        return request
    vm, state, _ = request
    sim.update_state(session.user, vm, state == 1)
    return empty(204)


def delete_message(sim: IcwsSimulator, session: Session, raw_id: str) -> web.Response:
    """`DELETE /icws/{id}/unified-messaging/{umId}`."""
    vm = find_message(sim, session, raw_id)
    if isinstance(vm, web.Response):
        return vm
    sim.remove_voicemail(session.user.user_id, vm.message_id)
    return empty(sim.settings.delete_status)


def play_start(
    sim: IcwsSimulator, session: Session, raw_id: str, body: bytes
) -> web.Response:
    """`POST .../{umId}/voicemail-message/play/start` `{state, playTarget?}`."""
    s = sim.settings
    request = _message_request(sim, session, raw_id, body)
    if isinstance(request, web.Response):
        return request
    vm, state, data = request
    if vm.kind != "voicemail":
        return variant_error(
            s.fax_error_variant,
            message="Play is not allowed on a unified message of this type.",
        )
    play_target = data.get("playTarget")
    target: str | None
    if play_target is None:
        if s.default_play_target == "reject":
            return missing_property("playTarget")
        target = None
    elif not isinstance(play_target, dict):
        return invalid_property("playTarget")
    elif play_target.get("__type") == CURRENT_STATION:
        target = None
    elif play_target.get("__type") == PLAY_TARGET:
        value = play_target.get("target")
        if value is None or value == "":
            return missing_property("target")
        if not isinstance(value, str) or not value.strip():
            return invalid_property("target")
        if s.valid_play_targets is not None and value not in s.valid_play_targets:
            return station_not_found("The play target could not be found.")
        target = value
    else:
        return invalid_property("playTarget")
    if target is None:
        if session.station is None and s.require_station_for_current_station:
            return station_not_found()
        target = session.station or "current station"
    if s.play_applies_state and vm.state != state:
        sim.update_state(session.user, vm, state == 1)
    sim.start_playback(session, vm, target)
    return empty(s.play_start_status)


def play_stop(sim: IcwsSimulator, session: Session, raw_id: str) -> web.Response:
    """`POST .../{umId}/voicemail-message/play/stop` (no body): 204 + playStatus 1."""
    s = sim.settings
    vm = find_message(sim, session, raw_id)
    if isinstance(vm, web.Response):
        return vm
    if vm.kind != "voicemail":
        return variant_error(s.fax_error_variant)
    user = session.user
    playback = user.playback
    if (
        playback is not None
        and playback.message_id == vm.message_id
        and (s.stop_across_sessions or playback.session_id == session.session_id)
    ):
        sim.end_playback(user)
        return empty(204)
    if s.stop_when_idle_status < 300:
        if session.voicemail_subscribed:
            session.push(sim.play_status_json(vm.message_id, 1))
        return empty(s.stop_when_idle_status)
    return invalid_property(
        "unifiedMessageId",
        "The unified message is not being played.",
        status=s.stop_when_idle_status,
    )
