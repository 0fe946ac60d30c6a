"""The HTTP control API under /_simulator/ and the in-process control methods."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from tests.icws_simulator import IcwsSimulator, SimulatorSettings
from tests.icws_simulator.seed import demo_simulator, seed_mailbox
from tests.icws_simulator.server import RunningSimulator

from .helpers import Login, control as _control, login, poll, status_of, subscribe


async def test_mailbox_commands(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """add-voicemail, set-read, remove-voicemail, voicemails, reach subscribers as deltas."""
    await subscribe(client_session, lg)
    await poll(client_session, lg)
    added = await _control(
        client_session,
        icws_simulator,
        "add-voicemail",
        {
            "user": "alice",
            "sender": "Eve <4004>",
            "subject": "Hello",
            "received": "2026-11-28T08:00:00+00:00",
            "duration": 3,
        },
    )
    assert added["sender"] == "Eve <4004>"
    assert added["read"] is False
    (delta,) = await poll(client_session, lg)
    assert delta["voicemailMessagesAdded"][0]["dateReceived"] == "20261128T080000Z"
    await _control(
        client_session,
        icws_simulator,
        "set-read",
        {"user": "alice", "message_id": added["message_id"], "read": True},
    )
    (delta,) = await poll(client_session, lg)
    assert delta["voicemailMessagesChanged"][0]["state"] == 1
    await _control(
        client_session,
        icws_simulator,
        "remove-voicemail",
        {"user": "alice", "message_id": added["message_id"]},
    )
    (delta,) = await poll(client_session, lg)
    assert delta["voicemailMessagesRemoved"] == [added["message_id"]]
    listed = await _control(
        client_session, icws_simulator, "voicemails", {"user": "alice"}
    )
    assert len(listed["voicemails"]) == 5
    async with client_session.get(
        f"{icws_simulator.url}/_simulator/voicemails", params={"user": "alice"}
    ) as resp:
        assert len((await resp.json())["voicemails"]) == 5


async def test_session_commands(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """expire-sessions, switchover / switch-back, disconnect-sessions, drop-streams, state."""
    state = await _control(client_session, icws_simulator, "state")
    assert state["sessions"][0]["alive"] is True
    assert state["users"]["alice"]["unread"] == 2
    assert await _control(
        client_session, icws_simulator, "expire-sessions", {"user": "alice"}
    ) == {"expired": 1}
    assert await status_of(client_session, lg, "GET", "messaging/messages") == 401
    await login(client_session, icws_simulator.url)
    result = await _control(
        client_session,
        icws_simulator,
        "switchover",
        {"alternate_hosts": ["backup.test"]},
    )
    assert result == {"disconnected": 1}
    state = await _control(client_session, icws_simulator, "state")
    assert state["switched_over_to"] == ["backup.test"]
    await _control(client_session, icws_simulator, "switch-back")
    fresh = await login(client_session, icws_simulator.url)
    result = await _control(
        client_session,
        icws_simulator,
        "disconnect-sessions",
        {"reason": "AdminLogoff", "should_reconnect": False},
    )
    assert result == {"disconnected": 1}
    (message,) = await poll(client_session, fresh)
    assert message["reason"] == "AdminLogoff"
    assert await _control(client_session, icws_simulator, "drop-streams") == {
        "dropped": 0
    }


async def test_fault_and_request_commands(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """inject-fault, clear-faults, requests, clear-requests."""
    await _control(
        client_session,
        icws_simulator,
        "inject-fault",
        {"path_regex": "/version$", "status": 500, "count": None},
    )
    for _ in range(2):
        async with client_session.get(
            f"{icws_simulator.url}/icws/connection/version"
        ) as resp:
            assert resp.status == 500
    await _control(client_session, icws_simulator, "clear-faults")
    async with client_session.get(
        f"{icws_simulator.url}/icws/connection/version", headers={"X-Test": "yes"}
    ) as resp:
        assert resp.status == 200
    log = (await _control(client_session, icws_simulator, "requests"))["requests"]
    assert [entry["status"] for entry in log] == [500, 500, 200]
    assert ["X-Test", "yes"] in log[-1]["headers"]
    assert log[-1]["path"] == "/icws/connection/version"
    await _control(client_session, icws_simulator, "clear-requests")
    async with client_session.get(f"{icws_simulator.url}/_simulator/requests") as resp:
        assert (await resp.json()) == {"requests": []}


async def test_settings_and_users_commands(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Settings changes a setting at runtime; add-user adds an account."""
    result = await _control(
        client_session,
        icws_simulator,
        "settings",
        {"logout_status": 204, "alternate_host_list": ["x"]},
    )
    assert result["settings"]["logout_status"] == 204
    assert icws_simulator.sim.settings.alternate_host_list == ("x",)
    await _control(client_session, icws_simulator, "settings", {"nope": 1}, status=400)
    await _control(
        client_session, icws_simulator, "add-user", {"user": "carol", "password": "pw"}
    )
    lg = await login(client_session, icws_simulator.url, user="carol", password="pw")
    assert await status_of(client_session, lg, "DELETE", "connection") == 204


