"""Raw-HTTP helpers for the simulator tests (deliberately not the project's ICWS client)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
import json
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from tests.icws_simulator.server import RunningSimulator

IC_AUTH = "urn:inin.com:connection:icAuthConnectionRequestSettings"
VOICEMAIL_SUB = "messaging/subscriptions/unified-messaging/voicemail-messages"
MWI_SUB = "messaging/subscriptions/unified-messaging/messages-waiting-indicator"
ICWS_JSON = "application/vnd.inin.icws+JSON; charset=utf-8"
SSE = {"Accept": "text/event-stream"}
START = "/voicemail-message/play/start"
STOP = "/voicemail-message/play/stop"


def login_body(user: str = "alice", password: str = "secret") -> dict[str, Any]:
    """Return an icAuthConnectionRequestSettings body."""
    return {
        "__type": IC_AUTH,
        "applicationName": "Simulator tests",
        "userID": user,
        "password": password,
    }


@dataclass(slots=True)
class Login:
    """What a successful login handed out."""

    base: str
    session_id: str
    csrf: str
    cookie: str
    """`icws_<id>=<value>` exactly as Set-Cookie gave it."""
    body: dict[str, Any]
    headers: dict[str, str]

    def auth(self, *, csrf: bool = True) -> dict[str, str]:
        """Cookie (and CSRF) headers for session requests."""
        headers = {"Cookie": self.cookie}
        if csrf:
            headers["ININ-ICWS-CSRF-Token"] = self.csrf
        return headers

    def url(self, path: str) -> URL:
        """`<base>/icws/<sessionId>/<path>` (path already encoded)."""
        return URL(f"{self.base}/icws/{self.session_id}/{path}", encoded=True)

    def message_url(self, message_id: str, suffix: str = "") -> URL:
        """Return a unified-messaging URL with the id percent-encoded as one segment."""
        return self.url(f"unified-messaging/{quote(message_id, safe='')}{suffix}")


def post_connection(
    session: aiohttp.ClientSession,
    base: str,
    *,
    path: str = "/icws/connection",
    **kwargs: Any,
) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
    """POST a login request: alice's body and `Accept-Language: en-us` unless given."""
    kwargs.setdefault("headers", {"Accept-Language": "en-us"})
    if "data" not in kwargs:
        kwargs.setdefault("json", login_body())
    return session.post(f"{base}{path}", **kwargs)


async def login(
    session: aiohttp.ClientSession,
    base: str,
    *,
    user: str = "alice",
    password: str = "secret",
    include: str | None = "features,version",
) -> Login:
    """Log in and return the session's secrets (asserts 201)."""
    params = {"include": include} if include else None
    async with post_connection(
        session, base, json=login_body(user, password), params=params
    ) as resp:
        assert resp.status == 201, await resp.text()
        body = await resp.json(content_type=None)
        headers = dict(resp.headers)
    cookie = headers["Set-Cookie"].split(";")[0]
    return Login(base, body["sessionId"], body["csrfToken"], cookie, body, headers)


async def poll(session: aiohttp.ClientSession, lg: Login) -> list[dict[str, Any]]:
    """One short poll of the message queue."""
    async with session.get(
        lg.url("messaging/messages"), headers=lg.auth(csrf=False)
    ) as resp:
        assert resp.status == 200, await resp.text()
        assert resp.headers["Content-Type"] == ICWS_JSON
        result: list[dict[str, Any]] = await resp.json(content_type=None)
        return result


async def subscribe(
    session: aiohttp.ClientSession, lg: Login, *, mwi: bool = False
) -> None:
    """Subscribe to voicemail messages (and the message-waiting indicator)."""
    async with session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        assert resp.status == 200
    if mwi:
        async with session.put(lg.url(MWI_SUB), headers=lg.auth()) as resp:
            assert resp.status == 200


async def subscribed(
    session: aiohttp.ClientSession, base: str, *, mwi: bool = False
) -> tuple[Login, list[dict[str, Any]]]:
    """Log alice in, subscribe and return the session with the first poll's messages."""
    lg = await login(session, base)
    await subscribe(session, lg, mwi=mwi)
    return lg, await poll(session, lg)


async def status_of(
    session: aiohttp.ClientSession,
    lg: Login,
    method: str,
    target: str | URL,
    *,
    csrf: bool = True,
    **kwargs: Any,
) -> int:
    """Send a session request (cookie, CSRF token unless `csrf=False`); return the status.

    `target` is a URL or a path below `/icws/<sessionId>/`.
    """
    url = lg.url(target) if isinstance(target, str) else target
    async with session.request(
        method, url, headers=lg.auth(csrf=csrf), **kwargs
    ) as resp:
        await resp.read()
        return resp.status


