"""ICWS-shaped HTTP answers: content type, common headers, error bodies."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .state import dumps

ICWS_CONTENT_TYPE = "application/vnd.inin.icws+JSON; charset=utf-8"
WWW_AUTHENTICATE = 'ICWS realm="ICWS" location="/ICWS/connection"'
COMMON_HEADERS = {
    "Cache-Control": "no-cache, no-store, must-revalidate",
    "Pragma": "no-cache",
    "Expires": "0",
    "Server": "HttpPluginHost",
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Expose-Headers": "ININ-ICWS-CSRF-Token,ININ-ICWS-Session-ID,Location,Set-Cookie",
}

MISSING_PROPERTY = "urn:inin.com:common:missingPropertyError"
INVALID_PROPERTY = "urn:inin.com:common:invalidPropertyError"
COMMON_ERROR = "urn:inin.com:common:error"

AUTH_FAILURE_ID = "error.request.connection.authenticationFailure"
AUTH_FAILURE_CODE = -2147221503
INVALID_SESSION_CODE = -2147221499
GENERIC_FAILURE_CODE = -2147467259
NOT_FOUND_ID = "-2147221496"
NOT_FOUND_CODE = -2147221496
COOKIE_EXPECTED = "A session cookie was expected in the request, but not found."
CSRF_EXPECTED = "An authentication token was expected in the request, but not found."
FAX_MESSAGE = "Stop is not allowed on a unified message of this type."


def json_response(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    text: str | None = None,
) -> web.Response:
    """Answer with the ICWS content type (no body when `body` and `text` are None)."""
    all_headers = dict(COMMON_HEADERS)
    if headers:
        all_headers.update(headers)
    if body is None and text is None:
        return web.Response(status=status, headers=all_headers)
    all_headers["Content-Type"] = ICWS_CONTENT_TYPE
    payload = text if text is not None else dumps(body)
    return web.Response(status=status, body=payload.encode(), headers=all_headers)


def empty(status: int) -> web.Response:
    """Answer a success without body (204, or 200/202 when a setting says so)."""
    return json_response(status)


def error(status: int, message: str, **fields: Any) -> web.Response:
    """Answer an error: `{__type?, errorId?, errorCode?, propertyName?, message}`."""
    body: dict[str, Any] = {}
    type_ = fields.pop("type_", None)
    if type_ is not None:
        body["__type"] = type_
    body.update({key: value for key, value in fields.items() if value is not None})
    body["message"] = message
    return json_response(status, body)


def missing_property(name: str, message: str | None = None) -> web.Response:
    """400 missingPropertyError."""
    return error(
        400,
        message or f"The required property '{name}' is missing.",
        type_=MISSING_PROPERTY,
        errorId="error.request.invalidRepresentation.missingRequiredParameter",
        propertyName=name,
    )


def invalid_property(
    name: str, message: str | None = None, *, status: int = 400
) -> web.Response:
    """InvalidPropertyError (400 unless a setting names another status)."""
    return error(
        status,
        message or f"The property '{name}' has an invalid value.",
        type_=INVALID_PROPERTY,
        errorId="error.request.invalidRepresentation.invalidProperty",
        propertyName=name,
    )


def malformed(message: str = "The request body is malformed.") -> web.Response:
    """400 malformed representation."""
    return error(
        400,
        message,
        type_=COMMON_ERROR,
        errorId="error.request.invalidRepresentation.malformed",
    )


def variant_error(
    variant: str, property_name: str = "unifiedMessageId", message: str = FAX_MESSAGE
) -> web.Response:
    """One of the three 400 bodies the stop page documents."""
    if variant == "missingRequiredParameter":
        return missing_property(property_name, message)
    if variant == "malformed":
        return malformed(message)
    return invalid_property(property_name, message)


def authentication_failed() -> web.Response:
    """400 at login: bad credentials, unknown or locked user."""
    return error(
        400,
        "The authentication process failed.",
        errorId=AUTH_FAILURE_ID,
        errorCode=AUTH_FAILURE_CODE,
    )


def unauthorized(
    message: str, *, error_code: int, error_id: str | None = None
) -> web.Response:
    """401 with the ICWS WWW-Authenticate challenge."""
    body: dict[str, Any] = {}
    if error_id is not None:
        body["errorId"] = error_id
    body["errorCode"] = error_code
    body["message"] = message
    return json_response(401, body, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


def session_ended() -> web.Response:
    """401 for an expired, logged-out or switched-over session."""
    return unauthorized(
        "The session is no longer valid.",
        error_code=INVALID_SESSION_CODE,
        error_id=AUTH_FAILURE_ID,
    )


def not_found(message: str = "The requested resource was not found.") -> web.Response:
    """404 for a path the server does not know."""
    return error(404, message, errorId="error.request.notFound")


def method_not_allowed(allowed: list[str]) -> web.Response:
    """405 for a known path with another verb."""
    response = error(
        405,
        "The HTTP method is not allowed for this resource.",
        errorId="error.request.accessDenied.httpMethodNotAllowed",
    )
    response.headers["Allow"] = ", ".join(allowed)
    return response


def fault_body(status: int) -> Any:
    """Return the default body of an injected fault status."""
    if status == 410:
        return {
            "errorId": "error.request.resourceGone",
            "message": "This resource has been deprecated and removed from the API.",
        }
    if status == 500:
        return {"errorCode": GENERIC_FAILURE_CODE, "message": "Unspecified error."}
    if status == 401:
        return {
            "errorId": AUTH_FAILURE_ID,
            "errorCode": INVALID_SESSION_CODE,
            "message": "The session is no longer valid.",
        }
    if status == 503:
        return {
            "alternateHostList": [],
            "errorId": "error.server.unavailable",
            "message": "The server is not available.",
        }
    if status == 400:
        return {
            "__type": INVALID_PROPERTY,
            "errorId": "error.request.invalidRepresentation.invalidProperty",
            "propertyName": "unifiedMessageId",
            "message": FAX_MESSAGE,
        }
    if status < 400:
        return None
    return {"message": f"Simulated error {status}."}
