"""Injected faults, the request log, path decoding (§9 point 11; §11 of PROTOCOL.md)."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

import aiohttp
import pytest
from yarl import URL

from tests.icws_simulator import SimulatorSettings
from tests.icws_simulator.server import RunningSimulator

from .helpers import (
    STOP,
    VOICEMAIL_SUB,
    Login,
    login,
    play_stop,
    poll,
    post_connection,
    set_state,
    status_of,
    subscribe,
)


async def test_410_and_500_faults(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """410 (deprecated resource) and 500 (errorCode -2147467259), once each."""
    sim = icws_simulator.sim
    sim.inject_fault("voicemail-messages$", 410)
    sim.inject_fault("voicemail-messages$", 500, method="PUT")
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        assert resp.status == 410
        assert (await resp.json(content_type=None))["message"] == (
            "This resource has been deprecated and removed from the API."
        )
    async with client_session.put(lg.url(VOICEMAIL_SUB), headers=lg.auth()) as resp:
        assert resp.status == 500
        assert (await resp.json(content_type=None))["errorCode"] == -2147467259
    assert await status_of(client_session, lg, "PUT", VOICEMAIL_SUB) == 200
    assert [r.status for r in sim.requests_to("voicemail-messages$")] == [410, 500, 200]


async def test_fault_filters_count_and_clear(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Method and host filters; count None lasts until cleared; custom bodies."""
    sim = icws_simulator.sim
    sim.inject_fault(
        "^/icws/connection$",
        503,
        count=None,
        method="POST",
        host="primary.test",
        body={"alternateHostList": ["backup.test"]},
    )
    for _ in range(2):
        async with client_session.post(
            f"{icws_simulator.url_for('primary.test')}/icws/connection", json={}
        ) as resp:
            assert resp.status == 503
            assert await resp.json(content_type=None) == {
                "alternateHostList": ["backup.test"]
            }
    await login(client_session, icws_simulator.url_for("backup.test"))
    sim.clear_faults()
    await login(client_session, icws_simulator.url_for("primary.test"))


