"""The incremental server-sent-events parser."""

from __future__ import annotations

import json
import re

from hypothesis import given, strategies as st
import pytest

from custom_components.voicemail.icws import IcwsProtocolError, VoicemailSnapshot
from custom_components.voicemail.icws.messages import parse_message
from custom_components.voicemail.icws.sse import (
    DEFAULT_MAX_EVENT_BYTES,
    SseEvent,
    SseParser,
)

from .samples import ADDED, VOICEMAIL_MESSAGES


def feed_all(chunks: list[bytes], parser: SseParser | None = None) -> list[SseEvent]:
    """Feed chunks one by one; all events in order."""
    parser = parser or SseParser()
    events: list[SseEvent] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    return events


def reference(stream: bytes) -> list[SseEvent]:
    """Run the WHATWG algorithm written plainly (whole stream at once), to compare with."""
    text = stream.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    lines.pop()  # after the last line end: an unfinished line
    events: list[SseEvent] = []
    data: list[str] = []
    event_type = ""
    last_id = ""
    for line in lines:
        if not line:
            if data:
                events.append(
                    SseEvent("\n".join(data), event_type or "message", last_id)
                )
            data, event_type = [], ""
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
    return events


def test_comments_fields_and_multiline_data() -> None:
    """`:` lines are ignored, data lines join with LF, event and id are kept."""
    stream = (
        b":ping\n"
        b": another comment\n"
        b'data: {"a":\n'
        b"data:1}\n"
        b"\n"
        b"event: update\n"
        b"id: 7\n"
        b"data: second\n"
        b"\n"
    )
    assert feed_all([stream]) == [
        SseEvent('{"a":\n1}'),
        SseEvent("second", "update", "7"),
    ]


def test_line_endings_crlf_cr_lf() -> None:
    """CRLF, CR and LF all end lines, also when a CRLF is split between chunks."""
    assert feed_all([b"data: a\r\n\r\ndata: b\r\rdata: c\n\n"]) == [
        SseEvent("a"),
        SseEvent("b"),
        SseEvent("c"),
    ]
    # CR at the end of one chunk, LF at the start of the next: one line end, not two.
    assert feed_all([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]) == [
        SseEvent("a\nb")
    ]
    # A chunk of just the LF that belongs to a CR, then an empty chunk.
    assert feed_all([b"data: x\r", b"\n", b"", b"\n"]) == [SseEvent("x")]


def test_dispatch_rules() -> None:
    """No data, no event; `data` without a value is an empty line of data."""
    assert feed_all([b"event: nothing\n\n", b"id: 1\n\n"]) == []
    assert feed_all([b"data\n\n"]) == [SseEvent("")]
    assert feed_all([b"data:\ndata:\n\n"]) == [SseEvent("\n")]
    # Only one leading space is removed from a value.
    assert feed_all([b"data:  two spaces\n\n"]) == [SseEvent(" two spaces")]


def test_unfinished_event_is_not_dispatched() -> None:
    """An event the stream ends in the middle of never comes out."""
    parser = SseParser()
    assert parser.feed(b"data: complete\n\ndata: cut off") == [SseEvent("complete")]
    assert parser.feed(b"\n") == []


def test_id_retry_and_unknown_fields() -> None:
    """An id with NUL is ignored; retry needs ASCII digits; unknown fields are ignored."""
    parser = SseParser(last_event_id="3")
    events = parser.feed(
        b"retry: 2500\nretry: soon\nretry: \xd9\xa3\nid: bad\x00id\nfoo: bar\ndata: x\n\n"
    )
    assert events == [SseEvent("x", last_event_id="3")]
    assert parser.retry == 2500
    assert parser.last_event_id == "3"
    assert parser.feed(b"id\ndata: y\n\n") == [SseEvent("y", last_event_id="")]


def test_byte_order_mark_and_invalid_utf8() -> None:
    """A leading BOM is dropped even when split; invalid UTF-8 becomes U+FFFD."""
    bom = b"\xef\xbb\xbf"
    assert feed_all([bom[:1], bom[1:2], bom[2:] + b"data: \xff\n\n"]) == [
        SseEvent("\ufffd")
    ]
    # Only at the very start of the stream.
    assert feed_all([b"data: a\n", bom + b"data: b\n\n"]) == [SseEvent("a")]
    # A first chunk that merely starts like a BOM.
    assert feed_all([b"\xef", b"data: a\n\n"]) == []
    assert feed_all([b"\n", b"data: a\n\n"]) == [SseEvent("a")]


def test_multi_megabyte_event_in_small_chunks() -> None:
    """A 6 MB single-line event (a large mailbox's snapshot) needs no line limit."""
    payload = "x" * 6_000_000
    stream = b"data: " + payload.encode() + b"\n\n"
    chunks = [stream[i : i + 1024] for i in range(0, len(stream), 1024)]
    assert feed_all(chunks) == [SseEvent(payload)]


# --- Memory bounds ----------------------------------------------------------------------

CAP = 1_000_000


def held(parser: SseParser) -> int:
    """Return the bytes the parser holds: the unconsumed tail and the event's data."""
    return len(parser._buffer) + len(parser._data)


def chunks_of(stream: bytes, size: int = 64 * 1024) -> list[bytes]:
    """Split a stream into chunks as a socket delivers them."""
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def feed_until_refused(parser: SseParser, chunks: list[bytes]) -> int:
    """Feed chunks until the parser refuses; return the most it ever held after a chunk."""
    peak = 0
    for chunk in chunks:
        try:
            events = parser.feed(chunk)
        except IcwsProtocolError:
            return peak
        assert events == []
        peak = max(peak, held(parser))
    pytest.fail("The parser took the whole stream")


