"""Answers the simulator would not give, from a tiny aiohttp app over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
import json

import aiohttp
from aiohttp import web
import pytest

from custom_components.voicemail.icws import (
    IcwsClient,
    IcwsGoneError,
    IcwsNotAllowedError,
    IcwsProtocolError,
    IcwsResponseError,
    IcwsServerError,
)
from custom_components.voicemail.icws.channel import poll

from .conftest import Secrets

SESSION_ID = "4242001"
CSRF = "Q1NSRi10b2tlbi1mb3ItdGVzdHM="
COOKIE = f"icws_{SESSION_ID}=0f0e0d0c-aaaa-bbbb-cccc-111122223333|languageId=en-us"
FEATURES = [
    {"featureId": "unified-messaging", "version": 2},
    {"featureId": "messaging", "version": 2},
]
LOGIN_BODY = {"sessionId": SESSION_ID, "csrfToken": CSRF, "features": FEATURES}

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class OddServer:
    """One catch-all handler per test; records what the client sent."""

    def __init__(self) -> None:
        """No handler yet."""
        self.handler: Handler | None = None
        self.requests: list[web.Request] = []
        self.port = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record the request and let the test's handler answer."""
        self.requests.append(request)
        assert self.handler is not None
        return await self.handler(request)


def login_reply(
    body: bytes | None = None,
    *,
    status: int = 201,
    content_type: str = "application/vnd.inin.icws+JSON; charset=utf-8",
    cookies: tuple[str, ...] = (f"{COOKIE}; Path=/icws/{SESSION_ID}; HttpOnly",),
) -> web.Response:
    """Build a login answer (by default a valid one)."""
    response = web.Response(
        status=status,
        body=json.dumps(LOGIN_BODY).encode() if body is None else body,
        headers={"Content-Type": content_type},
    )
    for cookie in cookies:
        response.headers.add("Set-Cookie", cookie)
    return response


@pytest.fixture
async def odd_server(
    socket_enabled: None, secrets: Secrets
) -> AsyncIterator[OddServer]:
    """Serve the tiny app on a free loopback port."""
    secrets.values.update({SESSION_ID, CSRF, COOKIE, COOKIE.partition("=")[2]})
    server = OddServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    yield server
    await runner.cleanup()


def client_for(
    server: OddServer,
    session: aiohttp.ClientSession,
    host: str = "127.0.0.1",
    **options: int,
) -> IcwsClient:
    """Return a plain-HTTP client of the tiny app."""
    return IcwsClient(
        session,
        host,
        port=server.port,
        use_https=False,
        username="u",
        password="secret",
        **options,
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.inin.icws+JSON; charset=utf-8",
        "application/json",
        "text/html",
        "application/octet-stream",
    ],
)
async def test_json_whatever_the_content_type(
    odd_server: OddServer, client_session: aiohttp.ClientSession, content_type: str
) -> None:
    """The vendor type, plain JSON, or a wrong label: the body is read as JSON."""

    async def handler(request: web.Request) -> web.Response:
        return login_reply(content_type=content_type)

    odd_server.handler = handler
    info = (await client_for(odd_server, client_session).login()).info
    assert info.feature("unified-messaging") == 2
    assert info.user_id == "u"  # no userID in the body: the configured name


@pytest.mark.parametrize(
    ("body", "cookies"),
    [
        (b"<html>Service temporarily unavailable</html>", None),
        (b'{"sessionId": "1"}', None),
        (None, ()),
        (None, ("other=1; Path=/",)),
    ],
)
async def test_malformed_login_answers(
    odd_server: OddServer,
    client_session: aiohttp.ClientSession,
    body: bytes | None,
    cookies: tuple[str, ...] | None,
) -> None:
    """Not JSON, no CSRF token, no icws_ cookie: IcwsProtocolError."""

    async def handler(request: web.Request) -> web.Response:
        if cookies is None:
            return login_reply(body)
        return login_reply(body, cookies=cookies)

    odd_server.handler = handler
    with pytest.raises(IcwsProtocolError):
        await client_for(odd_server, client_session).login()


async def test_cookie_of_another_name_is_used_verbatim(
    odd_server: OddServer, client_session: aiohttp.ClientSession
) -> None:
    """No `icws_<sessionId>` cookie but another `icws_` one: the session has one.

    Every cookie goes back verbatim (the quoted one too), in the order they were set.
    """
    other = 'icws_x="quoted|value"'

    async def handler(request: web.Request) -> web.Response:
        if request.method == "POST" and request.path == "/icws/connection":
            return login_reply(
                cookies=("unrelated=1", f"{other}; Path=/icws", "icws_y=2")
            )
        return web.Response(status=204)

    odd_server.handler = handler
    session = await client_for(odd_server, client_session).login()
    await session.stop("m1")
    assert odd_server.requests[-1].headers["Cookie"] == (
        f"unrelated=1; {other}; icws_y=2"
    )


async def test_redirect_with_only_a_location(
    odd_server: OddServer, client_session: aiohttp.ClientSession
) -> None:
    """A 3xx without alternateHostList: its Location names the host to try."""

    async def handler(request: web.Request) -> web.Response:
        if request.host.startswith("backup.test"):
            return login_reply()
        return web.Response(
            status=302,
            headers={
                "Location": f"http://backup.test:{odd_server.port}/icws/connection"
            },
        )

    odd_server.handler = handler
    client = client_for(odd_server, client_session, host="primary.test")
    session = await client.login()
    assert client.host == session.host == "backup.test"
    assert [(r.method, r.host.partition(":")[0]) for r in odd_server.requests] == [
        ("POST", "primary.test"),
        ("POST", "backup.test"),
    ]


