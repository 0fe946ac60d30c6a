"""Sessionless endpoints: login (`POST /icws/connection`), features, version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .handlers import host_name, local_port, parse_json
from .responses import (
    authentication_failed,
    error,
    invalid_property,
    json_response,
    malformed,
    missing_property,
)
from .state import format_date

if TYPE_CHECKING:
    from .simulator import IcwsSimulator

IC_AUTH = "urn:inin.com:connection:icAuthConnectionRequestSettings"
OTHER_AUTH = {
    "urn:inin.com:connection:authTokenConnectionRequestSettings",
    "urn:inin.com:connection:singleSignOnTokenConnectionRequestSettings",
}


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
