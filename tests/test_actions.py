"""The actions of issue 4 (play, mark read/unread, delete, list) and several accounts.

Against the ICWS simulator over loopback: the real client sends real requests.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
from typing import Any

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.voicemail.const import CONF_PLAY_TARGET, DOMAIN
from custom_components.voicemail.coordinator import VoicemailConfigEntry
from custom_components.voicemail.services import (
    SERVICE_DELETE,
    SERVICE_LIST,
    SERVICE_MARK_READ,
    SERVICE_MARK_UNREAD,
    SERVICE_PLAY,
    SERVICE_STOP_PLAYBACK,
)
from tests.icws_simulator.fixtures import USER
from tests.icws_simulator.simulator import IcwsSimulator
from tests.integration_helpers import (
    MESSAGE_PATH,
    PLAY_PATH,
    STOP_PATH,
    async_call_action,
    async_empty_mailbox,
    async_set_play_target,
    async_setup_bob,
    async_start_playback,
    message_ids,
    wait_until,
)

UNKNOWN_ID = "imap://alice@voicestore/INBOX;uid=99"

# The seeded mailbox of alice, oldest first: Carol (read), a fax (unread), Dave
# (read), +15559876543 (unread), Bob Smith (unread, the newest).


def _body(request: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(request.body)
    return body


# --- play --------------------------------------------------------------------------------


async def test_play_newest_unread_to_the_configured_target(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """Without an id: the newest unread voicemail, to the options' target, then read."""
    newest = message_ids(sim)[-1]
    await async_set_play_target(hass, init_integration, "1234")
    sim.clear_requests()

    response = await async_call_action(hass, SERVICE_PLAY)

    assert response == {
        "voicemail": {
            "message_id": newest,
            "from": "Bob Smith <+15551234>",
            "subject": "Voice mail from Bob Smith",
            "received": "2026-11-27T16:30:00+00:00",
            "read": False,
            "fax": False,
            "duration": None,
            "transcript": None,
            ATTR_CONFIG_ENTRY_ID: init_integration.entry_id,
        }
    }
    [play] = sim.requests_to(PLAY_PATH, "POST")
    # The play request carries the message's own state (unread); the mark-read
    # request comes after it.
    assert _body(play)["state"] == 0
    assert _body(play)["playTarget"]["target"] == "1234"
    [mark] = sim.requests_to(MESSAGE_PATH, "PUT")
    assert _body(mark) == {"state": 1}
    assert sim.requests.index(play) < sim.requests.index(mark)
    assert sim.get_voicemail(USER, newest).read
    await wait_until(hass, lambda: init_integration.runtime_data.data.playing == newest)


