"""HTTP control API under `/_simulator/` (JSON in, JSON out) for the demo and e2e tests."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime
import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .state import StoredVoicemail

if TYPE_CHECKING:
    from .simulator import IcwsSimulator


def voicemail_dict(vm: StoredVoicemail) -> dict[str, Any]:
    """Return a JSON-friendly view of a stored message."""
    return {
        "message_id": vm.message_id,
        "sender": vm.sender,
        "subject": vm.subject,
        "received": vm.received.isoformat(),
        "read": vm.read,
        "kind": vm.kind,
        "duration": vm.duration,
        "file_name": vm.file_name,
        "raw": dict(vm.raw) if vm.raw else None,
        "omit": list(vm.omit),
        "audio_bytes": len(vm.audio) if vm.audio is not None else None,
        "audio_missing": vm.audio_missing,
    }


def _reply(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def _state(sim: IcwsSimulator) -> dict[str, Any]:
    return {
        "users": {
            user_id: {
                "display_name": user.display_name,
                "locked": user.locked,
                "voicemails": len(user.mailbox),
                "unread": user.unread_count(),
                "playing": user.playback.message_id if user.playback else None,
                "play_target": user.playback.target if user.playback else None,
                "failed_logins": user.failed_logins,
                "store_fault": user.store_fault.state if user.store_fault else None,
                "mwi_fault": user.mwi_fault.state if user.mwi_fault else None,
            }
            for user_id, user in sim.users.items()
        },
        "sessions": [
            {
                "session_id": s.session_id,
                "user": s.user.user_id,
                "alive": s.alive,
                "reason": s.reason,
                "host": s.host,
                "station": s.station,
                "voicemail_subscribed": s.voicemail_subscribed,
                "mwi_subscribed": s.mwi_subscribed,
                "queued": len(s.queue),
                "streams_open": s.streams_open,
            }
            for s in sim.sessions.values()
        ],
        "switched_over_to": list(sim.switched_over_to)
        if sim.switched_over_to
        else None,
        "faults": len(sim.faults),
        "requests": len(sim.requests),
        "down": time.monotonic() < sim.down_until,
        "affinity_value": sim.affinity_value,
    }


def _update_settings(sim: IcwsSimulator, args: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(sim.settings)}
    unknown = set(args) - names
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    for name, value in args.items():
        if isinstance(value, list):
            value = tuple(value)  # noqa: PLW2901
        setattr(sim.settings, name, value)
    return {
        "settings": {
            name: _jsonable(getattr(sim.settings, name)) for name in sorted(names)
        }
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _run(sim: IcwsSimulator, command: str, args: dict[str, Any]) -> Any:
    if command == "add-user":
        user = sim.add_user(
            args["user"],
            args["password"],
            display_name=args.get("display_name"),
            locked=bool(args.get("locked", False)),
        )
        return {"user": user.user_id}
    if command == "add-voicemail":
        kwargs: dict[str, Any] = {
            key: args[key]
            for key in (
                "sender",
                "subject",
                "read",
                "kind",
                "message_id",
                "duration",
                "file_name",
            )
            if key in args
        }
        if "received" in args:
            kwargs["received"] = datetime.fromisoformat(args["received"])
        if "raw" in args:
            kwargs["raw"] = dict(args["raw"])
        if "omit" in args:
            kwargs["omit"] = tuple(args["omit"])
        if "audio_base64" in args:
            kwargs["audio"] = base64.b64decode(args["audio_base64"])
        if "audio_mime" in args:
            kwargs["audio_mime"] = args["audio_mime"]
        return voicemail_dict(sim.add_voicemail(args["user"], **kwargs))
    if command == "remove-voicemail":
        sim.remove_voicemail(args["user"], args["message_id"])
        return {}
    if command == "set-read":
        sim.set_read(args["user"], args["message_id"], bool(args.get("read", True)))
        return {}
    if command == "voicemails":
        return {
            "voicemails": [voicemail_dict(vm) for vm in sim.voicemails(args["user"])]
        }
    if command == "expire-sessions":
        return {"expired": sim.expire_sessions(args.get("user"))}
    if command == "disconnect-sessions":
        return {
            "disconnected": sim.disconnect_sessions(
                args.get("user"),
                reason=args.get("reason", "Switchover"),
                should_reconnect=_tristate(args.get("should_reconnect", True)),
            )
        }
    reply = _run_more(sim, command, args)
    if reply is not None:
        return reply
    if command == "switchover":
        hosts = args.get("alternate_hosts", ["backup.test"])
        return {
            "disconnected": sim.switchover(
                hosts, reason=args.get("reason", "Switchover")
            )
        }
    if command == "switch-back":
        sim.switch_back()
        return {}
    if command == "inject-fault":
        sim.inject_fault(
            args["path_regex"],
            args.get("status"),
            count=args.get("count", 1),
            method=args.get("method"),
            delay=float(args.get("delay", 0.0)),
            body=args.get("body"),
            error_variant=args.get("error_variant"),
            drop=bool(args.get("drop", False)),
            host=args.get("host"),
        )
        return {"faults": len(sim.faults)}
    if command == "clear-faults":
        sim.clear_faults()
        return {}
    if command == "drop-streams":
        return {"dropped": sim.drop_event_streams(abort=bool(args.get("abort", False)))}
    if command == "requests":
        return {"requests": [r.as_dict() for r in sim.requests]}
    if command == "clear-requests":
        sim.clear_requests()
        return {}
    if command == "reset":
        sim.reset()
        return {}
    if command == "state":
        return _state(sim)
    if command == "settings":
        return _update_settings(sim, args)
    raise LookupError(command)


def _tristate(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _run_more(sim: IcwsSimulator, command: str, args: dict[str, Any]) -> Any:
    """Run the commands added for proxies, restarts and odd messages (None: unknown)."""
    user = args.get("user", "")
    if command == "logon-elsewhere":
        return {"disconnected": sim.logon_elsewhere(args["user"])}
    if command == "restart":
        return {"ended": sim.restart(float(args.get("downtime", 0.0)))}
    if command == "failed-logins":
        return {"failed_logins": sim.failed_logins(args["user"])}
    if command == "remove-audio":
        sim.remove_audio(args["user"], args["message_id"])
        return {}
    if command == "push-message":
        return {"sessions": sim.push_message(user, args["message"])}
    if command == "write-stream-bytes":
        if "data_base64" in args:
            data = base64.b64decode(args["data_base64"])
        else:
            data = str(args["data"]).encode()
        return {"streams": sim.write_stream_bytes(user, data)}
    if command in {"fault-mailbox-store", "fault-mwi"}:
        fault = (
            sim.fault_mailbox_store
            if command == "fault-mailbox-store"
            else sim.fault_mwi
        )
        extra = {key: args[key] for key in ("message", "state") if key in args}
        return {"sessions": fault(user, **extra)}
    if command == "restore-mailbox-store":
        return {"sessions": sim.restore_mailbox_store(user)}
    if command == "restore-mwi":
        return {"sessions": sim.restore_mwi(user)}
    if command == "glitch-snapshots":
        sim.glitch_next_snapshots(
            user,
            args.get("kind", "empty"),
            int(args.get("count", 1)),
            tuple(args.get("omit_ids", ())),
        )
        return {}
    return None


async def handle_control(
    sim: IcwsSimulator, request: web.Request, command: str
) -> web.Response:
    """Run one control command (POST with a JSON object body; GET for read-only commands)."""
    if request.method == "GET" and command in {
        "requests",
        "state",
        "voicemails",
        "failed-logins",
    }:
        args: Any = dict(request.query)
    elif request.method == "POST":
        raw = await request.read()
        try:
            args = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return _reply({"error": "body is not JSON"}, 400)
        if not isinstance(args, dict):
            return _reply({"error": "body must be a JSON object"}, 400)
    else:
        return _reply({"error": "use POST"}, 405)
    try:
        return _reply(_run(sim, command, args))
    except LookupError as err:
        if str(err) == command:
            return _reply({"error": f"unknown command {command!r}"}, 404)
        return _reply({"error": f"not found: {err}"}, 404)
    except (ValueError, TypeError) as err:
        return _reply({"error": str(err)}, 400)