async def set_state(
    session: aiohttp.ClientSession, lg: Login, message_id: str, state: int
) -> int:
    """PUT unified-messaging/{id} `{state}`; return the status."""
    return await status_of(
        session, lg, "PUT", lg.message_url(message_id), json={"state": state}
    )


async def delete_message(
    session: aiohttp.ClientSession, lg: Login, message_id: str
) -> int:
    """DELETE unified-messaging/{id}; return the status."""
    return await status_of(session, lg, "DELETE", lg.message_url(message_id))


async def count_refresh(session: aiohttp.ClientSession, lg: Login) -> int:
    """PUT the message-waiting indicator's count-refresh; return the status."""
    return await status_of(
        session, lg, "PUT", "unified-messaging/messages-waiting-indicator/count-refresh"
    )


def play_to(target: str = "1234", state: int = 1) -> dict[str, Any]:
    """Return a play/start body with a voicemailPlayTarget."""
    return {
        "state": state,
        "playTarget": {
            "__type": "urn:inin.com:unifiedMessaging:voicemailPlayTarget",
            "target": target,
        },
    }


async def play_start(
    session: aiohttp.ClientSession, lg: Login, message_id: str, body: Any
) -> int:
    """POST play/start with a JSON body; return the status."""
    async with session.post(
        lg.message_url(message_id, START), json=body, headers=lg.auth()
    ) as resp:
        await resp.read()
        return resp.status


async def play_stop(
    session: aiohttp.ClientSession, lg: Login, message_id: str
) -> tuple[int, Any]:
    """POST play/stop; return the status and the JSON body of an error (else None)."""
    async with session.post(
        lg.message_url(message_id, STOP), headers=lg.auth()
    ) as resp:
        body = await resp.json(content_type=None) if resp.status >= 400 else None
        return resp.status, body


async def set_station(session: aiohttp.ClientSession, lg: Login, station: str) -> None:
    """PUT connection/station with workstationSettings (asserts 200)."""
    async with session.put(
        lg.url("connection/station"),
        json={
            "__type": "urn:inin.com:connection:workstationSettings",
            "workstation": station,
        },
        headers=lg.auth(),
    ) as resp:
        assert resp.status == 200


async def request_stream(
    session: aiohttp.ClientSession, lg: Login
) -> aiohttp.ClientResponse:
    """GET messaging/messages asking for text/event-stream (cookie, no CSRF token).

    The caller releases the answer (`async with`).
    """
    return await session.get(
        lg.url("messaging/messages"), headers={**lg.auth(csrf=False), **SSE}
    )


async def open_stream(
    session: aiohttp.ClientSession, lg: Login
) -> tuple[aiohttp.ClientResponse, SseReader]:
    """Open the event stream (asserts 200 and the content type); close it with `async with`."""
    resp = await request_stream(session, lg)
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    return resp, SseReader(resp)


async def subscribed_stream(
    session: aiohttp.ClientSession, lg: Login, *, mwi: bool = False
) -> tuple[aiohttp.ClientResponse, SseReader]:
    """Subscribe (and to the indicator), then open the event stream."""
    await subscribe(session, lg, mwi=mwi)
    return await open_stream(session, lg)


class SseReader:
    """Incremental reader of an event stream: returns data events and comments in order."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        """Read from an open `text/event-stream` response."""
        self.response = response
        self.buffer = b""
        self.raw = b""

    async def next_block(self) -> str | None:
        """Return the next event block (text between blank lines), None at the end."""
        while b"\n\n" not in self.buffer:
            chunk = await self.response.content.read(65536)
            if not chunk:
                return None
            self.raw += chunk
            self.buffer += chunk
        block, _, self.buffer = self.buffer.partition(b"\n\n")
        return block.decode()

    async def next_message(self) -> dict[str, Any]:
        """Return the next `data:` event's JSON (comments and other fields skipped)."""
        while True:
            block = await self.next_block()
            assert block is not None, "stream ended"
            data = [
                line[5:].lstrip(" ")
                for line in block.split("\n")
                if line.startswith("data:")
            ]
            if data:
                message: dict[str, Any] = json.loads("\n".join(data))
                return message

    async def messages(self, count: int) -> list[dict[str, Any]]:
        """Return the next `count` messages."""
        return [await self.next_message() for _ in range(count)]


async def eventually(
    predicate: Callable[[], bool], *, timeout: float = 2.0, interval: float = 0.005
) -> None:
    """Wait until `predicate()` holds (asserts it does within `timeout` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(interval)


async def control(
    session: aiohttp.ClientSession,
    running: RunningSimulator,
    command: str,
    body: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    """POST a control command to `/_simulator/<command>`; return its JSON answer."""
    async with session.post(
        f"{running.url}/_simulator/{command}", json=body or {}
    ) as resp:
        assert resp.status == status, await resp.text()
        assert resp.content_type == "application/json"
        return await resp.json()
