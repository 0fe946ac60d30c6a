"""What sits in front of the server, and the 503 of a restarting server.

A reverse proxy (base path, dot segments, HTML error pages) and a load balancer with an
affinity cookie.
"""

from __future__ import annotations

from http import HTTPStatus
import time
from typing import TYPE_CHECKING

from aiohttp import web

from .responses import json_response, unauthorized
from .state import parse_cookie_header

if TYPE_CHECKING:
    from .settings import SimulatorSettings
    from .simulator import IcwsSimulator

CONTROL_PREFIX = "/_simulator/"
UNAVAILABLE_ID = "error.server.unavailable"
UNAVAILABLE_MESSAGE = "The server is not available."


def base_prefix(settings: SimulatorSettings) -> str:
    """Return `base_path` normalised: "" or `/a/b` (leading slash, no trailing one)."""
    path = settings.base_path.strip("/")
    return f"/{path}" if path else ""


def public_prefix(settings: SimulatorSettings) -> str:
    """Return the prefix of cookie paths and `Location` headers (the proxy may rewrite)."""
    return base_prefix(settings) if settings.base_path_rewrites_cookie_path else ""


def html_page(status: int, *, headers: dict[str, str] | None = None) -> web.Response:
    """Answer as a reverse proxy would: a small HTML page."""
    reason = HTTPStatus(status).phrase if status in HTTPStatus else "Error"
    body = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return web.Response(
        status=status,
        text=body,
        content_type="text/html",
        charset="utf-8",
        headers=headers,
    )


def normalize_dots(raw_path: str) -> str:
    """Resolve literal `.` and `..` segments (RFC 3986 remove_dot_segments; `%2E` stays)."""
    segments = raw_path.split("/")[1:]
    output: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
            continue
        if segment == "..":
            if output:
                output.pop()
            if last:
                output.append("")
            continue
        output.append(segment)
    return "/" + "/".join(output)


def strip_base(settings: SimulatorSettings, raw_path: str) -> str | None:
    """Return the path the server sees (base path removed), None if it lacks the prefix."""
    prefix = base_prefix(settings)
    if not prefix:
        return raw_path
    if raw_path.lower() == prefix.lower():
        return None
    if raw_path.lower().startswith(prefix.lower() + "/"):
        return raw_path[len(prefix) :]
    return None


def _is_session_path(path: str) -> bool:
    segments = path.lower().split("/")
    return len(segments) > 2 and segments[1] == "icws" and segments[2] != "connection"


def affinity_refusal(
    sim: IcwsSimulator, request: web.Request, path: str
) -> web.Response | None:
    """Return the 401 of a session request the balancer routed to a node without it.

    Session requests (`/icws/<id>/...`, attachments) must send the current value of the
    affinity cookie; logins and sessionless requests may come without it.
    """
    name = sim.settings.affinity_cookie
    if name is None or not _is_session_path(path):
        return None
    sent = parse_cookie_header(request.headers.getall("Cookie", [])).get(name)
    if sent == sim.affinity_value:
        return None
    return unauthorized("This request requires a session ID!", error_code=1)


async def on_response_prepare(
    sim: IcwsSimulator, request: web.Request, response: web.StreamResponse
) -> None:
    """Add the balancer's `Set-Cookie` (a new value every N responses, or a missing one)."""
    settings = sim.settings
    name = settings.affinity_cookie
    if name is None or request.raw_path.startswith(CONTROL_PREFIX):
        return
    sim.affinity_responses += 1
    every = settings.affinity_cookie_rotate_every
    if every is not None and every > 0 and sim.affinity_responses % every == 0:
        sim.affinity_node += 1
    sent = parse_cookie_header(request.headers.getall("Cookie", [])).get(name)
    if sent != sim.affinity_value:
        response.headers.add("Set-Cookie", f"{name}={sim.affinity_value}; Path=/")


def unavailable(sim: IcwsSimulator) -> web.Response | None:
    """Return the 503 of a restarting server (`restart(downtime)`), else None."""
    if time.monotonic() >= sim.down_until:
        return None
    return json_response(
        503, {"errorId": UNAVAILABLE_ID, "message": UNAVAILABLE_MESSAGE}
    )
