"""Incremental server-sent-events parser (WHATWG HTML, "event stream interpretation").

Bytes go in, in chunks of any size; complete events come out. There is no line-length
limit below the event size cap: the first voicemail snapshot of a large mailbox is a
single event of several megabytes, which aiohttp's line reader refuses. The parser keeps
the unconsumed tail in a ``bytearray``, searches only the bytes it has not searched yet,
and deletes consumed bytes once per chunk, so its cost is linear in the size of the
stream. The data of the event being read is kept as bytes too, so `max_event_bytes`
bounds the memory the parser holds: an unfinished line or an event's data over it is an
`IcwsProtocolError` (the caller reopens the stream), not unbounded growth.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import IcwsProtocolError

DEFAULT_MAX_EVENT_BYTES = 32 * 1024 * 1024
"""A 10,000-voicemail snapshot is about 4 MB."""

_FIELD_ALLOWANCE = 64
"""A line may be this much longer than the cap: its field name (`data: `)."""
_LF = 0x0A
_CR = 0x0D
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One dispatched event."""

    data: str
    event: str = "message"
    last_event_id: str = ""


class SseParser:
    """Turns an event stream (UTF-8 bytes, any chunking) into `SseEvent`s.

    Lines end with CRLF, LF or CR; ``:`` lines are comments; ``data`` lines are joined
    with LF; ``event``, ``id`` and ``retry`` are honoured; an event is dispatched at a
    blank line and an unfinished event at the end of the stream is discarded.
    """

    def __init__(
        self, last_event_id: str = "", *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES
    ) -> None:
        """Start a stream; `last_event_id` carries over from a previous connection."""
        self._max = max_event_bytes
        self._buffer = bytearray()
        self._searched = 0  # bytes of _buffer already searched for a line end
        self._skip_lf = (
            False  # the previous chunk ended with CR: a leading LF belongs to it
        )
        self._bom_checked = False
        self._data = bytearray()
        self._has_data = False
        self._event_type = ""
        self.last_event_id = last_event_id
        self.retry: int | None = None
        """Reconnection time in milliseconds, when the server sent `retry:`."""

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """Add bytes from the stream; return the events they completed."""
        if not chunk:
            return []
        buffer = self._buffer
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == _LF:
                chunk = chunk[1:]
        buffer += chunk
        if not self._bom_checked:
            if len(buffer) < len(_BOM) and _BOM.startswith(buffer):
                return []  # maybe the start of a byte order mark: wait for more
            self._bom_checked = True
            if buffer.startswith(_BOM):
                del buffer[: len(_BOM)]
        events: list[SseEvent] = []
        start = 0
        end_of_buffer = len(buffer)
        lf = buffer.find(b"\n", self._searched)
        cr = buffer.find(b"\r", self._searched)
        while lf != -1 or cr != -1:
            if cr == -1 or (lf != -1 and lf < cr):
                line_end, start_next = lf, lf + 1
            elif cr + 1 < end_of_buffer:
                line_end = cr
                start_next = cr + 2 if buffer[cr + 1] == _LF else cr + 1
            else:
                # CR is the last byte: the line is complete, an LF may follow later.
                line_end, start_next = cr, cr + 1
                self._skip_lf = True
            event = self._line(buffer, start, line_end)
            if event is not None:
                events.append(event)
            start = start_next
            if lf != -1 and lf < start:
                lf = buffer.find(b"\n", start)
            if cr != -1 and cr < start:
                cr = buffer.find(b"\r", start)
        if start:
            del buffer[:start]
        self._searched = len(buffer)
        if self._searched > self._max + _FIELD_ALLOWANCE:
            raise IcwsProtocolError(
                f"The event stream sent a line of more than {self._max} bytes"
            )
        return events

    def _line(self, buffer: bytearray, start: int, end: int) -> SseEvent | None:
        """Interpret one line (without its end); return an event on a blank line.

        A line over the cap (plus its field name) is refused whether it came in one
        chunk or many.
        """
        if start == end:
            return self._dispatch()
        if end - start > self._max + _FIELD_ALLOWANCE:
            raise IcwsProtocolError(
                f"The event stream sent a line of more than {self._max} bytes"
            )
        colon = buffer.find(b":", start, end)
        if colon == start:
            return None  # comment, e.g. ":ping"
        if colon == -1:
            name = bytes(buffer[start:end])
            value_start = end
        else:
            name = bytes(buffer[start:colon])
            value_start = colon + 1
            if value_start < end and buffer[value_start] == 0x20:
                value_start += 1
        if name == b"data":
            data = self._data
            if self._has_data:
                data.append(_LF)
            self._has_data = True
            data += buffer[value_start:end]
            if len(data) > self._max:
                raise IcwsProtocolError(
                    f"The event stream sent an event of more than {self._max} bytes"
                )
            return None
        value = buffer[value_start:end].decode("utf-8", "replace")
        if name == b"event":
            self._event_type = value
        elif name == b"id":
            if "\0" not in value:
                self.last_event_id = value
        elif name == b"retry":
            if value.isascii() and value.isdigit():
                self.retry = int(value)
        return None

    def _dispatch(self) -> SseEvent | None:
        """End of an event: return it unless it has no data."""
        data, had_data = self._data, self._has_data
        self._data, self._has_data = bytearray(), False
        event_type, self._event_type = self._event_type, ""
        if not had_data:
            return None
        return SseEvent(
            data.decode("utf-8", "replace"), event_type or "message", self.last_event_id
        )