async def test_play_a_given_message_without_marking_it_read(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """A message id and a target: that message there; mark_read false sends no PUT."""
    unread = message_ids(sim)[-2]

    await async_call_action(
        hass,
        SERVICE_PLAY,
        {"message_id": unread, "target": "+15550001111", "mark_read": False},
    )

    [play] = sim.requests_to(PLAY_PATH, "POST")
    assert unread in play.path
    assert _body(play)["playTarget"]["target"] == "+15550001111"
    assert sim.requests_to(MESSAGE_PATH, "PUT") == []
    assert not sim.get_voicemail(USER, unread).read


async def test_play_a_read_message_sends_no_mark_read(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """A message that is read already: its state (read) in the play request, no PUT."""
    read = message_ids(sim)[0]

    await async_call_action(hass, SERVICE_PLAY, {"message_id": read, "target": "1234"})

    [play] = sim.requests_to(PLAY_PATH, "POST")
    assert _body(play)["state"] == 1
    assert sim.requests_to(MESSAGE_PATH, "PUT") == []


async def test_play_newest_when_all_are_read_and_skip_faxes(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """All voicemails read and a fax unread: the newest voicemail plays, not the fax."""
    for message_id in message_ids(sim):
        sim.set_read(USER, message_id, True)
    sim.add_voicemail(
        USER,
        sender="Acme Corp <+18005550100>",
        kind="fax",
        received=datetime(2026, 11, 28, 7, 0, tzinfo=UTC),
    )
    coordinator = init_integration.runtime_data
    await wait_until(
        hass,
        lambda: len(coordinator.data.voicemails) == 6 and coordinator.data.unread == 2,
    )

    response = await async_call_action(hass, SERVICE_PLAY, {"target": "1234"})

    assert response is not None
    assert response["voicemail"]["message_id"] == message_ids(sim)[-1]


async def test_play_with_an_empty_mailbox(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """Nothing to play: a translated validation error, no request."""
    await async_empty_mailbox(hass, sim, init_integration)

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call_action(hass, SERVICE_PLAY, {"target": "1234"})

    assert exc_info.value.translation_domain == DOMAIN
    assert exc_info.value.translation_key == "no_voicemail"
    assert str(exc_info.value) == "There is no voicemail to play"
    assert sim.requests_to(PLAY_PATH) == []


async def test_play_without_any_target(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """No target given and none in the options: an error that says where to set one.

    The account's Configure dialog, or the repair issue the attempt raised.
    """
    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call_action(hass, SERVICE_PLAY)

    assert exc_info.value.translation_key == "no_play_target"
    message = str(exc_info.value)
    assert init_integration.title in message
    assert "Configure" in message
    assert "Settings → Repairs" in message
    assert sim.requests_to(PLAY_PATH) == []
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"no_play_target_{init_integration.entry_id}"
    )
    assert issue is not None
    assert issue.is_fixable


# --- mark read / unread, delete --------------------------------------------------------


async def test_mark_read_and_unread(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """Each sends the mark-read request with the state asked for."""
    message_id = message_ids(sim)[-1]
    coordinator = init_integration.runtime_data

    await async_call_action(hass, SERVICE_MARK_READ, {"message_id": message_id})
    await wait_until(hass, lambda: coordinator.data.by_id[message_id].read)
    await async_call_action(hass, SERVICE_MARK_UNREAD, {"message_id": message_id})
    await wait_until(hass, lambda: not coordinator.data.by_id[message_id].read)

    assert [_body(r) for r in sim.requests_to(MESSAGE_PATH, "PUT")] == [
        {"state": 1},
        {"state": 0},
    ]


async def test_delete(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """A message that does not play is deleted without a stop request."""
    message_id = message_ids(sim)[0]

    await async_call_action(hass, SERVICE_DELETE, {"message_id": message_id})

    assert [r.status for r in sim.requests_to(MESSAGE_PATH, "DELETE")] == [204]
    assert sim.requests_to(STOP_PATH) == []
    await wait_until(
        hass, lambda: message_id not in init_integration.runtime_data.data.by_id
    )


async def test_delete_stops_the_playback_first(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """The message that plays is stopped, then deleted."""
    message_id = message_ids(sim)[-1]
    await async_call_action(
        hass, SERVICE_PLAY, {"message_id": message_id, "target": "1234"}
    )
    coordinator = init_integration.runtime_data
    await wait_until(hass, lambda: coordinator.data.playing == message_id)
    sim.clear_requests()

    await async_call_action(hass, SERVICE_DELETE, {"message_id": message_id})

    assert [(r.method, r.status) for r in sim.requests] == [
        ("POST", 204),
        ("DELETE", 204),
    ]
    assert coordinator.data.playing is None


# --- list --------------------------------------------------------------------------------


async def test_list(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """Every message, newest first, with whether it plays."""
    playing = message_ids(sim)[0]
    await async_start_playback(hass, sim, init_integration, playing)

    response = await async_call_action(hass, SERVICE_LIST)

    assert response is not None
    voicemails = response["voicemails"]
    assert [vm["message_id"] for vm in voicemails] == [
        vm.message_id for vm in reversed(sim.voicemails(USER))
    ]
    assert voicemails[-1] == {
        "message_id": playing,
        "from": "Carol Jones <2002>",
        "subject": "Voice mail from Carol Jones",
        "received": "2026-10-30T09:15:00+00:00",
        "read": True,
        "fax": False,
        "duration": None,
        "transcript": None,
        "playing": True,
        ATTR_CONFIG_ENTRY_ID: init_integration.entry_id,
    }
    assert [vm["playing"] for vm in voicemails].count(True) == 1


async def test_list_unread_with_limit(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
) -> None:
    """Only unread ones, at most `limit` of them (the newest)."""
    response = await async_call_action(
        hass, SERVICE_LIST, {"unread_only": True, "limit": 2}
    )

    assert response is not None
    assert [vm["from"] for vm in response["voicemails"]] == [
        "Bob Smith <+15551234>",
        "+15559876543",
    ]
    assert all(not vm["read"] for vm in response["voicemails"])


async def test_list_only_returns_data(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry
) -> None:
    """`list` is for templates and scripts: called without asking for data, it refuses."""
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, SERVICE_LIST, {}, blocking=True)


@pytest.mark.parametrize("limit", [0, -1, "many"])
async def test_list_refuses_a_bad_limit(
    hass: HomeAssistant, init_integration: VoicemailConfigEntry, limit: object
) -> None:
    """The limit is a positive whole number."""
    with pytest.raises(Exception, match="limit"):
        await async_call_action(hass, SERVICE_LIST, {"limit": limit})


# --- errors of every action ----------------------------------------------------------------


def _with_message(service: str, message_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {"message_id": message_id}
    if service == SERVICE_PLAY:
        data["target"] = "1234"
    return data


@pytest.mark.parametrize(
    "service", [SERVICE_PLAY, SERVICE_MARK_READ, SERVICE_MARK_UNREAD, SERVICE_DELETE]
)
async def test_unknown_message(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    service: str,
) -> None:
    """An id the mailbox does not have: refused before any request, translated."""
    sim.clear_requests()

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call_action(hass, service, _with_message(service, UNKNOWN_ID))

    assert exc_info.value.translation_key == "unknown_message"
    assert exc_info.value.translation_placeholders == {"message_id": UNKNOWN_ID}
    assert (
        str(exc_info.value) == f"The mailbox has no voicemail with the ID {UNKNOWN_ID}"
    )
    assert sim.requests == []


async def test_play_a_fax(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> None:
    """The server refuses to play a fax (400): its words reach the user."""
    [fax] = message_ids(sim, kind="fax")

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call_action(hass, SERVICE_PLAY, _with_message(SERVICE_PLAY, fax))

    assert exc_info.value.translation_key == "not_allowed"
    assert "Play is not allowed" in exc_info.value.translation_placeholders["message"]


@pytest.mark.parametrize(
    ("service", "method"),
    [
        (SERVICE_MARK_READ, "PUT"),
        (SERVICE_MARK_UNREAD, "PUT"),
        (SERVICE_DELETE, "DELETE"),
    ],
)
async def test_refused_for_a_fax(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    service: str,
    method: str,
) -> None:
    """A server that refuses the operation on a fax (400): a translated validation error."""
    [fax] = message_ids(sim, kind="fax")
    sim.inject_fault(MESSAGE_PATH, 400, method=method, error_variant="invalidProperty")

    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call_action(hass, service, {"message_id": fax})

    assert exc_info.value.translation_key == "not_allowed"


@pytest.mark.parametrize(
    "request_of_action",
    [
        (SERVICE_PLAY, PLAY_PATH, "POST"),
        (SERVICE_PLAY, MESSAGE_PATH, "PUT"),
        (SERVICE_MARK_READ, MESSAGE_PATH, "PUT"),
        (SERVICE_MARK_UNREAD, MESSAGE_PATH, "PUT"),
        (SERVICE_DELETE, MESSAGE_PATH, "DELETE"),
    ],
)
async def test_server_error(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    request_of_action: tuple[str, str, str],
) -> None:
    """A 500 on any request of an action (service, path, method): a translated failure."""
    service, path, method = request_of_action
    sim.inject_fault(path, 500, method=method)

    with pytest.raises(HomeAssistantError) as exc_info:
        await async_call_action(
            hass, service, _with_message(service, message_ids(sim)[-1])
        )

    assert not isinstance(exc_info.value, ServiceValidationError)
    assert exc_info.value.translation_key == "server_error"
    assert str(exc_info.value).startswith("The ICWS server could not carry out")


# --- several accounts ----------------------------------------------------------------------

BOB_NEWEST = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.fixture
async def bob(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
) -> MockConfigEntry:
    """Load a second account, bob, whose unread voicemail is newer than alice's."""
    entry = await async_setup_bob(
        hass, sim, init_integration, **{CONF_PLAY_TARGET: "2000"}
    )
    sim.add_voicemail("bob", sender="Grace Hill <6006>", received=BOB_NEWEST)
    sim.add_voicemail(
        "bob",
        sender="Heidi Klum <7007>",
        received=datetime(2026, 11, 1, tzinfo=UTC),
        read=True,
    )
    await wait_until(hass, lambda: len(entry.runtime_data.data.voicemails) == 2)
    return entry


async def test_list_covers_every_account(
    hass: HomeAssistant,
    init_integration: VoicemailConfigEntry,
    bob: MockConfigEntry,
) -> None:
    """Without an account: everyone's voicemails, newest first; with one: its own."""
    response = await async_call_action(hass, SERVICE_LIST)
    assert response is not None
    everything = response["voicemails"]
    assert len(everything) == 7
    assert everything[0]["from"] == "Grace Hill <6006>"
    assert everything[0][ATTR_CONFIG_ENTRY_ID] == bob.entry_id
    assert [vm["received"] for vm in everything] == sorted(
        (vm["received"] for vm in everything), reverse=True
    )

    response = await async_call_action(
        hass, SERVICE_LIST, {ATTR_CONFIG_ENTRY_ID: bob.entry_id}
    )
    assert response is not None
    assert {vm[ATTR_CONFIG_ENTRY_ID] for vm in response["voicemails"]} == {bob.entry_id}
    assert len(response["voicemails"]) == 2


async def test_play_picks_the_account_with_the_newest_unread(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    bob: MockConfigEntry,
) -> None:
    """No account named: the newest unread of all; named: that account's newest unread."""
    response = await async_call_action(hass, SERVICE_PLAY)
    assert response is not None
    assert response["voicemail"]["from"] == "Grace Hill <6006>"
    assert response["voicemail"][ATTR_CONFIG_ENTRY_ID] == bob.entry_id
    [play] = sim.requests_to(PLAY_PATH, "POST")
    assert _body(play)["playTarget"]["target"] == "2000"

    response = await async_call_action(
        hass,
        SERVICE_PLAY,
        {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id, "target": "1234"},
    )
    assert response is not None
    assert response["voicemail"]["from"] == "Bob Smith <+15551234>"


async def test_message_actions_find_the_account(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    bob: MockConfigEntry,
) -> None:
    """A message id without an account: the account that has the message."""
    [bobs_unread] = [vm.message_id for vm in sim.voicemails("bob") if not vm.read]

    await async_call_action(hass, SERVICE_MARK_READ, {"message_id": bobs_unread})

    assert sim.get_voicemail("bob", bobs_unread).read
    with pytest.raises(ServiceValidationError) as exc_info:
        await async_call_action(
            hass,
            SERVICE_MARK_READ,
            {
                ATTR_CONFIG_ENTRY_ID: init_integration.entry_id,
                "message_id": bobs_unread,
            },
        )
    assert exc_info.value.translation_key == "unknown_message"


async def test_stop_stops_every_account(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    bob: MockConfigEntry,
) -> None:
    """No account and no message: whatever plays on any account stops."""
    alices = message_ids(sim)[-1]
    bobs = message_ids(sim, "bob")[-1]
    await async_call_action(
        hass, SERVICE_PLAY, {"message_id": alices, "target": "1234"}
    )
    await async_call_action(hass, SERVICE_PLAY, {"message_id": bobs})
    await wait_until(
        hass,
        lambda: (
            init_integration.runtime_data.data.playing == alices
            and bob.runtime_data.data.playing == bobs
        ),
    )

    response = await async_call_action(hass, SERVICE_STOP_PLAYBACK)

    assert response is not None
    assert sorted(response["stopped"]) == sorted([alices, bobs])
    assert init_integration.runtime_data.data.playing is None
    assert bob.runtime_data.data.playing is None


async def test_stop_a_message_of_the_other_account(
    hass: HomeAssistant,
    sim: IcwsSimulator,
    init_integration: VoicemailConfigEntry,
    bob: MockConfigEntry,
) -> None:
    """A message id without an account: stopped on the account that has it."""
    bobs = message_ids(sim, "bob")[-1]
    await async_start_playback(hass, sim, bob, bobs, user="bob")

    response = await async_call_action(
        hass, SERVICE_STOP_PLAYBACK, {"message_id": bobs}
    )

    assert response == {"stopped": [bobs]}
    assert bob.runtime_data.data.playing is None
