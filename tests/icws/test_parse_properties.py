"""Property tests of the parsers: whatever JSON comes in, a model or IcwsProtocolError."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
import json
from typing import Any

from hypothesis import given, strategies as st

from custom_components.voicemail.icws import (
    ConnectionStateChange,
    IcwsProtocolError,
    MessageWaiting,
    PlayStatusChange,
    SubscriptionStateChange,
    VoicemailDelta,
    VoicemailSnapshot,
)
from custom_components.voicemail.icws.messages import (
    checked_voicemail,
    fast_voicemail,
    parse_message,
)
from custom_components.voicemail.icws.parse import (
    EARLIEST,
    LATEST,
    ErrorBody,
    LoginReply,
    parse_datetime,
    parse_error,
    parse_login,
)

from .samples import (
    ADDED,
    CONNECTION_STATE_MESSAGE,
    EXPECTED_VOICEMAIL,
    LIBRARY_DATES,
    LOGIN,
    MWI_MESSAGE,
    MWI_SUBSCRIPTION_STATE,
    PLAY_STATUS_MESSAGE,
    VALID_MESSAGES,
    VOICEMAIL_MESSAGES,
    VOICEMAIL_SUBSCRIPTION_STATE,
)

DOTNET_EXTREMES = [
    "00010101T000000Z",
    "99991231T235959Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59.9999999-05:00",
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from([*LIBRARY_DATES, *DOTNET_EXTREMES, "m1", "", "0", "2", "7"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "__type",
                    "isDelta",
                    "unifiedMessageId",
                    "state",
                    "dateReceived",
                    "attachments",
                    "playStatus",
                    "messagesWaiting",
                    "newConnectionState",
                    "voicemailMessagesAdded",
                    "voicemailMessagesChanged",
                    "voicemailMessagesRemoved",
                    "error",
                    "message",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)
message_types = st.sampled_from(
    [
        VOICEMAIL_MESSAGES,
        PLAY_STATUS_MESSAGE,
        CONNECTION_STATE_MESSAGE,
        MWI_MESSAGE,
        VOICEMAIL_SUBSCRIPTION_STATE,
        MWI_SUBSCRIPTION_STATE,
        "urn:inin.com:unknown",
    ]
)

MODELS = (
    VoicemailSnapshot,
    VoicemailDelta,
    PlayStatusChange,
    ConnectionStateChange,
    MessageWaiting,
    SubscriptionStateChange,
    LoginReply,
    type(None),
)


def parses_or_protocol_error(value: object) -> None:
    """Each parser returns its model (or None) or raises IcwsProtocolError, nothing else."""
    for parse in (parse_message, parse_login):
        try:
            result = parse(value)
        except IcwsProtocolError:
            continue
        assert isinstance(result, MODELS)
    assert isinstance(parse_error(json.dumps(value).encode()), ErrorBody)


@given(json_values)
def test_any_json_is_a_model_or_a_protocol_error(value: object) -> None:
    """No JSON makes the parsers raise anything but IcwsProtocolError."""
    parses_or_protocol_error(value)


@given(message_types, st.dictionaries(st.text(max_size=25), json_values, max_size=8))
def test_any_object_of_a_known_type(message_type: str, fields: dict[str, Any]) -> None:
    """Objects that claim a known `__type` with arbitrary fields."""
    parses_or_protocol_error({**fields, "__type": message_type})


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested JSON."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths.extend(_paths(child, (*prefix, index)))
    return paths


@given(st.sampled_from([*VALID_MESSAGES, LOGIN]), st.data())
def test_mutated_valid_messages(message: dict[str, Any], data: st.DataObject) -> None:
    """Valid messages with parts replaced or deleted parse or raise IcwsProtocolError."""
    mutated = copy.deepcopy(message)
    for _ in range(data.draw(st.integers(1, 4))):
        paths = [p for p in _paths(mutated) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent: Any = mutated
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    parses_or_protocol_error(mutated)


# --- Dates ---------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
)


@st.composite
def library_forms(draw: st.DrawFn) -> tuple[str, datetime]:
    """Draw an instant and one of the library's forms of it (with what it means in UTC).

    Dashed `YYYY-MM-DDThh:mm[:ss[.f*]]Z` or compact `YYYYMMDD[T]hhmm[ss[.f*]]Z`.
    """
    when = draw(instants).replace(tzinfo=UTC)
    dashed = draw(st.booleans())
    date = f"{when.year:04d}{when.month:02d}{when.day:02d}"
    if dashed:
        text = f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}"
    else:
        t = draw(st.sampled_from(["T", ""]))
        text = f"{date}{t}{when.hour:02d}{when.minute:02d}"
    expected = when.replace(second=0, microsecond=0)
    if draw(st.booleans()):
        text += f"{':' if dashed else ''}{when.second:02d}"
        expected = expected.replace(second=when.second)
        fraction = draw(st.sampled_from(["", "0", "5", "123", "1234567"]))
        if fraction:
            text += f".{fraction}"
            expected = expected.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return f"{text}Z", expected


@given(library_forms())
def test_library_dates_parse_to_their_utc_time(form: tuple[str, datetime]) -> None:
    """Every form of the library gives its instant in UTC (clamped at the ends)."""
    text, expected = form
    parsed = parse_datetime(text)
    assert parsed == min(max(expected, EARLIEST), LATEST)
    assert parsed.utcoffset() == timedelta(0)


@given(instants, st.integers(-14 * 60, 14 * 60))
def test_iso_dates_with_offsets(when: datetime, minutes: int) -> None:
    """ISO 8601 with any offset: the same instant in UTC, clamped; never an overflow."""
    offset = timedelta(minutes=minutes)
    sign = "+" if minutes >= 0 else "-"
    text = f"{when.isoformat()}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    parsed = parse_datetime(text)
    assert parsed.utcoffset() == timedelta(0)
    utc_naive_min = datetime(1, 1, 3)
    utc_naive_max = datetime(9999, 12, 29)
    # Compare as naive UTC values: when - offset may lie outside datetime's range.
    if when - utc_naive_min < offset:
        assert parsed == EARLIEST
    elif utc_naive_max - when < -offset:
        assert parsed == LATEST
    else:
        assert parsed == (when - offset).replace(tzinfo=UTC)


# --- The fast voicemail path -----------------------------------------------------------


def mostly[T](valid: st.SearchStrategy[T]) -> st.SearchStrategy[object]:
    """Draw a valid value nine times in ten, else any JSON scalar."""
    return st.integers(0, 9).flatmap(lambda n: valid if n else json_scalars)


attachment_values = st.fixed_dictionaries(
    {"fileUri": mostly(st.text(max_size=8)), "fileName": mostly(st.text(max_size=8))},
    optional={"mimeType": mostly(st.none() | st.text(max_size=8))},
)
voicemail_values = st.fixed_dictionaries(
    {
        "unifiedMessageId": mostly(st.text(max_size=12)),
        "state": mostly(st.sampled_from([0, 1, 7])),
        "dateReceived": mostly(
            st.sampled_from(
                [
                    *LIBRARY_DATES,
                    *DOTNET_EXTREMES,
                    "2020-10-29T08:20:18",
                    "2020-10-29T10:20:18.5+02:00",
                    "2020-10-29",
                ]
            )
            | library_forms().map(lambda form: form[0])
            | st.datetimes(timezones=st.none() | st.just(UTC)).map(datetime.isoformat)
        ),
        "from": mostly(st.text(max_size=12)),
        "subject": mostly(st.text(max_size=12)),
        "attachments": mostly(st.lists(mostly(attachment_values), max_size=3)),
    },
)


@given(voicemail_values)
def test_fast_voicemail_agrees_with_the_checked_path(value: dict[str, Any]) -> None:
    """The fast path for large snapshots returns what the checked path returns, or None."""
    fast = fast_voicemail(value)
    if fast is not None:
        assert fast == checked_voicemail(value)
        assert fast.received.utcoffset() == timedelta(0)


def test_fast_voicemail_reads_a_naive_date_as_utc() -> None:
    """A date without offset is UTC on the fast path too."""
    voicemail = fast_voicemail(dict(ADDED, dateReceived="2020-10-29T08:20:18"))
    assert voicemail == EXPECTED_VOICEMAIL


def test_fast_voicemail_declines_what_it_cannot_read() -> None:
    """An entry the fast path cannot read goes to the checked path (None, not an error)."""
    assert fast_voicemail(dict(ADDED, dateReceived="garbage")) is None
    assert fast_voicemail(dict(ADDED, attachments=[{"fileUri": 1}])) is None
    assert fast_voicemail({k: v for k, v in ADDED.items() if k != "from"}) is None
