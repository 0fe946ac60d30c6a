"""Home Assistant's own REST and WebSocket APIs: onboarding, login, config flows, states.

Only what a user's browser does, through the same endpoints (read in Home Assistant 2026.10:
homeassistant/components/onboarding/views.py, auth/login_flow.py, auth/__init__.py,
config/config_entries.py, api/__init__.py, websocket_api/).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import time
from typing import Any, Self

import aiohttp


@dataclass(frozen=True, slots=True)
class Credentials:
    """A Home Assistant user."""

    name: str
    username: str
    password: str


# homeassistant/components/onboarding/const.py STEPS.
ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")

# The demo's owner account: demo values, printed by scripts/develop.
DEMO_USER = Credentials(name="Demo", username="demo", password="demo-password")


class HassApiError(RuntimeError):
    """Home Assistant answered with an unexpected status."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        """Keep the status and the body for the caller."""
        super().__init__(f"{method} {path} -> {status}: {body!r}")
        self.status = status
        self.body = body


async def wait_for[T](
    probe: Callable[[], Awaitable[T | None]],
    *,
    timeout: float,
    what: str,
    interval: float = 0.2,
    check: Callable[[], None] | None = None,
) -> T:
    """Await probe() until it returns something other than None; check() may raise."""
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        result = await probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(interval)


class HassApi:
    """REST client for one Home Assistant instance (one user's token)."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, token: str | None = None
    ) -> None:
        """Use `session` (owned by the caller) against `base_url` (no trailing slash)."""
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.token = token

    @property
    def client_id(self) -> str:
        """The OAuth client id a browser on this URL uses."""
        return f"{self.base_url}/"

    # ---------------------------------------------------------------- plumbing

    async def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        expect: tuple[int, ...] | None = (200,),
        form: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Send a request; return (status, JSON body or text). Raise on an unexpected status."""
        headers = {}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        async with self.session.request(
            method,
            f"{self.base_url}{path}",
            json=data if form is None else None,
            data=form,
            headers=headers,
        ) as response:
            body: Any
            if response.content_type == "application/json":
                body = await response.json()
            else:
                body = await response.text()
            if expect is not None and response.status not in expect:
                raise HassApiError(method, path, response.status, body)
            return response.status, body

    async def get(self, path: str) -> Any:
        """GET a JSON document (200 expected)."""
        return (await self.request("GET", path))[1]

    async def post(self, path: str, data: Any = None) -> Any:
        """POST JSON (200 expected) and return the JSON answer."""
        return (await self.request("POST", path, data if data is not None else {}))[1]

    # ---------------------------------------------------------------- startup, auth

    async def answers(self) -> bool | None:
        """Return True once the HTTP server answers (before the integrations are set up)."""
        try:
            async with self.session.get(
                f"{self.base_url}/api/onboarding",
                timeout=aiohttp.ClientTimeout(total=5),
            ):
                return True
        except aiohttp.ClientError, TimeoutError:
            return None

    async def onboarding_done(self) -> dict[str, bool]:
        """Return the onboarding steps and whether each is done (no authentication needed).

        A Home Assistant that starts onboarded no longer serves /api/onboarding (404).
        """
        status, steps = await self.request("GET", "/api/onboarding", expect=(200, 404))
        if status == 404:
            return dict.fromkeys(ONBOARDING_STEPS, True)
        return {step["step"]: step["done"] for step in steps}

    async def onboard(self, user: Credentials, language: str = "en") -> bool:
        """Finish the onboarding as the frontend does; log in. False when it was done before.

        Steps (views.py): create the owner (returns an auth code), exchange the code for a
        token, then core_config, analytics and integration (the last one needs the refresh
        token behind the access token, which is what a browser holds at that point).
        """
        done = await self.onboarding_done()
        if all(done.values()):
            await self.login(user)
            return False
        if not done.get("user"):
            answer = await self.post(
                "/api/onboarding/users",
                {
                    "client_id": self.client_id,
                    "name": user.name,
                    "username": user.username,
                    "password": user.password,
                    "language": language,
                },
            )
            await self._exchange_code(answer["auth_code"])
        else:
            await self.login(user)
        if not done.get("core_config"):
            await self.post("/api/onboarding/core_config")
        if not done.get("analytics"):
            await self.post("/api/onboarding/analytics")
        if not done.get("integration"):
            await self.post(
                "/api/onboarding/integration",
                {
                    "client_id": self.client_id,
                    "redirect_uri": f"{self.base_url}/?auth_callback=1",
                },
            )
        return True

    async def login(self, user: Credentials) -> None:
        """Log in through the login flow with username and password (what the login page does)."""
        flow = await self.post(
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
        )
        result = await self.post(
            f"/auth/login_flow/{flow['flow_id']}",
            {
                "client_id": self.client_id,
                "username": user.username,
                "password": user.password,
            },
        )
        if result.get("type") != "create_entry":
            raise HassApiError("POST", "/auth/login_flow", 200, result)
        await self._exchange_code(result["result"])

    async def _exchange_code(self, code: str) -> None:
        self.token = None
        _, tokens = await self.request(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        )
        self.token = tokens["access_token"]

    async def core_state(self) -> str:
        """Home Assistant's state: NOT_RUNNING, STARTING, RUNNING, STOPPING ..."""
        config = await self.get("/api/config")
        if config.get("recovery_mode"):
            raise RuntimeError(
                "Home Assistant started in recovery mode: see its log "
                "(a requirement of requirements/hass.txt missing?)"
            )
        state: str = config["state"]
        return state

    async def wait_running(self, timeout: float = 120.0) -> None:
        """Wait until Home Assistant has finished starting."""

        async def probe() -> bool | None:
            return True if await self.core_state() == "RUNNING" else None

        await wait_for(probe, timeout=timeout, what="Home Assistant RUNNING")

    # ---------------------------------------------------------------- config entries

    async def flow_handlers(self) -> list[str]:
        """Domains whose config flow can be started from "Add integration"."""
        handlers: list[str] = await self.get("/api/config/config_entries/flow_handlers")
        return handlers

    async def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """Config entries of a domain (entry_id, state, title, ...)."""
        entries: list[dict[str, Any]] = await self.get(
            f"/api/config/config_entries/entry?domain={domain}"
        )
        return entries

    async def start_flow(
        self, handler: str, *, entry_id: str | None = None
    ) -> dict[str, Any]:
        """Start a config flow (user step; reconfigure with entry_id)."""
        data: dict[str, Any] = {"handler": handler, "show_advanced_options": False}
        if entry_id is not None:
            data["entry_id"] = entry_id
        result: dict[str, Any] = await self.post(
            "/api/config/config_entries/flow", data
        )
        return result

    async def flow_step(self, flow_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Submit a config flow's form."""
        result: dict[str, Any] = await self.post(
            f"/api/config/config_entries/flow/{flow_id}", dict(data)
        )
        return result

    async def abort_flow(self, flow_id: str) -> None:
        """Close a config flow that is not finished (the dialog's X)."""
        await self.request("DELETE", f"/api/config/config_entries/flow/{flow_id}")

    async def set_options(
        self, entry_id: str, options: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run the options flow with `options` merged into the form's suggested values."""
        form: dict[str, Any] = await self.post(
            "/api/config/config_entries/options/flow", {"handler": entry_id}
        )
        if form.get("type") != "form":
            raise HassApiError("POST", "options/flow", 200, form)
        values: dict[str, Any] = {}
        for field in form.get("data_schema", []):
            default = field.get("default")
            suggested = (field.get("description") or {}).get("suggested_value")
            if suggested is not None:
                values[field["name"]] = suggested
            elif default is not None:
                values[field["name"]] = default
        values.update(options)
        result: dict[str, Any] = await self.post(
            f"/api/config/config_entries/options/flow/{form['flow_id']}", values
        )
        return result

    async def reload_entry(self, entry_id: str) -> None:
        """Reload a config entry."""
        await self.post(f"/api/config/config_entries/entry/{entry_id}/reload")

    # ---------------------------------------------------------------- states, actions

    async def states(self) -> list[dict[str, Any]]:
        """Every entity state."""
        states: list[dict[str, Any]] = await self.get("/api/states")
        return states

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """One entity's state, None when it has none."""
        status, body = await self.request(
            "GET", f"/api/states/{entity_id}", expect=(200, 404)
        )
        return body if status == 200 else None

    async def call_service(
        self,
        domain: str,
        service: str,
        data: Mapping[str, Any] | None = None,
        *,
        expect: tuple[int, ...] | None = (200,),
    ) -> tuple[int, Any]:
        """Call an action; return (status, body)."""
        return await self.request(
            "POST", f"/api/services/{domain}/{service}", dict(data or {}), expect=expect
        )

    async def websocket(self) -> HassWebSocket:
        """Open an authenticated WebSocket connection (close it, or use `async with`)."""
        assert self.token is not None
        ws = await self.session.ws_connect(f"{self.base_url}/api/websocket")
        return await HassWebSocket.authenticate(ws, self.token)


class HassWebSocket:
    """A small client of the WebSocket API: commands with ids, events buffered per id."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an open connection."""
        self.ws = ws
        self._next_id = 1
        self._pending: dict[int, list[dict[str, Any]]] = {}

    @classmethod
    async def authenticate(
        cls, ws: aiohttp.ClientWebSocketResponse, token: str
    ) -> Self:
        """Answer auth_required with the token."""
        hello = await ws.receive_json()
        if hello.get("type") != "auth_required":
            raise RuntimeError(f"unexpected first message {hello!r}")
        await ws.send_json({"type": "auth", "access_token": token})
        answer = await ws.receive_json()
        if answer.get("type") != "auth_ok":
            await ws.close()
            raise RuntimeError(f"WebSocket authentication failed: {answer!r}")
        return cls(ws)

    async def __aenter__(self) -> Self:
        """Use as a context manager that closes the connection."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the connection."""
        await self.close()

    async def close(self) -> None:
        """Close the connection."""
        await self.ws.close()

    async def send(self, message_type: str, **data: Any) -> int:
        """Send a command; return its id."""
        message_id = self._next_id
        self._next_id += 1
        self._pending[message_id] = []
        await self.ws.send_json({"id": message_id, "type": message_type, **data})
        return message_id

    async def _receive(self, message_id: int, timeout: float) -> dict[str, Any]:
        queue = self._pending[message_id]
        async with asyncio.timeout(timeout):
            while not queue:
                message = await self.ws.receive_json()
                if (target := message.get("id")) in self._pending:
                    self._pending[target].append(message)
        return queue.pop(0)

    async def command(
        self, message_type: str, *, timeout: float = 30.0, **data: Any
    ) -> Any:
        """Send a command, return its result (raise on an error result)."""
        message_id = await self.send(message_type, **data)
        answer = await self._receive(message_id, timeout)
        del self._pending[message_id]
        if not answer.get("success"):
            raise RuntimeError(f"{message_type} failed: {answer.get('error')!r}")
        return answer.get("result")

    async def subscribe(self, message_type: str, **data: Any) -> int:
        """Start a subscription (e.g. subscribe_events); return its id for next_event."""
        message_id = await self.send(message_type, **data)
        answer = await self._receive(message_id, 30.0)
        if not answer.get("success"):
            raise RuntimeError(f"{message_type} failed: {answer.get('error')!r}")
        return message_id

    async def next_event(self, subscription: int, timeout: float) -> dict[str, Any]:
        """Return the next event of a subscription."""
        message = await self._receive(subscription, timeout)
        event: dict[str, Any] = message["event"]
        return event