async def test_any_status_and_401_fault(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Any status (here 418, 204) and a 401 with the WWW-Authenticate header."""
    sim = icws_simulator.sim
    sim.inject_fault("messaging/messages", 418)
    sim.inject_fault("messaging/messages", 401)
    sim.inject_fault("messaging/messages", 204)
    assert await status_of(client_session, lg, "GET", "messaging/messages") == 418
    async with client_session.get(
        lg.url("messaging/messages"), headers=lg.auth()
    ) as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("ICWS realm=")
    assert await status_of(client_session, lg, "GET", "messaging/messages") == 204
    # The 401 fault did not end the session.
    assert await poll(client_session, lg) == []


@pytest.mark.parametrize(
    ("variant", "error_id", "error_type"),
    [
        (
            "invalidProperty",
            "error.request.invalidRepresentation.invalidProperty",
            "urn:inin.com:common:invalidPropertyError",
        ),
        (
            "missingRequiredParameter",
            "error.request.invalidRepresentation.missingRequiredParameter",
            "urn:inin.com:common:missingPropertyError",
        ),
        (
            "malformed",
            "error.request.invalidRepresentation.malformed",
            "urn:inin.com:common:error",
        ),
    ],
)
async def test_400_variants_are_injectable(
    *,
    icws_simulator: RunningSimulator,
    client_session: aiohttp.ClientSession,
    lg: Login,
    variant: str,
    error_id: str,
    error_type: str,
) -> None:
    """Each of the three documented 400 bodies of stop can be injected."""
    message_id = icws_simulator.sim.voicemails("alice")[-1].message_id
    icws_simulator.sim.inject_fault("/play/stop$", 400, error_variant=variant)
    status, body = await play_stop(client_session, lg, message_id)
    assert status == 400
    assert body["errorId"] == error_id
    assert body["__type"] == error_type
    assert body["message"] == "Stop is not allowed on a unified message of this type."


async def test_unknown_error_variant_is_refused(
    icws_simulator: RunningSimulator,
) -> None:
    """A typo in the variant fails loudly."""
    with pytest.raises(ValueError, match="variant"):
        icws_simulator.sim.inject_fault("x", 400, error_variant="nope")


async def test_slow_answer(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Status None + delay: the answer is normal but held back (a client timeout fires)."""
    icws_simulator.sim.inject_fault("/version$", None, delay=5.0)
    with pytest.raises(TimeoutError):
        await client_session.get(
            f"{icws_simulator.url}/icws/connection/version",
            timeout=aiohttp.ClientTimeout(total=0.05),
        )
    icws_simulator.sim.inject_fault("/version$", None, delay=0.01)
    async with client_session.get(
        f"{icws_simulator.url}/icws/connection/version"
    ) as resp:
        assert resp.status == 200
    await asyncio.sleep(0)


async def test_dropped_connection(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """drop=True closes the connection without an answer (aiohttp retries a GET once)."""
    icws_simulator.sim.inject_fault("/version$", None, count=2, drop=True)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client_session.get(f"{icws_simulator.url}/icws/connection/version")
    assert [r.status for r in icws_simulator.sim.requests] == [599, 599]
    async with client_session.get(
        f"{icws_simulator.url}/icws/connection/version"
    ) as resp:
        assert resp.status == 200


async def test_request_log_keeps_raw_path_query_headers_body(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Raw (percent-encoded) path, raw query, headers, body, status, Host."""
    sim = icws_simulator.sim
    login_record = sim.requests[0]
    assert login_record.method == "POST"
    assert login_record.path == "/icws/connection"
    assert login_record.query == "include=features,version"
    assert login_record.headers["Accept-Language"] == "en-us"
    assert login_record.json()["userID"] == "alice"
    assert login_record.status == 201
    assert login_record.host == f"127.0.0.1:{icws_simulator.port}"
    await client_session.post(lg.message_url("a/b:c", STOP), headers=lg.auth())
    record = sim.requests[-1]
    assert record.path == f"/icws/{lg.session_id}/unified-messaging/a%2Fb%3Ac{STOP}"
    assert record.headers["ININ-ICWS-CSRF-Token"] == lg.csrf
    assert record.headers["Cookie"] == lg.cookie
    assert record.status == 400
    assert record.body == b""
    sim.clear_requests()
    assert sim.requests == []
    # Control requests are not recorded.
    async with client_session.post(f"{icws_simulator.url}/_simulator/state") as resp:
        assert resp.status == 200
    assert sim.requests == []


@pytest.mark.parametrize("icws_settings", [SimulatorSettings(message_id_style="imap")])
async def test_imap_ids_with_encoded_slashes_are_decoded(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Ids with `/ ; : @ =` work when every reserved character is percent-encoded."""
    await subscribe(client_session, lg)
    (snapshot,) = await poll(client_session, lg)
    message_id = snapshot["voicemailMessagesAdded"][-1]["unifiedMessageId"]
    assert (
        message_id
        == "imap://alice@voicestore:993/INBOX;uidvalidity=1/;uid=5/;section=1"
    )
    assert await set_state(client_session, lg, message_id, 1) == 204
    assert icws_simulator.sim.get_voicemail("alice", message_id).read is True
    # Unencoded slashes split the id into several segments: not found.
    raw = URL(
        f"{lg.base}/icws/{lg.session_id}/unified-messaging/{message_id}", encoded=True
    )
    async with client_session.put(raw, json={"state": 1}, headers=lg.auth()) as resp:
        assert resp.status == 404
    # Lower-case percent escapes decode too.
    lower = re.sub(
        "%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(message_id, safe="")
    )
    assert "%2f" in lower
    assert (
        await status_of(
            client_session,
            lg,
            "PUT",
            f"unified-messaging/{lower}",
            json={"state": 0},
        )
        == 204
    )


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(message_id_style="imap", encoded_slash_status=404)],
)
async def test_encoded_slash_can_be_refused(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Like servers that refuse `%2F`: 404, the message is untouched."""
    message_id = icws_simulator.sim.voicemails("alice")[-1].message_id
    assert await set_state(client_session, lg, message_id, 1) == 404
    assert icws_simulator.sim.get_voicemail("alice", message_id).read is False


@pytest.mark.parametrize(
    "icws_settings",
    [SimulatorSettings(unified_messaging_version=1, um_v1_unsupported_status=404)],
)
async def test_unified_messaging_1_lacks_play_and_update(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession, lg: Login
) -> None:
    """Open question 11: subscriptions work, play/stop/update do not."""
    await subscribe(client_session, lg)
    message_id = icws_simulator.sim.voicemails("alice")[-1].message_id
    status, _ = await play_stop(client_session, lg, message_id)
    assert status == 404
    assert await set_state(client_session, lg, message_id, 1) == 404


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(sdk_license_error_status=403)]
)
async def test_missing_sdk_license(
    icws_simulator: RunningSimulator, client_session: aiohttp.ClientSession
) -> None:
    """Open question 9: the login fails with the configured status."""
    async with post_connection(client_session, icws_simulator.url) as resp:
        assert resp.status == 403
        assert (await resp.json(content_type=None))["errorId"] == (
            "error.request.connection.licenseNotAvailable"
        )
