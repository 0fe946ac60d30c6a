"""Opaque message ids in URL paths."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given, strategies as st
from yarl import URL

from custom_components.voicemail.icws.client import quote_id

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


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1))
def test_encoded_ids_survive_yarl(message_id: str) -> None:
    """Built with encoded=True, the raw path keeps the encoding and decodes to the id."""
    url = URL(
        f"http://127.0.0.1:8018/icws/1/unified-messaging/{quote_id(message_id)}",
        encoded=True,
    )
    segment = url.raw_path.split("/")[4]
    assert "/" not in segment
    assert all(c.isascii() and (c.isalnum() or c in "-._~%") for c in segment)
    assert unquote(segment) == message_id