def test_a_line_without_end_over_the_cap_is_refused() -> None:
    """A line that never ends is refused once it passes the cap, not buffered forever."""
    parser = SseParser(max_event_bytes=CAP)
    stream = b"data: " + b"x" * (3 * CAP)
    peak = feed_until_refused(parser, chunks_of(stream))
    assert CAP // 2 < peak <= CAP


def test_a_comment_without_end_over_the_cap_is_refused() -> None:
    """Not only data lines: any unfinished line is bounded."""
    parser = SseParser(max_event_bytes=CAP)
    peak = feed_until_refused(parser, chunks_of(b":" + b"p" * (2 * CAP)))
    assert peak <= CAP


def test_an_event_of_many_data_lines_over_the_cap_is_refused() -> None:
    """200,000 short `data:` lines that never dispatch: refused at the cap."""
    parser = SseParser(max_event_bytes=CAP)
    stream = b"data: 0123456789\n" * 200_000
    peak = feed_until_refused(parser, chunks_of(stream))
    assert CAP // 2 < peak <= CAP
    # Each line would have been small: it is the event's data that is bounded.
    assert len(stream) > 2 * CAP


def test_many_small_events_are_not_limited() -> None:
    """The cap is per event: a long stream of small events is fine."""
    parser = SseParser(max_event_bytes=100)
    events = feed_all(chunks_of(b"data: 0123456789\n\n" * 50_000, 1000), parser)
    assert len(events) == 50_000
    assert held(parser) == 0


def snapshot_event(count: int) -> tuple[bytes, bytes]:
    """Return a snapshot of `count` voicemails as one SSE event, and its data."""
    added = [
        dict(ADDED, unifiedMessageId=f"m{index}", subject=f"Voice mail {index}")
        for index in range(count)
    ]
    data = json.dumps(
        {
            "__type": VOICEMAIL_MESSAGES,
            "isDelta": False,
            "voicemailMessagesAdded": added,
        },
        separators=(",", ":"),
    ).encode()
    return b":ping\n" + b"data: " + data + b"\n\n", data


def test_a_10000_voicemail_snapshot_under_the_cap_parses() -> None:
    """A large mailbox's first snapshot (one event of megabytes) passes the default cap."""
    stream, data = snapshot_event(10_000)
    assert 2_000_000 < len(data) < DEFAULT_MAX_EVENT_BYTES
    [event] = feed_all(chunks_of(stream), SseParser())
    snapshot = parse_message(json.loads(event.data))
    assert isinstance(snapshot, VoicemailSnapshot)
    assert len(snapshot.voicemails) == 10_000
    assert snapshot.voicemails[-1].message_id == "m9999"
    assert snapshot.complete


def test_the_cap_is_the_events_data_size() -> None:
    """Data of exactly the cap passes (whole, as one chunk); one byte more is refused."""
    stream, data = snapshot_event(100)
    assert feed_all([stream], SseParser(max_event_bytes=len(data))) == [
        SseEvent(data.decode())
    ]
    with pytest.raises(IcwsProtocolError):
        feed_all([stream], SseParser(max_event_bytes=len(data) - 1))
    with pytest.raises(IcwsProtocolError):
        feed_all(chunks_of(stream, 100), SseParser(max_event_bytes=len(data) - 1))


# --- Property tests --------------------------------------------------------------------

field_value = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"),
    max_size=20,
)
line = st.one_of(
    st.builds(lambda v: f"data:{v}", field_value),
    st.builds(lambda v: f"data: {v}", field_value),
    st.builds(lambda v: f"event: {v}", field_value),
    st.builds(lambda v: f"id: {v}", field_value),
    st.builds(lambda v: f"retry: {v}", st.integers(0, 10_000).map(str) | field_value),
    st.builds(lambda v: f":{v}", field_value),
    st.just(""),
    st.just("data"),
)
line_end = st.sampled_from(["\n", "\r", "\r\n"])


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """Draw an event stream with mixed line ends, maybe a BOM, maybe stray bytes."""
    lines = draw(st.lists(st.tuples(line, line_end), max_size=30))
    body = "".join(text + end for text, end in lines).encode()
    if draw(st.booleans()):
        body = b"\xef\xbb\xbf" + body
    if draw(st.booleans()):
        body += draw(st.binary(max_size=10))
    return body


@st.composite
def chunkings(draw: st.DrawFn, stream: bytes) -> list[bytes]:
    """Split a stream at arbitrary points (empty chunks included)."""
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


@given(st.data())
def test_chunking_does_not_change_the_events(data: st.DataObject) -> None:
    """However the bytes are chunked, the same events come out as from one chunk."""
    stream = data.draw(streams())
    whole = feed_all([stream])
    assert feed_all(data.draw(chunkings(stream))) == whole
    assert feed_all([bytes([b]) for b in stream]) == whole


@given(streams())
def test_agrees_with_the_plain_algorithm(stream: bytes) -> None:
    """The incremental parser gives what the specification's algorithm gives."""
    assert feed_all([stream]) == reference(stream)


def test_an_overlong_line_is_refused_however_it_is_chunked() -> None:
    """A line over the cap is refused in one chunk as in many (not only unfinished)."""
    line = b"id: " + b"x" * 200 + b"\n\n"
    for chunks in ([line], chunks_of(line, 7)):
        with pytest.raises(IcwsProtocolError):
            feed_all(chunks, SseParser(max_event_bytes=100))
