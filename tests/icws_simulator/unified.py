"""Unified-messaging endpoints: mark read/unread, delete, play start/stop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from .handlers import parse_json, station_not_found
from .responses import (
    empty,
    invalid_property,
    malformed,
    missing_property,
    not_found,
    variant_error,
)
from .state import Session, StoredVoicemail

if TYPE_CHECKING:
    from .simulator import IcwsSimulator

CURRENT_STATION = "urn:inin.com:unifiedMessaging:currentStation"
PLAY_TARGET = "urn:inin.com:unifiedMessaging:voicemailPlayTarget"


def find_message(
    sim: IcwsSimulator, session: Session, raw_id: str
) -> StoredVoicemail | web.Response:
    """Return the message a (percent-encoded) path segment names, or the error."""
    message_id = unquote(raw_id)
    vm = session.user.mailbox.get(message_id)
    if vm is not None:
        return vm
    status = sim.settings.unknown_message_status
    if status == 404:
        return not_found("The unified message could not be found.")
    return invalid_property(
        "unifiedMessageId", "The unified message could not be found.", status=status
    )


def _state_field(data: Any) -> int | web.Response:
    if not isinstance(data, dict):
        return malformed()
    state = data.get("state")
    if state is None:
        return missing_property("state")
    if isinstance(state, bool) or state not in (0, 1):
        return invalid_property("state")
    return int(state)


def _message_request(
    sim: IcwsSimulator, session: Session, raw_id: str, body: bytes
) -> tuple[StoredVoicemail, int, dict[str, Any]] | web.Response:
    """Parse a `{state, ...}` body and find its message: both, with the body, or the error."""
    data, failure = parse_json(body)
    if failure is not None:
        return failure
    state = _state_field(data)
    if isinstance(state, web.Response):
        return state
    vm = find_message(sim, session, raw_id)
    if isinstance(vm, web.Response):
        return vm
    return vm, state, data


def update_message(
    sim: IcwsSimulator, session: Session, raw_id: str, body: bytes
) -> web.Response:
    """`PUT /icws/{id}/unified-messaging/{umId}` `{state}`."""
    request = _message_request(sim, session, raw_id, body)
    if isinstance(request, web.Response):
        return request
    vm, state, _ = request
    sim.update_state(session.user, vm, state == 1)
    return empty(204)


def delete_message(sim: IcwsSimulator, session: Session, raw_id: str) -> web.Response:
    """`DELETE /icws/{id}/unified-messaging/{umId}`."""
    vm = find_message(sim, session, raw_id)
    if isinstance(vm, web.Response):
        return vm
    sim.remove_voicemail(session.user.user_id, vm.message_id)
    return empty(sim.settings.delete_status)


def play_start(
    sim: IcwsSimulator, session: Session, raw_id: str, body: bytes
) -> web.Response:
    """`POST .../{umId}/voicemail-message/play/start` `{state, playTarget?}`."""
    s = sim.settings
    request = _message_request(sim, session, raw_id, body)
    if isinstance(request, web.Response):
        return request
    vm, state, data = request
    if vm.kind != "voicemail":
        return variant_error(
            s.fax_error_variant,
            message="Play is not allowed on a unified message of this type.",
        )
    play_target = data.get("playTarget")
    target: str | None
    if play_target is None:
        if s.default_play_target == "reject":
            return missing_property("playTarget")
        target = None
    elif not isinstance(play_target, dict):
        return invalid_property("playTarget")
    elif play_target.get("__type") == CURRENT_STATION:
        target = None
    elif play_target.get("__type") == PLAY_TARGET:
        value = play_target.get("target")
        if value is None or value == "":
            return missing_property("target")
        if not isinstance(value, str) or not value.strip():
            return invalid_property("target")
        if s.valid_play_targets is not None and value not in s.valid_play_targets:
            return station_not_found("The play target could not be found.")
        target = value
    else:
        return invalid_property("playTarget")
    if target is None:
        if session.station is None and s.require_station_for_current_station:
            return station_not_found()
        target = session.station or "current station"
    if s.play_applies_state and vm.state != state:
        sim.update_state(session.user, vm, state == 1)
    sim.start_playback(session, vm, target)
    return empty(s.play_start_status)


def play_stop(sim: IcwsSimulator, session: Session, raw_id: str) -> web.Response:
    """`POST .../{umId}/voicemail-message/play/stop` (no body): 204 + playStatus 1."""
    s = sim.settings
    vm = find_message(sim, session, raw_id)
    if isinstance(vm, web.Response):
        return vm
    if vm.kind != "voicemail":
        return variant_error(s.fax_error_variant)
    user = session.user
    playback = user.playback
    if (
        playback is not None
        and playback.message_id == vm.message_id
        and (s.stop_across_sessions or playback.session_id == session.session_id)
    ):
        sim.end_playback(user)
        return empty(204)
    if s.stop_when_idle_status < 300:
        if session.voicemail_subscribed:
            session.push(sim.play_status_json(vm.message_id, 1))
        return empty(s.stop_when_idle_status)
    return invalid_property(
        "unifiedMessageId",
        "The unified message is not being played.",
        status=s.stop_when_idle_status,
    )
