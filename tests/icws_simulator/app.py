"""The aiohttp application: one catch-all route that dispatches on the RAW path.

Routing on `request.raw_path` (not aiohttp's decoded match_info) keeps `%2F` inside a
message id segment under the simulator's control.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from aiohttp import web

from . import attachments, handlers as h, login as lg, proxy, unified as um
from .control import handle_control
from .proxy import CONTROL_PREFIX
from .responses import (
    WWW_AUTHENTICATE,
    empty,
    fault_body,
    json_response,
    method_not_allowed,
    not_found,
    variant_error,
)
from .state import RecordedRequest, Session

if TYPE_CHECKING:
    from .simulator import IcwsSimulator

SUBSCRIPTIONS = {"voicemail-messages", "fax-messages", "messages-waiting-indicator"}
SIMULATOR_KEY: web.AppKey[IcwsSimulator] = web.AppKey("icws_simulator")
MAX_REQUEST_BYTES = 96 * 1024 * 1024
"""Largest request body: `add-voicemail` with `audio_base64` of a long message (an hour of
16-bit 8 kHz PCM is 58 MiB, 77 MiB in base64); aiohttp's default is 1 MiB."""


def build_app(sim: IcwsSimulator) -> web.Application:
    """Create the application serving `sim`."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[SIMULATOR_KEY] = sim

    async def handle(request: web.Request) -> web.StreamResponse:
        return await dispatch(sim, request)

    async def on_shutdown(_app: web.Application) -> None:
        sim.close()

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        await proxy.on_response_prepare(sim, request, response)

    app.router.add_route("*", "/{tail:.*}", handle)
    app.on_shutdown.append(on_shutdown)
    app.on_response_prepare.append(on_prepare)
    return app


async def dispatch(sim: IcwsSimulator, request: web.Request) -> web.StreamResponse:
    """Record the request, apply the proxy, faults, balancer and restart; route it."""
    raw_path, _, query = request.raw_path.partition("?")
    if raw_path.startswith(CONTROL_PREFIX):
        return await handle_control(sim, request, raw_path[len(CONTROL_PREFIX) :])
    sim.expire_idle_sessions()
    body = await request.read()
    record = RecordedRequest(
        method=request.method,
        path=raw_path,
        headers=request.headers.copy(),
        body=body,
        status=None,
        host=request.headers.get("Host", ""),
        query=query,
    )
    sim.requests.append(record)
    response: web.StreamResponse | None = None
    try:
        path = raw_path
        if sim.settings.normalize_dot_segments:
            path = proxy.normalize_dots(path)
        server_path = proxy.strip_base(sim.settings, path)
        if server_path is None:
            response = proxy.html_page(404)
            return response
        response = await _faulted(sim, request, raw_path)
        if response is None:
            response = proxy.affinity_refusal(
                sim, request, server_path
            ) or proxy.unavailable(sim)
        if response is None:
            response = await route(sim, request, server_path, body, record)
        return response
    finally:
        if response is not None:
            record.status = response.status


async def _faulted(
    sim: IcwsSimulator, request: web.Request, raw_path: str
) -> web.StreamResponse | None:
    fault = sim.take_fault(request.method, raw_path, h.host_name(request))
    if fault is None:
        return None
    if fault.delay > 0:
        await sim.sleep(fault.delay)
    if fault.drop:
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=599)
    if fault.status is None:
        return None
    if fault.status == 400 and fault.error_variant is not None and fault.body is None:
        return variant_error(fault.error_variant)
    body = fault.body if fault.body is not None else fault_body(fault.status)
    if fault.status == 401:
        response = json_response(401, body)
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
        return response
    if body is None:
        return empty(fault.status)
    return json_response(fault.status, body)


async def route(
    sim: IcwsSimulator,
    request: web.Request,
    raw_path: str,
    body: bytes,
    record: RecordedRequest,
) -> web.StreamResponse:
    """Find the endpoint for a raw path and run it."""
    s = sim.settings
    if s.encoded_slash_status is not None and "%2f" in raw_path.lower():
        return json_response(
            s.encoded_slash_status,
            {
                "errorId": "error.request.notFound",
                "message": "The requested resource was not found.",
            },
        )
    segments = raw_path.split("/")[1:]
    lowered = [segment.lower() for segment in segments]
    if not lowered or lowered[0] != "icws" or len(segments) < 2:
        return not_found()
    if lowered[1] == "connection":
        return await _sessionless(sim, request, segments, lowered, body)
    if (
        len(lowered) == 5
        and lowered[1:3] == ["unified-messaging", "attachments"]
        and s.unified_messaging_version is not None
    ):
        if request.method.upper() != "GET":
            return method_not_allowed(["GET"])
        return await attachments.download(sim, request, None, segments[3], segments[4])
    return await _session_route(
        sim, request, segments, lowered, body=body, record=record
    )


async def _sessionless(
    sim: IcwsSimulator,
    request: web.Request,
    segments: list[str],
    lowered: list[str],
    body: bytes,
) -> web.StreamResponse:
    method = request.method.upper()
    rest = lowered[2:]
    if rest == [] and method == "POST":
        return await lg.login(sim, request, body)
    if rest == ["features"] or (len(rest) == 2 and rest[0] == "features"):
        if method != "GET":
            return method_not_allowed(["GET"])
        return lg.get_features(sim, unquote(segments[3]) if len(rest) == 2 else None)
    if rest == ["version"]:
        return lg.get_version(sim) if method == "GET" else method_not_allowed(["GET"])
    if rest == []:
        return method_not_allowed(["POST"])
    return not_found()


async def _session_route(
    sim: IcwsSimulator,
    request: web.Request,
    segments: list[str],
    lowered: list[str],
    *,
    body: bytes,
    record: RecordedRequest,
) -> web.StreamResponse:
    s = sim.settings
    method = request.method.upper()
    session_id = segments[1]
    parts = lowered[2:]
    raw_parts = segments[2:]

    def allowed(*methods: str) -> web.Response | None:
        return None if method in methods else method_not_allowed(list(methods))

    if parts == ["connection"]:
        if (refusal := allowed("GET", "DELETE")) is not None:
            return refusal
        session = h.check_session(
            sim, request, session_id, connection_state=method == "GET"
        )
        if not isinstance(session, Session):
            return session
        if method == "GET":
            return h.get_connection(session)
        return h.logout(sim, session)
    if parts == ["connection", "station"]:
        if (refusal := allowed("GET", "PUT", "DELETE")) is not None:
            return refusal
        session = h.check_session(sim, request, session_id)
        if not isinstance(session, Session):
            return session
        if method == "PUT":
            return h.put_station(sim, session, body)
        if method == "GET":
            return h.get_station(session)
        return h.delete_station(session)
    if parts == ["messaging", "messages"]:
        if (refusal := allowed("GET")) is not None:
            return refusal
        if (refusal := h.stream_refusal(sim, request)) is not None:
            return refusal
        session = h.check_session(sim, request, session_id, csrf=False, drain=True)
        if not isinstance(session, Session):
            return session
        return await h.get_messages(sim, request, session, record)
    if parts == ["messaging", "heartbeat"]:
        if (refusal := allowed("POST")) is not None:
            return refusal
        session = h.check_session(sim, request, session_id)
        if not isinstance(session, Session):
            return session
        return empty(s.heartbeat_status)
    if (
        len(parts) == 4
        and parts[:3] == ["messaging", "subscriptions", "unified-messaging"]
        and parts[3] in SUBSCRIPTIONS
        and s.unified_messaging_version is not None
    ):
        if (refusal := allowed("PUT", "DELETE")) is not None:
            return refusal
        session = h.check_session(sim, request, session_id)
        if not isinstance(session, Session):
            return session
        return h.subscribe(sim, session, parts[3], method)
    if (
        len(parts) >= 2
        and parts[0] == "unified-messaging"
        and s.unified_messaging_version is not None
    ):
        return await _unified_messaging(
            sim,
            request,
            session_id=session_id,
            parts=parts,
            raw_parts=raw_parts,
            body=body,
        )
    return not_found()


async def _unified_messaging(
    sim: IcwsSimulator,
    request: web.Request,
    *,
    session_id: str,
    parts: list[str],
    raw_parts: list[str],
    body: bytes,
) -> web.StreamResponse:
    s = sim.settings
    method = request.method.upper()
    if parts[1:] == ["messages-waiting-indicator", "count-refresh"]:
        if method != "PUT":
            return method_not_allowed(["PUT"])
        session = h.check_session(sim, request, session_id)
        if not isinstance(session, Session):
            return session
        return h.count_refresh(sim, session)
    if len(parts) == 4 and parts[1] == "attachments":
        if method != "GET":
            return method_not_allowed(["GET"])
        session = h.check_session(
            sim, request, session_id, csrf=s.attachment_requires_csrf
        )
        if not isinstance(session, Session):
            return session
        return await attachments.download(
            sim, request, session, raw_parts[2], raw_parts[3]
        )
    raw_id = raw_parts[1]
    if len(parts) == 2:
        if method not in {"PUT", "DELETE"}:
            return method_not_allowed(["PUT", "DELETE"])
        operation = method
    elif (
        len(parts) == 5
        and parts[2:4] == ["voicemail-message", "play"]
        and parts[4]
        in {
            "start",
            "stop",
        }
    ):
        if method != "POST":
            return method_not_allowed(["POST"])
        operation = parts[4]
    else:
        return not_found()
    session = h.check_session(sim, request, session_id)
    if not isinstance(session, Session):
        return session
    if (s.unified_messaging_version or 0) < 2 and operation != "DELETE":
        return json_response(
            s.um_v1_unsupported_status,
            {
                "errorId": "error.request.notFound",
                "message": "The requested resource was not found.",
            },
        )
    if operation == "PUT":
        return um.update_message(sim, session, raw_id, body)
    if operation == "DELETE":
        return um.delete_message(sim, session, raw_id)
    if operation == "start":
        return um.play_start(sim, session, raw_id, body)
    return um.play_stop(sim, session, raw_id)
