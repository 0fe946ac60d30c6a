"""The voicemail config entry, created and repaired through Home Assistant's own config flows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scripts._dev.hass_api import HassApi, wait_for

DOMAIN = "voicemail"


@dataclass(frozen=True, slots=True)
class Connection:
    """What the config flow's user step asks for."""

    host: str
    port: int
    ssl: bool
    verify_ssl: bool
    username: str
    password: str

    def user_input(self) -> dict[str, Any]:
        """Return the user step's form data."""
        return {
            "host": self.host,
            "port": self.port,
            "ssl": self.ssl,
            "verify_ssl": self.verify_ssl,
            "username": self.username,
            "password": self.password,
        }

    def connection_input(self) -> dict[str, Any]:
        """Return the reconfigure step's form data (the account stays the same)."""
        return {
            "host": self.host,
            "port": self.port,
            "ssl": self.ssl,
            "verify_ssl": self.verify_ssl,
        }


class FlowError(RuntimeError):
    """The config flow showed its form again with errors, or aborted."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        """Keep the flow's last answer."""
        super().__init__(message)
        self.result = result


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    """What ensure_entry did."""

    entry_id: str
    title: str
    action: str  # "created", "existing", "reconfigured"


async def add_entry(
    api: HassApi, connection: Connection, play: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run the user step of the config flow, then its play step; return the last answer.

    `play` answers the play step (where voicemail plays; nothing: nowhere yet). The answer
    is `create_entry` (with `result` = the entry), or an `abort` such as
    already_configured. A form shown again with errors raises FlowError (the flow is closed).
    """
    form = await api.start_flow(DOMAIN)
    result = await api.flow_step(form["flow_id"], connection.user_input())
    if result["type"] == "form" and result["step_id"] == "play":
        result = await api.flow_step(form["flow_id"], dict(play or {}))
    if result["type"] == "form":
        await api.abort_flow(form["flow_id"])
        raise FlowError(
            f"the config flow refused the account: {result.get('errors')}", result
        )
    return result


async def reconfigure(
    api: HassApi, entry_id: str, connection: Connection
) -> dict[str, Any]:
    """Run the reconfigure flow of an entry with the connection settings; return its answer."""
    form = await api.start_flow(DOMAIN, entry_id=entry_id)
    if form["type"] != "form":
        return form
    result = await api.flow_step(form["flow_id"], connection.connection_input())
    if result["type"] == "form":
        await api.abort_flow(form["flow_id"])
    return result


async def ensure_entry(
    api: HassApi, connection: Connection, play: Mapping[str, str] | None = None
) -> EntryOutcome:
    """Make sure an entry for this account exists and reaches the server.

    A first run creates it through the user and play steps (`play`: see add_entry). On later runs the flow aborts with
    already_configured; entries that are not loaded (the simulator came back on another port)
    are then reconfigured to the current connection: the flow itself checks that the account
    is the same one (a different account aborts with unique_id_mismatch and stays as it is).
    """
    result = await add_entry(api, connection, play)
    if result["type"] == "create_entry":
        entry = result["result"]
        return EntryOutcome(entry["entry_id"], entry["title"], "created")
    if result.get("reason") != "already_configured":
        raise FlowError(f"the config flow aborted: {result.get('reason')}", result)
    entries = await api.config_entries(DOMAIN)
    for entry in entries:
        if entry["state"] == "loaded":
            continue
        answer = await reconfigure(api, entry["entry_id"], connection)
        if answer.get("reason") == "reconfigure_successful":
            return EntryOutcome(entry["entry_id"], entry["title"], "reconfigured")
    # The account's entry is loaded already (or is one we may not touch): report the first
    # loaded one, which is the account's when there is only one.
    loaded = [entry for entry in entries if entry["state"] == "loaded"]
    chosen = (loaded or entries)[0]
    return EntryOutcome(chosen["entry_id"], chosen["title"], "existing")


async def wait_entry_state(
    api: HassApi,
    entry_id: str,
    states: tuple[str, ...] = ("loaded",),
    timeout: float = 30.0,
) -> str:
    """Wait until the entry is in one of `states`; return the state it is in."""

    async def probe() -> str | None:
        for entry in await api.config_entries(DOMAIN):
            if entry["entry_id"] == entry_id and entry["state"] in states:
                state: str = entry["state"]
                return state
        return None

    return await wait_for(probe, timeout=timeout, what=f"config entry {states}")
