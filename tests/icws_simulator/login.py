"""Sessionless endpoints: login (`POST /icws/connection`), features, version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .handlers import host_name, local_port, parse_json
from .proxy import public_prefix
from .responses import (
    authentication_failed,
    error,
    invalid_property,
    json_response,
    malformed,
    missing_property,
)
from .state import Session, User, format_date

if TYPE_CHECKING:
    from .simulator import IcwsSimulator

IC_AUTH = "urn:inin.com:connection:icAuthConnectionRequestSettings"
LICENSE_ERROR_ID = "error.request.connection.licenseNotAvailable"
SESSION_LIMIT_ID = "error.request.connection.sessionLimitReached"
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
    language = _language(sim, request.headers.get("Accept-Language", ""))
    if isinstance(language, web.Response):
        return language
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
            errorId=LICENSE_ERROR_ID,
        )
    user = _authenticate(sim, data["userID"], data["password"])
    if not isinstance(user, User):
        return user
    if s.login_error is not None:
        status, error_id, message = s.login_error
        return error(status, message, errorId=error_id)
    if s.max_sessions_per_user is not None:
        live = sim.live_sessions(user.user_id)
        excess = len(live) - s.max_sessions_per_user + 1
        if excess > 0:
            if not s.session_limit_evicts_oldest:
                return error(
                    400,
                    "The maximum number of sessions for this user has been reached.",
                    errorId=SESSION_LIMIT_ID,
                )
            for old in live[:excess]:
                sim.disconnect_session(
                    old, reason="AnotherLogOn", should_reconnect=False
                )
    session = sim.create_session(
        user,
        application_name=data["applicationName"],
        language=language,
        host=host,
        client_ip=request.remote or "",
        origin=f"{scheme}://{request.headers.get('Host', host)}",
    )
    return _created(sim, request, session)


def _language(sim: IcwsSimulator, header: str) -> str | web.Response:
    """Return the session language from Accept-Language (its first tag), or the 400."""
    s = sim.settings
    if not header.strip():
        return missing_property(
            "Accept-Language", "The Accept-Language header is required."
        )
    language = (
        header.split(",", maxsplit=1)[0].split(";", maxsplit=1)[0].strip().lower()
        or "en-us"
    )
    if (s.require_region_in_language and "-" not in language) or (
        s.supported_languages is not None
        and language not in {tag.lower() for tag in s.supported_languages}
    ):
        return invalid_property(
            "Accept-Language", f"The language '{language}' is not supported."
        )
    return language


def _authenticate(
    sim: IcwsSimulator, user_id: str, password: str
) -> User | web.Response:
    """Check the credentials (and the lockout); the user, or the authenticationFailure."""
    user = sim.users.get(user_id) or next(
        (u for u in sim.users.values() if u.user_id.lower() == user_id.lower()), None
    )
    if user is None:
        return authentication_failed()
    if user.locked or user.password != password:
        user.failed_logins += 1
        limit = sim.settings.lockout_after_failures
        if limit is not None and user.failed_logins >= limit:
            user.locked = True
        return authentication_failed()
    user.failed_logins = 0
    return user


def _created(
    sim: IcwsSimulator, request: web.Request, session: Session
) -> web.Response:
    """Answer a login with 201: body, ICWS headers, the `icws_` cookie (and extra ones)."""
    s = sim.settings
    payload: dict[str, Any] = {
        "csrfToken": session.csrf_token,
        "sessionId": session.session_id,
        "alternateHostList": list(s.alternate_host_list),
        "userID": session.user.user_id,
        "userDisplayName": session.user.display_name,
        "icServer": s.ic_server,
    }
    headers = {
        "ININ-ICWS-Session-ID": session.session_id,
        "ININ-ICWS-CSRF-Token": session.csrf_token,
    }
    if s.session_credentials_in == "headers":
        del payload["csrfToken"], payload["sessionId"]
    elif s.session_credentials_in == "body":
        headers.clear()
    payload.update(login_extras(sim, request.query.get("include", "")))
    prefix = public_prefix(s)
    headers["Location"] = f"{prefix}/icws/{session.session_id}/connection"
    cookie = (
        f"icws_{session.session_id}={session.cookie_value}; "
        f"Path={prefix}/icws/{session.session_id}; HttpOnly"
    )
    if sim.tls:
        cookie += "; Secure"
        headers["Strict-Transport-Security"] = "max-age=31536000"
    response = json_response(201, payload, headers=headers)
    response.headers["Set-Cookie"] = cookie
    for extra in s.extra_login_cookies:
        response.headers.add("Set-Cookie", extra)
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
