"""Opaque message ids in URL paths."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import example, given, strategies as st
import pytest
from yarl import URL

from custom_components.voicemail.icws.session import quote_id
from tests.icws_simulator import IcwsSimulator, SimulatorSettings

from .conftest import ClientFactory

IMAP_ID = "imap://alice@voicestore:993/INBOX;uidvalidity=1/;uid=574/;section=1"


def test_imap_id_is_one_segment() -> None:
    """Every reserved character is encoded, so the id stays one path segment."""
    assert quote_id(IMAP_ID) == (
        "imap%3A%2F%2Falice%40voicestore%3A993%2FINBOX%3Buidvalidity%3D1%2F%3Buid%3D574"
        "%2F%3Bsection%3D1"
    )


def test_unreserved_characters_stay() -> None:
    """Letters, digits and `-._~` are not encoded; others are, as UTF-8."""
    assert quote_id("AZaz09-._~") == "AZaz09-._~"
    assert quote_id("a b+c%d?e#f&g!h'(i)*,$") == (
        "a%20b%2Bc%25d%3Fe%23f%26g%21h%27%28i%29%2A%2C%24"
    )
    assert quote_id("é") == "%C3%A9"


def test_dot_segments_are_encoded() -> None:
    """The ids `.` and `..` would be dot segments: they are sent as `%2E` / `%2E%2E`."""
    assert quote_id(".") == "%2E"
    assert quote_id("..") == "%2E%2E"
    # Dots inside a longer id are no dot segment and stay as they are.
    assert quote_id("...") == "..."
    assert quote_id("a.b") == "a.b"


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1))
@example(".")
@example("..")
@example(IMAP_ID)
def test_encoded_ids_survive_yarl(message_id: str) -> None:
    """Built with encoded=True, the raw path keeps the encoding and decodes to the id."""
    url = URL(
        f"http://127.0.0.1:8018/icws/1/unified-messaging/{quote_id(message_id)}/x",
        encoded=True,
    )
    segment = url.raw_path.split("/")[4]
    assert "/" not in segment
    assert segment not in {".", ".."}
    assert all(c.isascii() and (c.isalnum() or c in "-._~%") for c in segment)
    assert unquote(segment) == message_id


@pytest.mark.parametrize(
    "icws_settings", [SimulatorSettings(normalize_dot_segments=True)]
)
@pytest.mark.parametrize("message_id", [".", ".."])
async def test_dot_ids_reach_their_message_through_a_proxy(
    sim: IcwsSimulator, make_client: ClientFactory, message_id: str
) -> None:
    """A proxy that resolves literal dot segments still passes `.` / `..` ids on."""
    sim.add_voicemail("alice", sender="Dot <1>", message_id=message_id)
    others = {vm.message_id: vm.read for vm in sim.voicemails("alice")[:-1]}
    session = await make_client().login()
    await session.set_read(message_id, True)
    await session.stop(message_id)
    update, stop = sim.requests[-2:]
    segment = "%2E" * len(message_id)
    prefix = f"/icws/{session.session_id}/unified-messaging/{segment}"
    assert (update.method, update.path, update.status) == ("PUT", prefix, 204)
    assert (stop.path, stop.status) == (f"{prefix}/voicemail-message/play/stop", 204)
    assert sim.get_voicemail("alice", message_id).read
    await session.delete(message_id)
    assert sim.requests[-1].status == 204
    assert {vm.message_id: vm.read for vm in sim.voicemails("alice")} == others
    await session.logout()