async def test_reset_restores_the_baseline(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """reset: sessions, faults, log and switchover gone; mailbox as seeded."""
    sim = icws_simulator.sim
    first_id = sim.voicemails("alice")[0].message_id
    sim.remove_voicemail("alice", first_id)
    sim.set_read("alice", sim.voicemails("alice")[-1].message_id, True)
    sim.inject_fault("x", 500)
    sim.switchover(["backup.test"])
    await _control(client_session, icws_simulator, "reset")
    assert sim.sessions == {}
    assert sim.faults == []
    assert sim.requests == []
    assert sim.switched_over_to is None
    voicemails = sim.voicemails("alice")
    assert voicemails[0].message_id == first_id
    assert voicemails[-1].read is False
    assert await status_of(client_session, lg, "GET", "connection") == 401
    fresh = await login(client_session, icws_simulator.url)
    assert fresh.session_id != lg.session_id
    # The baseline is a copy: changes after reset do not leak into it.
    sim.set_read("alice", voicemails[-1].message_id, True)
    sim.reset()
    assert sim.voicemails("alice")[-1].read is False


async def test_control_errors(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Unknown commands 404, unknown users/messages 404, bad bodies 400, GET only to read."""
    await _control(client_session, icws_simulator, "nope", status=404)
    await _control(
        client_session,
        icws_simulator,
        "set-read",
        {"user": "alice", "message_id": "missing", "read": True},
        status=404,
    )
    await _control(
        client_session, icws_simulator, "add-voicemail", {"user": "nobody"}, status=404
    )
    await _control(
        client_session,
        icws_simulator,
        "inject-fault",
        {"path_regex": "x", "status": 400, "error_variant": "bad"},
        status=400,
    )
    async with client_session.post(
        f"{icws_simulator.url}/_simulator/state", data=b"[1"
    ) as resp:
        assert resp.status == 400
    async with client_session.post(
        f"{icws_simulator.url}/_simulator/state", json=[1]
    ) as resp:
        assert resp.status == 400
    async with client_session.get(f"{icws_simulator.url}/_simulator/reset") as resp:
        assert resp.status == 405


def test_in_process_errors() -> None:
    """Control methods refuse unknown users and duplicate ids."""
    sim = IcwsSimulator()
    with pytest.raises(KeyError):
        sim.add_voicemail("nobody")
    sim.add_user("alice", "pw")
    sim.add_voicemail("alice", message_id="one")
    with pytest.raises(ValueError, match="already exists"):
        sim.add_voicemail("alice", message_id="one")
    user = sim.add_user("alice", "new", display_name="Alice", locked=True)
    assert (user.password, user.display_name, user.locked) == ("new", "Alice", True)
    sim.reset()
    assert sim.users == {}


def test_seeding_is_deterministic() -> None:
    """Same seed, same mailbox; realistic content; about 1 fax in 8."""
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    first, second = IcwsSimulator(), IcwsSimulator()
    for sim in (first, second):
        sim.add_user("alice", "secret")
        seed_mailbox(sim, "alice", 40, seed=3, now=now)
    a, b = first.voicemails("alice"), second.voicemails("alice")
    assert [
        (v.message_id, v.sender, v.subject, v.received, v.read, v.kind) for v in a
    ] == [(v.message_id, v.sender, v.subject, v.received, v.read, v.kind) for v in b]
    assert sum(v.kind == "fax" for v in a) == 5
    assert all(v.received < now for v in a)
    assert [v.received for v in a] == sorted(v.received for v in a)
    assert len({v.sender for v in a}) > 10
    demo = IcwsSimulator(SimulatorSettings(message_id_style="imap"))
    demo_simulator(demo, voicemails=3)
    assert demo.voicemails("alice")[0].message_id.startswith(
        "imap://alice@voicestore:993/"
    )