@pytest.mark.parametrize("location", [None, "", "http://[broken/", "/relative/only"])
async def test_redirect_naming_no_host(
    odd_server: OddServer, client_session: aiohttp.ClientSession, location: str | None
) -> None:
    """A 3xx that names no other host is a protocol error, not a crash or a loop."""

    async def handler(request: web.Request) -> web.Response:
        headers = {} if location is None else {"Location": location}
        return web.Response(status=307, body=b"moved", headers=headers)

    odd_server.handler = handler
    with pytest.raises(IcwsProtocolError):
        await client_for(odd_server, client_session).login()
    assert len(odd_server.requests) == 1


@pytest.mark.parametrize(
    ("status", "body", "error_class", "text"),
    [
        (400, b"<html>Bad Request</html>", IcwsNotAllowedError, "does not allow"),
        (410, b"", IcwsGoneError, "no longer offers"),
        (500, b"Internal Server Error", IcwsServerError, "the server failed"),
        (502, b'["not", "an", "error"]', IcwsServerError, "the server failed"),
        (409, b"{", IcwsResponseError, "refused the request"),
        (302, b"", IcwsResponseError, "refused the request"),
    ],
)
async def test_error_bodies_that_are_not_icws_errors(
    *,
    odd_server: OddServer,
    client_session: aiohttp.ClientSession,
    secrets: Secrets,
    status: int,
    body: bytes,
    error_class: type[IcwsResponseError],
    text: str,
) -> None:
    """The status decides the class; the message is generic and safe."""

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/icws/connection":
            return login_reply()
        return web.Response(status=status, body=body, content_type="text/html")

    odd_server.handler = handler
    session = await client_for(odd_server, client_session).login()
    with pytest.raises(error_class) as caught:
        await session.stop("m1")
    assert type(caught.value) is error_class
    assert caught.value.status == status
    assert text in str(caught.value)
    assert caught.value.error_id is None
    secrets.assert_absent(str(caught.value))


async def test_server_text_is_made_safe(
    odd_server: OddServer, client_session: aiohttp.ClientSession, secrets: Secrets
) -> None:
    """Secrets the server echoes are masked; control characters and length are cut."""
    message = f"Session {SESSION_ID} with token {CSRF} and secret\nfailed. " + "x" * 500

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/icws/connection":
            return login_reply()
        return web.json_response(
            {"message": message, "errorId": f"error.{SESSION_ID}"}, status=400
        )

    odd_server.handler = handler
    session = await client_for(odd_server, client_session).login()
    with pytest.raises(IcwsNotAllowedError) as caught:
        await session.stop("m1")
    error = caught.value
    secrets.assert_absent(str(error))
    secrets.assert_absent(error.server_message)
    secrets.assert_absent(str(error.error_id))
    assert error.server_message.startswith("Session *** with token *** and *** failed.")
    assert len(error.server_message) == 300
    assert error.server_message.endswith("…")


async def test_session_id_and_csrf_token_from_the_headers(
    odd_server: OddServer, client_session: aiohttp.ClientSession, secrets: Secrets
) -> None:
    """The ININ-ICWS headers win over the body: their session id and token are used."""
    header_id, header_token = "5151001", "aGVhZGVyLXRva2Vu"
    secrets.values.update({header_id, header_token})

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/icws/connection":
            response = login_reply(
                cookies=(
                    f"icws_{header_id}=h|languageId=en-us; Path=/icws/{header_id}",
                )
            )
            response.headers["ININ-ICWS-Session-ID"] = header_id
            response.headers["ININ-ICWS-CSRF-Token"] = header_token
            return response
        return web.Response(status=204)

    odd_server.handler = handler
    session = await client_for(odd_server, client_session).login()
    await session.stop("m1")
    stop = odd_server.requests[-1]
    assert (
        stop.path
        == f"/icws/{header_id}/unified-messaging/m1/voicemail-message/play/stop"
    )
    assert stop.headers["ININ-ICWS-CSRF-Token"] == header_token
    assert stop.headers["Cookie"] == f"icws_{header_id}=h|languageId=en-us"


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_over_the_cap_is_a_protocol_error(
    odd_server: OddServer, client_session: aiohttp.ClientSession, chunked: bool
) -> None:
    """An answer larger than max_message_bytes is refused, announced or not."""
    cap = 10_000

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/icws/connection":
            return login_reply()
        body = b"[" + b"{}," * 5_000 + b"{}]"
        if not chunked:
            return web.Response(body=body, content_type="application/json")
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        response.content_type = "application/json"
        await response.prepare(request)
        for start in range(0, len(body), 1000):
            await response.write(body[start : start + 1000])
        await response.write_eof()
        return response

    odd_server.handler = handler
    session = await client_for(
        odd_server, client_session, max_message_bytes=cap
    ).login()
    with pytest.raises(IcwsProtocolError) as caught:
        await poll(session)
    assert f"more than {cap} bytes" in str(caught.value)


async def test_a_body_at_the_cap_is_read(
    odd_server: OddServer, client_session: aiohttp.ClientSession
) -> None:
    """The cap is inclusive: a poll answer of exactly max_message_bytes is read."""
    body = b"[" + b"{}," * 999 + b"{}]"

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/icws/connection":
            return login_reply()
        return web.Response(body=body, content_type="application/json")

    odd_server.handler = handler
    client = client_for(odd_server, client_session, max_message_bytes=len(body))
    session = await client.login()
    assert await poll(session) == []
